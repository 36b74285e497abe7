import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { LIMITS } from '../config/limits.ts';
import { loadShiftsFile } from '../config/shifts.ts';
import { defaultWorkers } from '../engine/cores.ts';
import { compileVariant, readScenarioText } from '../experiments/overrides.ts';
import {
  intervalRanges, parseHorizonDays, prepareSchedule, runSchedule, ScheduleInfeasible, ScheduleTimeout,
  type ScheduleResult, type TargetCheck,
} from '../experiments/schedule.ts';
import { clock } from '../experiments/shifts.ts';
import { executeRun } from '../runs/execute.ts';
import { withSession } from './execution.ts';
import { checkFiles } from './files.ts';
import { FlagChecker, readFiles } from './options.ts';
import { fmtKpi, table } from './table.ts';
import type { Io } from './io.ts';

/**
 * `cctwin schedule FILE [--shifts shifts.yaml] [--horizon 1d|7d] [--time-limit S]
 * [--repair] [--max-rounds K] [--replications R] [--out SCHEDULED.yaml] [--workers N]
 * [--json|--csv]`: the scenario's per-interval staffing turned into agents on shift
 * templates at the least cost (an integer program solved by HiGHS), checked by
 * simulation, and with --repair mended where the simulation misses
 * (sim/src/experiments/schedule.ts; docs/scheduling.md).
 *
 * Exit codes: 0 a schedule (whatever the check found: it is reported), 1 infeasible
 * (the intervals that cannot be covered are named) or no schedule within the time
 * limit, 2 bad input (flags, the scenario, the shift file), 128 + the signal when the
 * check is stopped. --out is written last, only with a schedule and a finished check.
 */

const DAY = 86400;

/** The packaged shift templates (found upwards from this module, in the sources or in dist/), else the path relative to here. */
export function defaultShiftsFile(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string };
      const file = new URL('scenarios/shifts/ctrip-shifts.yaml', dir);
      if (pkg.name === 'cctwin' && existsSync(file)) {
        // Shown relative to the working folder when it is inside it (the checkout).
        const abs = decodeURIComponent(file.pathname), rel = relative(process.cwd(), abs);
        return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
      }
    } catch {
      // no package.json here: look one folder up
    }
    if (dir.pathname === '/') return 'scenarios/shifts/ctrip-shifts.yaml';
  }
}

/** `day 1 07:30` (a week) or `07:30` (a day); an end at midnight is 24:00 of its day. */
function when(seconds: number, days: number, end = false): string {
  const d = Math.floor((end ? seconds - 1 : seconds) / DAY);
  const t = end && seconds % DAY === 0 ? '24:00' : clock(seconds);
  return days > 1 || d > 0 ? `day ${d} ${t}` : t;
}

const money = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 2 });

export async function cmdSchedule(io: Io, file: string, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const timeLimit = f.number('time-limit', o.timeLimit ?? '60', { exclusiveMin: 0, max: 86400 });
  const maxRounds = f.number('max-rounds', o.maxRounds ?? '3', { integer: true, min: 1, max: 100 });
  const replications = f.number('replications', o.replications ?? '10', { integer: true, min: 0, max: LIMITS.replications });
  const workers = f.number('workers', o.workers ?? String(defaultWorkers()), { integer: true, min: 1, max: LIMITS.workers });
  let days: number | undefined;
  if (o.horizon !== undefined) {
    days = parseHorizonDays(String(o.horizon)) ?? undefined;
    if (days === undefined) f.fail('horizon', o.horizon, 'must be 1d (a day that repeats) or 7d (a week that repeats)');
  }
  const json = Boolean(o.json), csv = Boolean(o.csv);
  if (json && csv) f.fail('csv', true, 'choose one of --json and --csv (both print to the standard output)');
  const repair = Boolean(o.repair);
  if (repair && replications === 0) f.fail('repair', true, 'needs the check by simulation: --replications at least 1');
  const shiftsPath = typeof o.shifts === 'string' ? o.shifts : defaultShiftsFile();
  const out = typeof o.out === 'string' ? o.out : null;
  checkFiles(f, {
    inputs: [{ flag: '', value: file, what: 'the scenario file' }, { flag: 'shifts', value: shiftsPath, what: 'the shift file' }],
    outputs: out !== null ? [{ flag: 'out', value: out, what: 'the scheduled scenario' }] : [],
  });
  // The scenario, the shift file and the shifts on the scenario's grid are read whatever
  // the flags: their problems join the flags' in one report (every problem at once).
  const read = readFiles(f, { scenario: { what: 'scenario', file }, shifts: { what: 'shift file', file: shiftsPath } });
  const scenario = read.attempt('scenario', () => compileVariant(readScenarioText(file), file, []));
  const shifts = read.attempt('shifts', () => loadShiftsFile(shiftsPath));
  const prep = scenario !== undefined && shifts !== undefined && (o.horizon === undefined || days !== undefined)
    // Its problems are the scenario's interval, or the shift file's fit to the grid.
    ? read.attempt((e) => (e.message.startsWith('shift file ') ? 'shifts' : 'scenario'), () => prepareSchedule(scenario, file, shifts, { days }))
    : undefined;
  read.done('schedule');
  if (prep === undefined) throw new Error('schedule: no problem reported, yet nothing read'); // done() threw
  const progress = (line: string) => { if (!json && !csv) io.err(line); };
  let outcome: { value: ScheduleResult; exitCode: (s: 'done' | 'interrupted') => number };
  try {
    outcome = await withSession(io, { workers: workers!, db: null, json: json || csv, tasks: replications! }, ({ ctx, interrupted }) => runSchedule(prep, {
      timeLimit: timeLimit!, replications: replications!, repair, maxRounds: maxRounds!, progress, stopped: interrupted,
      simulate: async (scheduled, label) => {
        const variant = compileVariant(scheduled, `${file} (${label})`, []);
        const r = await executeRun(ctx, { variant, replications: replications!, maxReplications: replications!, options: { schedule: label } });
        return r.status === 'interrupted' ? null : r.summary;
      },
    }));
  } catch (e) {
    if (e instanceof ScheduleInfeasible) {
      io.err(`infeasible: ${e.message}`);
      if (e.short.length > 0) {
        io.err(table(['group', 'site', 'interval', 'required', 'short by'], e.short.slice(0, 50).map((s) => [
          s.group, s.site, intervalRanges([s.interval], prep.grid), String(s.required), s.shortBy === null ? '-' : `at least ${s.shortBy}`,
        ])));
        if (e.short.length > 50) io.err(`... and ${e.short.length - 50} more intervals`);
      }
      io.err('nothing written');
      return 1;
    }
    if (e instanceof ScheduleTimeout) {
      io.err(`error: ${e.message}: HiGHS found no schedule that covers the requirement${e.bound !== null ? ` (no schedule costs less than ${money(e.bound)})` : ''}; give it more time (--time-limit)`);
      io.err('nothing written');
      return 1;
    }
    throw e;
  }
  const r = outcome.value;
  if (r.interrupted) {
    io.err('interrupted: the check by simulation was stopped; nothing written');
    if (json) io.out(JSON.stringify(resultJson(r, null), null, 2));
    return outcome.exitCode('interrupted');
  }
  if (out !== null) writeFileSync(out, r.scheduledText);
  if (json) io.out(JSON.stringify(resultJson(r, out), null, 2));
  else if (csv) io.out(scheduleCsv(r));
  else printSchedule(io, r, out);
  return 0;
}

/** The result object of --json: everything but the scheduled scenario's text (--out writes it). */
export function resultJson(r: ScheduleResult, out: string | null): object {
  const { scheduledText: _t, ...rest } = r;
  return { ...rest, out };
}

/** One line per set of agents with the same shift and breaks. */
export function scheduleCsv(r: ScheduleResult): string {
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['template,site,group,agents,start_day,start,end_day,end,breaks,cost_per_agent'];
  for (const s of r.shifts) {
    const endDay = Math.floor((s.end - 1) / DAY);
    lines.push([
      s.template, s.site, s.group, String(s.agents), String(Math.floor(s.start / DAY)), clock(s.start), String(endDay), s.end % DAY === 0 ? '24:00' : clock(s.end),
      s.breaks.map((b) => `${b.name} ${clock(b.start)}-${b.end % DAY === 0 ? '24:00' : clock(b.end)}`).join('; '), String(s.cost),
    ].map(cell).join(','));
  }
  return lines.join('\n');
}

function targetRow(t: TargetCheck, r: ScheduleResult): string[] {
  const missed = t.missed.length === 0 ? '-' : intervalRanges(t.missed, { intervalLength: r.intervalLength, days: r.days, sites: [], groups: [] });
  return [
    t.name, `${t.direction === 'min' ? '>=' : '<='} ${fmtKpi(t.kpi, t.target)}`, fmtKpi(t.kpi, t.value),
    t.met === null ? '-' : t.met ? 'yes' : 'NO', String(t.missed.length), missed.length > 60 ? `${missed.slice(0, 57)}...` : missed,
  ];
}

export function printSchedule(io: Io, r: ScheduleResult, out: string | null): void {
  const L = r.intervalLength;
  const s = r.solver;
  io.out(`${r.scenario}: ${r.days === 1 ? 'one day (it repeats)' : `${r.days} days (the week repeats)`} of ${r.coverage.length / r.days} intervals of ${L / 60} min, ${r.groups.length} agent group${r.groups.length === 1 ? '' : 's'}`);
  io.out(`shifts: ${r.shiftsName} (${r.shiftsFile}), ${r.templates.length} template${r.templates.length === 1 ? '' : 's'}`);
  io.out('');
  io.out(`solver: ${s.solver}, ${s.status === 'optimal' ? `within the ${(s.gapAsked * 100).toFixed(2)}% asked` : `stopped by the time limit (${s.timeLimit} s)`}: gap ${(s.gap * 100).toFixed(2)}% (cost ${money(s.objective)}, no schedule below ${money(s.bound)})`);
  io.out(`        ${s.seconds.toFixed(1)} s solving (${s.programs} program${s.programs === 1 ? '' : 's'}, ${s.variables.toLocaleString('en-US')} variables, ${s.constraints.toLocaleString('en-US')} constraints, ${s.nonzeros.toLocaleString('en-US')} nonzeros), ${s.buildSeconds.toFixed(1)} s building`);
  const repaired = r.repairs.filter((x) => x.stopped === undefined);
  io.out(`schedule: ${r.agentShifts.toLocaleString('en-US')} agent shifts, cost ${money(r.cost)}${repaired.length > 0 ? ` (after ${repaired.length} repair round${repaired.length === 1 ? '' : 's'}: +${repaired.reduce((a, x) => a + x.addedShifts, 0)} shifts, +${money(repaired.reduce((a, x) => a + x.addedCost, 0))})` : ''}`);
  io.out('');
  io.out('by template (--csv lists every shift with its breaks)');
  io.out(table(['template', 'length', 'starts', 'breaks', 'agent shifts'], r.templates.map((t) => [t.name, `${t.length / 3600} h`, String(t.starts), t.breaks.join(', ') || '-', String(t.used)])));
  io.out('');
  io.out('by group (agent-hours on the phones: required, scheduled, over)');
  io.out(table(['group', 'site', 'agent shifts', 'cost', 'required', 'scheduled', 'over'], r.byGroup.map((g) => {
    const shifts = r.shifts.filter((x) => x.group === g.group);
    const req = g.required.reduce((a, x) => a + x, 0) * L / 3600, got = g.scheduled.reduce((a, x) => a + x, 0) * L / 3600;
    return [g.group, g.site, String(shifts.reduce((a, x) => a + x.agents, 0)), money(shifts.reduce((a, x) => a + x.agents * x.cost, 0)), req.toFixed(1), got.toFixed(1), `${req > 0 ? ((got / req - 1) * 100).toFixed(1) : '0.0'}%`];
  })));
  io.out('');
  io.out('over-coverage by interval (agents on the phones, all groups)');
  io.out(table(['interval', 'required', 'scheduled', 'over'], r.coverage.map((c) => [
    `${when(c.start, r.days)}-${when(c.start + L, r.days, true).replace(/^day \d+ /, '')}`, String(c.required), String(c.scheduled), String(c.over),
  ])));
  for (const [i, c] of r.checks.entries()) {
    io.out('');
    io.out(`check by simulation${i === 0 ? '' : ` after repair round ${i}`} (${c.replications} replication${c.replications === 1 ? '' : 's'}, the scenario's SLA targets): ${c.met ? 'the waiting targets hold in every interval' : `the waiting targets miss in ${c.missed.length} interval${c.missed.length === 1 ? '' : 's'}: ${intervalRanges(c.missed, { intervalLength: L, days: r.days, sites: [], groups: [] })}`}`);
    io.out(table(['target', 'value asked', 'day', 'met', 'intervals missed', 'which'], c.targets.map((t) => targetRow(t, r))));
    const other = c.targets.filter((t) => !t.waiting && t.met === false);
    if (other.length > 0) io.out(`(${other.map((t) => t.name).join(', ')}: not a matter of how many agents are on the phones; a repair does not act on ${other.length === 1 ? 'it' : 'them'})`);
  }
  for (const x of r.repairs) {
    io.out(x.stopped !== undefined
      ? `repair round ${x.round}: stopped: ${x.stopped}`
      : `repair round ${x.round}: the measured requirement raised by ${x.raisedBy} agent-intervals in ${x.missed.length} missed interval${x.missed.length === 1 ? '' : 's'}; ${x.addedShifts} agent shift${x.addedShifts === 1 ? '' : 's'} added (+${money(x.addedCost)})`);
  }
  if (r.check === null) io.out('\nno check by simulation (--replications 0)');
  else if (!r.check.met && r.repairs.length === 0) io.out('\n--repair adds the fewest shifts that fix the missed intervals');
  if (r.notes.length > 0) {
    io.out('');
    for (const n of r.notes) io.out(`note: ${n}`);
  }
  if (out !== null) io.out(`\nwrote ${out}: the scenario with the scheduled agents per interval`);
}
