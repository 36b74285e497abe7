/**
 * `npm run bench:schedule [-- --time-limit S] [-- --gap G] [-- --compare]`: the shift
 * scheduling of `cctwin schedule` (sim/src/experiments/shift-ip.ts) on the issue's
 * instance, a 7-day horizon at 30-minute intervals with every template of
 * scenarios/shifts/ctrip-shifts.yaml for baseline-day's 14 groups (the day repeated
 * over the week: solved as a day first, its schedule repeated, which is exact), the same
 * week with its days scaled by day-of-week factors (the general path: every group's
 * week a program), and for scale the one-day baseline and the Spring Festival day (its
 * site head counts bind, so each site is one program). The goal: under 30 s to within
 * 1% of optimal. The gap printed is measured against the LP relaxation's bound, which no
 * schedule beats: a gap of 1% is at most 1% above the optimum.
 *
 * --compare also runs, within the same time limit, HiGHS on each group's whole program
 * directly (no restricted program first) and on one program for all groups, to show
 * what the steps buy. Writes bench/schedule-results.json. The time limit is wall-clock
 * time, as the CLI's --time-limit: on a shared machine the CPU time (printed too) shows
 * how much of it the solver had.
 */
import { loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadShiftsFile } from '../sim/src/config/shifts.ts';
import { prepareSchedule } from '../sim/src/experiments/schedule.ts';
import { compileVariant } from '../sim/src/experiments/overrides.ts';
import { solveShifts, type ShiftProblem, type SolveOptions } from '../sim/src/experiments/shift-ip.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const timeLimit = arg('time-limit', 30);
const gap = arg('gap', 0.01);
const compare = process.argv.includes('--compare');
const shifts = loadShiftsFile(`${ROOT}scenarios/shifts/ctrip-shifts.yaml`);

function problem(file: string, days: number): ShiftProblem {
  const path = `${ROOT}scenarios/${file}`;
  const prep = prepareSchedule(compileVariant(readFileSync(path, 'utf8'), path, []), path, shifts, { days });
  return { grid: prep.grid, shifts: prep.shifts, required: prep.required };
}

interface Row { instance: string; method: string; wall: number; cpu: number; solve: number; gap: number; cost: number; bound: number; shifts: number; over: number; programs: number; variables: number; load: string }
const rows: Row[] = [];
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

async function measure(instance: string, method: string, p: ShiftProblem, o: SolveOptions): Promise<void> {
  const l0 = load();
  const c0 = process.cpuUsage();
  const cpu = () => { const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6; };
  const t0 = performance.now();
  let s: Awaited<ReturnType<typeof solveShifts>>;
  try {
    s = await solveShifts(p, o);
  } catch (e) {
    console.log(`${instance.padEnd(34)} ${method.padEnd(32)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${(e as Error).message}`);
    rows.push({ instance, method, wall: (performance.now() - t0) / 1000, cpu: cpu(), solve: NaN, gap: NaN, cost: NaN, bound: NaN, shifts: NaN, over: NaN, programs: NaN, variables: NaN, load: `${l0} -> ${load()}` });
    return;
  }
  const wall = (performance.now() - t0) / 1000;
  const req = p.required.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
  const got = s.present.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
  rows.push({
    instance, method, wall, cpu: cpu(), solve: s.solver.seconds, gap: s.solver.gap, cost: s.cost, bound: s.solver.bound, shifts: s.agentShifts,
    over: got / req - 1, programs: s.solver.programs, variables: s.solver.variables, load: `${l0} -> ${load()}`,
  });
  const r = rows[rows.length - 1];
  console.log(`${instance.padEnd(34)} ${method.padEnd(32)} ${r.wall.toFixed(1).padStart(5)} s (CPU ${r.cpu.toFixed(1).padStart(4)} s)  gap ${(r.gap * 100).toFixed(2).padStart(5)}%  cost ${r.cost.toLocaleString('en-US').padStart(10)}  bound ${Math.round(r.bound).toLocaleString('en-US').padStart(10)}  ${String(r.shifts).padStart(6)} shifts  over ${(r.over * 100).toFixed(1)}%  (load ${r.load})`);
}

// Load HiGHS's WebAssembly once (about half a second) outside the measurements.
await solveShifts(problem('baseline-day.yaml', 1), { timeLimit: 60, gap: 0.05 });

console.log(`time limit ${timeLimit} s, gap asked ${(gap * 100).toFixed(2)}%; wall time of the solve (building the model included)`);
const week = problem('baseline-day.yaml', 7);
console.log(`7-day baseline: ${week.grid.groups.length} groups, ${week.shifts.templates.map((t) => t.name).join(', ')}`);
await measure('baseline-day, 7 days', 'cctwin schedule', week, { timeLimit, gap });
// A week whose days differ (the requirement scaled by day-of-week factors, rounded up):
// the day cannot be repeated, every group's week is solved as such.
const FACTORS = [1, 0.97, 0.95, 0.97, 1.05, 1.08, 1.1];
const n = week.required[0].length / 7;
const varied: ShiftProblem = { ...week, required: week.required.map((r) => r.map((x, t) => Math.ceil(x * FACTORS[Math.floor(t / n)]))) };
await measure('baseline-day, 7 days, by weekday', 'cctwin schedule', varied, { timeLimit, gap });
await measure('baseline-day, 1 day', 'cctwin schedule', problem('baseline-day.yaml', 1), { timeLimit, gap });
await measure('spring-festival, 1 day', 'cctwin schedule', problem('spring-festival.yaml', 1), { timeLimit, gap });
if (compare) {
  // The same model, other ways: HiGHS alone on each group's whole program; one program for all groups; the differenced rows.
  await measure('baseline-day, 7 days', 'HiGHS on each whole program', week, { timeLimit, gap, method: 'whole' });
  await measure('baseline-day, 7 days', 'one program for all groups', week, { timeLimit, gap, joint: true });
  await measure('baseline-day, 7 days', 'differenced coverage rows', week, { timeLimit, gap, form: 'differenced' });
  await measure('baseline-day, 7 days, by weekday', 'HiGHS on each whole program', varied, { timeLimit, gap, method: 'whole' });
}
writeFileSync(`${ROOT}bench/schedule-results.json`, `${JSON.stringify({ date: new Date().toISOString(), timeLimit, gap, node: process.version, rows }, null, 2)}\n`);
console.log('wrote bench/schedule-results.json');
