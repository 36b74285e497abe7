import type { ModelConfig } from '../config/model-config.ts';
import { adoptTopology } from '../config/topology.ts';
import { replicate } from './replicate.ts';
import { replicateTypeIntervals } from './type-intervals.ts';
import { loadPolicy } from './policy-loader.ts';
import { SimError, toWire } from '../errors.ts';

/**
 * Worker-thread entry (compiled to dist/, loaded by each pool thread): runs one replication
 * and sends its result buffer back. A worker owns its replication's state; nothing
 * is shared. Cancellation happens between tasks: the pool terminates the thread,
 * never a flag checked in the hot loop.
 *
 * The result buffer is copied (structured clone, about 170 KB for the Erlang-A day:
 * well under a millisecond), never transferred. A transfer detaches an ArrayBuffer in
 * the worker's isolate, and the first detach invalidates V8's "array buffer
 * detaching" protector for that isolate for good: from then on optimized code checks
 * every typed-array access for a detached buffer, and the engine, all typed arrays,
 * ran about 25% slower in the worker than on the main thread (Erlang-A day: 68-72 ms
 * against 56 ms per replication, same process, alternating).
 */
export interface ReplicationTask {
  cfg: ModelConfig;
  /**
   * modelKey(cfg), computed once by the pool: the task's cfg is a fresh copy every
   * time, and the key lets the worker reuse the model's topology (built once per
   * model on each worker, not once per task).
   */
  modelKey?: string;
  replication: number;
  /** Test hook: the worker exits abruptly instead of running (the pool must recover). */
  crash?: boolean;
  /** Append each contact type's figures per interval (type-intervals.ts). */
  typeIntervals?: boolean;
}

export default async function runReplicationTask(task: ReplicationTask): Promise<Float64Array> {
  if (task.crash) process.exit(3);
  try {
    await loadPolicy(task.cfg); // plug-in routing policy, imported once per worker
    if (task.modelKey !== undefined) adoptTopology(task.cfg, task.modelKey);
    return task.typeIntervals ? replicateTypeIntervals(task.cfg, task.replication) : replicate(task.cfg, task.replication);
  } catch (e) {
    // A coded error keeps its code and issues across the thread boundary (pool.ts reads it back).
    if (e instanceof SimError) throw new Error(toWire(e));
    throw e;
  }
}
