import { describe, expect, it } from 'vitest';
import { Sampler, distMean, logGamma, type DistSpec } from '../../sim/src/core/distributions.ts';
import { makeStream } from '../../sim/src/core/rng.ts';

/**
 * Each sampler against its theory: the sample mean within 4 standard errors of the
 * theoretical mean (SE = sigma / sqrt(n), sigma from theory), and where a variance
 * exists, the sample variance within 4 standard errors of the theoretical variance
 * (SE of a sample variance = sqrt((m4 - s^4) / n), m4 estimated from the sample).
 */
const N = 200_000;

function draw(spec: DistSpec, name: string, n = N): Float64Array {
  const s = new Sampler(spec);
  const r = makeStream(2024, 0, `dist-test/${name}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s.sample(r);
  return out;
}

function moments(x: Float64Array): { mean: number; variance: number; m4: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let s2 = 0, s4 = 0;
  for (const v of x) {
    const d = (v - mean) ** 2;
    s2 += d; s4 += d * d;
  }
  return { mean, variance: s2 / (x.length - 1), m4: s4 / x.length };
}

function expectMoments(x: Float64Array, mean: number, variance: number, label: string): void {
  const m = moments(x);
  const seMean = Math.sqrt(variance / x.length);
  if (!(Math.abs(m.mean - mean) <= 4 * seMean)) throw new Error(`${label}: mean ${m.mean} vs ${mean} (> 4 SE = ${4 * seMean})`);
  const seVar = Math.sqrt(Math.max(m.m4 - m.variance ** 2, 0) / x.length);
  if (!(Math.abs(m.variance - variance) <= 4 * seVar)) throw new Error(`${label}: variance ${m.variance} vs ${variance} (> 4 SE = ${4 * seVar})`);
}

const expectAll = (x: Float64Array, pred: (v: number) => boolean) => {
  let bad = 0;
  for (const v of x) if (!pred(v)) bad++;
  expect(bad).toBe(0);
};

/** |freq - p| within 4 binomial standard errors. */
function expectFrequency(hits: number, n: number, p: number): void {
  expect(Math.abs(hits / n - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
}

// Gamma function values from tables (independent of the Lanczos code under test).
const GAMMA_1_5 = Math.sqrt(Math.PI) / 2; // Γ(3/2)
const GAMMA_2_25 = 1.1330030963193471; // Γ(9/4)
const GAMMA_3_5 = (15 / 8) * Math.sqrt(Math.PI); // Γ(7/2)

describe('logGamma', () => {
  it('matches known values of Γ', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(2.25)).toBeCloseTo(Math.log(GAMMA_2_25), 13);
    expect(logGamma(3.5)).toBeCloseTo(Math.log(GAMMA_3_5), 13);
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
  });
});

describe('samplers against theory (200k draws each)', () => {
  it('exponential: mean m, variance m^2, positive', () => {
    const spec: DistSpec = { kind: 'exponential', mean: 180 };
    const x = draw(spec, 'exp');
    expectMoments(x, 180, 180 ** 2, 'exponential');
    expectAll(x, (v) => v > 0 && Number.isFinite(v));
    expect(distMean(spec)).toBe(180);
  });

  it('deterministic: always exactly the value', () => {
    const spec: DistSpec = { kind: 'deterministic', value: 42.5 };
    expectAll(draw(spec, 'det', 1000), (v) => v === 42.5);
    expect(distMean(spec)).toBe(42.5);
  });

  it('uniform: mean (a+b)/2, variance (b-a)^2/12, inside [a, b)', () => {
    const spec: DistSpec = { kind: 'uniform', min: 30, max: 90 };
    const x = draw(spec, 'uniform');
    expectMoments(x, 60, 60 ** 2 / 12, 'uniform');
    expectAll(x, (v) => v >= 30 && v < 90);
    expect(distMean(spec)).toBe(60);
  });

  for (const cv of [0.3, 1, 1.5]) {
    it(`lognormal given mean 180, cv ${cv}: mean and cv as given`, () => {
      const spec: DistSpec = { kind: 'lognormal', mean: 180, cv };
      const x = draw(spec, `lognormal-${cv}`);
      expectMoments(x, 180, (cv * 180) ** 2, `lognormal cv ${cv}`);
      expectAll(x, (v) => v > 0);
      expect(distMean(spec)).toBe(180);
    });
  }

  // cv > 1 means shape < 1: the sampler's boost branch (U^(1/k)).
  for (const cv of [0.25, 1, 2]) {
    it(`gamma given mean 300, cv ${cv}: mean and cv as given`, () => {
      const spec: DistSpec = { kind: 'gamma', mean: 300, cv };
      const x = draw(spec, `gamma-${cv}`);
      expectMoments(x, 300, (cv * 300) ** 2, `gamma cv ${cv}`);
      expectAll(x, (v) => v >= 0);
      expect(distMean(spec)).toBe(300);
    });
  }

  it('Weibull shape 2: mean = scale Γ(1.5), variance = scale^2 (1 - Γ(1.5)^2)', () => {
    const spec: DistSpec = { kind: 'weibull', shape: 2, scale: 100 };
    const x = draw(spec, 'weibull-2');
    expectMoments(x, 100 * GAMMA_1_5, 100 ** 2 * (1 - GAMMA_1_5 ** 2), 'weibull 2');
    expect(distMean(spec)).toBeCloseTo(100 * GAMMA_1_5, 10);
  });

  it('Weibull shape 0.8: mean = scale Γ(2.25), variance = scale^2 (Γ(3.5) - Γ(2.25)^2)', () => {
    const spec: DistSpec = { kind: 'weibull', shape: 0.8, scale: 50 };
    const x = draw(spec, 'weibull-0.8');
    expectMoments(x, 50 * GAMMA_2_25, 50 ** 2 * (GAMMA_3_5 - GAMMA_2_25 ** 2), 'weibull 0.8');
    expect(distMean(spec)).toBeCloseTo(50 * GAMMA_2_25, 10);
  });

  it('empirical: resamples only the given values, each with its frequency', () => {
    const samples = [5, 20, 20, 20, 75, 300];
    const spec: DistSpec = { kind: 'empirical', samples };
    const x = draw(spec, 'empirical');
    const counts = new Map<number, number>();
    for (const v of x) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([5, 20, 75, 300]);
    expectFrequency(counts.get(5)!, N, 1 / 6);
    expectFrequency(counts.get(20)!, N, 3 / 6);
    expectFrequency(counts.get(75)!, N, 1 / 6);
    expectFrequency(counts.get(300)!, N, 1 / 6);
    expect(distMean(spec)).toBeCloseTo(440 / 6, 12);
  });

  it('histogram: inside the bin edges, bins in proportion to their counts, uniform within a bin', () => {
    const edges = [0, 10, 30, 60, 120, 600];
    const counts = [4, 6, 0, 8, 2];
    const spec: DistSpec = { kind: 'histogram', edges, counts };
    const x = draw(spec, 'histogram');
    const total = counts.reduce((a, b) => a + b, 0);
    const hits = new Array(counts.length).fill(0);
    const sums = new Array(counts.length).fill(0);
    expectAll(x, (v) => v >= edges[0] && v < edges[edges.length - 1]);
    for (const v of x) {
      let b = 0;
      while (v >= edges[b + 1]) b++;
      hits[b]++;
      sums[b] += v;
    }
    expect(hits[2]).toBe(0); // an empty bin is never drawn
    counts.forEach((c, b) => expectFrequency(hits[b], N, c / total));
    // Within a bin, uniform: the bin mean is its midpoint (SE = width / sqrt(12 hits)).
    counts.forEach((c, b) => {
      if (c === 0) return;
      const w = edges[b + 1] - edges[b];
      expect(Math.abs(sums[b] / hits[b] - (edges[b] + edges[b + 1]) / 2)).toBeLessThan(4 * w / Math.sqrt(12 * hits[b]));
    });
    const mid = counts.reduce((s, c, b) => s + (c * (edges[b] + edges[b + 1])) / 2, 0) / total;
    expect(distMean(spec)).toBeCloseTo(mid, 10);
    expectMoments(x, mid, momentsOfHistogram(edges, counts).variance, 'histogram');
  });

  it('mixture: components drawn in proportion to their weights; mean is the weighted mean', () => {
    // Early hang-ups (deterministic 3 s) and a long exponential tail: a draw of exactly 3
    // identifies the first component (an exponential draw is 3 with probability 0).
    const spec: DistSpec = {
      kind: 'mixture',
      components: [
        { weight: 1, dist: { kind: 'deterministic', value: 3 } },
        { weight: 3, dist: { kind: 'exponential', mean: 200 } },
      ],
    };
    const x = draw(spec, 'mixture');
    let early = 0;
    for (const v of x) if (v === 3) early++;
    expectFrequency(early, N, 0.25);
    const mean = 0.25 * 3 + 0.75 * 200;
    // E[X^2] = 0.25 * 9 + 0.75 * 2 * 200^2
    const variance = 0.25 * 9 + 0.75 * 2 * 200 ** 2 - mean ** 2;
    expectMoments(x, mean, variance, 'mixture');
    expect(distMean(spec)).toBeCloseTo(mean, 10);
  });

  it('mixture of continuous kinds: distMean is the weighted mean of the parts', () => {
    const spec: DistSpec = {
      kind: 'mixture',
      components: [
        { weight: 2, dist: { kind: 'weibull', shape: 2, scale: 100 } },
        { weight: 1, dist: { kind: 'uniform', min: 0, max: 60 } },
        { weight: 1, dist: { kind: 'gamma', mean: 400, cv: 0.5 } },
      ],
    };
    const mean = 0.5 * 100 * GAMMA_1_5 + 0.25 * 30 + 0.25 * 400;
    expect(distMean(spec)).toBeCloseTo(mean, 10);
    const x = draw(spec, 'mixture-2');
    const m = moments(x);
    expect(Math.abs(m.mean - mean)).toBeLessThan(4 * Math.sqrt(m.variance / N));
  });

  it('the same stream gives the same draws (samplers keep no hidden state across instances)', () => {
    const spec: DistSpec = { kind: 'gamma', mean: 10, cv: 0.7 };
    expect(draw(spec, 'repeat', 1000)).toEqual(draw(spec, 'repeat', 1000));
  });
});

/** Exact variance of the histogram's piecewise-uniform density. */
function momentsOfHistogram(edges: number[], counts: number[]): { mean: number; variance: number } {
  const total = counts.reduce((a, b) => a + b, 0);
  let m1 = 0, m2 = 0;
  counts.forEach((c, b) => {
    const lo = edges[b], hi = edges[b + 1], p = c / total;
    m1 += p * (lo + hi) / 2;
    m2 += p * (lo * lo + lo * hi + hi * hi) / 3;
  });
  return { mean: m1, variance: m2 - m1 * m1 };
}
