import { firstMeasuredInterval, type ModelConfig } from '../config/model-config.ts';
import { SimError } from '../errors.ts';
import {
  AREA_METRICS, CHANNELS, HEAD_STATES, HEADER_LENGTH, headcountDays, headcountLength, LEVEL_METRICS, M, NCH, NHS, NM,
  RESULT_MAGIC, RESULT_VERSION, TENURE_BANDS, TIME_WEIGHTED,
} from '../model/layout.ts';
import { estimate, estimateStrided, type Estimate } from './stats.ts';

/**
 * KPIs, per replication and across replications. Definitions (also in the README):
 *   arrivals       contacts that arrived (every attempt, redials included)
 *   blocked        calls that found every line busy (not offered)
 *   deflected      contacts resolved by self-service in the IVR or by the IM bot
 *   ivrHangup      callers who hung up in the IVR
 *   offered        contacts that reached the agent queue
 *   answered       offered contacts connected to an agent
 *   abandoned      offered contacts that hung up while waiting
 *   unfinished     offered contacts still waiting when no agent was left to serve them
 *   lost           contacts waiting at a site when it failed (failure with waiting: lose)
 *   dropped        answered contacts cut off by a site failure (inService: drop)
 *   transfers      misrouted calls sent on, and calls taken across sites in local mode
 *   retries        arrivals that are redials of an earlier attempt
 *   customers      arrivals - retries - repeatArrivals: distinct customers
 *   customersLost  customers whose last attempt was blocked, abandoned or hung up in the IVR
 *   customerLossRate  customersLost / customers
 *   callbacks      callers who accepted a callback and left the line (they keep their place)
 *   serviceLevel   answered within the threshold / offered
 *   serviceLevelAnswered  answered within the threshold / answered
 *   abandonRate    abandoned / offered
 *   asa            mean wait of answered contacts, seconds
 *   aht            mean handle time of completed contacts, seconds: talk (the service)
 *                  plus after-call work (wrap-up)
 *   wrapTime       mean after-call work of completed contacts, seconds (a part of aht)
 *   occupancy      agent time busy / agent time on duty (within the horizon); an agent
 *                  holding k of its c chats counts k/c busy; after-call work is busy
 *   replyOnTime    answered within the type's deadline / answered (email, fax)
 *   backlog        contacts waiting at the end of the interval (totals, and per type: at
 *                  the horizon, whenever they arrived; a channel's is the sum of its types')
 *   overdue        of those, waiting longer than their deadline
 * The quality loop (scenarios with a workforce), over handled = completed contacts
 * other than complaint cases:
 *   defects, defectRate (defects / handled), accuracy (1 - defectRate),
 *   dpmo (defects per million handled), sigmaLevel (the normal quantile of 1 - dpmo/1e6
 *   plus the usual 1.5 shift: 3.4 DPMO is six sigma),
 *   repeatContactRate ((rework + complaint contacts caused) / handled),
 *   firstContactResolution (1 - repeatContactRate), complaintsPer10k,
 *   complaintReplyOnTime  case replies within the reply deadline / (cases replied +
 *                  cases still open past the deadline at the end of the run): an open
 *                  case already past its deadline can only be late; cases open and not
 *                  yet past it are left out (their outcome is unknown) and reported apart,
 *   complaintCasesOpen, complaintCasesOpenOverdue  cases still open (waiting or being
 *                  worked) at the end of the run (or when a live run's result is taken),
 *                  and of those, open longer than the reply deadline,
 *   cost (agent time + telephony + compensation, RMB)
 * Counts belong to the interval the contact arrived in; occupancy to the interval in
 * which the time passed. Waits, service levels and rates are read per channel: in the
 * all-channel totals they mix channels (TOTALS_MIXED). Totals start at the warm-up
 * rounded up to whole intervals (effectiveWarmup).
 */
export const KPIS = [
  'arrivals', 'offered', 'answered', 'abandoned', 'blocked', 'deflected', 'ivrHangup', 'unfinished', 'lost', 'dropped',
  'transfers', 'retries', 'customers', 'customersLost', 'customerLossRate', 'callbacks',
  'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'aht', 'wrapTime', 'occupancy', 'replyOnTime', 'backlog', 'overdue',
  'defects', 'defectRate', 'accuracy', 'dpmo', 'sigmaLevel', 'repeatContactRate', 'firstContactResolution',
  'complaints', 'complaintsPer10k', 'complaintReplyOnTime', 'complaintCasesOpen', 'complaintCasesOpenOverdue', 'compensation', 'cost',
] as const;

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Sigma level with the 1.5 shift (3.4 DPMO = 6); undefined with no defect observed. */
export function sigmaLevel(dpmo: number): number {
  return dpmo > 0 ? normalQuantile(1 - dpmo / 1e6) + 1.5 : NaN;
}
export type Kpi = (typeof KPIS)[number];
export type KpiValues = Record<Kpi, number>;
export type KpiEstimates = Record<Kpi, Estimate>;

/** Where each KPI sits in a row of kpiValues: its index in KPIS. */
const K = Object.fromEntries(KPIS.map((k, i) => [k, i])) as Record<Kpi, number>;
const NK = KPIS.length;

const div = (a: number, b: number) => (b > 0 ? a / b : NaN);

/**
 * The KPIs of one row of summed metrics (at `o` in `r`), written in KPIS order to
 * `v` at `at`: a summary reads thousands of rows (every interval, by channel and
 * site, in every replication), and a flat table of them costs no object per row.
 * Ratios with a zero denominator are NaN.
 */
function kpiValues(r: ArrayLike<number>, o: number, v: Float64Array, at: number): void {
  // Redials, rework and complaint contacts and complaint cases are not new customers.
  const customers = r[o + M.arrivals] - r[o + M.retries] - r[o + M.repeatArrivals];
  v[at + K.arrivals] = r[o + M.arrivals];
  v[at + K.offered] = r[o + M.offered];
  v[at + K.answered] = r[o + M.answered];
  v[at + K.abandoned] = r[o + M.abandoned];
  v[at + K.blocked] = r[o + M.blocked];
  v[at + K.deflected] = r[o + M.deflected];
  v[at + K.ivrHangup] = r[o + M.ivrHangup];
  v[at + K.unfinished] = r[o + M.unfinished];
  v[at + K.lost] = r[o + M.lost];
  v[at + K.dropped] = r[o + M.dropped];
  v[at + K.transfers] = r[o + M.transfers];
  v[at + K.retries] = r[o + M.retries];
  v[at + K.customers] = customers;
  v[at + K.customersLost] = r[o + M.customersLost];
  v[at + K.customerLossRate] = div(r[o + M.customersLost], customers);
  v[at + K.callbacks] = r[o + M.callbacks];
  v[at + K.serviceLevel] = div(r[o + M.answeredWithin], r[o + M.offered]);
  v[at + K.serviceLevelAnswered] = div(r[o + M.answeredWithin], r[o + M.answered]);
  v[at + K.abandonRate] = div(r[o + M.abandoned], r[o + M.offered]);
  v[at + K.asa] = div(r[o + M.waitAnswered], r[o + M.answered]);
  v[at + K.aht] = div(r[o + M.handleTime], r[o + M.completed]);
  v[at + K.wrapTime] = div(r[o + M.wrapTime], r[o + M.completed]);
  v[at + K.occupancy] = div(r[o + M.busyTime], r[o + M.staffedTime]);
  v[at + K.replyOnTime] = div(r[o + M.answered] - r[o + M.answeredLate], r[o + M.answered]);
  v[at + K.backlog] = r[o + M.backlog];
  v[at + K.overdue] = r[o + M.overdue];
  // The quality loop, over handled = completed contacts other than complaint cases.
  const handled = r[o + M.completed] - r[o + M.complaintReplies];
  const defectRate = div(r[o + M.defects], handled);
  const repeat = div(r[o + M.repeats] + r[o + M.complaints], handled);
  v[at + K.defects] = r[o + M.defects];
  v[at + K.defectRate] = defectRate;
  v[at + K.accuracy] = 1 - defectRate;
  v[at + K.dpmo] = defectRate * 1e6;
  v[at + K.sigmaLevel] = sigmaLevel(defectRate * 1e6);
  v[at + K.repeatContactRate] = repeat;
  v[at + K.firstContactResolution] = 1 - repeat;
  v[at + K.complaints] = r[o + M.complaints];
  v[at + K.complaintsPer10k] = div(r[o + M.complaints] * 1e4, handled);
  // Open cases past the deadline are late; open ones within it are left out (see KPIS).
  v[at + K.complaintReplyOnTime] = div(r[o + M.complaintRepliesOnTime], r[o + M.complaintReplies] + r[o + M.complaintCasesOpenOverdue]);
  v[at + K.complaintCasesOpen] = r[o + M.complaintCasesOpen];
  v[at + K.complaintCasesOpenOverdue] = r[o + M.complaintCasesOpenOverdue];
  v[at + K.compensation] = r[o + M.compensation];
  v[at + K.cost] = r[o + M.agentCost] + r[o + M.telephonyCost] + r[o + M.compensation];
}

/** KPIs of one row of summed metrics. Ratios with a zero denominator are NaN. */
export function kpisOf(r: ArrayLike<number>, o = 0): KpiValues {
  const v = new Float64Array(NK);
  kpiValues(r, o, v, 0);
  const out = {} as KpiValues;
  for (let k = 0; k < NK; k++) out[KPIS[k]] = v[k];
  return out;
}

/** A decoded replication result (views into the buffer; see model/layout.ts). */
export interface ReplicationResult {
  replication: number;
  events: number;
  wallSeconds: number;
  /** (nIntervals + 1) * NM: the whole center per interval, then the drain row */
  rows: Float64Array;
  /** (nIntervals + 1) * nSites * 4 channels * NM: counts by interval, site (that took the contact), channel */
  subRows: Float64Array;
  /** nTypes * nSites * NM: totals per (type, site that took the contact) after the warm-up; backlog and overdue at the horizon */
  cells: Float64Array;
  /** (nIntervals + 1) * nSites * NM: busy and staffed agent-seconds per site */
  siteRows: Float64Array;
  /** 3 tenure bands * NM: completed, handle time, defects */
  tenure: Float64Array;
  /** days * cohorts * HEAD_STATES: agents on the roster at each day start (empty without a workforce) */
  heads: Float64Array;
}

export function decodeResult(buf: Float64Array, cfg: ModelConfig): ReplicationResult {
  if (buf[0] !== RESULT_MAGIC || buf[1] !== RESULT_VERSION || buf[2] !== cfg.nIntervals + 1 || buf[3] !== NM) {
    throw new SimError('SIM_ERR_RESULT_LAYOUT', `result buffer does not match this model (version ${buf[1]}, expected ${RESULT_VERSION})`);
  }
  const nT = cfg.types.length, nS = cfg.sites.length, nR = cfg.nIntervals + 1;
  if (buf[7] !== nT || buf[8] !== nS) {
    throw new SimError('SIM_ERR_RESULT_LAYOUT', `result buffer has ${buf[7]} types and ${buf[8]} sites, the model ${nT} and ${nS}`);
  }
  let at = HEADER_LENGTH;
  const take = (n: number) => buf.subarray(at, (at += n));
  return {
    replication: buf[6],
    events: buf[4],
    wallSeconds: buf[5],
    rows: take(nR * NM),
    subRows: take(nR * nS * NCH * NM),
    cells: take(nT * nS * NM),
    siteRows: take(nR * nS * NM),
    tenure: take(3 * NM),
    heads: take(headcountLength(cfg)),
  };
}

const firstRow = firstMeasuredInterval;

/**
 * Where the measurement starts, seconds: the warm-up rounded up to whole intervals
 * (a 5,400 s warm-up with 1 h intervals measures from 7,200 s), at most the horizon.
 */
export function effectiveWarmup(cfg: ModelConfig): number {
  return Math.min(firstRow(cfg) * cfg.intervalLength, cfg.horizon);
}

/** A 0/1 flag per metric: what a sum tests per metric, without a search of the list. */
function metricMask(metrics: readonly number[]): Uint8Array {
  const mask = new Uint8Array(NM);
  for (const k of metrics) mask[k] = 1;
  return mask;
}
const IS_AREA = metricMask(AREA_METRICS);
const IS_LEVEL = metricMask(LEVEL_METRICS);
const IS_TIME_WEIGHTED = metricMask(TIME_WEIGHTED);

/**
 * Sums the interval rows after the warm-up. Counts include the drain row (it only
 * holds contacts injected after the horizon); areas stop at the horizon, time costs
 * do not (see layout.ts); levels (backlog, overdue) are those at the end of the last
 * interval.
 */
export function totalRow(rows: Float64Array, cfg: ModelConfig): Float64Array {
  return sumRows(rows, cfg, NM, 0, new Float64Array(NM));
}

/** totalRow over a block whose rows are `stride` long, reading the NM metrics at `offset`, into `out` (zeros). */
function sumRows(block: Float64Array, cfg: ModelConfig, stride: number, offset: number, out: Float64Array): Float64Array {
  const nI = cfg.nIntervals;
  for (let i = firstRow(cfg); i <= nI; i++) {
    const b = i * stride + offset;
    for (let k = 0; k < NM; k++) {
      if (IS_LEVEL[k] || (i === nI && IS_AREA[k])) continue;
      out[k] += block[b + k];
    }
  }
  if (nI > 0) for (const k of LEVEL_METRICS) out[k] = block[(nI - 1) * stride + offset + k];
  return out;
}

/**
 * Adds rows i0 .. i1 - 1 of a block (rows `stride` long, the NM metrics at `offset`)
 * to `out`, levels excepted: those are the levels at the end of row i1 - 1.
 */
function rangeSum(block: Float64Array, stride: number, offset: number, i0: number, i1: number, out: Float64Array): Float64Array {
  for (let i = i0; i < i1; i++) for (let k = 0; k < NM; k++) if (!IS_LEVEL[k]) out[k] += block[i * stride + offset + k];
  if (i1 > 0) for (const k of LEVEL_METRICS) out[k] += block[(i1 - 1) * stride + offset + k];
  return out;
}

/** The headcount of day `day` from the heads block (model/layout.ts), by cohort and state, across replications. */
function weekHeadcount(reps: ReplicationResult[], cohorts: string[], day: number): WeekHeadcount {
  const nC = cohorts.length;
  const at = (r: ReplicationResult, c: number, st: number) => r.heads[(day * nC + c) * NHS + st];
  const states = (cs: number[]): HeadStates => {
    const out = {} as HeadStates;
    HEAD_STATES.forEach((name, st) => { out[name] = estimate(reps.map((r) => cs.reduce((a, c) => a + at(r, c, st), 0))); });
    out.total = estimate(reps.map((r) => cs.reduce((a, c) => a + HEAD_STATES.reduce((b, _, st) => b + at(r, c, st), 0), 0)));
    return out;
  };
  const all = cohorts.map((_, c) => c);
  return { day, ...states(all), byCohort: Object.fromEntries(cohorts.map((name, c) => [name, states([c])])) };
}

/**
 * Adds the counts of one interval (or the totals, row = -1) for the chosen sites and
 * channels, with those sites' time, to `out` (zeros).
 */
function breakdown(r: ReplicationResult, cfg: ModelConfig, row: number, sites: readonly number[], channels: readonly number[], withTime: boolean, out: Float64Array): Float64Array {
  const nS = cfg.sites.length;
  for (const si of sites) {
    for (const ch of channels) {
      const off = (si * NCH + ch) * NM;
      // An interval is read in place; the totals of each (site, channel) are summed
      // first, then added, so that every figure adds up in the same order.
      const src = row < 0 ? sumRows(r.subRows, cfg, nS * NCH * NM, off, new Float64Array(NM)) : r.subRows;
      const at = row < 0 ? 0 : row * nS * NCH * NM + off;
      for (let k = 0; k < NM; k++) if (!IS_TIME_WEIGHTED[k]) out[k] += src[at + k];
    }
    if (withTime) {
      const t = row < 0 ? sumRows(r.siteRows, cfg, nS * NM, si * NM, new Float64Array(NM)) : r.siteRows;
      const at = row < 0 ? 0 : (row * nS + si) * NM;
      out[M.busyTime] += t[at + M.busyTime];
      out[M.staffedTime] += t[at + M.staffedTime];
    }
  }
  return out;
}

/** Totals of one channel (index into CHANNELS; all sites, after the warm-up): counts only, no agent time. */
export function channelRow(r: ReplicationResult, cfg: ModelConfig, channel: number): Float64Array {
  return breakdown(r, cfg, -1, cfg.sites.map((_, i) => i), [channel], false, new Float64Array(NM));
}

/** Totals of one contact type (all sites, after the warm-up; levels at the horizon, as totalRow's). */
export function typeRow(r: ReplicationResult, cfg: ModelConfig, type: number): Float64Array {
  return typeSum(r, cfg, type, new Float64Array(NM));
}

/** typeRow into `out` (zeros). */
function typeSum(r: ReplicationResult, cfg: ModelConfig, type: number, out: Float64Array): Float64Array {
  const nS = cfg.sites.length;
  for (let si = 0; si < nS; si++) {
    const b = (type * nS + si) * NM;
    for (let k = 0; k < NM; k++) out[k] += r.cells[b + k];
  }
  return out;
}

/** One row's raw metrics by name (model/layout.ts says what each one counts). */
export type MetricValues = Record<keyof typeof M, number>;
const METRIC_NAMES = Object.keys(M) as (keyof typeof M)[];

function named(r: ArrayLike<number>, o: number): MetricValues {
  const out = {} as MetricValues;
  for (const k of METRIC_NAMES) out[k] = r[o + M[k]];
  return out;
}

/**
 * Interval `i` of the whole center (i = nIntervals is the drain row), raw metrics by
 * name: for code that sums counts over intervals itself (ratios of sums, where kpisOf
 * gives the ratios of one row) without reading the result layout's offsets.
 */
export function intervalMetrics(r: ReplicationResult, i: number): MetricValues {
  return named(r.rows, i * NM);
}

/** Totals of contact type `type` (index into cfg.types; all sites, after the warm-up), raw metrics by name. */
export function typeMetrics(r: ReplicationResult, cfg: ModelConfig, type: number): MetricValues {
  return named(typeRow(r, cfg, type), 0);
}

/** Horizons up to this long (seconds) get per-interval breakdowns by channel and site. */
export const MAX_DETAIL_HORIZON = 14 * 86400;

export interface IntervalSummary extends KpiEstimates {
  start: number;
  end: number;
  /** true for the intervals before `warmupEffective`: left out of totals, breakdowns, weeks and SLA checks */
  warmup: boolean;
  /** the interval's KPIs by channel and by site (occupancy by site only); horizons up to 14 days */
  byChannel?: Record<string, KpiEstimates>;
  bySite?: Record<string, KpiEstimates>;
}

export interface SlaResult {
  name: string;
  kpi: string;
  /** where the KPI is read: 'totals' or e.g. 'byChannel.phone' */
  scope: string;
  target: number;
  direction: 'min' | 'max';
  value: number | null;
  met: boolean | null;
  /** value - target for 'min', target - value for 'max': positive when met */
  margin: number | null;
  /** start times (s) of intervals whose mean misses the target */
  missedIntervals: number[];
}

/** Agents on the roster by state: in training, then the tenure bands of trained agents (HEAD_STATES). */
export type HeadStates = Record<(typeof HEAD_STATES)[number], Estimate> & { total: Estimate };

/** A week's headcount (scenarios with a workforce): at the start of the week's last day, after its quits and graduations. */
export interface WeekHeadcount extends HeadStates {
  /** the day sampled, counted from 0 at the start */
  day: number;
  /** by cohort: `initial` (the staff at the start), then each hiring class (`<group> day <d>`) */
  byCohort: Record<string, HeadStates>;
}

/** A week of the horizon (7 days, the last maybe shorter): the whole center's KPIs, per channel, and the headcount. */
export type WeekSummary = KpiEstimates & {
  start: number;
  end: number;
  /** the week's KPIs per channel (counts of contacts that arrived in the week, after the warm-up) */
  byChannel: Record<string, KpiEstimates>;
  headcount?: WeekHeadcount;
};

/** Aht and defect rate by the agent's tenure band. */
export interface TenureSummary {
  handled: Estimate;
  aht: Estimate;
  defectRate: Estimate;
}

export interface RunSummary {
  scenario: string;
  seed: number;
  replications: number;
  threshold: number;
  horizon: number;
  intervalLength: number;
  /** the warm-up asked for (scenario or --warmup), seconds */
  warmup: number;
  /** where the measurement starts: the warm-up rounded up to whole intervals, seconds */
  warmupEffective: number;
  /**
   * All channels together. Counts add up; the rates and waits (TOTALS_MIXED) average
   * across channels, e.g. email replies of hours with phone waits of seconds: read
   * them per channel (byChannel).
   */
  totals: KpiEstimates;
  /** what `totals` mixes: the channels present and the KPIs whose all-channel value has no single meaning */
  totalsScope: { channels: string[]; mixed: readonly Kpi[]; note: string };
  /** per channel (phone, im, email, fax), per site and per contact type: the same KPIs; occupancy by site only */
  byChannel: Record<string, KpiEstimates>;
  bySite: Record<string, KpiEstimates>;
  /** each contact type's channel */
  typeChannels: Record<string, string>;
  /** the channels with a reply deadline on some type (email, fax): replyOnTime means something there */
  deadlineChannels: string[];
  /** per site and channel (contacts by the site that took them: where they landed, or where a site down or out of lines sent them): the same KPIs, occupancy excepted */
  bySiteChannel: Record<string, Record<string, KpiEstimates>>;
  byType: Record<string, KpiEstimates>;
  intervals: IntervalSummary[];
  /**
   * Contacts that arrived after the horizon (redials, rework, complaint contacts; the
   * drain): counted in the totals, in no interval. For counts, the intervals that are
   * not warm-up plus afterHorizon sum to the totals.
   */
  afterHorizon: KpiEstimates;
  /** weeks of the horizon (7 days each, the last maybe shorter), the same KPIs, per channel, and the headcount */
  weeks: WeekSummary[];
  /** the cohorts of the weekly headcount (scenarios with a workforce): the initial staff, then each hiring class */
  cohorts?: { name: string; group: string | null; day: number; agents: number }[];
  /** what the groups' staffing plans count (scenarios with a workforce): seats on the phones or heads */
  staffing?: 'seats' | 'heads';
  /** under three months, three to twelve months, over twelve months (scenarios with a workforce) */
  byTenure: Record<string, TenureSummary>;
  sla: SlaResult[];
  performance: {
    events: number;
    wallSeconds: number;
    eventsPerSecond: number;
    simulatedDays: number;
    secondsPerSimulatedDay: number;
  };
}

/**
 * KPIs whose all-channel value mixes quantities of different meaning across channels
 * (a phone wait of seconds with an email reply of hours): reports lead with them per
 * channel and label or leave out their all-channel value.
 */
export const TOTALS_MIXED: readonly Kpi[] = ['serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'aht', 'wrapTime', 'replyOnTime'];

/**
 * KPIs measured only with a workforce (the quality loop; cost, paid only by its cost
 * model): without one they are 0 by construction, not by measurement.
 */
export const WORKFORCE_KPIS: readonly Kpi[] = ['defects', 'defectRate', 'accuracy', 'dpmo', 'sigmaLevel', 'repeatContactRate', 'firstContactResolution', 'cost'];
/** KPIs of complaint cases: measured only with workforce.complaints. */
export const COMPLAINT_KPIS: readonly Kpi[] = ['complaints', 'complaintsPer10k', 'complaintReplyOnTime', 'complaintCasesOpen', 'complaintCasesOpenOverdue', 'compensation'];

/** KPIs that are shares (0..1, printed as percentages). */
export const RATE_KPIS: readonly Kpi[] = [
  'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'occupancy', 'customerLossRate', 'replyOnTime',
  'defectRate', 'accuracy', 'repeatContactRate', 'firstContactResolution', 'complaintReplyOnTime',
];
/** KPIs in seconds. */
export const TIME_KPIS: readonly Kpi[] = ['asa', 'aht', 'wrapTime'];

/**
 * Estimates of KPIs across replications (in the order given), figure by figure: one
 * table of replications x KPIs and one metric row, reused for every figure of a
 * summary (a day of 15-minute intervals has hundreds).
 */
class Estimator {
  private readonly row = new Float64Array(NM);
  private readonly values: Float64Array;

  constructor(private readonly reps: readonly ReplicationResult[]) {
    this.values = new Float64Array(reps.length * NK);
  }

  /** The KPI estimates of the figure whose metrics `fill` adds to `out` (zeros) for each replication, set on `into`. */
  of<T extends object = Record<never, never>>(fill: (r: ReplicationResult, out: Float64Array) => void, into = {} as T): T & KpiEstimates {
    const { reps, row, values } = this;
    for (let j = 0; j < reps.length; j++) {
      row.fill(0);
      fill(reps[j], row);
      kpiValues(row, 0, values, j * NK);
    }
    const out = into as T & KpiEstimates;
    for (let k = 0; k < NK; k++) out[KPIS[k]] = estimateStrided(values, k, NK, reps.length);
    return out;
  }
}

/** Copies the NM metrics at `at` of a block to `out`. */
function copyRow(block: Float64Array, at: number, out: Float64Array): void {
  for (let k = 0; k < NM; k++) out[k] = block[at + k];
}

/** The channels of the model's contact types (indexes into CHANNELS), in CHANNELS order. */
function channelsOf(cfg: ModelConfig): number[] {
  return [...new Set(cfg.types.map((t) => CHANNELS.indexOf(t.channel)))].sort((a, b) => a - b);
}
const ALL_CHANNELS = CHANNELS.map((_, c) => c);

/** The KPIs of interval `row` (or the totals, -1) by channel and by site, across replications. */
function splitter(cfg: ModelConfig, est: Estimator) {
  const nS = cfg.sites.length;
  const allSites = cfg.sites.map((_, i) => i);
  const channels = channelsOf(cfg);
  return (row: number) => {
    const byChannel: Record<string, KpiEstimates> = {};
    for (const ch of channels) {
      const one = [ch];
      byChannel[CHANNELS[ch]] = est.of((r, out) => breakdown(r, cfg, row, allSites, one, false, out));
    }
    const bySite: Record<string, KpiEstimates> = {};
    for (let si = 0; si < nS; si++) {
      const one = [si];
      bySite[cfg.sites[si].name] = est.of((r, out) => breakdown(r, cfg, row, one, ALL_CHANNELS, true, out));
    }
    return { byChannel, bySite };
  };
}

/**
 * The summaries of intervals i0 .. i1 - 1 (replications in replication order). Per-interval
 * breakdowns by channel and site for horizons up to two weeks; longer runs keep the whole
 * center per interval (memory and output stay flat in the horizon), unless `detail` asks
 * for them (a caller that serves a bounded number of intervals, e.g. to a chart).
 */
export function intervalSummaries(cfg: ModelConfig, reps: ReplicationResult[], i0: number, i1: number, detail = cfg.horizon <= MAX_DETAIL_HORIZON): IntervalSummary[] {
  return intervalsOf(cfg, new Estimator(reps), i0, i1, detail);
}

function intervalsOf(cfg: ModelConfig, est: Estimator, i0: number, i1: number, detail: boolean): IntervalSummary[] {
  const split = splitter(cfg, est);
  const intervals: IntervalSummary[] = [];
  for (let i = i0; i < i1; i++) {
    const head = { start: i * cfg.intervalLength, end: (i + 1) * cfg.intervalLength, warmup: i < firstRow(cfg) };
    const iv: IntervalSummary = est.of((r, out) => copyRow(r.rows, i * NM, out), head);
    intervals.push(detail ? Object.assign(iv, split(i)) : iv);
  }
  return intervals;
}

/**
 * summarize()'s totals and performance alone, the same numbers, without the breakdowns
 * (by channel, site, type, interval, week): for a caller that reports only these
 * (`erlang --simulate`), which then does not pay for the hundreds of figures of the
 * breakdowns.
 */
export function summarizeTotals(cfg: ModelConfig, results: ReplicationResult[], wallSeconds: number): Pick<RunSummary, 'totals' | 'performance'> {
  const reps = inReplicationOrder(results);
  return { totals: totalsOf(cfg, new Estimator(reps)), performance: performanceOf(cfg, reps, wallSeconds) };
}

/** Replications in replication order, so any completion order gives the same numbers. */
function inReplicationOrder(results: ReplicationResult[]): ReplicationResult[] {
  return [...results].sort((a, b) => a.replication - b.replication);
}

function totalsOf(cfg: ModelConfig, est: Estimator): KpiEstimates {
  return est.of((r, out) => sumRows(r.rows, cfg, NM, 0, out));
}

function performanceOf(cfg: ModelConfig, reps: ReplicationResult[], wallSeconds: number): RunSummary['performance'] {
  const events = reps.reduce((s, r) => s + r.events, 0);
  const simWall = reps.reduce((s, r) => s + r.wallSeconds, 0);
  const simulatedDays = (reps.length * cfg.horizon) / 86400;
  return {
    events,
    wallSeconds,
    eventsPerSecond: simWall > 0 ? events / simWall : 0,
    simulatedDays,
    secondsPerSimulatedDay: simulatedDays > 0 ? simWall / simulatedDays : 0,
  };
}

/** Summarises replications (in replication order, so any completion order gives the same numbers). */
export function summarize(cfg: ModelConfig, results: ReplicationResult[], wallSeconds: number): RunSummary {
  const reps = inReplicationOrder(results);
  const nS = cfg.sites.length;
  const channels = channelsOf(cfg);
  const est = new Estimator(reps);
  const split = splitter(cfg, est);
  const totals = totalsOf(cfg, est);
  const { byChannel, bySite } = split(-1);
  const bySiteChannel: Record<string, Record<string, KpiEstimates>> = {};
  for (let si = 0; si < nS; si++) {
    const m: Record<string, KpiEstimates> = {};
    for (const ch of channels) m[CHANNELS[ch]] = est.of((r, out) => breakdown(r, cfg, -1, [si], [ch], false, out));
    bySiteChannel[cfg.sites[si].name] = m;
  }
  const byType: Record<string, KpiEstimates> = {};
  cfg.types.forEach((ty, t) => { byType[ty.name] = est.of((r, out) => typeSum(r, cfg, t, out)); });
  const intervals = intervalsOf(cfg, est, 0, cfg.nIntervals, cfg.horizon <= MAX_DETAIL_HORIZON);
  const afterHorizon = est.of((r, out) => copyRow(r.rows, cfg.nIntervals * NM, out));
  const WEEK = 7 * 86400;
  const weeks: RunSummary['weeks'] = [];
  const wf = cfg.workforce;
  const nDays = headcountDays(cfg);
  for (let w = 0; w * WEEK < cfg.horizon; w++) {
    const i0 = Math.max(firstRow(cfg), Math.ceil((w * WEEK) / cfg.intervalLength - 1e-9));
    const i1 = Math.min(cfg.nIntervals, Math.ceil(((w + 1) * WEEK) / cfg.intervalLength - 1e-9));
    const byChannelW: Record<string, KpiEstimates> = {};
    for (const ch of channels) {
      byChannelW[CHANNELS[ch]] = est.of((r, out) => {
        for (let si = 0; si < nS; si++) rangeSum(r.subRows, nS * NCH * NM, (si * NCH + ch) * NM, i0, i1, out);
      });
    }
    const day = Math.min(7 * w + 6, nDays - 1);
    const week = est.of((r, out) => rangeSum(r.rows, NM, 0, i0, i1, out), { start: w * WEEK, end: Math.min((w + 1) * WEEK, cfg.horizon) });
    weeks.push(Object.assign(week, { byChannel: byChannelW }, wf && day >= 0 ? { headcount: weekHeadcount(reps, wf.cohorts.map((c) => c.name), day) } : {}));
  }
  const byTenure: Record<string, TenureSummary> = {};
  if (cfg.workforce) {
    TENURE_BANDS.forEach((band, bi) => {
      const get = (r: ReplicationResult, k: number) => r.tenure[bi * NM + k];
      byTenure[band] = {
        handled: estimate(reps.map((r) => get(r, M.completed))),
        aht: estimate(reps.map((r) => (get(r, M.completed) > 0 ? get(r, M.handleTime) / get(r, M.completed) : NaN))),
        defectRate: estimate(reps.map((r) => (get(r, M.completed) > 0 ? get(r, M.defects) / get(r, M.completed) : NaN))),
      };
    });
  }
  const sla = cfg.sla.map((t): SlaResult => {
    // A target names a KPI of the totals (serviceLevel) or of a breakdown (byChannel.phone.serviceLevel).
    const parts = t.kpi.split('.');
    const kpi = parts[parts.length - 1];
    const scope = parts.length === 3 ? `${parts[0]}.${parts[1]}` : 'totals';
    const pick = (o: { byChannel?: Record<string, KpiEstimates>; bySite?: Record<string, KpiEstimates> } & Partial<KpiEstimates>): Estimate | undefined => {
      if (parts.length !== 3) return (o as unknown as Record<string, Estimate>)[kpi];
      const group = (o as unknown as Record<string, Record<string, KpiEstimates>>)[parts[0]];
      return (group?.[parts[1]] as unknown as Record<string, Estimate> | undefined)?.[kpi];
    };
    const value = pick({ ...totals, byChannel, bySite })?.mean ?? null;
    const meets = (v: number) => (t.direction === 'min' ? v >= t.target - 1e-12 : v <= t.target + 1e-12);
    const missed = intervals
      .filter((iv) => !iv.warmup)
      .filter((iv) => {
        const v = pick(iv)?.mean;
        return v !== null && v !== undefined && !meets(v);
      })
      .map((iv) => iv.start);
    return {
      name: t.name,
      kpi,
      scope,
      target: t.target,
      direction: t.direction,
      value,
      met: value === null ? null : meets(value),
      margin: value === null ? null : t.direction === 'min' ? value - t.target : t.target - value,
      missedIntervals: missed,
    };
  });
  return {
    scenario: cfg.name,
    seed: cfg.seed,
    replications: reps.length,
    threshold: cfg.threshold,
    horizon: cfg.horizon,
    intervalLength: cfg.intervalLength,
    warmup: cfg.warmup,
    warmupEffective: effectiveWarmup(cfg),
    totals,
    totalsScope: {
      channels: channels.map((c) => CHANNELS[c]),
      mixed: TOTALS_MIXED,
      note: channels.length > 1
        ? `all channels together (${channels.map((c) => CHANNELS[c]).join(', ')}): counts add up; ${TOTALS_MIXED.join(', ')} average across channels (e.g. email replies of hours with phone waits of seconds): read them in byChannel`
        : `one channel (${CHANNELS[channels[0]] ?? 'none'}): totals equal byChannel.${CHANNELS[channels[0]] ?? ''}`,
    },
    byChannel,
    bySite,
    bySiteChannel,
    typeChannels: Object.fromEntries(cfg.types.map((t) => [t.name, t.channel])),
    deadlineChannels: CHANNELS.filter((c) => cfg.types.some((t) => t.channel === c && t.deadline !== undefined)),
    byType,
    intervals,
    afterHorizon,
    weeks,
    ...(wf ? { cohorts: wf.cohorts.map((c) => ({ ...c })), staffing: wf.staffing } : {}),
    byTenure,
    sla,
    performance: performanceOf(cfg, reps, wallSeconds),
  };
}
