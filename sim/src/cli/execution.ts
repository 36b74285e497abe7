import { LIMITS } from '../config/limits.ts';
import { statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import cliProgress from 'cli-progress';
import { defaultWorkers } from '../engine/cores.ts';
import { runnerFor, threadsFor, type Runner } from '../engine/runner.ts';
import { DEFAULT_MAX_REPLICATIONS, PILOT_REPLICATIONS, parsePrecision, scopePrecision, type PrecisionTarget } from '../experiments/precision.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { parseDurationFlag, parseSets, type Assignment, type SetSpec } from '../experiments/overrides.ts';
import type { ExecContext } from '../runs/execute.ts';
import { DEFAULT_DB, type RunStore } from '../runs/store.ts';
import { openStore } from './files.ts';
import type { FlagChecker } from './options.ts';
import { readBackend, type Backend } from './redis-flags.ts';
import type { Io } from './io.ts';

/**
 * What run, compare and sweep share: the flags that choose workers, store, precision
 * and warm-up, and the session around a command: the run store, the worker pool,
 * the progress bar and the stop signals.
 */

export interface ExecutionFlags {
  replications: number;
  seed?: number;
  sets: SetSpec[];
  fixed: Assignment[];
  /** As parsed; its scope is settled by scopeFlagPrecision once the scenario is compiled. */
  precision?: PrecisionTarget;
  /** --precision as given (for its error messages). */
  precisionText?: string;
  maxReplications: number;
  workers: number;
  db: string;
  json: boolean;
  /** Plug-in policy modules the user allowed by name (--allow-policy); never stored. */
  allowPolicies: string[];
  /** Where the replications run: worker threads here, or `cctwin worker` processes through Redis (--backend). Never stored: a run's record is the same either way. */
  backend: Backend;
}

/** Reads the shared flags; issues go to `f` (reported all at once by the caller). */
export function readExecutionFlags(f: FlagChecker, o: Record<string, unknown>, maxSetValues: number, defaultReplications = 1): ExecutionFlags {
  const precision = parsePrecision(o.precision, f.issues);
  const replications = f.number('replications', o.replications ?? String(precision ? Math.max(PILOT_REPLICATIONS, defaultReplications) : defaultReplications), { integer: true, min: precision ? 2 : 1, max: LIMITS.replications });
  const maxReplications = f.number('max-replications', o.maxReplications ?? String(DEFAULT_MAX_REPLICATIONS), { integer: true, min: 2, max: LIMITS.replications });
  if (replications !== undefined && maxReplications !== undefined && precision && maxReplications < replications) {
    f.fail('max-replications', String(maxReplications), `must be at least --replications (${replications})`);
  }
  const seed = f.number('seed', o.seed, { integer: true, min: 0 });
  const workers = f.number('workers', o.workers ?? String(defaultWorkers()), { integer: true, min: 1, max: LIMITS.workers });
  const backend = readBackend(f, o);
  const sets = parseSets((o.set as string[] | undefined) ?? [], f.issues, maxSetValues);
  const warmup = parseDurationFlag('warmup', o.warmup, f.issues);
  const db = String(o.db ?? DEFAULT_DB);
  const allowPolicies = (o.allowPolicy as string[] | undefined) ?? [];
  for (const p of allowPolicies) {
    let ok = false;
    try { ok = statSync(p).isFile(); } catch { ok = false; }
    if (!ok) f.fail('allow-policy', p, 'must be an existing routing policy module (a .ts, .js or .mjs file)');
  }
  return {
    replications: replications ?? 1,
    seed,
    sets,
    fixed: warmup === undefined ? [] : [{ path: 'warmup', value: warmup }],
    precision,
    ...(o.precision !== undefined && o.precision !== null ? { precisionText: String(o.precision) } : {}),
    maxReplications: maxReplications ?? DEFAULT_MAX_REPLICATIONS,
    workers: workers ?? 1,
    db,
    json: Boolean(o.json),
    allowPolicies,
    backend,
  };
}

/**
 * Settles where --precision's KPI is read in the compiled scenario(s) (every arm of a
 * compare; a sweep's first point) and checks that they measure it: `x.precision` gets
 * its scope, or the problems join `f`'s (reported with the others at done()).
 */
export function scopeFlagPrecision(f: FlagChecker, x: ExecutionFlags, cfgs: readonly ModelConfig[]): void {
  if (!x.precision) return;
  const scoped = scopePrecision(x.precision, cfgs, f.issues, x.precisionText ?? '');
  if (scoped) x.precision = scoped;
}

/** The most replications one batch can run: what the pool needs threads for. */
export function batchSize(x: ExecutionFlags): number {
  return x.precision ? x.maxReplications : x.replications;
}

/** Flags as stored with a run (what was asked, not the machine it ran on). */
export function storedOptions(x: ExecutionFlags): Record<string, unknown> {
  return {
    replications: x.replications,
    seed: x.seed ?? null,
    sets: x.sets,
    fixed: x.fixed,
    precision: x.precision ?? null,
    maxReplications: x.maxReplications,
    workers: x.workers,
  };
}

/**
 * Builds the scenario variants of a command; when flags are also wrong, reports the
 * flag issues and the scenario's issues in one error (all issues at once).
 */
export function withFlagIssues<T>(f: FlagChecker, command: string, build: () => T): T {
  const built = f.collect(build);
  f.done(command);
  return built as T; // done() throws when build failed: its issues are among f's
}

/**
 * Starts the worker threads of a local run with more than one thread now, before the
 * command compiles its scenario, so that they load the engine meanwhile (engine/pool.ts
 * startPoolEarly), as many as withSession would start for `tasks` replications; only
 * when the flags read so far had no issue. Returns what the
 * command calls when it ends, whichever way: it destroys the threads if no runner took
 * them.
 */
export async function startWorkersEarly(f: FlagChecker, x: ExecutionFlags, tasks = batchSize(x)): Promise<() => Promise<void>> {
  const threads = threadsFor({ workers: x.workers, tasks });
  if (f.issues.length > 0 || x.backend.kind !== 'local' || threads <= 1) return async () => {};
  const { startPoolEarly } = await import('../engine/pool.ts');
  return startPoolEarly(threads).discard;
}

export interface Session {
  ctx: ExecContext;
  /** true once a stop signal (Ctrl-C, SIGTERM, SIGHUP) arrived */
  interrupted: () => boolean;
}

/** The signals that stop a command cleanly, like Ctrl-C. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** The exit code of a command stopped by `signal`: 128 + its number, as a shell reports it (130 for Ctrl-C). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + (osConstants.signals[signal] ?? 2);
}

const describeSignal = (s: StopSignal) => (s === 'SIGINT' ? 'Ctrl-C (SIGINT)' : s);

/**
 * Opens the store, starts the workers, shows progress (stderr, terminals only, never
 * with --json), and turns the first stop signal (Ctrl-C, SIGTERM, SIGHUP) into a
 * clean stop: no more replications are dispatched, running workers are terminated,
 * the store marks the runs interrupted and the command reports what finished. A
 * second signal exits at once, the runs still marked interrupted.
 *
 * With one worker, replications run on this thread in slices of events (engine/runner.ts),
 * and a signal is seen between slices: a stop takes a slice's time, whatever the
 * length of the replication.
 *
 * `exitCode` gives the command's exit code for its outcome: 0, or 128 + the number of
 * the signal that stopped it.
 */
export async function withSession<T>(
  io: Io, x: { workers: number; db: string | null; json: boolean; tasks?: number; replicationBar?: boolean; backend?: Backend }, body: (s: Session) => Promise<T>,
): Promise<{ value: T; exitCode: (status: 'done' | 'interrupted') => number }> {
  const stop = new AbortController();
  let stoppedBy: StopSignal | null = null;
  let store: RunStore | null = null;
  const onSignal = (signal: StopSignal) => {
    if (signal === 'SIGHUP') {
      // The terminal is gone: writing to it fails, and that must not end the clean stop.
      process.stdout.on('error', () => {});
      process.stderr.on('error', () => {});
    }
    if (stoppedBy !== null) {
      try {
        store?.interruptOwnRuns(`stopped at once by a second signal (${describeSignal(signal)}); no result was computed`);
      } catch {
        // quitting at once: the next open of the store finds the runs stale
      }
      process.exit(signalExitCode(stoppedBy));
    }
    stoppedBy = signal;
    io.err(`\ninterrupted by ${describeSignal(signal)}: stopping the workers (${signal === 'SIGINT' ? 'Ctrl-C' : `${signal}`} again to quit at once)`);
    stop.abort();
  };
  const handlers = STOP_SIGNALS.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const release = () => { for (const [s, h] of handlers) process.off(s, h); };
  // With a Redis backend the store is opened once Redis answered: a command that cannot
  // reach its Redis leaves no run store behind (a new file would be created empty).
  const remote = (x.backend?.kind ?? 'local') !== 'local';
  const openTheStore = () => { store = x.db === null ? null : openStore(x.db, 'write'); };
  if (!remote) {
    try {
      openTheStore();
    } catch (e) {
      release();
      throw e;
    }
  }
  // A command with its own progress report (staff: a bar per iteration) asks for no replication bar.
  const bar = process.stderr.isTTY && !x.json && x.replicationBar !== false
    ? new cliProgress.SingleBar({
      stream: process.stderr,
      format: 'replications {bar} {value}/{total} | {rate} simulated days/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    }, cliProgress.Presets.shades_classic)
    : null;
  const t0 = performance.now();
  let total = 0, done = 0, simulated = 0;
  const progress = bar
    ? {
      plan(n: number) {
        if (total === 0) bar.start(n, 0, { rate: '0.0' });
        else bar.setTotal(total + n);
        total += n;
      },
      done(simSeconds: number) {
        done++;
        simulated += simSeconds;
        const wall = (performance.now() - t0) / 1000;
        bar.update(done, { rate: (simulated / 86400 / Math.max(wall, 1e-9)).toFixed(1) });
      },
    }
    : undefined;
  const withBackend = async <R>(run: (runner: Runner) => Promise<R>): Promise<R> => {
    const b = x.backend ?? { kind: 'local' };
    if (b.kind === 'local') return runnerFor({ workers: x.workers, tasks: x.tasks, ...testHooks() }, run, stop.signal);
    const { withRedisRunner } = await import('../runs/redis-runner.ts');
    // Messages about the backend (no worker yet, Redis lost and back) go to stderr, above the bar.
    const log = (line: string) => io.err(bar && total > 0 ? `\n${line}` : line);
    // How long a lost Redis is waited for before the command fails (what finished stays stored; a sweep resumes).
    const wait = Number(process.env.CCTWIN_REDIS_WAIT);
    return withRedisRunner({ target: b.target, queue: b.queue, log, ...(wait > 0 ? { outageMs: wait * 1000 } : {}) }, run, stop.signal);
  };
  try {
    const value = await withBackend((runner) => {
      if (remote) openTheStore();
      return body({
        ctx: { runner, store, progress, stopNote: () => (stoppedBy === null ? null : `stopped by ${describeSignal(stoppedBy)}`) },
        interrupted: () => stop.signal.aborted,
      });
    });
    return { value, exitCode: (status) => (status === 'interrupted' ? signalExitCode(stoppedBy ?? 'SIGINT') : 0) };
  } finally {
    bar?.stop();
    release();
    (store as RunStore | null)?.close(); // assigned in a closure: TypeScript cannot see it
  }
}

/** CCTWIN_TEST_CRASH_ONCE=3,7: those replications' first attempt crashes its worker (recovery tests). */
function testHooks(): { crashOnce?: number[]; inProcess?: boolean } {
  const crash = process.env.CCTWIN_TEST_CRASH_ONCE;
  if (!crash) return {};
  return { crashOnce: crash.split(',').map(Number).filter(Number.isInteger), inProcess: false };
}
