import { M, NHS, NM } from './layout.ts';
import { AGENT_OFF, type SimState } from './state.ts';
import { goOffDuty } from './steps.ts';

/**
 * Agents as people (issue 4): tenure, the learning curve, the hours of the day when
 * new agents err, fatigue, attrition. Pure functions of the state, called from the
 * handlers; no allocation.
 *
 * Tenure counts days since hire, training included. After `trainingDays` an agent
 * takes contacts alone; the learning curve starts there:
 *   excess(x) = exp(-x / tau)          (exponential)   x = tenure - trainingDays
 *             = 1 / (1 + x / tau)      (power law)
 *   handle-time multiplier = 1 + (ahtFactorNew - 1) * excess
 *   defect probability     = errorExpert + (errorNew - errorExpert) * excess
 * New agents (tenure < newAgentDays) err more at predictable hours (peaks, e.g.
 * 15:00 and 18:00); hours on duty past `fatigue.afterHours` add to handle time and
 * errors; a coach lowers new agents' errors while on the floor.
 */

const DAY = 86400;

export function tenureDays(s: SimState, agent: number): number {
  return s.aTenure0[agent] + s.now / DAY;
}

/** Hired, trained and not quit: may log on. */
export function canWork(s: SimState, agent: number): boolean {
  if (s.aQuit[agent] === 1) return false;
  return s.wf === null || tenureDays(s, agent) >= s.wf.trainingDays;
}

function excess(s: SimState, tenure: number): number {
  const l = s.wf!.learning;
  const x = Math.max(0, tenure - s.wf!.trainingDays);
  return l.model === 'power' ? 1 / (1 + x / l.timeConstantDays) : Math.exp(-x / l.timeConstantDays);
}

/**
 * Hours into the agent's current shift. Groups staffed by shifts: since the latest
 * start of a shift of the group that covers now (a shift change at 18:00 starts one
 * too). Groups staffed by counts per interval stand for people on standard shifts:
 * hours since logging on, modulo the standard shift length.
 */
export function hoursOn(s: SimState, agent: number): number {
  const wf = s.wf!;
  const starts = wf.shiftStarts[s.aGroup[agent]];
  if (starts !== undefined && starts.length > 0) {
    const tod = (s.now % DAY) / 3600;
    let into = Infinity;
    for (let k = 0; k < starts.length; k++) {
      const h = (tod - starts[k].hour + 24) % 24;
      if (h < starts[k].hours && h < into) into = h;
    }
    if (wf.shiftChangeHour !== null) {
      const h = (tod - wf.shiftChangeHour + 24) % 24;
      if (h < into) into = h;
    }
    return into === Infinity ? 0 : into;
  }
  return ((s.now - s.aOnSince[agent]) / 3600) % wf.standardShiftHours;
}

/** Handle-time multiplier of the agent now: learning curve and fatigue. */
export function ahtMultiplier(s: SimState, agent: number): number {
  const wf = s.wf!;
  const learn = 1 + (wf.learning.ahtFactorNew - 1) * excess(s, tenureDays(s, agent));
  const tired = 1 + wf.fatigue.ahtPerHour * Math.max(0, hoursOn(s, agent) - wf.fatigue.afterHours);
  return learn * tired;
}

/** Time-of-day factor of new agents' errors: 1 + sum of the peaks. */
export function peakFactor(s: SimState, hourOfDay: number): number {
  const peaks = s.wf!.peaks;
  let f = 1;
  for (let k = 0; k < peaks.length; k++) {
    const d = hourOfDay - peaks[k].hour;
    f += peaks[k].amplitude * Math.exp(-(d * d) / (2 * peaks[k].width * peaks[k].width));
  }
  return f;
}

/** Probability that the contact the agent finishes now carries a defect. */
export function defectProbability(s: SimState, agent: number): number {
  const wf = s.wf!;
  const tenure = tenureDays(s, agent);
  let p = wf.learning.errorExpert + (wf.learning.errorNew - wf.learning.errorExpert) * excess(s, tenure);
  if (tenure < wf.newAgentDays) {
    const hour = (s.now % DAY) / 3600;
    p *= peakFactor(s, hour);
    const c = wf.coach;
    if (c !== null && hour >= c.fromHour && hour < c.toHour) p *= 1 - c.errorReduction;
  }
  p *= 1 + wf.fatigue.errorPerHour * Math.max(0, hoursOn(s, agent) - wf.fatigue.afterHours);
  return p < 1 ? p : 1;
}

/** Tenure band of the byTenure block: 0 new, 1 up to a year, 2 over a year. */
export function tenureBand(s: SimState, agent: number): number {
  const t = tenureDays(s, agent);
  return t < s.wf!.newAgentDays ? 0 : t < 365 ? 1 : 2;
}

/** Records a finished contact in the byTenure block. */
export function countTenure(s: SimState, agent: number, handle: number, defect: number): void {
  const b = tenureBand(s, agent) * NM;
  s.tenureRows[b + M.completed]++;
  s.tenureRows[b + M.handleTime] += handle;
  s.tenureRows[b + M.defects] += defect;
}

/**
 * The start of day `day` (of the horizon): agents quit with the daily hazard of their
 * tenure (those on duty finish their contacts first), hires finish training, each
 * group's count of agents who can work is taken again, and the day's headcount is
 * recorded (countHeads).
 */
export function startOfDay(s: SimState, day: number): void {
  const wf = s.wf!;
  for (let a = 0; a < s.nAgents; a++) {
    if (s.aQuit[a] === 1 || tenureDays(s, a) < 0) continue;
    const hazard = tenureDays(s, a) < wf.newAgentDays ? wf.attrition.dailyNew : wf.attrition.dailyExpert;
    if (hazard > 0 && s.workforceStream.next() < hazard) {
      s.aQuit[a] = 1;
      if (s.aState[a] !== AGENT_OFF && s.aLeaving[a] === 0) goOffDuty(s, a); // finishes its contacts, then goes
    }
  }
  for (let g = 0; g < s.groupSize.length; g++) {
    let n = 0;
    for (let a = s.groupFirst[g], end = a + s.groupSize[g]; a < end; a++) if (canWork(s, a)) n++;
    s.groupAvail[g] = n;
  }
  countHeads(s, day);
}

/**
 * The heads block's day `day` (layout.ts): agents hired and not quit, by cohort and
 * state (in training, or the tenure band). Once a day: a scan of the agents.
 */
export function countHeads(s: SimState, day: number): void {
  const nC = s.wf!.cohorts.length;
  if ((day + 1) * nC * NHS > s.headRows.length) return; // past the block (never in a batch run)
  const base = day * nC * NHS;
  for (let h = base; h < base + nC * NHS; h++) s.headRows[h] = 0;
  for (let a = 0; a < s.nAgents; a++) {
    if (s.aQuit[a] === 1) continue;
    const t = tenureDays(s, a);
    if (t < 0) continue;
    const state = t < s.wf!.trainingDays ? 0 : 1 + tenureBand(s, a);
    s.headRows[base + s.aCohort[a] * NHS + state]++;
  }
}
