import { M } from './layout.ts';
import { KIND_PRIORITY, REDIAL, WRAP_END } from './event-kinds.ts';
import type { Sampler } from '../core/distributions.ts';
import { CALL_RETRY, FLAG_CASE, FLAG_COMPLAINT, FLAG_MISROUTED, FLAG_REPEAT, FLAG_TRANSFERRED, type SimState } from './state.ts';
import { count, endAttempt, release, unload } from './steps.ts';
import { ahtMultiplier, countTenure, defectProbability } from './workforce.ts';
import { afterWork, attempt, proficiencyOf, requeue, wakeBlended } from './lifecycle.ts';
import { O_COMPLETED, O_TRANSFERRED } from './event-log.ts';

/**
 * The end of a service and the quality loop after it: a misrouted call is
 * transferred; any other contact is complete, may carry a defect, and a defect may
 * bring the customer back (rework) or become a complaint, whose case the complaint
 * team works and replies to. A contact coming back enters through lifecycle.ts's
 * attempt(), which is why this layer sits above the contact's life.
 */

export function onServiceEnd(s: SimState, slot: number, gen: number): boolean {
  if (s.cGen[slot] !== gen) return false;
  s.advanceAreas();
  const agent = s.cAgent[slot];
  const wrap = (s.cFlags[slot] & FLAG_MISROUTED) === 0 ? s.wrapUp[s.cType[slot]] : null;
  if (wrap !== null) return endBeforeWrap(s, slot, agent, wrap);
  unload(s, agent);
  if ((s.cFlags[slot] & FLAG_MISROUTED) !== 0) {
    // Transferred to the right queue; it keeps its place by its first queue entry.
    endAttempt(s, slot, M.transfers, O_TRANSFERRED, 0);
    s.cFlags[slot] = (s.cFlags[slot] & ~FLAG_MISROUTED) | FLAG_TRANSFERRED;
    requeue(s, slot, s.cTrueQueue[slot]);
  } else {
    count(s, slot, M.handleTime, s.cService[slot]);
    if (s.wf === null) {
      endAttempt(s, slot, M.completed, O_COMPLETED, 0);
      release(s, slot);
    } else finishWithQuality(s, slot, agent, 0);
  }
  afterWork(s, agent);
  if (s.blendedQueues.length > 0) wakeBlended(s);
  return true;
}

/**
 * A completed contact of a type with after-call work: the customer is gone (the
 * contact completes, its line and slot are freed, the quality loop runs as without
 * wrap-up), but the agent keeps the contact's share of its capacity, busy, for the
 * wrap-up drawn now from the type's own stream (`wrap/<type>`) at the agent's pace
 * (proficiency, and the learning curve and fatigue of a workforce), until WRAP_END.
 * Handle time counts talk + wrap; wrapTime the wrap alone. Not for a misrouted
 * call's transfer (no wrap-up: onServiceEnd takes it).
 */
function endBeforeWrap(s: SimState, slot: number, agent: number, wrapUp: Sampler): boolean {
  // The agent's own pace, as for the talk: its proficiency on the contact's queue and,
  // with a workforce, its learning curve and fatigue (a new agent's notes take longer too).
  let wrap = wrapUp.sample(s.wrapStream[s.cType[slot]]!) / proficiencyOf(s, s.aGroup[agent], s.cQueue[slot]);
  if (s.wf !== null) wrap *= ahtMultiplier(s, agent);
  s.aWrap[agent]++;
  count(s, slot, M.handleTime, s.cService[slot] + wrap);
  count(s, slot, M.wrapTime, wrap);
  if (s.wf === null) {
    endAttempt(s, slot, M.completed, O_COMPLETED, 0);
    release(s, slot);
  } else finishWithQuality(s, slot, agent, wrap);
  s.cal.push(s.now + wrap, KIND_PRIORITY[WRAP_END], WRAP_END, agent, s.aWrapGen[agent]);
  if (s.blendedQueues.length > 0) wakeBlended(s);
  return true;
}

/**
 * The agent's after-call work of one contact ends: its share of the agent is free,
 * and the agent takes more work (or logs off, if it was sent off duty meanwhile).
 * Stale (false) when a site failure cut the agent's wrap-ups (aWrapGen moved on).
 */
export function onWrapEnd(s: SimState, agent: number, gen: number): boolean {
  if (s.aWrapGen[agent] !== gen) return false;
  s.advanceAreas();
  s.aWrap[agent]--;
  unload(s, agent);
  afterWork(s, agent);
  if (s.blendedQueues.length > 0) wakeBlended(s);
  return true;
}

/**
 * A completed contact (counted and logged here) and the quality loop: it may carry
 * a defect (learning curve, hour, fatigue); a defect comes back as a repeat contact
 * (rework) or a complaint, or goes unnoticed. A complaint contact opens a case for
 * the complaint team; a finished case is the reply, on time or late, with its
 * compensation.
 */
function finishWithQuality(s: SimState, slot: number, agent: number, wrap: number): void {
  const wf = s.wf!;
  const flags = s.cFlags[slot];
  if ((flags & FLAG_CASE) !== 0) {
    endAttempt(s, slot, M.completed, O_COMPLETED, 0);
    replyToComplaint(s, slot);
    release(s, slot);
    return;
  }
  const q = s.qualityStream;
  const defect = q.next() < defectProbability(s, agent) ? 1 : 0;
  countTenure(s, agent, s.cService[slot] + wrap, defect);
  endAttempt(s, slot, M.completed, O_COMPLETED, defect);
  if ((flags & FLAG_COMPLAINT) !== 0 && wf.complaints !== null) openCase(s, slot);
  if (defect === 0) {
    release(s, slot);
    return;
  }
  count(s, slot, M.defects, 1);
  // A follow-up contact's own defect is counted but brings nothing further (no endless chains).
  if ((flags & (FLAG_REPEAT | FLAG_COMPLAINT)) !== 0) {
    release(s, slot);
    return;
  }
  const u = q.next();
  const back = u < wf.quality.rework ? FLAG_REPEAT : u < wf.quality.rework + wf.quality.complaint ? FLAG_COMPLAINT : 0;
  if (back === 0) {
    release(s, slot);
    return;
  }
  count(s, slot, back === FLAG_REPEAT ? M.repeats : M.complaints, 1);
  // The same customer comes back later: the slot waits for the new contact. Its need
  // and patience are drawn from the quality stream, so customers' streams stay aligned.
  const type = s.cType[slot];
  s.inSystem--;
  if (s.cLine[slot] >= 0) s.siteInSystem[s.cLine[slot]]--;
  s.cLine[slot] = -1;
  let need = s.handle[type].sample(q);
  if (s.cfg.types[type].bot !== undefined) need *= 1 - wf.quality.repeatSaving; // the history travels with the chat
  s.cHandle[slot] = need;
  const pat = s.patience[type];
  if (pat === null) s.cPatience[slot] = Infinity;
  else s.cPatience[slot] = pat.sample(q);
  s.cState[slot] = CALL_RETRY;
  s.cFlags[slot] = back;
  s.cAttempt[slot] = 1;
  s.cGen[slot]++;
  const delay = back === FLAG_REPEAT ? s.reworkDelay!.sample(q) : s.complaintDelay!.sample(q);
  s.cal.push(s.now + delay, KIND_PRIORITY[REDIAL], REDIAL, slot, s.cGen[slot]);
}

/** A complaint accepted: a case contact enters the complaint team's queue. */
function openCase(s: SimState, from: number): void {
  const c = s.wf!.complaints!;
  const slot = s.allocCall();
  const type = c.caseType;
  s.cType[slot] = type;
  s.cAttempt[slot] = 1;
  s.cFlags[slot] = FLAG_CASE;
  s.cHandle[slot] = s.handle[type].sample(s.qualityStream);
  s.cPatience[slot] = Infinity;
  void from;
  attempt(s, slot);
}

/** The case is answered: the reply time includes waits on suppliers and supervisors. */
function replyToComplaint(s: SimState, slot: number): void {
  const c = s.wf!.complaints!;
  const q = s.qualityStream;
  let extra = 0;
  if (q.next() < c.supplierShare) extra += s.supplierDelay!.sample(q);
  if (q.next() < c.supervisorShare) extra += s.supervisorDelay!.sample(q);
  const reply = s.now + extra - s.cArrive[slot];
  count(s, slot, M.complaintReplies, 1);
  if (reply <= c.replyDeadline) count(s, slot, M.complaintRepliesOnTime, 1);
  // "Pay first", and the price guarantee: the difference once (own fault) or three times.
  let pay = s.payFirst!.sample(q);
  if (q.next() < c.priceGuaranteeShare) pay += s.priceDifference!.sample(q) * (q.next() < c.ownFaultShare ? 1 : 3);
  count(s, slot, M.compensation, pay);
}
