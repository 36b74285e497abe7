import type { Stream } from './rng.ts';

/**
 * Compiled distribution specs. The scenario layer (sim/src/config) validates user
 * input and turns it into these plain, JSON-safe records; `Sampler` is built from a
 * record once per replication and then draws without allocating.
 * All parameters are in the model's unit (seconds for durations).
 */
export type DistSpec =
  | { kind: 'exponential'; mean: number }
  | { kind: 'deterministic'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'lognormal'; mean: number; cv: number }
  | { kind: 'gamma'; mean: number; cv: number }
  | { kind: 'weibull'; shape: number; scale: number }
  | { kind: 'empirical'; samples: number[] }
  | { kind: 'histogram'; edges: number[]; counts: number[] }
  | { kind: 'mixture'; components: { weight: number; dist: DistSpec }[] };

const EXPONENTIAL = 0, DETERMINISTIC = 1, UNIFORM = 2, LOGNORMAL = 3, GAMMA = 4, WEIBULL = 5,
  EMPIRICAL = 6, HISTOGRAM = 7, MIXTURE = 8;

/** Lanczos approximation of ln Γ(x), x > 0 (|error| < 1e-14 for the range we use). */
export function logGamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Mean of a distribution spec, exact where it has a closed form. */
export function distMean(d: DistSpec): number {
  switch (d.kind) {
    case 'exponential': return d.mean;
    case 'deterministic': return d.value;
    case 'uniform': return (d.min + d.max) / 2;
    case 'lognormal': return d.mean;
    case 'gamma': return d.mean;
    case 'weibull': return d.scale * Math.exp(logGamma(1 + 1 / d.shape));
    case 'empirical': return d.samples.reduce((s, x) => s + x, 0) / d.samples.length;
    case 'histogram': {
      let tot = 0, s = 0;
      for (let i = 0; i < d.counts.length; i++) {
        tot += d.counts[i];
        s += d.counts[i] * (d.edges[i] + d.edges[i + 1]) / 2;
      }
      return s / tot;
    }
    case 'mixture': {
      const w = d.components.reduce((s, c) => s + c.weight, 0);
      return d.components.reduce((s, c) => s + (c.weight / w) * distMean(c.dist), 0);
    }
  }
}

/**
 * Draws from one distribution. One monomorphic class with a switch on an integer
 * kind keeps the call site in the hot loop fast (no megamorphic dispatch).
 */
export class Sampler {
  private readonly kind: number;
  private readonly a: number;
  private readonly b: number;
  private readonly c: number;
  private readonly values: Float64Array;
  private readonly cumulative: Float64Array;
  private readonly parts: Sampler[];
  private readonly out = new Float64Array(1);

  constructor(readonly spec: DistSpec) {
    let a = 0, b = 0, c = 0;
    let values = new Float64Array(0), cumulative = new Float64Array(0);
    let parts: Sampler[] = [];
    let kind = 0;
    switch (spec.kind) {
      case 'exponential': kind = EXPONENTIAL; a = spec.mean; break;
      case 'deterministic': kind = DETERMINISTIC; a = spec.value; break;
      case 'uniform': kind = UNIFORM; a = spec.min; b = spec.max - spec.min; break;
      case 'lognormal': {
        // mean m, cv v: sigma^2 = ln(1 + v^2), mu = ln m - sigma^2 / 2
        kind = LOGNORMAL;
        const s2 = Math.log(1 + spec.cv * spec.cv);
        a = Math.log(spec.mean) - s2 / 2;
        b = Math.sqrt(s2);
        break;
      }
      case 'gamma': {
        // shape k = 1/cv^2, scale = mean / k
        kind = GAMMA;
        const k = 1 / (spec.cv * spec.cv);
        a = k;
        b = spec.mean / k;
        break;
      }
      case 'weibull': kind = WEIBULL; a = spec.shape; b = spec.scale; break;
      case 'empirical': kind = EMPIRICAL; values = Float64Array.from(spec.samples); break;
      case 'histogram': {
        kind = HISTOGRAM;
        values = Float64Array.from(spec.edges);
        cumulative = new Float64Array(spec.counts.length);
        let s = 0;
        for (let i = 0; i < spec.counts.length; i++) { s += spec.counts[i]; cumulative[i] = s; }
        for (let i = 0; i < cumulative.length; i++) cumulative[i] /= s;
        break;
      }
      case 'mixture': {
        kind = MIXTURE;
        parts = spec.components.map((p) => new Sampler(p.dist));
        cumulative = new Float64Array(spec.components.length);
        let s = 0;
        for (let i = 0; i < spec.components.length; i++) { s += spec.components[i].weight; cumulative[i] = s; }
        for (let i = 0; i < cumulative.length; i++) cumulative[i] /= s;
        break;
      }
    }
    this.kind = kind; this.a = a; this.b = b; this.c = c;
    this.values = values; this.cumulative = cumulative; this.parts = parts;
  }

  /**
   * One draw. Small on purpose: the common case inlines into the caller. The other
   * kinds leave their draw in `out`: a double returned from a call that is not
   * inlined would be boxed (an allocation per draw).
   */
  sample(r: Stream): number {
    if (this.kind === EXPONENTIAL) return -Math.log(r.nextOpen()) * this.a;
    this.sampleOther(r);
    return this.out[0];
  }

  /** The other kinds: the draw goes to out[0]. */
  private sampleOther(r: Stream): void {
    const out = this.out;
    switch (this.kind) {
      case EXPONENTIAL: out[0] = -Math.log(r.nextOpen()) * this.a; return;
      case DETERMINISTIC: out[0] = this.a; return;
      case UNIFORM: out[0] = this.a + r.next() * this.b; return;
      case LOGNORMAL: out[0] = Math.exp(this.a + this.b * r.normal()); return;
      case GAMMA: this.gamma(r, this.a); out[0] *= this.b; return;
      case WEIBULL: out[0] = this.b * Math.pow(-Math.log(r.nextOpen()), 1 / this.a); return;
      case EMPIRICAL: out[0] = this.values[Math.floor(r.next() * this.values.length)]; return;
      case HISTOGRAM: {
        const i = upperBound(this.cumulative, r.next());
        const lo = this.values[i];
        out[0] = lo + r.next() * (this.values[i + 1] - lo);
        return;
      }
      case MIXTURE: out[0] = this.parts[upperBound(this.cumulative, r.next())].sample(r); return;
      default: out[0] = this.c;
    }
  }

  /** Marsaglia-Tsang (2000) gamma(k, 1) into out[0]; for k < 1 the boost U^(1/k). */
  private gamma(r: Stream, k: number): void {
    if (k < 1) {
      this.gamma(r, k + 1);
      this.out[0] *= Math.pow(r.nextOpen(), 1 / k);
      return;
    }
    const d = k - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x = 0, v = 0;
      do {
        x = r.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = r.nextOpen();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        this.out[0] = d * v;
        return;
      }
    }
  }
}

/** First index i with cum[i] > u (cum ascending, last entry 1). */
function upperBound(cum: Float64Array, u: number): number {
  let lo = 0, hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > u) hi = mid; else lo = mid + 1;
  }
  return lo;
}
