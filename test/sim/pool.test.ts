import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../sim/src/config/load.ts';
import { ReplicationFailed, RunInterrupted, startPoolEarly, withRunner } from '../../sim/src/engine/pool.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { decodeResult, summarize } from '../../sim/src/metrics/summary.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const cfg = loadScenario(FIXTURE);
const R = 8;
const indexes = Array.from({ length: R }, (_, r) => r);

/** A result buffer without its wall-clock field (header slot 5). */
const numbers = (b: Float64Array) => { const c = Float64Array.from(b); c[5] = 0; return Array.from(c); };
const withoutPerformance = (bufs: Float64Array[]) => {
  const { performance: _p, ...rest } = summarize(cfg, bufs.map((b) => decodeResult(b, cfg)), 0);
  return rest;
};

describe('worker pool', () => {
  const reference = indexes.map((r) => replicate(cfg, r));

  it('gives every replication the same numbers in-process, on 1 worker and on 2 workers, in any dispatch order', async () => {
    const local = await withRunner({ workers: 1 }, (run) => run.run(cfg, indexes));
    const one = await withRunner({ workers: 1, inProcess: false }, (run) => run.run(cfg, indexes));
    const shuffled = [5, 2, 7, 0, 3, 6, 1, 4];
    const completion: number[] = [];
    const two = await withRunner({ workers: 2 }, (run) => run.run(cfg, shuffled, (_b, r) => completion.push(r)));
    expect(completion.sort()).toEqual([...indexes]);
    expect(local.map(numbers)).toEqual(reference.map(numbers));
    expect(one.map(numbers)).toEqual(reference.map(numbers));
    // run() returns buffers in the order of the indexes asked for
    expect(two.map((b) => b[6])).toEqual(shuffled);
    expect(two.map(numbers)).toEqual(shuffled.map((r) => numbers(reference[r])));
    // summaries do not depend on the order results arrive in
    expect(withoutPerformance(two)).toEqual(withoutPerformance(reference));
    expect(withoutPerformance([...two].reverse())).toEqual(withoutPerformance(local));
  });

  it('a pool started early is taken by the next runner of its size, with the same numbers; another size or a discard destroys it', async () => {
    const early = startPoolEarly(2);
    expect(early.threads()).toBe(2);
    const two = await withRunner({ workers: 2, tasks: R }, (run) => run.run(cfg, indexes));
    expect(early.taken()).toBe(true);
    await early.discard(); // taken: the runner destroyed it, nothing left to do
    expect(two.map(numbers)).toEqual(reference.map(numbers));

    const unused = startPoolEarly(2);
    const one = await withRunner({ workers: 1, inProcess: false }, (run) => run.run(cfg, [0, 1]));
    expect(unused.taken()).toBe(false);
    await unused.discard(); // waits for the destruction the one-thread runner started
    expect(unused.threads()).toBe(0);
    expect(one.map(numbers)).toEqual(reference.slice(0, 2).map(numbers));

    const discarded = startPoolEarly(2);
    expect(discarded.threads()).toBe(2);
    await discarded.discard();
    expect(discarded.threads()).toBe(0);
    const again = await withRunner({ workers: 2 }, (run) => run.run(cfg, [2, 3]));
    expect(discarded.taken()).toBe(false);
    expect(again.map(numbers)).toEqual(reference.slice(2, 4).map(numbers));

    const replaced = startPoolEarly(2);
    const second = startPoolEarly(2); // the first, never taken, is destroyed
    await replaced.discard();
    expect(replaced.threads()).toBe(0);
    expect(second.threads()).toBe(2);
    await second.discard();
    expect(second.threads()).toBe(0);
  });

  it('replaces a crashed worker and re-runs its replication with the same result', async () => {
    const attempts: number[] = [];
    const bufs = await withRunner({ workers: 2, crashOnce: [2, 5] }, (run) => run.run(cfg, indexes, (_b, r) => attempts.push(r)));
    expect(bufs.map(numbers)).toEqual(reference.map(numbers));
    expect(attempts.sort((a, b) => a - b)).toEqual(indexes);
  });

  it('fails a replication whose worker keeps crashing, after the retries', async () => {
    await expect(withRunner({ workers: 1, inProcess: false, retries: 0, crashOnce: [1] }, (run) => run.run(cfg, [0, 1])))
      .rejects.toMatchObject({ name: 'ReplicationFailed', replication: 1, crashed: true });
  });

  it('stops on abort: RunInterrupted, finished replications reported, the pool torn down', async () => {
    for (const opts of [{ workers: 2 }, { workers: 1 }]) {
      const stop = new AbortController();
      const seen: number[] = [];
      const many = Array.from({ length: 40 }, (_, r) => r);
      const t0 = performance.now();
      const err = await withRunner(opts, (run) => run.run(cfg, many, (_b, r) => { seen.push(r); if (seen.length === 3) stop.abort(); }), stop.signal)
        .then(() => null, (e) => e);
      expect(err).toBeInstanceOf(RunInterrupted);
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.length).toBeLessThan(40);
      expect(performance.now() - t0).toBeLessThan(30_000);
    }
  });

  it('times a replication out when asked', async () => {
    const err = await withRunner({ workers: 1, inProcess: false, timeoutMs: 1 }, (run) => run.run(cfg, [0])).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(ReplicationFailed);
    expect((err as Error).message).toMatch(/timed out after 1 ms/);
  });
});
