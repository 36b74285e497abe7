import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/src/config/load.ts';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { coarseConfig, coarsenResult } from '../../sim/src/metrics/coarsen.ts';
import { decodeResult, intervalSummaries } from '../../sim/src/metrics/summary.ts';
import { M, NM } from '../../sim/src/model/layout.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { intervalAgents } from '../../twin-api/agent-levels.ts';
import { buildStoreApp } from '../../twin-api/dashboard-command.ts';
import { cli } from '../fixtures/cli.ts';
import { testTwin } from './helpers.ts';

/**
 * What the dashboard's charts read beside the run JSON: agents per interval
 * (twin-api/agent-levels.ts: the mean agents on duty and busy, whole center and per
 * site, beside the intervals served by GET /v1/runs/:id and /v1/metrics), and the
 * per-channel breakdowns of the intervals served for runs longer than two weeks.
 */

const SMALL = fileURLToPath(new URL('../fixtures/twin-small.yaml', import.meta.url));

describe('agents per interval', () => {
  const cfg = loadScenario(SMALL);
  const reps = [0, 1].map((i) => decodeResult(new Replication(cfg, i, null).run(), cfg));
  const L = cfg.intervalLength;

  it('staffed agent-seconds / the interval length; the sites add up to the center; busy / staffed is the occupancy', () => {
    const a = intervalAgents(cfg, reps, 0, cfg.nIntervals);
    const ivs = intervalSummaries(cfg, reps, 0, cfg.nIntervals);
    expect(a.staffed).toHaveLength(cfg.nIntervals);
    for (let i = 0; i < cfg.nIntervals; i++) {
      const want = (reps[0].rows[i * NM + M.staffedTime] + reps[1].rows[i * NM + M.staffedTime]) / 2 / L;
      expect(a.staffed[i].mean).toBeCloseTo(want, 9);
      // 11 agents in the scenario, all on duty the whole day
      expect(a.staffed[i].mean).toBeCloseTo(11, 6);
      const sites = Object.values(a.bySite).reduce((s, x) => s + x.staffed[i].mean!, 0);
      expect(sites).toBeCloseTo(a.staffed[i].mean!, 9);
      const occ = reps.map((r) => r.rows[i * NM + M.busyTime] / r.rows[i * NM + M.staffedTime]);
      expect(ivs[i].occupancy.mean).toBeCloseTo((occ[0] + occ[1]) / 2, 9);
      expect(a.busy[i].mean! / a.staffed[i].mean!).toBeCloseTo(ivs[i].occupancy.mean!, 9); // equal staffing in both replications
    }
    expect(a.bySite.nantong.staffed[0].mean).toBeCloseTo(7, 6);
    expect(a.bySite.shanghai.staffed[0].mean).toBeCloseTo(4, 6);
  });

  it('coarse intervals: the mean of the fine ones; a partial interval divides by the time it has run', () => {
    const fine = intervalAgents(cfg, reps, 0, cfg.nIntervals);
    const k = 4;
    const coarse = intervalAgents(coarseConfig(cfg, k), reps.map((r) => coarsenResult(r, cfg, k)), 0, cfg.nIntervals / k);
    for (let c = 0; c < cfg.nIntervals / k; c++) {
      const mean = fine.busy.slice(c * k, (c + 1) * k).reduce((s, e) => s + e.mean!, 0) / k;
      expect(coarse.busy[c].mean).toBeCloseTo(mean, 9);
    }
    const half = intervalAgents(cfg, reps, 0, 2, (i) => (i === 1 ? L / 2 : L));
    expect(half.staffed[1].mean).toBeCloseTo(2 * fine.staffed[1].mean!, 9);
    expect(intervalAgents(cfg, reps, 0, 1, () => 0).staffed[0]).toEqual({ mean: null, ci95: null });
  });

  it('GET /v1/runs/:id serves them parallel to intervals[], at the resolution served; /v1/metrics for the day so far', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'cctwin-agents-')), 'runs.db');
    expect((await cli('run', SMALL, '-r', '2', '--db', db)).code).toBe(0);
    const store = RunStore.open(db);
    const app = await buildStoreApp({ store, scenarios: null });
    try {
      const full = (await app.inject('/v1/runs/1')).json();
      expect(full.agents.staffed).toHaveLength(full.intervals.length);
      expect(full.agents.bySite.nantong.staffed[3].mean).toBeCloseTo(7, 6);
      const coarse = (await app.inject('/v1/runs/1?maxPoints=2')).json();
      expect(coarse.agents.busy).toHaveLength(coarse.intervals.length);
      expect(coarse.agents.busy[0].mean).toBeCloseTo(full.agents.busy.slice(0, 4).reduce((s: number, e: { mean: number }) => s + e.mean, 0) / 4, 9);
      expect((await app.inject('/healthz')).json()).toEqual({ ok: true });
    } finally {
      await app.close();
      store.close();
    }
    const t = await testTwin();
    try {
      t.advance(2700); // 45 min: the second interval half run
      const m = (await t.app.inject('/v1/metrics')).json();
      expect(m.intervals).toHaveLength(2);
      expect(m.agents.staffed).toHaveLength(2);
      expect(m.agents.staffed[1].mean).toBeCloseTo(11, 6);
      expect(m.agents.bySite.nantong.staffed[1].mean).toBeCloseTo(7, 6);
    } finally {
      await t.app.close();
    }
  });
});

describe('runs longer than two weeks', () => {
  it('GET /v1/runs/:id serves each interval by channel and site while at most 2,000 are served', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'cctwin-long-')), 'runs.db');
    expect((await cli('run', SMALL, '--set', 'horizon=42d', '-r', '1', '--db', db)).code).toBe(0);
    const store = RunStore.open(db);
    const app = await buildStoreApp({ store, scenarios: null });
    try {
      const coarse = (await app.inject('/v1/runs/1')).json();
      expect(coarse.resolution).toMatchObject({ totalIntervals: 2016, aggregated: 3, points: 672 });
      const iv = coarse.intervals[100];
      expect(Object.keys(iv.byChannel)).toEqual(['phone', 'im']);
      expect(Object.keys(iv.bySite)).toEqual(['shanghai', 'nantong']);
      // The channels add up to the center's counts.
      expect(iv.byChannel.phone.offered.mean + iv.byChannel.im.offered.mean).toBe(iv.offered.mean);
      expect(iv.bySite.shanghai.offered.mean + iv.bySite.nantong.offered.mean).toBe(iv.offered.mean);
      // A window at full resolution: the same.
      const week = (await app.inject('/v1/runs/1?from=0&to=604800')).json();
      expect(week.resolution).toMatchObject({ aggregated: 1, points: 336 });
      expect(week.intervals[0].byChannel.phone.serviceLevel).toBeDefined();
      // Beyond 2,000 intervals served, the center only (the answer stays bounded).
      const all = (await app.inject('/v1/runs/1?maxPoints=100000')).json();
      expect(all.intervals).toHaveLength(2016);
      expect(all.intervals[0].byChannel).toBeUndefined();
    } finally {
      await app.close();
      store.close();
    }
  });
});
