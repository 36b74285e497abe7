import { badArgument } from '../errors.ts';
/**
 * Poisson probabilities P(N = m) for the m that carry non-negligible mass, computed from the
 * mode outwards and normalised at the end, so no e^{-L} L^m / m! is ever formed: that would
 * underflow for the means (thousands) that uniformization produces for large centres.
 */
export interface PoissonWeights {
  /** Smallest m kept. */
  first: number;
  /** probs[i] = P(N = first + i); sums to 1 (the dropped mass is below ~1e-25). */
  probs: Float64Array;
}

/** Relative weight (to the mode) below which terms are dropped; tails then sum to << 1e-16. */
const DROP_BELOW = 1e-30;

export function poissonWeights(mean: number): PoissonWeights {
  if (!Number.isFinite(mean) || mean < 0) throw badArgument(`Poisson mean must be finite and >= 0 (got ${mean})`);
  const mode = Math.floor(mean);
  // Weights relative to the mode: w(m+1) = w(m) L/(m+1) above it, w(m-1) = w(m) m/L below it.
  const above: number[] = [];
  for (let m = mode, w = 1; ; m++) {
    w *= mean / (m + 1);
    if (w < DROP_BELOW) break;
    above.push(w);
  }
  const below: number[] = [];
  for (let m = mode, w = 1; m > 0; m--) {
    w *= m / mean;
    if (w < DROP_BELOW) break;
    below.push(w);
  }
  const probs = new Float64Array(below.length + 1 + above.length);
  let i = 0;
  for (let b = below.length - 1; b >= 0; b--) probs[i++] = below[b];
  probs[i++] = 1;
  for (const w of above) probs[i++] = w;
  let total = 0;
  for (const p of probs) total += p;
  for (let k = 0; k < probs.length; k++) probs[k] /= total;
  return { first: mode - below.length, probs };
}
