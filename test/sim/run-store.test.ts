import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withRunner } from '../../sim/src/engine/pool.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { executeRun } from '../../sim/src/runs/execute.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { KPIS, decodeResult, kpisOf, summarize, totalRow } from '../../sim/src/metrics/summary.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const variant = compileVariant(readScenarioText(FIXTURE), FIXTURE, []);
const cfg = variant.cfg;
const tmp = () => mkdtempSync(join(tmpdir(), 'cctwin-store-'));

describe('run store', () => {
  it('round-trips a run: record, replication buffers bit for bit, intervals, status', () => {
    const dir = tmp();
    try {
      const store = RunStore.open(join(dir, 'nested', 'cctwin.db'));
      expect(store.schemaVersion).toBe(1);
      const id = store.createRun({ kind: 'run', name: cfg.name, seed: cfg.seed, codeVersion: 'test', scenario: variant.text, options: { replications: 2 }, arms: [{ label: 'A', config: cfg }] });
      const bufs = [0, 1].map((r) => replicate(cfg, r));
      for (const b of bufs) store.addReplication(id, 0, b, kpisOf(totalRow(decodeResult(b, cfg).rows, cfg)));
      const summary = summarize(cfg, bufs.map((b) => decodeResult(b, cfg)), 0);
      store.finishRun(id, 'done', { totals: summary.totals }, [{ arm: 0, rows: summary.intervals }]);
      store.close();

      const again = RunStore.open(join(dir, 'nested', 'cctwin.db')); // migrations are idempotent
      expect(again.schemaVersion).toBe(1);
      const rec = again.getRun(id)!;
      expect(rec).toMatchObject({ kind: 'run', status: 'done', name: cfg.name, seed: cfg.seed, codeVersion: 'test', scenario: variant.text, replications: 2 });
      expect(again.armConfigs(id)[0].config).toEqual(JSON.parse(JSON.stringify(cfg)));
      const back = again.replicationBuffers(id, 0);
      expect([...back.keys()]).toEqual([0, 1]);
      expect(Array.from(back.get(1)!)).toEqual(Array.from(bufs[1]));
      const iv = again.intervals(id);
      expect(iv.length).toBe(cfg.nIntervals * KPIS.length);
      const sl = iv.find((r) => r.interval === 3 && r.kpi === 'serviceLevel')!;
      expect(sl.mean).toBeCloseTo(summary.intervals[3].serviceLevel.mean!, 12);
      expect(again.listRuns().map((r) => r.id)).toEqual([id]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an interrupted run leaves a consistent record: status interrupted, every stored replication whole', async () => {
    const dir = tmp();
    try {
      const store = RunStore.open(join(dir, 'c.db'));
      const stop = new AbortController();
      let seen = 0;
      const out = await withRunner({ workers: 2 }, (runner) => executeRun({
        runner, store, progress: { plan() {}, done() { if (++seen === 4) stop.abort(); } },
      }, { variant, replications: 60, maxReplications: 1000, options: {} }), stop.signal);
      expect(out.status).toBe('interrupted');
      const rec = store.getRun(out.runId!)!;
      expect(rec.status).toBe('interrupted');
      const bufs = store.replicationBuffers(out.runId!, 0);
      expect(rec.replications).toBe(bufs.size);
      expect(out.summary.replications).toBe(bufs.size);
      expect(bufs.size).toBeGreaterThanOrEqual(4);
      expect(bufs.size).toBeLessThan(60);
      for (const [r, b] of bufs) expect(Array.from(b).slice(8)).toEqual(Array.from(replicate(cfg, r)).slice(8));
      expect((rec.result as { totals: unknown }).totals).toEqual(JSON.parse(JSON.stringify(out.summary.totals)));
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
