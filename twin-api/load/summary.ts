/**
 * What a load run measured, in one format whoever ran it: the k6 script `cctwin k6`
 * writes (its handleSummary) and `cctwin replay` both write a LoadSummary, and
 * `cctwin compare-k6` reads either. Counts are of the contacts the load created (first
 * attempts: a redial the center makes is not the load's), by the outcome the target
 * reported; waits are simulated seconds (the twin reports them; a real system reports
 * its own).
 *
 * The KPIs follow the simulator's definitions (README, KPI definitions):
 *   offered        = answered + abandoned + lost + unfinished (reached the agent queue)
 *   serviceLevel   = answeredWithin / offered (within the threshold; equal counts as within)
 *   abandonRate    = abandoned / offered
 *   asa            = waitSum / answered (simulated seconds from queue entry)
 */

export const SUMMARY_FORMAT = 'cctwin-load-summary/1';

export interface LoadCounts {
  /** contacts the load tried to create */
  sent: number;
  /** creations the target refused or that failed (HTTP error, network error): not in the outcomes below */
  failed: number;
  /** contacts the generator could not start in time (k6 dropped_iterations; replay: over --concurrency) */
  dropped: number;
  blocked: number;
  deflected: number;
  ivrHangup: number;
  answered: number;
  /** answered with a wait of at most the threshold */
  answeredWithin: number;
  abandoned: number;
  lost: number;
  unfinished: number;
  /** created, but no outcome was seen before the load stopped waiting (long-poll timeouts, errors while polling) */
  noOutcome: number;
  /** sum of the waits of answered contacts, simulated seconds */
  waitSum: number;
}

export const COUNT_FIELDS: readonly (keyof LoadCounts)[] = [
  'sent', 'failed', 'dropped', 'blocked', 'deflected', 'ivrHangup', 'answered', 'answeredWithin', 'abandoned', 'lost', 'unfinished', 'noOutcome', 'waitSum',
];

export interface LoadSummary {
  format: typeof SUMMARY_FORMAT;
  /** 'k6' or 'cctwin replay' */
  tool: string;
  /** the scenario's name (cfg.name) */
  scenario: string;
  /** 'type' or 'channel': what `groups` are keyed by */
  by: 'type' | 'channel';
  /** simulated seconds per wall second the load was compressed by */
  speed: number;
  /** simulated seconds of arrivals the load covered, from the start of the scenario */
  horizon: number;
  /** the service-level threshold the counts used, seconds */
  threshold: number;
  /** the seed of the arrival plan (the overdispersion draw) */
  seed: number;
  /** the target's base URL */
  target: string;
  /** ISO time the load started, and wall seconds it took */
  startedAt: string;
  wallSeconds: number;
  groups: Record<string, LoadCounts>;
  totals: LoadCounts;
  // ---- optional (added for cctwin replay; a reader must not require them)
  /**
   * Simulated second the load started at (default 0): a load aligned with a twin whose
   * clock had already run starts there, and the plan's arrivals before it were not sent.
   * The load covered [start, horizon).
   */
  start?: number;
  /** arrivals of the plan before `start`, not sent */
  skipped?: number;
  /** the horizon asked for, when the load stopped before it (then `horizon` is where it stopped) */
  plannedHorizon?: number;
  /** true when the load was stopped by hand (Ctrl-C, SIGTERM): the counts are what was measured until then */
  interrupted?: boolean;
  /** why the load stopped before its planned horizon (the twin's day ended, the token was refused, interrupted) */
  stopped?: string;
  /** failures by cause (`HTTP 409 TWIN_ERR_DAY_OVER`, `ECONNRESET`...): what `failed` and `noOutcome` hide */
  errors?: Record<string, number>;
  /**
   * How late contacts arrived at the target, simulated seconds: the arrival time the
   * target reported minus the time the plan scheduled (a load generator or twin that
   * cannot keep up shows here). Only for targets that report times (a twin).
   */
  arrivalLag?: { n: number; mean: number; p99: number; max: number };
  /** a twin's own lag (GET /v1/state `lag`, simulated seconds behind its pace), sampled about once a wall second during the load */
  targetLag?: { samples: number; mean: number; max: number };
  /** expected arrivals of the plan over [start, horizon), per group */
  expected?: Record<string, number>;
  /** the twin's --arrivals when the target was a twin (`external`, or `both`: it added the scenario's own arrivals to the load) */
  targetArrivals?: string;
}

export function emptyCounts(): LoadCounts {
  return { sent: 0, failed: 0, dropped: 0, blocked: 0, deflected: 0, ivrHangup: 0, answered: 0, answeredWithin: 0, abandoned: 0, lost: 0, unfinished: 0, noOutcome: 0, waitSum: 0 };
}

export function addCounts(into: LoadCounts, c: LoadCounts): LoadCounts {
  for (const k of COUNT_FIELDS) into[k] += c[k];
  return into;
}

export interface LoadKpis {
  offered: number;
  serviceLevel: number | null;
  abandonRate: number | null;
  asa: number | null;
}

export function loadKpis(c: LoadCounts): LoadKpis {
  const offered = c.answered + c.abandoned + c.lost + c.unfinished;
  return {
    offered,
    serviceLevel: offered > 0 ? c.answeredWithin / offered : null,
    abandonRate: offered > 0 ? c.abandoned / offered : null,
    asa: c.answered > 0 ? c.waitSum / c.answered : null,
  };
}

export interface SummaryIssue { path: string; value: unknown; message: string }

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function checkCounts(v: unknown, path: string, out: SummaryIssue[]): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) { out.push({ path, value: v, message: 'must be an object of counts' }); return; }
  const o = v as Record<string, unknown>;
  for (const k of COUNT_FIELDS) {
    if (!isCount(o[k])) out.push({ path: `${path}.${k}`, value: o[k], message: 'must be a number at least 0' });
    else if (k !== 'waitSum' && !Number.isInteger(o[k])) out.push({ path: `${path}.${k}`, value: o[k], message: 'must be a whole number (a count)' });
  }
  if (isCount(o.answeredWithin) && isCount(o.answered) && o.answeredWithin > o.answered) {
    out.push({ path: `${path}.answeredWithin`, value: o.answeredWithin, message: `must be at most answered (${o.answered})` });
  }
}

/**
 * Checks a parsed summary file; returns every problem (empty when it is a LoadSummary).
 * Unknown fields are allowed (a team may add its own); missing or wrong ones are named.
 */
export function summaryIssues(v: unknown): SummaryIssue[] {
  const out: SummaryIssue[] = [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [{ path: '(file)', value: Array.isArray(v) ? 'an array' : v, message: `must be a JSON object in the ${SUMMARY_FORMAT} format (written by a cctwin k6 script or cctwin replay)` }];
  const o = v as Record<string, unknown>;
  if (o.format !== SUMMARY_FORMAT) out.push({ path: 'format', value: o.format, message: `must be "${SUMMARY_FORMAT}" (a summary written by a cctwin k6 script or cctwin replay)` });
  for (const k of ['tool', 'scenario', 'target', 'startedAt'] as const) if (typeof o[k] !== 'string') out.push({ path: k, value: o[k], message: 'must be a string' });
  if (o.by !== 'type' && o.by !== 'channel') out.push({ path: 'by', value: o.by, message: 'must be "type" or "channel"' });
  if (!(typeof o.speed === 'number' && o.speed > 0 && Number.isFinite(o.speed))) out.push({ path: 'speed', value: o.speed, message: 'must be a number more than 0' });
  if (!(typeof o.horizon === 'number' && o.horizon > 0 && Number.isFinite(o.horizon))) out.push({ path: 'horizon', value: o.horizon, message: 'must be simulated seconds, more than 0' });
  if (!isCount(o.threshold)) out.push({ path: 'threshold', value: o.threshold, message: 'must be seconds, at least 0' });
  if (!(typeof o.seed === 'number' && Number.isInteger(o.seed))) out.push({ path: 'seed', value: o.seed, message: 'must be an integer' });
  if (!isCount(o.wallSeconds)) out.push({ path: 'wallSeconds', value: o.wallSeconds, message: 'must be seconds, at least 0' });
  if (typeof o.groups !== 'object' || o.groups === null || Array.isArray(o.groups)) out.push({ path: 'groups', value: o.groups, message: 'must be an object: counts per type or channel' });
  else for (const [k, c] of Object.entries(o.groups)) checkCounts(c, `groups.${k}`, out);
  checkCounts(o.totals, 'totals', out);
  // Optional fields, checked when present.
  if (o.start !== undefined) {
    if (!isCount(o.start)) out.push({ path: 'start', value: o.start, message: 'must be simulated seconds, at least 0 (or absent: 0)' });
    else if (typeof o.horizon === 'number' && o.start >= o.horizon) out.push({ path: 'start', value: o.start, message: `must be less than horizon (${o.horizon})` });
  }
  if (o.interrupted !== undefined && typeof o.interrupted !== 'boolean') out.push({ path: 'interrupted', value: o.interrupted, message: 'must be true or false (or absent)' });
  return out;
}
