import { Redis } from 'ioredis';
import { SimError } from '../errors.ts';
import { ioredisOptions, type RedisTarget } from './redis-url.ts';

/**
 * The first connection to Redis, for the coordinator and the workers alike, with a
 * clear error: a wrong password or a certificate that does not verify fails at once
 * (retrying cannot help); a Redis that does not answer fails after `timeoutMs`, or,
 * without a timeout (a worker started before its Redis), is waited for.
 */

const FATAL = /WRONGPASS|NOAUTH|NOPERM|invalid password|certificate|self[- ]signed|unable to verify|ERR_TLS|wrong version number|SSL/i;

function hint(why: string, t: RedisTarget): string {
  if (/WRONGPASS|NOAUTH|NOPERM|invalid password/i.test(why)) return 'check the user and password in the URL';
  if (/certificate|self[- ]signed|unable to verify|ERR_TLS/i.test(why)) return 'a server certificate from a private CA needs NODE_EXTRA_CA_CERTS=ca.pem';
  if (/wrong version number|SSL/i.test(why)) return t.tls ? 'is the port a TLS port?' : 'does the server want TLS (rediss://)?';
  return 'is redis-server running there, and reachable from here?';
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

/** `signal` gives up the wait (a worker stopped before its Redis came): the promise then rejects with the signal's reason. */
export async function connectRedis(t: RedisTarget, o: { timeoutMs?: number; onWait?: (why: string) => void; signal?: AbortSignal } = {}): Promise<Redis> {
  const client = new Redis({ ...ioredisOptions(t), lazyConnect: true, enableAutoPipelining: true });
  let lastError = '', waited = false;
  const fail = (why: string) => {
    client.disconnect();
    return new SimError('SIM_ERR_BACKEND', `cannot reach Redis at ${t.display}: ${why} (${hint(why, t)})`);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = o.timeoutMs === undefined ? null : setTimeout(() => reject(fail(lastError || 'no answer')), o.timeoutMs);
      o.signal?.addEventListener('abort', () => {
        if (timer) clearTimeout(timer);
        reject(o.signal!.reason);
      }, { once: true });
      const onError = (e: Error) => {
        lastError = firstLine(e);
        if (FATAL.test(lastError)) {
          if (timer) clearTimeout(timer);
          reject(fail(lastError));
        } else if (!waited) {
          waited = true;
          o.onWait?.(lastError);
        }
      };
      client.on('error', onError);
      // ioredis retries on its own after a failed attempt: 'ready' says when one succeeded.
      client.once('ready', () => {
        client.ping().then(() => {
          if (timer) clearTimeout(timer);
          client.off('error', onError);
          resolve();
        }, (e: unknown) => onError(e as Error));
      });
      client.connect().catch(() => {});
    });
  } catch (e) {
    client.disconnect();
    throw e;
  }
  client.on('error', () => {}); // later errors: the owner watches 'close' and 'ready'
  return client;
}
