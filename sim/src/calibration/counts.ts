import { basename } from 'node:path';
import { Document, isSeq, visit } from 'yaml';
import { SimError } from '../errors.ts';
import { BadRows, isCalendarDate, readLog, type ReadOptions, type SkippedRow } from './bad-rows.ts';
import { acrossDays, HOURLY_NEEDS, skippedLines } from './fitted-scenario.ts';
import { dayLabel, dayNumber, weekday } from './call-log.ts';
import { gammaOverdispersion, mean } from './estimators.ts';

/**
 * Arrival-count series (`--format counts`): one row per time bin,
 * `rownames,DateTime,Calls` (the 5-minute bank counts: `1,2003-03-03T07:00:00Z,111`;
 * local time despite a `Z`). They give the intraday profile by day of week and the
 * day-level overdispersion (gamma CV of the daily totals), nothing about handle
 * time, patience or staffing.
 */

export interface CountRow {
  day: number;
  /** Seconds since midnight. */
  time: number;
  calls: number;
}

const DAY = 86400;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export function parseCounts(text: string, source = 'counts', o: ReadOptions = {}): CountRow[] {
  const bad = new BadRows(o.maxBadRows ?? 0);
  const rows: CountRow[] = [];
  readCountsInto(text, source, bad, rows);
  bad.settle(source);
  return rows;
}

/** Reads one count series into `rows`, its problems into `bad`. */
function readCountsInto(text: string, source: string, bad: BadRows, out: CountRow[]): void {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  if (header.join(',') !== 'rownames,DateTime,Calls' && header.join(',') !== 'DateTime,Calls') {
    bad.file(source, header.join(','), 'must be "rownames,DateTime,Calls" (or "DateTime,Calls"): an arrival-count series', 1, 'header');
    return;
  }
  const off = header.length === 3 ? 1 : 0;
  let rows = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '') continue;
    rows++;
    const ln = i + 1;
    const f = raw.split(',').map((x) => x.trim().replace(/^"|"$/g, ''));
    if (f.length !== header.length) { bad.row(source, ln, '(row)', `${f.length} fields`, `must have ${header.length} comma-separated fields`); continue; }
    const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?(Z|[+-]\d\d:?\d\d)?$/.exec(f[off]);
    if (!m || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) { bad.row(source, ln, 'DateTime', f[off], 'must be an ISO date-time, e.g. 2003-03-03T07:00:00'); continue; }
    if (!isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) { bad.row(source, ln, 'DateTime', f[off], 'must be a calendar date (no such day)'); continue; }
    const calls = Number(f[off + 1]);
    if (f[off + 1] === '' || !Number.isInteger(calls) || calls < 0) { bad.row(source, ln, 'Calls', f[off + 1], 'must be a whole number >= 0'); continue; }
    const day = dayNumber(Number(m[1]), Number(m[2]), Number(m[3])), time = Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6] ?? 0);
    const at = bad.seenAt(`${day}|${time}`, source, ln);
    if (at !== null) { bad.row(source, ln, 'DateTime', f[off], `is the same time bin as ${at}: its calls would count twice`); continue; }
    out.push({ day, time, calls });
  }
  if (rows === 0) bad.file(source, undefined, 'has no rows after the header: a series must hold at least one count');
}

/**
 * Reads count series; every file's problems are reported together, bad rows counted
 * over all files (up to `maxBadRows` skipped and returned). A time bin given twice
 * (within a file or across files) is a bad row; the same file twice is refused.
 */
export function readCounts(files: readonly string[], o: ReadOptions = {}): { rows: CountRow[]; skippedRows: SkippedRow[] } {
  const bad = new BadRows(o.maxBadRows ?? 0);
  const rows: CountRow[] = [];
  for (const file of files) {
    const text = readLog(file, bad);
    if (text !== null) readCountsInto(text, basename(file), bad, rows);
  }
  const skippedRows = bad.settle(files.length === 1 ? basename(files[0]) : 'the count series');
  if (rows.length === 0) {
    throw new SimError('SIM_ERR_CALL_LOG', 'nothing to fit: no counts left', [{ path: 'LOG', value: files.join(' '), message: `must hold a good row (${skippedRows.length} bad rows skipped, none left)` }]);
  }
  return { rows: rows.sort((a, b) => a.day - b.day || a.time - b.time), skippedRows };
}

export interface DayOfWeekFit {
  days: number;
  /** Mean calls per interval (one day of this weekday). */
  perInterval: number[];
  dailyTotal: { mean: number; variance: number; dispersion: number; gammaCv: number };
}

export interface CountsFit {
  kind: 'counts';
  name: string;
  sources: string[];
  rows: number;
  calls: number;
  days: number;
  firstDate: string;
  lastDate: string;
  /** Bin of the series (seconds), detected; and the interval of the profiles. */
  binSeconds: number;
  interval: number;
  /** First and last bin of the day with counts (seconds since midnight). */
  open: number;
  close: number;
  byWeekday: Partial<Record<string, DayOfWeekFit>>;
  /** Pooled over weekdays: daily totals divided by their weekday's mean (gamma CV, method of moments). */
  pooled: { days: number; gammaCv: number; weekdayFactors: Partial<Record<string, number>> };
  /** Mean variance/mean of hourly counts across days of the same weekday (1 = Poisson). */
  hourlyDispersion: number;
  /** Mean offered calls per interval over all days: the scenario's profile. */
  perInterval: number[];
  /** Bad rows of the series skipped by `--max-bad-rows` (absent when none were). */
  skippedRows?: SkippedRow[];
}

const round = (x: number, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

export function fitCounts(rows: readonly CountRow[], o: { name: string; interval: number; sources: string[] }): CountsFit {
  if (rows.every((r) => r.calls === 0)) {
    throw new SimError('SIM_ERR_CALL_LOG', `cannot fit a scenario to ${o.sources.join(', ') || 'the series'}: the series lacks what it needs`,
      [{ path: 'LOG', value: `${rows.length} bins, 0 calls`, message: 'every count is 0: the arrival profile needs calls' }]);
  }
  const L = o.interval, nI = Math.round(DAY / L);
  const times = [...new Set(rows.map((r) => r.time))].sort((a, b) => a - b);
  if (times.length < 2) {
    // One time of day (daily totals, say): no bin to tell, and no intraday profile in it.
    throw new SimError('SIM_ERR_CALL_LOG', `cannot fit a scenario to ${o.sources.join(', ') || 'the series'}: the series lacks what it needs`,
      [{ path: 'LOG', value: `every count at ${hm(times[0])}`, message: 'counts at two times of day at least: the intraday profile is read from them (and the bin from their spacing)' }]);
  }
  let bin = Infinity;
  for (let i = 1; i < times.length; i++) bin = Math.min(bin, times[i] - times[i - 1]);
  // A bin longer than the interval would put its whole count into its first interval
  // (hourly counts at 15 minutes: every call in the hour's first quarter).
  if (L % bin !== 0) {
    throw new SimError('SIM_ERR_BAD_ARGUMENT', 'cctwin calibrate: interval does not fit the count series', [{ path: 'interval', value: L, message: `must be a multiple of the series bin (${bin} s), e.g. --interval ${bin * Math.max(1, Math.ceil(900 / bin))}` }]);
  }
  const byDay = new Map<number, number[]>();
  for (const r of rows) {
    const v = byDay.get(r.day) ?? new Array<number>(nI).fill(0);
    v[Math.min(nI - 1, Math.floor(r.time / L))] += r.calls;
    byDay.set(r.day, v);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const total = (d: number) => byDay.get(d)!.reduce((s, x) => s + x, 0);
  const byWeekday: CountsFit['byWeekday'] = {};
  const factors: Partial<Record<string, number>> = {};
  const ratios: number[] = [];
  const invMeans: number[] = [];
  const hourly: number[] = [];
  let groups = 0; // weekdays with 2 days or more
  for (let w = 0; w < 7; w++) {
    const ds = days.filter((d) => weekday(d) === w);
    if (ds.length === 0) continue;
    const per = new Array<number>(nI).fill(0);
    for (const d of ds) byDay.get(d)!.forEach((x, i) => { per[i] += x / ds.length; });
    const od = gammaOverdispersion(ds.map(total));
    byWeekday[WEEKDAYS[w]] = {
      days: ds.length, perInterval: per.map((x) => round(x, 2)),
      dailyTotal: { mean: round(od.mean, 1), variance: round(od.variance, 1), dispersion: round(od.dispersion, 2), gammaCv: round(od.gammaCv, 4) },
    };
    // A weekday seen once says nothing of the spread between days (its ratio is 1 by construction).
    if (ds.length > 1) { for (const d of ds) { ratios.push(total(d) / od.mean); invMeans.push(1 / od.mean); } groups++; }
    factors[WEEKDAYS[w]] = od.mean;
    // hourly variance/mean across the days of this weekday
    if (ds.length > 1) {
      for (let h = 0; h < 24; h++) {
        const c = ds.map((d) => byDay.get(d)!.reduce((s, x, i) => s + (Math.floor((i * L) / 3600) === h ? x : 0), 0));
        const m = mean(c);
        if (m >= 5) hourly.push(c.reduce((s, x) => s + (x - m) ** 2, 0) / (c.length - 1) / m);
      }
    }
  }
  // Pooled gamma CV: Var(total/mean of its weekday) = 1/m + c^2 (Poisson given the multiplier);
  // each weekday's ratios average 1 by construction, so the pooled variance has n - k
  // degrees of freedom (n days in k weekdays of 2 days or more).
  const rv = ratios.length > groups ? ratios.reduce((s, x) => s + (x - 1) ** 2, 0) / (ratios.length - groups) : NaN;
  const c2 = rv - mean(invMeans);
  const grand = mean(days.map(total));
  for (const k of Object.keys(factors)) factors[k] = round(factors[k]! / grand, 4);
  const all = new Array<number>(nI).fill(0);
  for (const d of days) byDay.get(d)!.forEach((x, i) => { all[i] += x / days.length; });
  return {
    kind: 'counts',
    name: o.name,
    sources: o.sources,
    rows: rows.length,
    calls: rows.reduce((s, r) => s + r.calls, 0),
    days: days.length,
    firstDate: dayLabel(days[0]),
    lastDate: dayLabel(days[days.length - 1]),
    binSeconds: bin,
    interval: L,
    open: times[0],
    close: times[times.length - 1] + bin,
    byWeekday,
    pooled: { days: ratios.length, gammaCv: round(Number.isFinite(c2) ? Math.sqrt(Math.max(0, c2)) : NaN, 4), weekdayFactors: factors },
    hourlyDispersion: round(mean(hourly), 2),
    perInterval: all.map((x) => round(x, 2)),
  };
}

const hm = (s: number) => `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;

/** Placeholder handle time of a counts-only scenario (NOT fitted: counts carry no service data). */
export const COUNTS_PLACEHOLDER_HANDLE = 300;

/**
 * The scenario of a count series: the mean profile over all days; handle time and
 * agents are placeholders (the series has no service data), marked as such.
 */
export function countsScenarioYaml(fit: CountsFit, sidecar: string): string {
  const wd = Object.entries(fit.byWeekday) as [string, DayOfWeekFit][];
  const agents = fit.perInterval.map((x) => (x > 0 ? Math.ceil((x * COUNTS_PLACEHOLDER_HANDLE) / fit.interval) + 1 : 0));
  const header = [
    '# yaml-language-server: $schema=../schema.json',
    '#',
    `# Fitted by \`cctwin calibrate --format counts\` from ${fit.sources.join(', ')}: ${fit.rows} bins of ${fit.binSeconds / 60} min,`,
    `# ${fit.calls} calls over ${fit.days} days (${fit.firstDate} to ${fit.lastDate}), open ${hm(fit.open)}-${hm(fit.close)}.`,
    `# The full fit (every weekday's profile) is in ${sidecar}. Written by a program.`,
    ...skippedLines(fit.skippedRows, sidecar),
    '#',
    `# Arrivals: mean calls per ${fit.interval / 60}-minute interval over all ${fit.days} days (${Math.round(fit.perInterval.reduce((s, x) => s + x, 0))} calls/day).`,
    '#   By day of week (daily total mean, gamma CV of the daily totals, days):',
    ...wd.map(([k, f]) => `#     ${k.padEnd(9)} ${f.dailyTotal.mean} calls/day, gamma CV ${acrossDays(f.dailyTotal.gammaCv)}, ${f.days} days`),
    `#   Pooled day-level gamma CV (totals over their weekday's mean): ${acrossDays(fit.pooled.gammaCv)} over ${fit.pooled.days} days;`,
    `#   hourly counts variance/mean ${acrossDays(fit.hourlyDispersion, HOURLY_NEEDS)} (1 = Poisson).`,
    `# Handle time and agents: PLACEHOLDERS, NOT FITTED (a count series has no service data):`,
    `#   exponential handle time of mean ${COUNTS_PLACEHOLDER_HANDLE} s; agents = offered load with it, rounded up, plus one; no abandonment.`,
    '',
  ].join('\n');
  const body = {
    name: fit.name,
    description: `arrival profile of ${fit.firstDate}..${fit.lastDate} from counts; handle time and agents are placeholders`,
    seed: 1,
    horizon: '24h',
    interval: fit.interval,
    arrivals: { perInterval: fit.perInterval },
    handleTime: { kind: 'exponential', mean: COUNTS_PLACEHOLDER_HANDLE },
    agents,
    serviceLevel: { threshold: 20, target: 0.8 },
  };
  const doc = new Document(body);
  visit(doc, { Seq(_, node) { if (isSeq(node) && node.items.length > 4) node.flow = true; } });
  return header + doc.toString({ lineWidth: 0 });
}
