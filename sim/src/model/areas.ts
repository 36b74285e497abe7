import type { WorkforceConfig } from '../config/model-config.ts';
import { addCosts } from './costs.ts';
import { M, NM } from './layout.ts';
import { PatienceLane, type PatienceShape } from './patience.ts';

/** What the areas need of the model: the intervals, the sites, and the workforce model (costs). */
export interface AreaShape extends PatienceShape {
  readonly nIntervals: number;
  readonly nSites: number;
  readonly wf: WorkforceConfig | null;
}

/**
 * Time-weighted counters: the levels that change at events (busy agents, agents
 * staffed, contacts waiting and in the system, the sites' levels) and their areas,
 * integrated into the current time row of `rows` (and per site `siteRows`) up to now
 * whenever a level is about to change: a handler calls advanceAreas() first. With the
 * workforce model the costs are integrated alongside (costs.ts).
 */
export class TimeAreas extends PatienceLane {
  readonly nSites: number;
  readonly wf: WorkforceConfig | null;
  /** busy agents, an agent with k of cap contacts counting k/cap */
  busy = 0;
  staffed = 0;
  waiting = 0;
  /** phone calls waiting live (not callbacks): blending looks at it */
  phoneWaiting = 0;
  inSystem = 0;
  lastAreaTime = 0;
  /** current time row for areas (interval index, or nIntervals in the drain) */
  timeRow = 0;
  /** calls holding each site's trunk lines */
  readonly siteInSystem: Int32Array;
  readonly siteBusy: Float64Array;
  /** agents holding at least one contact, per site (a chat agent with 1 of 3 counts 1): who is paid in the drain (costs.ts) */
  readonly siteWorking: Float64Array;
  readonly siteStaffed: Float64Array;
  /** the center's interval rows, (nIntervals + 1) * NM: the areas go here (see model/layout.ts) */
  readonly rows: Float64Array;
  /** the sites' interval rows, (nIntervals + 1) * nSites * NM: busy and staffed time, agent cost */
  readonly siteRows: Float64Array;

  constructor(shape: AreaShape) {
    super(shape);
    const nI = shape.nIntervals, nS = (this.nSites = shape.nSites);
    this.wf = shape.wf;
    this.siteInSystem = new Int32Array(nS);
    this.siteBusy = new Float64Array(nS);
    this.siteWorking = new Float64Array(nS);
    this.siteStaffed = new Float64Array(nS);
    this.rows = new Float64Array((nI + 1) * NM);
    this.siteRows = new Float64Array((nI + 1) * nS * NM);
  }

  /**
   * Adds the time since the last change, up to now, to the time-weighted counters.
   * Small enough to be inlined into the handlers, and without a double argument: a
   * double passed to a call that is not inlined is boxed (one allocation per event).
   */
  advanceAreas(): void {
    const t = this.now;
    const dt = t - this.lastAreaTime;
    if (dt > 0) {
      const b = this.timeRow * NM;
      const r = this.rows;
      r[b + M.busyTime] += this.busy * dt;
      r[b + M.staffedTime] += this.staffed * dt;
      r[b + M.queueArea] += this.waiting * dt;
      r[b + M.systemArea] += this.inSystem * dt;
      const nS = this.nSites;
      // One site: its busy and staffed time are the center's, the same sums of the
      // same products (busy and siteBusy[0] change together); result() copies them.
      if (nS > 1) {
        const sr = this.siteRows, sb = this.timeRow * nS * NM;
        for (let si = 0; si < nS; si++) {
          sr[sb + si * NM + M.busyTime] += this.siteBusy[si] * dt;
          sr[sb + si * NM + M.staffedTime] += this.siteStaffed[si] * dt;
        }
      }
      if (this.wf !== null) addCosts(this);
      this.lastAreaTime = t;
    }
  }
}
