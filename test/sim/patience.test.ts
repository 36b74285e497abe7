import { describe, expect, it } from 'vitest';
import { CALL_IN_SERVICE, CALL_WAITING } from '../../sim/src/model/contacts.ts';
import { ABANDON, ABANDON_ARM, KIND_PRIORITY, SERVICE_END } from '../../sim/src/model/event-kinds.ts';
import { ABANDON_ARM_AFTER, INITIAL_LANE, PatienceLane } from '../../sim/src/model/patience.ts';

/**
 * The patience lane (sim/src/model/patience.ts): a near deadline goes into the calendar
 * at once; a far one waits in the lane until ABANDON_ARM_AFTER and is armed only if
 * the contact still waits; armed timers pop in deadline order, and where they would
 * have popped had they been pushed at once (their reserved order key).
 */

/** One contact type (the lane is calendar source 1), no agents. */
const lane = () => new PatienceLane({ nTypes: 1, nQueues: 1, nAgents: 0, nGroups: 0, aGroup: new Int32Array(0), groupCap: new Int32Array(0), ringSize: new Int32Array(0) });

function waiting(s: PatienceLane): number {
  const slot = s.allocCall();
  s.cState[slot] = CALL_WAITING;
  return slot;
}

/** Runs the calendar up to `until`: the lane's arm events arm, others are returned as [time, kind, slot]. */
function run(s: PatienceLane, until = Infinity): [number, number, number][] {
  const out: [number, number, number][] = [];
  while (s.cal.pop(until)) {
    s.now = s.cal.popTime;
    if (s.cal.popKind === ABANDON_ARM) s.armAbandons();
    else out.push([s.cal.popTime, s.cal.popKind, s.cal.popTarget]);
  }
  return out;
}

describe('PatienceLane', () => {
  it('puts a deadline within ABANDON_ARM_AFTER into the calendar at once; a later one waits in the lane', () => {
    const s = lane();
    s.now = 100;
    const a = waiting(s), b = waiting(s);
    s.scheduleAbandon(a, s.cGen[a], 100 + ABANDON_ARM_AFTER);
    expect([s.lTail - s.lHead, s.cal.size]).toEqual([0, 1]);
    s.scheduleAbandon(b, s.cGen[b], 100 + ABANDON_ARM_AFTER + 1);
    expect(s.lTail - s.lHead).toBe(1);
    expect(s.cal.size).toBe(2); // the abandonment of a, and the lane's arm time (its source)
    expect(s.cal.peekTime()).toBe(100 + ABANDON_ARM_AFTER);
    expect(run(s)).toEqual([[130, ABANDON, a], [131, ABANDON, b]]);
    expect(s.lTail - s.lHead).toBe(0);
  });

  it('arms, at each head\'s arm time, the timers due within half the delay, and only of contacts still waiting', () => {
    const s = lane();
    // Enter at 0, 10, 20, 40 with patience 100: arm times 30, 40, 50, 70.
    const slots = [0, 10, 20, 40].map((t) => {
      s.now = t;
      const slot = waiting(s);
      s.scheduleAbandon(slot, s.cGen[slot], t + 100);
      return slot;
    });
    s.cState[slots[1]] = CALL_IN_SERVICE; // answered: never armed
    s.freeCall(slots[2]); // gone, the slot reused by another contact waiting: its generation differs
    const reused = s.allocCall();
    s.cState[reused] = CALL_WAITING;
    expect(run(s, 30)).toEqual([]);
    // At 30 the lane armed the heads due by 45 (30 and 40); the next arm is the head at 50.
    expect(s.cal.peekTime()).toBe(50);
    expect(s.lTail - s.lHead).toBe(2);
    expect(run(s)).toEqual([[100, ABANDON, slots[0]], [140, ABANDON, slots[3]]]);
  });

  it('an armed timer pops where it would have: before an event of its priority pushed for the same time later', () => {
    const s = lane();
    s.now = 0;
    const a = waiting(s);
    s.scheduleAbandon(a, s.cGen[a], 100);
    s.now = 5;
    s.cal.push(100, KIND_PRIORITY[ABANDON], ABANDON, 99, 0); // pushed later, for the same time
    s.cal.push(100, KIND_PRIORITY[SERVICE_END], SERVICE_END, 98, 0); // a kind that goes first at equal times
    expect(run(s)).toEqual([[100, SERVICE_END, 98], [100, ABANDON, a], [100, ABANDON, 99]]);
  });

  it('grows when full, keeping the timers in order across the ring\'s wrap', () => {
    const s = lane();
    // First move the lane's head into the ring: 100 timers armed at 30.
    const first: number[] = [];
    for (let k = 0; k < 100; k++) {
      const slot = waiting(s);
      first.push(slot);
      s.scheduleAbandon(slot, s.cGen[slot], 500 + k);
    }
    expect(run(s, 30)).toEqual([]);
    expect([s.lHead, s.lTail]).toEqual([100, 100]);
    const n = 2 * INITIAL_LANE + 3;
    const slots: number[] = [];
    for (let k = 0; k < n; k++) {
      s.now = 30 + k * 0.01; // entries within 30 s: all still in the lane at the next arm time
      const slot = waiting(s);
      slots.push(slot);
      s.scheduleAbandon(slot, s.cGen[slot], 1000 - k * 0.5); // later entries, earlier deadlines
    }
    expect(s.lAt.length).toBe(4 * INITIAL_LANE);
    expect(s.lTail - s.lHead).toBe(n);
    const popped = run(s);
    expect(popped.map((p) => p[2])).toEqual([...first, ...[...slots].reverse()]);
    for (let k = 1; k < popped.length; k++) expect(popped[k][0]).toBeGreaterThan(popped[k - 1][0]);
  });
});
