import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/src/config/load.ts';
import { replicate, replicateLogged } from '../../sim/src/engine/replicate.ts';
import { logRecords, type EventLog } from '../../sim/src/model/event-log.ts';
import { decodeResult, summarize } from '../../sim/src/metrics/summary.ts';
import { main } from '../../sim/src/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('per-contact event log', () => {
  it('observes without changing the result, and accounts for every contact (a site failure, small buffer)', () => {
    const cfg = loadScenario(join(ROOT, 'scenarios/nantong-failover.yaml'));
    const recs: ReturnType<typeof logRecords> extends Generator<infer T> ? T[] : never = [];
    let flushes = 0;
    // A small buffer: the engine stops between events to flush many times, and the
    // failure at 10:00, which drops hundreds of calls in one event, overflows it.
    const buf = replicateLogged(cfg, 0, (log: EventLog) => {
      flushes++;
      for (const r of logRecords(log, 0, cfg.types.map((t) => t.name), cfg.sites.map((s) => s.name), cfg.groups.map((g) => g.name))) recs.push(r);
    }, 256);
    expect(flushes).toBeGreaterThan(100);
    expect(Array.from(buf.subarray(10))).toEqual(Array.from(replicate(cfg, 0).subarray(10)));
    const t = summarize(cfg, [decodeResult(buf, cfg)], 0).totals;
    const n = (o: string) => recs.filter((r) => r.outcome === o).length;
    // One record per attempt's end, plus one per misroute transfer.
    expect(recs.length).toBe(t.arrivals.mean! + t.transfers.mean!);
    expect(n('completed') + n('dropped')).toBe(t.answered.mean);
    expect(n('dropped')).toBe(t.dropped.mean);
    expect(n('dropped')).toBeGreaterThan(0);
    expect(n('abandoned')).toBe(t.abandoned.mean);
    expect(n('deflected')).toBe(t.deflected.mean);
    expect(n('ivrHangup')).toBe(t.ivrHangup.mean);
    expect(n('transferred')).toBe(t.transfers.mean);
    // Times are ordered within each record.
    for (const r of recs) {
      expect(r.end).toBeGreaterThanOrEqual(r.arrival!);
      if (r.answer !== null) expect(r.answer).toBeGreaterThanOrEqual(r.queueEntry!);
    }
  });

  it('cctwin run --event-log writes CSV with a header, one row per record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctwin-log-'));
    try {
      const out: string[] = [];
      const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
      const file = join(dir, 'log.csv');
      const code = await main(['node', 'cctwin', 'run', join(ROOT, 'test/fixtures/pool-small.yaml'), '--db', join(dir, 'r.db'), '--event-log', file, '-r', '2', '--workers', '1'], io);
      expect(code).toBe(0);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('replication,outcome,type,site,attempt,arrival,queueEntry,answer,end,agent,group,flags,defect');
      const m = /event log: ([\d,]+) records/.exec(out.join('\n'));
      expect(Number(m![1].replace(/,/g, ''))).toBe(lines.length - 1);
      expect(new Set(lines.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(['0', '1']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
