import { describe, expect, it } from 'vitest';
import { deepFreeze, modelConfig } from '../../sim/src/config/defaults.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { decodeResult, kpisOf, totalRow } from '../../sim/src/metrics/summary.ts';

/**
 * After-call work against queueing theory. With Poisson arrivals, exponential talk
 * and a deterministic wrap-up, the agent's time per call is S = talk + wrap, a
 * general service time: one agent is an M/G/1 queue, whose mean wait the
 * Pollaczek-Khinchine formula gives exactly:
 *
 *   Wq = lambda E[S^2] / (2 (1 - rho)),  rho = lambda E[S].
 *
 * Talk exponential with mean m, wrap d: E[S] = m + d, E[S^2] = 2 m^2 + 2 m d + d^2.
 * With m = 120 s, d = 60 s and rho = 0.6: E[S^2] = 46,800 s^2 and Wq = 195 s; an
 * M/M/1 queue with the same mean (180 s, exponential) would wait 270 s, and one that
 * ignored the wrap-up (talk only, rho = 0.4) 80 s: the check tells all three apart.
 * As in erlang-sim.test.ts: fixed seeds, a warm-up cut, the mean over R independent
 * replications within 3 standard errors of the exact value.
 */

const TALK = 120;
const WRAP = 60;
const RHO = 0.6;
const LAMBDA = RHO / (TALK + WRAP);
const ES2 = 2 * TALK * TALK + 2 * TALK * WRAP + WRAP * WRAP;
const WQ = (LAMBDA * ES2) / (2 * (1 - RHO));

const HOURS = 2000;
const WARMUP = 10 * 3600;
const REPLICATIONS = 20;

function mg1(): ModelConfig {
  const L = 3600, nI = HOURS;
  return deepFreeze(modelConfig({
    name: 'M/G/1 (exponential talk + deterministic wrap-up)', seed: 31, horizon: nI * L, intervalLength: L, nIntervals: nI,
    warmup: WARMUP, threshold: 20, sla: [],
    types: [{
      name: 'calls', channel: 'phone', arrivalRates: new Array<number>(nI).fill(LAMBDA),
      handleTime: { kind: 'exponential', mean: TALK }, patience: null, queue: 0,
      wrapUp: { kind: 'deterministic', value: WRAP },
    }],
    queues: [{ name: 'calls' }],
    groups: [{ name: 'agent', site: 0, queues: [0], staffing: new Array<number>(nI).fill(1) }],
    sites: [{ name: 'center', lines: null }],
  }));
}

function meanSe(xs: number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, se: sd / Math.sqrt(n) };
}

describe('wrap-up: M/M/1 with a deterministic wrap-up is M/G/1 (Pollaczek-Khinchine)', () => {
  const cfg = mg1();
  const reps = Array.from({ length: REPLICATIONS }, (_, r) => kpisOf(totalRow(decodeResult(replicate(cfg, r), cfg).rows, cfg)));

  it(`mean wait = lambda E[S^2] / (2 (1 - rho)) = ${WQ} s, within 3 SE`, () => {
    expect(WQ).toBeCloseTo(195, 9);
    const { mean, se } = meanSe(reps.map((k) => k.asa));
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(mean - WQ), `simulated ${mean} ± ${se} (SE) vs exact ${WQ}`).toBeLessThanOrEqual(3 * se);
    // The alternatives are far outside: an M/M/1 with mean 180 s (270 s), talk only (80 s).
    expect(Math.abs(mean - 270)).toBeGreaterThan(10 * se);
    expect(Math.abs(mean - 80)).toBeGreaterThan(10 * se);
  });

  it('occupancy = rho (wrap-up is busy time), aht = talk + wrap, wrapTime = wrap exactly', () => {
    const occ = meanSe(reps.map((k) => k.occupancy));
    expect(Math.abs(occ.mean - RHO)).toBeLessThanOrEqual(3 * occ.se);
    const aht = meanSe(reps.map((k) => k.aht));
    expect(Math.abs(aht.mean - (TALK + WRAP))).toBeLessThanOrEqual(3 * aht.se);
    for (const k of reps) expect(k.wrapTime).toBe(WRAP);
  });
});
