import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../fixtures/cli.ts';
import { parseRedisUrl, redactUrl } from '../../sim/src/runs/redis-url.ts';
import { batches, batchSize, decodeStoredResult, encodeResult, jobId, jobProblems, resultsTag } from '../../sim/src/runs/redis-jobs.ts';
import { compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { freePort, ROOT, scenario, tempDir } from './helpers.ts';

/**
 * The Redis backend's flags and its protocol's rules, without a Redis: URLs (passwords
 * never shown), queue names, flags that do not go together, an unreachable Redis, the
 * batches jobs are cut into, the payload check, the result encoding.
 */

const SMALL = join(ROOT, 'test/fixtures/pool-small.yaml');
let saved: string | undefined;
beforeEach(() => { saved = process.env.CCTWIN_REDIS_URL; delete process.env.CCTWIN_REDIS_URL; });
afterEach(() => { if (saved === undefined) delete process.env.CCTWIN_REDIS_URL; else process.env.CCTWIN_REDIS_URL = saved; });

describe('Redis URLs', () => {
  it('parses host, port, database, user, password and TLS; the display stars the password out', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379, db: 0, tls: false, display: 'redis://127.0.0.1:6379/0' });
    expect(parseRedisUrl('rediss://ops:p%40ss%2Fw@redis.internal/3')).toEqual({
      host: 'redis.internal', port: 6379, db: 3, tls: true, username: 'ops', password: 'p@ss/w', display: 'rediss://ops:***@redis.internal:6379/3',
    });
    expect(parseRedisUrl('redis://:secret@[::1]:7000/1')).toMatchObject({ host: '::1', port: 7000, db: 1, password: 'secret', display: 'redis://:***@[::1]:7000/1' });
    for (const bad of ['http://x', 'redis://', 'redis://h:0', 'redis://h/x', 'redis://h?db=1', 'nonsense']) expect(parseRedisUrl(bad)).toHaveProperty('problem');
    expect(redactUrl('redis://u:topsecret@h:1/0')).toBe('redis://u:***@h:1/0');
  });
});

describe('the backend flags', () => {
  it('refuse a bad --backend, --queue or --workers with it, naming the flag and never showing a password', async () => {
    const r = await cli('run', SMALL, '--backend', 'redis://:topsecret@127.0.0.1:0', '--queue', 'a:b');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--backend = "redis://:***@127.0.0.1:0": must have a port from 1 to 65535');
    expect(r.err).toContain('--queue = "a:b": must be 1 to 64 letters, digits');
    expect(r.err).not.toContain('topsecret');
    const w = await cli('run', SMALL, '--backend', 'rediss://:topsecret@127.0.0.1', '--workers', '2');
    expect(w.code).toBe(2);
    expect(w.err).toContain("--workers = \"2\": sets the local backend's threads: with --backend redis each worker process sets its own (cctwin worker --concurrency N)");
    expect(w.err).not.toContain('topsecret');
    const s = await cli('sweep', SMALL, '--set', 'agents=10,11', '--backend', 'postgres://x', '--queue', 'q');
    expect(s.code).toBe(2);
    expect(s.err).toContain('--backend = "postgres://x": must be local (worker threads on this machine) or a Redis URL');
    const e = await cli('compare', SMALL, '--set', 'agents=10,11', '--backend', 'redis');
    expect(e.err).toContain('--backend = "redis": needs a Redis URL such as redis://127.0.0.1:6379 (or CCTWIN_REDIS_URL set to one)');
    const q = await cli('run', SMALL, '--queue', 'q');
    expect(q.err).toContain('--queue = "q": goes with --backend redis://...');
  });

  it('cctwin worker: --redis (or CCTWIN_REDIS_URL) is required and checked; --concurrency too', async () => {
    const a = await cli('worker');
    expect(a.code).toBe(2);
    expect(a.err).toContain('--redis: needs a Redis URL such as redis://127.0.0.1:6379 (or CCTWIN_REDIS_URL set to one)');
    process.env.CCTWIN_REDIS_URL = 'redis://:topsecret@h:1/x';
    const b = await cli('worker', '--concurrency', '0', '--queue', '');
    expect(b.code).toBe(2);
    expect(b.err).toContain('--redis = "CCTWIN_REDIS_URL=redis://:***@h:1/x": may end with /DB');
    expect(b.err).toContain('--concurrency = "0": must be a whole number >= 1');
    expect(b.err).toContain('--queue = "": must be 1 to 64');
    expect(b.err).not.toContain('topsecret');
  });

  it('a Redis that cannot be reached: exit 1 within seconds, the URL shown without its password', async () => {
    const tmp = tempDir();
    try {
      const port = await freePort();
      const t0 = Date.now();
      const r = await cli('run', SMALL, '--backend', `redis://:topsecret@127.0.0.1:${port}`, '--db', join(tmp.dir, 'r.db'));
      expect(r.code).toBe(1);
      expect(r.err).toContain(`error: cannot reach Redis at redis://:***@127.0.0.1:${port}/0: `);
      expect(r.err).not.toContain('topsecret');
      expect(Date.now() - t0).toBeLessThan(15_000);
      // nothing written: the run store is opened only once Redis answered
      expect(existsSync(join(tmp.dir, 'r.db'))).toBe(false);
      const sweep = await cli('sweep', SMALL, '--set', 'agents=11,12', '--backend', `redis://127.0.0.1:${port}`, '--db', join(tmp.dir, 's.db'));
      expect(sweep.code).toBe(1);
      expect(existsSync(join(tmp.dir, 's.db'))).toBe(false);
    } finally {
      tmp.done();
    }
  });
});

describe('jobs', () => {
  it('batches are runs of consecutive replications cut at multiples of the size: a resumed set makes the same jobs', () => {
    expect(batches([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([{ from: 0, to: 4 }, { from: 4, to: 8 }, { from: 8, to: 10 }]);
    // replications 4..7 were stored before an interruption: the rest makes the same jobs as before
    expect(batches([0, 1, 2, 3, 8, 9], 4)).toEqual([{ from: 0, to: 4 }, { from: 8, to: 10 }]);
    expect(batches([9, 5, 6, 2, 2], 4)).toEqual([{ from: 2, to: 3 }, { from: 5, to: 7 }, { from: 9, to: 10 }]);
    expect(jobId(resultsTag({ run: 'r12', point: 3, arm: 0, code: '0123456789abcdef', model: 'x' }), 8, 16)).toMatch(/^r12\.p3\.a0\.[0-9a-f]{16}\.8-16$/);
  });

  it('the batch size: about a million expected arrivals per job, at most 16, at least 16 jobs per point', () => {
    const cfg = (file: string) => compileVariant(readScenarioText(file), file, []).cfg;
    expect(batchSize(cfg(scenario('erlang-a-day.yaml')), 200)).toBe(6); // 160,000 arrivals a day
    expect(batchSize(cfg(scenario('baseline-day.yaml')), 200)).toBe(5); // 199,300
    expect(batchSize(cfg(scenario('baseline-day.yaml')), 40)).toBe(2);
    expect(batchSize(cfg(scenario('baseline-day.yaml')), 8)).toBe(1);
    expect(batchSize(cfg(SMALL), 10_000)).toBe(16); // 2,400: many replications a job, up to the cap
  });

  it('a result survives the trip through Redis exactly; anything else is refused', () => {
    const cfg = compileVariant(readScenarioText(SMALL), SMALL, []).cfg;
    const buf = replicate(cfg, 3);
    const back = decodeStoredResult(encodeResult(buf), 3, buf.byteLength);
    expect(back).toEqual(buf);
    expect(decodeStoredResult(encodeResult(buf), 4, buf.byteLength)).toBe(null); // another replication's
    expect(decodeStoredResult(Buffer.from('not a result'), 3, buf.byteLength)).toBe(null);
    expect(decodeStoredResult(encodeResult(buf), 3, 100)).toBe(null); // larger than the model's result
  });

  it('a well-formed payload has no problem', () => {
    expect(jobProblems({
      kind: 'replications', format: 1, engine: { version: '0.1.0', code: '0123456789abcdef' }, model: 'a'.repeat(64),
      scenario: 'name: x', seed: 1, from: 0, to: 8, results: 'r1.a0.0123456789abcdef',
    })).toEqual([]);
  });
});
