import { describe, expect, it } from 'vitest';
import {
  CALL_FREE, CALL_IN_SERVICE, CALL_WAITING, ContactSlots, FLAG_CALLBACK, FLAG_MISROUTED, INITIAL_SLOTS,
} from '../../sim/src/model/contacts.ts';

/**
 * Contact slots (sim/src/model/contacts.ts): fresh slots in order, freed slots reused
 * last freed first, a generation bump on every free, and growth by doubling that keeps
 * every array's contents.
 */

const slots = () => new ContactSlots({ nTypes: 1 });

/** The per-slot arrays: every typed-array field whose name is c + capital letter, and freeSlots. */
function slotArrays(s: ContactSlots): [string, ArrayLike<number>][] {
  return Object.entries(s).filter(([k, v]) => (/^c[A-Z]/.test(k) || k === 'freeSlots') && ArrayBuffer.isView(v)) as [string, ArrayLike<number>][];
}

describe('ContactSlots', () => {
  it('hands out fresh slots in order, then reuses freed slots last freed first', () => {
    const s = slots();
    expect([s.allocCall(), s.allocCall(), s.allocCall(), s.allocCall()]).toEqual([0, 1, 2, 3]);
    s.freeCall(1);
    s.freeCall(3);
    s.freeCall(0);
    expect(s.nFree).toBe(3);
    expect([s.allocCall(), s.allocCall(), s.allocCall(), s.allocCall()]).toEqual([0, 3, 1, 4]);
    expect([s.nFree, s.nSlots]).toEqual([0, 5]);
  });

  it('a free bumps the slot\'s generation and clears its state and flags, nothing else', () => {
    const s = slots();
    const a = s.allocCall(), b = s.allocCall();
    s.cState[a] = CALL_IN_SERVICE;
    s.cFlags[a] = FLAG_CALLBACK | FLAG_MISROUTED;
    s.cType[a] = 5;
    s.cArrive[a] = 12.5;
    s.cState[b] = CALL_WAITING;
    const genA = s.cGen[a], genB = s.cGen[b];
    s.freeCall(a);
    expect([s.cGen[a], s.cState[a], s.cFlags[a]]).toEqual([genA + 1, CALL_FREE, 0]);
    expect([s.cType[a], s.cArrive[a]]).toEqual([5, 12.5]); // the next occupant overwrites them
    expect([s.cGen[b], s.cState[b]]).toEqual([genB, CALL_WAITING]);
    // Reused and freed again: the generation keeps counting, so a timer of any earlier occupant is stale.
    expect(s.allocCall()).toBe(a);
    s.freeCall(a);
    expect(s.cGen[a]).toBe(genA + 2);
  });

  it('grows by doubling when every slot is taken, keeping every array\'s contents', () => {
    const s = slots();
    const arrays = slotArrays(s);
    expect(arrays.length).toBe(20); // 19 contact fields and the free stack
    for (const [, a] of arrays) expect(a.length).toBe(INITIAL_SLOTS);
    for (let i = 0; i < INITIAL_SLOTS; i++) {
      const slot = s.allocCall();
      s.cType[slot] = i % 7;
      s.cArrive[slot] = i / 4;
      s.cState[slot] = i % 3 === 0 ? CALL_WAITING : CALL_IN_SERVICE;
      s.cGen[slot] = i * 2;
      s.cPatience[slot] = i === 5 ? Infinity : i;
    }
    const before = s.cType;
    expect(s.allocCall()).toBe(INITIAL_SLOTS);
    expect(s.cType).not.toBe(before); // a new array: handlers read it from the state again
    for (const [k, a] of slotArrays(s)) expect(a.length, k).toBe(2 * INITIAL_SLOTS);
    for (let i = 0; i < INITIAL_SLOTS; i++) {
      expect([s.cType[i], s.cArrive[i], s.cState[i], s.cGen[i], s.cPatience[i]]).toEqual([i % 7, i / 4, i % 3 === 0 ? CALL_WAITING : CALL_IN_SERVICE, i * 2, i === 5 ? Infinity : i]);
    }
    // The free stack grew too: more frees than the old capacity.
    for (let slot = 0; slot <= INITIAL_SLOTS; slot++) s.freeCall(slot);
    expect(s.nFree).toBe(INITIAL_SLOTS + 1);
    expect(s.allocCall()).toBe(INITIAL_SLOTS);
    expect(s.allocCall()).toBe(INITIAL_SLOTS - 1);
  });
});
