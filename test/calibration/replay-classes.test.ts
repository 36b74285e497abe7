import { describe, expect, it } from 'vitest';
import { dayNumber, type CallRecord } from '../../sim/src/calibration/call-log.ts';
import { observeDays } from '../../sim/src/calibration/observed-day.ts';
import { classArrivals, dayModel } from '../../sim/src/calibration/day-model.ts';

describe('replay: classes of the log that the fit lacks', () => {
  const day = dayNumber(1999, 1, 3);
  const call = (t: number, priority: number): CallRecord => ({ day, arrival: t, queueEntry: t, answer: t, end: t + 60, outcome: 'answered', type: 'PS', agent: 'A', customer: null, priority });
  const [d] = observeDays([call(36000, 0), call(36100, 2), call(36200, 2), call(40000, 0)], 900, 20, 'present');
  const ht = { kind: 'exponential', mean: 100 } as const;
  it('are folded into regular, so no offered call is left out', () => {
    const [reg] = classArrivals(d, [{ name: 'regular', priority: 0, handleTime: ht, patience: null }]);
    expect(reg.offered.reduce((s, x) => s + x, 0)).toBe(4);
    expect(reg.entries).toEqual([36000, 36100, 36200, 40000]);
    const cfg = dayModel(d, { handleTime: ht, patience: null, classes: [{ name: 'regular', priority: 0, handleTime: ht, patience: null }], interval: 900, threshold: 20, replications: 1, seed: 1, arrivals: 'counts' });
    expect(cfg.types[0].arrivalRates[40] * 900).toBe(3);
  });
  it('change nothing when the fit has every class', () => {
    const both = classArrivals(d, [{ name: 'regular', priority: 0, handleTime: ht, patience: null }, { name: 'priority', priority: 1, handleTime: ht, patience: null }]);
    expect(both.map((a) => a.entries.length)).toEqual([2, 2]);
  });
});
