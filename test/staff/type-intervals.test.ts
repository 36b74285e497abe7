import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileScenario } from '../../sim/src/config/compile.ts';
import { compileVariant } from '../../sim/src/experiments/overrides.ts';
import { replicate, replicateLogged } from '../../sim/src/engine/replicate.ts';
import { contactEnds } from '../../sim/src/engine/contact-log.ts';
import { plainResult, replicateTypeIntervals, TI, typeIntervalRow, typeIntervalsOf } from '../../sim/src/engine/type-intervals.ts';
import { withRunner } from '../../sim/src/engine/pool.ts';
import { decodeResult } from '../../sim/src/metrics/summary.ts';
import { CHANNELS, M, NCH, NM } from '../../sim/src/model/layout.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';

/**
 * The per contact type and interval block `cctwin staff` judges (engine/type-intervals.ts):
 * it observes only (the result buffer is the same bits), and summed over a channel's
 * types it is the engine's own per-interval channel counts; the work it rebuilds for
 * the control variate is the handle times the engine drew.
 */

const scenario = (name: string, horizon?: string): ModelConfig => {
  const file = fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url));
  return compileVariant(readFileSync(file, 'utf8'), file, horizon ? [{ path: 'horizon', value: horizon }] : []).cfg;
};

const FIELDS: [number, number][] = [
  [TI.offered, M.offered], [TI.answered, M.answered], [TI.answeredWithin, M.answeredWithin],
  [TI.abandoned, M.abandoned], [TI.waitAnswered, M.waitAnswered], [TI.answeredLate, M.answeredLate],
];

function checkAgainstEngine(cfg: ModelConfig, rep: number): void {
  const buf = replicateTypeIntervals(cfg, rep);
  const plain = replicate(cfg, rep);
  const mine = plainResult(buf, cfg);
  expect(mine.length).toBe(plain.length);
  // Header words 4 (events) and 6.. are the run's; 5 is wall time.
  expect(Array.from(mine.subarray(6))).toEqual(Array.from(plain.subarray(6)));
  expect(mine[4]).toBe(plain[4]);
  const blk = typeIntervalsOf(buf, cfg)!;
  expect(blk).not.toBeNull();
  const r = decodeResult(plain, cfg);
  const nS = cfg.sites.length;
  for (let i = 0; i <= cfg.nIntervals; i++) {
    for (let ch = 0; ch < NCH; ch++) {
      for (const [f, m] of FIELDS) {
        let a = 0, b = 0;
        cfg.types.forEach((t, ti) => { if (CHANNELS.indexOf(t.channel) === ch) for (let s = 0; s < nS; s++) a += blk[typeIntervalRow(cfg, i, ti, s) + f]; });
        for (let s = 0; s < nS; s++) b += r.subRows[i * nS * NCH * NM + (s * NCH + ch) * NM + m];
        expect(a).toBeCloseTo(b, 6);
      }
    }
  }
}

describe('the per-type interval block', () => {
  it('leaves the result alone and sums to the engine\'s channel counts per interval (baseline day: IVR, misroutes, redials, callbacks, IM, email)', () => {
    checkAgainstEngine(scenario('baseline-day'), 0);
  });

  it('does so with a site failure (Nantong failover) and with complaint cases (complaint storm)', () => {
    checkAgainstEngine(scenario('nantong-failover'), 1);
    checkAgainstEngine(scenario('complaint-storm', '1d'), 0);
  });

  it('rebuilds each interval\'s customers and the handle times the engine drew for them', () => {
    // No abandonment and proficiency 1: each call's service is the handle time drawn.
    const cfg = compileScenario({ name: 'x', horizon: '3h', interval: '30m', arrivals: { perHour: 2000 }, handleTime: { kind: 'lognormal', mean: 180, cv: 1 }, agents: 110 } as never);
    const arrivals = new Array(cfg.nIntervals + 1).fill(0), work = new Array(cfg.nIntervals + 1).fill(0);
    replicateLogged(cfg, 3, (log) => {
      for (const c of contactEnds(log)) {
        const i = Math.min(cfg.nIntervals, Math.floor(c.arrival / cfg.intervalLength));
        arrivals[i]++;
        work[i] += c.end - c.answer;
      }
    });
    const blk = typeIntervalsOf(replicateTypeIntervals(cfg, 3), cfg)!;
    for (let i = 0; i < cfg.nIntervals; i++) {
      const o = typeIntervalRow(cfg, i, 0, 0);
      expect(blk[o + TI.arrivals]).toBe(arrivals[i]);
      expect(blk[o + TI.work]).toBeCloseTo(work[i], 6);
    }
  });

  it('comes back the same from worker threads as from this thread', async () => {
    const cfg = scenario('erlang-a-day');
    const here = await withRunner({ workers: 1 }, (r) => r.run(cfg, [0, 1], undefined, { typeIntervals: true }));
    const pool = await withRunner({ workers: 2, inProcess: false }, (r) => r.run(cfg, [0, 1], undefined, { typeIntervals: true }));
    for (let k = 0; k < 2; k++) {
      expect(Array.from(typeIntervalsOf(pool[k], cfg)!)).toEqual(Array.from(typeIntervalsOf(here[k], cfg)!));
    }
  });
});
