import { describe, expect, it } from 'vitest';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { M } from '../../sim/src/model/layout.ts';
import { EventLog, LOG_FIELDS, O_ABANDONED, O_BLOCKED, O_COMPLETED, O_DEFLECTED } from '../../sim/src/model/event-log.ts';
import { AGENT_OFF, AGENT_ON, type SimState } from '../../sim/src/model/state.ts';
import { endAttempt, goOffDuty } from '../../sim/src/model/steps.ts';
import { centerModel, row, serving, totals, type CenterSpec } from '../fixtures/center/model.ts';

/**
 * The model's shared steps (sim/src/model/steps.ts) on small hand-built centers:
 * an attempt's end counted and logged once, and the one way an agent goes off duty.
 */

function build(spec: CenterSpec, arrivals: [type: number, time: number][] = []): Replication {
  const r = new Replication(centerModel(spec), 0);
  for (const [type, t] of arrivals) r.inject(type, t);
  return r;
}

/** A live slot with its counts filed at (interval 0, site 0, phone) and in cell (type 0, site 0), or in no cell (warm-up: s.warmCell). */
function slotAt(s: SimState, cell: number): number {
  const slot = s.allocCall();
  s.cType[slot] = 0;
  s.cSub[slot] = 0;
  s.cCell[slot] = cell;
  return slot;
}

describe('endAttempt: an outcome counted once and logged once', () => {
  it('counts the metric once in the contact\'s (interval, site, channel) row and its cell; no record while the log is off', () => {
    const s = build({ types: [{ handle: 100 }], groups: [{ queues: [0], staffing: 1 }] }).state;
    const slot = slotAt(s, 0);
    endAttempt(s, slot, M.blocked, O_BLOCKED, 0);
    expect(s.subRows[M.blocked]).toBe(1);
    expect(s.cells[M.blocked]).toBe(1);
    // Nothing else moved.
    expect(s.subRows.reduce((a, b) => a + b, 0)).toBe(1);
    expect(s.cells.reduce((a, b) => a + b, 0)).toBe(1);
    expect(s.log).toBeNull();
  });

  it('with the log on, one record per call, with its outcome and defect; a contact of the warm-up counts in no cell', () => {
    const s = build({ types: [{ handle: 100 }], groups: [{ queues: [0], staffing: 1 }] }).state;
    const log = (s.log = new EventLog(4));
    const a = slotAt(s, 0), b = slotAt(s, s.warmCell);
    endAttempt(s, a, M.completed, O_COMPLETED, 1);
    expect(log.n).toBe(1);
    endAttempt(s, b, M.blocked, O_BLOCKED, 0);
    expect(log.n).toBe(2);
    const field = (i: number, f: (typeof LOG_FIELDS)[number]) => log.buf[i * LOG_FIELDS.length + LOG_FIELDS.indexOf(f)];
    expect([field(0, 'outcome'), field(0, 'defect'), field(1, 'outcome'), field(1, 'defect')]).toEqual([O_COMPLETED, 1, O_BLOCKED, 0]);
    expect([s.subRows[M.completed], s.subRows[M.blocked]]).toEqual([1, 1]);
    expect([s.cells[M.completed], s.cells[M.blocked]]).toEqual([1, 0]);
  });

  it('in a run, every attempt ends in one record and one count: abandoned, blocked, deflected, completed', () => {
    // One agent, two lines, handle 100. c0@0 (phone) is served 0-100. c1@10 (phone, patience 5)
    // waits and abandons at 15. c2@20 waits and is served 100-200. c3@30 finds both lines
    // held (c0, c2): blocked. d@40 (IM, no line) is deflected by the bot.
    const spec: CenterSpec = {
      types: [
        { handle: 100 },
        { handle: 100, patience: 5 },
        { handle: 100, channel: 'im', bot: { deflection: 1, summarySaving: 0 } },
      ],
      groups: [{ queues: [0], staffing: 1 }],
      sites: [2],
    };
    const r = build(spec, [[0, 0], [1, 10], [0, 20], [0, 30], [2, 40]]);
    const log = (r.state.log = new EventLog(64));
    const b = r.run();
    const outcomes = Array.from({ length: log.n }, (_, i) => log.buf[i * LOG_FIELDS.length]);
    expect(outcomes).toEqual([O_ABANDONED, O_BLOCKED, O_DEFLECTED, O_COMPLETED, O_COMPLETED]);
    expect(totals(b, ['arrivals', 'abandoned', 'blocked', 'deflected', 'completed'])).toEqual({
      arrivals: 5, abandoned: 1, blocked: 1, deflected: 1, completed: 2,
    });
  });
});

/** onDuty (on duty and not leaving), staffed and siteStaffed (logged on) as counted from the agents. */
function expectConsistent(s: SimState): void {
  const nG = s.groupSize.length;
  for (let g = 0; g < nG; g++) {
    let n = 0;
    for (let a = s.groupFirst[g]; a < s.groupFirst[g] + s.groupSize[g]; a++) if (s.aState[a] === AGENT_ON && s.aLeaving[a] === 0) n++;
    expect(s.onDuty[g], `onDuty of group ${g}`).toBe(n);
  }
  const on = [...s.aState].filter((x) => x === AGENT_ON).length;
  expect(s.staffed).toBe(on);
  const bySite = new Array<number>(s.nSites).fill(0);
  for (let a = 0; a < s.nAgents; a++) if (s.aState[a] === AGENT_ON) bySite[s.groupSite[s.aGroup[a]]]++;
  expect([...s.siteStaffed]).toEqual(bySite);
}

describe('goOffDuty: the one way an agent goes off duty', () => {
  it('an idle agent logs off at once; a busy one leaves onDuty now and logs off when its contact ends (staffed time 30 + 180 + 50)', () => {
    // 3 agents, handle 100, one call at 0. At 10 the busy agent and one idle agent are sent off.
    const r = build({ types: [{ handle: 100 }], groups: [{ queues: [0], staffing: 3 }] }, [[0, 0]]);
    const s = r.state;
    r.advanceTo(10);
    expectConsistent(s);
    expect([s.onDuty[0], s.staffed]).toEqual([3, 3]);
    const [[busy]] = serving(r);
    const idle = busy === 0 ? 1 : 0;
    // Called outside an event, the step needs the time integrals closed at the clock, as
    // every handler and live control does first (advanceTo leaves them at the last event).
    s.advanceAreas();
    goOffDuty(s, busy);
    expect([s.onDuty[0], s.staffed, s.aState[busy], s.aLeaving[busy]]).toEqual([2, 3, AGENT_ON, 1]);
    expectConsistent(s);
    goOffDuty(s, idle);
    expect([s.onDuty[0], s.staffed, s.aState[idle], s.aLeaving[idle]]).toEqual([1, 2, AGENT_OFF, 0]);
    expectConsistent(s);
    r.advanceTo(150);
    expect([s.onDuty[0], s.staffed, s.aState[busy], s.aLeaving[busy]]).toEqual([1, 1, AGENT_OFF, 0]);
    expectConsistent(s);
    // 3 agents 0-10, 2 until the call ends at 100, then 1.
    expect(row(r.result(), 0, 'staffedTime')).toBe(3 * 10 + 2 * 90 + 1 * 50);
  });

  it('a failed site\'s groups reach onDuty 0 agent by agent: idle ones at once, busy ones after their contact (finish)', () => {
    // Group 0 (2 agents) at site 1 serves queue 0; calls land on site 0. c@0 served 0-100. Site 1 fails at 50.
    const spec: CenterSpec = {
      types: [{ handle: 100 }],
      groups: [{ site: 1, queues: [0], staffing: 2 }],
      sites: [null, null],
      failures: [{ site: 1, start: 50, end: Infinity, inService: 'finish', waiting: 'move' }],
    };
    const r = build(spec, [[0, 0]]);
    const s = r.state;
    r.advanceTo(60);
    expectConsistent(s);
    expect([s.onDuty[0], s.staffed, s.siteStaffed[1]]).toEqual([0, 1, 1]);
    r.advanceTo(150);
    expectConsistent(s);
    expect([s.onDuty[0], s.staffed, s.siteStaffed[1]]).toEqual([0, 0, 0]);
  });

  it('an agent already leaving whose last contact a failure drops logs off at once', () => {
    // Staffing 2 then 0 (intervals of 100 s): at 100 the idle agent goes, the busy one (c@0, handle 500)
    // is leaving. Its site fails at 150 and drops the call: it logs off then.
    const spec: CenterSpec = {
      types: [{ handle: 500 }],
      groups: [{ queues: [0], staffing: [2, 0, 0] }],
      sites: [null, null],
      nIntervals: 3,
      intervalLength: 100,
      failures: [{ site: 0, start: 150, end: Infinity, inService: 'drop', waiting: 'move' }],
    };
    const r = build(spec, [[0, 0]]);
    const s = r.state;
    r.advanceTo(120);
    const [[busy]] = serving(r);
    expect([s.onDuty[0], s.staffed, s.aLeaving[busy]]).toEqual([0, 1, 1]);
    expectConsistent(s);
    r.advanceTo(160);
    expect([s.onDuty[0], s.staffed, s.aState[busy], s.aLeaving[busy]]).toEqual([0, 0, AGENT_OFF, 0]);
    expectConsistent(s);
  });
});
