/**
 * `npm run bench`: engine speed per scenario, worker speed-up and peak memory.
 * Prints a table and writes bench/results.json. Scenario files that are not there
 * yet are skipped with a note.
 *
 *   speed     single thread, in-process: WARMUP untimed replications (V8 takes a few to
 *             compile the hot loop fully: the second and third run 10-40% slower than
 *             the steady state), then REPS timed replications; the median gives
 *             events/s and s per simulated day
 *   reference the Erlang-A day against the hand-tight loop (bench/hand-tight.ts):
 *             PAIRS pairs, each an engine replication and a hand-tight run back to
 *             back in this process (which runs first alternates), so that both see the
 *             same machine; the median of
 *             the pairs' ratios is the engine / reference figure (the machine is shared
 *             and its speed drifts by a third between runs: separate medians would not
 *             compare)
 *   workers   20 replications of the Erlang-A day on a pool of 1, 2, ... workers
 *             (pool started and warmed before the clock starts: WARMUP replications
 *             per worker, as for the single-thread figures, since one left a fresh
 *             worker's second and third replications 30-200% slower inside the timed
 *             batch); ROUNDS rounds, the order of the pool sizes alternating, median
 *             (and range); speed-up vs 1 worker, medians. Also, for scale: the same
 *             batch in-process (median of the rounds, each interleaved with the pools)
 *             and on a cold pool (start-up and JIT warm-up included, as a one-off
 *             `cctwin run` of 20 replications sees it)
 *   memory    peak RSS of a whole `cctwin run` (1 replication, store included) over 30
 *             and 365 days of baseline-day (else the largest scenario present), each in
 *             a fresh process
 *
 * Wall-clock figures are only as good as the machine is quiet: the load average
 * is recorded, and the single-thread figures also give CPU seconds, which another
 * process's load does not inflate.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../sim/src/config/load.ts';
import { withRunner } from '../sim/src/engine/pool.ts';
import { replicate } from '../sim/src/engine/replicate.ts';
import { table } from '../sim/src/cli/table.ts';
import { codeVersion } from '../sim/src/runs/code-version.ts';
import { handTightErlangA } from './hand-tight.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SCENARIOS = ['erlang-a-day', 'baseline-day', 'spring-festival'];
/** Goals of issue 5, seconds per simulated day on one thread. */
const GOAL_S_PER_DAY: Record<string, number> = { 'erlang-a-day': 0.08, 'baseline-day': 0.5, 'spring-festival': 1.5 };
const REPS = Number(process.env.BENCH_REPS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 25);
const BATCH = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const notes: string[] = [];
const present = SCENARIOS.filter((name) => {
  const ok = existsSync(join(ROOT, 'scenarios', `${name}.yaml`));
  if (!ok) notes.push(`scenarios/${name}.yaml not found: skipped`);
  return ok;
});
const file = (name: string) => join(ROOT, 'scenarios', `${name}.yaml`);

// ---------------------------------------------------------------- speed
const load0 = loadavg()[0];
const speed = present.map((name) => {
  const cfg = loadScenario(file(name));
  for (let w = 0; w < WARMUP; w++) replicate(cfg, 1000 + w); // warm-up, not timed
  const runs: { wall: number; cpu: number; events: number }[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const buf = replicate(cfg, r);
    const c = process.cpuUsage(c0);
    runs.push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, events: buf[4] });
  }
  const days = cfg.horizon / 86400;
  const wall = median(runs.map((x) => x.wall));
  const events = median(runs.map((x) => x.events));
  const sPerDay = wall / days;
  const cpuPerDay = median(runs.map((x) => x.cpu)) / days;
  return { scenario: name, repetitions: REPS, simulatedDays: days, events, wallSeconds: wall, eventsPerSecond: events / wall, secondsPerSimulatedDay: sPerDay, cpuSecondsPerSimulatedDay: cpuPerDay, goalSecondsPerDay: GOAL_S_PER_DAY[name] ?? null, goalMet: GOAL_S_PER_DAY[name] === undefined ? null : sPerDay <= GOAL_S_PER_DAY[name] };
});

// ---------------------------------------------------------------- the hand-tight reference
// The same Erlang-A day in a loop written for that model alone (bench/hand-tight.ts),
// interleaved with the engine's replications of it.
const tight = (() => {
  if (!present.includes('erlang-a-day')) return null;
  const cfg = loadScenario(file('erlang-a-day'));
  const hand = (seed: string) => handTightErlangA(160000 / 86400, 180, 300, 350, 86400, 20, seed);
  for (let w = 0; w < WARMUP; w++) {
    replicate(cfg, 1000 + w); // warm-up, not timed
    hand(`warm${w}`);
  }
  const pairs: { engine: number; handTight: number; ratio: number }[] = [];
  let events = 0;
  const timeEngine = (r: number) => { const t0 = performance.now(); replicate(cfg, r); return (performance.now() - t0) / 1000; };
  const timeHand = (r: number) => { const t0 = performance.now(); events = hand(`r${r}`).events; return (performance.now() - t0) / 1000; };
  for (let r = 0; r < PAIRS; r++) {
    let engine: number, handTight: number;
    if (r % 2 === 0) { engine = timeEngine(r); handTight = timeHand(r); }
    else { handTight = timeHand(r); engine = timeEngine(r); }
    pairs.push({ engine, handTight, ratio: engine / handTight });
  }
  const wall = median(pairs.map((p) => p.handTight));
  const ratios = pairs.map((p) => p.ratio);
  return {
    pairs: PAIRS,
    secondsPerSimulatedDay: wall,
    eventsPerSecond: events / wall,
    engineSecondsPerSimulatedDay: median(pairs.map((p) => p.engine)),
    engineRatio: median(ratios),
    engineRatioMin: Math.min(...ratios),
    engineRatioMax: Math.max(...ratios),
  };
})();

// ---------------------------------------------------------------- workers
const cores = availableParallelism();
const workerCounts = Array.from({ length: Math.max(2, cores) }, (_, i) => i + 1);
const poolCfg = loadScenario(file('erlang-a-day'));
const indexes = Array.from({ length: BATCH }, (_, r) => r);
const warmPool = new Map<number, number[]>(workerCounts.map((n) => [n, []]));
const coldPool = new Map<number, number[]>(workerCounts.map((n) => [n, []]));
const inProcessRounds: number[] = [];
for (let w = 0; w < WARMUP; w++) replicate(poolCfg, 1000 + w); // this thread's warm-up, not timed
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? workerCounts : [...workerCounts].reverse();
  for (const n of order) {
    const wall = await withRunner({ workers: n, inProcess: false }, async (runner) => {
      // Start and warm every worker: WARMUP replications each (piscina gives each idle worker one task at a time).
      await runner.run(poolCfg, Array.from({ length: n * WARMUP }, (_, r) => 1000 + r));
      const t0 = performance.now();
      await runner.run(poolCfg, indexes);
      return (performance.now() - t0) / 1000;
    });
    warmPool.get(n)!.push(wall);
  }
  const t0 = performance.now();
  for (const r of indexes) replicate(poolCfg, r);
  inProcessRounds.push((performance.now() - t0) / 1000);
  // Cold: pool start-up (tsx in each worker, module loading) and JIT warm-up inside the clock.
  if (round < 2) {
    for (const n of order) {
      const c0 = performance.now();
      await withRunner({ workers: n, inProcess: false }, (runner) => runner.run(poolCfg, indexes));
      coldPool.get(n)!.push((performance.now() - c0) / 1000);
    }
  }
}
const med1 = median(warmPool.get(1)!);
const workers = workerCounts.map((n) => {
  const xs = warmPool.get(n)!;
  return { workers: n, wallSeconds: median(xs), wallSecondsMin: Math.min(...xs), wallSecondsMax: Math.max(...xs), rounds: xs, speedUp: med1 / median(xs), coldWallSeconds: median(coldPool.get(n)!) };
});
const inProcessSeconds = median(inProcessRounds);

// ---------------------------------------------------------------- memory
const largest = present.includes('baseline-day') ? 'baseline-day' : [...present].reverse()[0];
const dir = mkdtempSync(join(tmpdir(), 'cctwin-bench-'));
const memory = ['30d', '365d'].map((horizon) => {
  const p = spawnSync(process.execPath, ['bin/run-ts.js', 'bench/memory-run.ts', file(largest), horizon, join(dir, `${horizon}.db`)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = p.stdout.trim().split('\n').pop() ?? '';
  try {
    return { scenario: largest, ...(JSON.parse(line) as { horizon: string; maxRssMB: number; wallSeconds: number; cpuSeconds: number; code: number }) };
  } catch {
    return { scenario: largest, horizon, maxRssMB: NaN, wallSeconds: NaN, cpuSeconds: NaN, code: p.status ?? -1, error: p.stderr.slice(-500) };
  }
});
rmSync(dir, { recursive: true, force: true });

// ---------------------------------------------------------------- report
const results = {
  date: new Date().toISOString(),
  codeVersion: codeVersion(),
  machine: { cores, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageAtStart: load0, loadAverageAtEnd: loadavg()[0] },
  speed,
  handTight: tight === null ? null : { scenario: 'erlang-a-day', ...tight, goalRatio: 2, goalMet: tight.engineRatio <= 2 },
  workers: { scenario: 'erlang-a-day', replications: BATCH, warmupPerWorker: WARMUP, rounds: ROUNDS, inProcessSeconds, inProcessRounds, runs: workers },
  memory,
  notes,
};
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

console.log(`cctwin bench (${results.codeVersion}; ${cores} cores, ${results.machine.cpu}, node ${process.version})\n`);
const busy = Math.max(load0, loadavg()[0]) > 0.5 * cores;
if (busy) console.log(`WARNING: the machine was busy (load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)} on ${cores} cores): wall-clock figures are inflated, speed-ups understated\n`);
console.log(table(['scenario (1 thread)', 'events/s', 's per sim. day', 'CPU s per day', 'goal', 'met'], speed.map((s) => [
  s.scenario, `${(s.eventsPerSecond / 1e6).toFixed(2)} M`, s.secondsPerSimulatedDay.toFixed(3), s.cpuSecondsPerSimulatedDay.toFixed(3), s.goalSecondsPerDay === null ? '-' : `<= ${s.goalSecondsPerDay}`, s.goalMet === null ? '-' : s.goalMet ? 'yes' : 'NO',
])));
console.log('');
if (tight !== null) {
  console.log(table([`reference (erlang-a-day, ${tight.pairs} interleaved pairs)`, 's per sim. day', 'events/s', 'engine s per day', 'engine / reference', 'range', 'goal', 'met'], [[
    'hand-tight typed-array loop', tight.secondsPerSimulatedDay.toFixed(3), `${(tight.eventsPerSecond / 1e6).toFixed(2)} M`,
    tight.engineSecondsPerSimulatedDay.toFixed(3), `${tight.engineRatio.toFixed(2)}x`, `${tight.engineRatioMin.toFixed(2)}-${tight.engineRatioMax.toFixed(2)}x`,
    '<= 2x', tight.engineRatio <= 2 ? 'yes' : 'NO',
  ]]));
}
console.log('');
console.log(table([`workers (${BATCH} x erlang-a-day, median of ${ROUNDS} rounds)`, 'wall s', 'range', 'speed-up', 'cold pool wall s'], [
  ['in-process (no pool)', inProcessSeconds.toFixed(2), `${Math.min(...inProcessRounds).toFixed(2)}-${Math.max(...inProcessRounds).toFixed(2)}`, '-', '-'],
  ...workers.map((w) => [String(w.workers), w.wallSeconds.toFixed(2), `${w.wallSecondsMin.toFixed(2)}-${w.wallSecondsMax.toFixed(2)}`, `${w.speedUp.toFixed(2)}x`, w.coldWallSeconds.toFixed(2)]),
]));
console.log('');
console.log(table(['peak memory (1 thread, whole run)', 'horizon', 'max RSS', 'wall s', 'CPU s'], memory.map((m) => [
  m.scenario, m.horizon, Number.isFinite(m.maxRssMB) ? `${m.maxRssMB.toFixed(0)} MB` : `failed (exit ${m.code})`, Number.isFinite(m.wallSeconds) ? m.wallSeconds.toFixed(1) : '-', Number.isFinite(m.cpuSeconds) ? m.cpuSeconds.toFixed(1) : '-',
])));
for (const n of notes) console.log(`note: ${n}`);
console.log('\nwritten: bench/results.json');
