import type { ModelConfig } from '../config/model-config.ts';
import { decodeResult, summarize, type ReplicationResult, type RunSummary } from './summary.ts';
import { replicate } from '../engine/replicate.ts';

export interface LocalRunOptions {
  replications: number;
  /** Called after each replication (between chunks, never inside the hot loop). */
  onProgress?: (done: number, total: number) => void;
}

/** Runs replications 0..R-1 one after another on this thread. */
export function runLocal(cfg: ModelConfig, opts: LocalRunOptions): RunSummary {
  const t0 = performance.now();
  const results: ReplicationResult[] = [];
  for (let r = 0; r < opts.replications; r++) {
    results.push(decodeResult(replicate(cfg, r), cfg));
    opts.onProgress?.(r + 1, opts.replications);
  }
  return summarize(cfg, results, (performance.now() - t0) / 1000);
}
