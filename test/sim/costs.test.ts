import { describe, expect, it } from 'vitest';
import type { WorkforceConfig } from '../../sim/src/config/model-config.ts';
import { TimeAreas } from '../../sim/src/model/areas.ts';
import { addCosts, type CostLevels } from '../../sim/src/model/costs.ts';
import { M, NM } from '../../sim/src/model/layout.ts';

/**
 * Agent and telephony cost (sim/src/model/costs.ts): agents logged on paid by the
 * hour at their site's rate, calls holding a trunk line by the minute, from the last
 * advance to now, into the current interval's row and each site's row; and the same
 * integrated by advanceAreas when the model has a workforce.
 */

const cost = { agentPerHour: [30, 60], telephonyPerMinute: 0.5 };

/** Two sites, two intervals; levels since lastAreaTime as given. */
function levels(over: Partial<CostLevels>): CostLevels {
  return {
    now: 1800, lastAreaTime: 0, timeRow: 0, nSites: 2,
    siteStaffed: Float64Array.of(2, 1), siteWorking: Float64Array.of(1, 1), siteInSystem: Int32Array.of(3, 1), wf: { cost },
    rows: new Float64Array(3 * NM), siteRows: new Float64Array(3 * 2 * NM),
    ...over,
  };
}

describe('addCosts', () => {
  it('charges the staffed agents at their site\'s hourly rate and the lines in use by the minute, in the current row', () => {
    const s = levels({});
    addCosts(s);
    // Half an hour: site 0, 2 agents at 30/h = 30; site 1, 1 agent at 60/h = 30; 4 lines * 0.5/min * 30 min = 60.
    expect(s.rows[M.agentCost]).toBeCloseTo(60, 12);
    expect(s.siteRows[M.agentCost]).toBeCloseTo(30, 12);
    expect(s.siteRows[NM + M.agentCost]).toBeCloseTo(30, 12);
    expect(s.rows[M.telephonyCost]).toBeCloseTo(60, 12);
    // Nothing else, and no other row.
    expect(s.rows.reduce((a, b) => a + b, 0)).toBeCloseTo(120, 12);
    expect(s.siteRows.reduce((a, b) => a + b, 0)).toBeCloseTo(60, 12);
  });

  it('writes into the row of timeRow, and adds to what is there', () => {
    const s = levels({ timeRow: 1, now: 600, lastAreaTime: 0, siteInSystem: Int32Array.of(0, 0) });
    s.rows[NM + M.agentCost] = 5;
    addCosts(s);
    // 10 minutes: 2 * 30 / 6 + 1 * 60 / 6 = 20, on top of 5; no lines, no telephony.
    expect(s.rows[NM + M.agentCost]).toBeCloseTo(25, 12);
    expect(s.rows[M.agentCost]).toBe(0);
    expect(s.rows[NM + M.telephonyCost]).toBe(0);
    expect(s.siteRows[(1 * 2 + 1) * NM + M.agentCost]).toBeCloseTo(10, 12);
  });
});

describe('addCosts in the drain', () => {
  it('pays only the agents working off the last contacts, not the last interval\'s staffing waiting for work', () => {
    // Row 2 of 3 is the drain after two intervals. Half an hour: site 0, 1 working agent at
    // 30/h = 15; site 1, 1 agent holding one of two chats, paid in full, at 60/h = 30; the lines as before.
    const s = levels({ timeRow: 2 });
    addCosts(s);
    expect(s.rows[2 * NM + M.agentCost]).toBeCloseTo(45, 12);
    expect(s.siteRows[(2 * 2 + 0) * NM + M.agentCost]).toBeCloseTo(15, 12);
    expect(s.siteRows[(2 * 2 + 1) * NM + M.agentCost]).toBeCloseTo(30, 12);
    expect(s.rows[2 * NM + M.telephonyCost]).toBeCloseTo(60, 12);
    // Nobody working: days of waiting for rework cost nothing.
    const idle = levels({ timeRow: 2, now: 5 * 86400, siteWorking: Float64Array.of(0, 0), siteInSystem: Int32Array.of(0, 0) });
    addCosts(idle);
    expect(idle.rows.reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('costs in advanceAreas', () => {
  it('integrates the costs of piecewise-constant levels with the areas, only when the model has a workforce', () => {
    const make = (wf: WorkforceConfig | null) => new TimeAreas({
      nTypes: 1, nQueues: 1, nAgents: 0, nGroups: 0, aGroup: new Int32Array(0), groupCap: new Int32Array(0), ringSize: new Int32Array(0),
      nIntervals: 1, nSites: 2, wf,
    });
    const history = (s: TimeAreas) => {
      s.siteStaffed.set([2, 1]);
      s.siteInSystem.set([3, 1]);
      s.now = 1800;
      s.advanceAreas();
      s.siteStaffed.set([0, 4]);
      s.siteInSystem.set([0, 2]);
      s.now = 2400;
      s.advanceAreas();
      s.advanceAreas(); // the same time again: nothing more
    };
    const withWf = make({ cost } as Pick<WorkforceConfig, 'cost'> as WorkforceConfig);
    history(withWf);
    // 0-1800: 30 + 30 agents, 60 telephony; 1800-2400: 4 agents at 60/h for 10 min = 40, 2 lines * 0.5 * 10 = 10.
    expect(withWf.rows[M.agentCost]).toBeCloseTo(100, 12);
    expect(withWf.rows[M.telephonyCost]).toBeCloseTo(70, 12);
    expect(withWf.siteRows[M.agentCost]).toBeCloseTo(30, 12);
    expect(withWf.siteRows[NM + M.agentCost]).toBeCloseTo(70, 12);
    const without = make(null);
    history(without);
    expect([without.rows[M.agentCost], without.rows[M.telephonyCost]]).toEqual([0, 0]);
  });
});

describe('agents working, per site (who the drain pays)', () => {
  it('counts the agents holding at least one contact, a chat agent with one of three as one, at every step of a day with chats and two sites', async () => {
    const { compileScenario } = await import('../../sim/src/config/compile.ts');
    const { parseScenarioText } = await import('../../sim/src/config/load.ts');
    const { readFileSync } = await import('node:fs');
    const { Replication } = await import('../../sim/src/engine/replicate.ts');
    const text = readFileSync(new URL('../../scenarios/baseline-day.yaml', import.meta.url), 'utf8');
    const cfg = compileScenario(parseScenarioText(text, 'baseline-day.yaml'), { baseDir: '.' });
    const r = new Replication(cfg, 0);
    const st = r.state;
    let chatsSeen = false;
    for (let t = 8 * 3600; t <= 9 * 3600; t += 300) {
      r.advanceTo(t);
      const want = new Float64Array(st.nSites);
      for (let a = 0; a < st.aLoad.length; a++) {
        if (st.aLoad[a] > 0) want[st.groupSite[st.aGroup[a]]]++;
        if (st.aLoad[a] > 1) chatsSeen = true;
      }
      expect([...st.siteWorking], `at ${t} s`).toEqual([...want]);
    }
    expect(chatsSeen).toBe(true); // some agent held several chats: the count is of agents, not of contacts
  });
});
