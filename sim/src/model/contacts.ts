import { Clock, type ClockShape } from './clock.ts';

export const CALL_FREE = 0;
export const CALL_WAITING = 1;
export const CALL_IN_SERVICE = 2;
export const CALL_IVR = 3;
/** waiting to try again (redial): the slot keeps the customer between attempts */
export const CALL_RETRY = 4;

/** cFlags bits */
export const FLAG_CALLBACK = 1;
export const FLAG_MISROUTED = 2;
/** answered once already (a misrouted call back in the queue after its transfer) */
export const FLAG_TRANSFERRED = 4;
/** a repeat contact caused by a defect (rework) */
export const FLAG_REPEAT = 8;
/** a complaint contact caused by a defect: the agent accepts it at once, then a case opens */
export const FLAG_COMPLAINT = 16;
/** a complaint case worked by the complaint team */
export const FLAG_CASE = 32;

/** Slots a replication starts with; the arrays double when they are all taken. */
export const INITIAL_SLOTS = 1024;

export type ContactShape = ClockShape;

/**
 * Contact slots: the contacts in the system as structures of arrays indexed by slot.
 * Slots are recycled, last freed first taken; a slot's generation (cGen) is bumped
 * when it is freed, which makes any timer or ring entry still pointing at it stale
 * (the calendar and the rings never search). When no slot is free the arrays double,
 * keeping their contents; a handler must read an array from the state again after
 * allocCall (it may be a new one).
 */
export class ContactSlots extends Clock {
  cType: Int32Array;
  cGen: Int32Array;
  cState: Uint8Array;
  cFlags: Uint8Array;
  /** arrival time of this attempt */
  cArrive: Float64Array;
  /** time the contact entered the agent queue (waits count from here) */
  cEnter: Float64Array;
  /** the customer's need, seconds at proficiency 1 */
  cHandle: Float64Array;
  /** length of the current service (need / speed, slowdown, transfers, dialling) */
  cService: Float64Array;
  /** when the current service started */
  cStart: Float64Array;
  cRow: Int32Array;
  cAgent: Int32Array;
  cQueue: Int32Array;
  /** the queue a misrouted call belongs in */
  cTrueQueue: Int32Array;
  /** the site that took the contact: where it landed, or where a site down or out of lines sent it */
  cSite: Int32Array;
  /** site whose trunk line the call holds, -1 if none */
  cLine: Int32Array;
  /** offset in `cells` of the (type * nSites + site) cell its outcome counts in; warmCell (state.ts) if it arrived in the warm-up */
  cCell: Int32Array;
  /** subRows offset of its (row, site, channel) */
  cSub: Int32Array;
  cAttempt: Int32Array;
  cPatience: Float64Array;
  /** freed slots, a stack: freeSlots[0 .. nFree) */
  freeSlots: Int32Array;
  nFree = 0;
  /** slots ever taken: slots nSlots .. are fresh */
  nSlots = 0;

  constructor(shape: ContactShape) {
    super(shape);
    const cap = INITIAL_SLOTS;
    this.cType = new Int32Array(cap);
    this.cGen = new Int32Array(cap);
    this.cState = new Uint8Array(cap);
    this.cFlags = new Uint8Array(cap);
    this.cArrive = new Float64Array(cap);
    this.cEnter = new Float64Array(cap);
    this.cHandle = new Float64Array(cap);
    this.cService = new Float64Array(cap);
    this.cStart = new Float64Array(cap);
    this.cRow = new Int32Array(cap);
    this.cAgent = new Int32Array(cap);
    this.cQueue = new Int32Array(cap);
    this.cTrueQueue = new Int32Array(cap);
    this.cSite = new Int32Array(cap);
    this.cLine = new Int32Array(cap);
    this.cCell = new Int32Array(cap);
    this.cSub = new Int32Array(cap);
    this.cAttempt = new Int32Array(cap);
    this.cPatience = new Float64Array(cap);
    this.freeSlots = new Int32Array(cap);
  }

  /** Takes a free slot, growing the arrays by doubling when none is left. */
  allocCall(): number {
    if (this.nFree > 0) return this.freeSlots[--this.nFree];
    if (this.nSlots === this.cType.length) this.growCalls();
    return this.nSlots++;
  }

  freeCall(slot: number): void {
    this.cState[slot] = CALL_FREE;
    this.cFlags[slot] = 0;
    this.cGen[slot]++;
    this.freeSlots[this.nFree++] = slot;
  }

  private growCalls(): void {
    const c = this.cType.length * 2;
    const gi = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    const gf = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    const gu = (a: Uint8Array) => { const b = new Uint8Array(c); b.set(a); return b; };
    this.cType = gi(this.cType);
    this.cGen = gi(this.cGen);
    this.cState = gu(this.cState);
    this.cFlags = gu(this.cFlags);
    this.cArrive = gf(this.cArrive);
    this.cEnter = gf(this.cEnter);
    this.cHandle = gf(this.cHandle);
    this.cService = gf(this.cService);
    this.cStart = gf(this.cStart);
    this.cRow = gi(this.cRow);
    this.cAgent = gi(this.cAgent);
    this.cQueue = gi(this.cQueue);
    this.cTrueQueue = gi(this.cTrueQueue);
    this.cSite = gi(this.cSite);
    this.cLine = gi(this.cLine);
    this.cCell = gi(this.cCell);
    this.cSub = gi(this.cSub);
    this.cAttempt = gi(this.cAttempt);
    this.cPatience = gf(this.cPatience);
    this.freeSlots = gi(this.freeSlots);
  }
}
