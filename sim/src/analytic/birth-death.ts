import { badArgument } from '../errors.ts';
import type { ChainRates } from './queue-spec.ts';

/**
 * Stationary distribution of the number-in-system birth-death chain shared by M/M/n, M/M/n+M
 * (Erlang A), M/M/n/K and M/M/n/K+M:
 *   birth rate lambda in states k < K,
 *   death rate d_k = min(k, n) mu + max(k - n, 0) theta
 * (Palm 1943; Garnett, Mandelbaum & Reiman 2002, "Designing a call center with impatient
 * customers", MSOM 4(3), §2). Detailed balance gives pi_{k+1} / pi_k = lambda / d_{k+1}.
 */

/** Stop truncating an unbounded chain once a bound on the remaining tail mass is below this. */
export const TAIL_MASS = 1e-16;

/** Hard cap on the states we are prepared to hold; beyond it the model is too close to saturation. */
export const MAX_STATES = 5_000_000;

export interface StationaryDistribution {
  /** pi[k] = time-average probability of k calls in system, k = 0 .. pi.length - 1. */
  pi: Float64Array;
  /**
   * What an arriving call that is admitted sees (PASTA conditioned on not blocked):
   * arrival[k] = pi[k] / (1 - pi[K]) for k < K, and 0 at the blocking state K.
   */
  arrival: Float64Array;
  /** P(all K lines busy) = blocking probability by PASTA; 0 for unlimited lines. */
  probBlock: number;
  /** True when the chain was truncated (unlimited lines) rather than ending at K. */
  truncated: boolean;
}

/** Death rate out of state k: busy agents serve at mu each, waiting calls abandon at theta each. */
export function deathRate(c: ChainRates, k: number): number {
  const busy = Math.min(k, c.servers);
  return busy * c.mu + (k - busy) * c.theta;
}

/**
 * The most likely state: the largest k <= K with d_k <= lambda (d is non-decreasing in k, so the
 * ratios lambda/d_k are non-increasing and the distribution is unimodal). Infinity when the
 * chain has no mode, i.e. is unstable (theta = 0, lambda >= n mu, K = Infinity).
 */
export function modeState(c: ChainRates): number {
  const { lambda, mu, theta, servers: n, capacity } = c;
  let mode: number;
  if (lambda < n * mu) mode = Math.min(Math.floor(lambda / mu), n);
  else if (theta > 0) mode = n + Math.floor((lambda - n * mu) / theta);
  else mode = Infinity;
  return Math.min(mode, capacity);
}

/**
 * Solve the chain by normalised recursion from the mode: weight 1 at the mode, multiply by
 * d_{k+1}/lambda going down and by lambda/d_{k+1} going up. Every weight is <= ~1, so nothing
 * overflows at any load (a^n/n! is never formed) and far-tail weights merely underflow to 0.
 * Rounding grows only linearly with the distance from the mode, i.e. ~1e-14 relative where
 * the mass is. An unbounded chain is cut once p_k r / (1 - r) < TAIL_MASS * total, which bounds
 * the dropped tail because the ratios r = lambda/d keep decreasing after the mode.
 */
export function stationaryDistribution(c: ChainRates): StationaryDistribution {
  const { lambda, capacity } = c;
  const mode = modeState(c);
  if (mode === Infinity) {
    throw badArgument(
      `queue is unstable: offered load ${lambda / c.mu} erlangs >= ${c.servers} agents with ` +
        'infinite patience and unlimited lines (add patience or lines, or more agents)',
    );
  }
  if (mode > MAX_STATES) {
    throw badArgument(`queue too heavily loaded to solve exactly: most likely state ${mode} > ${MAX_STATES}`);
  }

  const below = new Float64Array(mode + 1);
  below[mode] = 1;
  for (let k = mode - 1; k >= 0; k--) below[k] = (below[k + 1] * deathRate(c, k + 1)) / lambda;

  let total = 0;
  for (let k = 0; k <= mode; k++) total += below[k];

  const above: number[] = [];
  for (let k = mode, w = 1; k < capacity; k++) {
    const r = lambda / deathRate(c, k + 1);
    if (capacity === Infinity && r < 1 && (w * r) / (1 - r) < TAIL_MASS * total) break;
    w *= r;
    above.push(w);
    total += w;
    if (mode + above.length > MAX_STATES) {
      throw badArgument(
        `queue too close to saturation to solve exactly: more than ${MAX_STATES} states carry mass`,
      );
    }
  }

  const size = mode + 1 + above.length;
  const pi = new Float64Array(size);
  pi.set(below);
  for (let i = 0; i < above.length; i++) pi[mode + 1 + i] = above[i];

  const truncated = capacity === Infinity;
  // Sum the admitted weights directly, so 1 - pi_K is never formed by subtraction.
  let admittedTotal = 0;
  for (let k = 0; k < (truncated ? size : size - 1); k++) admittedTotal += pi[k];
  const arrival = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    arrival[k] = pi[k] / admittedTotal;
    pi[k] /= total;
  }
  if (!truncated) arrival[size - 1] = 0;
  return { pi, arrival, probBlock: truncated ? 0 : pi[size - 1], truncated };
}
