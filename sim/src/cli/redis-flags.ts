import { DEFAULT_QUEUE, parseRedisUrl, queueNameProblem, redactUrl, REDIS_URL_ENV, type RedisTarget } from '../runs/redis-url.ts';
import type { FlagChecker } from './options.ts';

/**
 * The flags that name a Redis backend: `--backend` of run, compare and sweep (and
 * staff once it runs replications: execution.ts's shared options), `--redis` of
 * `cctwin worker`, and `--queue` of both. A URL given as `redis` alone (or a missing
 * --redis) is read from CCTWIN_REDIS_URL, which keeps a password out of the command
 * line (other users can read a process's arguments, not its environment).
 */

export type Backend = { kind: 'local' } | { kind: 'redis'; target: RedisTarget; queue: string };

/** A Redis URL from a flag's value (or CCTWIN_REDIS_URL when it is absent or `redis`); issues go to `f`. */
export function readRedisTarget(f: FlagChecker, flag: string, raw: unknown): RedisTarget | undefined {
  const given = typeof raw === 'string' && raw !== '' && raw !== 'redis' ? raw : undefined;
  const url = given ?? process.env[REDIS_URL_ENV];
  if (url === undefined || url === '') {
    f.fail(flag, typeof raw === 'string' ? raw : undefined, `needs a Redis URL such as redis://127.0.0.1:6379 (or ${REDIS_URL_ENV} set to one)`);
    return undefined;
  }
  const t = parseRedisUrl(url);
  if ('problem' in t) {
    f.fail(flag, given !== undefined ? redactUrl(url) : `${REDIS_URL_ENV}=${redactUrl(url)}`, t.problem);
    return undefined;
  }
  return t;
}

export function readQueue(f: FlagChecker, raw: unknown): string {
  const queue = raw === undefined ? DEFAULT_QUEUE : String(raw);
  const problem = queueNameProblem(queue);
  if (problem !== null) f.fail('queue', queue, problem);
  return queue;
}

/** `--backend local` (the default) or `--backend redis://...` / `rediss://...` / `redis`, with `--queue` (and no `--workers`, which is the local backend's). */
export function readBackend(f: FlagChecker, o: Record<string, unknown>): Backend {
  const raw = o.backend === undefined ? 'local' : String(o.backend);
  if (raw === 'local') {
    if (o.queue !== undefined) f.fail('queue', String(o.queue), 'goes with --backend redis://...: the local backend has no queue');
    return { kind: 'local' };
  }
  if (!/^rediss?(:|$)/.test(raw)) {
    f.fail('backend', redactUrl(raw), 'must be local (worker threads on this machine) or a Redis URL: redis://HOST:PORT[/DB], rediss://... (TLS), or redis (the URL in CCTWIN_REDIS_URL)');
    return { kind: 'local' };
  }
  const target = readRedisTarget(f, 'backend', raw);
  const queue = readQueue(f, o.queue);
  if (o.workers !== undefined) {
    f.fail('workers', String(o.workers), "sets the local backend's threads: with --backend redis each worker process sets its own (cctwin worker --concurrency N)");
  }
  return target ? { kind: 'redis', target, queue } : { kind: 'local' };
}
