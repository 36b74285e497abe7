import { describe, expect, it } from 'vitest';
import {
  fitExponentialCensored, fitLognormalCensored, fitLognormalTruncated, fitWeibullCensored, gammaOverdispersion,
  kaplanMeier, kmAt, ksDistance,
} from '../../sim/src/calibration/estimators.ts';
import { fitHandleTime, fitPatience } from '../../sim/src/calibration/fit.ts';
import { Sampler, type DistSpec } from '../../sim/src/core/distributions.ts';
import { makeStream } from '../../sim/src/core/rng.ts';

const draw = (spec: DistSpec, n: number, seed: string) => {
  const s = new Sampler(spec), r = makeStream(seed, 0, 'test');
  return Array.from({ length: n }, () => s.sample(r));
};

describe('Kaplan-Meier', () => {
  it('matches the hand-worked example', () => {
    // times 2, 3+, 4, 4, 5+, 7, 8+ (+ = censored)
    // t=2: 7 at risk, 1 event -> 6/7; t=4: 5 at risk, 2 events -> 6/7*3/5 = 18/35; t=7: 2 at risk -> 9/35
    const km = kaplanMeier([2, 3, 4, 4, 5, 7, 8], [true, false, true, true, false, true, false]);
    expect(km.times).toEqual([2, 4, 7]);
    expect(km.atRisk).toEqual([7, 5, 2]);
    expect(km.events).toEqual([1, 2, 1]);
    expect(km.survival[0]).toBeCloseTo(6 / 7, 12);
    expect(km.survival[1]).toBeCloseTo(18 / 35, 12);
    expect(km.survival[2]).toBeCloseTo(9 / 35, 12);
    expect(kmAt(km, 1.9)).toBe(1);
    expect(kmAt(km, 4)).toBeCloseTo(18 / 35, 12);
    expect(kmAt(km, 100)).toBeCloseTo(9 / 35, 12);
  });

  it('a censoring tied with an event stays at risk for it', () => {
    const km = kaplanMeier([3, 3], [true, false]);
    expect(km.atRisk).toEqual([2]);
    expect(km.survival).toEqual([0.5]);
  });
});

describe('censored patience fits recover known parameters', () => {
  // Patience exponential, mean 200 s; each call is censored by its own wait (exponential, mean 150 s).
  const n = 20000;
  const patience = draw({ kind: 'exponential', mean: 200 }, n, 'patience');
  const service = draw({ kind: 'exponential', mean: 150 }, n, 'wait');
  const times = patience.map((p, i) => Math.min(p, service[i]));
  const events = patience.map((p, i) => p <= service[i]);

  it('exponential MLE: total time / events', () => {
    const f = fitExponentialCensored(times, events);
    expect(f.mean).toBeGreaterThan(200 * 0.96);
    expect(f.mean).toBeLessThan(200 * 1.04);
    // The naive mean of the observed abandonments is far too short: censoring matters.
    const naive = times.filter((_, i) => events[i]).reduce((s, x) => s + x, 0) / events.filter(Boolean).length;
    expect(naive).toBeLessThan(120);
  });

  it('Weibull MLE finds shape 1 for exponential data and a known Weibull', () => {
    expect(fitWeibullCensored(times, events).params.shape).toBeCloseTo(1, 1);
    const w = draw({ kind: 'weibull', shape: 0.7, scale: 400 }, n, 'weib');
    const c = draw({ kind: 'exponential', mean: 500 }, n, 'weib-c');
    const f = fitWeibullCensored(w.map((x, i) => Math.min(x, c[i])), w.map((x, i) => x <= c[i]));
    expect(f.params.shape).toBeGreaterThan(0.67);
    expect(f.params.shape).toBeLessThan(0.73);
    expect(f.params.scale).toBeGreaterThan(380);
    expect(f.params.scale).toBeLessThan(420);
  });

  it('lognormal MLE recovers mu and sigma under censoring', () => {
    const x = draw({ kind: 'lognormal', mean: 300, cv: 1.5 }, n, 'ln');
    const c = draw({ kind: 'exponential', mean: 300 }, n, 'ln-c');
    const f = fitLognormalCensored(x.map((v, i) => Math.min(v, c[i])), x.map((v, i) => v <= c[i]));
    const sigma = Math.sqrt(Math.log(1 + 1.5 ** 2));
    expect(f.params.sigma).toBeCloseTo(sigma, 1);
    expect(f.params.mu).toBeCloseTo(Math.log(300) - sigma ** 2 / 2, 1);
  });

  it('fitPatience chooses the true family by AIC and its KS to the KM curve is small', () => {
    const p = fitPatience(times, events);
    expect(['exponential', 'weibull']).toContain(p.chosen);
    const exp = p.fits.find((f) => f.kind === 'exponential')!;
    expect(exp.ksVsKm).toBeLessThan(0.02);
    expect(p.kmMedian).toBeGreaterThan(200 * Math.LN2 * 0.93);
    expect(p.kmMedian).toBeLessThan(200 * Math.LN2 * 1.07);
  });
});

describe('handle time', () => {
  it('the truncated lognormal MLE recovers mean 180, cv 1.2 from the calls above a cut', () => {
    const x = draw({ kind: 'lognormal', mean: 180, cv: 1.2 }, 20000, 'ht');
    const f = fitLognormalTruncated(x, 10);
    expect(f.mean).toBeGreaterThan(180 * 0.96);
    expect(f.mean).toBeLessThan(180 * 1.04);
    expect(f.cv).toBeGreaterThan(1.12);
    expect(f.cv).toBeLessThan(1.28);
  });

  it('recovers the mass of very short calls in a mixture', () => {
    const long = draw({ kind: 'lognormal', mean: 180, cv: 1.2 }, 18000, 'long');
    const short = draw({ kind: 'uniform', min: 0, max: 10 }, 2000, 'short');
    const f = fitHandleTime([...long, ...short], 10);
    expect(f.dist.kind).toBe('mixture');
    if (f.dist.kind !== 'mixture') return;
    expect(f.dist.components[0].weight).toBeGreaterThan(0.09);
    expect(f.dist.components[0].weight).toBeLessThan(0.11);
    expect(f.lognormal.mean).toBeGreaterThan(170);
    expect(f.lognormal.mean).toBeLessThan(190);
    expect(f.ks).toBeLessThan(0.015);
    expect(f.ksPlainLognormal).toBeGreaterThan(f.ks);
  });
});

describe('KS distance', () => {
  it('hand-worked: sample {1,2,3} against uniform(0,4)', () => {
    // F = .25,.5,.75 ; steps 1/3, 2/3, 1 -> max(|1/3-.25|, |.25-0|, |2/3-.5|, |.5-1/3|, |1-.75|, |.75-2/3|) = .25
    expect(ksDistance([3, 1, 2], (x) => x / 4)).toBeCloseTo(0.25, 12);
  });
});

describe('day-level overdispersion', () => {
  it('Poisson days have gamma CV near 0; gamma(0.15) days give 0.15', () => {
    const r = makeStream('days', 0, 'x');
    const gamma = new Sampler({ kind: 'gamma', mean: 1, cv: 0.15 });
    const poisson = (m: number) => {
      // normal approximation is too crude for a test of dispersion: count exponential gaps
      let k = 0, t = r.exponential(1);
      while (t < m) { k++; t += r.exponential(1); }
      return k;
    };
    const plain = Array.from({ length: 400 }, () => poisson(1500));
    const over = Array.from({ length: 400 }, () => poisson(1500 * gamma.sample(r)));
    expect(gammaOverdispersion(plain).dispersion).toBeLessThan(1.3);
    expect(gammaOverdispersion(plain).gammaCv).toBeLessThan(0.02);
    const o = gammaOverdispersion(over);
    expect(o.gammaCv).toBeGreaterThan(0.135);
    expect(o.gammaCv).toBeLessThan(0.165);
  });

  it('hand-worked: totals 90, 100, 110 (mean 100, variance 100) are exactly Poisson', () => {
    const o = gammaOverdispersion([90, 100, 110]);
    expect(o.variance).toBe(100);
    expect(o.gammaCv).toBe(0);
    expect(gammaOverdispersion([50, 100, 150]).gammaCv).toBeCloseTo(Math.sqrt((2500 - 100) / 10000), 12);
  });
});
