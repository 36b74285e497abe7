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

/** The smallest k >= need that divides nIntervals (k = nIntervals at worst): whole coarse intervals, the horizon kept. */
export function coarseFactor(nIntervals: number, need: number): number {
  for (let k = Math.max(1, Math.ceil(need)); k < nIntervals; k++) if (nIntervals % k === 0) return k;
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
