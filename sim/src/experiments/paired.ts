import type { ModelConfig } from '../config/model-config.ts';
import { CHANNELS } from '../config/channels.ts';
import { estimate, tTwoSidedP, tTwoSidedQuantile } from '../metrics/stats.ts';
import { KPIS, channelRow, kpisOf, totalRow, typeRow, type Kpi, type KpiValues, type ReplicationResult } from '../metrics/summary.ts';

/**
 * Paired comparison of arms run with common random numbers: replication r of every
 * arm draws from the same streams, so the per-replication differences (variant -
 * baseline) carry far less noise than independent samples. The 95% CI is the t
 * interval on those differences, and the p-value that of the paired t test.
 *
 * With more than one variant against the baseline, each KPI in each scope (the
 * totals, a channel, a contact type) is a family of m tests, one per variant: the
 * p-values are adjusted by Holm's step-down method (Holm-Bonferroni), a difference is
 * significant when its adjusted p-value is below 0.05, and the CIs are widened to
 * Bonferroni simultaneous intervals (each at level 1 - 0.05/m, all m together at
 * least 95%). With one variant nothing changes: significant when the 95% CI excludes 0.
 */
export interface PairedKpi {
  meanA: number | null;
  meanB: number | null;
  /** mean of (B - A) over replications where the KPI is defined in both arms */
  difference: number | null;
  /** paired 95% CI half-width of the difference */
  ci95: number | null;
  /** after the correction for multiple comparisons (with one variant: p < 0.05, the 95% CI excludes 0) */
  significant: boolean | null;
  /** pairs used */
  pairs: number;
  /** two-sided p-value of the paired t test (uncorrected) */
  p: number | null;
  /** Holm-adjusted p-value (= p with one variant) */
  pAdjusted: number | null;
  /** Bonferroni-adjusted CI half-width (= ci95 with one variant) */
  ciAdjusted: number | null;
}

export type PairedComparison = Record<Kpi, PairedKpi>;

export const ALPHA = 0.05;

/** The KPIs compared per channel and per contact type (counts and the waits, service levels and rates of one channel). */
export const BREAKDOWN_KPIS: readonly Kpi[] = [
  'arrivals', 'offered', 'answered', 'abandoned', 'blocked', 'deflected', 'ivrHangup', 'unfinished', 'lost', 'dropped',
  'transfers', 'retries', 'callbacks', 'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'aht', 'wrapTime', 'replyOnTime', 'backlog', 'overdue',
];

/** KPI values of each replication's totals (after the warm-up), keyed by replication index. */
export function totalsByReplication(cfg: ModelConfig, results: readonly ReplicationResult[]): Map<number, KpiValues> {
  const m = new Map<number, KpiValues>();
  for (const r of results) m.set(r.replication, kpisOf(totalRow(r.rows, cfg)));
  return m;
}

/** The paired test of one KPI, B against A, uncorrected (m = 1). */
export function pairedKpi(a: readonly number[], b: readonly number[]): PairedKpi {
  const diffs: number[] = [];
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]) && !Number.isNaN(b[i])) diffs.push(b[i] - a[i]);
  const ea = estimate(a), eb = estimate(b), ed = estimate(diffs);
  let p: number | null = null;
  if (ed.mean !== null && diffs.length >= 2) {
    const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - ed.mean!) ** 2, 0) / (diffs.length - 1));
    // No spread: the difference is exactly the same in every pair.
    p = sd === 0 ? (ed.mean === 0 ? 1 : 0) : tTwoSidedP(ed.mean / (sd / Math.sqrt(diffs.length)), diffs.length - 1);
  }
  return {
    meanA: ea.mean,
    meanB: eb.mean,
    difference: ed.mean,
    ci95: ed.ci95,
    significant: ed.mean === null || ed.ci95 === null ? null : Math.abs(ed.mean) > ed.ci95,
    pairs: diffs.length,
    p,
    pAdjusted: p,
    ciAdjusted: ed.ci95,
  };
}

/**
 * Holm's step-down adjusted p-values: sort the m p-values ascending, multiply the
 * i-th smallest (from 0) by m - i, keep them non-decreasing, cap at 1. Nulls (an
 * undefined test) are left out of the family.
 */
export function holm(ps: readonly (number | null)[]): (number | null)[] {
  const idx = ps.map((p, i) => [p, i] as const).filter((x): x is readonly [number, number] => x[0] !== null).sort((x, y) => x[0] - y[0]);
  const m = idx.length;
  const out: (number | null)[] = ps.map(() => null);
  let running = 0;
  idx.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Applies the correction over the m variants of one KPI in one scope: Holm-adjusted
 * p-values decide significance, CIs become Bonferroni simultaneous intervals. With
 * m = 1 the tests are left as they are.
 */
function correct(tests: PairedKpi[]): PairedKpi[] {
  const m = tests.length;
  if (m <= 1) return tests;
  const adj = holm(tests.map((t) => t.p));
  return tests.map((t, i) => {
    const df = t.pairs - 1;
    const widen = t.ci95 === null || df < 1 ? null : tTwoSidedQuantile(ALPHA / m, df) / tTwoSidedQuantile(ALPHA, df);
    return {
      ...t,
      pAdjusted: adj[i],
      ciAdjusted: t.ci95 === null || widen === null ? null : t.ci95 * widen,
      significant: adj[i] === null ? null : adj[i]! < ALPHA,
    };
  });
}

/** Compares arm B with arm A over the replication indexes both have (totals, one variant). */
export function pairedComparison(cfgA: ModelConfig, resultsA: readonly ReplicationResult[], cfgB: ModelConfig, resultsB: readonly ReplicationResult[]): PairedComparison {
  const ta = totalsByReplication(cfgA, resultsA), tb = totalsByReplication(cfgB, resultsB);
  const common = [...ta.keys()].filter((r) => tb.has(r)).sort((x, y) => x - y);
  const out = {} as PairedComparison;
  for (const k of KPIS) out[k] = pairedKpi(common.map((r) => ta.get(r)![k]), common.map((r) => tb.get(r)![k]));
  return out;
}

/** One arm's finished replications. */
export interface ArmResults {
  cfg: ModelConfig;
  results: readonly ReplicationResult[];
}

/** One variant against the baseline: totals, per channel (phone first) and per contact type. */
export interface ArmComparison {
  /** index of the variant's arm (1 = B, 2 = C, ...) */
  arm: number;
  totals: PairedComparison;
  byChannel: Record<string, Partial<PairedComparison>>;
  byType: Record<string, Partial<PairedComparison>>;
}

/** The correction for multiple comparisons, as reported. */
export interface Correction {
  method: 'none' | 'holm';
  /** tests in each family: the variants against the baseline */
  comparisons: number;
  family: string;
  alpha: number;
  /** the CIs: plain 95% with one variant, Bonferroni simultaneous intervals with more */
  ci: 'paired-t' | 'bonferroni';
  /** the confidence level of each reported CI */
  ciLevel: number;
}

export function correctionOf(variants: number): Correction {
  return {
    method: variants > 1 ? 'holm' : 'none',
    comparisons: variants,
    family: 'each KPI in each scope (totals, a channel, a contact type): the variants against the baseline',
    alpha: ALPHA,
    ci: variants > 1 ? 'bonferroni' : 'paired-t',
    ciLevel: 1 - ALPHA / Math.max(1, variants),
  };
}

/**
 * Every variant against the baseline (arm 0), over the replication indexes all arms
 * have: totals, each channel present in both, each contact type (by name) in both;
 * corrected for the number of variants.
 */
export function compareArms(arms: readonly ArmResults[]): ArmComparison[] {
  const byRep = arms.map((a) => new Map(a.results.map((r) => [r.replication, r])));
  const common = [...byRep[0].keys()].filter((r) => byRep.every((m) => m.has(r))).sort((x, y) => x - y);
  const channelsOf = (cfg: ModelConfig) => new Set(cfg.types.map((t) => t.channel as string));
  const values = (ai: number, row: (r: ReplicationResult, cfg: ModelConfig) => Float64Array) =>
    common.map((rep) => kpisOf(row(byRep[ai].get(rep)!, arms[ai].cfg)));
  const base = arms[0].cfg;
  const variants = arms.slice(1).map((_, i) => i + 1);
  // scope -> per variant -> KPI -> test
  const scopes: { key: string; kpis: readonly Kpi[]; rows: (ai: number) => KpiValues[] | null }[] = [
    { key: 'totals', kpis: KPIS, rows: (ai) => values(ai, (r, cfg) => totalRow(r.rows, cfg)) },
  ];
  for (const ch of CHANNELS) {
    if (!channelsOf(base).has(ch)) continue;
    const ci = CHANNELS.indexOf(ch);
    scopes.push({ key: `channel:${ch}`, kpis: BREAKDOWN_KPIS, rows: (ai) => (channelsOf(arms[ai].cfg).has(ch) ? values(ai, (r, cfg) => channelRow(r, cfg, ci)) : null) });
  }
  for (const t of base.types) {
    scopes.push({
      key: `type:${t.name}`, kpis: BREAKDOWN_KPIS,
      rows: (ai) => {
        const ti = arms[ai].cfg.types.findIndex((x) => x.name === t.name);
        return ti < 0 ? null : values(ai, (r, cfg) => typeRow(r, cfg, ti));
      },
    });
  }
  const out: ArmComparison[] = variants.map((arm) => ({ arm, totals: {} as PairedComparison, byChannel: {}, byType: {} }));
  for (const scope of scopes) {
    const a = scope.rows(0)!;
    const rows = variants.map((ai) => scope.rows(ai));
    const present = variants.map((_, vi) => rows[vi] !== null);
    const result: Partial<PairedComparison>[] = variants.map(() => ({}));
    for (const k of scope.kpis) {
      const tests = rows.flatMap((b) => (b === null ? [] : [pairedKpi(a.map((v) => v[k]), b.map((v) => v[k]))]));
      const fixed = correct(tests);
      let j = 0;
      present.forEach((has, vi) => { if (has) result[vi][k] = fixed[j++]; });
    }
    variants.forEach((_, vi) => {
      if (!present[vi]) return;
      const [kind, name] = scope.key.split(/:(.*)/s);
      if (kind === 'totals') out[vi].totals = result[vi] as PairedComparison;
      else if (kind === 'channel') out[vi].byChannel[name] = result[vi];
      else out[vi].byType[name] = result[vi];
    });
  }
  return out;
}
