/**
 * The statistics of calibration, each small and checked against hand-worked cases
 * and synthetic samples with known parameters (test/calibration/estimators.test.ts):
 * the Kaplan-Meier curve, censored maximum-likelihood fits (exponential, Weibull,
 * lognormal), a left-truncated lognormal fit, Kolmogorov-Smirnov distances, and the
 * day-level gamma overdispersion of counts.
 */
import { logGamma } from '../core/distributions.ts';

// ---------------------------------------------------------------- normal law

/** erfc(x), Numerical Recipes' Chebyshev fit (|relative error| < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// ---------------------------------------------------------------- optimiser

/** Nelder-Mead minimisation of a function of a few variables (enough for 2-parameter likelihoods). */
export function nelderMead(f: (x: number[]) => number, start: number[], step: number[], iterations = 400): number[] {
  const n = start.length;
  let simplex = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i] += step[i];
    simplex.push(p);
  }
  let values = simplex.map(f);
  for (let it = 0; it < iterations; it++) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    if (Math.abs(values[n] - values[0]) < 1e-10 * (1 + Math.abs(values[0]))) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[n][j] - c));
    const xr = along(-1), fr = f(xr);
    if (fr < values[0]) {
      const xe = along(-2), fe = f(xe);
      if (fe < fr) { simplex[n] = xe; values[n] = fe; } else { simplex[n] = xr; values[n] = fr; }
    } else if (fr < values[n - 1]) {
      simplex[n] = xr; values[n] = fr;
    } else {
      const xc = fr < values[n] ? along(-0.5) : along(0.5), fc = f(xc);
      if (fc < Math.min(fr, values[n])) { simplex[n] = xc; values[n] = fc; } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
          values[i] = f(simplex[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i] < values[best]) best = i;
  return simplex[best];
}

// ---------------------------------------------------------------- Kaplan-Meier

export interface KmCurve {
  /** Distinct event times, ascending. */
  times: number[];
  /** S(t) just after each event time. */
  survival: number[];
  atRisk: number[];
  events: number[];
}

/**
 * Kaplan-Meier estimate of a survival function from right-censored data: at each
 * distinct event time t, S *= 1 - d/n with n the observations still at risk (time >= t).
 * A censoring at the same time as an event counts as still at risk (the usual convention).
 */
export function kaplanMeier(times: readonly number[], event: readonly boolean[]): KmCurve {
  const idx = times.map((_, i) => i).sort((a, b) => times[a] - times[b] || Number(event[b]) - Number(event[a]));
  const out: KmCurve = { times: [], survival: [], atRisk: [], events: [] };
  let atRisk = times.length, s = 1, i = 0;
  while (i < idx.length) {
    const t = times[idx[i]];
    let d = 0, c = 0;
    while (i < idx.length && times[idx[i]] === t) {
      if (event[idx[i]]) d++; else c++;
      i++;
    }
    if (d > 0) {
      s *= 1 - d / atRisk;
      out.times.push(t); out.survival.push(s); out.atRisk.push(atRisk); out.events.push(d);
    }
    atRisk -= d + c;
  }
  return out;
}

/** S(t) of a KM curve (right-continuous step). */
export function kmAt(km: KmCurve, t: number): number {
  let lo = 0, hi = km.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (km.times[mid] <= t) lo = mid + 1; else hi = mid;
  }
  return lo === 0 ? 1 : km.survival[lo - 1];
}

/** sup |F_model - (1 - S_KM)| over the KM curve's range (checked on both sides of each jump). */
export function ksAgainstKm(km: KmCurve, cdf: (t: number) => number): number {
  let d = 0, prev = 0;
  for (let i = 0; i < km.times.length; i++) {
    const F = cdf(km.times[i]);
    d = Math.max(d, Math.abs(F - prev), Math.abs(F - (1 - km.survival[i])));
    prev = 1 - km.survival[i];
  }
  return d;
}

// ---------------------------------------------------------------- censored parametric fits

export interface CensoredFit {
  kind: 'exponential' | 'weibull' | 'lognormal';
  params: Record<string, number>;
  /** Mean of the fitted law, seconds. */
  mean: number;
  logLik: number;
  /** Akaike information criterion: 2k - 2 logLik (lower is better). */
  aic: number;
  cdf: (t: number) => number;
}

/** Zero times carry no information for these laws; events at 0 are moved to half a second (one-second clock). */
function positive(times: readonly number[], event: readonly boolean[]): { t: number[]; e: boolean[] } {
  const t: number[] = [], e: boolean[] = [];
  for (let i = 0; i < times.length; i++) {
    if (times[i] > 0) { t.push(times[i]); e.push(event[i]); } else if (event[i]) { t.push(0.5); e.push(true); }
  }
  return { t, e };
}

/** Exponential MLE with right censoring: mean = total time at risk / events. */
export function fitExponentialCensored(times: readonly number[], event: readonly boolean[]): CensoredFit {
  const { t, e } = positive(times, event);
  const total = t.reduce((s, x) => s + x, 0);
  const d = e.filter(Boolean).length;
  const mean = d > 0 ? total / d : Infinity;
  const logLik = d > 0 ? -d * Math.log(mean) - total / mean : 0;
  return { kind: 'exponential', params: { mean }, mean, logLik, aic: 2 - 2 * logLik, cdf: (x) => (x <= 0 ? 0 : 1 - Math.exp(-x / mean)) };
}

function weibullLogLik(t: number[], e: boolean[], k: number, lambda: number): number {
  let ll = 0;
  for (let i = 0; i < t.length; i++) {
    const z = t[i] / lambda;
    if (e[i]) ll += Math.log(k / lambda) + (k - 1) * Math.log(z);
    ll -= Math.pow(z, k);
  }
  return ll;
}

/**
 * Weibull MLE with right censoring: the profile equation in the shape k,
 * sum(t^k ln t)/sum(t^k) - 1/k - mean_events(ln t) = 0, solved by bisection on
 * ln k; then scale = (sum t^k / d)^(1/k).
 */
export function fitWeibullCensored(times: readonly number[], event: readonly boolean[]): CensoredFit {
  const { t, e } = positive(times, event);
  const d = e.filter(Boolean).length;
  const logT = t.map(Math.log);
  const maxLog = Math.max(...logT);
  const meanLogEvents = logT.reduce((s, l, i) => s + (e[i] ? l : 0), 0) / d;
  const g = (k: number) => {
    let a = 0, b = 0;
    for (let i = 0; i < t.length; i++) {
      const w = Math.exp(k * (logT[i] - maxLog)); // scaled to avoid overflow
      a += w * logT[i]; b += w;
    }
    return a / b - 1 / k - meanLogEvents;
  };
  let lo = Math.log(0.02), hi = Math.log(50);
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (g(Math.exp(mid)) > 0) hi = mid; else lo = mid;
  }
  const k = Math.exp((lo + hi) / 2);
  let sum = 0;
  for (const x of logT) sum += Math.exp(k * (x - maxLog));
  const lambda = Math.exp(maxLog + Math.log(sum / d) / k);
  const logLik = weibullLogLik(t, e, k, lambda);
  const mean = lambda * Math.exp(logGamma(1 + 1 / k));
  return { kind: 'weibull', params: { shape: k, scale: lambda }, mean, logLik, aic: 4 - 2 * logLik, cdf: (x) => (x <= 0 ? 0 : 1 - Math.exp(-Math.pow(x / lambda, k))) };
}

function lognormalCensoredLogLik(logT: number[], e: boolean[], mu: number, sigma: number): number {
  let ll = 0;
  for (let i = 0; i < logT.length; i++) {
    const z = (logT[i] - mu) / sigma;
    if (e[i]) ll += -LOG_SQRT_2PI - Math.log(sigma) - logT[i] - 0.5 * z * z;
    else ll += Math.log(Math.max(1e-300, 1 - normalCdf(z)));
  }
  return ll;
}

/** Lognormal MLE with right censoring (Nelder-Mead on mu, ln sigma). */
export function fitLognormalCensored(times: readonly number[], event: readonly boolean[]): CensoredFit {
  const { t, e } = positive(times, event);
  const logT = t.map(Math.log);
  const ev = logT.filter((_, i) => e[i]);
  const m0 = ev.reduce((s, x) => s + x, 0) / ev.length;
  const s0 = Math.sqrt(ev.reduce((s, x) => s + (x - m0) ** 2, 0) / ev.length) || 1;
  const [mu, logSigma] = nelderMead((p) => -lognormalCensoredLogLik(logT, e, p[0], Math.exp(p[1])), [m0 + 0.5, Math.log(s0)], [0.5, 0.3], 600);
  const sigma = Math.exp(logSigma);
  const logLik = lognormalCensoredLogLik(logT, e, mu, sigma);
  const mean = Math.exp(mu + sigma * sigma / 2);
  return {
    kind: 'lognormal', params: { mu, sigma }, mean, logLik, aic: 4 - 2 * logLik,
    cdf: (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma)),
  };
}

// ---------------------------------------------------------------- uncensored fits

export interface LognormalFit {
  mu: number;
  sigma: number;
  mean: number;
  cv: number;
}

export function lognormalFromLogMoments(mu: number, sigma: number): LognormalFit {
  return { mu, sigma, mean: Math.exp(mu + sigma * sigma / 2), cv: Math.sqrt(Math.expm1(sigma * sigma)) };
}

/**
 * Lognormal MLE on the values at or above `cut` (left-truncated: the likelihood of
 * each is divided by P(X >= cut)). With cut 0 it is the plain log-moment fit.
 */
export function fitLognormalTruncated(values: readonly number[], cut = 0): LognormalFit {
  const logs = values.filter((v) => v >= cut && v > 0).map(Math.log);
  const n = logs.length;
  const m0 = logs.reduce((s, x) => s + x, 0) / n;
  const s0 = Math.sqrt(logs.reduce((s, x) => s + (x - m0) ** 2, 0) / n);
  if (cut <= 0) return lognormalFromLogMoments(m0, s0);
  const lc = Math.log(cut);
  let sumSq0 = 0;
  for (const x of logs) sumSq0 += (x - m0) ** 2;
  const negLL = (p: number[]) => {
    const sigma = Math.exp(p[1]);
    // sum (x - mu)^2 = sumSq0 + n (m0 - mu)^2: the likelihood depends on the data through m0 and sumSq0 only.
    const ss = sumSq0 + n * (m0 - p[0]) ** 2;
    return n * Math.log(sigma) + ss / (2 * sigma * sigma) + n * Math.log(Math.max(1e-300, 1 - normalCdf((lc - p[0]) / sigma)));
  };
  const [mu, ls] = nelderMead(negLL, [m0, Math.log(s0 || 1)], [0.3, 0.2], 800);
  return lognormalFromLogMoments(mu, Math.exp(ls));
}

/** Kolmogorov-Smirnov distance between a sample and a CDF. */
export function ksDistance(values: readonly number[], cdf: (x: number) => number): number {
  const x = [...values].sort((a, b) => a - b);
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && x[i + 1] === x[i]) continue; // ties: compare at the top of the step
    const F = cdf(x[i]);
    let lo = i;
    while (lo > 0 && x[lo - 1] === x[i]) lo--;
    d = Math.max(d, Math.abs((i + 1) / n - F), Math.abs(F - lo / n));
  }
  return d;
}

/** Empirical quantile (type 7, linear interpolation). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

/** Quantiles of a sorted sample keyed p10, p25, ... (rounded to `digits` when given). */
export function quantileTable(sorted: readonly number[], ps: readonly number[], digits?: number): Record<string, number> {
  return Object.fromEntries(ps.map((p) => {
    const q = quantile(sorted, p);
    return [`p${Math.round(p * 100)}`, digits === undefined ? q : Number(q.toFixed(digits))];
  }));
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length;
}

// ---------------------------------------------------------------- overdispersion

export interface Overdispersion {
  days: number;
  mean: number;
  variance: number;
  /** variance / mean: 1 for Poisson counts. */
  dispersion: number;
  /** CV of a gamma day-level multiplier: Var = m + cv^2 m^2 (method of moments; 0 if not overdispersed). */
  gammaCv: number;
}

/** Day-level overdispersion of daily totals that share one expected value (one day type). */
export function gammaOverdispersion(totals: readonly number[]): Overdispersion {
  const n = totals.length;
  const m = mean(totals);
  const v = n > 1 ? totals.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1) : NaN;
  const cv2 = (v - m) / (m * m);
  return { days: n, mean: m, variance: v, dispersion: v / m, gammaCv: Number.isFinite(cv2) ? Math.sqrt(Math.max(0, cv2)) : NaN };
}
