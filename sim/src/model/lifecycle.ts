import { CH_PHONE } from '../config/channels.ts';
import {
  ARRIVAL, CALLBACK_OFFER, IVR_END, KIND_PRIORITY, OVERFLOW, REDIAL, SERVICE_END,
} from './event-kinds.ts';
import { M, NCH, NM } from './layout.ts';
import { findIdleAgent, findQueueFor } from './routing.ts';
import {
  CALL_IN_SERVICE, CALL_IVR, CALL_RETRY, CALL_WAITING,
  FLAG_CALLBACK, FLAG_CASE, FLAG_COMPLAINT, FLAG_MISROUTED, FLAG_REPEAT, FLAG_TRANSFERRED, type SimState,
} from './state.ts';
import { count, countAt, endAttempt, logOff, release, siteUp, unqueue } from './steps.ts';
import { ahtMultiplier } from './workforce.ts';
import { O_ABANDONED, O_BLOCKED, O_DEFLECTED, O_IVR_HANGUP } from './event-log.ts';
import { liveAnswered } from './live.ts';

/**
 * A contact's life, from its arrival to its answer or its end in the queue: one
 * function per event kind, and the steps between them. Each takes the state and
 * integers only; none allocates.
 *
 *   arrival -> [busy tone: blocked] -> [IVR: self-service | hang-up | misroute]
 *     -> [IM bot: deflected] -> queue -> [callback offered] -> answered | abandoned
 *     -> [misrouted: transfer back to the queue] -> completed
 *   blocked or abandoned -> [redial after a delay: a new attempt, same customer]
 *
 * Every attempt ends in exactly one outcome: blocked, deflected, ivrHangup,
 * answered, abandoned, lost (site failure) or unfinished (still waiting when no
 * event is left). A customer is lost when an attempt ends badly and no redial follows.
 *
 * The end of a service is in quality.ts: what follows a completed contact (a defect
 * that brings the customer back, a complaint case) starts a contact's life again, so
 * that layer sits above this one.
 */

/**
 * Schedules the next arrival of `type` after t (none past the horizon), for a rate
 * piecewise constant per interval. Each type's arrival stream is a source of the
 * calendar (its second level, type = source id): no heap push or pop per arrival.
 * Set here rather than returned: a double returned from a call that is not inlined
 * is boxed, one allocation per arrival.
 */
export function scheduleArrival(s: SimState, type: number, t: number): void {
  const L = s.cfg.intervalLength;
  // Intervals are counted from the start (i), rates from the current day's first
  // interval (dayFirst: 0 unless a live run's day repeats, see model/live.ts).
  const nI = s.cfg.nIntervals + s.dayFirst;
  const base = type * s.cfg.nIntervals - s.dayFirst;
  const stream = s.arrivalStream[type];
  // The interval of the type's last arrival, while t is still in it (t only grows):
  // no division per arrival.
  let i = t < s.arrivalEnd[type] ? s.arrivalInterval[type] : Math.floor(t / L);
  for (;;) {
    if (i >= nI) return;
    const rate = s.rates[base + i];
    const end = (i + 1) * L;
    if (rate > 0) {
      const next = t + stream.exponential(rate);
      if (next < end) {
        s.arrivalInterval[type] = i;
        s.arrivalEnd[type] = end;
        s.cal.setSource(type, next, KIND_PRIORITY[ARRIVAL], ARRIVAL);
        return;
      }
    }
    // Memorylessness: restart the clock at the interval boundary with the new rate.
    t = end;
    i = Math.floor(t / L);
  }
}

/** Group g's speed on queue q (its proficiency: 1 unless the scenario says otherwise). */
export function proficiencyOf(s: SimState, g: number, q: number): number {
  const queues = s.groupQueues[g];
  for (let k = 0; k < queues.length; k++) if (queues[k] === q) return s.groupProf[g][k];
  return 1;
}

/** A site with a free trunk line for a call landing on `site`, else -1 (busy tone). */
function siteWithLine(s: SimState, site: number): number {
  if (s.siteDown[site] === 0 && s.siteInSystem[site] < s.siteLines[site]) return site;
  for (let k = 1; k < s.nSites; k++) {
    const si = (site + k) % s.nSites;
    if (s.siteDown[si] === 0 && s.siteInSystem[si] < s.siteLines[si]) return si;
  }
  return -1;
}

/** A scheduled or injected arrival: a new customer's first attempt. */
export function onArrival(s: SimState, type: number, scheduled: boolean): void {
  if (scheduled) scheduleArrival(s, type, s.now);
  newCustomer(s, s.allocCall(), type);
}

/**
 * A contact a live run injected with an external id arrives: its slot was taken at
 * injection (CALL_RETRY until now: it holds a customer not yet in the system).
 */
export function onInjectedContact(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_RETRY) return false;
  newCustomer(s, slot, s.cType[slot]);
  return true;
}

/** A new customer of `type` in `slot` makes its first attempt now. */
function newCustomer(s: SimState, slot: number, type: number): void {
  // Customer attributes are drawn at arrival from per-type streams, whatever happens
  // to the contact, so two variants of a scenario see the same customers (CRN).
  s.cType[slot] = type;
  s.cAttempt[slot] = 1;
  s.cFlags[slot] = 0;
  s.cHandle[slot] = s.handle[type].sample(s.handleStream[type]);
  const pat = s.patience[type];
  // An if, not a conditional expression: a phi of the constant Infinity and a drawn
  // double was kept tagged by the compiler, which boxed every draw (16 bytes per arrival).
  if (pat === null) s.cPatience[slot] = Infinity;
  else s.cPatience[slot] = pat.sample(s.patienceStream[type]);
  attempt(s, slot);
}

/** An attempt (first or redial) of the customer in `slot` arrives now. */
export function attempt(s: SimState, slot: number): void {
  const now = s.now;
  const type = s.cType[slot];
  const nS = s.nSites;
  // The interval now is in (nIntervals in the drain): interval boundaries are events
  // that run before anything else of their instant, so it is the current time row.
  const row = s.timeRow;
  let landing = 0;
  if (nS > 1) {
    const u = s.routingStream.next();
    while (landing < nS - 1 && u >= s.typeSplit[type * nS + landing]) landing++;
  }
  // The site that takes the contact: where it landed, or where a site that is down or
  // out of trunk lines sends it; its counts are that site's. A call no site can take
  // (blocked everywhere) is counted at the site it called.
  const line = s.typeUsesLine[type] === 1;
  let site = line ? siteWithLine(s, landing) : siteUp(s, landing);
  const at = site < 0 ? landing : site;
  const ch = s.typeChannel[type];
  s.cArrive[slot] = now;
  s.cRow[slot] = row;
  s.cSite[slot] = at;
  // The cell's offset computed whether or not the warm-up is over: arithmetic that
  // first ran when it ended would throw away the handlers compiled during it (V8
  // compiles them with the type feedback of what has run; see countCells in state.ts).
  const typeCell = (type * nS + at) * NM;
  const cell = row >= s.warmRows ? typeCell : s.warmCell;
  const sub = row * s.subStride + (at * NCH + ch) * NM;
  s.cCell[slot] = cell;
  s.cSub[slot] = sub;
  s.cLine[slot] = -1;
  countAt(s, sub, cell, M.arrivals, 1);
  if (s.cAttempt[slot] > 1) countAt(s, sub, cell, M.retries, 1);
  else if ((s.cFlags[slot] & (FLAG_REPEAT | FLAG_COMPLAINT | FLAG_CASE)) !== 0) countAt(s, sub, cell, M.repeatArrivals, 1);
  if (line) {
    if (site < 0) {
      endAttempt(s, slot, M.blocked, O_BLOCKED, 0);
      giveUpOrRetry(s, slot);
      return;
    }
    s.cLine[slot] = site;
    s.siteInSystem[site]++;
  } else if (site < 0) site = landing;
  s.advanceAreas();
  s.inSystem++;
  s.cSite[slot] = site;
  s.cQueue[slot] = s.typeQueue[type * nS + site];
  const ivr = s.ivrTime[type];
  if (ivr !== null) {
    if (s.typeIvrWhenBusy[type] === 1 && connectedAtOnce(s, slot)) return;
    s.cState[slot] = CALL_IVR;
    s.cal.push(now + ivr.sample(s.customerStream[type]), KIND_PRIORITY[IVR_END], IVR_END, slot, s.cGen[slot]);
    return;
  }
  if (s.typeHasBot[type] === 1 && s.cAttempt[slot] === 1) {
    const bot = s.cfg.types[type].bot!;
    if (s.customerStream[type].next() < bot.deflection) {
      endAttempt(s, slot, M.deflected, O_DEFLECTED, 0);
      release(s, slot);
      return;
    }
    // The bot hands over a summary: the customer says it only once.
    s.cHandle[slot] *= 1 - bot.summarySaving;
  }
  enterQueue(s, slot, s.cQueue[slot]);
}

/**
 * An IVR taken only by callers who cannot be connected at once (ivr.onlyWhenNoAgentFree):
 * with an agent free and nobody ahead in the queue (waiting, or in such an IVR) the caller
 * is answered now (true); otherwise it counts as ahead in its queue while in the IVR.
 */
function connectedAtOnce(s: SimState, slot: number): boolean {
  const q = s.cQueue[slot];
  if (s.qLen[q] === 0 && s.qHolding[q] === 0 && findIdleAgent(s, q, 0) >= 0) {
    enterQueue(s, slot, q);
    return true;
  }
  s.qHolding[q]++;
  return false;
}

/** The caller leaves the IVR: self-service, hang-up, or on to a queue (sometimes the wrong one). */
export function onIvrEnd(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_IVR) return false;
  const type = s.cType[slot];
  const ivr = s.cfg.types[type].ivr!;
  if (s.typeIvrWhenBusy[type] === 1) s.qHolding[s.cQueue[slot]]--;
  const u = s.customerStream[type].next();
  s.advanceAreas();
  if (u < ivr.selfService) {
    endAttempt(s, slot, M.deflected, O_DEFLECTED, 0);
    release(s, slot);
    return true;
  }
  if (u < ivr.selfService + ivr.hangup) {
    endAttempt(s, slot, M.ivrHangup, O_IVR_HANGUP, 0);
    count(s, slot, M.customersLost, 1);
    release(s, slot);
    return true;
  }
  let q = s.cQueue[slot];
  if (u < ivr.selfService + ivr.hangup + ivr.misroute) {
    // A wrong menu choice: another skill's queue of the same channel at the same site;
    // its agent transfers the call. A few draws at most; no such queue, no misroute.
    const per = s.queueSite[q] >= 0 ? s.nSites : 1;
    for (let k = 0; k < 8; k++) {
      const w = Math.floor(s.routingStream.next() * s.nQueues);
      if (Math.floor(w / per) === Math.floor(q / per) || s.queueChannel[w] !== s.queueChannel[q] || s.queueSite[w] !== s.queueSite[q]) continue;
      s.cTrueQueue[slot] = q;
      s.cFlags[slot] |= FLAG_MISROUTED;
      q = w;
      break;
    }
  }
  enterQueue(s, slot, q);
  return true;
}

/** The contact reaches the agent queue (offered): an agent at once, or it waits. */
function enterQueue(s: SimState, slot: number, q: number): void {
  const now = s.now;
  s.cEnter[slot] = now;
  s.cQueue[slot] = q;
  count(s, slot, M.offered, 1);
  const agent = findIdleAgent(s, q, 0);
  if (agent >= 0) {
    answer(s, slot, agent);
    return;
  }
  wait(s, slot, q);
  const gen = s.cGen[slot];
  const patience = s.cPatience[slot];
  if (patience !== Infinity) s.scheduleAbandon(slot, gen, now + patience);
  const delays = s.queueDelays[q];
  for (let k = 0; k < delays.length; k++) {
    if (delays[k] < patience) s.cal.push(now + delays[k], KIND_PRIORITY[OVERFLOW], OVERFLOW, slot, gen);
  }
  const offerAfter = s.typeCallbackAfter[s.cType[slot]];
  if (offerAfter < patience) s.cal.push(now + offerAfter, KIND_PRIORITY[CALLBACK_OFFER], CALLBACK_OFFER, slot, gen);
}

/** Puts a contact in queue q. Areas must be advanced by the caller. */
function wait(s: SimState, slot: number, q: number): void {
  s.cState[slot] = CALL_WAITING;
  s.enqueue(q, slot);
  s.waiting++;
  if (s.queueChannel[q] === CH_PHONE && (s.cFlags[slot] & FLAG_CALLBACK) === 0) s.phoneWaiting++;
}

/**
 * Blending: deferred work waits while phone calls queue. When the phone queue has
 * shrunk, idle blended agents take what waits in the blended queues.
 */
export function wakeBlended(s: SimState): void {
  const qs = s.blendedQueues;
  for (let k = 0; k < qs.length; k++) {
    const q = qs[k];
    while (s.qLen[q] > 0) {
      const slot = s.peekQueue(q);
      if (slot < 0) break;
      const agent = findIdleAgent(s, q, s.now - s.cEnter[slot]);
      if (agent < 0) break;
      s.shiftQueue(q);
      s.waiting--;
      answer(s, slot, agent);
    }
  }
}

/** Connects a contact to an agent. Areas must be advanced to now by the caller. */
export function answer(s: SimState, slot: number, agent: number): void {
  const now = s.now;
  const flags = s.cFlags[slot];
  if ((flags & FLAG_TRANSFERRED) === 0) {
    const w = now - s.cEnter[slot];
    const sub = s.cSub[slot], cell = s.cCell[slot];
    countAt(s, sub, cell, M.answered, 1);
    if (w <= s.threshold) countAt(s, sub, cell, M.answeredWithin, 1);
    countAt(s, sub, cell, M.waitAnswered, w);
    if (w > s.typeDeadline[s.cType[slot]]) countAt(s, sub, cell, M.answeredLate, 1);
    if (s.live !== null) liveAnswered(s, slot, agent);
  }
  const g = s.aGroup[agent];
  const cap = s.groupCap[g];
  const share = s.groupShare[g];
  let service: number;
  if ((flags & FLAG_MISROUTED) !== 0) {
    // The wrong agent finds out and transfers the call.
    service = s.typeMisrouteTime[s.cType[slot]];
  } else {
    // The need, divided by the agent's speed on this queue, slowed by the contacts
    // the agent already holds, plus a transfer across sites and callback dialling.
    service = (s.cHandle[slot] / proficiencyOf(s, g, s.cQueue[slot])) * (1 + s.groupSlowdown[g] * s.aLoad[agent]);
    if (s.transferDelay > 0 && s.groupSite[g] !== s.cSite[slot]) {
      service += s.transferDelay;
      count(s, slot, M.transfers, 1);
    }
    if ((flags & FLAG_CALLBACK) !== 0) service += s.cfg.types[s.cType[slot]].callback!.dialTime;
    if (s.wf !== null) {
      service *= ahtMultiplier(s, agent);
      // One-stop complaints: the agent who receives one accepts it at once.
      if ((flags & FLAG_COMPLAINT) !== 0) service += s.wf.quality.complaintExtraHandle;
    }
  }
  s.cService[slot] = service;
  s.cStart[slot] = now;
  s.cState[slot] = CALL_IN_SERVICE;
  s.cAgent[slot] = agent;
  if (s.aLoad[agent]++ === 0) s.siteWorking[s.groupSite[g]]++;
  s.busy += share;
  s.siteBusy[s.groupSite[g]] += share;
  if (cap > 1 && s.available(agent)) {
    // Chats: the agent goes to the back of the available ring (round robin).
    s.aIdleSince[agent] = now;
    s.pushIdle(agent);
  }
  s.cal.push(now + service, KIND_PRIORITY[SERVICE_END], SERVICE_END, slot, s.cGen[slot]);
}

/** A transferred contact goes back into a queue: an agent at once, or it waits (it no longer abandons). */
export function requeue(s: SimState, slot: number, q: number): void {
  s.cQueue[slot] = q;
  const agent = findIdleAgent(s, q, s.now - s.cEnter[slot]);
  if (agent >= 0) answer(s, slot, agent);
  else wait(s, slot, q);
}

/** After a contact leaves an agent: log off if leaving and empty, else take more work. */
export function afterWork(s: SimState, agent: number): void {
  if (s.aLeaving[agent] === 1) {
    if (s.aLoad[agent] === 0) logOff(s, agent);
    return;
  }
  agentFree(s, agent);
}

/** An agent has room: take waiting contacts up to its cap, then wait in the available ring. */
export function agentFree(s: SimState, agent: number): void {
  while (s.available(agent)) {
    const q = findQueueFor(s, agent);
    if (q < 0) {
      s.aIdleSince[agent] = s.now;
      s.pushIdle(agent);
      return;
    }
    const slot = s.peekQueue(q);
    s.shiftQueue(q);
    s.waiting--;
    if (s.queueChannel[q] === CH_PHONE && (s.cFlags[slot] & FLAG_CALLBACK) === 0) s.phoneWaiting--;
    answer(s, slot, agent);
  }
}

/** An attempt ended badly (busy tone, abandonment): the customer tries again later, or is lost. */
function giveUpOrRetry(s: SimState, slot: number): void {
  const type = s.cType[slot];
  const r = s.cfg.types[type].redial;
  if (r !== undefined && s.cAttempt[slot] < r.maxAttempts) {
    const st = s.customerStream[type];
    if (st.next() < r.probability) {
      const delay = s.redialDelay[type]!.sample(st);
      if (s.cLine[slot] >= 0) s.siteInSystem[s.cLine[slot]]--;
      s.cLine[slot] = -1;
      s.cState[slot] = CALL_RETRY;
      s.cFlags[slot] = 0;
      s.cAttempt[slot]++;
      s.cGen[slot]++; // the last attempt's timers go stale
      s.cal.push(s.now + delay, KIND_PRIORITY[REDIAL], REDIAL, slot, s.cGen[slot]);
      return;
    }
  }
  count(s, slot, M.customersLost, 1);
  if (s.cLine[slot] >= 0) s.siteInSystem[s.cLine[slot]]--;
  s.freeCall(slot);
}

/** The customer calls again. */
export function onRedial(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_RETRY) return false;
  attempt(s, slot);
  return true;
}

export function onAbandon(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_WAITING || (s.cFlags[slot] & (FLAG_CALLBACK | FLAG_TRANSFERRED)) !== 0) return false;
  s.advanceAreas();
  const w = s.now - s.cEnter[slot];
  endAttempt(s, slot, M.abandoned, O_ABANDONED, 0);
  if (w <= s.cfg.threshold) count(s, slot, M.abandonedWithin, 1);
  count(s, slot, M.waitAbandoned, w);
  unqueue(s, slot);
  s.inSystem--;
  giveUpOrRetry(s, slot);
  if (s.blendedQueues.length > 0) wakeBlended(s);
  return true;
}

/** A waiting contact reached a delay after which more groups may take it. */
export function onOverflow(s: SimState, slot: number, gen: number): void {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_WAITING) return;
  const agent = findIdleAgent(s, s.cQueue[slot], s.now - s.cEnter[slot]);
  if (agent < 0) return;
  s.advanceAreas();
  unqueue(s, slot);
  answer(s, slot, agent);
}

/** A long wait: the caller is offered a callback; one who accepts hangs up and keeps the place in the queue. */
export function onCallbackOffer(s: SimState, slot: number, gen: number): void {
  if (s.cGen[slot] !== gen || s.cState[slot] !== CALL_WAITING || (s.cFlags[slot] & FLAG_CALLBACK) !== 0) return;
  const type = s.cType[slot];
  if (s.customerStream[type].next() >= s.cfg.types[type].callback!.acceptance) return;
  count(s, slot, M.callbacks, 1);
  if (s.queueChannel[s.cQueue[slot]] === CH_PHONE) s.phoneWaiting--;
  s.cFlags[slot] |= FLAG_CALLBACK;
  if (s.cLine[slot] >= 0) {
    s.siteInSystem[s.cLine[slot]]--;
    s.cLine[slot] = -1;
  }
  if (s.blendedQueues.length > 0) {
    s.advanceAreas();
    wakeBlended(s);
  }
}
