import { ABANDON, ARRIVAL, KIND_PRIORITY, OVERFLOW, SERVICE_END, TICK } from './event-kinds.ts';
import { M, NM } from '../metrics/layout.ts';
import { findIdleAgent, findQueueFor } from './routing.ts';
import {
  AGENT_BUSY, AGENT_IDLE, AGENT_OFF, CALL_IN_SERVICE, CALL_WAITING, type SimState,
} from './state.ts';

/**
 * One function per event kind. Each takes the state and integers only; none
 * allocates. Every arrival ends in exactly one outcome: blocked, answered,
 * abandoned, lost (site failure) or unfinished (still waiting when no event is left).
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

/** Adds v to metric k of the call's arrival row and of its (type, site) cell. */
function count(s: SimState, slot: number, k: number, v: number): void {
  s.rows[s.cRow[slot] * NM + k] += v;
  const c = s.cCell[slot];
  if (c >= 0) s.cells[c * NM + k] += v;
}

/** A site with a free line for a call landing on `site`: itself, else the next site up. -1: blocked. */
function siteWithLine(s: SimState, site: number): number {
  const n = s.nSites;
  for (let k = 0; k < n; k++) {
    const si = (site + k) % n;
    if (s.siteDown[si] === 0 && s.siteInSystem[si] < s.siteLines[si]) return si;
    // With a site up but its lines full, a call is blocked only if no other site has room.
  }
  return -1;
}

export function onArrival(s: SimState, type: number, scheduled: boolean): void {
  const now = s.now;
  if (scheduled) {
    const next = nextArrivalTime(s, type, now);
    if (next !== Infinity) s.cal.push(next, KIND_PRIORITY[ARRIVAL], ARRIVAL, type, 0);
  }
  const L = s.cfg.intervalLength;
  const i = Math.floor(now / L);
  const row = i < s.cfg.nIntervals ? i : s.cfg.nIntervals;
  // Customer attributes are drawn at arrival from per-type streams, blocked or not,
  // so that two variants of a scenario see the same customers (common random numbers).
  const handle = s.handle[type].sample(s.handleStream[type]);
  const pat = s.patience[type];
  const patience = pat === null ? Infinity : pat.sample(s.patienceStream[type]);
  const nS = s.nSites;
  let landing = 0;
  if (nS > 1) {
    const u = s.routingStream.next();
    while (landing < nS - 1 && u >= s.typeSplit[type * nS + landing]) landing++;
  }
  const cell = row >= s.warmRows ? (type * nS + landing) * NM : -1;
  s.rows[row * NM + M.arrivals]++;
  if (cell >= 0) s.cells[cell + M.arrivals]++;
  const site = siteWithLine(s, landing);
  if (site < 0) {
    s.rows[row * NM + M.blocked]++;
    if (cell >= 0) s.cells[cell + M.blocked]++;
    return;
  }
  s.advanceAreas(now);
  const slot = s.allocCall();
  s.cType[slot] = type;
  s.cArrive[slot] = now;
  s.cHandle[slot] = handle;
  s.cRow[slot] = row;
  s.cSite[slot] = site;
  s.cCell[slot] = row >= s.warmRows ? type * nS + landing : -1;
  const q = s.typeQueue[type * nS + site];
  s.cQueue[slot] = q;
  count(s, slot, M.offered, 1);
  s.inSystem++;
  s.siteInSystem[site]++;
  const agent = findIdleAgent(s, q, 0);
  if (agent >= 0) {
    answer(s, slot, agent);
    return;
  }
  s.cState[slot] = CALL_WAITING;
  s.enqueue(q, slot);
  s.waiting++;
  const gen = s.cGen[slot];
  if (patience !== Infinity) s.cal.push(now + patience, KIND_PRIORITY[ABANDON], ABANDON, slot, gen);
  const delays = s.queueDelays[q];
  for (let k = 0; k < delays.length; k++) {
    if (delays[k] < patience) s.cal.push(now + delays[k], KIND_PRIORITY[OVERFLOW], OVERFLOW, slot, gen);
  }
}

/** Connects a call to an agent. Areas must be advanced to now by the caller. */
function answer(s: SimState, slot: number, agent: number): void {
  const now = s.now;
  const wait = now - s.cArrive[slot];
  count(s, slot, M.answered, 1);
  if (wait <= s.cfg.threshold) count(s, slot, M.answeredWithin, 1);
  count(s, slot, M.waitAnswered, wait);
  // Handle time: the caller's need, divided by the agent's speed on this queue, plus
  // a transfer when the agent sits at another site than the call's line (local mode).
  const g = s.aGroup[agent];
  const q = s.cQueue[slot];
  const queues = s.groupQueues[g];
  let prof = 1;
  for (let k = 0; k < queues.length; k++) if (queues[k] === q) { prof = s.groupProf[g][k]; break; }
  let handle = s.cHandle[slot] / prof;
  const site = s.groupSite[g];
  if (s.transferDelay > 0 && site !== s.cSite[slot]) {
    handle += s.transferDelay;
    count(s, slot, M.transfers, 1);
  }
  s.cHandle[slot] = handle;
  s.cState[slot] = CALL_IN_SERVICE;
  s.cAgent[slot] = agent;
  s.aState[agent] = AGENT_BUSY;
  s.aCall[agent] = slot;
  s.busy++;
  s.siteBusy[site]++;
  s.cal.push(now + handle, KIND_PRIORITY[SERVICE_END], SERVICE_END, slot, s.cGen[slot]);
}

/** Ends the call in slot: frees its line and slot. */
function release(s: SimState, slot: number): void {
  s.inSystem--;
  s.siteInSystem[s.cSite[slot]]--;
  s.freeCall(slot);
}

export function onServiceEnd(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen) return false;
  s.advanceAreas(s.now);
  const agent = s.cAgent[slot];
  count(s, slot, M.completed, 1);
  count(s, slot, M.handleTime, s.cHandle[slot]);
  s.busy--;
  s.siteBusy[s.groupSite[s.aGroup[agent]]]--;
  release(s, slot);
  s.aCall[agent] = -1;
  if (s.aLeaving[agent] === 1) {
    // The agent's shift ended (or the site failed) during the call: they finish it, then go.
    logOff(s, agent);
    return true;
  }
  agentFree(s, agent);
  return true;
}

function logOff(s: SimState, agent: number): void {
  s.aLeaving[agent] = 0;
  s.aState[agent] = AGENT_OFF;
  s.staffed--;
  s.siteStaffed[s.groupSite[s.aGroup[agent]]]--;
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

/** Takes a waiting call out of its queue (lazily: the ring entry goes stale). */
function unqueue(s: SimState, slot: number): void {
  s.qLen[s.cQueue[slot]]--;
  s.waiting--;
}

export function onAbandon(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_WAITING) return false;
  s.advanceAreas(s.now);
  const wait = s.now - s.cArrive[slot];
  count(s, slot, M.abandoned, 1);
  if (wait <= s.cfg.threshold) count(s, slot, M.abandonedWithin, 1);
  count(s, slot, M.waitAbandoned, wait);
  unqueue(s, slot);
  release(s, slot);
  return true;
}

/** A waiting call reached a delay after which more groups may take it. */
export function onOverflow(s: SimState, slot: number, gen: number): void {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_WAITING) return;
  const agent = findIdleAgent(s, s.cQueue[slot], s.now - s.cArrive[slot]);
  if (agent < 0) return;
  s.advanceAreas(s.now);
  unqueue(s, slot);
  answer(s, slot, agent);
}

/** Interval boundary: close time-weighted metrics, apply the interval's staffing. */
export function onTick(s: SimState, interval: number): void {
  s.advanceAreas(s.now);
  const nI = s.cfg.nIntervals;
  s.timeRow = interval < nI ? interval : nI;
  if (interval >= nI) return; // the horizon: staffing of the last interval works off the rest
  s.cal.push((interval + 1) * s.cfg.intervalLength, KIND_PRIORITY[TICK], TICK, interval + 1, 0);
  for (let g = 0; g < s.groupSize.length; g++) {
    setStaffing(s, g, s.siteDown[s.groupSite[g]] === 1 ? 0 : s.staffing[g * nI + interval]);
  }
}

/**
 * Brings group g to `target` agents on duty. Idle agents leave at once (the most
 * recently idle first); busy ones finish their call and then leave. Agents coming on
 * duty first cancel pending departures, then log in and take waiting calls.
 */
export function setStaffing(s: SimState, g: number, target: number): void {
  const first = s.groupFirst[g], end = first + s.groupSize[g];
  const site = s.groupSite[g];
  let cur = s.onDuty[g];
  if (target > cur) {
    for (let a = first; a < end && cur < target; a++) {
      if (s.aLeaving[a] === 1) { s.aLeaving[a] = 0; cur++; }
    }
    for (let a = first; a < end && cur < target; a++) {
      if (s.aState[a] === AGENT_OFF) {
        s.staffed++;
        s.siteStaffed[site]++;
        cur++;
        agentFree(s, a);
      }
    }
  } else if (target < cur) {
    while (cur > target) {
      const a = s.popNewestIdle(g);
      if (a < 0) break;
      s.aState[a] = AGENT_OFF;
      s.staffed--;
      s.siteStaffed[site]--;
      cur--;
    }
    for (let a = first; a < end && cur > target; a++) {
      if (s.aState[a] === AGENT_BUSY && s.aLeaving[a] === 0) { s.aLeaving[a] = 1; cur--; }
    }
  }
  s.onDuty[g] = cur;
}

/**
 * A site fails: its lines and agents are gone. Calls in service there are dropped
 * or finished (then the agent goes); calls holding its lines while waiting move to
 * another site's lines or are lost; new arrivals land on the other sites.
 */
export function onSiteDown(s: SimState, failure: number): void {
  const f = s.cfg.failures![failure];
  const site = f.site;
  s.advanceAreas(s.now);
  s.siteDown[site] = 1;
  for (let g = 0; g < s.groupSize.length; g++) {
    if (s.groupSite[g] !== site) continue;
    const first = s.groupFirst[g], end = first + s.groupSize[g];
    for (let a = first; a < end; a++) {
      if (s.aState[a] === AGENT_IDLE) {
        s.aState[a] = AGENT_OFF;
        s.staffed--;
        s.siteStaffed[site]--;
      } else if (s.aState[a] === AGENT_BUSY) {
        if (f.inService === 'drop') {
          const slot = s.aCall[a];
          // Cut off mid-call: answered, never completed (AHT counts completed calls only).
          count(s, slot, M.dropped, 1);
          s.busy--;
          s.siteBusy[site]--;
          release(s, slot); // bumps the generation: its service end goes stale
          s.aCall[a] = -1;
          s.aLeaving[a] = 0;
          s.aState[a] = AGENT_OFF;
          s.staffed--;
          s.siteStaffed[site]--;
        } else {
          s.aLeaving[a] = 1;
        }
      }
    }
    s.onDuty[g] = 0;
  }
  // Waiting calls that hold this site's lines.
  for (let slot = 0; slot < s.nSlots; slot++) {
    if (s.cState[slot] !== CALL_WAITING || s.cSite[slot] !== site) continue;
    if (f.waiting === 'lose') {
      count(s, slot, M.lost, 1);
      unqueue(s, slot);
      release(s, slot);
      continue;
    }
    let to = -1;
    for (let k = 1; k < s.nSites; k++) {
      const si = (site + k) % s.nSites;
      if (s.siteDown[si] === 0) { to = si; break; }
    }
    if (to < 0) {
      count(s, slot, M.lost, 1);
      unqueue(s, slot);
      release(s, slot);
      continue;
    }
    s.siteInSystem[site]--;
    s.siteInSystem[to]++;
    s.cSite[slot] = to;
    // In local mode the call's queue belongs to the failed site, whose delay is now 0:
    // idle agents elsewhere may take it at once.
    const agent = findIdleAgent(s, s.cQueue[slot], s.now - s.cArrive[slot]);
    if (agent >= 0) {
      unqueue(s, slot);
      answer(s, slot, agent);
    }
  }
}

/** The site recovers: lines come back and its groups return to the interval's staffing. */
export function onSiteUp(s: SimState, failure: number): void {
  const site = s.cfg.failures![failure].site;
  s.advanceAreas(s.now);
  s.siteDown[site] = 0;
  const nI = s.cfg.nIntervals;
  const i = Math.min(Math.floor(s.now / s.cfg.intervalLength), nI - 1);
  for (let g = 0; g < s.groupSize.length; g++) {
    if (s.groupSite[g] === site) setStaffing(s, g, s.staffing[g * nI + i]);
  }
}
