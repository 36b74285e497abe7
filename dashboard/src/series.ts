/**
 * Chart data from the API's answers: one row per interval (x = the interval's start,
 * simulated seconds), per channel (a wait or a service level across phone and email
 * has no meaning: the charts are per channel, phone first), the SLA's missed intervals
 * as time ranges, the failover windows, the Erlang requirement and agents on duty.
 * Pure functions (tested in test/dashboard).
 */
import type { Estimate, IntervalRow, Kpis, RunSummary, SlaResult } from './api.ts';

export const CHANNEL_ORDER = ['phone', 'im', 'email', 'fax'] as const;

/** The channels a run has, phone first (the API's order is the same; kept explicit). */
export function channelsOf(r: Pick<RunSummary, 'byChannel'>): string[] {
  const have = Object.keys(r.byChannel ?? {});
  return [...CHANNEL_ORDER.filter((c) => have.includes(c)), ...have.filter((c) => !(CHANNEL_ORDER as readonly string[]).includes(c))];
}

/** The channels whose contacts have a reply deadline (email, fax): read replyOnTime, backlog and overdue there, not a 20 s service level. */
export function deadlineChannel(ch: string): boolean {
  return ch === 'email' || ch === 'fax';
}

const mean = (e: Estimate | undefined | null): number | null => (e && typeof e.mean === 'number' && Number.isFinite(e.mean) ? e.mean : null);

/** An estimate's 95% band [lo, hi] (clamped to [min, max]), or null without a CI. */
export function band(e: Estimate | undefined | null, min = -Infinity, max = Infinity): [number, number] | null {
  const m = mean(e);
  if (m === null || !e || typeof e.ci95 !== 'number' || !Number.isFinite(e.ci95)) return null;
  return [Math.max(min, m - e.ci95), Math.min(max, m + e.ci95)];
}

/** A KPI's estimate in a scope of an interval (or a run's totals): 'totals', 'byChannel.phone', 'bySite.nantong'. */
export function pick(o: { byChannel?: Record<string, Kpis>; bySite?: Record<string, Kpis> } & Record<string, unknown>, scope: string, kpi: string): Estimate | undefined {
  if (scope === 'totals') {
    const t = (o as { totals?: Kpis }).totals;
    return (t ?? (o as unknown as Kpis))[kpi];
  }
  const [group, name] = scope.split('.');
  const g = (o as Record<string, unknown>)[group] as Record<string, Kpis> | undefined;
  return g?.[name]?.[kpi];
}

/** An interval's KPI estimate in a scope ('totals' is the interval's own all-channel row). */
export function ivPick(iv: IntervalRow, scope: string, kpi: string): Estimate | undefined {
  if (scope === 'totals') return iv[kpi] as Estimate | undefined;
  return pick(iv, scope, kpi);
}

export interface Row {
  /** the interval's start (simulated seconds): the x of every chart */
  t: number;
  end: number;
  [key: string]: number | null | [number, number] | boolean | string;
}

/**
 * Service level per channel (the channels without a deadline: phone, IM), each with its
 * 95% band: keys `<ch>` and `<ch>Band`.
 */
export function serviceLevelRows(r: RunSummary, channels = channelsOf(r).filter((c) => !deadlineChannel(c))): Row[] {
  return r.intervals.map((iv) => {
    const row: Row = { t: iv.start, end: iv.end, warmup: iv.warmup };
    for (const ch of channels) {
      const e = iv.byChannel?.[ch]?.serviceLevel;
      row[ch] = mean(e);
      row[`${ch}Band`] = band(e, 0, 1);
    }
    return row;
  });
}

/** Offered, answered and abandoned contacts of one channel per interval. */
export function volumeRows(r: RunSummary, ch: string): Row[] {
  return r.intervals.map((iv) => {
    const k = iv.byChannel?.[ch];
    return { t: iv.start, end: iv.end, offered: mean(k?.offered), answered: mean(k?.answered), abandoned: mean(k?.abandoned) };
  });
}

/** ASA (s) of one channel and its queue: contacts waiting at the end of the interval (backlog). */
export function waitRows(r: RunSummary, ch: string): Row[] {
  return r.intervals.map((iv) => {
    const k = iv.byChannel?.[ch];
    return { t: iv.start, end: iv.end, asa: mean(k?.asa), asaBand: band(k?.asa, 0), queue: mean(k?.backlog) };
  });
}

/**
 * Agents on duty and busy (all skills) against the Erlang C agents the interval's phone
 * load needs for the phone target (requirement.phoneAgents).
 */
export function agentRows(r: RunSummary): Row[] {
  const need = r.requirement?.phoneAgents ?? [];
  const a = r.agents;
  return r.intervals.map((iv, i) => ({
    t: iv.start,
    end: iv.end,
    staffed: mean(a?.staffed[i]),
    busy: mean(a?.busy[i]),
    required: typeof need[i] === 'number' ? need[i] : null,
  }));
}

/** The sites of a run, in the API's order. */
export function sitesOf(r: Pick<RunSummary, 'bySite'>): string[] {
  return Object.keys(r.bySite ?? {});
}

/** Per site: agents on duty (`<site>`), occupancy (`<site>Occ`) and contacts answered by the site that took them (`<site>Ans`). */
export function siteRows(r: RunSummary): Row[] {
  const sites = sitesOf(r);
  return r.intervals.map((iv, i) => {
    const row: Row = { t: iv.start, end: iv.end };
    for (const s of sites) {
      row[s] = mean(r.agents?.bySite[s]?.staffed[i]);
      row[`${s}Occ`] = mean(iv.bySite?.[s]?.occupancy);
      row[`${s}Ans`] = mean(iv.bySite?.[s]?.answered);
    }
    return row;
  });
}

/** IM service level; email and fax backlog and overdue (levels at the interval's end) and replied on time. */
export function channelRows(r: RunSummary): Row[] {
  const chs = channelsOf(r);
  return r.intervals.map((iv) => {
    const row: Row = { t: iv.start, end: iv.end };
    for (const ch of chs) {
      const k = iv.byChannel?.[ch];
      row[`${ch}SL`] = mean(k?.serviceLevel);
      row[`${ch}Backlog`] = mean(k?.backlog);
      row[`${ch}Overdue`] = mean(k?.overdue);
      row[`${ch}OnTime`] = mean(k?.replyOnTime);
    }
    return row;
  });
}

/** Defect rate and complaints per interval (workforce scenarios). */
export function qualityRows(r: RunSummary): Row[] {
  return r.intervals.map((iv) => ({
    t: iv.start,
    end: iv.end,
    defectRate: mean(iv.defectRate as Estimate | undefined),
    complaints: mean(iv.complaints as Estimate | undefined),
  }));
}

/** A run with a workforce or quality loop: defects, complaints or tenure bands to show. */
export function hasQuality(r: RunSummary): boolean {
  const t = r.totals ?? {};
  return (mean(t.defects) ?? 0) > 0 || (mean(t.complaints) ?? 0) > 0 || Object.keys(r.byTenure ?? {}).length > 0;
}

export interface TimeRange {
  start: number;
  end: number;
}

/**
 * Interval starts as time ranges, consecutive ones merged: [36000, 37800, 45000] with
 * 1800 s intervals -> [36000, 39600], [45000, 46800].
 */
export function mergeRanges(starts: readonly number[], length: number): TimeRange[] {
  const sorted = [...starts].sort((a, b) => a - b);
  const out: TimeRange[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last.end + 1e-6) last.end = Math.max(last.end, s + length);
    else out.push({ start: s, end: s + length });
  }
  return out;
}

/** Does this SLA target read a KPI of this channel (or of the whole center)? */
export function slaOf(sla: readonly SlaResult[], kpi: string, scope: string): SlaResult | undefined {
  return sla.find((s) => s.kpi === kpi && s.scope === scope);
}

/**
 * The service-level target drawn on the charts: the phone one, else the first service
 * level target, else 95%.
 */
export function serviceTarget(sla: readonly SlaResult[]): { target: number; scope: string; fromSla: boolean } {
  const s = slaOf(sla, 'serviceLevel', 'byChannel.phone') ?? sla.find((x) => x.kpi === 'serviceLevel');
  return s ? { target: s.target, scope: s.scope, fromSla: true } : { target: 0.95, scope: 'byChannel.phone', fromSla: false };
}

/** Which intervals miss a target, from the interval means (what the server's missedIntervals holds), warm-up left out. */
export function missedBy(intervals: readonly IntervalRow[], s: Pick<SlaResult, 'kpi' | 'scope' | 'target' | 'direction'>): number[] {
  const meets = (v: number) => (s.direction === 'min' ? v >= s.target - 1e-12 : v <= s.target + 1e-12);
  return intervals
    .filter((iv) => !iv.warmup)
    .filter((iv) => {
      const v = mean(ivPick(iv, s.scope, s.kpi));
      return v !== null && !meets(v);
    })
    .map((iv) => iv.start);
}

/** Runs up to this long get their SLA's missed intervals per channel from the simulator (README: breakdowns per interval up to two weeks). */
export const DETAIL_HORIZON = 14 * 86400;

export interface SlaMisses {
  sla: SlaResult;
  /** interval starts (s) */
  starts: number[];
  /** the length of those intervals (s) */
  length: number;
  /**
   * true: found here among the served intervals (a run longer than two weeks, whose
   * per-channel misses the run JSON cannot list); false: the run's own missedIntervals
   */
  fromServed: boolean;
}

/**
 * Each SLA target's missed intervals: the run's own `missedIntervals`; for a run longer
 * than two weeks, a target on a channel or a site that the run JSON could not check per
 * interval (its intervals keep the center only) is checked here on the served intervals
 * (coarser, when the run was served coarser: each of them then covers several).
 */
export function slaMisses(r: RunSummary): SlaMisses[] {
  const L = r.resolution?.original ?? r.intervalLength;
  const served = r.resolution?.intervalLength ?? r.intervalLength;
  return (r.sla ?? []).map((s) => {
    const unchecked = r.horizon > DETAIL_HORIZON && s.scope !== 'totals' && s.missedIntervals.length === 0 && s.met !== true && hasChannelDetail(r);
    return unchecked
      ? { sla: s, starts: missedBy(r.intervals, s), length: served, fromServed: true }
      : { sla: s, starts: s.missedIntervals, length: L, fromServed: false };
  });
}

export interface Miss {
  sla: string;
  kpi: string;
  scope: string;
  start: number;
  end: number;
  /** the interval's value where it is among the served intervals (the run's own resolution, or found there), else null */
  value: number | null;
}

/** Every missed interval of every SLA target, in time order, with its value when the served intervals hold it. */
export function misses(r: RunSummary): Miss[] {
  const fine = (r.resolution?.aggregated ?? 1) === 1;
  const byStart = new Map(r.intervals.map((iv) => [iv.start, iv]));
  const out: Miss[] = [];
  for (const m of slaMisses(r)) {
    const s = m.sla;
    for (const t of m.starts) {
      const iv = fine || m.fromServed ? byStart.get(t) : undefined;
      out.push({ sla: s.name, kpi: s.kpi, scope: s.scope, start: t, end: t + m.length, value: iv ? mean(ivPick(iv, s.scope, s.kpi)) : null });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.sla.localeCompare(b.sla));
}

export interface MissRange {
  sla: SlaResult;
  start: number;
  end: number;
  intervals: number;
  /** the value furthest from the target among the range's intervals (when the served intervals hold them), else null */
  worst: number | null;
  /** found among the served intervals (see slaMisses) */
  fromServed: boolean;
}

/**
 * Each SLA target's missed intervals merged into ranges of consecutive intervals, with
 * the worst value of each range: the table under the charts, the shading on them.
 */
export function missRanges(r: RunSummary): MissRange[] {
  const all = misses(r);
  const out: MissRange[] = [];
  for (const m of slaMisses(r)) {
    const s = m.sla;
    const mine = all.filter((x) => x.sla === s.name && x.scope === s.scope && x.kpi === s.kpi);
    for (const range of mergeRanges(m.starts, m.length)) {
      const inside = mine.filter((x) => x.start >= range.start && x.start < range.end);
      const values = inside.map((x) => x.value).filter((v): v is number => v !== null);
      const worst = values.length === 0 ? null : s.direction === 'min' ? Math.min(...values) : Math.max(...values);
      out.push({ sla: s, start: range.start, end: range.end, intervals: inside.length, worst, fromServed: m.fromServed });
    }
  }
  return out;
}

/** Failover windows that overlap [from, to), clipped to it. */
export function failureWindows(r: Pick<RunSummary, 'failures'>, from: number, to: number): { site: string; start: number; end: number }[] {
  return (r.failures ?? []).filter((f) => f.end > from && f.start < to).map((f) => ({ site: f.site, start: Math.max(f.start, from), end: Math.min(f.end, to) }));
}

/** The time axis of the served intervals: [first start, last end]. */
export function domainOf(intervals: readonly { start: number; end: number }[]): [number, number] {
  if (intervals.length === 0) return [0, 1];
  return [intervals[0].start, intervals[intervals.length - 1].end];
}

/**
 * Ticks for a time axis over [from, to]: a round step that gives at most about
 * `max` ticks (1 h, 2 h, 3 h, 6 h, 12 h, 1 day, 2 days, 7 days, ...), aligned to it.
 */
export function timeTicks(from: number, to: number, max = 12): number[] {
  const steps = [900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000];
  const span = Math.max(1, to - from);
  const step = steps.find((s) => span / s <= max) ?? Math.ceil(span / max / 86400) * 86400;
  const out: number[] = [];
  for (let t = Math.ceil(from / step - 1e-9) * step + 0; t <= to + 1e-6; t += step) out.push(t); // + 0: no -0
  return out;
}

/**
 * How many points to ask the server for, from the chart's width: about one per 1.25
 * pixels, at least 200, at most 1,000 (the server's default).
 */
export function maxPointsFor(widthPx: number): number {
  return Math.max(200, Math.min(1000, Math.floor(widthPx / 1.25)));
}

/** The days of a multi-day run, for zooming to one at full resolution. */
export function daysOf(horizon: number): number[] {
  const n = Math.ceil(horizon / 86400 - 1e-9);
  return n > 1 ? Array.from({ length: n }, (_, i) => i) : [];
}

/**
 * The windows a run can be zoomed to at full resolution: each day up to two weeks,
 * each week up to a year (the last one cut at the horizon), none for one day.
 */
export function zoomWindows(horizon: number): { label: string; from: number; to: number }[] {
  const days = daysOf(horizon);
  if (days.length <= 14) return days.map((d) => ({ label: `day ${d + 1}`, from: d * 86400, to: Math.min(horizon, (d + 1) * 86400) }));
  const n = Math.ceil(horizon / 604800 - 1e-9);
  if (n > 53) return [];
  return Array.from({ length: n }, (_, w) => ({ label: `week ${w + 1}`, from: w * 604800, to: Math.min(horizon, (w + 1) * 604800) }));
}

/** Whether the served intervals carry their breakdown by channel (the per-channel charts need it). */
export function hasChannelDetail(r: Pick<RunSummary, 'intervals'>): boolean {
  return r.intervals.some((iv) => iv.byChannel !== undefined);
}

// ---------------------------------------------------------------- compare

/** Two runs' service level per interval of one channel, aligned on the interval start: `a`, `b`. */
export function overlayRows(a: RunSummary, b: RunSummary, ch: string, k = 'serviceLevel'): Row[] {
  const rows = new Map<number, Row>();
  const put = (r: RunSummary, key: 'a' | 'b') => {
    for (const iv of r.intervals) {
      const row = rows.get(iv.start) ?? { t: iv.start, end: iv.end, a: null, b: null };
      row[key] = mean(iv.byChannel?.[ch]?.[k]);
      rows.set(iv.start, row);
    }
  };
  put(a, 'a');
  put(b, 'b');
  return [...rows.values()].sort((x, y) => x.t - y.t);
}

export interface DiffRow {
  scope: string;
  kpi: string;
  a: number | null;
  b: number | null;
  difference: number | null;
  /** the paired CI half-width (a compare run), else null */
  ci95: number | null;
  significant: boolean | null;
  /** the CI is the paired one (common random numbers); else the runs are independent */
  paired: boolean;
}

/** The KPIs the compare table shows, per scope: phone's waits and rates first, then the center's. */
export const COMPARE_KPIS: { scope: string; kpis: string[] }[] = [
  { scope: 'byChannel.phone', kpis: ['serviceLevel', 'abandonRate', 'asa', 'aht', 'offered'] },
  { scope: 'byChannel.im', kpis: ['serviceLevel', 'asa'] },
  { scope: 'byChannel.email', kpis: ['replyOnTime', 'backlog'] },
  { scope: 'totals', kpis: ['occupancy', 'accuracy', 'complaintReplyOnTime', 'cost', 'customerLossRate'] },
];

type Paired = { meanA: number | null; meanB: number | null; difference: number | null; ci95: number | null; ciAdjusted?: number | null; significant: boolean | null };

/**
 * The difference table of a compare run: each KPI's B - A with its paired CI (the
 * corrected one when the run has several variants), from comparisons[0].
 */
export function pairedDiffs(c: { comparisons: { totals: Record<string, Paired>; byChannel?: Record<string, Record<string, Paired>> }[] | null; paired: Record<string, Paired> | null }): DiffRow[] {
  const cmp = c.comparisons?.[0];
  const out: DiffRow[] = [];
  for (const { scope, kpis } of COMPARE_KPIS) {
    const src = scope === 'totals' ? (cmp?.totals ?? c.paired ?? undefined) : cmp?.byChannel?.[scope.split('.')[1]];
    if (!src) continue;
    for (const k of kpis) {
      const p = src[k];
      if (!p || (p.meanA === null && p.meanB === null)) continue;
      if (k === 'cost' && p.meanA === 0 && p.meanB === 0) continue; // neither arm costed
      out.push({ scope, kpi: k, a: p.meanA, b: p.meanB, difference: p.difference, ci95: p.ciAdjusted ?? p.ci95, significant: p.significant, paired: true });
    }
  }
  return out;
}

/**
 * The difference table of two independent runs: B - A of the means; no paired CI (the
 * runs do not share random numbers); significant is unknown.
 */
export function independentDiffs(a: RunSummary, b: RunSummary): DiffRow[] {
  const out: DiffRow[] = [];
  for (const { scope, kpis } of COMPARE_KPIS) {
    for (const k of kpis) {
      const x = mean(pick(a as never, scope, k)), y = mean(pick(b as never, scope, k));
      if (x === null && y === null) continue;
      if (k === 'cost' && x === 0 && y === 0) continue; // neither run costed
      out.push({ scope, kpi: k, a: x, b: y, difference: x !== null && y !== null ? y - x : null, ci95: null, significant: null, paired: false });
    }
  }
  return out;
}

// ---------------------------------------------------------------- weeks

export interface WeekLine {
  week: number;
  start: number;
  end: number;
  phoneSL: number | null;
  phoneAbandon: number | null;
  phoneAht: number | null;
  offered: number | null;
  occupancy: number | null;
  defectRate: number | null;
  headcount: number | null;
}

export function weekLines(r: RunSummary): WeekLine[] {
  return (r.weeks ?? []).map((w, i) => {
    const ph = w.byChannel?.phone;
    const hc = (w.headcount as { total?: Estimate } | undefined)?.total;
    return {
      week: i + 1,
      start: w.start,
      end: w.end,
      phoneSL: mean(ph?.serviceLevel),
      phoneAbandon: mean(ph?.abandonRate),
      phoneAht: mean(ph?.aht),
      offered: mean(ph?.offered),
      occupancy: mean(w.occupancy as Estimate | undefined),
      defectRate: mean(w.defectRate as Estimate | undefined),
      headcount: mean(hc),
    };
  });
}
