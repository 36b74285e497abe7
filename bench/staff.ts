/**
 * `npm run bench:staff`: `cctwin staff` measured (docs/staffing.md has the figures).
 *
 * 1. Wall time of whole `cctwin staff` processes with two worker threads: baseline-day
 *    (48 half-hours, every group with a target; goal under 2 minutes) and erlang-a-day
 *    (goal under 20 s).
 * 2. On baseline-day and spring-festival: the cost of the simulation-based staffing
 *    against per-interval Erlang C staffing (each skill pool's offered load, no
 *    abandonment, no time lag, 95/20: what WFM tools compute) and against the scenario's
 *    own staffing, and how many half-hours each misses when simulated on fresh
 *    replications (seeds the search never saw): the phone channel's service level and
 *    abandonment per interval at the mean (as `cctwin run` counts "intervals missed"),
 *    and the (contact type, interval) pairs below the service-level target.
 *
 * Figures printed and written to bench/staff-results.json; nothing is asserted. About
 * 8 minutes on 2 cores.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstMeasuredInterval } from '../sim/src/config/model-config.ts';
import { withRunner } from '../sim/src/engine/pool.ts';
import { typeIntervalsOf, TI, typeIntervalRow } from '../sim/src/engine/type-intervals.ts';
import { compileVariant, readScenarioText } from '../sim/src/experiments/overrides.ts';
import { StaffingSearch } from '../sim/src/experiments/staffing-search.ts';
import { scenarioTargets } from '../sim/src/experiments/staffing-targets.ts';
import { decodeResult, summarize } from '../sim/src/metrics/summary.ts';
import { tTwoSidedQuantile } from '../sim/src/metrics/stats.ts';
import { clock } from '../sim/src/experiments/shifts.ts';
import { table } from '../sim/src/cli/table.ts';
import type { Issue } from '../sim/src/errors.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORKERS = 2;
const FRESH = 40;
const tmp = mkdtempSync(join(tmpdir(), 'cctwin-bench-staff-'));

interface StaffJson {
  status: string; targetsMet: boolean; localMinimum: boolean; cost: number; agentHours: number; note: string;
  iterations: unknown[]; staffing: Record<string, number[]>; wallSeconds: number; removals: { tight: number; undecided: number } | null;
}

/** CPU seconds of this process's finished children (Linux: cutime + cstime of /proc/self/stat), or NaN. */
function childCpu(): number {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

function staffProcess(name: string, extra: string[] = []): { wall: number; cpu: number; json: StaffJson } {
  const t0 = performance.now();
  const c0 = childCpu();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/cctwin.js'), 'staff', join(ROOT, `scenarios/${name}.yaml`), '--json', '--workers', String(WORKERS), '--db', join(tmp, `${name}.db`), ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  const cpu = childCpu() - c0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`cctwin staff ${name} failed (${r.status}): ${r.stderr}`);
  return { wall, cpu, json: JSON.parse(r.stdout) as StaffJson };
}

/** A library scenario as the benchmark judges it: compiled once, its targets, the groups with one, and a search to cost and write staffings. */
function setup(name: string) {
  const file = join(ROOT, `scenarios/${name}.yaml`);
  const text = readScenarioText(file);
  const base = compileVariant(text, file, []).cfg;
  const issues: Issue[] = [];
  const { targets } = scenarioTargets(base, issues);
  const groups = base.groups.map((_, g) => g).filter((g) => targets.some((k) => k.types.some((t) => base.groups[g].queues.includes(base.types[t].queue))));
  const search = new StaffingSearch({ text, source: file, cfg: base, targets, per: 'interval', groups, replications: FRESH, confidence: 0.9, maxIterations: 1 }, { runner: null as never });
  return { file, base, targets, search };
}
type Setup = ReturnType<typeof setup>;

/** A staffing simulated on fresh replications: cost and what it misses. */
async function judge(sc: Setup, label: string, staffing: number[][] | null) {
  const { file, base, targets, search } = sc;
  const x = staffing ?? base.groups.map((g) => [...g.staffing]);
  const cfg = staffing ? compileVariant(search.fileText(x), file, []).cfg : base;
  const { cost } = search.costOf(x);
  const idx = Array.from({ length: FRESH }, (_, r) => 1000 + r);
  const bufs = await withRunner({ workers: WORKERS }, (runner) => runner.run(cfg, idx, undefined, { typeIntervals: true }));
  const blocks = bufs.map((b) => typeIntervalsOf(b, cfg)!);
  const sum = summarize(cfg, bufs.map((b) => decodeResult(b, cfg)), 0);
  const sla = Object.fromEntries(sum.sla.filter((s) => s.scope === 'byChannel.phone' && (s.kpi === 'serviceLevel' || s.kpi === 'abandonRate')).map((s) => [s.kpi, s.missedIntervals.length]));
  // (type, interval) pairs whose service level misses the target at the mean.
  const sl = targets.find((k) => k.kpi === 'serviceLevel')!;
  const warm = firstMeasuredInterval(cfg);
  // Significant: even the upper end of its one-sided 95% interval is below the target.
  let typeMisses = 0, significant = 0, worst = 1, worstAt = '';
  for (const t of sl.types) {
    for (let i = warm; i < cfg.nIntervals; i++) {
      const vals: number[] = [];
      for (const blk of blocks) {
        let within = 0, offered = 0;
        for (let s = 0; s < cfg.sites.length; s++) {
          const o = typeIntervalRow(cfg, i, t, s);
          within += blk[o + TI.answeredWithin];
          offered += blk[o + TI.offered];
        }
        if (offered > 0) vals.push(within / offered);
      }
      if (vals.length < 2) continue;
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const se = Math.sqrt(vals.reduce((a, v) => a + (v - m) ** 2, 0) / (vals.length - 1) / vals.length);
      if (m < sl.target) typeMisses++;
      if (m + tTwoSidedQuantile(0.1, vals.length - 1) * se < sl.target) significant++;
      if (m < worst) { worst = m; worstAt = `${cfg.types[t].name} ${clock(i * cfg.intervalLength)}`; }
    }
  }
  return { label, cost, slMissed: sla.serviceLevel ?? 0, abandonMissed: sla.abandonRate ?? 0, typeMisses, significant, worst, worstAt, phoneSl: sum.byChannel.phone?.serviceLevel.mean ?? null };
}

const byGroup = (sc: Setup, st: Record<string, number[]>): number[][] => sc.base.groups.map((g) => st[g.name] ?? [...g.staffing]);

const print = (header: string[], rows: string[][]) => console.log(table(header, rows));

const results: Record<string, unknown> = { date: new Date().toISOString(), workers: WORKERS, freshReplications: FRESH };
try {
  const timing: string[][] = [];
  const runs: Record<string, { wall: number; cpu: number; json: StaffJson }> = {};
  const load0 = loadavg()[0];
  // The festival needs more than the default 30 iterations (its half-hours carry up to
  // 1,500 erlangs a pool, where 10 replications tell an interval to a few agents).
  for (const [name, goal, extra] of [['erlang-a-day', 20, []], ['baseline-day', 120, []], ['spring-festival', null, ['--max-iterations', '80']]] as const) {
    const r = staffProcess(name, [...extra]);
    runs[name] = r;
    timing.push([`${name}${extra.length ? ` (${extra.join(' ')})` : ''}`, `${r.wall.toFixed(1)} s`, `${r.cpu.toFixed(1)} s`, goal === null ? '-' : `< ${goal} s`, goal === null ? '-' : r.wall < goal ? 'yes' : 'NO',
      String(r.json.iterations.length), r.json.status, r.json.localMinimum ? 'yes' : `no${r.json.removals?.undecided ? ` (${r.json.removals.undecided} undecided)` : ''}`]);
  }
  console.log(`cctwin staff, whole processes, ${WORKERS} worker threads, 10 replications per iteration (load average ${load0.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after: other work shares the machine)`);
  print(['scenario', 'wall', 'CPU', 'wall goal', 'met', 'iterations', 'status', 'local minimum'], timing);
  results.loadAverage = { before: load0, after: loadavg()[0] };
  results.timing = Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, { wallSeconds: r.wall, cpuSeconds: r.cpu, iterations: r.json.iterations.length, status: r.json.status, localMinimum: r.json.localMinimum, cost: r.json.cost, note: r.json.note }]));

  const compare: Record<string, unknown[]> = {};
  for (const name of ['baseline-day', 'spring-festival']) {
    const sc = setup(name);
    const rows = [
      await judge(sc, 'the scenario as it is', null),
      await judge(sc, 'per-interval Erlang C', sc.search.erlangC()),
      await judge(sc, 'cctwin staff', byGroup(sc, runs[name].json.staffing)),
    ];
    compare[name] = rows;
    console.log(`\n${name}: simulated on ${FRESH} fresh replications (48 half-hours; groups with a target)`);
    print(['staffing', 'agent-hours', 'phone SL (day)', 'half-hours phone SL < 95%', 'half-hours abandonment > 10%', '(type, half-hour) SL < 95%', 'of which significant', 'worst (type, half-hour)'],
      rows.map((r) => [r.label, r.cost.toLocaleString('en-US', { maximumFractionDigits: 0 }), r.phoneSl === null ? '-' : `${(r.phoneSl * 100).toFixed(2)}%`, String(r.slMissed), String(r.abandonMissed), String(r.typeMisses), String(r.significant), `${(r.worst * 100).toFixed(1)}% (${r.worstAt})`]));
  }
  results.compare = compare;
  writeFileSync(join(ROOT, 'bench/staff-results.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
