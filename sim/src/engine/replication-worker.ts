import { Piscina } from 'piscina';
import type { ModelConfig } from '../config/model-config.ts';
import { replicate } from './replicate.ts';
import { loadPolicy } from '../model/policy-loader.ts';

/**
 * Worker-thread entry (loaded through worker-bootstrap.mjs): runs one replication
 * and sends its result buffer back by transfer, not by copy. A worker owns its
 * replication's state; nothing is shared. Cancellation happens between tasks: the
 * pool terminates the thread, never a flag checked in the hot loop.
 */
export interface ReplicationTask {
  cfg: ModelConfig;
  replication: number;
  /** Test hook: the worker exits abruptly instead of running (the pool must recover). */
  crash?: boolean;
}

export default async function runReplicationTask(task: ReplicationTask): Promise<Float64Array> {
  if (task.crash) process.exit(3);
  await loadPolicy(task.cfg); // plug-in routing policy, imported once per worker
  const buf = replicate(task.cfg, task.replication);
  return Piscina.move(buf) as unknown as Float64Array;
}
