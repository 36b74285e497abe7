import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withRunner } from '../../sim/src/engine/pool.ts';
import { applyAssignments, compileVariant, grid, parseSets, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { holm, pairedKpi } from '../../sim/src/experiments/paired.ts';
import { nextCount } from '../../sim/src/experiments/precision.ts';
import { executeCompare, executeRun, executeSweep, sweepVariants, type SweepOutcome, type SweepSpec } from '../../sim/src/runs/execute.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { estimate, t975 } from '../../sim/src/metrics/stats.ts';
import { KPIS, decodeResult, kpisOf, totalRow } from '../../sim/src/metrics/summary.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import type { Issue } from '../../sim/src/errors.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const TEXT = readScenarioText(FIXTURE);
const base = compileVariant(TEXT, FIXTURE, []);

describe('--set edits', () => {
  it('parses paths and value lists, reports bad flags', () => {
    const issues: Issue[] = [];
    const sets = parseSets(['agents=10,12', 'handleTime.mean=55', 'arrivals.perInterval=[1,2],[3,4]', 'nonsense', 'x='], issues);
    expect(sets).toEqual([
      { path: 'agents', values: [10, 12] },
      { path: 'handleTime.mean', values: [55] },
      { path: 'arrivals.perInterval', values: [[1, 2], [3, 4]] },
    ]);
    expect(issues.map((i) => [i.path, i.value])).toEqual([['--set', 'nonsense'], ['--set', 'x=']]);
    expect(parseSets(['agents=1,2'], issues, 1)).toEqual([]);
  });

  it('expands the grid with the first flag varying slowest', () => {
    const g = grid([{ path: 'a', values: [1, 2] }, { path: 'b', values: ['x', 'y', 'z'] }]);
    expect(g.map((p) => p.map((x) => x.value).join(''))).toEqual(['1x', '1y', '1z', '2x', '2y', '2z']);
  });

  it('edits the YAML document, keeping comments, and the variant compiles with the new values', () => {
    const edited = applyAssignments(TEXT, [{ path: 'agents', value: 14 }, { path: 'handleTime.mean', value: 70 }]);
    expect(edited).toContain('# A small M/M/11+M queue');
    const v = compileVariant(TEXT, FIXTURE, [{ path: 'agents', value: 14 }, { path: 'handleTime.mean', value: 70 }, { path: 'warmup', value: '1h' }]);
    expect(v.cfg.groups[0].staffing.every((n) => n === 14)).toBe(true);
    expect(v.cfg.types[0].handleTime).toMatchObject({ kind: 'exponential', mean: 70 });
    expect(v.cfg.warmup).toBe(3600);
    expect(() => compileVariant(TEXT, FIXTURE, [{ path: 'agents', value: -3 }, { path: 'warmup', value: '5h' }]))
      .toThrow(expect.objectContaining({ code: 'SIM_ERR_SCENARIO_INVALID', issues: expect.arrayContaining([expect.objectContaining({ path: 'agents' }), expect.objectContaining({ path: 'warmup' })]) }));
  });
});

describe('paired comparison', () => {
  it('matches a hand-worked case: differences 1, 2, 3 -> mean 2, half-width t(2) / sqrt(3)', () => {
    const p = pairedKpi([1, 2, 3], [2, 4, 6]);
    expect(p.difference).toBe(2);
    expect(p.ci95).toBeCloseTo(t975(2) / Math.sqrt(3), 12);
    expect(p.significant).toBe(false); // 2 < 2.484
    expect(pairedKpi([1, 2, 3, 4], [3, 4, 5, 6])).toMatchObject({ difference: 2, ci95: 0, significant: true });
  });

  it('p-values and Holm adjustment by hand', () => {
    // differences 1, 2, 3: t = 2 / (1 / sqrt 3) = 3.464 with 2 df, two-sided p = 0.0742
    expect(pairedKpi([1, 2, 3], [2, 4, 6]).p).toBeCloseTo(0.07418, 4);
    expect(pairedKpi([1, 2, 3, 4], [3, 4, 5, 6]).p).toBe(0); // the same difference in every pair
    expect(pairedKpi([1, 2], [1, 2]).p).toBe(1);
    // sorted 0.01, 0.03, 0.04 -> 3 x 0.01 = 0.03, 2 x 0.03 = 0.06, max(0.06, 1 x 0.04) = 0.06
    const adj = holm([0.01, 0.04, 0.03]);
    expect(adj[0]).toBeCloseTo(0.03, 12);
    expect(adj[1]).toBeCloseTo(0.06, 12);
    expect(adj[2]).toBeCloseTo(0.06, 12);
    // nulls are left out of the family (m = 2): 2 x 0.5 = 1, then max(1, 0.9) = 1
    expect(holm([0.5, null, 0.9])).toEqual([1, null, 1]);
    expect(holm([0.2, null, 0.01])).toEqual([0.2, null, 0.02]);
  });

  it('a scenario against itself: every difference exactly 0 with CI 0, nothing significant', async () => {
    const r = await withRunner({ workers: 1 }, (runner) => executeCompare({ runner }, { a: { ...base, label: 'A' }, b: { ...base, label: 'B' }, replications: 5, maxReplications: 100, options: {} }));
    for (const k of KPIS) {
      const p = r.paired[k];
      if (p.meanA === null) continue;
      expect(p.difference, k).toBe(0);
      expect(p.ci95, k).toBe(0);
      expect(p.significant, k).toBe(false);
      expect(p.meanB).toBe(p.meanA);
    }
  });

  it('more agents give a significantly better service level; the paired CI is tighter than unpaired', async () => {
    const more = compileVariant(TEXT, FIXTURE, [{ path: 'agents', value: 12 }]);
    const r = await withRunner({ workers: 2 }, (runner) => executeCompare({ runner }, { a: { ...base, label: 'A' }, b: { ...more, label: 'B' }, replications: 10, maxReplications: 100, options: {} }));
    const sl = r.paired.serviceLevel;
    expect(sl.difference!).toBeGreaterThan(0);
    expect(sl.significant).toBe(true);
    expect(r.paired.abandonRate.difference!).toBeLessThan(0);
    // same arrivals in both arms: common random numbers
    expect(r.paired.arrivals.difference).toBe(0);
    const unpaired = Math.hypot(r.a.totals.serviceLevel.ci95!, r.b.totals.serviceLevel.ci95!);
    expect(sl.ci95!).toBeLessThan(unpaired);
  });
});

describe('--precision', () => {
  it('grows by the n (h/H)^2 rule, at least +1, at most doubling, capped', () => {
    expect(nextCount(5, 0.02, 0.01, 1000)).toBe(10);
    expect(nextCount(5, 0.0101, 0.01, 1000)).toBe(6);
    expect(nextCount(10, 0.012, 0.01, 1000)).toBe(15);
    expect(nextCount(10, null, 0.01, 12)).toBe(12);
  });

  it('stops as soon as the half-width is reached, the same count with 1 or 2 workers', async () => {
    const target = { kpi: 'serviceLevel' as const, halfWidth: 0.02 };
    const run = (workers: number) => withRunner({ workers }, (runner) => executeRun({ runner }, { variant: base, replications: 3, precision: target, maxReplications: 200, options: {} }));
    const [one, two] = [await run(1), await run(2)];
    const p = one.precision!;
    expect(p.met).toBe(true);
    expect(p.halfWidth!).toBeLessThanOrEqual(0.02);
    expect(one.summary.replications).toBe(p.replications);
    expect(one.summary.totals.serviceLevel.ci95).toBe(p.halfWidth);
    expect(p.replications).toBeGreaterThan(3);
    // Replay the stopping rule by hand: the count before the last batch had not met the target.
    const sls = Array.from({ length: p.replications }, (_, r) => kpisOf(totalRow(decodeResult(replicate(base.cfg, r), base.cfg).rows, base.cfg)).serviceLevel);
    let n = 3, prev = 3;
    while (!((estimate(sls.slice(0, n)).ci95 ?? Infinity) <= 0.02)) { prev = n; n = nextCount(n, estimate(sls.slice(0, n)).ci95, 0.02, 200); }
    expect(n).toBe(p.replications);
    expect(estimate(sls.slice(0, prev)).ci95!).toBeGreaterThan(0.02);
    expect(two.precision).toEqual(one.precision);
    expect(two.summary.totals).toEqual(one.summary.totals);
  });

  it('stops at the cap and says so', async () => {
    const r = await withRunner({ workers: 1 }, (runner) => executeRun({ runner }, { variant: base, replications: 2, precision: { kpi: 'asa', halfWidth: 1e-6 }, maxReplications: 6, options: {} }));
    expect(r.precision).toMatchObject({ met: false, replications: 6 });
    expect(r.summary.replications).toBe(6);
  });
});

describe('sweep resume', () => {
  const spec: SweepSpec = {
    text: TEXT, source: 'pool-small.yaml', sets: [{ path: 'agents', values: [10, 11, 12] }, { path: 'handleTime.mean', values: [55, 60] }],
    fixed: [{ path: 'warmup', value: '30m' }], replications: 4, maxReplications: 100, options: {},
  };
  const comparable = (r: SweepOutcome) => r.points.map((p) => ({ point: p.point, assignments: p.assignments, status: p.status, totals: p.summary!.totals, intervals: p.summary!.intervals, sla: p.summary!.sla, n: p.summary!.replications }));

  it('an interrupted sweep, resumed, gives the same result as an uninterrupted one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctwin-sweep-'));
    try {
      const variants = sweepVariants(spec);
      const whole = RunStore.open(join(dir, 'whole.db'));
      const full = await withRunner({ workers: 2 }, (runner) => executeSweep({ runner, store: whole }, spec, variants));
      expect(full.status).toBe('done');
      expect(full.points.length).toBe(6);
      whole.close();

      const store = RunStore.open(join(dir, 'cut.db'));
      const stop = new AbortController();
      let seen = 0;
      const cut = await withRunner({ workers: 2 }, (runner) => executeSweep({
        runner, store, progress: { plan() {}, done() { if (++seen === 10) stop.abort(); } },
      }, spec, variants), stop.signal);
      expect(cut.status).toBe('interrupted');
      expect(cut.points.length).toBeLessThan(6);
      expect(store.getRun(cut.runId!)!.status).toBe('interrupted');
      const storedBefore = store.getRun(cut.runId!)!.replications;
      expect(storedBefore).toBeGreaterThanOrEqual(10);

      let ranAfter = 0;
      const resumed = await withRunner({ workers: 1 }, (runner) => executeSweep({
        runner, store, progress: { plan() {}, done() { ranAfter++; } },
      }, spec, sweepVariants(spec), cut.runId!));
      expect(resumed.status).toBe('done');
      expect(store.getRun(cut.runId!)!.status).toBe('done');
      // only the missing replications ran again
      expect(ranAfter).toBe(6 * 4 - storedBefore);
      expect(store.children(cut.runId!).length).toBe(6);
      expect(comparable(resumed)).toEqual(comparable(full));
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
