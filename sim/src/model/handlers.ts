import { ABANDON, ARRIVAL, KIND_PRIORITY, SERVICE_END, TICK } from './event-kinds.ts';
import { M, NM } from '../metrics/layout.ts';
import { findIdleAgent, findQueueFor } from './routing.ts';
import {
  AGENT_BUSY, AGENT_IDLE, AGENT_OFF, CALL_IN_SERVICE, CALL_WAITING, type SimState,
} from './state.ts';

/**
 * One function per event kind. Each takes the state and integers only; none
 * allocates. Every contact ends in exactly one outcome: blocked, answered (then
 * completed), abandoned, or unfinished (still waiting when the calendar runs dry).
 */

/** Time of the next arrival of `type` after t, for a rate piecewise constant per interval. */
export function nextArrivalTime(s: SimState, type: number, t: number): number {
  const L = s.cfg.intervalLength;
  const nI = s.cfg.nIntervals;
  const base = type * nI;
  const stream = s.arrivalStream[type];
  for (;;) {
    const i = Math.floor(t / L);
    if (i >= nI) return Infinity;
    const rate = s.rates[base + i];
    const end = (i + 1) * L;
    if (rate > 0) {
      const next = t + stream.exponential(rate);
      if (next < end) return next;
    }
    // Memorylessness: restart the clock at the interval boundary with the new rate.
    t = end;
  }
}

/** Row that call outcomes are attributed to: the arrival interval (the drain row past the horizon). */
function rowOf(s: SimState, t: number): number {
  const i = Math.floor(t / s.cfg.intervalLength);
  return i < s.cfg.nIntervals ? i : s.cfg.nIntervals;
}

export function onArrival(s: SimState, type: number, scheduled: boolean): void {
  const now = s.now;
  if (scheduled) {
    const next = nextArrivalTime(s, type, now);
    if (next !== Infinity) s.cal.push(next, KIND_PRIORITY[ARRIVAL], ARRIVAL, type, 0);
  }
  const row = rowOf(s, now);
  const r = s.rows;
  const b = row * NM;
  r[b + M.arrivals]++;
  // Customer attributes are drawn at arrival from per-type streams, blocked or not,
  // so that two variants of a scenario see the same customers (common random numbers).
  const handle = s.handle[type].sample(s.handleStream[type]);
  const pat = s.patience[type];
  const patience = pat === null ? Infinity : pat.sample(s.patienceStream[type]);
  const site = s.typeSite[type];
  if (s.siteInSystem[site] >= s.siteLines[site]) {
    r[b + M.blocked]++;
    return;
  }
  r[b + M.offered]++;
  s.advanceAreas(now);
  const slot = s.allocCall();
  s.cType[slot] = type;
  s.cArrive[slot] = now;
  s.cHandle[slot] = handle;
  s.cRow[slot] = row;
  s.cQueue[slot] = s.typeQueue[type];
  s.inSystem++;
  s.siteInSystem[site]++;
  const agent = findIdleAgent(s, s.typeQueue[type]);
  if (agent >= 0) {
    answer(s, slot, agent);
    return;
  }
  s.cState[slot] = CALL_WAITING;
  s.enqueue(s.typeQueue[type], slot);
  s.waiting++;
  if (patience !== Infinity) s.cal.push(now + patience, KIND_PRIORITY[ABANDON], ABANDON, slot, s.cGen[slot]);
}

/** Connects a call to an agent. Areas must be advanced to now by the caller. */
function answer(s: SimState, slot: number, agent: number): void {
  const now = s.now;
  const wait = now - s.cArrive[slot];
  const b = s.cRow[slot] * NM;
  const r = s.rows;
  r[b + M.answered]++;
  if (wait <= s.cfg.threshold) r[b + M.answeredWithin]++;
  r[b + M.waitAnswered] += wait;
  r[b + M.handleTime] += s.cHandle[slot];
  s.cState[slot] = CALL_IN_SERVICE;
  s.cAgent[slot] = agent;
  s.aState[agent] = AGENT_BUSY;
  s.aCall[agent] = slot;
  s.busy++;
  s.cal.push(now + s.cHandle[slot], KIND_PRIORITY[SERVICE_END], SERVICE_END, slot, s.cGen[slot]);
}

export function onServiceEnd(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen) return false;
  s.advanceAreas(s.now);
  const agent = s.cAgent[slot];
  s.busy--;
  s.inSystem--;
  s.siteInSystem[s.typeSite[s.cType[slot]]]--;
  s.freeCall(slot);
  s.aCall[agent] = -1;
  if (s.aLeaving[agent] === 1) {
    // The agent's shift ended during the call: they finish it, then go.
    s.aLeaving[agent] = 0;
    s.aState[agent] = AGENT_OFF;
    s.staffed--;
    return true;
  }
  agentFree(s, agent);
  return true;
}

/** An agent becomes available: take the next waiting call, or go idle. */
function agentFree(s: SimState, agent: number): void {
  const q = findQueueFor(s, agent);
  if (q >= 0) {
    const slot = s.peekQueue(q);
    s.shiftQueue(q);
    s.waiting--;
    answer(s, slot, agent);
    return;
  }
  s.aState[agent] = AGENT_IDLE;
  s.aIdleSince[agent] = s.now;
  s.pushIdle(agent);
}

export function onAbandon(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_WAITING) return false;
  s.advanceAreas(s.now);
  const wait = s.now - s.cArrive[slot];
  const b = s.cRow[slot] * NM;
  s.rows[b + M.abandoned]++;
  if (wait <= s.cfg.threshold) s.rows[b + M.abandonedWithin]++;
  s.rows[b + M.waitAbandoned] += wait;
  // The queue entry is left in the ring and skipped later (lazy deletion).
  s.qLen[s.cQueue[slot]]--;
  s.waiting--;
  s.inSystem--;
  s.siteInSystem[s.typeSite[s.cType[slot]]]--;
  s.freeCall(slot);
  return true;
}

/** Interval boundary: close time-weighted metrics, apply the interval's staffing. */
export function onTick(s: SimState, interval: number): void {
  s.advanceAreas(s.now);
  const nI = s.cfg.nIntervals;
  s.timeRow = interval < nI ? interval : nI;
  if (interval >= nI) return; // the horizon: staffing of the last interval works off the rest
  s.cal.push((interval + 1) * s.cfg.intervalLength, KIND_PRIORITY[TICK], TICK, interval + 1, 0);
  for (let g = 0; g < s.groupSize.length; g++) setStaffing(s, g, s.staffing[g * nI + interval]);
}

/**
 * Brings group g to `target` agents on duty. Idle agents leave at once (the most
 * recently idle first); busy ones finish their call and then leave. Agents coming on
 * duty first cancel pending departures, then log in and take waiting calls.
 */
export function setStaffing(s: SimState, g: number, target: number): void {
  const first = s.groupFirst[g], end = first + s.groupSize[g];
  let cur = s.onDuty[g];
  if (target > cur) {
    for (let a = first; a < end && cur < target; a++) {
      if (s.aLeaving[a] === 1) { s.aLeaving[a] = 0; cur++; }
    }
    for (let a = first; a < end && cur < target; a++) {
      if (s.aState[a] === AGENT_OFF) {
        s.staffed++;
        cur++;
        s.onDuty[g] = cur;
        agentFree(s, a);
      }
    }
  } else if (target < cur) {
    while (cur > target) {
      const a = s.popNewestIdle(g);
      if (a < 0) break;
      s.aState[a] = AGENT_OFF;
      s.staffed--;
      cur--;
    }
    for (let a = first; a < end && cur > target; a++) {
      if (s.aState[a] === AGENT_BUSY && s.aLeaving[a] === 0) { s.aLeaving[a] = 1; cur--; }
    }
  }
  s.onDuty[g] = cur;
}
