import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

/**
 * A real redis-server for the Redis backend's tests: its own process on a free
 * loopback port, no persistence (`--save '' --appendonly no`), its files in a temp
 * folder; never a Redis the machine already runs. And `cctwin` processes (workers,
 * coordinators) from the compiled bin, as users start them.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin/cctwin.js');
export const scenario = (name: string) => join(ROOT, 'scenarios', name);

export function tempDir(prefix = 'cctwin-redis-'): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every `every` ms until it holds (returns its value) or `ms` pass (throws `what`). */
export async function until<T>(what: string, cond: () => T | Promise<T>, ms = 30_000, every = 50): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

/** A child process with its output collected. */
export interface Proc {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

export function start(cmd: string, args: string[], env: Record<string, string> = {}, cwd = ROOT): Proc {
  const proc = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((res) => {
    proc.on('exit', (code) => res(code));
    // A command that is not installed: said in the output, the process counted as exited.
    proc.on('error', (e) => { err += `cannot start ${cmd}: ${e.message}${cmd === 'redis-server' ? ' (test/redis needs Debian\'s redis-server: apt-get install redis-server, as .ci/run does)' : ''}\n`; res(127); });
  });
  return { proc, out: () => out, err: () => err, exited };
}

/** Stops a child (SIGTERM, then SIGKILL after `ms`) and waits for it. */
export async function stop(p: Proc | null | undefined, ms = 10_000): Promise<void> {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill('SIGTERM');
  const t = setTimeout(() => p.proc.kill('SIGKILL'), ms);
  await p.exited;
  clearTimeout(t);
}

export interface RedisServer extends Proc {
  port: number;
  url: string;
  dir: string;
}

/** `redis-server` on `port` (a free one by default) with no persistence; `extra` adds arguments (a password, TLS). */
export async function startRedis(o: { port?: number; dir?: string; extra?: string[]; url?: (port: number) => string } = {}): Promise<RedisServer> {
  const port = o.port ?? await freePort();
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'cctwin-redis-server-'));
  const p = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(o.extra ?? [])], {}, dir);
  let ended = false;
  void p.exited.then(() => { ended = true; });
  await until('redis-server to start', () => /Ready to accept connections/.test(p.out()) || ended, 15_000);
  if (ended) throw new Error(`redis-server did not start: ${p.out()}${p.err()}`);
  return { ...p, port, dir, url: o.url ? o.url(port) : `redis://127.0.0.1:${port}` };
}

/** A `cctwin worker` process, once it listens to the queue. */
export async function startWorker(url: string, args: string[] = [], env: Record<string, string> = {}): Promise<Proc> {
  const w = start(process.execPath, [BIN, 'worker', '--redis', url, '--concurrency', '1', ...args], env);
  await until('the worker to listen', () => / thread/.test(w.err()) || w.proc.exitCode !== null, 30_000);
  if (w.proc.exitCode !== null) throw new Error(`cctwin worker exited ${w.proc.exitCode}: ${w.err()}`);
  return w;
}

/** The jobs a worker's log says it finished: job id -> count. */
export function jobsDone(log: string): string[] {
  return [...log.matchAll(/ job (\S+): \d+ replications? /g)].map((m) => m[1]);
}

/** (run, point, arm, replication) computed, from workers' logs: a key per replication of each job done. */
export function replicationsDone(logs: string[]): string[] {
  const out: string[] = [];
  for (const id of logs.flatMap(jobsDone)) {
    const m = /^(.*)\.(\d+)-(\d+)$/.exec(id)!;
    for (let r = Number(m[2]); r < Number(m[3]); r++) out.push(`${m[1]}#${r}`);
  }
  return out;
}

/** A sweep's stored results, timing fields aside: its points' summaries and every replication buffer (wall time zeroed). */
export function storedSweep(db: string, id: number): { points: unknown; buffers: string[] } {
  const d = new Database(db, { readonly: true });
  try {
    const sweep = d.prepare('SELECT result FROM runs WHERE id = ?').get(id) as { result: string };
    const points = d.prepare('SELECT s.point, r.result, r.status FROM sweep_points s JOIN runs r ON r.id = s.run_id WHERE s.sweep_id = ? ORDER BY s.point').all(id) as { point: number; result: string; status: string }[];
    const buffers: string[] = [];
    for (const p of d.prepare('SELECT run_id FROM sweep_points WHERE sweep_id = ? ORDER BY point').all(id) as { run_id: number }[]) {
      for (const row of d.prepare('SELECT replication, result FROM replications WHERE run_id = ? ORDER BY replication').all(p.run_id) as { replication: number; result: Buffer }[]) {
        const b = Buffer.from(row.result);
        b.fill(0, 5 * 8, 6 * 8); // the header's wall seconds
        buffers.push(`${row.replication}:${b.toString('base64')}`);
      }
    }
    // A point's run id is where the store put it, different in any two sweeps of one store.
    const result = JSON.parse(sweep.result) as { points: { runId?: number }[] };
    for (const p of result.points) delete p.runId;
    return { points: { sweep: withoutTiming(result), points: points.map((p) => ({ point: p.point, status: p.status, result: withoutTiming(JSON.parse(p.result)) })) }, buffers };
  } finally {
    d.close();
  }
}

/** A summary without its timing fields (wall seconds, events per second, seconds per simulated day). */
export function withoutTiming(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTiming);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'wallSeconds' || k === 'eventsPerSecond' || k === 'secondsPerSimulatedDay') continue;
      out[k] = withoutTiming(x);
    }
    return out;
  }
  return v;
}
