import { CH_PHONE } from '../config/channels.ts';
import { logEnd } from './event-log.ts';
import { liveEnded } from './live.ts';
import { AGENT_OFF, FLAG_CALLBACK, type SimState } from './state.ts';

/**
 * Shared steps: the small pieces of bookkeeping every layer of the model above this
 * one uses (counting, ending an attempt, taking a contact out of a queue, an agent or
 * the system, an agent going off duty). They read and write the state only and call
 * no handler, so the layers import them and never the other way (the layers: see
 * dispatch.ts). Each takes the state and integers only; none allocates.
 */

/**
 * Adds v to metric k of the contact's (interval, site, channel) row and its (type,
 * site) cell (for a contact of the warm-up, the row no result reads: countCells in
 * state.ts). The whole center's interval rows are summed from these when the result
 * is taken (one write less per count in the hot loop).
 */
export function count(s: SimState, slot: number, k: number, v: number): void {
  s.subRows[s.cSub[slot] + k] += v;
  s.countCells[s.cCell[slot] + k] += v;
}

/**
 * count() with the contact's offsets read by the caller (sub = cSub[slot], cell =
 * cCell[slot]): a handler counting several metrics reads them once (the compiler
 * cannot keep them across stores to another typed array, which might alias).
 */
export function countAt(s: SimState, sub: number, cell: number, k: number, v: number): void {
  s.subRows[sub + k] += v;
  s.countCells[cell + k] += v;
}


/**
 * The attempt in `slot` ends now with `outcome` (an O_* of event-log.ts): counts
 * metric k once and, when the event log is on, writes the attempt's record; in a live
 * run, an injected contact's end notice (model/live.ts). The one place where an outcome
 * is counted, logged and notified, so they cannot disagree.
 * `defect`: 1 if a completed contact carried a defect (the record's last field).
 */
export function endAttempt(s: SimState, slot: number, k: number, outcome: number, defect: number): void {
  count(s, slot, k, 1);
  if (s.log !== null) logEnd(s, slot, outcome, defect);
  if (s.live !== null) liveEnded(s, slot, outcome);
}

/** The site a contact landing on `site` is served from: itself, else the next site that is up; -1 if all are down. */
export function siteUp(s: SimState, site: number): number {
  for (let k = 0; k < s.nSites; k++) {
    const si = (site + k) % s.nSites;
    if (s.siteDown[si] === 0) return si;
  }
  return -1;
}

/** Takes a waiting contact out of the queue count (its ring entry goes stale lazily). */
export function unqueue(s: SimState, slot: number): void {
  s.qLen[s.cQueue[slot]]--;
  s.waiting--;
  if (s.queueChannel[s.cQueue[slot]] === CH_PHONE && (s.cFlags[slot] & FLAG_CALLBACK) === 0) s.phoneWaiting--;
}

/** Frees the agent's share of a contact. */
export function unload(s: SimState, agent: number): void {
  const g = s.aGroup[agent];
  const share = s.groupShare[g];
  if (--s.aLoad[agent] === 0) s.siteWorking[s.groupSite[g]]--;
  s.busy -= share;
  s.siteBusy[s.groupSite[g]] -= share;
}

/** Ends the contact in slot: frees its line and slot (its pending timers go stale). */
export function release(s: SimState, slot: number): void {
  s.inSystem--;
  const line = s.cLine[slot];
  if (line >= 0) s.siteInSystem[line]--;
  s.freeCall(slot);
}


/**
 * Agent `agent`, on duty and not leaving, goes off duty (the plan sends it home, its
 * site fails, it quits): it leaves its group's onDuty count now, and logs off at once
 * if it holds no contact, else once it has finished them (aLeaving: see afterWork).
 * The one way an agent goes off duty, so that onDuty (on duty and not leaving),
 * staffed and siteStaffed (logged on) stay consistent.
 */
export function goOffDuty(s: SimState, agent: number): void {
  s.onDuty[s.aGroup[agent]]--;
  if (s.aLoad[agent] === 0) logOff(s, agent);
  else s.aLeaving[agent] = 1;
}

/** The agent, holding no contact, logs off: no longer staffed (it left onDuty when it was sent off). */
export function logOff(s: SimState, agent: number): void {
  s.aLeaving[agent] = 0;
  s.aState[agent] = AGENT_OFF;
  s.staffed--;
  s.siteStaffed[s.groupSite[s.aGroup[agent]]]--;
}
