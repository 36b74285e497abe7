import { CALL_CLASSES, callsByDay, classOf, dayLabel, servedByAgent, weekday, type CallClass, type CallRecord } from './call-log.ts';

/**
 * One real day as the simulator sees it: offered calls per interval, staffing per
 * interval, and the day's KPIs computed with the engine's definitions
 * (sim/src/metrics/summary.ts):
 *   offered      calls that reached the agent queue (answered + abandoned); VRU
 *                hang-ups and blocked calls are not offered, PHANTOM rows are dropped
 *   serviceLevel answered with wait <= threshold / offered
 *   abandonRate  abandoned / offered
 *   asa          mean wait of answered calls
 * Calls belong to the interval (and hour) in which they entered the queue.
 */

export const DAY = 86400;

export type DayType = 'weekday' | 'friday' | 'saturday';
export const DAY_TYPES: readonly DayType[] = ['weekday', 'friday', 'saturday'];

/** The Anonymous Bank week (Israel): Sunday to Thursday are working days, Friday short, Saturday night only. */
export function dayTypeOf(day: number): DayType {
  const w = weekday(day);
  return w === 5 ? 'friday' : w === 6 ? 'saturday' : 'weekday';
}

/** How staffing on the floor is read from the log (docs/calibration-method.md, "Method"). */
import type { StaffingMethod } from './options.ts';

export { STAFFING_METHODS, type StaffingMethod } from './options.ts';

export interface KpiCounts {
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithin: number;
  waitAnswered: number;
  /** Sum of the answered calls' handle times (seconds; observed days only, 0 in simulated counts). */
  handleAnswered: number;
}

export const emptyCounts = (): KpiCounts => ({ offered: 0, answered: 0, abandoned: 0, answeredWithin: 0, waitAnswered: 0, handleAnswered: 0 });

export interface Kpis {
  abandonRate: number;
  serviceLevel: number;
  asa: number;
}

export function kpisFromCounts(c: KpiCounts): Kpis {
  const div = (a: number, b: number) => (b > 0 ? a / b : NaN);
  return { abandonRate: div(c.abandoned, c.offered), serviceLevel: div(c.answeredWithin, c.offered), asa: div(c.waitAnswered, c.answered) };
}

export interface ObservedDay {
  day: number;
  date: string;
  dayType: DayType;
  /** Offered calls per interval (by queue entry). */
  offered: number[];
  /** Queue-entry times of the offered calls, seconds since midnight (for trace replays). */
  entries: number[];
  /** Agents on the floor per interval, by the chosen method (not rounded). */
  staffing: number[];
  /** The same at a finer step (`STAFFING_STEP`, 60 s): what replays use, so that rounding to whole agents loses little. */
  staffingFine: number[];
  total: KpiCounts;
  hours: KpiCounts[];
  /** The same by customer class (call-log.ts `classOf`): offered per interval, queue entries, day totals. */
  classes: Record<CallClass, { offered: number[]; entries: number[]; total: KpiCounts }>;
  /** The same by replay class (`observeDays` with `classKey`: call type family, identified or not). */
  byClass?: Record<string, { offered: number[]; entries: number[]; total: KpiCounts }>;
}

/**
 * Seconds without service after which an agent counts as off the floor (the
 * `present` method). Chosen on the January log (the fitting month): of 5, 10, 15 and
 * 20 minutes, 10 gave the smallest replay error there (docs/calibration-method.md,
 * "Method").
 */
export const PRESENCE_GAP = 600;

/**
 * The presence gap by day type. Quiet days (Friday, Saturday: 150-530 calls) leave
 * agents idle longer between calls than busy weekdays, so a 10-minute gap cuts them off
 * the floor while they are there (January, 600 s everywhere: simulated abandonment on
 * Saturdays 9-12% against 2-7% observed). Chosen on January only, weekdays kept at
 * 600 s, Friday/Saturday among 600, 720, 900, 1080, 1200, 1500, 1800 and 3600 s by the
 * criterion abandonment MAE / 2 + SL MAE / 5: 900 s (docs/calibration-method.md,
 * "Method").
 */
export const PRESENCE_GAP_BY_DAY_TYPE: Readonly<Record<DayType, number>> = { weekday: PRESENCE_GAP, friday: 900, saturday: 900 };

/** Step of the staffing series replays use, seconds. */
export const STAFFING_STEP = 60;

/**
 * The adaptive presence gap: a gap between two of an agent's calls ends the session when
 * it is longer than `factor` times the median gap between consecutive calls of the same
 * agent, over all agents, in that hour of the day (the hour the gap starts), bounded to
 * [`min`, `max`] seconds. Idle agents wait longer for a call when calls are few and agents
 * many, so a fixed gap cuts present agents off the floor on quiet days and keeps absent
 * ones on it at the peaks; this one follows the floor's own rhythm. Gaps over 4 x `max`
 * (shift changes) stay out of the medians; an hour with fewer than
 * `ADAPTIVE_GAP_MIN_GAPS` gaps takes the day's median.
 */
export interface AdaptiveGap { factor: number; min: number; max: number }

export const ADAPTIVE_GAP_MIN_GAPS = 10;

/** How sessions are cut: one gap (seconds), one per day type, or the adaptive gap. */
export type PresenceGap = number | Readonly<Record<DayType, number>> | AdaptiveGap;

const isAdaptive = (g: PresenceGap): g is AdaptiveGap => typeof g === 'object' && 'factor' in g;

/** The adaptive presence gap of one day's calls, per hour of the day (24 thresholds, seconds). */
export function presenceGapByHour(calls: readonly CallRecord[], a: AdaptiveGap): number[] {
  const hours = Array.from({ length: 24 }, () => [] as number[]);
  const all: number[] = [];
  for (const list of servedByAgent(calls).values()) {
    let end = list[0].end;
    for (const c of list.slice(1)) {
      const g = c.answer! - end;
      if (g > 0 && g <= 4 * a.max) {
        hours[hourOf(end)].push(g);
        all.push(g);
      }
      end = Math.max(end, c.end);
    }
  }
  const median = (v: number[]) => { const x = [...v].sort((p, q) => p - q); return x[x.length >> 1]; };
  const day = all.length > 0 ? median(all) : a.max / a.factor;
  return hours.map((h) => Math.min(a.max, Math.max(a.min, a.factor * (h.length >= ADAPTIVE_GAP_MIN_GAPS ? median(h) : day))));
}

const hourOf = (t: number) => Math.min(23, Math.max(0, Math.floor(t / 3600)));

/** `gap`: seconds, or one threshold per hour of the day (by the hour the gap starts). */
function staffingOf(calls: readonly CallRecord[], L: number, nI: number, method: StaffingMethod, gap: number | readonly number[], extension = 0): number[] {
  const out = new Array<number>(nI).fill(0);
  const clampI = (t: number) => Math.min(nI - 1, Math.max(0, Math.floor(t / L)));
  const served = calls.filter((c) => c.outcome === 'answered' && c.agent !== null && c.answer !== null);
  if (method === 'distinct') {
    const sets = Array.from({ length: nI }, () => new Set<string>());
    for (const c of served) for (let i = clampI(c.answer!); i <= clampI(Math.max(c.answer!, c.end - 1e-9)); i++) sets[i].add(c.agent!);
    return sets.map((s) => s.size);
  }
  // Time-based methods: agent-seconds spread over the intervals they fall in.
  const addSpan = (a: number, b: number) => {
    for (let i = clampI(a); i <= clampI(b) && i < nI; i++) {
      const lo = Math.max(a, i * L), hi = Math.min(b, (i + 1) * L);
      if (hi > lo) out[i] += (hi - lo) / L;
    }
  };
  if (method === 'busy') {
    for (const c of served) addSpan(c.answer!, c.end);
    return out;
  }
  // present: from the start of an agent's first call to the end of the last call of a
  // session; a gap longer than `gap` ends the session (a break, the shift's end).
  // With an extension, each session starts `extension` seconds before its first call and
  // ends as long after its last one (never overlapping the agent's previous session).
  for (const list of servedByAgent(served).values()) {
    let start = list[0].answer! - extension, end = list[0].end;
    for (const c of list.slice(1)) {
      if (c.answer! - end > (typeof gap === 'number' ? gap : gap[hourOf(end)])) {
        const cut = Math.min(end + extension, (end + c.answer!) / 2);
        addSpan(start, cut);
        start = Math.max(cut, c.answer! - extension);
      }
      end = Math.max(end, c.end);
    }
    addSpan(start, end + extension);
  }
  return out;
}

/**
 * Groups calls by day and computes each day's observations. `gap` (the `present`
 * method): one presence gap for every day, one per day type (default
 * `PRESENCE_GAP_BY_DAY_TYPE`), or the adaptive gap. `opts.extension`: seconds of
 * presence added before the first and after the last call of each session (the
 * `present` method; docs/calibration-method.md, "Call types and identified
 * customers"). `opts.classKey`: a replay class per call; each day then has `byClass`
 * (offered per interval, queue entries, totals per class).
 */
export function observeDays(calls: readonly CallRecord[], L: number, threshold: number, method: StaffingMethod, gap: PresenceGap = PRESENCE_GAP_BY_DAY_TYPE, opts: { extension?: number; classKey?: (c: CallRecord) => string } = {}): ObservedDay[] {
  const nI = Math.round(DAY / L);
  const byDay = callsByDay(calls);
  const days: ObservedDay[] = [];
  for (const [day, list] of [...byDay.entries()].sort((a, b) => a[0] - b[0])) {
    const offered = new Array<number>(nI).fill(0);
    const entries: number[] = [];
    const total = emptyCounts();
    const hours = Array.from({ length: 24 }, emptyCounts);
    const classes = Object.fromEntries(CALL_CLASSES.map((k) => [k, { offered: new Array<number>(nI).fill(0), entries: [] as number[], total: emptyCounts() }])) as ObservedDay['classes'];
    const byClass: NonNullable<ObservedDay['byClass']> = {};
    for (const c of list) {
      if (c.queueEntry === null) continue;
      const q = Math.min(c.queueEntry, DAY - 1e-6);
      const i = Math.min(nI - 1, Math.max(0, Math.floor(q / L)));
      const cl = classes[classOf(c)];
      entries.push(Math.max(0, q));
      cl.entries.push(Math.max(0, q));
      offered[i]++;
      cl.offered[i]++;
      const kc = opts.classKey ? (byClass[opts.classKey(c)] ??= { offered: new Array<number>(nI).fill(0), entries: [], total: emptyCounts() }) : null;
      if (kc) { kc.offered[i]++; kc.entries.push(Math.max(0, q)); }
      const h = hours[Math.min(23, Math.max(0, Math.floor(q / 3600)))];
      for (const k of kc ? [total, h, cl.total, kc.total] : [total, h, cl.total]) {
        k.offered++;
        if (c.outcome === 'answered') {
          const w = Math.max(0, c.answer! - c.queueEntry);
          k.answered++;
          k.waitAnswered += w;
          k.handleAnswered += Math.max(0, c.end - c.answer!);
          if (w <= threshold) k.answeredWithin++;
        } else k.abandoned++;
      }
    }
    entries.sort((a, b) => a - b);
    for (const k of CALL_CLASSES) classes[k].entries.sort((a, b) => a - b);
    for (const k of Object.values(byClass)) k.entries.sort((a, b) => a - b);
    const dayType = dayTypeOf(day);
    const g = typeof gap === 'number' ? gap : isAdaptive(gap) ? presenceGapByHour(list, gap) : gap[dayType];
    const ext = method === 'present' ? opts.extension ?? 0 : 0;
    days.push({
      day, date: dayLabel(day), dayType, offered, entries,
      staffing: staffingOf(list, L, nI, method, g, ext), staffingFine: staffingOf(list, STAFFING_STEP, DAY / STAFFING_STEP, method, g, ext),
      total, hours, classes, ...(opts.classKey ? { byClass } : {}),
    });
  }
  return days;
}
