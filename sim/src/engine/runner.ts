import type { ModelConfig } from '../config/model-config.ts';
import { isPluginPolicy, loadPolicy } from './policy-loader.ts';
import { Replication } from './replicate.ts';
import { TypeIntervalRun } from './type-intervals.ts';

/**
 * What runs replications, on this thread (here) or on worker threads (pool.ts, which
 * loads effect and piscina: a command on one thread does not).
 */

export interface RunnerOptions {
  /** Worker threads. 1 runs in-process unless `inProcess: false`. */
  workers: number;
  /**
   * The most replications any one batch of this runner will run: no more threads start
   * than can be busy (a thread costs start-up and memory), and a single replication
   * runs in-process.
   */
  tasks?: number;
  /** Run on this thread instead of workers (default: workers === 1). */
  inProcess?: boolean;
  /** Fail a replication that takes longer than this (ms). Off by default. */
  timeoutMs?: number;
  /** Re-runs of a replication whose worker crashed (default 2). */
  retries?: number;
  /** Test hook: the first attempt of these replication indexes crashes its worker. */
  crashOnce?: readonly number[];
}

/**
 * Where a call's replications belong, for a runner that runs them in other processes
 * (the Redis backend, runs/redis-runner.ts: it names its jobs after the run, point and
 * arm, and ships the scenario text to workers that compile it themselves). The
 * runners of this process ignore it.
 */
export interface RunTarget {
  /** The run (in the run store) that records these replications; null when nothing is stored. */
  run: number | null;
  /** The sweep point, for a sweep's run. */
  point?: number;
  /** The arm (0 for a run, 0, 1, ... for a compare's arms). */
  arm: number;
  /** The scenario as run (the text `cfg` was compiled from, every edit applied). */
  scenario?: string;
  /** The replications the caller plans for this arm so far (0..planned-1), of which `indexes` are the missing ones. */
  planned?: number;
}

/** What a batch of replications returns besides the result buffer. */
export interface RunExtras {
  /**
   * Append each contact type's figures per interval to each buffer (type-intervals.ts:
   * the replication runs with the event log on, the result itself is unchanged).
   */
  typeIntervals?: boolean;
  /** Where these replications belong (a runner in other processes needs it; the runners of this process ignore it). */
  target?: RunTarget;
}

export interface Runner {
  readonly workers: number;
  readonly inProcess: boolean;
  /**
   * Runs replications `indexes` of `cfg`. `onResult` is called on this thread as each
   * one finishes (in completion order); the promise resolves with the buffers in the
   * order of `indexes`.
   */
  run(cfg: ModelConfig, indexes: readonly number[], onResult?: (buf: Float64Array, replication: number) => void, extras?: RunExtras): Promise<Float64Array[]>;
  /** Why this runner cannot run `cfg` (e.g. the Redis backend and a plug-in routing policy), or null: checked before a run is stored. */
  refuses?(cfg: ModelConfig): string | null;
}

/** The run was stopped from outside (Ctrl-C, an AbortSignal); finished replications were reported. */
export class RunInterrupted extends Error {
  constructor() {
    super('run interrupted');
    this.name = 'RunInterrupted';
  }
}

/** A replication failed for good: its worker crashed more often than the retries allow, it timed out, or it threw. */
export class ReplicationFailed extends Error {
  constructor(readonly replication: number, readonly reason: string, readonly crashed: boolean) {
    super(`replication ${replication} failed: ${reason}`);
    this.name = 'ReplicationFailed';
  }
}

/**
 * Events per slice of an in-process replication: between slices the runner gives the
 * event loop a turn, so a stop (Ctrl-C, SIGTERM, an AbortSignal) is seen within a
 * slice's time (a few tens of milliseconds), not at the end of the replication.
 */
export const SLICE_EVENTS = 200_000;

const turn = () => new Promise<void>((res) => setImmediate(res));

/** A runner on this thread: replications one after another, each in slices (a plug-in policy's: on one worker thread). */
export function localRunner(stop?: AbortSignal): Runner {
  return {
    workers: 1,
    inProcess: true,
    async run(cfg, indexes, onResult, extras) {
      // A plug-in policy is the user's code: a score() stuck in a loop would never let
      // this thread see a stop. Its replications run on one worker thread, which a
      // stop terminates.
      if (isPluginPolicy(cfg)) {
        const { withRunner } = await import('./pool.ts');
        return withRunner({ workers: 1, inProcess: false }, (pooled) => pooled.run(cfg, indexes, onResult, extras), stop);
      }
      const policy = await loadPolicy(cfg);
      const out: Float64Array[] = [];
      for (const r of indexes) {
        if (stop?.aborted) throw new RunInterrupted();
        let buf: Float64Array;
        if (extras?.typeIntervals) {
          const run = new TypeIntervalRun(cfg, r, policy);
          while (!run.step(SLICE_EVENTS)) {
            await turn();
            if (stop?.aborted) throw new RunInterrupted();
          }
          buf = run.result();
        } else {
          const rep = new Replication(cfg, r, policy);
          rep.start();
          for (;;) {
            rep.advanceTo(Infinity, SLICE_EVENTS);
            if (!rep.behind) break;
            await turn();
            if (stop?.aborted) throw new RunInterrupted();
          }
          buf = rep.result();
        }
        out.push(buf);
        onResult?.(buf, r);
        await turn();
      }
      return out;
    },
  };
}

/** Runs `body` with a runner on this thread (see localRunner). */
export async function withLocalRunner<T>(body: (runner: Runner) => Promise<T>, stop?: AbortSignal): Promise<T> {
  return body(localRunner(stop));
}

/** The threads a runner starts: the workers asked for, no more than the replications it is given (at least one). */
export function threadsFor(opts: { workers: number; tasks?: number }): number {
  return Math.max(1, Math.min(opts.workers, opts.tasks ?? opts.workers));
}

/**
 * The runner for these options: on this thread for one worker (the worker pool, with
 * effect and piscina, is not even loaded), else the pool.
 */
export async function runnerFor<T>(opts: RunnerOptions, body: (runner: Runner) => Promise<T>, stop?: AbortSignal): Promise<T> {
  const threads = threadsFor(opts);
  if (threads <= 1 && opts.inProcess !== false) return withLocalRunner(body, stop);
  return (await import('./pool.ts')).withRunner(opts, body, stop);
}
