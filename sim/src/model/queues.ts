import { CALL_WAITING, ContactSlots, type ContactShape } from './contacts.ts';

/** What the queues need of the model: how many queues. */
export interface QueueShape extends ContactShape {
  readonly nQueues: number;
}

/** Entries each queue's ring starts with (a power of two); a full ring doubles. */
export const INITIAL_QUEUE_RING = 256;

/**
 * The agent queues: one ring of (slot, generation) per queue, FIFO, with lazy
 * deletion: a contact that leaves a queue otherwise than from its head (abandoned,
 * answered by an overflow, moved by a site failure) stays in the ring, and its entry
 * is dropped when it reaches the head and no longer matches (another generation, not
 * waiting, or waiting in another queue). qLen counts the live entries; the handlers
 * keep it (see unqueue in steps.ts).
 */
export class Queues extends ContactSlots {
  readonly nQueues: number;
  qSlot: Int32Array[];
  qGen: Int32Array[];
  readonly qHead: Int32Array;
  readonly qTail: Int32Array;
  /** live waiting contacts per queue */
  readonly qLen: Int32Array;
  /** Callers now in an IVR taken only when they cannot be connected at once, by target queue: they count as ahead in that queue. */
  readonly qHolding: Int32Array;

  constructor(shape: QueueShape) {
    super(shape);
    const nQ = (this.nQueues = shape.nQueues);
    this.qSlot = Array.from({ length: nQ }, () => new Int32Array(INITIAL_QUEUE_RING));
    this.qGen = Array.from({ length: nQ }, () => new Int32Array(INITIAL_QUEUE_RING));
    this.qHead = new Int32Array(nQ);
    this.qTail = new Int32Array(nQ);
    this.qLen = new Int32Array(nQ);
    this.qHolding = new Int32Array(nQ);
  }

  /** Puts the contact in `slot` at the tail of queue q, with its current generation. */
  enqueue(q: number, slot: number): void {
    let ring = this.qSlot[q];
    if (this.qTail[q] - this.qHead[q] === ring.length) {
      this.growQueue(q);
      ring = this.qSlot[q];
    }
    const i = this.qTail[q] & (ring.length - 1);
    ring[i] = slot;
    this.qGen[q][i] = this.cGen[slot];
    this.qTail[q]++;
    this.qLen[q]++;
  }

  /** Slot at the head of queue q that is still waiting, dropping stale entries; -1 if none. */
  peekQueue(q: number): number {
    const ring = this.qSlot[q], gens = this.qGen[q], mask = ring.length - 1;
    while (this.qHead[q] !== this.qTail[q]) {
      const i = this.qHead[q] & mask;
      const slot = ring[i];
      if (this.cGen[slot] === gens[i] && this.cState[slot] === CALL_WAITING && this.cQueue[slot] === q) return slot;
      this.qHead[q]++;
    }
    return -1;
  }

  /** Removes the head returned by peekQueue. */
  shiftQueue(q: number): void {
    this.qHead[q]++;
    this.qLen[q]--;
  }

  private growQueue(q: number): void {
    // Rings are powers of two; re-lay the live window at index 0.
    const old = this.qSlot[q], oldG = this.qGen[q], mask = old.length - 1;
    const c = old.length * 2;
    const ns = new Int32Array(c), ng = new Int32Array(c);
    let j = 0;
    for (let h = this.qHead[q]; h !== this.qTail[q]; h++, j++) {
      ns[j] = old[h & mask];
      ng[j] = oldG[h & mask];
    }
    this.qSlot[q] = ns;
    this.qGen[q] = ng;
    this.qHead[q] = 0;
    this.qTail[q] = j;
  }
}
