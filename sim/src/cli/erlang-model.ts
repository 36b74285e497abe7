import type { QueueSpec } from '../analytic/index.ts';
import { deepFreeze } from '../config/freeze.ts';
import { singleQueueModel } from '../config/model-defaults.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { erlangGrid } from './erlang.ts';

/** The model `erlang a --simulate` runs: constant arrivals, exponential handle and patience. */
export function erlangModel(spec: QueueSpec, hours: number, seed: number, warmup = 0): ModelConfig {
  const { intervalLength, nIntervals, horizon } = erlangGrid(hours);
  return deepFreeze(singleQueueModel({
    name: `M/M/${spec.agents}${spec.patience ? '+M' : ''}${spec.lines ? `/${spec.lines}` : ''}`,
    seed,
    horizon,
    intervalLength,
    nIntervals,
    warmup,
    threshold: spec.threshold,
    sla: [],
    arrivalRates: new Array(nIntervals).fill(spec.arrivalRate),
    handleTime: { kind: 'exponential', mean: spec.aht },
    patience: spec.patience ? { kind: 'exponential', mean: spec.patience } : null,
    staffing: new Array(nIntervals).fill(spec.agents),
    lines: spec.lines ?? null,
  }));
}
