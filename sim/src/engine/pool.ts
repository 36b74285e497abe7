import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// Submodule imports: the 'effect' barrel costs over a second of start-up on every command.
import * as Cause from 'effect/Cause';
import * as Duration from 'effect/Duration';
import * as Effect from 'effect/Effect';
import * as Exit from 'effect/Exit';
import { Piscina } from 'piscina';
import type { ModelConfig } from '../config/model-config.ts';
import { modelKey } from '../config/topology.ts';
import { threadsFor, withLocalRunner, ReplicationFailed, RunInterrupted, type Runner, type RunnerOptions, type RunExtras } from './runner.ts';
import { defaultWorkers } from './cores.ts';
import type { ReplicationTask } from './replication-worker.ts';
import { fromWire, SimError } from '../errors.ts';

/**
 * Replications over worker threads. The pool's lifetime is an effect Scope: it is
 * started once per command and destroyed on success, failure and interruption
 * alike. Each replication is one task; a task whose worker dies is re-run on a
 * fresh worker (piscina replaces it); cancellation terminates workers between
 * replications' results, never inside the engine's hot loop, which knows nothing of
 * effect.
 *
 * Determinism: replication r draws only from the streams seeded by (cfg.seed, r), and
 * results are keyed by r, so worker count and completion order never change a number.
 */

export { defaultWorkers };

export { ReplicationFailed, RunInterrupted, type Runner, type RunnerOptions, type RunExtras } from './runner.ts';

/**
 * The worker module, compiled JavaScript loaded directly by each thread (no loader to
 * register, nothing compiled at start-up): a CommonJS entry that imports the engine's
 * ES modules (replication-worker-entry.cts says why). From the TypeScript sources (tests,
 * benchmarks under tsx) it is the build's copy in dist/, which `npm test` builds first.
 */
const WORKER = import.meta.url.endsWith('.ts')
  ? new URL('../../../dist/sim/src/engine/replication-worker-entry.cjs', import.meta.url)
  : new URL('./replication-worker-entry.cjs', import.meta.url);

function workerFile(): string {
  if (!existsSync(WORKER)) {
    throw new Error(`the compiled worker ${fileURLToPath(WORKER)} is missing: run \`npm run build\``);
  }
  return WORKER.href;
}

function newPool(workers: number): Piscina<ReplicationTask, Float64Array> {
  const pool = new Piscina<ReplicationTask, Float64Array>({
    filename: workerFile(),
    minThreads: workers,
    maxThreads: workers,
    // Workers live as long as the command; no idle teardown between batches.
    idleTimeout: 60_000,
  });
  // Piscina emits 'error' for what belongs to no task: a result that arrives after its
  // task was cancelled (an interrupted run: "Unexpected message from Worker"), a worker
  // failing with no task, a close timeout. Without a listener Node throws it as an
  // uncaught exception. Every task's own failure reaches `run` through its promise,
  // so these carry nothing to report.
  pool.on('error', () => {});
  return pool;
}

/** A pool started before its command needed it (startPoolEarly), until a runner of its size takes it. */
let early: { workers: number; pool: Piscina<ReplicationTask, Float64Array>; taken: boolean; destroyed: Promise<void> | null } | null = null;

/** Destroys the early pool (it was not taken): once, the promise kept for discard() to wait on. */
function destroyEarly(): void {
  if (early === null) return;
  const e = early;
  early = null;
  e.destroyed = e.pool.destroy().catch(() => {});
}

/**
 * Starts a pool of `workers` threads now, for the next runner of that size to take
 * (withRunner): the threads load the engine while this thread still reads and compiles
 * the scenario, instead of after it. A cold start of two threads costs about 0.1 s of
 * each core; overlapped, a command's start-up hides it (docs/start-up.md). `discard()`
 * destroys the pool if no runner took it (the command failed first, or ran in another
 * way: a runner of another size destroys it at once), and resolves once its threads
 * are gone; `taken()` says whether a runner took it, `threads()` how many threads it
 * still has.
 */
export function startPoolEarly(workers: number): { taken: () => boolean; threads: () => number; discard: () => Promise<void> } {
  destroyEarly(); // one started before and never taken
  const entry: NonNullable<typeof early> = { workers, pool: newPool(workers), taken: false, destroyed: null };
  early = entry;
  return {
    taken: () => entry.taken,
    threads: () => entry.pool.threads.length,
    discard: async () => {
      if (early === entry) destroyEarly();
      await entry.destroyed;
    },
  };
}

const acquirePool = (workers: number) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const started = early?.workers === workers ? early : null;
      if (started === null) {
        // A pool started for another size (a plug-in policy runs on one thread) leaves the cores to this one.
        destroyEarly();
        return newPool(workers);
      }
      early = null;
      started.taken = true;
      return started.pool;
    }),
    (pool) => Effect.promise(() => pool.destroy()),
  );

function poolReplication(pool: Piscina<ReplicationTask, Float64Array>, cfg: ModelConfig, key: string, r: number, opts: RunnerOptions, attempts: Map<number, number>, extras?: RunExtras) {
  const once = Effect.suspend(() => {
    const attempt = (attempts.get(r) ?? 0) + 1;
    attempts.set(r, attempt);
    const crash = attempt === 1 && (opts.crashOnce?.includes(r) ?? false);
    let run = Effect.tryPromise({
      try: (signal) => pool.run({ cfg, modelKey: key, replication: r, crash, ...(extras?.typeIntervals ? { typeIntervals: true } : {}) }, { signal }),
      catch: (e): ReplicationFailed | SimError => {
        const msg = (e as Error)?.message ?? String(e);
        return fromWire(msg) ?? new ReplicationFailed(r, msg, /worker exited/i.test(msg));
      },
    });
    if (opts.timeoutMs !== undefined) {
      run = run.pipe(Effect.timeoutFail({
        duration: Duration.millis(opts.timeoutMs),
        onTimeout: () => new ReplicationFailed(r, `timed out after ${opts.timeoutMs} ms`, false),
      }));
    }
    return run;
  });
  return once.pipe(Effect.retry({ times: opts.retries ?? 2, while: (e) => e instanceof ReplicationFailed && e.crashed }));
}

function makeRunner(pool: Piscina<ReplicationTask, Float64Array>, opts: RunnerOptions, scopeSignal: AbortSignal, stop?: AbortSignal): Runner {
  const attempts = new Map<number, number>();
  return {
    workers: opts.workers,
    inProcess: false,
    async run(cfg, indexes, onResult, extras) {
      // Workers build the model's topology once each, recognising it by this key.
      const key = modelKey(cfg);
      const one = (r: number) =>
        poolReplication(pool, cfg, key, r, opts, attempts, extras).pipe(Effect.tap((buf) => Effect.sync(() => onResult?.(buf, r))));
      const batch = Effect.forEach(indexes, one, { concurrency: opts.workers });
      const exit = await Effect.runPromiseExit(batch, { signal: stop ? AbortSignal.any([scopeSignal, stop]) : scopeSignal });
      if (Exit.isSuccess(exit)) return exit.value;
      if (Cause.isInterruptedOnly(exit.cause)) throw new RunInterrupted();
      throw Cause.squash(exit.cause);
    },
  };
}

/**
 * Runs `body` with a runner whose pool (if any) lives exactly as long as the call:
 * it is destroyed when `body` settles, whichever way.
 *
 * `stop` (Ctrl-C) interrupts the runner's batches: dispatching stops, the workers
 * running a replication are terminated, and `runner.run` rejects with RunInterrupted
 * (its `onResult` has already seen every replication that finished). `body` decides
 * what to do with that (record and report a partial result), then the pool goes.
 */
export async function withRunner<T>(opts: RunnerOptions, body: (runner: Runner) => Promise<T>, stop?: AbortSignal): Promise<T> {
  const workers = threadsFor(opts);
  opts = { ...opts, workers };
  const inProcess = opts.inProcess ?? workers <= 1;
  if (inProcess) return withLocalRunner(body, stop);
  const program = Effect.scoped(
    Effect.gen(function* () {
      const pool = yield* acquirePool(Math.max(1, opts.workers));
      return yield* Effect.tryPromise({
        try: (scopeSignal) => body(makeRunner(pool, opts, scopeSignal, stop)),
        catch: (e) => e,
      });
    }),
  );
  const exit = await Effect.runPromiseExit(program);
  if (Exit.isSuccess(exit)) return exit.value;
  throw Cause.squash(exit.cause);
}
