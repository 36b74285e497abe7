import type { ModelConfig } from '../config/model-config.ts';
import { estimate } from '../metrics/stats.ts';
import { KPIS, kpisOf, totalRow, type Kpi, type KpiValues, type ReplicationResult } from '../metrics/summary.ts';

/**
 * Paired comparison of two arms run with common random numbers: replication r of A
 * and of B draw from the same streams, so the per-replication differences B - A
 * carry far less noise than two independent samples. The 95% CI is the t interval
 * on those differences; the difference is significant when the interval excludes 0.
 */
export interface PairedKpi {
  meanA: number | null;
  meanB: number | null;
  /** mean of (B - A) over replications where the KPI is defined in both arms */
  difference: number | null;
  /** paired 95% CI half-width of the difference */
  ci95: number | null;
  significant: boolean | null;
  /** pairs used */
  pairs: number;
}

export type PairedComparison = Record<Kpi, PairedKpi>;

/** KPI values of each replication's totals (after the warm-up), keyed by replication index. */
export function totalsByReplication(cfg: ModelConfig, results: readonly ReplicationResult[]): Map<number, KpiValues> {
  const m = new Map<number, KpiValues>();
  for (const r of results) m.set(r.replication, kpisOf(totalRow(r.rows, cfg)));
  return m;
}

export function pairedKpi(a: readonly number[], b: readonly number[]): PairedKpi {
  const diffs: number[] = [];
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]) && !Number.isNaN(b[i])) diffs.push(b[i] - a[i]);
  const ea = estimate(a), eb = estimate(b), ed = estimate(diffs);
  return {
    meanA: ea.mean,
    meanB: eb.mean,
    difference: ed.mean,
    ci95: ed.ci95,
    significant: ed.mean === null || ed.ci95 === null ? null : Math.abs(ed.mean) > ed.ci95,
    pairs: diffs.length,
  };
}

/** Compares arm B with arm A over the replication indexes both have. */
export function pairedComparison(cfgA: ModelConfig, resultsA: readonly ReplicationResult[], cfgB: ModelConfig, resultsB: readonly ReplicationResult[]): PairedComparison {
  const ta = totalsByReplication(cfgA, resultsA), tb = totalsByReplication(cfgB, resultsB);
  const common = [...ta.keys()].filter((r) => tb.has(r)).sort((x, y) => x - y);
  const out = {} as PairedComparison;
  for (const k of KPIS) out[k] = pairedKpi(common.map((r) => ta.get(r)![k]), common.map((r) => tb.get(r)![k]));
  return out;
}
