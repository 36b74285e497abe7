import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { loadPolicy } from '../../sim/src/engine/policy-loader.ts';
import { SimError, toWire } from '../../sim/src/errors.ts';
import { replicationCounts, type Window } from './predict.ts';

/**
 * Worker-thread entry of `cctwin compare-k6`'s prediction (compiled to dist/, loaded by
 * each thread of predict-run.ts's pool): one replication's per-type counts of first
 * attempts in the window (predict.ts), copied back (a small Float64Array).
 */
export interface PredictTask {
  cfg: ModelConfig;
  replication: number;
  window: Window;
}

export default async function runPredictTask(task: PredictTask): Promise<Float64Array> {
  try {
    const policy = await loadPolicy(task.cfg);
    return replicationCounts(task.cfg, task.replication, task.window, policy);
  } catch (e) {
    // A coded error keeps its code and issues across the thread boundary (predict-run.ts reads it back).
    if (e instanceof SimError) throw new Error(toWire(e));
    throw e;
  }
}
