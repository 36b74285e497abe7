import { describe, expect, it } from 'vitest';
import type { WorkforceConfig } from '../../sim/src/config/model-config.ts';
import { TimeAreas } from '../../sim/src/model/areas.ts';
import { M, NM } from '../../sim/src/model/layout.ts';

/**
 * Time-weighted areas (sim/src/model/areas.ts): over a small piecewise-constant
 * history the integrals in each interval's row equal the hand-computed areas; sites'
 * rows are kept apart only with more than one site; an advance to the same time adds
 * nothing.
 */

function areas(nSites: number, wf: WorkforceConfig | null = null): TimeAreas {
  return new TimeAreas({
    nTypes: 1, nQueues: 1, nAgents: 0, nGroups: 0, aGroup: new Int32Array(0), groupCap: new Int32Array(0), ringSize: new Int32Array(0),
    nIntervals: 2, nSites, wf,
  });
}

/** Sets the levels (center and per site) as a handler would, after advancing to t. */
function at(s: TimeAreas, t: number, levels: { busy: number; staffed: number; waiting: number; inSystem: number; siteBusy?: number[]; siteStaffed?: number[] }): void {
  s.now = t;
  s.advanceAreas();
  s.busy = levels.busy;
  s.staffed = levels.staffed;
  s.waiting = levels.waiting;
  s.inSystem = levels.inSystem;
  if (levels.siteBusy) s.siteBusy.set(levels.siteBusy);
  if (levels.siteStaffed) s.siteStaffed.set(levels.siteStaffed);
}

const metric = (s: TimeAreas, row: number, k: number) => s.rows[row * NM + k];
const siteMetric = (s: TimeAreas, row: number, site: number, k: number) => s.siteRows[(row * s.nSites + site) * NM + k];

describe('TimeAreas', () => {
  it('integrates each level over time into the current interval\'s row', () => {
    const s = areas(2);
    // Interval 0: levels (busy 2, staffed 3, waiting 1, in system 3) for 10 s, then (1.5, 3, 4, 5.5) for 15 s;
    // interval 1 from 25: (0, 2, 0, 0) for 20 s.
    at(s, 0, { busy: 2, staffed: 3, waiting: 1, inSystem: 3, siteBusy: [2, 0], siteStaffed: [2, 1] });
    at(s, 10, { busy: 1.5, staffed: 3, waiting: 4, inSystem: 5.5, siteBusy: [0.5, 1], siteStaffed: [2, 1] });
    s.now = 25;
    s.advanceAreas();
    s.timeRow = 1;
    at(s, 25, { busy: 0, staffed: 2, waiting: 0, inSystem: 0, siteBusy: [0, 0], siteStaffed: [0, 2] });
    at(s, 45, { busy: 0, staffed: 0, waiting: 0, inSystem: 0 });
    expect([M.busyTime, M.staffedTime, M.queueArea, M.systemArea].map((k) => metric(s, 0, k))).toEqual([2 * 10 + 1.5 * 15, 3 * 25, 1 * 10 + 4 * 15, 3 * 10 + 5.5 * 15]);
    expect([M.busyTime, M.staffedTime, M.queueArea, M.systemArea].map((k) => metric(s, 1, k))).toEqual([0, 2 * 20, 0, 0]);
    expect([siteMetric(s, 0, 0, M.busyTime), siteMetric(s, 0, 1, M.busyTime)]).toEqual([2 * 10 + 0.5 * 15, 1 * 15]);
    expect([siteMetric(s, 0, 0, M.staffedTime), siteMetric(s, 0, 1, M.staffedTime)]).toEqual([2 * 25, 1 * 25]);
    expect([siteMetric(s, 1, 0, M.staffedTime), siteMetric(s, 1, 1, M.staffedTime)]).toEqual([0, 2 * 20]);
    // The drain row and every other metric untouched; no costs without the workforce model.
    expect(s.rows.reduce((a, b) => a + b, 0)).toBe(42.5 + 75 + 70 + 112.5 + 40);
    expect(metric(s, 0, M.agentCost)).toBe(0);
    expect(s.lastAreaTime).toBe(45);
  });

  it('an advance to the time of the last adds nothing', () => {
    const s = areas(1);
    at(s, 0, { busy: 1, staffed: 1, waiting: 2, inSystem: 3 });
    s.now = 10;
    s.advanceAreas();
    const once = [...s.rows];
    s.advanceAreas();
    expect([...s.rows]).toEqual(once);
    expect(metric(s, 0, M.queueArea)).toBe(20);
  });

  it('with one site the site rows stay empty: the site\'s figures are the center\'s (copied when the result is taken)', () => {
    const s = areas(1);
    at(s, 0, { busy: 1, staffed: 2, waiting: 0, inSystem: 1, siteBusy: [1], siteStaffed: [2] });
    at(s, 100, { busy: 0, staffed: 0, waiting: 0, inSystem: 0 });
    expect([metric(s, 0, M.busyTime), metric(s, 0, M.staffedTime)]).toEqual([100, 200]);
    expect(s.siteRows.every((x) => x === 0)).toBe(true);
  });
});
