import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cli } from '../fixtures/cli.ts';
import { BIN, freePort, ROOT, start, startRedis, startWorker, stop, tempDir, withoutTiming, type Proc, type RedisServer } from './helpers.ts';

/**
 * A Redis with a password (ACL user and the default user) and TLS only: the workers
 * and the coordinator connect with rediss:// URLs (a test CA handed to Node with
 * NODE_EXTRA_CA_CERTS, so they run as processes), get the same results, and never
 * print the password; a wrong password is a clear error.
 */

const SMALL = join(ROOT, 'test/fixtures/pool-small.yaml');
let redis: RedisServer;
let tmp: ReturnType<typeof tempDir>;
let worker: Proc | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  tmp = tempDir();
  const cert = join(tmp.dir, 'cert.pem'), key = join(tmp.dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const tlsPort = await freePort();
  redis = await startRedis({
    extra: ['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert, '--tls-auth-clients', 'no',
      '--requirepass', 's3cret/pw', '--user', 'sim', 'on', '>another-pw', '~*', '&*', '+@all'],
    url: () => `rediss://:s3cret%2Fpw@127.0.0.1:${tlsPort}`,
  });
  env = { NODE_EXTRA_CA_CERTS: cert };
});
afterAll(async () => {
  await stop(worker);
  await stop(redis);
  tmp?.done();
});

describe('Redis with a password and TLS', () => {
  it('workers and coordinator over rediss:// with passwords: the same result as locally; the password never printed', async () => {
    worker = await startWorker(`rediss://sim:another-pw@127.0.0.1:${new URL(redis.url).port}`, [], env);
    expect(worker.err()).toContain(`on rediss://sim:***@127.0.0.1:${new URL(redis.url).port}/0, queue cctwin`);
    const db = join(tmp.dir, 'runs.db');
    const coordinator = start(process.execPath, [BIN, 'run', SMALL, '-r', '6', '--json', '--backend', 'redis', '--db', db], { ...env, CCTWIN_REDIS_URL: redis.url });
    expect(await coordinator.exited, coordinator.err()).toBe(0);
    const local = await cli('run', SMALL, '-r', '6', '--json', '--workers', '1', '--db', db);
    expect(withoutTiming(JSON.parse(coordinator.out()))).toEqual(withoutTiming(JSON.parse(local.out)));
    for (const text of [coordinator.err(), coordinator.out(), worker.err()]) {
      expect(text).not.toContain('s3cret');
      expect(text).not.toContain('another-pw');
    }
  });

  it('a wrong password: a clear error, exit 1, the password not shown', async () => {
    const port = new URL(redis.url).port;
    const c = start(process.execPath, [BIN, 'run', SMALL, '--backend', `rediss://:wrong-one@127.0.0.1:${port}`, '--db', join(tmp.dir, 'w.db')], env);
    expect(await c.exited).toBe(1);
    expect(c.err()).toMatch(new RegExp(`error: cannot reach Redis at rediss://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0: .*(WRONGPASS|invalid).*password`, 'i'));
    expect(c.err()).not.toContain("wrong-one");

    // without the CA, TLS is refused: the certificate is checked
    const d = start(process.execPath, [BIN, 'run', SMALL, '--backend', redis.url, '--db', join(tmp.dir, 'w.db')]);
    expect(await d.exited).toBe(1);
    expect(d.err()).toMatch(/cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: .*(self[- ]signed|certificate)/i);
  });
});
