import type { Issue } from '../errors.ts';
import { Clone, Default } from 'typebox/value';
import type { CalendarInput, OverdispersionInput, ProfileInput, ShockInput } from './demand-schema.ts';
import { DemandSchema, DemandTypeSchema, WEEKDAYS } from './demand-schema.ts';
import { parseDuration } from './duration.ts';

const DAY = 86400;

/**
 * At most this many decaying shocks may overlap on one contact type. The exact
 * interval average of a product of n fading excesses has up to 2^n exponential
 * terms; 12 keeps the worst case at 4,096 terms per interval, far beyond any real
 * scenario (a typhoon and a strike at once is already rare).
 */
export const MAX_OVERLAPPING_DECAYS = 12;

/**
 * A decay tail is cut where its excess falls below e^-40 (4e-18) of the normal
 * rate: past that point 1 + excess rounds to 1 in double precision, so the cut
 * changes no number and keeps long horizons from carrying every tail to the end.
 */
const TAIL_CONSTANTS = 40;

/** A contact type as the demand model sees it: what it is (for selectors) and how much of it there is. */
export interface DemandTypeInput {
  name: string;
  product: string;
  language: string;
  channel: string;
  /** Expected contacts on an ordinary day (all factors 1). */
  perDay: number;
  /** Name of an intraday profile (the schema's default: "flat"). */
  profile?: string;
}

/** The parsed demand fragments of a scenario file (the Static types of sim/src/config/demand-schema.ts). */
export interface DemandInput {
  calendar?: CalendarInput;
  profiles?: Record<string, ProfileInput>;
  overdispersion?: OverdispersionInput;
  shocks?: ShockInput[];
}

/**
 * The compiled demand: deterministic expected rates per type and interval, plus the
 * overdispersion the engine applies per replication (sim/src/model/demand.ts).
 * Plain arrays and numbers, so it is JSON- and structured-clone-safe.
 */
export interface DemandConfig {
  /** Expected arrivals per second, [type][interval], after profile, day of week, special days and shocks. */
  readonly rates: number[][];
  /** CV of the gamma day multiplier (mean 1, one per day, shared by all types); 0 = none. */
  readonly dayCv: number;
  /** CV of the gamma multiplier per type and interval (mean 1); 0 = none. */
  readonly intervalCv: number;
  /** Intervals in a day: interval i lies in day floor(i / intervalsPerDay). */
  readonly intervalsPerDay: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The demand input and types with the schema's defaults filled in (copies). A
 * scenario's have them already; this is for callers that build demand input in code.
 */
function withDemandDefaults(input: DemandInput, types: readonly DemandTypeInput[]): [DemandInput, DemandTypeInput[]] {
  return [
    Default(DemandSchema, Clone(input)) as DemandInput,
    types.map((t) => Default(DemandTypeSchema, { ...t }) as DemandTypeInput),
  ];
}

function matches(sel: string, t: DemandTypeInput): boolean {
  return sel === t.name || sel === t.product || sel === t.language || sel === t.channel;
}

/** Selectors omitted = every type. */
function selected(sels: readonly string[] | undefined, t: DemandTypeInput): boolean {
  return sels === undefined || sels.some((s) => matches(s, t));
}

const uniq = (xs: string[]): string => [...new Set(xs)].join(', ');

function selectorIssues(path: string, sels: unknown, types: readonly DemandTypeInput[], out: Issue[]): void {
  if (!Array.isArray(sels)) return;
  sels.forEach((s, j) => {
    if (typeof s !== 'string' || types.some((t) => matches(s, t))) return;
    out.push({
      path: `${path}[${j}]`,
      value: s,
      message: `matches no contact type; known names: ${uniq(types.map((t) => t.name))}; products: ${uniq(types.map((t) => t.product))}; `
        + `languages: ${uniq(types.map((t) => t.language))}; channels: ${uniq(types.map((t) => t.channel))}`,
    });
  });
}

/** Intervals per day, or NaN when the interval does not divide a day. */
function intervalsPerDay(L: number): number {
  if (!isNum(L) || L <= 0) return NaN;
  const n = DAY / L;
  return Math.abs(n - Math.round(n)) < 1e-9 && Math.round(n) >= 1 ? Math.round(n) : NaN;
}

/** A profile of n equal slots fits when each interval holds whole slots or each slot whole intervals. */
const fits = (n: number, ipd: number): boolean => ipd % n === 0 || n % ipd === 0;

interface CompiledShock {
  readonly start: number;
  /** End of the full multiplier. */
  readonly end: number;
  /** Where the decay tail is cut (= end without decay). */
  readonly tailEnd: number;
  readonly m: number;
  /** Decay time constant, seconds (0 = none). */
  readonly tau: number;
}

function compileShock(s: ShockInput): CompiledShock | null {
  const start = parseDuration(s.start as number | string);
  const dur = parseDuration(s.duration as number | string);
  const tau = parseDuration(s.decay as number | string);
  if (!isNum(start) || !isNum(dur) || !isNum(tau) || !isNum(s.multiplier) || s.multiplier === 1) return null;
  const end = start + dur;
  const excess = Math.abs(s.multiplier - 1);
  const tailEnd = tau > 0 ? end + tau * Math.max(0, TAIL_CONSTANTS + Math.log(excess)) : end;
  return { start, end, tailEnd, m: s.multiplier, tau };
}

/**
 * Every problem with the demand input at once, as checks of meaning a JSON Schema
 * cannot express: names that must exist, lengths that depend on the interval,
 * indices and times that depend on the horizon. Shape and sign (multiplier >= 0,
 * perDay >= 0, weights >= 0) are the schema's job, and this function tolerates
 * input that also has schema errors, so the author sees everything in one pass.
 *
 * `horizon` and `intervalLength` are in seconds; paths are those of the scenario
 * file (`profiles.ctrip-weekday`, `contactTypes[2].profile`, `shocks[0].types[1]`).
 */
export function demandIssues(raw: DemandInput, rawTypes: DemandTypeInput[], horizon: number, intervalLength: number): Issue[] {
  const [input, types] = withDemandDefaults(raw, rawTypes);
  const out: Issue[] = [];
  const ipd = intervalsPerDay(intervalLength);
  if (isNum(intervalLength) && intervalLength > 0 && !isNum(ipd)) {
    out.push({ path: 'interval', value: intervalLength, message: 'must divide a day (86400 s) into whole intervals, e.g. 15m, 30m or 1h' });
  }
  const profiles = input.profiles ?? {};
  for (const [name, p] of Object.entries(profiles)) {
    const path = `profiles.${name}`;
    if (name === 'flat' && p !== 'flat') {
      out.push({ path, value: p, message: 'the name "flat" is reserved for the uniform profile; choose another name' });
      continue;
    }
    if (!Array.isArray(p)) continue;
    if (p.length > 0 && isNum(ipd) && !fits(p.length, ipd)) {
      const min = intervalLength / 60;
      out.push({
        path, value: `${p.length} values`,
        message: `must split the day into slots of whole ${min}-minute intervals or whole intervals into slots: ${ipd} values (one per interval), `
          + `a divisor of ${ipd} (e.g. 24 for hourly weights), or a multiple of ${ipd}`,
      });
    }
    if (p.length > 0 && p.every((w) => w === 0)) out.push({ path, value: p, message: 'weights must not all be 0' });
  }
  const known = ['flat', ...Object.keys(profiles).filter((k) => k !== 'flat')];
  types.forEach((t, i) => {
    if (t.profile !== undefined && t.profile !== 'flat' && !(t.profile in profiles)) {
      out.push({ path: `contactTypes[${i}].profile`, value: t.profile, message: `is not a profile; known: ${known.join(', ')}` });
    }
  });
  const okHorizon = isNum(horizon) && horizon > 0;
  const nDays = okHorizon ? Math.ceil(horizon / DAY - 1e-9) : NaN;
  (input.calendar?.specialDays ?? []).forEach((sd, k) => {
    const path = `calendar.specialDays[${k}]`;
    if (isNum(nDays) && isNum(sd.day) && sd.day >= nDays) {
      out.push({ path: `${path}.day`, value: sd.day, message: `must be within the horizon: a day index from 0 to ${nDays - 1}` });
    }
    selectorIssues(`${path}.types`, sd.types, types, out);
  });
  const shocks = input.shocks ?? [];
  shocks.forEach((s, k) => {
    const start = parseDuration(s.start as number | string);
    if (okHorizon && isNum(start) && start >= horizon) {
      out.push({ path: `shocks[${k}].start`, value: s.start, message: `must be before the end of the horizon (${horizon} s)` });
    }
    selectorIssues(`shocks[${k}].types`, s.types, types, out);
  });
  // Overlapping decay tails per type (see MAX_OVERLAPPING_DECAYS): a sweep over tail windows.
  const compiled = shocks.map(compileShock);
  for (const t of types) {
    const edges: [number, number][] = [];
    compiled.forEach((c, k) => {
      if (c && c.tau > 0 && selected(shocks[k].types, t)) edges.push([c.end, 1], [c.tailEnd, -1]);
    });
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let n = 0;
    for (const [time, d] of edges) {
      n += d;
      if (n > MAX_OVERLAPPING_DECAYS) {
        out.push({
          path: 'shocks', value: `${n} decaying shocks on ${t.name} at ${time} s`,
          message: `at most ${MAX_OVERLAPPING_DECAYS} decaying shocks may overlap on one contact type (a tail lasts ${TAIL_CONSTANTS} decay times)`,
        });
        return out; // one issue is enough: the same shocks usually overlap on many types
      }
    }
  }
  return out;
}

/** Shares of each interval of a day (sum 1): a coarse profile is split evenly, a fine one summed. */
function shares(p: ProfileInput | undefined, ipd: number): number[] {
  if (p === undefined || p === 'flat') return new Array<number>(ipd).fill(1 / ipd);
  const n = p.length;
  const total = p.reduce((s, w) => s + w, 0);
  const out = new Array<number>(ipd).fill(0);
  if (ipd % n === 0) {
    const k = ipd / n;
    for (let i = 0; i < ipd; i++) out[i] = p[Math.floor(i / k)] / (total * k);
  } else {
    const k = n / ipd;
    for (let j = 0; j < n; j++) out[Math.floor(j / k)] += p[j] / total;
  }
  return out;
}

/**
 * The average of the product of the shocks' multipliers over [a0, b0), exactly.
 * Between breakpoints (starts, ends, tail cuts) each shock is a constant or
 * 1 + e·exp(-(t - a)/tau); their product is a sum of exponentials, each integrated
 * in closed form. Terms with the same decay rate are merged, so k shocks sharing
 * one decay time give k + 1 terms, not 2^k.
 */
function shockAverage(shocks: readonly CompiledShock[], a0: number, b0: number): number {
  const pts = [a0, b0];
  for (const s of shocks) for (const x of [s.start, s.end, s.tailEnd]) if (x > a0 && x < b0) pts.push(x);
  pts.sort((x, y) => x - y);
  let total = 0;
  for (let p = 0; p + 1 < pts.length; p++) {
    const a = pts[p], b = pts[p + 1];
    if (b <= a) continue;
    const coef = [1], rate = [0];
    for (const s of shocks) {
      if (b <= s.start || a >= s.tailEnd) continue;
      if (a < s.end) {
        for (let j = 0; j < coef.length; j++) coef[j] *= s.m;
        continue;
      }
      const e = (s.m - 1) * Math.exp(-(a - s.end) / s.tau);
      const lam = 1 / s.tau;
      // (Σ c_j e^{-r_j t})(1 + e e^{-lam t}): the new terms come from the old coefficients only
      const old = coef.slice();
      for (let j = 0; j < old.length; j++) {
        const r = rate[j] + lam;
        const at = rate.indexOf(r);
        if (at >= 0) coef[at] += old[j] * e;
        else { coef.push(old[j] * e); rate.push(r); }
      }
    }
    const len = b - a;
    for (let j = 0; j < coef.length; j++) total += coef[j] * (rate[j] === 0 ? len : -Math.expm1(-rate[j] * len) / rate[j]);
  }
  return Math.max(0, total / (b0 - a0));
}

/**
 * Compiles validated demand input (demandIssues returned []) into expected arrival
 * rates per second for each type and interval of the horizon:
 *
 *   rate[t][i] = perDay_t · share_t(i mod day) / L · dayOfWeek(day) · special_t(day) · shock_t(i)
 *
 * where share is the profile's normalised weight, so a day's expected total is
 * perDay times that day's factors, and shock_t(i) is the exact average over the
 * interval of the shock multiplier m(t): 1 before the start, `multiplier` for
 * `duration`, then 1 + (multiplier - 1)·exp(-(t - end)/decay). Exponential decay is
 * memoryless (the excess halves every 0.69 decay times whatever happened before)
 * and adds (multiplier - 1)·decay seconds' worth of the normal rate in its tail.
 * Overlapping shocks on one type multiply, so an outage (multiplier 0) silences a
 * type even during a typhoon. Averaging exactly keeps the expected count right
 * when a shock starts mid-interval.
 */
export function compileDemand(raw: DemandInput, rawTypes: DemandTypeInput[], horizon: number, intervalLength: number): DemandConfig {
  const [input, types] = withDemandDefaults(raw, rawTypes);
  const L = intervalLength;
  const ipd = intervalsPerDay(L);
  const nI = Math.round(horizon / L);
  const nDays = Math.ceil(nI / ipd);
  const cal = input.calendar!;
  const start = WEEKDAYS.indexOf(cal.startDay!);
  const dow: number[] = [];
  for (let d = 0; d < nDays; d++) dow.push(cal.dayOfWeek![WEEKDAYS[(start + d) % 7]]!);
  const profiles = input.profiles!;
  const shareCache = new Map<string, number[]>();
  const shocks = input.shocks!.map((s) => ({ sels: s.types, c: compileShock(s) }));
  const rates = types.map((t) => {
    const name = t.profile!;
    let share = shareCache.get(name);
    if (!share) shareCache.set(name, (share = shares(profiles[name], ipd)));
    const day = dow.slice();
    for (const sd of cal.specialDays!) if (sd.day < nDays && selected(sd.types, t)) day[sd.day] *= sd.factor;
    const mine = shocks.filter((s) => s.c !== null && selected(s.sels, t)).map((s) => s.c as CompiledShock);
    const row = new Array<number>(nI);
    for (let i = 0; i < nI; i++) row[i] = (t.perDay * share[i % ipd] / L) * day[Math.floor(i / ipd)];
    // Only the intervals a shock window touches need an average.
    const touched = new Set<number>();
    for (const s of mine) {
      for (let i = Math.floor(s.start / L); i < Math.min(nI, Math.ceil(s.tailEnd / L)); i++) touched.add(i);
    }
    for (const i of touched) {
      const a = i * L, b = a + L;
      const active = mine.filter((s) => s.start < b && s.tailEnd > a);
      if (active.length > 0) row[i] *= shockAverage(active, a, b);
    }
    return row;
  });
  return {
    rates,
    dayCv: input.overdispersion!.dayCv!,
    intervalCv: input.overdispersion!.intervalCv!,
    intervalsPerDay: ipd,
  };
}
