import type { ModelConfig } from '../config/model-config.ts';
import { LEVEL_METRICS, NCH, NM } from '../model/layout.ts';
import type { ReplicationResult } from './summary.ts';

/**
 * Coarser intervals from a replication's result, exactly: `k` consecutive interval rows
 * summed into one (counts and time integrals add; the levels backlog and overdue are
 * those at the end of the last of the k), so the KPIs of a coarse interval are those of
 * the contacts that arrived in it, as if the run had been reported at k times the
 * interval length. The drain row, the (type, site) cells, the tenure bands and the
 * headcount are kept as they are. Used to serve long runs to charts (a 365-day run at
 * 15 minutes has 35,040 intervals; a chart needs a few hundred points).
 */

/**
 * How many intervals to sum into one so that at most nIntervals / need points remain: the
 * smallest k >= need that divides nIntervals, preferring k that fit the day (a divisor
 * of the intervals in a day, or a whole number of days: buckets of 2 h, 12 h, a day, a
 * week, never 10 h), so coarse intervals line up with the clock; k = nIntervals at worst.
 */
export function coarseFactor(nIntervals: number, need: number, perDay = 0): number {
  const lo = Math.max(1, Math.ceil(need - 1e-9));
  if (lo <= 1) return 1;
  const divides = (k: number) => nIntervals % k === 0;
  if (perDay > 0) {
    for (let k = lo; k <= perDay && k < nIntervals; k++) if (perDay % k === 0 && divides(k)) return k;
    for (let d = Math.max(1, Math.ceil(lo / perDay)); d * perDay < nIntervals; d++) if (divides(d * perDay)) return d * perDay;
  }
  for (let k = lo; k < nIntervals; k++) if (divides(k)) return k;
  return Math.max(1, nIntervals);
}

/** The model as reported every k intervals (for the summaries: interval length and count; the rest as it is). */
export function coarseConfig(cfg: ModelConfig, k: number): ModelConfig {
  if (k === 1) return cfg;
  return { ...cfg, intervalLength: cfg.intervalLength * k, nIntervals: cfg.nIntervals / k };
}

const isLevel = new Uint8Array(NM);
for (const m of LEVEL_METRICS) isLevel[m] = 1;

/** Sums blocks of k rows of `stride` doubles (levels: the last row's) into nI/k rows, then copies the drain row. */
function coarseRows(rows: Float64Array, nI: number, stride: number, k: number): Float64Array {
  const nC = nI / k;
  const out = new Float64Array((nC + 1) * stride);
  for (let c = 0; c < nC; c++) {
    const o = c * stride;
    for (let j = 0; j < k; j++) {
      const b = (c * k + j) * stride;
      const last = j === k - 1;
      for (let x = 0; x < stride; x++) {
        if (isLevel[x % NM] === 1) { if (last) out[o + x] = rows[b + x]; } else out[o + x] += rows[b + x];
      }
    }
  }
  out.set(rows.subarray(nI * stride, (nI + 1) * stride), nC * stride);
  return out;
}

export function coarsenResult(r: ReplicationResult, cfg: ModelConfig, k: number): ReplicationResult {
  if (k === 1) return r;
  const nI = cfg.nIntervals, nS = cfg.sites.length;
  if (!Number.isInteger(k) || k < 1 || nI % k !== 0) throw new RangeError(`coarsenResult: k = ${k} must divide the ${nI} intervals`);
  return {
    ...r,
    rows: coarseRows(r.rows, nI, NM, k),
    subRows: coarseRows(r.subRows, nI, nS * NCH * NM, k),
    siteRows: coarseRows(r.siteRows, nI, nS * NM, k),
  };
}
