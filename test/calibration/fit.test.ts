import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../sim/src/calibration/call-log.ts';
import { fitCalls, type FitOptions } from '../../sim/src/calibration/fit.ts';
import { observeDays } from '../../sim/src/calibration/observed-day.ts';
import { syntheticLog } from './synthetic-log.ts';

const OPTS: FitOptions = { name: 't', interval: 900, shortCall: 10, redialWindow: 3600, staffing: 'distinct', threshold: 20, sources: ['synthetic'] };
// A day from 08:00 to 20:00 with a morning peak: expected calls per 15-minute interval.
const PROFILE = Array.from({ length: 96 }, (_, i) => (i < 32 || i >= 80 ? 0 : i < 48 ? 30 : 18));

describe('fitCalls on a synthetic log with known parameters', () => {
  // 5 weeks: 25 weekdays (Sun-Thu), 5 Fridays, 5 Saturdays, all with the same profile here.
  const calls = syntheticLog({
    days: 35, interval: 900, profile: PROFILE, agents: 7, dayCv: 0.1,
    handleTime: { kind: 'lognormal', mean: 180, cv: 1.2 }, patience: { kind: 'exponential', mean: 200 }, seed: 'fit',
  });
  const fit = fitCalls(calls, OPTS);

  it('recovers the arrival profile per interval', () => {
    const wd = fit.arrivals.weekday!;
    expect(wd.days).toBe(25);
    const morning = wd.perInterval.slice(32, 48).reduce((s, x) => s + x, 0) / 16;
    const afternoon = wd.perInterval.slice(48, 80).reduce((s, x) => s + x, 0) / 32;
    expect(morning).toBeGreaterThan(28);
    expect(morning).toBeLessThan(32);
    expect(afternoon).toBeGreaterThan(16.8);
    expect(afternoon).toBeLessThan(19.2);
    expect(wd.perInterval[10]).toBe(0);
  });

  it('sees the gamma day multiplier (cv 0.1) beyond Poisson', () => {
    // 25 days give a rough estimate: the standard error of the CV is about 0.015-0.02 here.
    expect(fit.arrivals.weekday!.dailyTotal.gammaCv).toBeGreaterThan(0.05);
    expect(fit.arrivals.weekday!.dailyTotal.gammaCv).toBeLessThan(0.16);
  });

  it('recovers the lognormal handle time (mean 180, cv 1.2)', () => {
    const h = fit.handleTime.all;
    expect(h.lognormal.mean).toBeGreaterThan(170);
    expect(h.lognormal.mean).toBeLessThan(190);
    expect(h.lognormal.cv).toBeGreaterThan(1.08);
    expect(h.lognormal.cv).toBeLessThan(1.32);
    expect(h.ks).toBeLessThan(0.02);
    expect(Object.keys(fit.handleTime.byType)).toEqual(['PS']);
  });

  it('recovers exponential patience of mean 200 s from waits censored by service', () => {
    const exp = fit.patience.fits.find((f) => f.kind === 'exponential')!;
    expect(fit.patience.abandoned).toBeGreaterThan(300); // enough events to say something
    expect(exp.mean).toBeGreaterThan(170);
    expect(exp.mean).toBeLessThan(230);
    // The sup distance includes the KM tail, where a handful of calls are at risk.
    expect(exp.ksVsKm).toBeLessThan(0.12);
  });

  it('reads the 7 agents on the floor and the IVR time (uniform 5-15 s)', () => {
    const st = fit.staffing.perDayType.weekday!;
    expect(Math.max(...st)).toBeLessThanOrEqual(7);
    expect(st[40]).toBe(7); // a busy morning interval: every agent serves
    expect(fit.ivr.mean).toBeGreaterThan(9.7);
    expect(fit.ivr.mean).toBeLessThan(10.3);
  });
});

describe('redials', () => {
  const rec = (customer: string | null, arrival: number, end: number, outcome: 'answered' | 'abandoned'): CallRecord => ({
    day: 10230, arrival, queueEntry: arrival, answer: outcome === 'answered' ? arrival : null, end, outcome, type: 'PS', agent: outcome === 'answered' ? 'A' : null, customer,
  });
  it('hand-worked: 2 of 3 identified abandoners call again within the hour, after 100 s and 1000 s', () => {
    const calls = [
      rec('1', 1000, 1100, 'abandoned'), rec('1', 1200, 1300, 'answered'), // redial after 100 s
      rec('2', 2000, 2050, 'abandoned'), rec('2', 3050, 3100, 'answered'), // after 1000 s
      rec('3', 4000, 4030, 'abandoned'), rec('3', 9000, 9100, 'answered'), // 4970 s later: not a redial
      rec(null, 5000, 5010, 'abandoned'), // unidentified: not counted
    ];
    const fit = fitCalls(calls, OPTS);
    expect(fit.redial.identifiedAbandoned).toBe(3);
    expect(fit.redial.redialed).toBe(2);
    expect(fit.redial.probability).toBeCloseTo(2 / 3, 4);
    expect(fit.redial.delay).toEqual({ mean: 550, median: 550, p90: 910 });
  });
});

describe('observed days', () => {
  it('offered = answered + abandoned by queue entry; SL counts waits <= 20 s over offered', () => {
    const day = 10230;
    const c = (q: number, wait: number | null): CallRecord => ({
      day, arrival: q - 5, queueEntry: q, answer: wait === null ? null : q + wait, end: q + (wait ?? 30) + 60,
      outcome: wait === null ? 'abandoned' : 'answered', type: 'PS', agent: wait === null ? null : 'A', customer: null,
    });
    const calls = [c(3600, 0), c(3700, 20), c(3800, 21), c(7300, null), { ...c(7400, null), queueEntry: null, outcome: 'ivr' as const }];
    const [d] = observeDays(calls, 900, 20, 'distinct');
    expect(d.total).toEqual({ offered: 4, answered: 3, abandoned: 1, answeredWithin: 2, waitAnswered: 41, handleAnswered: 180 });
    expect(d.offered[4]).toBe(3);
    expect(d.offered[8]).toBe(1);
    expect(d.hours[1].offered).toBe(3);
  });
});
