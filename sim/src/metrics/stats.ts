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
  let n = 0, sum = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) { n++; sum += values[i]; }
  if (n === 0) return { mean: null, ci95: null };
  const mean = sum / n;
  if (n < 2) return { mean, ci95: null };
  let ss = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) ss += (values[i] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, ci95: t975(n - 1) * sd / Math.sqrt(n) };
}
