import { badArgument } from '../errors.ts';
/**
 * Erlang B: blocking probability of the M/M/n/n loss system (Erlang 1917).
 *
 * Computed by the standard recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))
 * (e.g. Cooper, "Introduction to Queueing Theory", 1981), which never forms
 * a^n/n! and so is stable for any load: every iterate lies in [0, 1].
 */
export function erlangB(offeredLoad: number, servers: number): number {
  if (!Number.isFinite(offeredLoad) || offeredLoad < 0) {
    throw badArgument(`offered load must be a finite number >= 0 (got ${offeredLoad})`);
  }
  if (!Number.isInteger(servers) || servers < 0) {
    throw badArgument(`servers must be an integer >= 0 (got ${servers})`);
  }
  let b = 1;
  for (let k = 1; k <= servers; k++) {
    const ab = offeredLoad * b;
    b = ab / (k + ab);
  }
  return b;
}
