import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import Database from 'better-sqlite3';
import { cli } from '../fixtures/cli.ts';
import { codeVersion, engineCode } from '../../sim/src/runs/code-version.ts';
import { applyAssignments, compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { modelHash, type ReplicationJob } from '../../sim/src/runs/redis-jobs.ts';
import {
  BIN, jobsDone, replicationsDone, scenario, sleep, start, startRedis, startWorker, stop, storedSweep, tempDir, until, withoutTiming,
  type Proc, type RedisServer,
} from './helpers.ts';

/**
 * The Redis backend under faults, each on a real redis-server and real `cctwin worker`
 * processes: a worker killed mid-job, a worker stopped by SIGTERM (once: it finishes
 * its job; twice: it puts it back), the coordinator killed and the sweep resumed,
 * Redis restarted mid-sweep, malformed jobs put on the queue by hand, a worker of
 * another engine version, a plug-in policy. Workers here hold a job's lock for 2 s
 * (CCTWIN_TEST_WORKER_LOCK_MS), so a killed worker's job moves on within seconds.
 */

const LOCK = { CCTWIN_TEST_WORKER_LOCK_MS: '2000' };
const ERLANG = scenario('erlang-a-day.yaml');
const GRID = ['--set', 'agents=340,350', '--set', 'patience.mean=240,300', '-r', '12'];

let redis: RedisServer;
let tmp: ReturnType<typeof tempDir>;
const procs: Proc[] = [];
const worker = async (queue: string, env: Record<string, string> = {}) => {
  const w = await startWorker(redis.url, ['--queue', queue], { ...LOCK, ...env });
  procs.push(w);
  return w;
};
const queueOf = (name: string) => new Queue(name, { connection: { host: '127.0.0.1', port: redis.port }, prefix: 'cctwin' });

beforeAll(async () => {
  tmp = tempDir();
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
  await stop(redis);
  tmp?.done();
});

/** `run#replication` of every replication a store holds. */
function storedKeys(db: string): string[] {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT run_id, replication FROM replications').all() as { run_id: number; replication: number }[]).map((r) => `${r.run_id}#${r.replication}`);
  } finally {
    d.close();
  }
}

const sweepId = (text: string) => Number(/sweep (\d+) (saved|interrupted)/.exec(text)![1]);

/** The local sweep of GRID, the reference (computed once). */
let reference: ReturnType<typeof storedSweep> | undefined;
async function localSweep(): Promise<ReturnType<typeof storedSweep>> {
  if (reference) return reference;
  const db = join(tmp.dir, 'local.db');
  const r = await cli('sweep', ERLANG, ...GRID, '--workers', '2', '--db', db);
  expect(r.code, r.err).toBe(0);
  reference = storedSweep(db, sweepId(r.out));
  return reference;
}

describe('workers that die or stop', () => {
  it('a worker killed (SIGKILL) mid-job: its job is retried on another worker, and the result is the same', async () => {
    const [a, b] = [await worker('kill'), await worker('kill')];
    const q = queueOf('kill');
    const db = join(tmp.dir, 'kill.db');
    const local = await cli('run', ERLANG, '-r', '24', '--json', '--workers', '2', '--db', db);
    const running = cli('run', ERLANG, '-r', '24', '--json', '--backend', redis.url, '--queue', 'kill', '--db', db);
    const nameA = `${hostname()}:${a.proc.pid}`;
    const victim = await until('a job running on worker A', async () => (await q.getActive()).find((j) => j.processedBy === nameA)?.id, 60_000, 10);
    a.proc.kill('SIGKILL');
    const r = await running;
    expect(r.code, r.err).toBe(0);
    expect(withoutTiming(JSON.parse(r.out))).toEqual(withoutTiming(JSON.parse(local.out)));
    expect(jobsDone(a.err())).not.toContain(victim);
    expect(jobsDone(b.err())).toContain(victim);
    await q.close();
  });

  it('SIGTERM: the worker finishes its running job, then exits 0; twice: it puts the job back in the queue at once', async () => {
    const q = queueOf('term');
    const db = join(tmp.dir, 'term.db');
    const a = await worker('term');
    const running = cli('run', ERLANG, '-r', '24', '--json', '--backend', redis.url, '--queue', 'term', '--db', db);
    const held = (w: Proc) => until('a job running on the worker', async () => (await q.getActive()).find((j) => j.processedBy === `${hostname()}:${w.proc.pid}`)?.id, 60_000, 10);
    const first = await held(a);
    a.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.err()).toMatch(/SIGTERM: taking no new job/);
    expect(jobsDone(a.err())).toContain(first);
    expect(a.err()).toMatch(/stopped: \d+ jobs?/);

    const b = await worker('term');
    const second = await held(b);
    b.proc.kill('SIGTERM');
    await sleep(50);
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(b.err()).toContain(`released job ${second}`);
    expect(jobsDone(b.err())).not.toContain(second);

    const c = await worker('term');
    const r = await running;
    expect(r.code, r.err).toBe(0);
    expect(jobsDone(c.err())).toContain(second);
    const local = await cli('run', ERLANG, '-r', '24', '--json', '--workers', '2', '--db', db);
    expect(withoutTiming(JSON.parse(r.out))).toEqual(withoutTiming(JSON.parse(local.out)));
    // released, not failed: no attempt was spent on it
    expect((await q.getFailed()).length).toBe(0);
    await q.close();
  });
});

describe('the coordinator and Redis under faults', () => {
  it('the coordinator killed (SIGKILL) mid-sweep and resumed with --resume: what the queue finished meanwhile is taken, nothing computed twice, the same result', async () => {
    const expected = await localSweep();
    const w = await worker('resume');
    const db = join(tmp.dir, 'resume.db');
    const coordinator = start(process.execPath, [BIN, 'sweep', ERLANG, ...GRID, '--backend', redis.url, '--queue', 'resume', '--db', db]);
    // Kill it once point 1 is under way (point 0 stored, point 1's jobs queued).
    await until('point 1 under way', () => jobsDone(w.err()).some((id) => /\.p1\./.test(id)), 60_000);
    coordinator.proc.kill('SIGKILL');
    await coordinator.exited;
    const q = queueOf('resume');
    await until('the queue to finish what it holds', async () => { const c = await q.getJobCounts('waiting', 'active'); return c.waiting + c.active === 0; }, 60_000);
    const doneBefore = replicationsDone([w.err()]).length;
    const id = 1;
    const r = await cli('sweep', '--resume', String(id), '--backend', redis.url, '--queue', 'resume', '--db', db);
    expect(r.code, r.err).toBe(0);
    expect(storedSweep(db, id)).toEqual(expected);
    const all = replicationsDone([w.err()]);
    expect(new Set(all).size).toBe(all.length); // nothing computed twice
    expect(all).toHaveLength(48);
    expect(doneBefore).toBeGreaterThan(12); // point 1's replications finished while no coordinator listened, and were taken
    // nothing left behind in Redis
    const client = new Redis(redis.port);
    expect(await client.keys('cctwin-results:resume:*')).toEqual([]);
    client.disconnect();
    await q.close();
  });

  it('Redis restarted mid-sweep (no persistence: its jobs are lost): coordinator and workers reconnect, lost jobs are added again, the sweep completes with the same result', async () => {
    const expected = await localSweep();
    const own = await startRedis();
    const ws = [await startWorker(own.url, [], LOCK), await startWorker(own.url, [], LOCK)];
    procs.push(...ws);
    const db = join(tmp.dir, 'restart.db');
    let restarted: RedisServer | undefined;
    try {
      const running = cli('sweep', ERLANG, ...GRID, '--backend', own.url, '--db', db);
      await until('point 1 under way', () => replicationsDone(ws.map((w) => w.err())).some((k) => /\.p1\./.test(k)), 60_000);
      own.proc.kill('SIGKILL');
      await own.exited;
      await sleep(1000);
      restarted = await startRedis({ port: own.port, dir: own.dir });
      const r = await running;
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+\/0: reconnecting/);
      expect(r.err).toMatch(/is back: checking \d+ jobs?/);
      expect(storedSweep(db, sweepId(r.out))).toEqual(expected);
      for (const w of ws) expect(w.err()).toMatch(/lost the connection to Redis/);
    } finally {
      await Promise.all(ws.map((w) => stop(w)));
      await stop(restarted);
    }
  });

  it('Redis lost for longer than CCTWIN_REDIS_WAIT: a clear error, the sweep stored as failed; resumed once Redis is back, nothing stored is computed again and nothing is lost', async () => {
    const expected = await localSweep();
    const own = await startRedis();
    const w = await startWorker(own.url, [], LOCK);
    procs.push(w);
    const db = join(tmp.dir, 'outage.db');
    let back: RedisServer | undefined;
    process.env.CCTWIN_REDIS_WAIT = '3';
    try {
      const running = cli('sweep', ERLANG, ...GRID, '--backend', own.url, '--db', db);
      await until('point 1 under way', () => replicationsDone([w.err()]).some((k) => /\.p1\./.test(k)), 60_000);
      own.proc.kill('SIGKILL');
      await own.exited;
      const r = await running;
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/error: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+\/0 for more than 3 s; the replications finished so far are stored \(a sweep continues with cctwin sweep --resume ID\)/);
      const shown = JSON.parse((await cli('runs', 'show', '1', '--db', db, '--json')).out) as { status: string };
      expect(shown.status).toBe('failed');
      const stored = storedKeys(db);
      expect(stored.length).toBeGreaterThanOrEqual(12);
      const doneBefore = replicationsDone([w.err()]).length;
      back = await startRedis({ port: own.port, dir: own.dir });
      await until('the worker to reconnect', () => /is back/.test(w.err()), 30_000);
      const resumed = await cli('sweep', '--resume', '1', '--backend', own.url, '--db', db);
      expect(resumed.code, resumed.err).toBe(0);
      expect(storedSweep(db, 1)).toEqual(expected);
      const after = replicationsDone([w.err()]).slice(doneBefore).map((k) => { const m = /^r(\d+)\.p\d+\.a0\.[0-9a-f]+#(\d+)$/.exec(k)!; return `${m[1]}#${m[2]}`; });
      expect(after.filter((k) => stored.includes(k))).toEqual([]);
    } finally {
      delete process.env.CCTWIN_REDIS_WAIT;
      await stop(w);
      await stop(back);
    }
  });
});

describe('jobs a worker refuses', () => {
  const text = readScenarioText(join(process.cwd(), 'test/fixtures/pool-small.yaml'));
  const good = (): ReplicationJob => {
    const cfg = compileVariant(text, 'pool-small', [], 7).cfg;
    return { kind: 'replications', format: 1, engine: { version: codeVersion(), code: engineCode() }, model: modelHash(cfg), scenario: text, seed: 7, from: 0, to: 2, results: 'by-hand' };
  };

  it('malformed payloads, another engine version, a plug-in policy, a scenario that does not match its hash: refused, logged, the worker goes on', async () => {
    const w = await worker('bad');
    const q = queueOf('bad');
    const policyText = applyAssignments(readScenarioText(scenario('baseline-day.yaml')), [{ path: 'routing.policy', value: 'policies/longest-queue-first.ts' }]);
    const bad: [string, unknown, RegExp][] = [
      ['not-an-object', 'hello', /malformed payload: the payload must be an object/],
      ['garbage', { garbage: true }, /malformed payload: unknown field "garbage"; kind must be "replications"/],
      ['negative', { ...good(), from: -1 }, /malformed payload: from and to must be whole numbers/],
      ['too-many', { ...good(), from: 0, to: 100_000 }, /at most 256 replications/],
      ['key-escape', { ...good(), results: '../../x:y' }, /results must be a tag/],
      ['version', { ...good(), engine: { version: '0.0.1 (abc)', code: '0123456789abcdef' } }, /engine version mismatch: the job comes from cctwin 0\.0\.1 \(abc\) \(code 0123456789abcdef\), this worker runs cctwin .* \(code [0-9a-f]{16}\)/],
      ['policy', { ...good(), scenario: policyText }, /its scenario is refused: .*\n.*routing\.policy .*must be a module in the policies folder/],
      ['hash', { ...good(), seed: 8 }, /its scenario compiles here to another model/],
    ];
    for (const [id, data] of bad) await q.add('replications', data, { jobId: `bad-${id}`, attempts: 3 });
    // A job whose stored data is not even JSON (written into Redis directly).
    const client = new Redis(redis.port);
    await q.add('replications', good(), { jobId: 'bad-json', delay: 60_000 });
    await client.hset('cctwin:bad:bad-json', 'data', '{not json');
    await q.promoteJobs();
    for (const [id, , why] of bad) {
      await until(`job bad-${id} to fail`, async () => (await q.getJobState(`bad-${id}`)) === 'failed', 30_000);
      const job = await q.getJob(`bad-${id}`);
      expect(job!.failedReason).toMatch(why);
      expect(job!.attemptsMade).toBe(1); // refused for good: retrying cannot help
      expect(w.err()).toContain(`refused job bad-${id}: `);
    }
    await until('the bad JSON to be reported', () => /error: .*JSON/.test(w.err()), 30_000);
    expect(w.proc.exitCode).toBe(null);
    // and the worker still works
    const db = join(tmp.dir, 'bad.db');
    const r = await cli('run', join(process.cwd(), 'test/fixtures/pool-small.yaml'), '-r', '4', '--backend', redis.url, '--queue', 'bad', '--db', db, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).replications).toBe(4);
    client.disconnect();
    await q.close();
  });

  it('workers of another engine version: the coordinator fails with both versions named, and the run is stored as failed', async () => {
    await worker('other', { CCTWIN_TEST_ENGINE_CODE: 'fedcba9876543210' });
    const db = join(tmp.dir, 'other.db');
    const r = await cli('run', ERLANG, '-r', '4', '--backend', redis.url, '--queue', 'other', '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error: replications? \d+( to \d+)? of Erlang-A day failed on a worker: engine version mismatch: the job comes from cctwin .* \(code [0-9a-f]{16}\), this worker runs cctwin .* \(code fedcba9876543210\)/);
    const list = JSON.parse((await cli('runs', 'list', '--db', db, '--json')).out) as { status: string }[];
    expect(list[0].status).toBe('failed');
  });

  it('a scenario naming a plug-in routing policy is refused on the Redis backend before anything is stored', async () => {
    const db = join(tmp.dir, 'policy.db');
    const r = await cli('run', scenario('baseline-day.yaml'), '--set', 'routing.policy=policies/longest-queue-first.ts', '--backend', redis.url, '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toContain('routing.policy = "');
    expect(r.err).toContain('names a plug-in routing policy module: the Redis backend never loads code named by a job on its workers; run it with --backend local');
    expect(JSON.parse((await cli('runs', 'list', '--db', db, '--json')).out)).toEqual([]);
  });
});
