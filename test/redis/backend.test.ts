import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli } from '../fixtures/cli.ts';
import { ROOT, replicationsDone, scenario, startRedis, startWorker, stop, storedSweep, tempDir, withoutTiming, type Proc, type RedisServer } from './helpers.ts';

/**
 * Same seed, same results: the Redis backend (coordinator in this process, `cctwin
 * worker` processes on a real redis-server) stores exactly what the local backend
 * stores, timing fields aside, on one worker and on two: the 2x2 grid of
 * baseline-day with 8 replications per point. Also a run and a compare, and the
 * runs list.
 */

const GRID = ['--set', 'contactTypes[0].perDay=56000,68000', '--set', 'routing.policy=fifo,priority', '-r', '8'];
const SMALL = join(ROOT, 'test/fixtures/pool-small.yaml');

let redis: RedisServer;
let tmp: ReturnType<typeof tempDir>;
const workers: Proc[] = [];
beforeAll(async () => {
  tmp = tempDir();
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => stop(w)));
  await stop(redis);
  tmp?.done();
});

const sweepId = (text: string) => Number(/sweep (\d+) saved/.exec(text)![1]);

describe('the Redis backend gives the local backend\'s results', () => {
  it('a 2x2 sweep of baseline-day, 8 replications per point: byte-identical on 1 and on 2 worker processes', async () => {
    const db = join(tmp.dir, 'runs.db');
    const local = await cli('sweep', scenario('baseline-day.yaml'), ...GRID, '--workers', '2', '--db', db);
    expect(local.code, local.err).toBe(0);
    const expected = storedSweep(db, sweepId(local.out));
    expect(expected.buffers).toHaveLength(32);

    workers.push(await startWorker(redis.url));
    const one = await cli('sweep', scenario('baseline-day.yaml'), ...GRID, '--backend', redis.url, '--db', db);
    expect(one.code, one.err).toBe(0);
    expect(one.err).toContain(`backend ${redis.url}/0, queue cctwin: 1 worker connected`);
    expect(one.out.split('\n').slice(0, -1)).toEqual(local.out.split('\n').slice(0, -1)); // the table, all but "sweep N saved"
    expect(storedSweep(db, sweepId(one.out))).toEqual(expected);

    workers.push(await startWorker(redis.url));
    const before = workers.map((w) => replicationsDone([w.err()]).length);
    const two = await cli('sweep', scenario('baseline-day.yaml'), ...GRID, '--backend', redis.url, '--db', db);
    expect(two.code, two.err).toBe(0);
    expect(storedSweep(db, sweepId(two.out))).toEqual(expected);
    // both workers took part, and no replication was computed twice
    const after = workers.map((w) => replicationsDone([w.err()]).length);
    expect(after[0] - before[0]).toBeGreaterThan(0);
    expect(after[1] - before[1]).toBeGreaterThan(0);
    const all = replicationsDone(workers.map((w) => w.err()));
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(64);

    const list = await cli('runs', 'list', '--db', db, '--json');
    const runs = JSON.parse(list.out) as { id: number; kind: string; status: string }[];
    expect(runs.filter((r) => r.kind === 'sweep' && r.status === 'done').map((r) => r.id).sort()).toEqual([sweepId(local.out), sweepId(one.out), sweepId(two.out)].sort());
  });

  it('a run and a compare (JSON results) are the same through Redis', async () => {
    if (workers.length === 0) workers.push(await startWorker(redis.url)); // when run alone (-t)
    const db = join(tmp.dir, 'small.db');
    const run = (...extra: string[]) => cli('run', SMALL, '-r', '12', '--json', '--db', db, ...extra);
    const a = await run('--workers', '2');
    const b = await run('--backend', redis.url);
    expect(b.code, b.err).toBe(0);
    expect(withoutTiming(JSON.parse(b.out))).toEqual(withoutTiming(JSON.parse(a.out)));
    const compare = (...extra: string[]) => cli('compare', SMALL, '--set', 'agents=11,12,13', '-r', '10', '--json', '--db', db, ...extra);
    const c = await compare('--workers', '2');
    const d = await compare('--backend', redis.url);
    expect(d.code, d.err).toBe(0);
    expect(withoutTiming(JSON.parse(d.out))).toEqual(withoutTiming(JSON.parse(c.out)));
  });

  it('cctwin staff through Redis finds the staffing it finds locally, with the same figures', async () => {
    if (workers.length === 0) workers.push(await startWorker(redis.url)); // when run alone (-t)
    const db = join(tmp.dir, 'staff.db');
    const CENTER = join(ROOT, 'test/fixtures/staff-center.yaml');
    const staff = (...extra: string[]) => cli('staff', CENTER, '--replications', '6', '--json', '--db', db, ...extra);
    const a = await staff('--workers', '2');
    expect(a.code, a.err).toBe(0);
    const b = await staff('--backend', redis.url);
    expect(b.code, b.err).toBe(0);
    const strip = (o: any) => {
      const s = withoutTiming(o) as any;
      for (const it of s.iterations) delete it.wallSeconds;
      delete s.runId;
      return s;
    };
    const la = strip(JSON.parse(a.out)), lb = strip(JSON.parse(b.out));
    expect(Object.keys(la.staffing)).toEqual(['flight-shanghai', 'flight-nantong', 'hotel-remote']);
    expect(la.iterations.length).toBeGreaterThan(1);
    expect(lb.staffing).toEqual(la.staffing);
    expect(lb).toEqual(la);
    // the per-type figures travelled through the queue: every iteration's jobs were done by the workers
    expect(replicationsDone(workers.map((w) => w.err())).some((k) => k.includes('.ti.'))).toBe(true);
  });
});
