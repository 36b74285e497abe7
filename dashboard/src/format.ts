/**
 * Numbers and times as the dashboard shows them: every number with its unit, times on
 * the scenario's clock (hh:mm from the start of the day, "day N" past the first day).
 * Pure functions (tested in test/dashboard).
 */

export const DASH = '—';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const upTo1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const ok = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** A share as a percentage: 0.75629 -> "75.6%". */
export function pct(x: number | null | undefined, digits = 1): string {
  return ok(x) ? `${fixed(digits).format(x * 100)}%` : DASH;
}

/** A share's CI half-width in percentage points: 0.0102 -> "± 1.0 pp". */
export function pctCi(ci: number | null | undefined, digits = 1): string {
  return ok(ci) ? `± ${fixed(digits).format(ci * 100)} pp` : '';
}

/** A count: 222253 -> "222,253"; fractional means below 100 keep one decimal (80.33 -> "80.3"). */
export function count(x: number | null | undefined): string {
  if (!ok(x)) return DASH;
  if (Math.abs(x) < 100 && !Number.isInteger(x)) return fixed(1).format(x);
  return grouped.format(x);
}

/**
 * A duration in seconds with its unit: under 10 minutes in seconds ("178.6 s"), under
 * 2 hours in minutes ("84 min"), then hours ("5.2 h").
 */
export function seconds(x: number | null | undefined): string {
  if (!ok(x)) return DASH;
  const a = Math.abs(x);
  if (a < 600) return `${fixed(1).format(x)} s`;
  if (a < 7200) return `${grouped.format(x / 60)} min`;
  return `${fixed(1).format(x / 3600)} h`;
}

/** The CI of a duration in the unit `seconds()` picks for the value. */
export function secondsCi(value: number | null | undefined, ci: number | null | undefined): string {
  if (!ok(ci) || !ok(value)) return '';
  const a = Math.abs(value);
  if (a < 600) return `± ${fixed(1).format(ci)} s`;
  if (a < 7200) return `± ${grouped.format(ci / 60)} min`;
  return `± ${fixed(1).format(ci / 3600)} h`;
}

/**
 * One unit for a duration axis, from the largest value on it (ticks in one unit, not
 * "450 s" next to "10 min"): seconds under 10 minutes, minutes under 2 hours, then hours.
 * The values are divided by `div` before charting, so that the axis' ticks are round in
 * the unit; `format` writes a divided value with the unit.
 */
export function durationAxis(max: number): { unit: 's' | 'min' | 'h'; div: number; format: (v: number) => string } {
  const [unit, div] = !(max >= 600) ? (['s', 1] as const) : max < 7200 ? (['min', 60] as const) : (['h', 3600] as const);
  return { unit, div, format: (v) => `${upTo1.format(v)} ${unit}` };
}

/** Money in RMB: 791851.4 -> "RMB 791,851". */
export function rmb(x: number | null | undefined): string {
  return ok(x) ? `RMB ${grouped.format(x)}` : DASH;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A time on the scenario's clock (simulated seconds from the start): "10:00" on the
 * first day, "day 2 01:00" after; with `withSeconds`, "10:00:05".
 */
export function clock(t: number | null | undefined, withSeconds = false): string {
  if (!ok(t)) return DASH;
  const s = Math.floor(t + 1e-6);
  const day = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const hm = `${two(h)}:${two(m)}${withSeconds ? `:${two(sec)}` : ''}`;
  return day > 0 ? `day ${day + 1} ${hm}` : hm;
}

/** An axis tick: "day N" when the ticks are whole days apart, else the clock ("10:00", "day 2 06:00"). */
export function tick(t: number, step: number): string {
  if (step >= 86400 && t % 86400 === 0) return `day ${t / 86400 + 1}`;
  return clock(t);
}

/** An interval on the clock: "10:00–10:30"; the end at midnight is "24:00" of its day; across days both sides say theirs. */
export function interval(start: number, end: number): string {
  const a = clock(start);
  const sameDay = Math.floor(start / 86400) === Math.floor((end - 1e-6) / 86400);
  if (sameDay && end % 86400 === 0) return `${a}–24:00`;
  if (sameDay) return `${a}–${clock(end).replace(/^day \d+ /, '')}`;
  return `${a}–${clock(end)}`;
}

/** A length of time for labels: 1800 -> "30 min", 7200 -> "2 h", 86400 -> "1 day", 604800 -> "7 days". */
export function span(sec: number): string {
  if (sec % 86400 === 0) return sec === 86400 ? '1 day' : `${sec / 86400} days`;
  if (sec % 3600 === 0) return `${sec / 3600} h`;
  if (sec % 60 === 0) return `${sec / 60} min`;
  return `${sec} s`;
}

/** The unit family of a KPI (README "KPI definitions"). */
export type Unit = 'share' | 'seconds' | 'count' | 'rmb' | 'per10k' | 'dpmo' | 'sigma' | 'agents';

const SHARES = new Set(['serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'occupancy', 'replyOnTime', 'customerLossRate', 'defectRate', 'accuracy', 'repeatContactRate', 'firstContactResolution', 'complaintReplyOnTime']);
const SECONDS = new Set(['asa', 'aht', 'wrapTime']);
const MONEY = new Set(['cost', 'compensation']);

export function unitOf(kpi: string): Unit {
  if (SHARES.has(kpi)) return 'share';
  if (SECONDS.has(kpi)) return 'seconds';
  if (MONEY.has(kpi)) return 'rmb';
  if (kpi === 'complaintsPer10k') return 'per10k';
  if (kpi === 'dpmo') return 'dpmo';
  if (kpi === 'sigmaLevel') return 'sigma';
  return 'count';
}

/** Shares that read better with two decimals (accuracy near 99.9%). */
const PRECISE = new Set(['accuracy', 'defectRate']);

/** A KPI's value with its unit. */
export function kpi(name: string, x: number | null | undefined): string {
  switch (unitOf(name)) {
    case 'share': return pct(x, PRECISE.has(name) ? 2 : 1);
    case 'seconds': return seconds(x);
    case 'rmb': return rmb(x);
    case 'per10k': return ok(x) ? `${fixed(1).format(x)} per 10k` : DASH;
    case 'dpmo': return ok(x) ? `${grouped.format(x)} DPMO` : DASH;
    case 'sigma': return ok(x) ? `${fixed(2).format(x)} σ` : DASH;
    default: return count(x);
  }
}

/** A KPI's 95% CI half-width in its unit ("" when there is none). */
export function kpiCi(name: string, e: { mean: number | null; ci95: number | null } | undefined): string {
  if (!e || !ok(e.ci95)) return '';
  switch (unitOf(name)) {
    case 'share': return pctCi(e.ci95, PRECISE.has(name) ? 2 : 1);
    case 'seconds': return secondsCi(e.mean, e.ci95);
    case 'rmb': return `± ${rmb(e.ci95)}`;
    default: return `± ${count(e.ci95)}`;
  }
}

/** A signed difference in the KPI's unit: "+2.3 pp", "−12.0 s", "+1,204". */
export function diff(name: string, d: number | null | undefined): string {
  if (!ok(d)) return DASH;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const a = Math.abs(d);
  switch (unitOf(name)) {
    case 'share': return `${sign}${fixed(PRECISE.has(name) ? 2 : 1).format(a * 100)} pp`;
    case 'seconds': return `${sign}${seconds(a)}`;
    case 'rmb': return `${sign}${rmb(a)}`;
    default: return `${sign}${count(a)}`;
  }
}

/** An SLA target with its direction and unit: ">= 95.0%" as "≥ 95.0%", "≤ 180.0 s". */
export function target(s: { kpi: string; target: number; direction: 'min' | 'max' }): string {
  return `${s.direction === 'min' ? '≥' : '≤'} ${kpi(s.kpi, s.target)}`;
}

/** Readable names of the KPIs the dashboard shows. */
export const KPI_LABEL: Record<string, string> = {
  serviceLevel: 'service level',
  abandonRate: 'abandonment',
  asa: 'ASA',
  aht: 'AHT',
  occupancy: 'occupancy',
  accuracy: 'accuracy',
  complaintReplyOnTime: 'complaints replied on time',
  replyOnTime: 'replied on time',
  cost: 'cost',
  offered: 'offered',
  answered: 'answered',
  abandoned: 'abandoned',
  arrivals: 'arrivals',
  backlog: 'backlog',
  overdue: 'overdue',
  defectRate: 'defect rate',
  complaints: 'complaints',
  customerLossRate: 'customers lost',
};

export const label = (k: string) => KPI_LABEL[k] ?? k;

/** A scope as words: "byChannel.phone" -> "phone", "totals" -> "all channels", "bySite.nantong" -> "nantong". */
export function scope(s: string): string {
  if (s === 'totals') return 'center';
  const [, name] = s.split('.');
  return name ?? s;
}

/** An ISO date as "2026-12-03 08:40" (local time of the browser). */
export function when(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A twin's speed: 600 -> "600×", 'max' -> "max". */
export function speed(s: number | 'max' | null | undefined): string {
  if (s === 'max') return 'max';
  return ok(s) ? `${grouped.format(s)}×` : DASH;
}
