import { describe, expect, it } from 'vitest';
import { modelConfig, deepFreeze } from '../../sim/src/config/defaults.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { Replication, replicate } from '../../sim/src/engine/replicate.ts';
import { decodeResult, kpisOf, summarize, totalRow } from '../../sim/src/metrics/summary.ts';
import { M } from '../../sim/src/model/layout.ts';
import { AGENT_OFF } from '../../sim/src/model/state.ts';
import { centerModel, serving, statusOf, total, totals, type CenterSpec } from '../fixtures/center/model.ts';

/**
 * After-call work (wrap-up, issue 12 item 8): hand-worked traces with injected
 * contacts and deterministic times. The customer is gone when the talk ends; the
 * agent stays busy on that contact's slot for the wrap-up, then takes more work.
 * AHT = talk + wrap, occupancy counts wrap as busy, wrapTime is the wrap alone.
 */

function run(spec: CenterSpec, arrivals: [type: number, time: number][]): Replication {
  const r = new Replication(centerModel(spec), 0);
  for (const [type, t] of arrivals) r.inject(type, t);
  return r;
}

describe('wrap-up: one agent, hand-worked', () => {
  it('the second call waits for the first one\'s wrap-up: talk 0-100, wrap 100-130, second answered at 130', () => {
    // One agent, talk 100, wrap 30, one 1000 s interval, 2 lines. A@0: talk 0-100 (its
    // line is freed at 100), wrap 100-130. B@50 waits 80, talk 130-230, wrap 230-260.
    const r = run({ types: [{ handle: 100, wrapUp: 30 }], groups: [{ queues: [0], staffing: 1 }], sites: [2] }, [[0, 0], [0, 50]]);
    r.advanceTo(110);
    expect(statusOf(r, 0)).toBe('gone'); // completed at 100: the customer left
    expect(statusOf(r, 50)).toBe('waiting');
    expect(serving(r)).toEqual([]);
    expect(r.state.siteInSystem[0]).toBe(1); // only B holds a line
    expect(r.state.aLoad[0]).toBe(1); // the wrap-up holds the agent
    expect(r.state.aWrap[0]).toBe(1);
    expect(r.state.available(0)).toBe(false);
    expect(r.state.busy).toBe(1);
    r.advanceTo(129.999);
    expect(statusOf(r, 50)).toBe('waiting');
    r.advanceTo(130);
    expect(serving(r)).toEqual([[0, 50]]);
    expect(r.state.aWrap[0]).toBe(0);
    const b = r.run();
    expect(totals(b, ['arrivals', 'answered', 'completed', 'waitAnswered', 'handleTime', 'wrapTime', 'busyTime', 'staffedTime'])).toEqual({
      arrivals: 2, answered: 2, completed: 2, waitAnswered: 80, handleTime: 260, wrapTime: 60, busyTime: 260, staffedTime: 1000,
    });
    const k = summarize(r.cfg, [decodeResult(b, r.cfg)], 0).totals;
    expect(k.aht.mean).toBe(130); // talk 100 + wrap 30
    expect(k.wrapTime.mean).toBe(30);
    expect(k.asa.mean).toBe(40);
    expect(k.occupancy.mean).toBe(0.26); // 260 busy of 1000 on duty: the wrap counts
    expect(r.state.aLoad[0]).toBe(0);
    expect(r.state.busy).toBe(0);
  });

  it('a wrap-up ending when a call arrives: the call is answered at once (wrap ends go first, like service ends)', () => {
    const r = run({ types: [{ handle: 100, wrapUp: 30 }], groups: [{ queues: [0], staffing: 1 }] }, [[0, 0], [0, 130]]);
    const b = r.run();
    expect(totals(b, ['answered', 'answeredWithin', 'waitAnswered', 'handleTime', 'busyTime'])).toEqual({
      answered: 2, answeredWithin: 2, waitAnswered: 0, handleTime: 260, busyTime: 260,
    });
  });

  it('the wrap-up goes at the agent\'s pace, as the talk does: proficiency 0.5 doubles both (talk 200, wrap 60)', () => {
    const r = run({ types: [{ handle: 100, wrapUp: 30 }], groups: [{ queues: [0], staffing: 1, proficiency: [0.5] }] }, [[0, 0]]);
    const b = r.run();
    expect(totals(b, ['completed', 'handleTime', 'wrapTime', 'busyTime'])).toEqual({ completed: 1, handleTime: 260, wrapTime: 60, busyTime: 260 });
  });

  it('no wrap-up: the same trace gives the plain numbers, no wrap stream is made', () => {
    const r = run({ types: [{ handle: 100 }], groups: [{ queues: [0], staffing: 1 }] }, [[0, 0], [0, 50]]);
    expect(r.state.wrapUp[0]).toBeNull();
    expect(r.state.wrapStream[0]).toBeNull();
    const b = r.run();
    expect(totals(b, ['waitAnswered', 'handleTime', 'wrapTime', 'busyTime'])).toEqual({ waitAnswered: 50, handleTime: 200, wrapTime: 0, busyTime: 200 });
  });

  it('wrap-up is per type: a type without it frees the agent at the end of the talk', () => {
    // Type 0 wraps 30, type 1 none; one agent serves both. A0@0 talk 0-100, wrap to 130;
    // then B1@10 and C0@20, one after the other (in either order the agent's time is
    // B's talk 100 and C's talk 100 + wrap 30): the agent is busy 0-360.
    const r = run({ types: [{ handle: 100, wrapUp: 30, queue: 0 }, { handle: 100, queue: 1 }], groups: [{ queues: [0, 1], staffing: 1 }] }, [[0, 0], [1, 10], [0, 20]]);
    const b = r.run();
    expect(totals(b, ['completed', 'handleTime', 'wrapTime', 'busyTime'])).toEqual({ completed: 3, handleTime: 360, wrapTime: 60, busyTime: 360 });
  });

  it('a misrouted call\'s transfer has no wrap-up; the right agent\'s completion does', () => {
    // Type 0 (queue 0) misroutes everything to queue 1 (the only other phone queue); the
    // wrong agent (group 1) transfers after 30 s, no wrap; the right agent talks 100, wraps 20.
    const ivr = { time: { kind: 'deterministic' as const, value: 0 }, selfService: 0, hangup: 0, misroute: 1, misrouteTime: 30 };
    const r = run({
      types: [{ handle: 100, wrapUp: 20, queue: 0, ivr }, { handle: 50, queue: 1 }],
      groups: [{ queues: [0], staffing: 1 }, { queues: [1], staffing: 1 }],
    }, [[0, 0]]);
    r.advanceTo(30);
    expect(r.state.aLoad[1]).toBe(0); // the wrong agent is free at once
    expect(r.state.aLoad[0]).toBe(1);
    r.advanceTo(130);
    expect(r.state.aWrap[0]).toBe(1);
    const b = r.run();
    expect(totals(b, ['transfers', 'completed', 'handleTime', 'wrapTime', 'busyTime'])).toEqual({ transfers: 1, completed: 1, handleTime: 120, wrapTime: 20, busyTime: 150 });
  });
});

describe('wrap-up with chats: each chat\'s wrap-up holds its slot', () => {
  it('maxContacts 2, talk 100, wrap 50: the third chat waits for the first slot to clear its wrap-up', () => {
    // Chats @0 and @10 take both slots; they end at 100 and 110, their wrap-ups at 150 and
    // 160. The chat @20 waits until 150 (wait 130), talk 150-250, wrap 250-300.
    const r = run({ types: [{ handle: 100, wrapUp: 50, channel: 'im' }], groups: [{ queues: [0], staffing: 1, maxContacts: 2 }] }, [[0, 0], [0, 10], [0, 20]]);
    r.advanceTo(120);
    expect(r.state.aLoad[0]).toBe(2);
    expect(r.state.aWrap[0]).toBe(2);
    expect(statusOf(r, 20)).toBe('waiting');
    r.advanceTo(150);
    expect(serving(r)).toEqual([[0, 20]]);
    expect(r.state.aWrap[0]).toBe(1);
    const b = r.run();
    // Busy: each chat half the agent for talk + wrap (150 s): 3 x 75.
    expect(totals(b, ['waitAnswered', 'handleTime', 'wrapTime', 'busyTime'])).toEqual({ waitAnswered: 130, handleTime: 450, wrapTime: 150, busyTime: 225 });
  });
});

describe('wrap-up and the agent leaving', () => {
  it('staffing drops to 0 during a wrap-up: the agent finishes it, then logs off', () => {
    // Intervals of 100 s, staffing [1, 0]. Call @50, talk 40 (50-90), wrap 30 (90-120).
    const r = run({ types: [{ handle: 40, wrapUp: 30 }], groups: [{ queues: [0], staffing: [1, 0] }], nIntervals: 2, intervalLength: 100 }, [[0, 50]]);
    r.advanceTo(100);
    expect(r.state.aLeaving[0]).toBe(1);
    expect(r.state.aWrap[0]).toBe(1);
    r.advanceTo(120);
    expect(r.state.aState[0]).toBe(AGENT_OFF);
    const b = r.run();
    expect(totals(b, ['completed', 'handleTime', 'busyTime', 'staffedTime'])).toEqual({ completed: 1, handleTime: 70, busyTime: 70, staffedTime: 120 });
  });

  it('a site failure with inService: drop cuts the wrap-up; its end goes stale', () => {
    // Talk 0-100, wrap 100-200; the site fails at 150 (drop, lose): the agent goes at once.
    const r = run({
      types: [{ handle: 100, wrapUp: 100 }], groups: [{ queues: [0], staffing: 1 }],
      failures: [{ site: 0, start: 150, end: 400, inService: 'drop', waiting: 'lose' }],
    }, [[0, 0]]);
    r.advanceTo(150);
    expect(r.state.aLoad[0]).toBe(0);
    expect(r.state.aWrap[0]).toBe(0);
    expect(r.state.aState[0]).toBe(AGENT_OFF);
    expect(r.state.busy).toBe(0);
    const b = r.run();
    expect(r.state.aLoad[0]).toBe(0);
    expect(r.state.busy).toBe(0);
    // The contact completed before the failure: its handle time counts the whole drawn wrap-up.
    expect(totals(b, ['completed', 'dropped', 'handleTime', 'wrapTime', 'busyTime'])).toEqual({ completed: 1, dropped: 0, handleTime: 200, wrapTime: 100, busyTime: 150 });
  });

  it('a site failure with inService: finish lets the wrap-up end, then the agent goes', () => {
    const r = run({
      types: [{ handle: 100, wrapUp: 100 }], groups: [{ queues: [0], staffing: 1 }],
      failures: [{ site: 0, start: 150, end: 400, inService: 'finish', waiting: 'lose' }],
    }, [[0, 0]]);
    r.advanceTo(150);
    expect(r.state.aLeaving[0]).toBe(1);
    expect(r.state.aWrap[0]).toBe(1);
    r.advanceTo(200);
    expect(r.state.aState[0]).toBe(AGENT_OFF);
    const b = r.run();
    expect(total(b, 'busyTime')).toBe(200);
  });
});

describe('wrap-up keeps common random numbers', () => {
  /** M/M/3 without abandonment, a few hours, everything worked off: every arrival completes. */
  const model = (wrap: boolean): ModelConfig => deepFreeze(modelConfig({
    name: 'crn', seed: 7, horizon: 4 * 3600, intervalLength: 900, warmup: 0, threshold: 20, sla: [],
    types: [{
      name: 'calls', channel: 'phone', arrivalRates: new Array(16).fill(40 / 3600),
      handleTime: { kind: 'exponential', mean: 180 }, patience: null, queue: 0,
      ...(wrap ? { wrapUp: { kind: 'exponential' as const, mean: 30 } } : {}),
    }],
    queues: [{ name: 'calls' }],
    groups: [{ name: 'agents', site: 0, queues: [0], staffing: new Array(16).fill(3) }],
    sites: [{ name: 'center', lines: null }],
  }));

  it('the same arrivals and talk times with and without wrap-up (its own stream per type)', () => {
    const a = model(false), b = model(true);
    for (let rep = 0; rep < 3; rep++) {
      const ta = totalRow(decodeResult(replicate(a, rep), a).rows, a);
      const tb = totalRow(decodeResult(replicate(b, rep), b).rows, b);
      expect(tb[M.arrivals]).toBe(ta[M.arrivals]);
      expect(tb[M.completed]).toBe(ta[M.completed]);
      expect(tb[M.completed]).toBe(tb[M.arrivals]);
      expect(tb[M.wrapTime]).toBeGreaterThan(0);
      // talk = handle time - wrap: the same talk times, to rounding
      expect(Math.abs(tb[M.handleTime] - tb[M.wrapTime] - ta[M.handleTime])).toBeLessThan(1e-9 * ta[M.handleTime]);
      // the wrap-up costs waiting time and agent time
      expect(tb[M.waitAnswered]).toBeGreaterThan(ta[M.waitAnswered]);
      expect(kpisOf(tb).occupancy).toBeGreaterThan(kpisOf(ta).occupancy);
    }
  });
});
