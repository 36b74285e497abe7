/**
 * `npm run bench:package`: what a user of the package waits for, each figure from
 * fresh processes of the compiled `cctwin` (dist/, built first by the npm script).
 * Prints a table and writes bench/package-results.json.
 *
 *   start-up   wall time of whole processes: `cctwin --version`, `cctwin erlang c ...`,
 *              `cctwin run --help`; STARTS runs each, median
 *   cold pool  `cctwin run scenarios/baseline-day.yaml --replications 20` with
 *              --workers 1 (one thread, in-process) and --workers 2 (a pool started
 *              by the command): whole processes, so start-up, module loading, worker
 *              start-up and JIT warm-up are all included; ROUNDS rounds alternating
 *              which goes first, median; also 4 replications
 *   warm pool  the cold pool's ceiling (bench/warm-pool-child.mjs): the same 20
 *              replications on warm pools of 1 and 2 threads in one process, so
 *              without start-up, module loading or JIT warm-up; ROUNDS rounds, median
 *   cores      the machine's own scaling (bench/cores-child.mjs): loops that share
 *              nothing (arithmetic on registers; random reads of the thread's own 1 MB
 *              array), on one worker thread and on two at once; ROUNDS rounds
 *              alternating which goes first, medians: what two threads can gain here
 *   erlang a   `cctwin erlang a ... --simulate --replications 20 --workers 1` timed
 *              inside a fresh process around main() (bench/cli-child.mjs) against the
 *              hand-tight loop doing the same 20 days in a fresh process
 *              (bench/hand-tight-child.ts): both with JIT warm-up, neither with
 *              process start-up; ROUNDS rounds alternating, ratio of medians
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from '../sim/src/cli/table.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const STARTS = Number(process.env.BENCH_STARTS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const dir = mkdtempSync(join(tmpdir(), 'cctwin-bench-pkg-'));
const load0 = loadavg()[0];

function wall(args: string[]): number {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  const s = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`${args.join(' ')} exited ${p.status}: ${p.stderr}`);
  return s;
}

function child(args: string[]): { seconds: number } & Record<string, number> {
  const p = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (p.status !== 0) throw new Error(`${args.join(' ')} exited ${p.status}: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').pop()!);
}

// ---------------------------------------------------------------- start-up
const ERLANG_C = ['erlang', 'c', '--arrivals-per-hour', '6666.67', '--aht', '180', '--agents', '350'];
const startCommands: [string, string[]][] = [
  ['cctwin --version', ['--version']],
  ['cctwin erlang c (350 agents)', ERLANG_C],
  ['cctwin run --help', ['run', '--help']],
];
const startup = startCommands.map(([label, args]) => {
  wall(['bin/cctwin.js', ...args]); // file cache warm
  const xs = Array.from({ length: STARTS }, () => wall(['bin/cctwin.js', ...args]));
  return { command: label, medianSeconds: median(xs), minSeconds: Math.min(...xs), maxSeconds: Math.max(...xs) };
});

// ---------------------------------------------------------------- cold pool
function coldPool(replications: number) {
  const one: number[] = [], two: number[] = [];
  const run = (workers: number) => wall(['bin/cctwin.js', 'run', 'scenarios/baseline-day.yaml', '--replications', String(replications), '--workers', String(workers),
    '--json', '--db', join(dir, `pool-${workers}.db`)]);
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) { one.push(run(1)); two.push(run(2)); } else { two.push(run(2)); one.push(run(1)); }
  }
  return { scenario: 'baseline-day', replications, oneThreadSeconds: median(one), twoWorkersSeconds: median(two), speedUp: median(one) / median(two), oneThread: one, twoWorkers: two };
}
const cold20 = coldPool(20);
const cold4 = coldPool(4);

// ---------------------------------------------------------------- warm pool (the ceiling)
const warmRounds = Array.from({ length: ROUNDS }, () => child(['bench/warm-pool-child.mjs']));
const warmOne = median(warmRounds.map((w) => w.oneSeconds)), warmTwo = median(warmRounds.map((w) => w.twoSeconds));
const warmPool = { scenario: 'baseline-day', replications: 20, oneThreadSeconds: warmOne, twoWorkersSeconds: warmTwo, speedUp: warmOne / warmTwo, rounds: warmRounds };

// ---------------------------------------------------------------- the cores themselves
// The speed-up is 2 x one / two (two threads do twice the work), of the medians, as the
// pool's figures; each round's own is listed beside it.
type Pair = { oneSeconds: number; twoSeconds: number };
// Rounds alternate which batch goes first, as the cold pool's do.
const coreRounds = Array.from({ length: ROUNDS }, (_, r) => child(['bench/cores-child.mjs', ...(r % 2 === 1 ? ['two-first'] : [])]) as unknown as { arithmetic: Pair; memory: Pair });
const coresOf = (kind: 'arithmetic' | 'memory', work: string) => {
  const rounds = coreRounds.map((c) => c[kind]);
  const one = median(rounds.map((c) => c.oneSeconds)), two = median(rounds.map((c) => c.twoSeconds));
  return { kind, work, oneThreadSeconds: one, twoThreadsSeconds: two, speedUp: (2 * one) / two, speedUps: rounds.map((c) => (2 * c.oneSeconds) / c.twoSeconds) };
};
const cores = [coresOf('arithmetic', 'integer arithmetic on registers'), coresOf('memory', "random reads of the thread's own 1 MB array")];

// ---------------------------------------------------------------- erlang a vs hand-tight
const cliRounds: number[] = [], tightRounds: number[] = [];
const ERLANG_A = ['erlang', 'a', '--arrivals-per-hour', '6666.67', '--aht', '180', '--patience', '300', '--agents', '350', '--simulate', '--hours', '24', '--replications', '20', '--workers', '1', '--json'];
for (let r = 0; r < ROUNDS; r++) {
  const c = () => cliRounds.push(child(['bench/cli-child.mjs', ...ERLANG_A]).seconds);
  const h = () => tightRounds.push(child(['bin/run-ts.js', 'bench/hand-tight-child.ts', '20']).seconds);
  if (r % 2 === 0) { c(); h(); } else { h(); c(); }
}
const erlangA = { days: 20, cliSeconds: median(cliRounds), handTightSeconds: median(tightRounds), ratio: median(cliRounds) / median(tightRounds), cliRounds, tightRounds };
rmSync(dir, { recursive: true, force: true });

const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadAverage: [load0, loadavg()[0]] },
  startup, coldPool: [cold20, cold4], warmPool, cores, erlangA,
};
writeFileSync(join(ROOT, 'bench', 'package-results.json'), `${JSON.stringify(results, null, 2)}\n`);

console.log(`cctwin package benchmarks: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}, load ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}\n`);
console.log(table([`start-up (whole process, median of ${STARTS})`, 'wall s', 'range', 'goal', 'met'], startup.map((s) => [
  s.command, s.medianSeconds.toFixed(3), `${s.minSeconds.toFixed(3)}-${s.maxSeconds.toFixed(3)}`, '<= 0.3', s.medianSeconds <= 0.3 ? 'yes' : 'no',
])));
console.log();
console.log(table([`cold pool, baseline-day, whole \`cctwin run\` (median of ${ROUNDS})`, '1 thread s', '2 workers s', 'speed-up', 'goal', 'met'], [cold20, cold4].map((c) => [
  `${c.replications} replications`, c.oneThreadSeconds.toFixed(2), c.twoWorkersSeconds.toFixed(2), `${c.speedUp.toFixed(2)}x`, c.replications === 20 ? '>= 1.7x' : '', c.replications === 20 ? (c.speedUp >= 1.7 ? 'yes' : 'no') : '',
])));
console.log();
console.log(table([`warm pools in one process, the same 20 replications (median of ${ROUNDS})`, '1 thread s', '2 workers s', 'speed-up'], [
  ['the ceiling of the cold figure', warmOne.toFixed(2), warmTwo.toFixed(2), `${warmPool.speedUp.toFixed(2)}x`],
]));
console.log();
console.log(table([`the cores: work that shares nothing, once on 1 thread, twice on 2 at once (median of ${ROUNDS})`, '1 thread s', '2 threads s', 'speed-up', 'each round'], cores.map((c) => [
  c.work, c.oneThreadSeconds.toFixed(2), c.twoThreadsSeconds.toFixed(2), `${c.speedUp.toFixed(2)}x`, c.speedUps.map((x) => x.toFixed(2)).join(' '),
])));
console.log();
console.log(table([`erlang a --simulate, 20 days, 1 worker (median of ${ROUNDS})`, 'wall s', 'ratio', 'goal', 'met'], [
  ['cctwin erlang a (around main(), fresh process)', erlangA.cliSeconds.toFixed(2), `${erlangA.ratio.toFixed(2)}x`, '<= 2x', erlangA.ratio <= 2 ? 'yes' : 'no'],
  ['hand-tight loop (fresh process)', erlangA.handTightSeconds.toFixed(2), '1.00x', '', ''],
]));
