import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { loadPolicy } from '../../sim/src/engine/policy-loader.ts';
import { fromWire } from '../../sim/src/errors.ts';
import { replicationCounts, type Window } from './predict.ts';
import type { PredictTask } from './predict-worker.ts';

/**
 * Runs the prediction's replications (predict.ts): on this thread with one worker,
 * else on a pool of worker threads (piscina, as the simulator's own runs: the worker
 * is compiled JavaScript in dist/). Replication r of the scenario draws from the
 * streams of (seed, r) wherever it runs, so the numbers do not depend on the workers.
 * `stop` (Ctrl-C) ends it between replications: it rejects with PredictionStopped.
 */

export class PredictionStopped extends Error {
  constructor(readonly done: number) {
    super('prediction stopped');
    this.name = 'PredictionStopped';
  }
}

const WORKER = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/twin-api/load/predict-worker.js', import.meta.url)
  : new URL('./predict-worker.js', import.meta.url);

const turn = () => new Promise<void>((res) => setImmediate(res));

export async function predictCounts(
  cfg: ModelConfig, replications: number, window: Window, workers: number,
  o: { stop?: AbortSignal; onDone?: (done: number) => void } = {},
): Promise<Float64Array[]> {
  const out: Float64Array[] = new Array(replications);
  let done = 0;
  const threads = Math.max(1, Math.min(workers, replications));
  if (threads <= 1 || !existsSync(WORKER)) {
    const policy = await loadPolicy(cfg);
    for (let r = 0; r < replications; r++) {
      if (o.stop?.aborted) throw new PredictionStopped(done);
      out[r] = replicationCounts(cfg, r, window, policy, () => o.stop?.aborted === true);
      if (o.stop?.aborted) throw new PredictionStopped(done);
      o.onDone?.(++done);
      await turn();
    }
    return out;
  }
  const { Piscina } = await import('piscina');
  const pool = new Piscina<PredictTask, Float64Array>({ filename: fileURLToPath(WORKER), minThreads: threads, maxThreads: threads });
  pool.on('error', () => {});
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // one listener per task
  const onStop = () => abort.abort();
  o.stop?.addEventListener('abort', onStop, { once: true });
  try {
    await Promise.all(Array.from({ length: replications }, async (_, r) => {
      out[r] = await pool.run({ cfg, replication: r, window }, { signal: abort.signal });
      o.onDone?.(++done);
    }));
    return out;
  } catch (e) {
    if (o.stop?.aborted) throw new PredictionStopped(done);
    throw fromWire((e as Error)?.message ?? '') ?? e;
  } finally {
    o.stop?.removeEventListener('abort', onStop);
    await pool.destroy();
  }
}
