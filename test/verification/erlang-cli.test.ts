import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../sim/src/cli.ts';
import { erlangModel } from '../../sim/src/cli/erlang-model.ts';
import { runLocal } from '../../sim/src/metrics/run-local.ts';
import { queueMetrics } from '../../sim/src/analytic/index.ts';
import { t975, type Estimate } from '../../sim/src/metrics/stats.ts';

/**
 * The issue's "done when" commands, run in process through the CLI's main(), and the
 * result objects checked against the exact figures: every KPI within 3 standard errors
 * (SE = ci95 / t(0.975, R-1)).
 *
 * Start-up bias. These commands have no warm-up: each replication starts with every
 * agent idle, so busy time ramps up over the first few handle times. Like M/M/inf from
 * empty, the busy agent-seconds lost are a * aht (60,000 here), i.e. occupancy is low by
 * a * aht / (n * horizon) = 0.2 points over a day, about 3.5 SE at 20 replications: a
 * plain comparison of occupancy fails for most seeds. The tests compare occupancy with
 * the exact value minus that deficit, and check separately that the deficit is there
 * and that a warm-up removes it.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// `run` saves every run in a store: a throwaway one, never the user's runs/cctwin.db.
const dir = mkdtempSync(join(tmpdir(), 'cctwin-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DB = ['--db', join(dir, 'runs.db')];
const K = ['offered', 'answered', 'abandoned', 'blocked', 'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'occupancy'] as const;
const RATES = ['serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'occupancy'] as const;

async function cli(...args: string[]): Promise<any> {
  const out: string[] = [], err: string[] = [];
  const code = await main(['node', 'cctwin', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  // Nothing on stderr but the store's note ("run 1 saved in ...").
  expect(err.filter((l) => !/^run \d+ saved in /.test(l))).toEqual([]);
  expect(code).toBe(0);
  return JSON.parse(out.join('\n'));
}

/** Start-up deficit of occupancy for a run from empty: a * aht busy agent-seconds lost, over n * horizon. */
const startupDeficit = (a: number, aht: number, n: number, horizon: number) => (a * aht) / (n * horizon);

/** Checks every K of `sim` against `exact` within 3 SE; returns the z-scores for the message. */
function expectWithin3Se(sim: Record<string, Estimate>, exact: Record<string, number>, replications: number, keys: readonly string[]): void {
  const bad: string[] = [];
  for (const k of keys) {
    const e = sim[k];
    expect(e, k).toBeDefined();
    expect(typeof e.mean, k).toBe('number');
    const se = (e.ci95 ?? 0) / t975(replications - 1);
    const diff = e.mean! - exact[k];
    const ok = se > 0 ? Math.abs(diff) <= 3 * se : Math.abs(diff) <= 1e-9 * Math.max(1, Math.abs(exact[k]));
    if (!ok) bad.push(`${k}: simulated ${e.mean} vs exact ${exact[k]} (${se > 0 ? `z = ${(diff / se).toFixed(2)}` : 'no variation'})`);
  }
  expect(bad).toEqual([]);
}

const QED = ['--arrivals-per-hour', '6666.67', '--aht', '180', '--agents', '350'];
const DONE = ['--simulate', '--hours', '24', '--replications', '20', '--json'];
const A = (6666.67 / 3600) * 180;

describe('cctwin erlang a --simulate (the done-when commands)', () => {
  const cases: [string, string[], { patience?: number; lines?: number }][] = [
    ['Erlang A: --patience 300', ['--patience', '300'], { patience: 300 }],
    ['with lines: --patience 300 --lines 355 (blocking)', ['--patience', '300', '--lines', '355'], { patience: 300, lines: 355 }],
    ['Erlang C: no --patience', [], {}],
  ];
  for (const [label, flags, extra] of cases) {
    it(`${label}: simulated agrees with analytic within 3 SE`, async () => {
      const r = await cli('erlang', 'a', ...QED, ...flags, ...DONE);
      expect(r.replications).toBe(20);
      for (const k of K) {
        expect(r.analytic[k], k).toBeTypeOf('number');
        expect(r.simulated[k], k).toHaveProperty('mean');
        expect(r.simulated[k], k).toHaveProperty('ci95');
      }
      // The analytic side is the exact model, not a copy of the simulation.
      const m = queueMetrics({ arrivalRate: 6666.67 / 3600, aht: 180, agents: 350, threshold: 20, ...extra });
      expect(r.analytic.serviceLevel).toBeCloseTo(m.serviceLevel, 12);
      expect(r.analytic.occupancy).toBeCloseTo(m.occupancy, 12);
      if (extra.lines) expect(r.analytic.blocked).toBeGreaterThan(1000);
      // --simulate cuts the first hour by default: no start-up deficit is left.
      expectWithin3Se(r.simulated, r.analytic, 20, K);
      expect(r.performance.events).toBeGreaterThan(20 * 2 * 150_000);
    });
  }

  it('the start-up deficit is real, and --warmup removes it', async () => {
    const spec = { arrivalRate: 6666.67 / 3600, aht: 180, agents: 350, patience: 300, threshold: 20 };
    const exact = queueMetrics(spec);
    const cold = runLocal(erlangModel(spec, 2, 1, 0), { replications: 20 });
    // The first 15 minutes run far below the steady-state occupancy (about 75% against 95%);
    // an hour in, the ramp is over.
    expect(cold.intervals[0].occupancy.mean!).toBeLessThan(exact.occupancy - 0.1);
    expect(cold.intervals[4].occupancy.mean!).toBeGreaterThan(exact.occupancy - 0.02);
    // The integral of the ramp is the deficit the done-when comparisons allow for (within 25%).
    const lost = cold.intervals.slice(0, 4).reduce((s, iv) => s + (exact.occupancy - iv.occupancy.mean!) * 350 * 900, 0);
    expect(lost / (A * 180)).toBeGreaterThan(0.75);
    expect(lost / (A * 180)).toBeLessThan(1.25);
    // With the first hour cut, the plain comparison holds.
    const warm = await cli('erlang', 'a', ...QED, '--patience', '300', '--simulate', '--hours', '12', '--replications', '10', '--json', '--warmup', '3600');
    expectWithin3Se(warm.simulated, warm.analytic, 10, K);
    // Without a warm-up the deficit shows up as the formula says.
    const none = await cli('erlang', 'a', ...QED, '--patience', '300', '--simulate', '--hours', '12', '--replications', '10', '--json', '--warmup', '0');
    expectWithin3Se(none.simulated, { ...none.analytic, occupancy: none.analytic.occupancy - startupDeficit(A, 180, 350, 12 * 3600) }, 10, ['occupancy']);
  });
});

describe('cctwin erlang --simulate: analytic counts cover the simulated period', () => {
  // The analytic counts cover whole intervals after the warm-up, as the simulation does
  // (once a bug: they covered hours * 3600 - warmup seconds, 800 s too many with
  // --warmup 1000, and 0.1 h too many with --hours 1.1).
  const SMALL = ['--arrivals-per-hour', '7200', '--aht', '10', '--agents', '25', '--patience', '60', '--simulate', '--replications', '10', '--json'];
  it('whole intervals: offered agrees', async () => {
    const r = await cli('erlang', 'a', ...SMALL, '--hours', '2', '--warmup', '900');
    expectWithin3Se(r.simulated, r.analytic, 10, ['offered']);
  });
  it('--warmup that is not a whole interval: offered agrees', async () => {
    const r = await cli('erlang', 'a', ...SMALL, '--hours', '2', '--warmup', '1000');
    expectWithin3Se(r.simulated, r.analytic, 10, ['offered']);
  });
  it('--hours that is not a whole number of intervals: offered agrees', async () => {
    const r = await cli('erlang', 'a', ...SMALL, '--hours', '1.1');
    expectWithin3Se(r.simulated, r.analytic, 10, ['offered']);
  });
});

describe('cctwin run scenarios/erlang-a-day.yaml --json', () => {
  it('has the result fields of the issue, and the KPIs of the exact Erlang A model', async () => {
    const R = 10;
    const r = await cli('run', `${ROOT}scenarios/erlang-a-day.yaml`, '--json', '--replications', String(R), ...DB);
    for (const k of K) {
      expect(r.totals[k], `totals.${k}`).toHaveProperty('mean');
      expect(r.totals[k], `totals.${k}`).toHaveProperty('ci95');
      expect(r.totals[k].ci95, `totals.${k}.ci95`).toBeTypeOf('number');
    }
    expect(r.intervals).toHaveLength(96);
    r.intervals.forEach((iv: any, i: number) => {
      expect([iv.start, iv.end]).toEqual([i * 900, (i + 1) * 900]);
      for (const k of K) expect(iv[k], `intervals[${i}].${k}`).toHaveProperty('mean');
    });
    expect(r.performance.events).toBeGreaterThan(0);
    expect(r.performance.wallSeconds).toBeGreaterThan(0);

    const spec = { arrivalRate: 160000 / 86400, aht: 180, agents: 350, patience: 300, threshold: 20 };
    const m = queueMetrics(spec);
    // The scenario cuts its first hour (warmup: 1h): 23 hours are measured.
    const offered = (160000 * 23) / 24;
    const exact: Record<string, number> = {
      offered,
      answered: offered * (1 - m.abandonRate),
      abandoned: offered * m.abandonRate,
      blocked: 0,
      serviceLevel: m.serviceLevel,
      serviceLevelAnswered: m.serviceLevelAnswered,
      abandonRate: m.abandonRate,
      asa: m.asa,
      occupancy: m.occupancy,
    };
    expectWithin3Se(r.totals, exact, R, K);
  });
});
