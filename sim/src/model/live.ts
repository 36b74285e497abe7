import { NM } from './layout.ts';
import { O_ABANDONED, O_COMPLETED, O_DROPPED, O_LOST, O_TRANSFERRED, O_UNFINISHED } from './event-log.ts';
import type { SimState } from './state.ts';

/**
 * The model's side of a live run (engine/live-run.ts): what a replication driven from
 * outside keeps beyond a batch run. SimState holds it in `live` (null in a batch run:
 * then the hooks below are never called, one null check at an answer and at an
 * attempt's end).
 *
 *   - injected contacts: per slot, whether it holds a contact injected with an external
 *     id whose first attempt has not ended yet, and that id (arrays of their own, grown
 *     on demand: the contact-slot block of SimState is not touched);
 *   - notices: one record per answer and per end of an injected contact, written by the
 *     model into a preallocated Float64Array (see NOTICE_FIELDS), drained by the engine;
 *   - staffing overrides per group (-1: the plan), read by staffing.ts's staffingTarget;
 *   - the open-ended modes: arrivals from outside only, and the day repeating, with the
 *     previous day's metric blocks kept at each rollover (staffing.ts's newDay).
 *
 * An injected contact is its first attempt: it is answered at most once (its first
 * answer: a transfer back to the queue is not a new answer) and ends exactly once, with
 * the outcome of that attempt (blocked, deflected, ivrHangup, abandoned, lost,
 * completed, dropped; unfinished when the run is finished with it still waiting). What
 * follows in the model (a redial, a rework or complaint contact) is the model's own and
 * is not reported.
 */

/** Notice kinds (field `kind`). */
export const NOTICE_ANSWERED = 1;
export const NOTICE_ENDED = 2;
/**
 * Fields of a notice, in order (Float64Array records of NOTICE_STRIDE doubles):
 *   kind        NOTICE_ANSWERED or NOTICE_ENDED
 *   externalId  the id given at injection
 *   type, slot  the contact's type and slot
 *   time        simulation seconds of the answer or the end
 *   wait        seconds from queue entry to the answer; in an end record, the answer's
 *               wait if it was answered, the time it waited if it left the queue
 *               unanswered (abandoned, lost, unfinished), -1 if it never queued
 *   group       the answering agent's group; in an end record, the group of the agent
 *               that finished it (after a transfer, the agent it went to); -1 in the end
 *               record of a contact no agent served
 *   site        the site of that agent's group; in the end record of a contact no agent
 *               served, the site that took it
 *   outcome     ended: an O_* code of event-log.ts (OUTCOMES); answered: -1
 */
export const NOTICE_FIELDS = ['kind', 'externalId', 'type', 'slot', 'time', 'wait', 'group', 'site', 'outcome'] as const;
export const NOTICE_STRIDE = NOTICE_FIELDS.length;

export interface LiveOptions {
  nGroups: number;
  /** notices that make the engine stop advancing until they are drained */
  noticeLimit: number;
  /** the model's arrival streams are off: contacts come only from outside */
  externalArrivals: boolean;
  /** the day repeats: the clock runs past the horizon */
  repeat: boolean;
  /** lengths of the metric blocks kept from the previous day (repeat) */
  blocks: readonly number[];
}

export class LiveState {
  /** per slot: 1 while it holds an injected contact whose first attempt has not ended */
  tracked: Uint8Array;
  /** per slot: the injected contact's external id */
  externalId: Float64Array;
  /** per slot: the injected contact's answer wait, -1 until answered */
  answerWait: Float64Array;

  /** the notice buffer: `nNotices` records from 0; grows (doubling) if one slice writes past its end */
  notices: Float64Array;
  nNotices = 0;
  readonly noticeLimit: number;

  /** agents on duty per group replacing the plan, -1: the plan (staffing.ts) */
  readonly staffOverride: Int32Array;

  readonly externalArrivals: boolean;
  readonly repeat: boolean;
  /** days completed (repeat): the current day is day `day` (0 = the first) */
  day = 0;
  /** the previous day's metric blocks (rows, subRows, cells, siteRows, tenureRows, headRows), kept at a rollover */
  readonly prevBlocks: Float64Array[];
  /** per metric: the counts of all days before the current one, summed over their rows (snapshot counters) */
  readonly before: Float64Array;

  constructor(o: LiveOptions) {
    const c = 1024;
    this.tracked = new Uint8Array(c);
    this.externalId = new Float64Array(c);
    this.answerWait = new Float64Array(c);
    this.noticeLimit = Math.max(1, o.noticeLimit | 0);
    this.notices = new Float64Array(this.noticeLimit * 2 * NOTICE_STRIDE);
    this.staffOverride = new Int32Array(o.nGroups).fill(-1);
    this.externalArrivals = o.externalArrivals;
    this.repeat = o.repeat;
    this.prevBlocks = o.repeat ? o.blocks.map((n) => new Float64Array(n)) : [];
    this.before = new Float64Array(NM);
  }

  /** Starts tracking the contact injected in `slot` (outside the event loop: may grow the arrays). */
  track(slot: number, externalId: number): void {
    if (slot >= this.tracked.length) {
      let c = this.tracked.length;
      while (c <= slot) c *= 2;
      const t = new Uint8Array(c), e = new Float64Array(c), w = new Float64Array(c);
      t.set(this.tracked); e.set(this.externalId); w.set(this.answerWait);
      this.tracked = t; this.externalId = e; this.answerWait = w;
    }
    this.tracked[slot] = 1;
    this.externalId[slot] = externalId;
    this.answerWait[slot] = -1;
  }

  /** Offset of a new notice record (the buffer doubles if full: a burst in one slice, never a lost record). */
  reserve(): number {
    const b = this.nNotices * NOTICE_STRIDE;
    if (b + NOTICE_STRIDE > this.notices.length) {
      const n = new Float64Array(this.notices.length * 2);
      n.set(this.notices);
      this.notices = n;
    }
    this.nNotices++;
    return b;
  }
}

/**
 * The contact in `slot` is answered by `agent` (its first answer; called from
 * lifecycle.ts's answer when `s.live` is set). Integers only as arguments: a double
 * passed to a call that is not inlined would be boxed.
 */
export function liveAnswered(s: SimState, slot: number, agent: number): void {
  const l = s.live!;
  if (slot >= l.tracked.length || l.tracked[slot] === 0) return;
  const w = s.now - s.cEnter[slot];
  l.answerWait[slot] = w;
  const g = s.aGroup[agent];
  const b = l.reserve();
  const d = l.notices;
  d[b] = NOTICE_ANSWERED;
  d[b + 1] = l.externalId[slot];
  d[b + 2] = s.cType[slot];
  d[b + 3] = slot;
  d[b + 4] = s.now;
  d[b + 5] = w;
  d[b + 6] = g;
  d[b + 7] = s.groupSite[g];
  d[b + 8] = -1;
}

/**
 * The attempt in `slot` ends now with `outcome` (called from steps.ts's endAttempt
 * when `s.live` is set, and by the engine for contacts unfinished at the end). A
 * transfer is not an end. The slot stops being tracked: one end per injected contact.
 * `queued` 0: it never queued (unfinished in the IVR when a live run is stopped).
 */
export function liveEnded(s: SimState, slot: number, outcome: number, queued = 1): void {
  const l = s.live!;
  if (outcome === O_TRANSFERRED || slot >= l.tracked.length || l.tracked[slot] === 0) return;
  l.tracked[slot] = 0;
  const served = outcome === O_COMPLETED || outcome === O_DROPPED;
  const left = outcome === O_ABANDONED || outcome === O_LOST || outcome === O_UNFINISHED;
  const aw = l.answerWait[slot];
  const b = l.reserve();
  const d = l.notices;
  d[b] = NOTICE_ENDED;
  d[b + 1] = l.externalId[slot];
  d[b + 2] = s.cType[slot];
  d[b + 3] = slot;
  d[b + 4] = s.now;
  if (aw >= 0) d[b + 5] = aw;
  else if (left && queued === 1) d[b + 5] = s.now - s.cEnter[slot];
  else d[b + 5] = -1;
  const g = served ? s.aGroup[s.cAgent[slot]] : -1;
  d[b + 6] = g;
  d[b + 7] = g >= 0 ? s.groupSite[g] : s.cSite[slot];
  d[b + 8] = outcome;
}
