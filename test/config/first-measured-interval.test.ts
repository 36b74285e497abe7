import { describe, expect, it } from 'vitest';
import { firstMeasuredInterval } from '../../sim/src/config/model-config.ts';
import { loadScenario } from '../../sim/src/config/load.ts';
import { topologyOf } from '../../sim/src/config/topology.ts';
import { decodeResult, effectiveWarmup, summarize } from '../../sim/src/metrics/summary.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { withSeed } from '../../sim/src/config/compile.ts';
import { deepFreeze } from '../../sim/src/config/freeze.ts';

const grid = (warmup: number, intervalLength = 3600, nIntervals = 24) => ({ warmup, intervalLength, nIntervals });

describe('firstMeasuredInterval: the warm-up rounded up to whole intervals', () => {
  it('hand-worked cases', () => {
    expect(firstMeasuredInterval(grid(0))).toBe(0);
    expect(firstMeasuredInterval(grid(3600))).toBe(1); // a whole interval
    expect(firstMeasuredInterval(grid(5400))).toBe(2); // 1.5 h measures from 7,200 s
    expect(firstMeasuredInterval(grid(1))).toBe(1);
    expect(firstMeasuredInterval(grid(3 * 0.1 * 12000))).toBe(1); // 3600.0000000000005 s: float noise is not a second interval
    expect(firstMeasuredInterval(grid(900, 900, 96))).toBe(1);
    expect(firstMeasuredInterval(grid(100 * 3600))).toBe(24); // at most nIntervals
  });

  it('the engine, the summary and the measured period agree on it', () => {
    // 50 minutes of warm-up on 15-minute intervals: rounded up, the measurement starts
    // at the fifth interval (rounded down or to the nearest, the fourth).
    const cfg = deepFreeze({ ...withSeed(loadScenario('scenarios/erlang-a-day.yaml'), 7), warmup: 3000 });
    const first = firstMeasuredInterval(cfg);
    expect(first).toBe(4);
    expect(topologyOf(cfg).warmRows).toBe(first);
    expect(effectiveWarmup(cfg)).toBe(first * cfg.intervalLength);
    const s = summarize(cfg, [decodeResult(replicate(cfg, 0), cfg)], 0);
    // The intervals before the first measured one are flagged as warm-up, the rest are not.
    const flagged = s.intervals.map((row) => row.warmup);
    expect(flagged.slice(0, first).every(Boolean)).toBe(true);
    expect(flagged.slice(first).some(Boolean)).toBe(false);
    // The engine counts the warm-up's contacts apart (its per-type cells), the summary
    // skips the warm-up's interval rows: the two sums of arrivals meet only if both
    // start at the same interval.
    const fromRows = s.intervals.filter((row) => !row.warmup).reduce((n, row) => n + (row.arrivals.mean ?? NaN), 0);
    expect(s.byType.calls.arrivals.mean).toBeGreaterThan(0);
    expect(s.byType.calls.arrivals.mean).toBe(fromRows);
    expect(s.totals.arrivals.mean).toBe(fromRows);
  });
});
