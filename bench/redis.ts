/**
 * `npm run bench:redis`: the Redis backend against the local pool, on a redis-server
 * of its own (a free loopback port, no persistence) and `cctwin worker` processes.
 * Prints tables and writes bench/redis-results.json.
 *
 *   overhead  200 replications of baseline-day, whole `cctwin run` commands (compiled
 *             bin): the local pool of 2 threads against 2 worker processes of 1 thread
 *             each through Redis (started beforehand, as deployed: warm after the first
 *             round); ROUNDS rounds alternating local and Redis, medians; the goal is at
 *             least 90% of the local throughput. With the wall time, the CPU time of
 *             every process involved (the command, and for Redis the workers and
 *             redis-server): on a shared machine the wall ratio also measures who got
 *             the cores, the CPU ratio only the work
 *   batches   replications per job: 2 workers run REPS_BATCH replications of
 *             erlang-a-day (the cheapest replication of the library, where a job's cost
 *             shows most) at each size, through the library (executeRun, no store),
 *             and 4 x REPS_BATCH of pool-small (a replication of a few ms: almost all
 *             queue) for the cost of a job itself; ROUNDS rounds interleaving the local
 *             pool (2 threads, warm) with every size, medians. Besides wall time, the
 *             CPU time of every process involved (this one, the workers, redis-server):
 *             what a job costs beyond the local pool's CPU for the same replications,
 *             a figure that the machine's other load does not inflate
 *   coordinator  the coordinator's own work per replication: the main thread's CPU
 *             (/proc/self/task) over a `cctwin run` of erlang-a-day in this process,
 *             the local pool against Redis, ROUNDS rounds alternating
 *   sweep     the largest sweep tried: erlang-a-day over POINTS points of SWEEP_REPS
 *             replications (10,000 by default), a whole `cctwin sweep` in this process
 *             (store included); wall time, the coordinator's CPU per replication, and
 *             Redis memory (INFO memory: the largest used_memory sampled each second,
 *             and used_memory_peak)
 *
 * The machine is shared: the load average is recorded with the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { main } from '../sim/src/cli.ts';
import { table } from '../sim/src/cli/table.ts';
import { compileVariant, readScenarioText } from '../sim/src/experiments/overrides.ts';
import { executeRun } from '../sim/src/runs/execute.ts';
import { withRedisRunner } from '../sim/src/runs/redis-runner.ts';
import { parseRedisUrl, type RedisTarget } from '../sim/src/runs/redis-url.ts';
import { RunStore } from '../sim/src/runs/store.ts';
import { decodeResult, kpisOf, totalRow } from '../sim/src/metrics/summary.ts';
import { replicate } from '../sim/src/engine/replicate.ts';
import { withRunner } from '../sim/src/engine/pool.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/cctwin.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OVERHEAD_REPS = Number(process.env.BENCH_OVERHEAD_REPS ?? 200);
const REPS_BATCH = Number(process.env.BENCH_BATCH_REPS ?? 144);
const POINTS = Number(process.env.BENCH_POINTS ?? 10);
const SWEEP_REPS = Number(process.env.BENCH_SWEEP_REPS ?? 1000);
const SIZES = (process.env.BENCH_SIZES ?? '1,2,4,8,16').split(',').map(Number);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

interface Proc { proc: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> }
function start(cmd: string, args: string[], env: Record<string, string> = {}): Proc {
  const proc = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { err += d; });
  return { proc, out: () => out, err: () => err, exited: new Promise((res) => proc.on('exit', res)) };
}
async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
async function stopProc(p: Proc): Promise<void> {
  if (p.proc.exitCode !== null) return;
  p.proc.kill('SIGTERM');
  await p.exited;
}

async function startWorkers(url: string, n: number, queue = 'cctwin'): Promise<Proc[]> {
  const ws = Array.from({ length: n }, () => start(process.execPath, [BIN, 'worker', '--redis', url, '--concurrency', '1', '--queue', queue]));
  for (const w of ws) await until('a worker', () => / thread/.test(w.err()));
  return ws;
}

/** CPU seconds of this process's finished children (Linux: /proc/self/stat, cutime + cstime). */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICKS;
}

/** A whole cctwin command: its wall seconds and CPU seconds (its own and, in `also`, other processes' meanwhile). */
async function timed(args: string[], also: number[] = []): Promise<{ wall: number; cpu: number }> {
  const others = () => also.reduce((t, p) => t + procCpu(p), 0);
  const c0 = childrenCpu(), o0 = others();
  const t0 = performance.now();
  const p = start(process.execPath, [BIN, ...args]);
  const code = await p.exited;
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`cctwin ${args.join(' ')} failed (${code}): ${p.err()}`);
  return { wall, cpu: childrenCpu() - c0 + others() - o0 };
}

async function overhead(url: string, dir: string, redisPid: number): Promise<Record<string, unknown>> {
  const workers = await startWorkers(url, 2);
  const pids = [...workers.map((w) => w.proc.pid!), redisPid];
  const local: { wall: number; cpu: number }[] = [], redis: { wall: number; cpu: number }[] = [];
  const scenario = 'scenarios/baseline-day.yaml';
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const db = join(dir, `overhead-${i}.db`);
      const pair = [
        async () => local.push(await timed(['run', scenario, '-r', String(OVERHEAD_REPS), '-w', '2', '--json', '--db', db])),
        async () => redis.push(await timed(['run', scenario, '-r', String(OVERHEAD_REPS), '--backend', url, '--json', '--db', db], pids)),
      ];
      if (i % 2 === 1) pair.reverse();
      for (const f of pair) await f();
      console.error(`overhead round ${i + 1}: local ${local.at(-1)!.wall.toFixed(1)} s (${local.at(-1)!.cpu.toFixed(1)} CPU s), redis ${redis.at(-1)!.wall.toFixed(1)} s (${redis.at(-1)!.cpu.toFixed(1)} CPU s), load ${loadavg()[0].toFixed(1)}`);
    }
  } finally {
    await Promise.all(workers.map(stopProc));
  }
  const lw = median(local.map((x) => x.wall)), rw = median(redis.map((x) => x.wall));
  const lc = median(local.map((x) => x.cpu)), rc = median(redis.map((x) => x.cpu));
  // The first Redis round met cold workers (JIT, the scenario compiled once per worker); the later ones warm workers.
  return {
    scenario, replications: OVERHEAD_REPS, local, redis, localMedian: lw, redisMedian: rw, ratio: lw / rw, coldRatio: local[0].wall / redis[0].wall,
    localCpuMedian: lc, redisCpuMedian: rc, cpuRatio: lc / rc,
  };
}

/** CPU seconds a process used so far (Linux: /proc/PID/stat, utime + stime). */
function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}
const TICKS = 100;

async function batchSizes(url: string, target: RedisTarget, redisPid: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown>[] = [];
  const workers = await startWorkers(url, 2, 'batches');
  const pids = [...workers.map((w) => w.proc.pid!), redisPid];
  const others = () => pids.reduce((t, p) => t + procCpu(p), 0);
  const mine = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
  try {
    for (const file of ['test/fixtures/pool-small.yaml', 'scenarios/erlang-a-day.yaml']) {
      const variant = compileVariant(readScenarioText(file), file, []);
      const reps = file.includes('pool-small') ? REPS_BATCH * 4 : REPS_BATCH;
      const indexes = Array.from({ length: reps }, (_, i) => i);
      // A warm-up through the queue: each worker compiles the model once and warms its engine.
      await withRedisRunner({ target, queue: 'batches', batch: 2 }, (runner) => executeRun({ runner }, { variant, replications: 16, maxReplications: 16, options: {} }));
      const samples = new Map<number, { wall: number; cpu: number }[]>();
      await withRunner({ workers: 2, inProcess: false }, async (pool) => {
        await pool.run(variant.cfg, [0, 1, 2, 3]);
        for (let round = 0; round < ROUNDS; round++) {
          // Rounds interleave the local pool (size 0) with every batch size, in a rotating order.
          const order = [0, ...SIZES];
          for (let k = 0; k < round; k++) order.push(order.shift()!);
          for (const size of order) {
            const t0 = performance.now(), c0 = mine(), o0 = others();
            if (size === 0) await pool.run(variant.cfg, indexes);
            else await withRedisRunner({ target, queue: 'batches', batch: size }, (runner) => executeRun({ runner }, { variant, replications: reps, maxReplications: reps, options: {} }));
            const wall = (performance.now() - t0) / 1000, cpu = mine() - c0 + others() - o0;
            samples.set(size, [...(samples.get(size) ?? []), { wall, cpu }]);
          }
          console.error(`batches: ${file} round ${round + 1} done`);
        }
      });
      const local = samples.get(0)!;
      const lw = median(local.map((x) => x.wall)), lc = median(local.map((x) => x.cpu));
      out.push({ scenario: file, batch: 'local pool', replications: reps, jobs: 0, wallSeconds: lw, cpuSeconds: lc, ofLocal: 1, cpuMsPerJob: 0 });
      for (const size of SIZES) {
        const xs = samples.get(size)!;
        const w = median(xs.map((x) => x.wall)), c = median(xs.map((x) => x.cpu));
        const jobs = Math.ceil(reps / size);
        // CPU beyond the local pool's for the same replications, per job: the queue's cost (coordinator, workers' main threads, Redis).
        out.push({ scenario: file, batch: size, replications: reps, jobs, wallSeconds: w, cpuSeconds: c, ofLocal: lw / w, cpuMsPerJob: ((c - lc) * 1000) / jobs, walls: xs.map((x) => x.wall) });
      }
    }
  } finally {
    await Promise.all(workers.map(stopProc));
  }
  return { rows: out };
}

/** CPU ms of this process's main thread so far (Linux: /proc/self/task/PID/stat): the coordinator's own work, without the local pool's threads. */
function mainThreadMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) / TICKS) * 1000;
}

/** A whole command in this process (the coordinator): wall seconds and its main thread's CPU ms. */
async function inProcess(args: string[]): Promise<{ wall: number; mainMs: number; err: string }> {
  const out: string[] = [], err: string[] = [];
  const m0 = mainThreadMs(), t0 = performance.now();
  const code = await main(['node', 'cctwin', ...args], { out: (x) => out.push(x), err: (x) => err.push(x) });
  if (code !== 0) throw new Error(`cctwin ${args.join(' ')} failed (${code}): ${err.join('\n')}`);
  return { wall: (performance.now() - t0) / 1000, mainMs: mainThreadMs() - m0, err: err.join('\n') };
}

/**
 * The coordinator's work per replication, local pool against Redis: the main thread's
 * CPU over a whole `cctwin run` of erlang-a-day in this process (its store in a temp
 * folder), ROUNDS rounds alternating.
 */
async function coordinator(url: string, dir: string): Promise<Record<string, unknown>> {
  const reps = Number(process.env.BENCH_COORDINATOR_REPS ?? 400);
  const workers = await startWorkers(url, 2);
  const local: number[] = [], redis: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const args = (b: string) => ['run', 'scenarios/erlang-a-day.yaml', '-r', String(reps), '--json', '--db', join(dir, `coordinator-${i}-${b === 'local' ? 'l' : 'r'}.db`), ...(b === 'local' ? ['-w', '2'] : ['--backend', b])];
      local.push((await inProcess(args('local'))).mainMs / reps);
      redis.push((await inProcess(args(url))).mainMs / reps);
      console.error(`coordinator round ${i + 1}: main thread ${local.at(-1)!.toFixed(2)} ms (local) and ${redis.at(-1)!.toFixed(2)} ms (Redis) per replication`);
    }
  } finally {
    await Promise.all(workers.map(stopProc));
  }
  return { scenario: 'scenarios/erlang-a-day.yaml', replications: reps, localMainMsPerReplication: local, redisMainMsPerReplication: redis, localMedian: median(local), redisMedian: median(redis) };
}

/** What the coordinator does per replication whatever the backend: decode, summarize the totals, store (one transaction). */
function storeBaseline(dir: string): number {
  const file = 'scenarios/erlang-a-day.yaml';
  const cfg = compileVariant(readScenarioText(file), file, []).cfg;
  const buf = replicate(cfg, 0);
  const store = RunStore.open(join(dir, 'baseline.db'));
  const id = store.createRun({ kind: 'run', name: 'x', codeVersion: 'x', scenario: '', options: {}, arms: [{ label: 'A', config: cfg }] });
  const n = 500;
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < n; r++) {
    const b = buf.slice();
    b[6] = r;
    const res = decodeResult(b, cfg);
    store.addReplication(id, 0, b, kpisOf(totalRow(res.rows, cfg)));
  }
  const cpu = process.cpuUsage(cpu0);
  store.close();
  return (cpu.user + cpu.system) / 1000 / n;
}

async function bigSweep(url: string, dir: string): Promise<Record<string, unknown>> {
  const workers = await startWorkers(url, 2);
  const client = new Redis(url);
  let maxUsed = 0;
  const used = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
  const before = await used();
  const sampler = setInterval(() => { used().then((u) => { maxUsed = Math.max(maxUsed, u); }, () => {}); }, 1000);
  const agents = Array.from({ length: POINTS }, (_, i) => 330 + 5 * i).join(',');
  const db = join(dir, 'sweep.db');
  const out: string[] = [], err: string[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const m0 = mainThreadMs();
  let code: number;
  try {
    code = await main(['node', 'cctwin', 'sweep', 'scenarios/erlang-a-day.yaml', '--set', `agents=${agents}`, '-r', String(SWEEP_REPS), '--backend', url, '--db', db, '--json'],
      { out: (s) => out.push(s), err: (s) => err.push(s) });
  } finally {
    clearInterval(sampler);
    await Promise.all(workers.map(stopProc));
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mainMs = mainThreadMs() - m0;
  if (code !== 0) throw new Error(`the sweep failed (${code}): ${err.join('\n')}`);
  const info = await client.info('memory');
  const peak = Number(/used_memory_peak:(\d+)/.exec(info)![1]);
  const after = await used();
  const keys = await client.dbsize();
  client.disconnect();
  const replications = POINTS * SWEEP_REPS;
  return {
    scenario: 'scenarios/erlang-a-day.yaml', points: POINTS, replicationsPerPoint: SWEEP_REPS, replications, wallSeconds: wall,
    replicationsPerSecond: replications / wall, coordinatorCpuMsPerReplication: (cpu.user + cpu.system) / 1000 / replications, coordinatorMainMsPerReplication: mainMs / replications,
    redisUsedBefore: before, redisUsedMax: maxUsed, redisUsedPeak: peak, redisUsedAfter: after, keysAfter: keys,
  };
}

async function benchMain(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cctwin-bench-redis-'));
  const port = await freePort();
  const redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
  const url = `redis://127.0.0.1:${port}`;
  const target = parseRedisUrl(url) as RedisTarget;
  const load0 = loadavg()[0];
  const results: Record<string, unknown> = { date: new Date().toISOString(), cores: cpus().length, node: process.version };
  try {
    await until('redis-server', () => /Ready to accept connections/.test(redis.out()));
    const only = process.env.BENCH_ONLY?.split(',');
    const run = (name: string) => !only || only.includes(name);
    if (run('overhead')) results.overhead = await overhead(url, dir, redis.proc.pid!);
    if (run('batches')) results.batches = await batchSizes(url, target, redis.proc.pid!);
    if (run('coordinator')) results.coordinator = await coordinator(url, dir);
    if (run('sweep')) results.sweep = { ...(await bigSweep(url, dir)), storeBaselineCpuMsPerReplication: storeBaseline(dir) };
  } finally {
    await stopProc(redis);
    rmSync(dir, { recursive: true, force: true });
  }
  results.loadBefore = load0;
  results.loadAfter = loadavg()[0];
  const o = results.overhead as Record<string, number> | undefined;
  if (o) {
    console.log(table([`${OVERHEAD_REPS} x baseline-day, whole command`, 'seconds (median)', 'replications/s', 'of local', 'CPU s, all processes (median)', 'CPU of local'], [
      ['local pool, 2 threads', o.localMedian.toFixed(2), (OVERHEAD_REPS / o.localMedian).toFixed(1), '100%', o.localCpuMedian.toFixed(1), '100%'],
      ['Redis, 2 workers x 1 thread', o.redisMedian.toFixed(2), (OVERHEAD_REPS / o.redisMedian).toFixed(1), `${(100 * o.ratio).toFixed(1)}%`, o.redisCpuMedian.toFixed(1), `${(100 / o.cpuRatio).toFixed(1)}%`],
    ]));
  }
  const b = results.batches as { rows: Record<string, number | string>[] } | undefined;
  if (b) {
    console.log(table(['scenario', 'batch', 'replications', 'jobs', 'seconds (median)', 'throughput of local', 'CPU s (all processes)', 'CPU ms per job beyond local'], b.rows.map((r) => [
      String(r.scenario).replace(/^.*\//, ''), String(r.batch), String(r.replications), String(r.jobs), (r.wallSeconds as number).toFixed(2), `${(100 * (r.ofLocal as number)).toFixed(0)}%`,
      (r.cpuSeconds as number).toFixed(2), r.batch === 'local pool' ? '' : (r.cpuMsPerJob as number).toFixed(1),
    ])));
  }
  const c = results.coordinator as Record<string, number> | undefined;
  if (c) {
    console.log(table(['coordinator main thread, erlang-a-day', 'CPU ms per replication (median)'], [
      [`local pool, 2 threads, ${c.replications} replications`, c.localMedian.toFixed(2)],
      [`Redis, 2 workers, ${c.replications} replications`, c.redisMedian.toFixed(2)],
    ]));
  }
  const s = results.sweep as Record<string, number> | undefined;
  if (s) {
    console.log(table(['largest sweep', 'figure'], [
      ['replications (erlang-a-day)', `${s.replications} (${s.points} points x ${s.replicationsPerPoint})`],
      ['wall', `${s.wallSeconds.toFixed(1)} s (${s.replicationsPerSecond.toFixed(1)} replications/s)`],
      ['coordinator CPU per replication (process / main thread)', `${s.coordinatorCpuMsPerReplication.toFixed(2)} / ${s.coordinatorMainMsPerReplication.toFixed(2)} ms (decode + store alone: ${s.storeBaselineCpuMsPerReplication.toFixed(2)} ms)`],
      ['Redis used_memory before / max sampled / peak / after', `${mb(s.redisUsedBefore)} / ${mb(s.redisUsedMax)} / ${mb(s.redisUsedPeak)} / ${mb(s.redisUsedAfter)} (${s.keysAfter} keys left)`],
    ]));
  }
  console.log(`load average ${load0.toFixed(2)} before, ${(results.loadAfter as number).toFixed(2)} after`);
  writeFileSync(join(ROOT, 'bench/redis-results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

await benchMain();
