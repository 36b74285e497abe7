/**
 * Confidence intervals across independent replications: the mean of the
 * per-replication values and the half-width t(0.975, R-1) * s / sqrt(R).
 */
const T975 = [NaN, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281,
  2.201, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086,
  2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423];

/** Two-sided 95% Student t quantile, t(0.975, df): table to 30, Cornish-Fisher beyond (error < 1e-4). */
export function t975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[Math.floor(df)];
  const z = 1.959963984540054;
  const z3 = z ** 3, z5 = z ** 5, z7 = z ** 7;
  return z + (z3 + z) / 4 / df + (5 * z5 + 16 * z3 + 3 * z) / 96 / df ** 2 + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384 / df ** 3;
}

/** A KPI estimate: mean over replications and the 95% CI half-width (null when undefined). */
export interface Estimate {
  mean: number | null;
  ci95: number | null;
}

/** Estimate from per-replication values; NaN values (KPI undefined in that replication) are left out. */
export function estimate(values: ArrayLike<number>): Estimate {
  return estimateStrided(values, 0, 1, values.length);
}

/**
 * estimate() of the `count` values at start, start + stride, ...: a table of
 * replications x KPIs read a KPI at a time, without a copy per KPI.
 */
export function estimateStrided(values: ArrayLike<number>, start: number, stride: number, count: number): Estimate {
  let n = 0, sum = 0;
  for (let i = 0, j = start; i < count; i++, j += stride) if (!Number.isNaN(values[j])) { n++; sum += values[j]; }
  if (n === 0) return { mean: null, ci95: null };
  const mean = sum / n;
  if (n < 2) return { mean, ci95: null };
  let ss = 0;
  for (let i = 0, j = start; i < count; i++, j += stride) if (!Number.isNaN(values[j])) ss += (values[j] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, ci95: t975(n - 1) * sd / Math.sqrt(n) };
}

/** ln Γ(x), x > 0 (Lanczos, g = 7; relative error < 1e-13). */
function logGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61503916999185,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = g[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularized incomplete beta function (Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t statistic `t` with `df` degrees of freedom: P(|T| >= |t|). */
export function tTwoSidedP(t: number, df: number): number {
  if (!(df > 0) || Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The Student t quantile t(1 - alpha/2, df) of a two-sided interval of level 1 - alpha (bisection on the p-value). */
export function tTwoSidedQuantile(alpha: number, df: number): number {
  if (!(df > 0) || !(alpha > 0 && alpha < 1)) return NaN;
  let lo = 0, hi = 1;
  while (tTwoSidedP(hi, df) > alpha) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tTwoSidedP(mid, df) > alpha) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}
