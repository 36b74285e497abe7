import type { RedisOptions } from 'bullmq';

/**
 * Where the Redis backend connects: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, or
 * `rediss://...` for TLS (the server's certificate is checked against Node's CA store;
 * a private CA is added with NODE_EXTRA_CA_CERTS). Parsed here rather than by ioredis
 * or BullMQ so that a bad URL is refused with the flag named before anything connects,
 * and so that no message, log line or stored record ever shows the password
 * (`display` stars it out).
 */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with the password replaced by `***`: safe to print. */
  display: string;
}

/** The environment variable a URL is read from when the flag gives none (`--backend redis`, `cctwin worker` without --redis). */
export const REDIS_URL_ENV = 'CCTWIN_REDIS_URL';

/** BullMQ's key prefix for cctwin's queues: every key cctwin writes starts with it (or with `${RESULTS_PREFIX}:`). */
export const QUEUE_PREFIX = 'cctwin';
export const DEFAULT_QUEUE = 'cctwin';
/** Queue names: BullMQ refuses `:` (its key separator); kept to a safe, short alphabet. */
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** What is wrong with a queue name, or null. */
export function queueNameProblem(name: string): string | null {
  return QUEUE_NAME.test(name) ? null : 'must be 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit';
}

/** A URL's text with any password starred out, for messages about a URL that did not parse. */
export function redactUrl(raw: string): string {
  return raw.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/** Parses a Redis URL; returns the target or what is expected of the URL. */
export function parseRedisUrl(raw: string): RedisTarget | { problem: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { problem: 'must be a URL such as redis://127.0.0.1:6379, redis://:PASSWORD@HOST:6379/0 or rediss://HOST:6380 (TLS)' };
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return { problem: 'must start with redis:// or rediss:// (TLS)' };
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return { problem: 'must name a host, e.g. redis://127.0.0.1:6379' };
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { problem: 'must have a port from 1 to 65535' };
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,6}$/.test(path)) return { problem: 'may end with /DB, a database number such as /0 (nothing else after the host)' };
  if (u.search !== '' || u.hash !== '') return { problem: 'takes no query (?...) or fragment (#...): only redis[s]://[[USER]:PASSWORD@]HOST[:PORT][/DB]' };
  let username: string | undefined, password: string | undefined;
  try {
    username = u.username === '' ? undefined : decodeURIComponent(u.username);
    password = u.password === '' ? undefined : decodeURIComponent(u.password);
  } catch {
    return { problem: 'must percent-encode its user name and password correctly' };
  }
  const db = path === '' ? 0 : Number(path);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const auth = username !== undefined || password !== undefined ? `${username !== undefined ? encodeURIComponent(username) : ''}${password !== undefined ? ':***' : ''}@` : '';
  return {
    host, port, db, tls: u.protocol === 'rediss:',
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    display: `${u.protocol}//${auth}${hostPart}:${port}/${db}`,
  };
}

/**
 * ioredis options for a target (as BullMQ types them: it hands them to ioredis). Every connection retries for ever, reconnecting within
 * 2 s of Redis coming back (a restart, a failover): the coordinator decides itself how
 * long an outage it waits out (runs/redis-runner.ts), a worker waits as long as it takes.
 */
export function ioredisOptions(t: RedisTarget): RedisOptions {
  return {
    host: t.host,
    port: t.port,
    db: t.db,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.tls ? { tls: {} } : {}),
    connectTimeout: 5_000,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2_000),
  };
}
