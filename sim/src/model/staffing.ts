import { M, NCH, NM } from './layout.ts';
import { KIND_PRIORITY, TICK } from './event-kinds.ts';
import { AGENT_OFF, AGENT_ON, CALL_FREE, CALL_WAITING, type SimState } from './state.ts';
import { goOffDuty } from './steps.ts';
import { agentFree, scheduleArrival } from './lifecycle.ts';
import { canWork, startOfDay } from './workforce.ts';

/**
 * Interval boundaries and staffing: each tick records the closing interval's levels,
 * starts the day (attrition, training) and shift changes, and brings every group to
 * the interval's plan; agents sent home finish their contacts first.
 */

/**
 * Interval boundary `k` (intervals counted from the start): record the closing
 * interval's levels, close time-weighted metrics, apply staffing. The interval of the
 * day is k - dayFirst (k itself unless a live run's day repeats: at the horizon, a
 * new day starts instead of the drain, see newDay).
 */
export function onTick(s: SimState, k: number): void {
  s.advanceAreas();
  const nI = s.cfg.nIntervals;
  let interval = k - s.dayFirst;
  if (interval > 0 && interval <= nI) recordLevels(s, interval - 1);
  if (interval === nI && s.live !== null && s.live.repeat) {
    newDay(s);
    interval = 0;
  }
  s.timeRow = interval < nI ? interval : nI;
  if (interval >= nI) return; // the horizon: staffing of the last interval works off the rest
  s.cal.push((k + 1) * s.cfg.intervalLength, KIND_PRIORITY[TICK], TICK, k + 1, 0);
  const wf = s.wf;
  if (wf !== null) {
    const L = s.cfg.intervalLength;
    if ((k * L) % 86400 === 0) startOfDay(s, Math.round((interval * L) / 86400));
    if (wf.shiftChangeHour !== null && (k * L) % 86400 === wf.shiftChangeHour * 3600) {
      // A shift change: the agents on duty from now on start a fresh shift.
      for (let a = 0; a < s.nAgents; a++) if (s.aState[a] !== AGENT_OFF) s.aOnSince[a] = s.now;
    }
  }
  for (let g = 0; g < s.groupSize.length; g++) {
    setStaffing(s, g, staffingTarget(s, g, interval));
  }
  if (wf !== null) payOffPhone(s, interval);
}

/** Agents off the phones (coaching, mentoring, breaks, handover) are still paid: their cost for the interval. */
function payOffPhone(s: SimState, interval: number): void {
  const nI = s.cfg.nIntervals, L = s.cfg.intervalLength, nS = s.nSites;
  const rates = s.wf!.cost.agentPerHour;
  for (let g = 0; g < s.groupSize.length; g++) {
    const off = s.offPhone[g * nI + interval];
    if (off === 0 || s.siteDown[s.groupSite[g]] === 1) continue;
    const site = s.groupSite[g];
    const cost = (off * L * rates[site]) / 3600;
    s.rows[interval * NM + M.agentCost] += cost;
    s.siteRows[(interval * nS + site) * NM + M.agentCost] += cost;
  }
}

/**
 * Agents the group puts on the phones in an interval (of the day), less those off the
 * phones; none while its site is down. Seats (the plan counts agents on the phones):
 * the plan (or a live run's override of it, model/live.ts), within the people it has.
 * Heads (the plan is the on-duty profile of the group's base headcount): the plan
 * scaled by trained heads / base heads, rounded to the nearest agent (halves up), so
 * graduates add capacity and quits take it away; a live override is a count of seats.
 */
export function staffingTarget(s: SimState, g: number, interval: number): number {
  if (s.siteDown[s.groupSite[g]] === 1) return 0;
  const nI = s.cfg.nIntervals;
  const override = s.live !== null && s.live.staffOverride[g] >= 0;
  const plan = override ? s.live!.staffOverride[g] : s.staffing[g * nI + interval];
  if (s.wf === null) return plan;
  const avail = s.groupAvail[g], base = s.baseHeads[g];
  // Integers only: floor((2 plan avail + base) / (2 base)) is plan x avail / base rounded.
  const onDuty = s.headsMode === 1 && !override && base > 0 ? Math.floor((2 * plan * avail + base) / (2 * base)) : Math.min(plan, avail);
  return Math.max(0, onDuty - s.offPhone[g * nI + interval]);
}

/**
 * Backlog (contacts waiting) and overdue (waiting past their deadline) at the end of
 * an interval, by site (the one that took the contact) and channel; at the end of the day's last interval (the
 * horizon) also by type and site, in the cells: every contact waiting, those
 * that arrived in the warm-up too, so that a channel's level is the sum of its types'.
 * A scan of the slots, once per interval.
 */
function recordLevels(s: SimState, row: number): void {
  const base = row * s.subStride;
  const last = row === s.cfg.nIntervals - 1;
  const nS = s.nSites;
  for (let slot = 0; slot < s.nSlots; slot++) {
    if (s.cState[slot] !== CALL_WAITING) continue;
    const type = s.cType[slot];
    // Filed by site and channel, like every other count of the contact.
    const sub = s.cSub[slot] - s.cRow[slot] * s.subStride; // (landing * NCH + channel) * NM
    const o = base + sub;
    const overdue = s.now - s.cEnter[slot] > s.typeDeadline[type] ? 1 : 0;
    s.subRows[o + M.backlog]++;
    s.subRows[o + M.overdue] += overdue;
    if (last) {
      // The contact's site from the sub-row offset: cCell is warmCell for warm-up arrivals.
      const c = (type * nS + Math.floor(sub / (NCH * NM))) * NM;
      s.cells[c + M.backlog]++;
      s.cells[c + M.overdue] += overdue;
    }
  }
}

/**
 * Brings group g to `target` agents on duty. Agents with no contact leave at once
 * (the most recently idle first); busy ones finish their contacts and then leave.
 * Agents coming on duty first cancel pending departures, then log in and take
 * waiting contacts.
 */
export function setStaffing(s: SimState, g: number, target: number): void {
  const first = s.groupFirst[g], end = first + s.groupSize[g];
  const onDuty = s.onDuty;
  if (target > onDuty[g]) {
    for (let a = first; a < end && onDuty[g] < target; a++) {
      if (s.aLeaving[a] === 1 && s.aQuit[a] === 0) {
        s.aLeaving[a] = 0;
        onDuty[g]++;
        agentFree(s, a);
      }
    }
    for (let a = first; a < end && onDuty[g] < target; a++) {
      if (s.aState[a] === AGENT_OFF && canWork(s, a)) goOnDuty(s, a);
    }
  } else if (target < onDuty[g]) {
    while (onDuty[g] > target) {
      const a = s.popNewestIdle(g);
      if (a < 0) break;
      goOffDuty(s, a);
    }
    for (let a = first; a < end && onDuty[g] > target; a++) {
      if (s.aState[a] !== AGENT_OFF && s.aLeaving[a] === 0) goOffDuty(s, a);
    }
  }
}

/** An agent off duty logs on and takes waiting contacts (the other way is steps.ts's goOffDuty). */
function goOnDuty(s: SimState, agent: number): void {
  s.aState[agent] = AGENT_ON;
  s.aOnSince[agent] = s.now;
  s.staffed++;
  s.siteStaffed[s.groupSite[s.aGroup[agent]]]++;
  s.onDuty[s.aGroup[agent]]++;
  agentFree(s, agent);
}

/** The interval of the day whose staffing applies now (the last one in the drain). */
export function staffingInterval(s: SimState): number {
  return Math.min(Math.floor(s.now / s.cfg.intervalLength) - s.dayFirst, s.cfg.nIntervals - 1);
}

/** Brings group g to its staffing target now (a live run's override changed: model/live.ts). */
export function restaff(s: SimState, g: number): void {
  s.advanceAreas();
  setStaffing(s, g, staffingTarget(s, g, staffingInterval(s)));
}

/**
 * A live run's day repeats (model/live.ts): at the horizon the day's metric blocks are
 * kept as the previous day's and zeroed, contacts still in the system file their later
 * counts in the new day's last row (nIntervals: the carry-over row, the drain row of a
 * batch run), the rates and the plan start again from the day's first interval, and the
 * model's arrival streams restart (unless arrivals come only from outside).
 */
function newDay(s: SimState): void {
  const l = s.live!;
  const nI = s.cfg.nIntervals;
  const blocks = [s.rows, s.subRows, s.cells, s.siteRows, s.tenureRows, s.headRows];
  const stride = s.subStride;
  for (let slot = 0; slot < s.nSlots; slot++) {
    if (s.cState[slot] === CALL_FREE) continue;
    s.cSub[slot] = nI * stride + (s.cSub[slot] - s.cRow[slot] * stride);
    s.cRow[slot] = nI;
  }
  for (let r = 0; r <= nI; r++) {
    for (let j = 0; j < stride; j += NM) {
      for (let k = 0; k < NM; k++) l.before[k] += s.subRows[r * stride + j + k];
    }
  }
  for (let b = 0; b < blocks.length; b++) {
    l.prevBlocks[b].set(blocks[b]);
    blocks[b].fill(0);
  }
  l.day++;
  s.dayFirst += nI;
  if (!l.externalArrivals) for (let t = 0; t < s.nTypes; t++) scheduleArrival(s, t, s.now);
}
