import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Calendar } from '../../sim/src/core/calendar.ts';

/**
 * The calendar's contract (sim/src/core/calendar.ts): events pop in the order of a
 * stable sort by (time, priority), i.e. (time, priority, insertion order). The oracle
 * is Array.prototype.sort, which is stable (ES2019), applied to the pushes in order.
 */

interface Ev { time: number; priority: number; id: number }

function drain(cal: Calendar): Ev[] {
  const out: Ev[] = [];
  while (cal.pop()) out.push({ time: cal.popTime, priority: cal.popKind, id: cal.popTarget });
  return out;
}

function oracle(evs: readonly Ev[]): Ev[] {
  return [...evs].sort((a, b) => a.time - b.time || a.priority - b.priority);
}

function pushAll(cal: Calendar, evs: readonly Ev[]): void {
  // kind := priority, target := insertion id, gen := id * 7 (checked to travel with its event)
  for (const e of evs) cal.push(e.time, e.priority, e.priority, e.id, e.id * 7);
}

// Few distinct times and priorities, so that equal keys are the common case.
const evArb = fc.record({
  time: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 1e6, noNaN: true })),
  priority: fc.integer({ min: 0, max: 4 }),
});

describe('Calendar', () => {
  it('pops in (time, priority, insertion) order for random pushes, many with equal times', () => {
    fc.assert(
      fc.property(fc.array(evArb, { maxLength: 300 }), (raw) => {
        const evs = raw.map((e, id) => ({ ...e, id }));
        const cal = new Calendar(16);
        pushAll(cal, evs);
        expect(cal.size).toBe(evs.length);
        expect(drain(cal)).toEqual(oracle(evs));
        expect(cal.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps target and generation with their event', () => {
    const cal = new Calendar();
    const evs = Array.from({ length: 50 }, (_, id) => ({ time: (id * 37) % 11, priority: id % 3, id }));
    pushAll(cal, evs);
    const seen: number[] = [];
    while (cal.pop()) {
      expect(cal.popGen).toBe(cal.popTarget * 7);
      expect(cal.popKind).toBe(evs[cal.popTarget].priority);
      expect(cal.popTime).toBe(evs[cal.popTarget].time);
      seen.push(cal.popTarget);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(evs.map((e) => e.id));
  });

  it('interleaved pushes and pops agree with a sorted-list model', () => {
    // A pop returns the least (time, priority, seq) among the events present; pushes may
    // come at times earlier than events already popped (the calendar does not enforce a clock).
    const op = fc.oneof(
      fc.record({ push: evArb }),
      fc.constant({ pop: true as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const cal = new Calendar(16);
        let pending: Ev[] = [];
        let id = 0;
        for (const o of ops) {
          if ('push' in o) {
            const e = { ...o.push, id: id++ };
            pushAll(cal, [e]);
            pending.push(e);
          } else {
            const expected = oracle(pending)[0];
            const got = cal.pop();
            expect(got).toBe(expected !== undefined);
            if (expected) {
              expect({ time: cal.popTime, priority: cal.popKind, id: cal.popTarget }).toEqual(expected);
              pending = pending.filter((e) => e !== expected);
            }
          }
          expect(cal.size).toBe(pending.length);
          expect(cal.peekTime()).toBe(pending.length ? Math.min(...pending.map((e) => e.time)) : Infinity);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('grows past its initial capacity without losing or reordering events', () => {
    const cal = new Calendar(16);
    const n = 16 * 2 ** 8 + 3; // eight doublings and then some
    // Decreasing times force every push to sift to the root; equal times test the seq key.
    const evs = Array.from({ length: n }, (_, id) => ({ time: Math.floor((n - id) / 3), priority: id % 2, id }));
    pushAll(cal, evs);
    expect(cal.size).toBe(n);
    expect(drain(cal)).toEqual(oracle(evs));
  });

  it('peekTime is Infinity when empty, and pop returns false', () => {
    const cal = new Calendar();
    expect(cal.peekTime()).toBe(Infinity);
    expect(cal.pop()).toBe(false);
    cal.push(3, 0, 0, 0, 0);
    expect(cal.peekTime()).toBe(3);
    expect(cal.pop()).toBe(true);
    expect(cal.peekTime()).toBe(Infinity);
    expect(cal.size).toBe(0);
  });

  it('clear() empties it and restarts the insertion order', () => {
    const cal = new Calendar();
    pushAll(cal, [{ time: 1, priority: 0, id: 0 }, { time: 1, priority: 0, id: 1 }]);
    cal.clear();
    expect(cal.size).toBe(0);
    expect(cal.peekTime()).toBe(Infinity);
    pushAll(cal, [{ time: 2, priority: 1, id: 5 }, { time: 2, priority: 1, id: 6 }, { time: 2, priority: 0, id: 7 }]);
    expect(drain(cal).map((e) => e.id)).toEqual([7, 5, 6]);
  });

  it('sources (the second level) pop in the same (time, priority, insertion) order as pushed events', () => {
    // A model of both levels: setSource replaces the source's pending occurrence and
    // takes its sequence number when set; pop(limit) stops before later events.
    const NS = 4;
    const op = fc.oneof(
      fc.record({ push: evArb }),
      fc.record({ source: fc.integer({ min: 0, max: NS - 1 }), ev: evArb, none: fc.boolean() }),
      fc.record({ pop: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 6 })) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const cal = new Calendar(16, NS);
        interface P { time: number; priority: number; seq: number; kind: number; target: number }
        let pending: P[] = [];
        let seq = 0;
        for (const o of ops) {
          if ('push' in o) {
            cal.push(o.push.time, o.push.priority, o.push.priority, 100 + seq, 7);
            pending.push({ time: o.push.time, priority: o.push.priority, seq, kind: o.push.priority, target: 100 + seq });
            seq++;
          } else if ('source' in o) {
            const time = o.none ? Infinity : o.ev.time;
            cal.setSource(o.source, time, o.ev.priority, 10 + o.source);
            pending = pending.filter((p) => p.target !== o.source);
            if (time !== Infinity) pending.push({ time, priority: o.ev.priority, seq, kind: 10 + o.source, target: o.source });
            seq++;
          } else {
            const first = [...pending].sort((a, b) => a.time - b.time || a.priority - b.priority || a.seq - b.seq)[0];
            const expected = first !== undefined && first.time <= o.pop ? first : undefined;
            expect(cal.pop(o.pop)).toBe(expected !== undefined);
            if (expected) {
              expect({ time: cal.popTime, kind: cal.popKind, target: cal.popTarget, gen: cal.popGen })
                .toEqual({ time: expected.time, kind: expected.kind, target: expected.target, gen: expected.target < NS ? 0 : 7 });
              pending = pending.filter((p) => p !== expected);
            }
          }
          expect(cal.size).toBe(pending.length);
          expect(cal.peekTime()).toBe(pending.length ? Math.min(...pending.map((p) => p.time)) : Infinity);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a calendar without sources refuses setSource', () => {
    expect(() => new Calendar(16).setSource(0, 1, 0, 0)).toThrow(RangeError);
  });
});
