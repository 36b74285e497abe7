import type { WorkforceConfig } from '../config/model-config.ts';
import { M, NM } from './layout.ts';

/** What the costs are computed from: the clock, the current row and the sites' levels since lastAreaTime (areas.ts). */
export interface CostLevels {
  readonly now: number;
  readonly lastAreaTime: number;
  readonly timeRow: number;
  readonly nSites: number;
  /** agents logged on per site */
  readonly siteStaffed: Float64Array;
  /** agents holding at least one contact, per site */
  readonly siteWorking: Float64Array;
  /** calls holding a site's trunk lines */
  readonly siteInSystem: Int32Array;
  /** the workforce model: its cost rates (agent cost per hour by site, telephony per line minute) */
  readonly wf: Pick<WorkforceConfig, 'cost'> | null;
  readonly rows: Float64Array;
  readonly siteRows: Float64Array;
}

/**
 * Agent and telephony cost from lastAreaTime to now (the workforce model: wf must not
 * be null), added to the time row's agentCost and telephonyCost and to each site's
 * agentCost: agents logged on are paid by the hour at their site's rate, calls holding
 * a trunk line cost by the minute. In the drain after the horizon (the last row) only
 * the agents working off the last contacts are paid, for the time they hold one (a
 * chat agent with one of three chats is paid in full): the last
 * interval's staffing stays logged on there to take them, but waiting on duty for
 * rework and complaints that come back days later is not a cost of the day. Called by
 * advanceAreas before lastAreaTime moves; takes the state only (no double argument:
 * see advanceAreas).
 */
export function addCosts(s: CostLevels): void {
  const dt = s.now - s.lastAreaTime;
  const b = s.timeRow * NM;
  const r = s.rows;
  const sr = s.siteRows, nS = s.nSites, sb = s.timeRow * nS * NM;
  const c = s.wf!.cost;
  const paid = b + NM === r.length ? s.siteWorking : s.siteStaffed;
  let agents = 0, lines = 0;
  for (let si = 0; si < nS; si++) {
    const ac = (paid[si] * c.agentPerHour[si] * dt) / 3600;
    agents += ac;
    sr[sb + si * NM + M.agentCost] += ac;
    lines += s.siteInSystem[si];
  }
  r[b + M.agentCost] += agents;
  r[b + M.telephonyCost] += (lines * c.telephonyPerMinute * dt) / 60;
}
