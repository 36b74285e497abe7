import { staffFor } from '../analytic/staffing.ts';
import { WEEKDAYS } from '../config/demand-schema.ts';
import { parseDuration } from '../config/duration.ts';
import { isSingleQueue, type ModelConfig } from '../config/model-config.ts';
import type { ScenarioInput } from '../config/schema.ts';
import type { ShiftsFile } from '../config/shifts.ts';
import { SimError } from '../errors.ts';
import type { RunSummary } from '../metrics/summary.ts';
import { withAgents } from './agents-text.ts';
import type { Variant } from './overrides.ts';
import {
  DEFAULT_GAP, intervalRanges, solveShifts, ScheduleInfeasible,
  type ShiftProblem, type ShiftRow, type ShiftSolution, type SolverReport,
} from './shift-ip.ts';
import { compileShifts, type CompiledShifts, type ScheduleGrid } from './shifts.ts';

/**
 * `cctwin schedule`: a scenario's per-interval staffing (what each group must have on
 * the phones in each interval: the output of `cctwin staff`, or any scenario's agents
 * or shifts) turned into agents on shift templates at the least cost by an integer
 * program (shift-ip.ts, HiGHS), written back into the scenario as the agents present per
 * interval, and checked by simulation; with `repair`, the intervals the simulation finds
 * missing get the fewest added shifts, re-solved with the requirement the simulation
 * measured, for a few rounds. docs/scheduling.md describes the method.
 *
 * The simulation is passed in (`simulate`): this stage runs before the run store and
 * the CLI's sessions (docs/architecture.md); the CLI hands in its run path.
 */

const DAY = 86400;

/** What the schedule needs of a scenario, worked out once. */
export interface PreparedSchedule {
  readonly text: string;
  readonly source: string;
  readonly input: ScenarioInput;
  readonly cfg: ModelConfig;
  readonly grid: ScheduleGrid;
  readonly shiftsFile: ShiftsFile;
  readonly shifts: CompiledShifts;
  /** per group, per interval of the scheduled horizon (days x intervals per day) */
  readonly required: number[][];
  /** where each group's staffing lives in the file: agentGroups[i], or the top (single-queue form) */
  readonly paths: readonly (readonly (string | number)[])[];
  /** groups whose waiting targets a repair raises: those serving the channel the targets judge */
  readonly judged: readonly boolean[];
  readonly notes: string[];
}

export interface ScheduleOptions {
  /** 1 or 7 days (default: 7 for a scenario of a week or more, else 1) */
  readonly days?: number;
}

/** Reads the requirement off a compiled scenario (compileVariant: checked once, compiled once) and fits the shift file to its grid. */
export function prepareSchedule(scenario: Variant, source: string, shiftsFile: ShiftsFile, o: ScheduleOptions): PreparedSchedule {
  const { cfg, input, text } = scenario;
  const L = cfg.intervalLength;
  if (Math.abs(DAY / L - Math.round(DAY / L)) > 1e-9) {
    throw new SimError('SIM_ERR_SCENARIO_INVALID', `${source} cannot be scheduled`, [{ path: 'interval', value: input.interval, message: 'must divide a day (e.g. 15m, 30m, 1h) for shifts to start on its grid' }]);
  }
  const n = Math.round(DAY / L);
  const days = o.days ?? (cfg.horizon >= 7 * DAY - 1e-9 ? 7 : 1);
  const T = days * n;
  const nI = cfg.nIntervals;
  const notes: string[] = [];
  const center = !isSingleQueue(cfg);
  const groups = cfg.groups.map((g) => ({ name: g.name, site: cfg.sites[g.site].name }));
  const required = cfg.groups.map((g) => {
    const r = new Array<number>(T).fill(0);
    if (nI >= T) {
      // The scenario is at least as long as the schedule, which repeats over it: each interval needs the most any repeat needs.
      for (let i = 0; i < nI; i++) r[i % T] = Math.max(r[i % T], g.staffing[i]);
    } else if (nI % n === 0) {
      // Whole days, fewer than scheduled: the scenario's days repeat.
      for (let t = 0; t < T; t++) r[t] = g.staffing[t % nI];
    } else {
      for (let t = 0; t < nI; t++) r[t] = g.staffing[t];
    }
    return r;
  });
  if (nI > T) notes.push(`the scenario's ${Math.round(cfg.horizon / DAY * 10) / 10} days are scheduled as ${days === 1 ? 'one day that repeats' : 'one week that repeats'}: each interval gets the most agents any of its repeats requires`);
  else if (nI < T && nI % n === 0) notes.push(`the scenario's ${nI / n === 1 ? 'day repeats' : `${nI / n} days repeat`} over the ${days}-day schedule`);
  else if (nI < T) notes.push(`the scenario's horizon (${cfg.horizon / 3600} h) is ${nI < n ? 'shorter than a day' : 'not whole days'}: nothing is required after it, and the scheduled scenario keeps that horizon`);
  if (input.workforce && (input.workforce as { staffing?: string }).staffing === 'heads') {
    notes.push('workforce.staffing is heads: the groups\' agents are read as the plan of heads, and scheduled as if they were agents on the phones');
  }
  const paths = center ? cfg.groups.map((_, i) => ['agentGroups', i] as (string | number)[]) : [[]];
  if (center && (input.agentGroups ?? []).some((g) => g.shifts !== undefined)) {
    notes.push('groups given as shifts in the scenario get agents per interval in the scheduled scenario (with a workforce, its fatigue then counts standard 8-hour shifts)');
  }
  const judgedChannel = cfg.sla.find((t) => WAITING.has(lastPart(t.kpi)))?.kpi.match(/^byChannel\.([^.]+)\./)?.[1] ?? null;
  const judged = cfg.groups.map((g) => judgedChannel === null || g.queues.some((q, k) => g.backup[k] === 0 && g.blendBelow[k] === null && cfg.types.some((t) => t.queue === q && t.channel === judgedChannel)));
  const specialDays = (input.calendar?.specialDays ?? []).filter((s) => s.factor > 1).map((s) => s.day);
  const startDay = input.calendar?.startDay;
  const grid: ScheduleGrid = {
    intervalLength: L, days, sites: cfg.sites.map((s) => s.name), groups,
    startWeekday: startDay === undefined ? 0 : WEEKDAYS.indexOf(startDay as (typeof WEEKDAYS)[number]),
    specialDays,
  };
  const shifts = compileShifts(shiftsFile, grid);
  notes.push(...shifts.notes);
  if (shifts.templates.some((t) => t.breaks.length > 0)) {
    notes.push('breaks are netted out of the agents on the phones per interval in the scheduled scenario (the engine\'s staggered breaks follow a fixed rule, not the placement the schedule chose, and a scenario\'s shifts repeat daily: they cannot carry a week)');
  }
  return { text, source, input, cfg, grid, shiftsFile, shifts, required, paths, judged, notes };
}

/** KPIs of waiting that more agents in an interval improve: the targets a repair acts on. */
const WAITING = new Set(['serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa']);
const lastPart = (kpi: string) => kpi.split('.').pop() ?? kpi;

// ---------------------------------------------------------------- the scheduled scenario

/**
 * The scenario with each group's agents present per interval from the schedule, and
 * nothing else changed: the `agents` field of each group (or the `shifts` list it
 * replaces) is rewritten in place in the file's text, so comments, order, layout and
 * every other field stay as they were, byte for byte. A one-day schedule is written as
 * one day (it repeats over any horizon); a week as the horizon's intervals, with the
 * horizon set to 7d when the scenario was whole days shorter than a week (noted).
 */
export function scheduledScenarioText(prep: PreparedSchedule, present: readonly (readonly number[])[]): { text: string; notes: string[] } {
  const notes: string[] = [];
  const n = Math.round(DAY / prep.grid.intervalLength);
  const T = prep.grid.days * n;
  const nI = prep.cfg.nIntervals;
  // Only whole days repeat over the week: a scenario of part of a day (or of 60 h) has
  // no requirement, and no staffing, after its horizon, so it keeps its horizon.
  const longer = prep.grid.days === 7 && nI < T && nI % n === 0;
  const length = prep.grid.days === 1 ? n : longer ? T : nI;
  const lists = prep.paths.map((_, g) => Array.from({ length }, (_, i) => present[g][i % T]));
  if (longer) notes.push(`horizon set to 7d in the scheduled scenario: the schedule covers a week (the scenario was ${prep.cfg.horizon / 3600} h)`);
  const text = withAgents(prep.text, prep.paths, lists, longer ? '7d' : null);
  return { text, notes };
}

// ---------------------------------------------------------------- the check by simulation

export interface TargetCheck {
  readonly name: string;
  readonly kpi: string;
  readonly scope: string;
  readonly target: number;
  readonly direction: 'min' | 'max';
  readonly value: number | null;
  readonly met: boolean | null;
  /** intervals of the scheduled horizon whose mean misses the target */
  readonly missed: readonly number[];
  /** a waiting target (service level, abandonment, ASA): what more agents in an interval fix, and what a repair acts on */
  readonly waiting: boolean;
}

export interface ScheduleCheck {
  readonly replications: number;
  readonly targets: readonly TargetCheck[];
  /** every waiting target met, over the day and in every interval */
  readonly met: boolean;
  /** intervals (of the scheduled horizon) where a waiting target misses */
  readonly missed: readonly number[];
  /** the simulated scenario's phone (or judged channel) offered contacts and AHT per interval, for the repair */
  readonly summary: RunSummary;
}

export function checkOf(prep: PreparedSchedule, s: RunSummary): ScheduleCheck {
  const T = prep.grid.days * Math.round(DAY / prep.grid.intervalLength);
  const L = prep.grid.intervalLength;
  const targets = s.sla.map((t): TargetCheck => ({
    name: t.name, kpi: t.kpi, scope: t.scope, target: t.target, direction: t.direction, value: t.value, met: t.met,
    missed: [...new Set(t.missedIntervals.map((start) => Math.round(start / L) % T))].sort((a, b) => a - b),
    waiting: WAITING.has(t.kpi),
  }));
  const waiting = targets.filter((t) => t.waiting);
  const missed = [...new Set(waiting.flatMap((t) => t.missed))].sort((a, b) => a - b);
  return { replications: s.replications, targets, met: waiting.every((t) => t.met !== false) && missed.length === 0, missed, summary: s };
}

/**
 * The requirement the simulation measured where it missed: in each missed interval,
 * the agents an Erlang C queue with the simulated offered contacts and handle time needs
 * for the service-level target (the load as the simulation measured it: redials,
 * IVR, overflow and all), at least 2% more than were there (at least one agent), shared
 * among the judged groups in proportion to their agents there.
 */
export function measuredRequirement(prep: PreparedSchedule, present: readonly (readonly number[])[], current: readonly (readonly number[])[], check: ScheduleCheck, round: number): number[][] {
  const L = prep.grid.intervalLength;
  const T = prep.grid.days * Math.round(DAY / L);
  const next = current.map((r) => [...r]);
  const sl = prep.cfg.sla.find((t) => lastPart(t.kpi) === 'serviceLevel');
  const channel = sl?.kpi.match(/^byChannel\.([^.]+)\./)?.[1] ?? null;
  const judged = prep.judged.map((j, g) => (j ? g : -1)).filter((g) => g >= 0);
  for (const t of check.missed) {
    const have = judged.reduce((s, g) => s + present[g][t], 0);
    let need = 0;
    // The simulated intervals that fold onto t (a week of a longer scenario): the busiest.
    for (let i = t; i < check.summary.intervals.length; i += T) {
      const iv = check.summary.intervals[i];
      const k = channel === null ? iv : iv.byChannel?.[channel];
      const offered = k?.offered.mean ?? 0, aht = k?.aht.mean ?? NaN;
      if (!(offered > 0) || !(aht > 0)) continue;
      try {
        need = Math.max(need, staffFor({ arrivalRate: offered / L, aht, threshold: prep.cfg.threshold }, { serviceLevel: sl?.target ?? 0.8 }).agents);
      } catch {
        // an unattainable target at this load: the step below still adds agents
      }
    }
    const add = Math.max(need - have, Math.ceil(0.02 * round * have), 1);
    for (const g of judged) {
      const share = have > 0 ? present[g][t] / have : 1 / judged.length;
      if (share === 0) continue;
      next[g][t] = Math.max(next[g][t], present[g][t] + Math.ceil(add * share));
    }
  }
  return next;
}

// ---------------------------------------------------------------- the whole command

export interface RepairRound {
  readonly round: number;
  /** intervals the previous check found missing */
  readonly missed: readonly number[];
  /** agents added to the requirement, summed over groups and intervals */
  readonly raisedBy: number;
  /** agent shifts added, and what they cost */
  readonly addedShifts: number;
  readonly addedCost: number;
  readonly solver: SolverReport | null;
  /** why the round stopped the repair, when it did */
  readonly stopped?: string;
}

export interface ScheduleResult {
  readonly scenario: string;
  readonly file: string;
  readonly shiftsFile: string;
  readonly shiftsName: string;
  readonly days: number;
  readonly intervalLength: number;
  readonly groups: readonly { readonly name: string; readonly site: string }[];
  readonly templates: readonly { readonly name: string; readonly length: number; readonly starts: number; readonly breaks: readonly string[]; readonly used: number }[];
  /** the first solve (the cheapest schedule for the scenario's requirement) */
  readonly solver: SolverReport;
  /** the schedule in the end (after repairs, if any) */
  readonly cost: number;
  readonly agentShifts: number;
  readonly shifts: readonly ShiftRow[];
  readonly coverage: readonly { readonly interval: number; readonly start: number; readonly required: number; readonly scheduled: number; readonly over: number }[];
  readonly byGroup: readonly { readonly group: string; readonly site: string; readonly required: readonly number[]; readonly scheduled: readonly number[]; readonly over: readonly number[] }[];
  /** the check by simulation of the final schedule (absent with 0 replications) */
  readonly check: Omit<ScheduleCheck, 'summary'> | null;
  readonly checks: readonly Omit<ScheduleCheck, 'summary'>[];
  readonly repairs: readonly RepairRound[];
  readonly notes: readonly string[];
  /** the scheduled scenario (what --out writes) */
  readonly scheduledText: string;
  readonly interrupted: boolean;
}

export interface ScheduleRun {
  readonly timeLimit: number;
  readonly gap?: number;
  readonly replications: number;
  readonly repair: boolean;
  readonly maxRounds: number;
  /** runs the scheduled scenario (its text) and returns the summary, or null when stopped (Ctrl-C) */
  readonly simulate?: (text: string, label: string) => Promise<RunSummary | null>;
  /** progress lines (stderr) */
  readonly progress?: (line: string) => void;
  /** true once the command is asked to stop (Ctrl-C): the search ends with its best schedule, no further round starts */
  readonly stopped?: () => boolean;
}

const strip = ({ summary: _s, ...rest }: ScheduleCheck): Omit<ScheduleCheck, 'summary'> => rest;

/** Solves, checks by simulation, repairs. Throws ScheduleInfeasible / ScheduleTimeout for the first solve. */
export async function runSchedule(prep: PreparedSchedule, o: ScheduleRun): Promise<ScheduleResult> {
  const say = o.progress ?? (() => {});
  const base: ShiftProblem = { grid: prep.grid, shifts: prep.shifts, required: prep.required };
  say(`solving: ${prep.grid.groups.length} group${prep.grid.groups.length === 1 ? '' : 's'}, ${prep.grid.days} day${prep.grid.days === 1 ? '' : 's'} of ${prep.grid.intervalLength / 60}-minute intervals, ${prep.shifts.templates.length} templates (time limit ${o.timeLimit} s)`);
  const first = await solveShifts(base, { timeLimit: o.timeLimit, gap: o.gap ?? DEFAULT_GAP, stop: o.stopped });
  say(`solved: ${first.solver.status === 'optimal' ? `within the ${(first.solver.gapAsked * 100).toFixed(2)}% gap asked` : 'stopped by the time limit'}, cost ${first.cost.toLocaleString('en-US')}, gap ${(first.solver.gap * 100).toFixed(2)}%, ${first.solver.seconds.toFixed(1)} s`);
  let sol: ShiftSolution = first;
  let required = prep.required;
  const notes = [...prep.notes];
  const checks: ScheduleCheck[] = [];
  const repairs: RepairRound[] = [];
  let scheduled = scheduledScenarioText(prep, sol.present);
  notes.push(...scheduled.notes);
  let interrupted = false;
  if (o.replications > 0 && o.simulate) {
    for (let round = 0; ; round++) {
      if (o.stopped?.()) { interrupted = true; break; }
      say(`checking by simulation: ${o.replications} replication${o.replications === 1 ? '' : 's'}${round > 0 ? ` (after repair round ${round})` : ''}`);
      const summary = await o.simulate(scheduled.text, round === 0 ? 'schedule' : `repair ${round}`);
      if (summary === null) { interrupted = true; break; }
      const check = checkOf(prep, summary);
      checks.push(check);
      if (check.met || !o.repair) break;
      if (round >= o.maxRounds) break;
      const next = measuredRequirement(prep, sol.present, required, check, round + 1);
      const raisedBy = next.reduce((s, r, g) => s + r.reduce((a, x, t) => a + Math.max(0, x - required[g][t]), 0), 0);
      try {
        const fix = await solveShifts({ ...base, required: next, keep: sol.values, objective: 'shifts' }, { timeLimit: o.timeLimit, gap: o.gap ?? DEFAULT_GAP, stop: o.stopped });
        repairs.push({ round: round + 1, missed: check.missed, raisedBy, addedShifts: fix.agentShifts - sol.agentShifts, addedCost: fix.cost - sol.cost, solver: fix.solver });
        say(`repair round ${round + 1}: ${fix.agentShifts - sol.agentShifts} shifts added for ${check.missed.length} missed interval${check.missed.length === 1 ? '' : 's'}`);
        sol = fix;
        required = next;
        scheduled = scheduledScenarioText(prep, sol.present);
      } catch (e) {
        const why = e instanceof ScheduleInfeasible ? `infeasible: ${e.message}` : e instanceof Error && e.name === 'ScheduleTimeout' ? e.message : null;
        if (why === null) throw e;
        repairs.push({ round: round + 1, missed: check.missed, raisedBy, addedShifts: 0, addedCost: 0, solver: null, stopped: why });
        break;
      }
    }
  }
  const T = prep.grid.days * Math.round(DAY / prep.grid.intervalLength);
  const coverage = Array.from({ length: T }, (_, t) => {
    const req = prep.required.reduce((s, r) => s + r[t], 0);
    const got = sol.present.reduce((s, r) => s + r[t], 0);
    return { interval: t, start: t * prep.grid.intervalLength, required: req, scheduled: got, over: got - req };
  });
  const used = new Map<string, number>();
  for (const r of sol.rows) used.set(r.template, (used.get(r.template) ?? 0) + r.agents);
  const last = checks.length > 0 ? strip(checks[checks.length - 1]) : null;
  return {
    scenario: prep.cfg.name,
    file: prep.source,
    shiftsFile: prep.shiftsFile.source,
    shiftsName: prep.shiftsFile.input.name,
    days: prep.grid.days,
    intervalLength: prep.grid.intervalLength,
    groups: prep.grid.groups,
    templates: prep.shifts.templates.map((t) => ({
      name: t.name, length: t.length * prep.grid.intervalLength, starts: t.starts.length,
      breaks: t.breaks.map((b) => `${b.name} ${b.length * prep.grid.intervalLength / 60} min`), used: used.get(t.name) ?? 0,
    })),
    solver: first.solver,
    cost: sol.cost,
    agentShifts: sol.agentShifts,
    shifts: sol.rows,
    coverage,
    byGroup: prep.grid.groups.map((g, i) => ({
      group: g.name, site: g.site, required: prep.required[i], scheduled: sol.present[i], over: sol.present[i].map((x, t) => x - prep.required[i][t]),
    })),
    check: last,
    checks: checks.map(strip),
    repairs,
    notes,
    scheduledText: scheduled.text,
    interrupted,
  };
}

export { intervalRanges, ScheduleInfeasible };
export { ScheduleTimeout } from './shift-ip.ts';
export const parseHorizonDays = (raw: string): number | null => {
  const s = raw.trim();
  const v = parseDuration(/^\d+(\.\d+)?$/.test(s) ? Number(s) : s);
  if (Math.abs(v - DAY) < 1e-9) return 1;
  if (Math.abs(v - 7 * DAY) < 1e-9) return 7;
  return null;
};
