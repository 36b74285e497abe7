import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { staffFor } from '../../sim/src/analytic/index.ts';
import { withRunner } from '../../sim/src/engine/pool.ts';
import { compileVariant } from '../../sim/src/experiments/overrides.ts';
import { searchStaffing } from '../../sim/src/experiments/staffing-search.ts';
import { parseTargets } from '../../sim/src/experiments/staffing-targets.ts';
import type { Issue } from '../../sim/src/errors.ts';

/**
 * A stationary single queue (Poisson arrivals, exponential handle time and patience:
 * M/M/n+M) staffed by the simulation gives the exact Erlang-A staffing, plus or minus
 * one agent, at 20, 333 and 2,200 erlangs.
 *
 * What it takes. The day's service level of a simulation varies from replication to
 * replication by the work that happened to arrive: at 2,200 erlangs one hour of one
 * replication tells the staffing to about 16 agents (8 once the control variate on the
 * arriving work takes out what it explains; at 333 erlangs 6 agents). The bound at 90%
 * confidence sits about 1.3 standard errors below the mean, so ±1 agent needs the
 * standard error near half an agent: (8 / 0.5)^2 = about 250 replication-hours at 2,200
 * erlangs, (6 / 0.5)^2 = about 150 at 333. Each case's target is one whose service level moves by at least half a point per
 * agent at that load (at 2,200 erlangs, 95% within 20 s moves by 0.2 points per agent:
 * it would take five times the replications to resolve).
 */

interface Case {
  erlangs: number;
  threshold: number;
  target: number;
  hours: number;
  replications: number;
}

const CASES: Case[] = [
  { erlangs: 20, threshold: 20, target: 0.8, hours: 4, replications: 10 },
  { erlangs: 333.33, threshold: 20, target: 0.95, hours: 8, replications: 20 },
  { erlangs: 2200, threshold: 5, target: 0.8, hours: 6, replications: 40 },
];

async function staff(c: Case) {
  const perHour = (c.erlangs / 180) * 3600;
  const exact = staffFor({ arrivalRate: c.erlangs / 180, aht: 180, patience: 300, threshold: c.threshold }, { serviceLevel: c.target }).agents;
  const text = stringify({
    name: `M/M/n+M at ${c.erlangs} erlangs`, seed: 11, horizon: `${c.hours + 0.5}h`, interval: '30m', warmup: '30m',
    arrivals: { perHour }, handleTime: { kind: 'exponential', mean: 180 }, patience: { kind: 'exponential', mean: 300 },
    agents: exact + 10, serviceLevel: { threshold: c.threshold, target: c.target },
  });
  const cfg = compileVariant(text, 'stationary.yaml', []).cfg;
  const issues: Issue[] = [];
  const targets = parseTargets(cfg, [`serviceLevel>=${c.target}`], issues, issues);
  expect(issues).toEqual([]);
  const out = await withRunner({ workers: 2 }, (runner) => searchStaffing({
    text, source: 'stationary.yaml', cfg, targets, per: 'day', groups: [0],
    replications: c.replications, confidence: 0.9, maxIterations: 12, holdout: false,
  }, { runner }));
  return { exact, out };
}

describe('cctwin staff on a stationary Erlang-A queue', () => {
  for (const c of CASES) {
    it(`gives the exact Erlang-A staffing ±1 at ${c.erlangs} erlangs (${Math.round(c.target * 100)}% within ${c.threshold} s, ${c.replications} replications of ${c.hours} h)`, async () => {
      const { exact, out } = await staff(c);
      const found = [...new Set(out.staffing[0])];
      const day = out.report[0].rows[0];
      const figures = `exact ${exact}, found ${found.join('/')}; day ${(day.mean! * 100).toFixed(2)}% ± ${(day.ci95! * 100).toFixed(2)}%, bound ${(day.bound! * 100).toFixed(2)}%; ${out.iterations.length} simulations`;
      expect(out.status, figures).toBe('met');
      expect(out.localMinimum, figures).toBe(true);
      // One staffing for every interval (a stationary model), within one agent of the formula.
      expect(found.length, figures).toBe(1);
      expect(Math.abs(found[0] - exact), figures).toBeLessThanOrEqual(1);
      expect(day.bound!, figures).toBeGreaterThanOrEqual(c.target);
      // The certificate: one agent fewer was simulated and missed.
      const last = out.iterations[out.iterations.length - 1];
      expect(last.phase, figures).toBe('removal');
      expect(last.met, figures).toBe(false);
      console.log(`${c.erlangs} erlangs: ${figures}`);
    });
  }
});
