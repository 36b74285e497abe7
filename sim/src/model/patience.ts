import { AgentRings, type AgentShape } from './agents.ts';
import { CALL_WAITING } from './contacts.ts';
import { ABANDON, ABANDON_ARM, KIND_PRIORITY } from './event-kinds.ts';

/**
 * Seconds a caller waits before the abandonment timer is put in the calendar (the
 * patience lane): most callers who wait are answered well within it, and their timers
 * would only have gone stale in the heap. A patience at most this long is scheduled at once.
 */
export const ABANDON_ARM_AFTER = 30;

/** Entries the lane starts with (a power of two); a full lane doubles. */
export const INITIAL_LANE = 256;

export type PatienceShape = AgentShape;

/**
 * The patience lane: abandonment timers not yet in the calendar, a FIFO ring (arm
 * times are entry times + ABANDON_ARM_AFTER, so they come in order); the calendar
 * source `laneSource` holds the head's arm time. Each keeps the order key reserved at
 * queue entry, so an armed timer pops exactly where it would have, had it been pushed
 * at once: the lane changes no result, only how many timers go stale in the heap.
 */
export class PatienceLane extends AgentRings {
  /** the lane's calendar source: after the types' arrival streams */
  readonly laneSource: number;
  /** arm time, abandonment deadline, reserved order key, slot and generation of each timer */
  lAt: Float64Array;
  lDeadline: Float64Array;
  lOrd: Float64Array;
  lSlot: Int32Array;
  lGen: Int32Array;
  lHead = 0;
  lTail = 0;

  constructor(shape: PatienceShape) {
    super(shape);
    this.laneSource = shape.nTypes;
    this.lAt = new Float64Array(INITIAL_LANE);
    this.lDeadline = new Float64Array(INITIAL_LANE);
    this.lOrd = new Float64Array(INITIAL_LANE);
    this.lSlot = new Int32Array(INITIAL_LANE);
    this.lGen = new Int32Array(INITIAL_LANE);
  }

  /**
   * Schedules the abandonment of the waiting contact in `slot` at `deadline`: at once
   * if it is near, else through the patience lane (armed only if still waiting then).
   */
  scheduleAbandon(slot: number, gen: number, deadline: number): void {
    if (deadline - this.now <= ABANDON_ARM_AFTER) {
      this.cal.push(deadline, KIND_PRIORITY[ABANDON], ABANDON, slot, gen);
      return;
    }
    const ord = this.cal.reserve(KIND_PRIORITY[ABANDON]);
    if (this.lTail - this.lHead === this.lAt.length) this.growLane();
    const i = this.lTail & (this.lAt.length - 1);
    const at = this.now + ABANDON_ARM_AFTER;
    this.lAt[i] = at;
    this.lDeadline[i] = deadline;
    this.lOrd[i] = ord;
    this.lSlot[i] = slot;
    this.lGen[i] = gen;
    if (this.lTail++ === this.lHead) this.cal.setSource(this.laneSource, at, KIND_PRIORITY[ABANDON_ARM], ABANDON_ARM);
  }

  /**
   * The lane's head is due: timers of contacts still waiting go into the calendar,
   * those due within the next half delay too (one calendar event per batch; they have
   * waited at least half the delay).
   */
  armAbandons(): void {
    const mask = this.lAt.length - 1;
    const until = this.now + ABANDON_ARM_AFTER / 2;
    while (this.lHead !== this.lTail) {
      const i = this.lHead & mask;
      if (this.lAt[i] > until) {
        this.cal.setSource(this.laneSource, this.lAt[i], KIND_PRIORITY[ABANDON_ARM], ABANDON_ARM);
        return;
      }
      this.lHead++;
      // Answered meanwhile: it can only wait again as a transfer, which never abandons.
      const slot = this.lSlot[i], gen = this.lGen[i];
      if (this.cGen[slot] === gen && this.cState[slot] === CALL_WAITING) this.cal.pushOrdered(this.lDeadline[i], this.lOrd[i], ABANDON, slot, gen);
    }
  }

  private growLane(): void {
    const old = this.lAt.length, mask = old - 1, c = old * 2;
    const at = new Float64Array(c), dl = new Float64Array(c), ord = new Float64Array(c), sl = new Int32Array(c), gn = new Int32Array(c);
    let j = 0;
    for (let h = this.lHead; h !== this.lTail; h++, j++) {
      const i = h & mask;
      at[j] = this.lAt[i]; dl[j] = this.lDeadline[i]; ord[j] = this.lOrd[i]; sl[j] = this.lSlot[i]; gn[j] = this.lGen[i];
    }
    this.lAt = at; this.lDeadline = dl; this.lOrd = ord; this.lSlot = sl; this.lGen = gn;
    this.lHead = 0;
    this.lTail = j;
  }
}
