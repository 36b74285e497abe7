import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ModelConfig } from '../config/model-config.ts';
import { resultBytes } from '../engine/limits.ts';
import { isPluginPolicy } from '../engine/policy-loader.ts';
import { RunInterrupted, type Runner, type RunExtras } from '../engine/runner.ts';
import { typeIntervalsLength } from '../engine/type-intervals.ts';
import { SimError } from '../errors.ts';
import { codeVersion, engineCode } from './code-version.ts';
import {
  batches, batchSize, decodeStoredResult, JOB_FORMAT, JOB_NAME, jobId, modelHash, resultsKey, resultsTag,
  type JobReturn, type ReplicationJob,
} from './redis-jobs.ts';
import { connectRedis } from './redis-connect.ts';
import { ioredisOptions, QUEUE_PREFIX, type RedisTarget } from './redis-url.ts';

/**
 * The Redis backend's coordinator: a Runner whose replications run in `cctwin worker`
 * processes anywhere that reaches Redis (BullMQ jobs), for run, compare and sweep
 * alike (runs/execute.ts sees a Runner like the local pool).
 *
 * For each call it looks first for results the queue already finished (a coordinator
 * killed and resumed, or restarted: they are in Redis, keyed by replication), then
 * adds one job per batch of the missing replications, with ids derived from the run,
 * point, arm and batch (adding an existing job adds nothing). It learns of finished
 * jobs from the queue's events, takes their results out of Redis, hands each to
 * `onResult` (which stores it in the run store), and only then deletes it from Redis.
 * A reconciliation after 2 s without a finished job catches what events miss (a Redis
 * restart loses its events and, without persistence, its jobs: lost jobs are added
 * again).
 *
 * Stops: a stop signal removes the call's waiting jobs (running ones finish; their
 * results wait in Redis for a resume) and rejects with RunInterrupted. Redis lost for
 * longer than `outageMs` fails the call with a SIM_ERR_BACKEND error; what was stored
 * stays, and a sweep resumes with `cctwin sweep --resume ID`.
 */

export interface RedisRunnerOptions {
  target: RedisTarget;
  queue: string;
  /** Lines for the person at the terminal (stderr): workers found or not, Redis lost and back. */
  log?: (line: string) => void;
  /** Replications per job (default: batchSize, redis-jobs.ts). */
  batch?: number;
  /** How long Redis may stay unreachable before a call fails, ms (default 60 s). */
  outageMs?: number;
  /** Attempts of a job whose worker throws (a worker that dies is covered by stalled-job recovery). */
  attempts?: number;
}

const RECONCILE_MS = 2_000;
const CONNECT_MS = 5_000;

interface Pending {
  id: string;
  from: number;
  to: number;
  call: Call;
  /** Times this job was found lost (not in Redis, results missing) and added again. */
  readded: number;
}

interface Call {
  cfg: ModelConfig;
  /** The results carry the per-type interval block (the staffing search's). */
  typeIntervals: boolean;
  tag: string;
  key: string;
  job: Omit<ReplicationJob, 'from' | 'to'>;
  remaining: Set<number>;
  out: Map<number, Float64Array>;
  onResult?: (buf: Float64Array, replication: number) => void;
  settled: boolean;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const which = (p: { from: number; to: number; call: Call }) =>
  `${p.to - p.from === 1 ? `replication ${p.from}` : `replications ${p.from} to ${p.to - 1}`} of ${p.call.cfg.name}`;

export async function withRedisRunner<T>(opts: RedisRunnerOptions, body: (runner: Runner) => Promise<T>, stop?: AbortSignal): Promise<T> {
  const t = opts.target;
  const log = opts.log ?? (() => {});
  const outageMs = opts.outageMs ?? 60_000;
  const connection = ioredisOptions(t);
  const redis = await connectRedis(t, { timeoutMs: CONNECT_MS });
  const queue = new Queue(opts.queue, { connection, prefix: QUEUE_PREFIX });
  const events = new QueueEvents(opts.queue, { connection, prefix: QUEUE_PREFIX });
  // BullMQ's own connections report each failed retry; the coordinator watches its own client's 'close' and 'ready' instead.
  const quiet = () => {};
  queue.on('error', quiet);
  events.on('error', quiet);
  const coordinator = new Coordinator(opts, queue, redis, log, outageMs);
  events.on('completed', ({ jobId: id }) => coordinator.finished(id));
  events.on('failed', ({ jobId: id, failedReason }) => coordinator.failed(id, failedReason));
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return await body(coordinator.runner(stop));
  } finally {
    coordinator.close();
    // A graceful close waits for Redis: with Redis away (or slow to answer) the connections are cut instead.
    const closed = coordinator.down ? Promise.resolve() : Promise.allSettled([events.close(), queue.close()]);
    const cut = new Promise<void>((res) => setTimeout(res, 3_000).unref());
    await Promise.race([closed, cut]);
    await Promise.race([Promise.allSettled([events.disconnect(), queue.disconnect()]), new Promise<void>((res) => setTimeout(res, 1_000).unref())]);
    redis.disconnect();
  }
}

class Coordinator {
  private readonly pending = new Map<string, Pending>();
  private readonly session = randomBytes(4).toString('hex');
  private readonly engine = { version: codeVersion(), code: engineCode() };
  private readonly timer: NodeJS.Timeout;
  private downSince: number | null = null;
  private workersChecked = false;
  private reconciling = false;
  /** When a job last finished (or the jobs were last reconciled): a reconciliation runs only after RECONCILE_MS without one. */
  private lastProgress = Date.now();

  constructor(
    private readonly opts: RedisRunnerOptions,
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly log: (line: string) => void,
    private readonly outageMs: number,
  ) {
    redis.on('ready', () => {
      if (this.downSince !== null) this.log(`Redis at ${opts.target.display} is back: checking ${this.pending.size} job${this.pending.size === 1 ? '' : 's'}`);
      this.downSince = null;
      void this.reconcile();
    });
    const lost = () => {
      if (this.downSince !== null) return;
      this.downSince = Date.now();
      if (this.pending.size > 0) this.log(`lost the connection to Redis at ${opts.target.display}: reconnecting (waiting up to ${Math.round(outageMs / 1000)} s)`);
    };
    redis.on('close', lost);
    redis.on('reconnecting', lost);
    this.timer = setInterval(() => this.tick(), RECONCILE_MS);
    this.timer.unref();
  }

  /** Whether Redis is away now. */
  get down(): boolean {
    return this.downSince !== null;
  }

  close(): void {
    clearInterval(this.timer);
    for (const p of this.pending.values()) this.settle(p.call, new RunInterrupted());
  }

  runner(stop?: AbortSignal): Runner {
    return {
      workers: 1,
      inProcess: false,
      refuses: (cfg) => (isPluginPolicy(cfg)
        ? 'names a plug-in routing policy module: the Redis backend never loads code named by a job on its workers; run it with --backend local'
        : null),
      run: (cfg, indexes, onResult, extras) => this.run(cfg, indexes, onResult, extras, stop),
    };
  }

  private async run(cfg: ModelConfig, indexes: readonly number[], onResult: Call['onResult'], extras: RunExtras | undefined, stop?: AbortSignal): Promise<Float64Array[]> {
    const target = extras?.target;
    const ti = extras?.typeIntervals === true;
    if (isPluginPolicy(cfg)) throw new SimError('SIM_ERR_BAD_ARGUMENT', `the Redis backend does not run plug-in routing policies (${cfg.routing.policy}): run it with --backend local`);
    if (target?.scenario === undefined) throw new Error('the Redis backend needs the scenario text of the model it runs (RunTarget.scenario)');
    if (indexes.length === 0) return [];
    if (stop?.aborted) throw new RunInterrupted();
    const model = modelHash(cfg);
    const tag = resultsTag({ run: target.run !== null ? `r${target.run}` : `s${this.session}`, point: target.point, arm: target.arm, code: this.engine.code, model, typeIntervals: ti });
    const size = this.opts.batch ?? batchSize(cfg, target.planned ?? Math.max(...indexes) + 1);
    let resolve!: () => void, reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    const call: Call = {
      cfg, typeIntervals: ti, tag, key: resultsKey(this.opts.queue, tag), remaining: new Set(indexes), out: new Map(), onResult, settled: false, resolve, reject,
      job: { kind: JOB_NAME, format: JOB_FORMAT, engine: this.engine, model, scenario: target.scenario, seed: cfg.seed, results: tag, ...(ti ? { typeIntervals: true as const } : {}) },
    };
    const onStop = () => this.settle(call, new RunInterrupted());
    stop?.addEventListener('abort', onStop, { once: true });
    try {
      await this.checkWorkers();
      const jobs = batches(indexes, size).map(({ from, to }) => ({ id: jobId(tag, from, to), from, to, call, readded: 0 }));
      for (const p of jobs) this.pending.set(p.id, p);
      // Results the queue finished already (an earlier coordinator of this run), then the jobs still to do.
      await Promise.all(jobs.map((p) => this.collect(p, false)));
      await this.dropStored(call, target.planned);
      const todo = jobs.filter((p) => this.pending.has(p.id) && !call.settled);
      for (let i = 0; i < todo.length && !call.settled; i += 200) await this.add(todo.slice(i, i + 200));
      if (call.remaining.size === 0) this.settle(call, null);
      await done;
      return indexes.map((r) => call.out.get(r)!);
    } catch (e) {
      this.settle(call, e);
      throw e;
    } finally {
      stop?.removeEventListener('abort', onStop);
    }
  }

  /** Ends a call: resolved (e null) or rejected; its jobs leave `pending`, and waiting ones the queue (a stop, a failure). */
  private settle(call: Call, e: unknown): void {
    if (call.settled) return;
    call.settled = true;
    const mine = [...this.pending.values()].filter((p) => p.call === call);
    for (const p of mine) this.pending.delete(p.id);
    if (e === null) { call.resolve(); return; }
    call.reject(e);
    // Waiting jobs are removed; a running one cannot be (BullMQ keeps its lock) and finishes: its results wait in Redis for a resume.
    for (const p of mine) this.queue.remove(p.id).catch(() => {});
  }

  /**
   * Deletes results in Redis of replications below `planned` that the caller did not
   * ask for: it has them stored (a coordinator killed between storing a result and
   * deleting it from Redis left them there).
   */
  private async dropStored(call: Call, planned: number | undefined): Promise<void> {
    if (planned === undefined) return;
    const fields = await this.redis.hkeys(call.key);
    const stale = fields.filter((f) => Number(f) < planned && !call.remaining.has(Number(f)) && !call.out.has(Number(f)));
    if (stale.length > 0) await this.redis.hdel(call.key, ...stale);
  }

  private async add(jobs: Pending[]): Promise<void> {
    // A job of the same id that failed earlier (another coordinator's session) would
    // make this add a no-op: it is removed first, to be tried again.
    const states = await Promise.all(jobs.map((p) => this.queue.getJobState(p.id)));
    await Promise.all(jobs.filter((_, i) => states[i] === 'failed' || states[i] === 'completed').map((p) => this.queue.remove(p.id)));
    await this.queue.addBulk(jobs.filter((p) => !p.call.settled).map((p) => ({
      name: JOB_NAME,
      data: { ...p.call.job, from: p.from, to: p.to } satisfies ReplicationJob,
      opts: {
        jobId: p.id,
        attempts: this.opts.attempts ?? 3,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: { age: 86_400 },
      },
    })));
  }

  private async checkWorkers(): Promise<void> {
    if (this.workersChecked) return;
    this.workersChecked = true;
    let n = -1;
    try {
      n = await this.queue.getWorkersCount();
    } catch {
      return; // CLIENT LIST may be disabled on a managed Redis: nothing to say
    }
    const q = this.opts.queue;
    this.log(n > 0
      ? `backend ${this.opts.target.display}, queue ${q}: ${n} worker${n === 1 ? '' : 's'} connected`
      : `backend ${this.opts.target.display}, queue ${q}: no worker connected yet; the replications wait for one (cctwin worker --redis URL${q === 'cctwin' ? '' : ` --queue ${q}`})`);
  }

  /** A job's completion event. */
  finished(id: string): void {
    this.lastProgress = Date.now();
    const p = this.pending.get(id);
    if (p) void this.collect(p, true);
  }

  /** A job's failure event: it failed for good (its attempts are spent, or a worker refused it). */
  failed(id: string, why: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.settle(p.call, new SimError('SIM_ERR_BACKEND', `${which(p)} failed on a worker: ${why}`));
  }

  /**
   * Takes the results of job `p` out of Redis: each replication found is handed to
   * onResult (stored), then deleted from Redis. With `check`, a job none of whose
   * results are there is looked up: still queued or running (wait), or lost (added again).
   */
  private async collect(p: Pending, check: boolean): Promise<void> {
    const call = p.call;
    const fields: number[] = [];
    for (let r = p.from; r < p.to; r++) if (call.remaining.has(r)) fields.push(r);
    if (fields.length > 0 && !call.settled) {
      let got: (Buffer | null)[];
      try {
        got = await this.redis.hmgetBuffer(call.key, ...fields.map(String));
      } catch {
        return; // Redis is away: the next reconciliation tries again
      }
      if (call.settled) return;
      const taken: string[] = [];
      const max = resultBytes(call.cfg) + (call.typeIntervals ? typeIntervalsLength(call.cfg) * 8 : 0) + 1024;
      for (let i = 0; i < fields.length; i++) {
        const r = fields[i], b = got[i];
        if (b === null || !call.remaining.has(r)) continue;
        const buf = decodeStoredResult(b, r, max);
        if (buf === null) continue; // not a result of this replication: it is computed again
        call.remaining.delete(r);
        call.out.set(r, buf);
        try {
          call.onResult?.(buf, r);
        } catch (e) {
          this.settle(call, e);
          return;
        }
        taken.push(String(r));
      }
      // Stored: only now is the copy in Redis deleted (a coordinator killed between the two leaves it, never loses it).
      if (taken.length > 0) this.redis.hdel(call.key, ...taken).catch(() => {});
    }
    const left = fields.filter((r) => call.remaining.has(r));
    if (left.length === 0) {
      this.pending.delete(p.id);
      if (call.remaining.size === 0) this.settle(call, null);
      return;
    }
    if (!check || call.settled) return;
    let state: string;
    try {
      state = await this.queue.getJobState(p.id);
    } catch {
      return;
    }
    if (call.settled || !this.pending.has(p.id)) return;
    if (state === 'failed') {
      let why = 'no reason given';
      try { why = (await this.queue.getJob(p.id))?.failedReason ?? why; } catch { /* the reason stays unknown */ }
      this.failed(p.id, why);
    } else if (state === 'unknown' || state === 'completed') {
      // Finished but its results are gone, or never there: Redis restarted, or the job was removed by hand.
      if (++p.readded > 5) {
        this.settle(call, new SimError('SIM_ERR_BACKEND', `${which(p)} ${p.to - p.from === 1 ? 'was' : 'were'} lost ${p.readded - 1} times (a job finished without its results reaching Redis): check the workers' logs`));
        return;
      }
      try {
        await this.add([p]);
      } catch {
        // Redis is away: the next reconciliation tries again
      }
    }
  }

  private tick(): void {
    if (this.downSince !== null && Date.now() - this.downSince > this.outageMs) {
      const calls = new Set([...this.pending.values()].map((p) => p.call));
      for (const call of calls) {
        this.settle(call, new SimError('SIM_ERR_BACKEND', `lost the connection to Redis at ${this.opts.target.display} for more than ${Math.round(this.outageMs / 1000)} s; the replications finished so far are stored (a sweep continues with cctwin sweep --resume ID)`));
      }
      return;
    }
    if (Date.now() - this.lastProgress >= RECONCILE_MS) void this.reconcile();
  }

  /** Looks at every pending job: results that arrived without an event are collected, lost jobs added again. */
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.downSince !== null || this.pending.size === 0) return;
    this.reconciling = true;
    try {
      await Promise.all([...this.pending.values()].map((p) => this.collect(p, true)));
    } finally {
      this.reconciling = false;
      this.lastProgress = Date.now();
    }
  }
}

export type { JobReturn };
