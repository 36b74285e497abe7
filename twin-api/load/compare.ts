import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { CHANNELS } from '../../sim/src/config/channels.ts';
import type { Issue } from '../../sim/src/errors.ts';
import { t975 } from '../../sim/src/metrics/stats.ts';
import { countsOf, NCOUNT } from './predict.ts';
import { addCounts, COUNT_FIELDS, emptyCounts, loadKpis, summaryIssues, type LoadCounts, type LoadSummary } from './summary.ts';

/**
 * `cctwin compare-k6`'s judgement: what a load measured (a LoadSummary) against what R
 * replications of the simulation predict for the same window, KPI by KPI.
 *
 * A load run is ONE realization of the day, so it is judged against the simulation's
 * 95% prediction interval for one day, mean ± t(0.975, R-1) · s · sqrt(1 + 1/R) (s: the
 * standard deviation across replications), not against the CI of the mean (which
 * shrinks with R and would call every honest run a disagreement). The range is then
 * widened for what the simulation cannot know about a measurement:
 *   serviceLevel, abandonRate, serviceLevelAnswered  ± widen percentage points (default 2)
 *   asa                                              ± max(2 s, 10% of the simulated mean)
 *   offeredPerHour                                   ± 2% of the simulated mean
 * (the asa's absolute floor: waits of a second or two are within the timing noise of a
 * paced twin and of HTTP; its relative part: a 10% error in a mean wait is what a
 * planner would not act on).
 */

export const RATE_KPIS = ['serviceLevel', 'abandonRate'] as const;
export const COMPARED = ['serviceLevel', 'abandonRate', 'asa', 'offeredPerHour'] as const;
export type ComparedKpi = (typeof COMPARED)[number];

/** KPIs of counts over a window of `hours`: loadKpis plus offered per hour and serviceLevelAnswered. */
export function kpiValues(c: LoadCounts, hours: number): Record<ComparedKpi | 'serviceLevelAnswered' | 'offered', number | null> {
  const k = loadKpis(c);
  return {
    serviceLevel: k.serviceLevel,
    abandonRate: k.abandonRate,
    asa: k.asa,
    offeredPerHour: hours > 0 ? k.offered / hours : null,
    serviceLevelAnswered: c.answered > 0 ? c.answeredWithin / c.answered : null,
    offered: k.offered,
  };
}

// ---------------------------------------------------------------- reading a summary

/** Line and column (1-based) of a character offset in a text. */
function lineCol(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, column: pos - before.lastIndexOf('\n') };
}

/**
 * Where JSON.parse fails in `text`, when its message does not say (Node 20 quotes a
 * snippet only): the shortest prefix whose error is not "end of input" ends at the bad
 * character (every shorter prefix only ends too early). Null if not found.
 */
function errorOffset(text: string): number | null {
  const early = (n: number) => {
    try { JSON.parse(text.slice(0, n)); return true; } catch (e) { return /end of (JSON )?input|Unterminated/i.test((e as Error).message); }
  };
  let lo = 0, hi = text.length;
  if (early(hi)) return null;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (early(mid)) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

/**
 * Parses a summary file's text; throws nothing: returns the summary, or every issue
 * (unreadable JSON with its line and column; each field summaryIssues names).
 */
export function parseSummary(text: string): { summary?: LoadSummary; issues: Issue[] } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const at = pos ? Number(pos[1]) : lc ? null : errorOffset(text);
    const where = lc ? { line: Number(lc[1]), column: Number(lc[2]) } : at !== null ? lineCol(text, at) : null;
    return { issues: [{ path: '(file)', message: `is not valid JSON: ${msg.replace(/^JSON\.parse: /, '').split('\n')[0]}${where ? ` (line ${where.line}, column ${where.column})` : ''}`, ...(where ? { line: where.line } : {}) }] };
  }
  const issues: Issue[] = summaryIssues(v).map((i) => ({ path: i.path, value: i.value, message: i.message }));
  return issues.length > 0 ? { issues } : { summary: v as LoadSummary, issues };
}

/** The summary's groups against the scenario: each must be a contact type (or channel) of it; horizon and threshold must fit. */
export function scenarioIssues(s: LoadSummary, cfg: ModelConfig): Issue[] {
  const out: Issue[] = [];
  const known = s.by === 'type' ? cfg.types.map((t) => t.name) : CHANNELS.filter((c) => cfg.types.some((t) => t.channel === c));
  const what = s.by === 'type' ? 'contact type' : 'channel';
  for (const g of Object.keys(s.groups)) {
    if (!known.includes(g)) out.push({ path: `groups.${g}`, value: g, message: `is not a ${what} of scenario "${cfg.name}" (known: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''})` });
  }
  if (Object.keys(s.groups).length === 0) out.push({ path: 'groups', value: {}, message: `must have at least one ${what}` });
  if (s.scenario !== cfg.name) out.push({ path: 'scenario', value: s.scenario, message: `must be the scenario given with --scenario ("${cfg.name}"): the load was made from another` });
  if (s.horizon > cfg.horizon + 1e-6) out.push({ path: 'horizon', value: s.horizon, message: `must be at most the scenario's horizon (${cfg.horizon} s)` });
  if (Math.abs(s.threshold - cfg.threshold) > 1e-9) out.push({ path: 'threshold', value: s.threshold, message: `must be the scenario's service-level threshold (${cfg.threshold} s): the counts were made with another` });
  return out;
}

/** Warnings about a summary that is valid but inconsistent (counts that do not add up). */
export function consistencyWarnings(s: LoadSummary): string[] {
  const out: string[] = [];
  const sum = emptyCounts();
  for (const c of Object.values(s.groups)) addCounts(sum, c);
  const off = COUNT_FIELDS.filter((k) => Math.abs(sum[k] - s.totals[k]) > (k === 'waitSum' ? 1e-6 * Math.max(1, Math.abs(sum[k])) : 0));
  if (off.length > 0) out.push(`totals are not the sum of the groups (${off.join(', ')}): the groups are used`);
  for (const [g, c] of Object.entries(s.groups)) {
    const ends = c.failed + c.dropped + c.blocked + c.deflected + c.ivrHangup + c.answered + c.abandoned + c.lost + c.unfinished + c.noOutcome;
    if (ends !== c.sent) out.push(`groups.${g}: sent (${c.sent}) is not failed + dropped + the outcomes + noOutcome (${ends})`);
  }
  return out;
}

// ---------------------------------------------------------------- the comparison

export interface Scope {
  /** 'type' | 'channel' | 'all' */
  kind: string;
  name: string;
  /** contact type indices counted in this scope (those the summary has) */
  types: number[];
  channel: string | null;
}

export interface KpiComparison {
  scope: string;
  kind: string;
  kpi: ComparedKpi;
  measured: number | null;
  /** simulated replications with the KPI defined */
  n: number;
  mean: number | null;
  sd: number | null;
  /** 95% CI of the simulated mean */
  ci95: [number, number] | null;
  /** 95% prediction interval for one day */
  range95: [number, number] | null;
  /** the range widened by the rule for this KPI: agreement means the measurement is inside */
  accepted: [number, number] | null;
  /** null: not judged (no measurement, or fewer than 2 replications with a value) */
  agree: boolean | null;
}

export interface SlaComparison {
  name: string;
  kpi: string;
  scope: string;
  target: number;
  direction: 'min' | 'max';
  measured: number | null;
  measuredMet: boolean | null;
  simulated: number | null;
  simulatedMet: boolean | null;
  /** share of the replications (days) that met the target */
  simulatedMetShare: number | null;
  note?: string;
}

export interface LoadComparison {
  scenario: string;
  replications: number;
  window: { start: number; end: number };
  widen: number;
  comparisons: KpiComparison[];
  sla: SlaComparison[];
  /** failed + dropped + noOutcome, and their share of sent */
  unmeasured: { sent: number; failed: number; dropped: number; noOutcome: number; share: number | null; reliable: boolean };
  caveats: string[];
  /** every judged KPI agrees and the measurement is reliable */
  agree: boolean;
}

/** The scopes compared: each group of the summary, then each channel whose types are not one group already. */
export function scopesOf(s: LoadSummary, cfg: ModelConfig): Scope[] {
  const typeIx = new Map(cfg.types.map((t, i) => [t.name, i]));
  const out: Scope[] = [];
  const present = new Set<number>();
  for (const g of Object.keys(s.groups)) {
    const types = s.by === 'type' ? [typeIx.get(g)!] : cfg.types.map((_, i) => i).filter((i) => cfg.types[i].channel === g);
    types.forEach((t) => present.add(t));
    out.push({ kind: s.by, name: g, types, channel: s.by === 'type' ? cfg.types[types[0]].channel : g });
  }
  if (s.by === 'type') {
    for (const ch of CHANNELS) {
      const types = [...present].filter((t) => cfg.types[t].channel === ch).sort((a, b) => a - b);
      if (types.length > 1) out.push({ kind: 'channel', name: ch, types, channel: ch });
    }
  }
  return out;
}

/** Measured counts of a scope, from the summary's groups. */
function measuredCounts(s: LoadSummary, cfg: ModelConfig, sc: Scope): LoadCounts {
  return sc.kind === s.by ? s.groups[sc.name] : measuredOfTypes(s, cfg, sc.types);
}

/** Measured counts of a set of types (by channel: the channels they make up). */
function measuredOfTypes(s: LoadSummary, cfg: ModelConfig, types: readonly number[]): LoadCounts {
  const c = emptyCounts();
  const keys = new Set(types.map((t) => (s.by === 'type' ? cfg.types[t].name : cfg.types[t].channel)));
  for (const k of keys) if (s.groups[k]) addCounts(c, s.groups[k]);
  return c;
}

/** Simulated counts of a set of types in one replication's counts block. */
function simCounts(block: ArrayLike<number>, types: readonly number[]): LoadCounts {
  const c = emptyCounts();
  for (const t of types) addCounts(c, countsOf(block, t));
  return c;
}

function widenBy(kpi: ComparedKpi, mean: number, widen: number): number {
  if (kpi === 'asa') return Math.max(2, 0.1 * Math.abs(mean));
  if (kpi === 'offeredPerHour') return 0.02 * Math.abs(mean);
  return widen;
}

/** Mean, sd, CI of the mean, one-day range and accepted range of per-replication values (nulls left out). */
export function rangeOf(values: (number | null)[], kpi: ComparedKpi, widen: number) {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { n, mean: null, sd: null, ci95: null, range95: null, accepted: null };
  const mean = v.reduce((a, x) => a + x, 0) / n;
  if (n < 2) return { n, mean, sd: null, ci95: null, range95: null, accepted: null };
  const sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const t = t975(n - 1);
  const ci = t * sd / Math.sqrt(n);
  const pi = t * sd * Math.sqrt(1 + 1 / n);
  const w = widenBy(kpi, mean, widen);
  // Shown within what the KPI can be (a rate in [0, 1], a wait or volume at least 0): the normal range may pass the bounds.
  const hi = kpi === 'asa' || kpi === 'offeredPerHour' ? Infinity : 1;
  const clip = (a: number, b: number): [number, number] => [Math.max(0, a), Math.min(hi, b)];
  return { n, mean, sd, ci95: clip(mean - ci, mean + ci), range95: clip(mean - pi, mean + pi), accepted: clip(mean - pi - w, mean + pi + w) };
}

/**
 * Compares a summary with per-replication counts blocks (replicationCounts, one per
 * replication, over the summary's window). `widen`: percentage points as a fraction (0.02).
 */
export function compareLoad(s: LoadSummary, cfg: ModelConfig, blocks: readonly Float64Array[], widen: number): LoadComparison {
  const start = s.start ?? 0;
  const hours = (s.horizon - start) / 3600;
  const scopes = scopesOf(s, cfg);
  const comparisons: KpiComparison[] = [];
  for (const sc of scopes) {
    const m = kpiValues(measuredCounts(s, cfg, sc), hours);
    const sims = blocks.map((b) => kpiValues(simCounts(b, sc.types), hours));
    for (const kpi of COMPARED) {
      const r = rangeOf(sims.map((x) => x[kpi]), kpi, widen);
      const measured = m[kpi];
      const agree = measured === null || r.accepted === null ? null : measured >= r.accepted[0] - 1e-12 && measured <= r.accepted[1] + 1e-12;
      comparisons.push({ scope: sc.name, kind: sc.kind, kpi, measured, ...r, agree });
    }
  }

  // SLA targets: each read where the scenario scopes it, by the measurement and by the simulation.
  const all = scopes.filter((x) => x.kind === s.by).flatMap((x) => x.types);
  const sla = cfg.sla.map((t): SlaComparison => {
    const parts = t.kpi.split('.');
    const kpi = parts[parts.length - 1];
    let types: number[] | null = null;
    let scope = 'all (the load\'s groups)';
    let note: string | undefined;
    if (parts.length === 1) types = all;
    else if (parts[0] === 'byChannel') { scope = parts[1]; types = all.filter((i) => cfg.types[i].channel === parts[1]); }
    else if (parts[0] === 'byType') { scope = parts[1]; types = s.by === 'type' ? all.filter((i) => cfg.types[i].name === parts[1]) : null; if (types === null) note = 'the load counted by channel, not by type'; }
    else { scope = parts.slice(0, 2).join('.'); note = 'a load does not measure by site'; }
    const base = { name: t.name, kpi, scope, target: t.target, direction: t.direction };
    const measurable = ['serviceLevel', 'abandonRate', 'asa', 'serviceLevelAnswered'].includes(kpi);
    if (!measurable) note = `a load does not measure ${kpi}`;
    if (types === null || types.length === 0 || !measurable) {
      return { ...base, measured: null, measuredMet: null, simulated: null, simulatedMet: null, simulatedMetShare: null, note: note ?? 'no group of the load in this scope' };
    }
    const meets = (v: number | null) => (v === null ? null : t.direction === 'min' ? v >= t.target - 1e-12 : v <= t.target + 1e-12);
    const kOf = (c: LoadCounts) => kpiValues(c, hours)[kpi as 'serviceLevel'];
    const measured = kOf(measuredOfTypes(s, cfg, types));
    const perRep = blocks.map((b) => kOf(simCounts(b, types)));
    const defined = perRep.filter((v): v is number => v !== null);
    const simulated = defined.length > 0 ? defined.reduce((a, x) => a + x, 0) / defined.length : null;
    const mixed = parts.length === 1 && new Set(types.map((i) => cfg.types[i].channel)).size > 1 && kpi !== 'abandonRate';
    return {
      ...base, measured, measuredMet: meets(measured), simulated, simulatedMet: meets(simulated),
      simulatedMetShare: defined.length > 0 ? defined.filter((v) => meets(v)).length / defined.length : null,
      ...(mixed ? { note: 'mixes channels, as the simulator\'s all-channel value does' } : {}),
    };
  });

  const tot = s.totals;
  const bad = tot.failed + tot.dropped + tot.noOutcome;
  const share = tot.sent > 0 ? bad / tot.sent : null;
  const reliable = share === null || share <= 0.01;
  const caveats = caveatsOf(s, cfg);
  if (!reliable) caveats.unshift(`UNRELIABLE: ${bad} of ${tot.sent} contacts (${(share! * 100).toFixed(2)}%) failed, were dropped by the load generator or have no outcome (more than 1%): the measurement misses part of the load, so agreement cannot be established`);
  const judged = comparisons.filter((c) => c.agree !== null);
  return {
    scenario: cfg.name,
    replications: blocks.length,
    window: { start, end: s.horizon },
    widen,
    comparisons,
    sla,
    unmeasured: { sent: tot.sent, failed: tot.failed, dropped: tot.dropped, noOutcome: tot.noOutcome, share, reliable },
    caveats,
    agree: reliable && judged.length > 0 && judged.every((c) => c.agree === true),
  };
}

/** What the reader should know about this comparison. */
export function caveatsOf(s: LoadSummary, cfg: ModelConfig): string[] {
  const out: string[] = [];
  if (s.targetArrivals === 'both') {
    out.push('NOT LIKE FOR LIKE: the twin ran with --arrivals both, adding the scenario\'s own arrivals to the load, so its center carried about twice the demand the simulation predicts for; serve the twin with --arrivals external to compare');
  }
  const redial = cfg.types.filter((t) => t.redial !== undefined).map((t) => t.name);
  const quality = cfg.workforce !== undefined;
  if (redial.length > 0 || quality) {
    out.push(`first attempts only: the load creates first attempts; ${[
      redial.length > 0 ? `redials (${redial.slice(0, 5).join(', ')}${redial.length > 5 ? ', ...' : ''})` : '',
      quality ? 'rework and complaint contacts' : '',
    ].filter(Boolean).join(' and ')} are made by the center in the twin and in the simulation alike, where they take agents; both sides count first attempts only (the simulation's per-contact records separate them; its interval rows would not)`);
  }
  const start = s.start ?? 0;
  if (start > 0) out.push(`the load started at simulated ${start.toFixed(0)} s (the twin's clock then): the simulation predicts the same window [${start.toFixed(0)}, ${s.horizon.toFixed(0)}) s; a twin serving --arrivals external had no contacts before it, the simulation had the scenario's, so the first minutes of the window may be served better in the twin`);
  if (s.interrupted) out.push('the load was interrupted: the summary holds what was measured until the stop');
  if (s.stopped && !s.interrupted) out.push(`the load stopped early: ${s.stopped}`);
  if (s.arrivalLag && s.arrivalLag.mean > Math.max(1, 0.05 * cfg.threshold)) {
    out.push(`contacts arrived late at the target (mean ${s.arrivalLag.mean.toFixed(1)} s, max ${s.arrivalLag.max.toFixed(1)} s simulated): the load or the target could not keep up at speed ${s.speed}; arrivals bunch and waits grow`);
  }
  if (s.targetLag && s.targetLag.max > Math.max(5, cfg.threshold)) out.push(`the twin fell behind its pace (lag up to ${s.targetLag.max.toFixed(1)} simulated s): try a lower speed`);
  if (cfg.demand.dayCv > 0 || cfg.demand.intervalCv > 0) out.push(`overdispersed demand: the load sent one draw of the day's volume (seed ${s.seed}); each replication draws its own, so the one-day range covers it`);
  return out;
}

/** The per-replication counts blocks' layout, for callers that build them (one Float64Array of nTypes x NCOUNT per replication). */
export const COUNTS_PER_TYPE = NCOUNT;
