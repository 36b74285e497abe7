import { parseDuration } from '../config/duration.ts';
import { WEEKDAYS } from '../config/demand-schema.ts';
import type { ShiftsFile } from '../config/shifts.ts';
import { shiftsError } from '../config/shifts.ts';
import type { Issue } from '../errors.ts';

/**
 * Shift templates on a scenario's interval grid: every time in whole intervals, each
 * start's break placements worked out, each template's days, sites, groups and cost.
 * What this needs of the scenario is passed in (ScheduleGrid), so a problem can be built
 * in code as well as from files (tests, the benchmark).
 */

const DAY = 86400;
const dur = (v: unknown): number => parseDuration(v as number | string);

/** The scheduled horizon and what the scenario says about its days. */
export interface ScheduleGrid {
  /** interval length, seconds (divides a day) */
  readonly intervalLength: number;
  /** days scheduled: 1 or 7 (cyclic: the last day runs into the first) */
  readonly days: number;
  /** index into WEEKDAYS of day 0 (the scenario's calendar.startDay; default monday) */
  readonly startWeekday?: number;
  /** days of the horizon the scenario marks as special with a factor above 1 */
  readonly specialDays?: readonly number[];
  /** the scenario's sites and groups (names), to match the file's selectors */
  readonly sites: readonly string[];
  readonly groups: readonly { readonly name: string; readonly site: string }[];
}

export interface CompiledBreak {
  readonly name: string;
  /** intervals */
  readonly length: number;
}

/** One template on the grid. Times are in intervals; starts are intervals of the day. */
export interface CompiledTemplate {
  readonly name: string;
  /** its index in the file (for messages) */
  readonly index: number;
  readonly length: number;
  readonly breaks: readonly CompiledBreak[];
  /** the starts that can take every break, intervals of the day, ascending */
  readonly starts: readonly number[];
  /** per start (same order), per break, the offsets (intervals from the shift's start) its break may start at */
  readonly placements: readonly (readonly (readonly number[])[])[];
  /** cost per agent by site name (every site of the grid) */
  readonly cost: Readonly<Record<string, number>>;
  readonly min: number;
  readonly max: number | null;
  /** may group g (index into grid.groups) work it? */
  readonly groups: readonly boolean[];
  /** may it start on day d? */
  readonly days: readonly boolean[];
}

export interface CompiledShifts {
  readonly templates: readonly CompiledTemplate[];
  /** heads per day, by site name and by group index (absent: no limit) */
  readonly headcount: { readonly sites: ReadonlyMap<string, number>; readonly groups: ReadonlyMap<number, number> };
  /** what was left out and why (selectors naming nothing in the scenario, starts with no room for a break) */
  readonly notes: readonly string[];
}

/** `hh:mm` of a time of day in seconds. */
export function clock(seconds: number): string {
  const s = ((seconds % DAY) + DAY) % DAY;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.round(s % 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}${sec ? `:${String(sec).padStart(2, '0')}` : ''}`;
}

const onGrid = (seconds: number, L: number) => Math.abs(seconds / L - Math.round(seconds / L)) < 1e-9;

/** The offsets (intervals) a break of `b` intervals may start at in a shift starting at `start` (interval of the day). */
function placementsOf(
  br: NonNullable<ShiftsFile['input']['templates'][number]['breaks']>[number],
  start: number, lengthI: number, bI: number, L: number,
): number[] {
  const from = br.window ? dur(br.window.from) : 0;
  const to = br.window ? dur(br.window.to) : lengthI * L;
  const inWindow: number[] = [];
  for (let p = 0; p + bI <= lengthI; p++) {
    if (p * L >= from - 1e-9 && (p + bI) * L <= to + 1e-9) inWindow.push(p);
  }
  const clocks = br.timesOfDay ?? [];
  if (clocks.length === 0) return inWindow;
  const atClock = inWindow.filter((p) => {
    const a = ((start + p) * L) % DAY;
    return clocks.some((w) => a >= dur(w.from) - 1e-9 && a + bI * L <= dur(w.to) + 1e-9);
  });
  return atClock.length > 0 ? atClock : inWindow;
}

/**
 * The file's templates on the grid. Problems that make the file unusable on this grid
 * (a length or start off the grid, breaks that could overlap) are one SimError with
 * the file's paths and lines; selectors that name nothing here become notes.
 */
export function compileShifts(file: ShiftsFile, grid: ScheduleGrid): CompiledShifts {
  const L = grid.intervalLength;
  const issues: Issue[] = [];
  const notes: string[] = [];
  const siteSet = new Set(grid.sites);
  const groupIndex = new Map(grid.groups.map((g, i) => [g.name, i]));
  const gridText = `the scenario's ${L / 60 >= 1 && L % 60 === 0 ? `${L / 60}-minute` : `${L} s`} interval grid`;
  const templates: CompiledTemplate[] = [];
  const special = new Set(grid.specialDays ?? []);
  file.input.templates.forEach((t, ti) => {
    const at = `templates[${ti}]`;
    const len = dur(t.length);
    if (!onGrid(len, L)) issues.push({ path: `${at}.length`, value: t.length, message: `must be a whole number of intervals on ${gridText}` });
    let starts: number[] = [];
    if (Array.isArray(t.starts)) {
      t.starts.forEach((s, k) => {
        if (!onGrid(dur(s), L)) issues.push({ path: `${at}.starts[${k}]`, value: s, message: `must lie on ${gridText}` });
        else starts.push(Math.round(dur(s) / L));
      });
    } else {
      const from = dur(t.starts.from), to = dur(t.starts.to), every = dur(t.starts.every);
      if (!onGrid(from, L)) issues.push({ path: `${at}.starts.from`, value: t.starts.from, message: `must lie on ${gridText}` });
      if (!onGrid(every, L)) issues.push({ path: `${at}.starts.every`, value: t.starts.every, message: `must be a whole number of intervals on ${gridText}` });
      if (onGrid(from, L) && onGrid(every, L)) {
        for (let s = from; s <= to + 1e-9; s += every) starts.push(Math.round(s / L));
      }
    }
    starts = [...new Set(starts)].sort((a, b) => a - b);
    const breaks = (t.breaks ?? []).map((b, k) => {
      const bl = dur(b.length);
      if (!onGrid(bl, L)) issues.push({ path: `${at}.breaks[${k}].length`, value: b.length, message: `must be a whole number of intervals on ${gridText}` });
      return { name: b.name ?? `break ${k + 1}`, length: Math.max(1, Math.round(bl / L)) };
    });
    if (issues.length > 0) return;
    const lengthI = Math.round(len / L);
    const kept: number[] = [], placements: number[][][] = [], dropped: number[] = [];
    for (const s of starts) {
      const per = (t.breaks ?? []).map((b, k) => placementsOf(b, s, lengthI, breaks[k].length, L));
      if (per.some((p) => p.length === 0)) { dropped.push(s); continue; }
      // Breaks are taken in order and never overlap: every placement of one ends before any of the next starts.
      for (let k = 0; k + 1 < per.length; k++) {
        const lastEnd = Math.max(...per[k]) + breaks[k].length, nextStart = Math.min(...per[k + 1]);
        if (lastEnd > nextStart) {
          issues.push({
            path: `${at}.breaks[${k + 1}]`,
            message: `may overlap ${breaks[k].name} for shifts starting at ${clock(s * L)} (${breaks[k].name} may end at ${clock((s + lastEnd) * L)}, ${breaks[k + 1].name} may start at ${clock((s + nextStart) * L)}): give the breaks windows that follow one another`,
          });
          return;
        }
      }
      kept.push(s);
      placements.push(per);
    }
    if (dropped.length > 0) notes.push(`${t.name}: ${dropped.length} start${dropped.length === 1 ? '' : 's'} (${dropped.slice(0, 4).map((s) => clock(s * L)).join(', ')}${dropped.length > 4 ? ', ...' : ''}) left out: no room for a break in its window`);
    const cost: Record<string, number> = {};
    for (const site of grid.sites) cost[site] = t.siteCost?.[site] ?? t.cost;
    for (const site of Object.keys(t.siteCost ?? {})) if (!siteSet.has(site)) notes.push(`${at}.siteCost.${site}: the scenario has no site ${site} (ignored)`);
    for (const site of t.sites ?? []) if (!siteSet.has(site)) notes.push(`${at}.sites: the scenario has no site ${site} (ignored)`);
    for (const g of t.groups ?? []) if (!groupIndex.has(g)) notes.push(`${at}.groups: the scenario has no agent group ${g} (ignored)`);
    const groups = grid.groups.map((g) => (t.sites === undefined || t.sites.includes(g.site)) && (t.groups === undefined || t.groups.includes(g.name)));
    const days = Array.from({ length: grid.days }, (_, d) => t.days === undefined || t.days.some((x) => {
      if (typeof x === 'number') return x === d;
      if (x === 'special') return special.has(d);
      return WEEKDAYS[((grid.startWeekday ?? 0) + d) % 7] === x;
    }));
    for (const x of t.days ?? []) if (typeof x === 'number' && x >= grid.days) notes.push(`${at}.days: day ${x} is past the ${grid.days}-day schedule (ignored)`);
    if (!groups.some(Boolean)) notes.push(`${t.name}: no agent group of the scenario may work it (its sites and groups select none)`);
    else if (!days.some(Boolean)) notes.push(`${t.name}: not used: none of its days (${(t.days ?? []).join(', ')}) is in the ${grid.days}-day schedule${(t.days ?? []).includes('special') ? ' (special: the scenario\'s calendar.specialDays with a factor above 1)' : ''}`);
    if (kept.length === 0 && starts.length > 0) notes.push(`${t.name}: not used: no start leaves room for its breaks`);
    templates.push({
      name: t.name, index: ti, length: lengthI, breaks, starts: kept, placements, cost,
      min: t.min!, max: t.max ?? null, groups, days,
    });
  });
  if (issues.length > 0) throw shiftsError(file.source, issues, file.lineOf, `does not fit ${gridText}: it has`);
  const sites = new Map<string, number>();
  for (const [site, n] of Object.entries(file.input.headcount?.sites ?? {})) {
    if (siteSet.has(site)) sites.set(site, n);
    else notes.push(`headcount.sites.${site}: the scenario has no site ${site} (ignored)`);
  }
  const groups = new Map<number, number>();
  for (const [name, n] of Object.entries(file.input.headcount?.groups ?? {})) {
    const g = groupIndex.get(name);
    if (g !== undefined) groups.set(g, n);
    else notes.push(`headcount.groups.${name}: the scenario has no agent group ${name} (ignored)`);
  }
  return { templates, headcount: { sites, groups }, notes };
}
