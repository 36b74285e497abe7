import { describe, expect, it } from 'vitest';
import { CALL_IN_SERVICE, CALL_WAITING } from '../../sim/src/model/contacts.ts';
import { INITIAL_QUEUE_RING, Queues } from '../../sim/src/model/queues.ts';

/**
 * The agent queues (sim/src/model/queues.ts): FIFO per queue, stale entries (a
 * contact no longer waiting there, or a slot's later occupant) dropped at the head
 * without disturbing the order, lengths, and ring growth that keeps the order.
 */

const queues = (n = 2) => new Queues({ nTypes: 1, nQueues: n });

/** A new contact waiting in queue q, enqueued. */
function waitIn(s: Queues, q: number): number {
  const slot = s.allocCall();
  s.cState[slot] = CALL_WAITING;
  s.cQueue[slot] = q;
  s.enqueue(q, slot);
  return slot;
}

/** Takes every live head of q in turn. */
function drain(s: Queues, q: number): number[] {
  const out: number[] = [];
  for (let slot = s.peekQueue(q); slot >= 0; slot = s.peekQueue(q)) {
    s.shiftQueue(q);
    s.cState[slot] = CALL_IN_SERVICE;
    out.push(slot);
  }
  return out;
}

describe('Queues', () => {
  it('serves each queue first in, first out, the queues apart, and counts their lengths', () => {
    const s = queues();
    const a = waitIn(s, 0), b = waitIn(s, 1), c = waitIn(s, 0), d = waitIn(s, 0), e = waitIn(s, 1);
    expect([...s.qLen]).toEqual([3, 2]);
    expect(s.peekQueue(0)).toBe(a);
    expect(s.peekQueue(0)).toBe(a); // peeking takes nothing
    expect(drain(s, 1)).toEqual([b, e]);
    expect([...s.qLen]).toEqual([3, 0]);
    expect(drain(s, 0)).toEqual([a, c, d]);
    expect([...s.qLen]).toEqual([0, 0]);
    expect([s.peekQueue(0), s.peekQueue(1)]).toEqual([-1, -1]);
  });

  it('skips stale entries: answered elsewhere, moved to another queue, freed, or the slot\'s next occupant', () => {
    const s = queues();
    const answered = waitIn(s, 0), moved = waitIn(s, 0), freed = waitIn(s, 0), live = waitIn(s, 0);
    s.cState[answered] = CALL_IN_SERVICE; // answered by an overflow, say
    s.cQueue[moved] = 1; // moved to queue 1 (its entry there is its own)
    s.freeCall(freed);
    // The freed slot's next occupant waits in queue 0 too: it is behind `live`, not at the old place.
    const again = s.allocCall();
    expect(again).toBe(freed);
    s.cState[again] = CALL_WAITING;
    s.cQueue[again] = 0;
    s.enqueue(0, again);
    expect(s.peekQueue(0)).toBe(live);
    expect(s.qHead[0]).toBe(3); // the three stale entries are gone from the ring
    expect(drain(s, 0)).toEqual([live, again]);
  });

  it('grows its ring by doubling when full, keeping the order across the wrap', () => {
    const s = queues(1);
    expect(s.qSlot[0].length).toBe(INITIAL_QUEUE_RING);
    // Move the head into the ring first, so that the live window wraps when it fills.
    const early = Array.from({ length: 100 }, () => waitIn(s, 0));
    expect(drain(s, 0)).toEqual(early);
    const order = Array.from({ length: 3 * INITIAL_QUEUE_RING + 5 }, () => waitIn(s, 0));
    expect(s.qSlot[0].length).toBe(4 * INITIAL_QUEUE_RING);
    expect(s.qLen[0]).toBe(order.length);
    expect(drain(s, 0)).toEqual(order);
    expect(s.qLen[0]).toBe(0);
  });

  it('keeps each entry\'s generation: an entry pushed before a growth still goes stale with its slot', () => {
    const s = queues(1);
    const first = waitIn(s, 0);
    const others = Array.from({ length: INITIAL_QUEUE_RING + 1 }, () => waitIn(s, 0)); // forces a growth
    s.freeCall(first);
    const again = s.allocCall();
    s.cState[again] = CALL_WAITING; // the slot's new contact, not in the ring
    s.cQueue[again] = 0;
    expect(drain(s, 0)).toEqual(others);
  });
});
