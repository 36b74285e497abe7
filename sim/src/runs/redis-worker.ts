import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ModelConfig } from '../config/model-config.ts';
import { withRunner } from '../engine/pool.ts';
import { RunInterrupted, type Runner } from '../engine/runner.ts';
import { compileVariant } from '../experiments/overrides.ts';
import { formatIssues, SimError } from '../errors.ts';
import { codeVersion, engineCode } from './code-version.ts';
import { encodeResult, JOB_NAME, jobProblems, modelHash, resultsKey, RESULTS_TTL_SECONDS, type JobReturn, type ReplicationJob } from './redis-jobs.ts';
import { connectRedis } from './redis-connect.ts';
import { ioredisOptions, QUEUE_PREFIX, type RedisTarget } from './redis-url.ts';

/**
 * `cctwin worker`: takes jobs of replications from a BullMQ queue and runs them on
 * the engine's worker-thread pool (engine/pool.ts: one engine per thread, the same
 * code as a local run), `concurrency` jobs at a time on as many threads.
 *
 * Before running a job it checks the payload (runs/redis-jobs.ts jobProblems), the
 * coordinator's code hash against its own, and the model it compiles from the job's
 * scenario text against the hash the job carries; a job failing any of these is
 * refused for good (BullMQ's UnrecoverableError: retrying cannot help), logged, and
 * the worker goes on. The scenario is compiled with no trusted policy folder and no
 * --allow-policy: a scenario naming a plug-in routing policy module is refused, so no
 * job can make a worker import code. Compiled models are kept by hash (the last 8).
 *
 * Stops: `stop('finish')` takes no new job and lets the running ones finish (a batch
 * is a few seconds); `stop('release')` stops the engines at once and puts the running
 * jobs back in the queue for another worker, without spending an attempt. A worker
 * killed outright (SIGKILL, a lost machine) holds a lock that expires: after
 * `lockMs` its jobs are given to another worker (BullMQ's stalled-job check).
 */

export interface WorkerOptions {
  target: RedisTarget;
  queue: string;
  /** Jobs at a time, and engine threads. */
  concurrency: number;
  log: (line: string) => void;
  /** A job's lock: a worker that stops renewing it (killed) loses its jobs after this long. Default 15 s. */
  lockMs?: number;
  /** Test hook: the code hash this worker claims (another engine version). */
  code?: string;
}

export interface WorkerHandle {
  /** Resolves once the worker stopped (its jobs finished or released, its connections and threads closed). */
  readonly done: Promise<void>;
  /** Resolves once the worker listens to the queue. */
  readonly ready: Promise<void>;
  stop(mode: 'finish' | 'release'): void;
  /** Jobs done and replications run so far. */
  readonly stats: { jobs: number; replications: number; refused: number };
}

const MODELS_KEPT = 8;

export function startWorker(o: WorkerOptions): WorkerHandle {
  const me = `${hostname()}:${process.pid}`;
  const engine = { version: codeVersion(), code: o.code ?? engineCode() };
  const release = new AbortController();
  const stats = { jobs: 0, replications: 0, refused: 0 };
  let requestStop!: (mode: 'finish' | 'release') => void;
  const stopped = new Promise<'finish' | 'release'>((res) => { requestStop = res; });
  let markReady!: () => void, failReady!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => { markReady = res; failReady = rej; });
  ready.catch(() => {});

  const done = (async () => {
    // Redis first (a wrong password or certificate fails here, before any thread starts; an absent Redis is waited for).
    const giveUp = new AbortController();
    void stopped.then(() => giveUp.abort(new Error('stopped')));
    let results: Redis;
    try {
      results = await connectRedis(o.target, { signal: giveUp.signal, onWait: (why) => o.log(`cannot reach Redis at ${o.target.display} (${why}): retrying`) });
    } catch (e) {
      if (!giveUp.signal.aborted) throw e;
      markReady(); // stopped before Redis came: nothing to do
      return;
    }
    await withRunner({ workers: o.concurrency, inProcess: false }, (runner) => serve(runner, results), release.signal);
  })();

  const serve = async (runner: Runner, results: Redis): Promise<void> => {
    const connection = ioredisOptions(o.target);
    const conn = connectionLog(o, results);
    const log = conn.log;
    const models = new Map<string, ModelConfig>();
    let running = 0;
    const worker = new Worker(o.queue, (job: Job, token?: string) => processJob(job, token), {
      connection, prefix: QUEUE_PREFIX, concurrency: o.concurrency,
      lockDuration: o.lockMs ?? 15_000,
      stalledInterval: Math.min(5_000, o.lockMs ?? 15_000),
      maxStalledCount: 3,
      name: me,
    });
    worker.on('error', (e: Error) => log(`error: ${String(e?.message ?? e).split('\n')[0]}`));

    function refuse(job: Job, why: string): never {
      stats.refused++;
      o.log(`refused job ${job.id}: ${why}`);
      throw new UnrecoverableError(why);
    }

    function compiled(job: Job, d: ReplicationJob): ModelConfig {
      const have = models.get(d.model);
      if (have) {
        models.delete(d.model);
        models.set(d.model, have);
        return have;
      }
      let cfg: ModelConfig;
      try {
        // No policies folder trusted and none allowed: a plug-in policy is refused here.
        cfg = compileVariant(d.scenario, "the job's scenario", [], d.seed, [], false).cfg;
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        refuse(job, `its scenario is refused: ${e.message}${e.issues.length > 0 ? `\n${formatIssues(e.issues.slice(0, 10))}` : ''}`);
      }
      const h = modelHash(cfg);
      if (h !== d.model) {
        refuse(job, `its scenario compiles here to another model (hash ${h.slice(0, 12)}, the job's ${d.model.slice(0, 12)}): the coordinator and this worker compile scenarios differently`);
      }
      models.set(h, cfg);
      if (models.size > MODELS_KEPT) models.delete(models.keys().next().value!);
      return cfg;
    }

    async function processJob(job: Job, token?: string): Promise<JobReturn> {
      running++;
      try {
        return await runJob(job, token);
      } finally {
        running--;
      }
    }

    async function runJob(job: Job, token?: string): Promise<JobReturn> {
      const t0 = performance.now();
      if (job.name !== JOB_NAME) refuse(job, `it is a "${String(job.name).slice(0, 40)}" job, not "${JOB_NAME}"`);
      const problems = jobProblems(job.data);
      if (problems.length > 0) refuse(job, `malformed payload: ${problems.join('; ')}`);
      const d = job.data as ReplicationJob;
      if (d.engine.code !== engine.code) {
        refuse(job, `engine version mismatch: the job comes from cctwin ${d.engine.version} (code ${d.engine.code}), this worker runs cctwin ${engine.version} (code ${engine.code}); run workers of the coordinator's version`);
      }
      const cfg = compiled(job, d);
      const indexes = Array.from({ length: d.to - d.from }, (_, i) => d.from + i);
      let bufs: Float64Array[];
      try {
        bufs = await runner.run(cfg, indexes, undefined, d.typeIntervals ? { typeIntervals: true } : undefined);
      } catch (e) {
        if (e instanceof RunInterrupted && token !== undefined) {
          // Released: back to the queue for another worker, no attempt spent.
          await job.moveToWait(token);
          o.log(`released job ${job.id}`);
          throw new WaitingError();
        }
        throw e;
      }
      const key = resultsKey(o.queue, d.results);
      const fields: (string | Buffer)[] = [];
      bufs.forEach((b, i) => fields.push(String(indexes[i]), encodeResult(b)));
      await results.multi().hset(key, ...fields).expire(key, RESULTS_TTL_SECONDS).exec();
      const seconds = (performance.now() - t0) / 1000;
      stats.jobs++;
      stats.replications += bufs.length;
      o.log(`job ${job.id}: ${bufs.length} replication${bufs.length === 1 ? '' : 's'} of ${cfg.name} in ${seconds.toFixed(2)} s`);
      return { replications: bufs.length, worker: me, seconds: Math.round(seconds * 1000) / 1000 };
    }

    try {
      await worker.waitUntilReady();
    } catch (e) {
      failReady(e);
      throw e;
    }
    o.log(`worker ${me} (cctwin ${engine.version}, code ${engine.code}) on ${o.target.display}, queue ${o.queue}: ${o.concurrency} thread${o.concurrency === 1 ? '' : 's'}`);
    markReady();
    const mode = await stopped;
    if (mode === 'release') release.abort();
    // BullMQ's close finishes the running jobs, then says goodbye to Redis. With Redis
    // away and no job running there is nothing to finish or to say goodbye to: the
    // connections are cut (at once, or once the last job ends while Redis is away).
    if (conn.down() && running === 0) {
      await worker.close(true);
    } else {
      let idleAndAway: NodeJS.Timeout | undefined;
      await Promise.race([
        worker.close(),
        new Promise<void>((res) => {
          idleAndAway = setInterval(() => {
            if (!conn.down() || running > 0) return;
            clearInterval(idleAndAway);
            worker.disconnect().catch(() => {}); // it waits for Redis to see the connection end: not awaited
            res();
          }, 500);
        }),
      ]);
      clearInterval(idleAndAway);
    }
    conn.closing();
    results.disconnect();
    o.log(`worker ${me} stopped: ${stats.jobs} job${stats.jobs === 1 ? '' : 's'}, ${stats.replications} replications${stats.refused > 0 ? `, ${stats.refused} refused` : ''}`);
  };
  done.catch((e: unknown) => failReady(e));

  return {
    done,
    ready,
    stats,
    stop(mode) {
      if (mode === 'release') release.abort();
      requestStop(mode);
    },
  };
}

/**
 * A log of the connection's state (`client` is connected): one line when Redis is
 * lost, one when it is back (not one per retry); `closing()` before the worker
 * disconnects.
 */
function connectionLog(o: WorkerOptions, client: Redis): { log: (line: string) => void; closing: () => void; down: () => boolean } {
  let down = false, closing = false, lastError = '';
  client.on('error', (e: Error) => { lastError = String(e?.message ?? e).split('\n')[0]; });
  client.on('close', () => {
    if (!down && !closing) o.log(`lost the connection to Redis at ${o.target.display}: reconnecting`);
    down = true;
  });
  client.on('ready', () => {
    if (down && !closing) o.log(`Redis at ${o.target.display} is back${lastError ? ` (it was: ${lastError})` : ''}`);
    down = false;
    lastError = '';
  });
  const log = (line: string) => {
    // A lost connection is said once by the line above; BullMQ's own connections report it, and each failed reconnect, again.
    if (/ECONNREFUSED|Connection is closed|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE/.test(line)) return;
    o.log(line);
  };
  return { log, closing: () => { closing = true; }, down: () => down };
}
