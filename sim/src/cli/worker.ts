import { defaultWorkers } from '../engine/cores.ts';
import { LIMITS } from '../config/limits.ts';
import { SimError } from '../errors.ts';
import { FlagChecker } from './options.ts';
import { readQueue, readRedisTarget } from './redis-flags.ts';
import type { Io } from './io.ts';

/**
 * `cctwin worker --redis URL [--concurrency N] [--queue NAME]`: runs replications for
 * coordinators anywhere (`run`, `compare`, `sweep` with `--backend redis://...`) until
 * stopped. SIGTERM or Ctrl-C: no new job, the running ones finish, then it exits 0; a
 * second signal puts the running jobs back in the queue for another worker and exits
 * (0; 1 when Redis does not answer within 10 s, or at a third signal: the jobs then
 * move on when their locks expire). Every line it logs goes to stderr, with the time.
 */

export async function cmdWorker(io: Io, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const target = readRedisTarget(f, 'redis', o.redis);
  const queue = readQueue(f, o.queue);
  const concurrency = f.number('concurrency', o.concurrency ?? String(defaultWorkers()), { integer: true, min: 1, max: LIMITS.workers });
  f.done('worker');
  const log = (line: string) => io.err(`${new Date().toISOString()} ${line}`);
  const { startWorker } = await import('../runs/redis-worker.ts');
  const lockMs = Number(process.env.CCTWIN_TEST_WORKER_LOCK_MS) || undefined;
  const w = startWorker({ target: target!, queue, concurrency: concurrency!, log, lockMs, code: process.env.CCTWIN_TEST_ENGINE_CODE || undefined });
  let signals = 0;
  const onSignal = (s: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log(`${s}: taking no new job; the running ones finish (${s === 'SIGINT' ? 'Ctrl-C' : s} again to put them back in the queue and stop at once)`);
      w.stop('finish');
    } else if (signals === 2) {
      log(`${s} again: putting the running jobs back in the queue`);
      w.stop('release');
      // Putting a job back needs Redis: if it does not answer, the worker goes anyway
      // (its jobs move to another worker when their locks expire).
      setTimeout(() => {
        log('Redis does not answer: exiting now; the running jobs go to other workers when their locks expire');
        process.exit(1);
      }, 10_000).unref();
    } else {
      log(`${s} a third time: exiting now; the running jobs go to other workers when their locks expire`);
      process.exit(1);
    }
  };
  const sigs = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of sigs) process.on(s, onSignal);
  try {
    await w.ready.catch((e: unknown) => {
      if (e instanceof SimError) throw e;
      throw new SimError('SIM_ERR_BACKEND', `cannot listen to queue ${queue} at ${target!.display}: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
    });
    await w.done;
    // A close cut short with Redis away can leave BullMQ's timers behind: the stopped worker exits anyway.
    setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref();
    return 0;
  } finally {
    for (const s of sigs) process.off(s, onSignal);
  }
}
