import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadScenario } from '../../sim/src/config/load.ts';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { coarseConfig, coarseFactor, coarsenResult } from '../../sim/src/metrics/coarsen.ts';
import { decodeResult, intervalSummaries, kpisOf, summarize } from '../../sim/src/metrics/summary.ts';
import { M, NM } from '../../sim/src/model/layout.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { baseApp } from '../../twin-api/app.ts';
import { erlangCAgents, registerRunRoutes } from '../../twin-api/runs.ts';
import { staffFor } from '../../sim/src/analytic/staffing.ts';
import { cli } from '../fixtures/cli.ts';

/**
 * The run store's read-only routes (twin-api/runs.ts) over a real store made by the CLI,
 * and the exact coarsening behind long runs' intervals (sim/src/metrics/coarsen.ts).
 */

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

describe('coarser intervals, exactly', () => {
  it('k intervals summed into one: counts add, levels are the last one\'s, KPIs are those of the summed rows', () => {
    const cfg = loadScenario(fileURLToPath(new URL('../fixtures/twin-small.yaml', import.meta.url)));
    const r = decodeResult(new Replication(cfg, 0, null).run(), cfg);
    const k = coarseFactor(cfg.nIntervals, 3); // 8 intervals: the smallest divisor >= 3 is 4
    expect(k).toBe(4);
    expect(coarseFactor(7, 2)).toBe(7);
    expect(coarseFactor(96, 1)).toBe(1);
    // Buckets that fit the day: a year at 15 minutes into at most 1,000 points is 12-hour buckets, not 10-hour ones.
    expect(coarseFactor(35040, 35.04, 96)).toBe(48);
    expect(coarseFactor(35040, 35.04)).toBe(40);
    expect(coarseFactor(35040, 100, 96)).toBe(480); // 5 days: 365 days are 5 x 73
    expect(coarseFactor(672, 1.5, 96)).toBe(2);
    const c = coarsenResult(r, cfg, k);
    const cc = coarseConfig(cfg, k);
    expect(cc.intervalLength).toBe(cfg.intervalLength * 4);
    for (let ci = 0; ci < cfg.nIntervals / k; ci++) {
      for (const m of [M.arrivals, M.offered, M.answered, M.answeredWithin, M.abandoned, M.busyTime, M.staffedTime]) {
        let sum = 0;
        for (let j = 0; j < k; j++) sum += r.rows[(ci * k + j) * NM + m];
        expect(c.rows[ci * NM + m]).toBeCloseTo(sum, 9);
      }
      expect(c.rows[ci * NM + M.backlog]).toBe(r.rows[(ci * k + k - 1) * NM + M.backlog]);
    }
    // The drain row and the per-type cells are kept.
    expect(c.rows.subarray((cfg.nIntervals / k) * NM)).toEqual(r.rows.subarray(cfg.nIntervals * NM));
    expect(c.cells).toBe(r.cells);
    const ivs = intervalSummaries(cc, [c], 0, 2);
    expect(ivs.map((iv) => [iv.start, iv.end])).toEqual([[0, 7200], [7200, 14400]]);
    expect(ivs[1].serviceLevel.mean).toBeCloseTo(kpisOf(c.rows.subarray(NM, 2 * NM)).serviceLevel, 12);
    // The whole run's totals do not depend on the reporting interval (up to the order of summation).
    const a = summarize(cc, [c], 0).totals as unknown as Record<string, { mean: number | null }>;
    const b = summarize(cfg, [r], 0).totals as unknown as Record<string, { mean: number | null }>;
    for (const kpi of Object.keys(b)) {
      if (b[kpi].mean === null) expect(a[kpi].mean, kpi).toBeNull();
      else expect(a[kpi].mean, kpi).toBeCloseTo(b[kpi].mean!, 9);
    }
  });
});

describe('GET /v1/runs, /v1/runs/:id, /v1/scenarios', () => {
  let app: FastifyInstance;
  let store: RunStore;
  const db = join(mkdtempSync(join(tmpdir(), 'cctwin-runs-routes-')), 'runs.db');
  beforeAll(async () => {
    expect((await cli('run', 'scenarios/nantong-failover.yaml', '-r', '2', '--db', db)).code).toBe(0);
    expect((await cli('run', 'test/fixtures/twin-small.yaml', '-r', '2', '--db', db)).code).toBe(0);
    expect((await cli('compare', 'test/fixtures/twin-small.yaml', '--set', 'agentGroups[0].agents=2,4', '-r', '2', '--db', db)).code).toBe(0);
    store = RunStore.openReadOnly(db);
    app = await baseApp({ title: 'test', description: 'test' });
    registerRunRoutes(app, { store, scenarios: SCENARIOS });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    store.close();
  });

  it('lists runs newest first, paged and filtered, with the board\'s headline numbers', async () => {
    const all = (await app.inject('/v1/runs')).json();
    expect(all.total).toBe(3);
    expect(all.runs.map((r: { id: number }) => r.id)).toEqual([3, 2, 1]);
    const page = (await app.inject('/v1/runs?limit=1&offset=1')).json();
    expect(page.runs.map((r: { id: number }) => r.id)).toEqual([2]);
    const failover = (await app.inject('/v1/runs?scenario=Nantong%20failover')).json();
    expect(failover.total).toBe(1);
    const stored = store.getRun(1)!.result as any;
    expect(failover.runs[0].headline.byChannel.phone.serviceLevel).toBe(stored.byChannel.phone.serviceLevel.mean);
    expect(failover.runs[0].sla).toEqual(stored.sla);
    // replyOnTime only for the channels with a reply deadline
    expect(stored.deadlineChannels).toEqual(['email', 'fax']);
    expect(failover.runs[0].headline.byChannel.phone.replyOnTime).toBeNull();
    expect(failover.runs[0].headline.byChannel.im.replyOnTime).toBeNull();
    expect(failover.runs[0].headline.byChannel.email.replyOnTime).toBe(stored.byChannel.email.replyOnTime.mean);
    expect((await app.inject('/v1/runs?kind=compare')).json().runs.map((r: { kind: string }) => r.kind)).toEqual(['compare']);
    const bad = await app.inject('/v1/runs?limit=0&kind=weird');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toMatch(/^querystring\./);
  });

  it('serves a run in the run JSON\'s shape, its intervals at most maxPoints, coarsened exactly, and windows', async () => {
    const full = (await app.inject('/v1/runs/1')).json();
    const stored = store.getRun(1)!.result as any;
    expect(full.totals).toEqual(stored.totals);
    expect(full.sla).toEqual(stored.sla);
    expect(full.run).toMatchObject({ id: 1, kind: 'run', status: 'done', live: false });
    expect(full.resolution).toMatchObject({ aggregated: 1, points: 48, totalIntervals: 48, original: 1800 });
    expect(full.intervals).toHaveLength(48);
    // The stored per-interval means are the same numbers.
    const rows = store.intervals(1).filter((r) => r.kpi === 'offered');
    expect(full.intervals.map((iv: { offered: { mean: number } }) => iv.offered.mean)).toEqual(rows.map((r) => r.mean));
    expect(full.failures).toEqual([{ site: 'nantong', start: 36000, end: 43200 }]);
    expect(full.requirement.phoneAgents).toHaveLength(48);
    expect(full.requirement.phoneAgents.filter((n: number | null) => n !== null && n > 0).length).toBeGreaterThan(30);
    const coarse = (await app.inject('/v1/runs/1?maxPoints=10')).json();
    expect(coarse.resolution).toMatchObject({ aggregated: 6, intervalLength: 10800, points: 8 });
    const sum = (ivs: { offered: { mean: number } }[]) => ivs.reduce((a, iv) => a + iv.offered.mean, 0);
    expect(sum(coarse.intervals)).toBeCloseTo(sum(full.intervals), 6);
    const win = (await app.inject('/v1/runs/1?from=36000&to=43200')).json();
    expect(win.intervals.map((iv: { start: number }) => iv.start)).toEqual([36000, 37800, 39600, 41400]);
    expect((await app.inject('/v1/runs/1?intervals=none')).json().intervals).toEqual([]);
    expect((await app.inject('/v1/runs/99')).json()).toMatchObject({ statusCode: 404, code: 'TWIN_ERR_NOT_FOUND', field: 'params.id', message: 'params.id = 99: no run 99 in the run store' });
    expect((await app.inject('/v1/runs/0')).json().field).toBe('params.id');
    expect((await app.inject('/v1/runs/1?from=100&to=50')).json()).toMatchObject({ statusCode: 400, code: 'TWIN_ERR_VALIDATION', field: 'querystring.to' });
    // The stored run's performance (its wall time), not the recomputed summary's zero.
    expect(full.performance).toEqual(stored.performance);
    expect(full.performance.wallSeconds).toBeGreaterThan(0);
  });

  it('serves a compare with both arms and the paired differences', async () => {
    const c = (await app.inject('/v1/runs/3')).json();
    expect(c.run.kind).toBe('compare');
    expect(c.arms.map((a: { label: string }) => a.label)).toHaveLength(2);
    expect(c.arms[0].intervals).toHaveLength(8);
    expect(c.paired.serviceLevel).toHaveProperty('ci95');
    expect(c.paired.serviceLevel.meanA).toBeCloseTo(c.arms[0].totals.serviceLevel.mean, 12);
  });

  it('the Erlang requirement is the closed form\'s smallest n, as the general staffing solver finds it', () => {
    for (const [lambda, aht, target] of [[0.1, 180, 0.8], [0.5, 240, 0.95], [2, 180, 0.9], [0.01, 300, 0.8]]) {
      expect(erlangCAgents(lambda, aht, 20, target), `${lambda} ${aht} ${target}`).toBe(staffFor({ arrivalRate: lambda, aht, threshold: 20 }, { serviceLevel: target }).agents);
    }
  });

  it('lists the scenario library with each scenario\'s latest run', async () => {
    const s = (await app.inject('/v1/scenarios')).json().scenarios;
    const failover = s.find((x: { file: string }) => x.file === 'nantong-failover.yaml');
    expect(failover.name).toBe('Nantong failover');
    expect(failover.latestRun.id).toBe(1);
    expect(s.find((x: { file: string }) => x.file === 'typhoon.yaml').latestRun).toBeNull();
  });
});
