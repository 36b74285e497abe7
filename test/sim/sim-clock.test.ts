import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simClock } from '../../sim/src/metrics/clock.ts';
import { clock as dashboardClock } from '../../dashboard/src/format.ts';

describe('simClock: a time on the scenario clock', () => {
  it('hand-worked cases', () => {
    expect(simClock(0)).toBe('00:00');
    expect(simClock(10 * 3600 + 30 * 60)).toBe('10:30');
    expect(simClock(10 * 3600 + 5, true)).toBe('10:00:05');
    expect(simClock(86399.5)).toBe('23:59');
    expect(simClock(86399.9999999)).toBe('day 2 00:00'); // a sum of intervals a float's noise short of midnight is midnight
    expect(simClock(86400)).toBe('day 2 00:00');
    expect(simClock(86400 + 3600 + 65, true)).toBe('day 2 01:01:05');
    expect(simClock(6 * 86400 + 23 * 3600)).toBe('day 7 23:00');
    expect(simClock(3599.9999999, true)).toBe('01:00:00'); // within a microsecond of the next second
  });

  it('writes what the dashboard writes (the dashboard imports nothing of sim/, so its copy is held to this one here)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 400 * 86400, noNaN: true }), fc.boolean(), (t, seconds) => {
      expect(simClock(t, seconds)).toBe(dashboardClock(t, seconds));
    }), { numRuns: 2000 });
  });
});
