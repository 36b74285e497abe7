import { describe, expect, it } from 'vitest';
import { Clock } from '../../sim/src/model/clock.ts';

/**
 * The root of the state (sim/src/model/clock.ts): the clock starts at 0 with no event
 * counted, and its calendar has one source per contact type (its arrival stream) and
 * one more, the patience lane's.
 */

describe('Clock', () => {
  it('starts at time 0 with no event counted and an empty calendar', () => {
    const c = new Clock({ nTypes: 2 });
    expect([c.now, c.events, c.cal.size]).toEqual([0, 0, 0]);
  });

  it('gives the calendar a source per type and one for the patience lane, no more', () => {
    const c = new Clock({ nTypes: 2 });
    // Sources 0 and 1 (the types' arrivals) and 2 (the lane) pop in time order.
    c.cal.setSource(2, 5, 0, 7);
    c.cal.setSource(0, 9, 0, 8);
    c.cal.setSource(1, 1, 0, 9);
    const popped: [number, number, number][] = [];
    while (c.cal.pop()) popped.push([c.cal.popTime, c.cal.popTarget, c.cal.popKind]);
    expect(popped).toEqual([[1, 1, 9], [5, 2, 7], [9, 0, 8]]);
    expect(() => c.cal.setSource(3, 1, 0, 0)).toThrow(RangeError);
  });
});
