import { describe, expect, it } from 'vitest';
import { erlangB } from '../../sim/src/analytic/index.ts';
import type { IvrConfig } from '../../sim/src/config/model-config.ts';
import type { DistSpec } from '../../sim/src/core/distributions.ts';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { decodeResult, summarize, type RunSummary } from '../../sim/src/metrics/summary.ts';
import { CHANNELS, M, NCH, NM } from '../../sim/src/model/layout.ts';
import { ABANDON_ARM_AFTER, CALL_IVR, CALL_RETRY, CALL_WAITING } from '../../sim/src/model/state.ts';
import { centerModel, row, serving, slotOf, statusOf, total, totals, type CenterSpec } from '../fixtures/center/model.ts';

/**
 * The contact lifecycle of the whole-center engine (sim/src/model/lifecycle.ts):
 * IVR, misroutes and transfers, IM bot, chat concurrency, deadlines and backlog,
 * blending, redials and callbacks. Exact cases are hand-worked with injected
 * contacts, deterministic times and probabilities 0 or 1; fractional shares are
 * checked over many contacts within 4 standard errors. Agent ids are contiguous per
 * group in group order.
 */

const det = (value: number): DistSpec => ({ kind: 'deterministic', value });

function run(spec: CenterSpec, arrivals: [type: number, time: number][]): Replication {
  const r = new Replication(centerModel(spec), 0);
  for (const [type, t] of arrivals) r.inject(type, t);
  return r;
}

function summaryOf(r: Replication, buf: Float64Array): RunSummary {
  return summarize(r.cfg, [decodeResult(buf, r.cfg)], 0);
}

const OUTCOMES = ['blocked', 'deflected', 'ivrHangup', 'answered', 'abandoned', 'lost', 'unfinished'] as const;

/** Every attempt ends in exactly one outcome; offered ones in answered, abandoned, lost or unfinished. */
function expectConservation(buf: Float64Array): void {
  const t = totals(buf, ['arrivals', 'offered', 'completed', 'dropped', ...OUTCOMES]);
  expect(OUTCOMES.reduce((a, k) => a + t[k], 0)).toBe(t.arrivals);
  expect(t.answered + t.abandoned + t.lost + t.unfinished).toBe(t.offered);
  expect(t.completed + t.dropped).toBe(t.answered);
}

/** |observed share - p| within 4 standard errors of a binomial share over n. */
function expectShare(count: number, n: number, p: number): void {
  const se = Math.sqrt((p * (1 - p)) / n);
  expect(Math.abs(count / n - p)).toBeLessThan(4 * se);
}

// ---------------------------------------------------------------- IVR

describe('IVR', () => {
  const ivr = (o: Partial<{ selfService: number; hangup: number; misroute: number; misrouteTime: number }>) => ({
    time: det(30), selfService: 0, hangup: 0, misroute: 0, misrouteTime: 30, ...o,
  });

  it('30 s in the menu: queue entry at 30, the wait counts from there, the trunk line is held from 0', () => {
    // One agent, handle 100, 2 lines. A@0 -> queue at 30, answered at 30 (wait 0), 30-130.
    // B@10 -> queue at 40, waits until 130 (wait 90). C@20 finds both lines held (A, B in the IVR): blocked.
    const r = run({ types: [{ handle: 100, ivr: ivr({}) }], groups: [{ queues: [0], staffing: 1 }], sites: [2] }, [[0, 0], [0, 10], [0, 20]]);
    r.advanceTo(29.999);
    expect(r.state.cState[slotOf(r, 0)]).toBe(CALL_IVR);
    expect(r.state.siteInSystem[0]).toBe(2);
    expect(serving(r)).toEqual([]);
    expect(total(r.result(), 'offered')).toBe(0);
    r.advanceTo(30);
    expect(serving(r)).toEqual([[0, 0]]);
    r.advanceTo(40);
    expect(statusOf(r, 10)).toBe('waiting');
    r.advanceTo(130);
    expect(serving(r)).toEqual([[0, 10]]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'blocked', 'offered', 'answered', 'waitAnswered', 'handleTime', 'busyTime'])).toEqual({
      arrivals: 3, blocked: 1, offered: 2, answered: 2, waitAnswered: 90, handleTime: 200, busyTime: 200,
    });
    expect(summaryOf(r, b).totals.asa.mean).toBe(45);
    expect(r.state.siteInSystem[0]).toBe(0);
    expectConservation(b);
  });

  it('selfService 1: deflected at the end of the menu, no agent time, the line freed', () => {
    const r = run({ types: [{ handle: 100, ivr: ivr({ selfService: 1 }) }], groups: [{ queues: [0], staffing: 1 }], sites: [1] }, [[0, 0], [0, 31]]);
    r.advanceTo(30);
    expect(r.state.siteInSystem[0]).toBe(0);
    const b = r.run();
    expect(totals(b, ['arrivals', 'deflected', 'offered', 'answered', 'ivrHangup', 'customersLost', 'busyTime', 'handleTime', 'blocked'])).toEqual({
      arrivals: 2, deflected: 2, offered: 0, answered: 0, ivrHangup: 0, customersLost: 0, busyTime: 0, handleTime: 0, blocked: 0,
    });
    expectConservation(b);
  });

  it('hangup 1: ivrHangup and a lost customer, never offered', () => {
    const r = run({ types: [{ handle: 100, ivr: ivr({ hangup: 1 }) }], groups: [{ queues: [0], staffing: 1 }] }, [[0, 0]]);
    const b = r.run();
    const s = summaryOf(r, b);
    expect(totals(b, ['arrivals', 'ivrHangup', 'customersLost', 'offered', 'deflected', 'busyTime'])).toEqual({
      arrivals: 1, ivrHangup: 1, customersLost: 1, offered: 0, deflected: 0, busyTime: 0,
    });
    expect(s.totals.customers.mean).toBe(1);
    expect(s.totals.customerLossRate.mean).toBe(1);
    expectConservation(b);
  });

  it('fractional shares (selfService 0.2, hangup 0.1, misroute 0.15) over 20000 calls: within 4 SE; conservation holds', () => {
    const n = 20000;
    const spec: CenterSpec = {
      types: [{ handle: 1, queue: 0, ivr: { time: { kind: 'exponential', mean: 30 }, selfService: 0.2, hangup: 0.1, misroute: 0.15, misrouteTime: 5 } }, { handle: 1, queue: 1 }],
      groups: [{ queues: [0], staffing: 3 }, { queues: [1], staffing: 3 }],
      intervalLength: 200_000,
    };
    const arrivals: [number, number][] = Array.from({ length: n }, (_, i) => [0, i * 5]);
    const r = run(spec, arrivals);
    const b = r.run();
    const t = totals(b, ['arrivals', 'deflected', 'ivrHangup', 'offered', 'answered', 'transfers', 'completed', 'customersLost']);
    expect(t.arrivals).toBe(n);
    expectShare(t.deflected, n, 0.2);
    expectShare(t.ivrHangup, n, 0.1);
    // Every misrouted call is answered by queue 1's agents and transferred once.
    expectShare(t.transfers, n, 0.15);
    expect(t.offered).toBe(n - t.deflected - t.ivrHangup);
    expect(t.answered).toBe(t.offered);
    expect(t.completed).toBe(t.answered);
    expect(t.customersLost).toBe(t.ivrHangup);
    expectConservation(b);
  });
});

describe('IVR taken only when no agent is free (onlyWhenNoAgentFree: callers identify while they wait)', () => {
  const only = (o: Partial<IvrConfig> = {}): IvrConfig => ({ time: det(30), selfService: 0, hangup: 0, misroute: 0, misrouteTime: 30, onlyWhenNoAgentFree: true, ...o });

  it('hand-worked: an agent free and nobody ahead: answered at once; otherwise the menu, and a caller in it counts as ahead', () => {
    // One agent, handle 10, menu 30 s. A@0: agent free -> answered 0-10. B@5: agent busy -> menu 5-35.
    // C@20: the agent is free (since 10) but B is in the menu, ahead of C -> menu 20-50.
    // B at 35: queue, agent free -> 35-45. C at 50 -> 50-60. D@70: agent free, nobody ahead -> answered at once.
    const r = run({ types: [{ handle: 10, ivr: only() }], groups: [{ queues: [0], staffing: 1 }] }, [[0, 0], [0, 5], [0, 20], [0, 70]]);
    r.advanceTo(1);
    expect(serving(r)).toEqual([[0, 0]]);
    r.advanceTo(21);
    expect(serving(r)).toEqual([]);
    expect(r.state.cState[slotOf(r, 5)]).toBe(CALL_IVR);
    expect(r.state.cState[slotOf(r, 20)]).toBe(CALL_IVR);
    expect(r.state.qHolding[0]).toBe(2);
    r.advanceTo(36);
    expect(serving(r)).toEqual([[0, 5]]);
    expect(r.state.qHolding[0]).toBe(1);
    r.advanceTo(51);
    expect(serving(r)).toEqual([[0, 20]]);
    expect(r.state.qHolding[0]).toBe(0);
    r.advanceTo(70);
    expect(serving(r)).toEqual([[0, 70]]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'offered', 'answered', 'waitAnswered', 'busyTime', 'ivrHangup'])).toEqual({
      arrivals: 4, offered: 4, answered: 4, waitAnswered: 0, busyTime: 40, ivrHangup: 0,
    });
    expectConservation(b);
  });

  it('with hang-up 1 in the menu it is a loss system: the lost share is Erlang B (5 agents, 4 erlangs), within 4 SE', () => {
    // Everyone who cannot be connected at once leaves: M/G/5/5, lost share B(4, 5) = 0.1991 whatever the handle time.
    const spec: CenterSpec = {
      types: [{ handle: 100, rate: 0.04, ivr: only({ time: det(1e-6), hangup: 1 }) }],
      groups: [{ queues: [0], staffing: 5 }],
      intervalLength: 1_000_000,
    };
    const r = new Replication(centerModel(spec), 0);
    const b = r.run();
    const t = totals(b, ['arrivals', 'ivrHangup', 'answered', 'offered']);
    expect(t.arrivals).toBeGreaterThan(39000);
    expectShare(t.ivrHangup, t.arrivals, erlangB(4, 5));
    expect(t.offered).toBe(t.answered);
    expect(t.answered + t.ivrHangup).toBeGreaterThanOrEqual(t.arrivals - 5);
    expectConservation(b);
  });
});

// ---------------------------------------------------------------- misroute

describe('IVR misroute (two phone queues with their own agents)', () => {
  // type 0: queue 0, handle 100, IVR 10 s, misroute 1, misrouteTime 30
  // type 1: queue 1, handle 100; type 2: queue 0, handle 200
  // group 0 (agent 0) serves queue 0, group 1 (agent 1) queue 1.
  const spec: CenterSpec = {
    types: [
      { handle: 100, queue: 0, ivr: { time: det(10), selfService: 0, hangup: 0, misroute: 1, misrouteTime: 30 } },
      { handle: 100, queue: 1 },
      { handle: 200, queue: 0 },
    ],
    groups: [{ queues: [0], staffing: 1 }, { queues: [1], staffing: 1 }],
  };

  it('alone: the wrong agent holds it exactly misrouteTime, then the right agent serves the handle time', () => {
    const r = run(spec, [[0, 0]]);
    r.advanceTo(10);
    expect(serving(r)).toEqual([[1, 0]]);
    r.advanceTo(39.999);
    expect(serving(r)).toEqual([[1, 0]]);
    r.advanceTo(40);
    expect(serving(r)).toEqual([[0, 0]]);
    r.advanceTo(139.999);
    expect(serving(r)).toEqual([[0, 0]]);
    r.advanceTo(140);
    expect(serving(r)).toEqual([]);
    const b = r.run();
    expect(totals(b, ['offered', 'answered', 'completed', 'transfers', 'waitAnswered', 'handleTime', 'busyTime'])).toEqual({
      offered: 1, answered: 1, completed: 1, transfers: 1, waitAnswered: 0, handleTime: 100, busyTime: 130,
    });
    expectConservation(b);
  });

  it('both agents busy: waits in the wrong queue (counted), transfers, waits again (not counted), answered once, completed once', () => {
    // t1@0 -> agent 1, 0-100; t2@0.5 -> agent 0, 0.5-200.5; t0@1 -> queue 1 at 11, waits 89,
    // agent 1 100-130, transfer to queue 0, waits for agent 0 until 200.5, served 200.5-300.5.
    const r = run(spec, [[1, 0], [2, 0.5], [0, 1]]);
    r.advanceTo(100);
    expect(serving(r)).toEqual([[0, 0.5], [1, 1]]);
    const misrouted = slotOf(r, 1);
    r.advanceTo(129.999);
    expect(serving(r)).toEqual([[0, 0.5], [1, 1]]);
    r.advanceTo(130);
    expect(serving(r)).toEqual([[0, 0.5]]);
    expect(statusOf(r, 1)).toBe('waiting');
    expect(r.state.cQueue[misrouted]).toBe(0);
    expect(total(r.result(), 'transfers')).toBe(1);
    r.advanceTo(200.5);
    expect(serving(r)).toEqual([[0, 1]]);
    r.advanceTo(300.499);
    expect(statusOf(r, 1)).toBe('service');
    r.advanceTo(300.5);
    expect(statusOf(r, 1)).toBe('gone');
    const b = r.run();
    expect(totals(b, ['offered', 'answered', 'completed', 'transfers', 'waitAnswered', 'handleTime', 'busyTime', 'abandoned'])).toEqual({
      offered: 3, answered: 3, completed: 3, transfers: 1, waitAnswered: 89, handleTime: 400, busyTime: 430, abandoned: 0,
    });
    expectConservation(b);
  });
});

describe('IVR misroute in local site mode', () => {
  // Once a bug, fixed (sim/src/model/lifecycle.ts, onIvrEnd): in local mode the engine's queues are
  // (queue, site) pairs, and the "wrong" queue is drawn among all of them, so with a
  // single skill a misroute lands in the same skill's queue at the other site: that
  // site's agent holds the call misrouteTime and "transfers" it back (and with several
  // skills, misroutes to the same skill elsewhere happen too). Fix: draw the wrong queue
  // among the other base queues of the same channel (w / nSites !== q / nSites, keeping
  // the landing site), and skip the misroute when there is none.
  it('with one skill there is no wrong queue: no transfer, served at the landing site', () => {
    const r = run({
      types: [{ handle: 100, ivr: { time: det(10), selfService: 0, hangup: 0, misroute: 1, misrouteTime: 30 } }],
      groups: [{ site: 0, queues: [0], staffing: 1 }, { site: 1, queues: [0], staffing: 1 }],
      sites: [null, null], siteMode: 'local', siteOverflowAfter: 1000, siteTransferDelay: 5,
    }, [[0, 0]]);
    r.advanceTo(10);
    expect(serving(r)).toEqual([[0, 0]]);
    const b = r.run();
    expect(totals(b, ['answered', 'transfers', 'handleTime', 'busyTime'])).toEqual({ answered: 1, transfers: 0, handleTime: 100, busyTime: 100 });
  });
});

// ---------------------------------------------------------------- IM bot

describe('IM bot', () => {
  it('deflection 1: deflected, no agent time', () => {
    const r = run({ types: [{ handle: 100, channel: 'im', bot: { deflection: 1, summarySaving: 0 } }], groups: [{ queues: [0], staffing: 1 }] }, [[0, 0], [0, 5]]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'deflected', 'offered', 'answered', 'busyTime', 'customersLost'])).toEqual({
      arrivals: 2, deflected: 2, offered: 0, answered: 0, busyTime: 0, customersLost: 0,
    });
    expectConservation(b);
  });

  it('deflection 0, summarySaving 0.3: a 100 s chat takes 70 s', () => {
    const r = run({ types: [{ handle: 100, channel: 'im', bot: { deflection: 0, summarySaving: 0.3 } }], groups: [{ queues: [0], staffing: 1 }] }, [[0, 0]]);
    r.advanceTo(69.999);
    expect(serving(r)).toEqual([[0, 0]]);
    r.advanceTo(70);
    expect(serving(r)).toEqual([]);
    const b = r.run();
    expect(totals(b, ['deflected', 'answered', 'completed'])).toEqual({ deflected: 0, answered: 1, completed: 1 });
    expect(total(b, 'handleTime')).toBeCloseTo(70, 9);
  });

  // Once a bug, fixed (sim/src/model/lifecycle.ts, attempt()): the bot's summary saving multiplies
  // cHandle[slot] on every attempt, and a redial keeps the slot (and its need), so a
  // chat that abandons and comes back is shortened twice (100 -> 70 -> 49). Fix:
  // apply the saving once per customer (e.g. only when cAttempt[slot] === 1), or keep
  // the need and apply the factor in answer().
  it('a chat that abandons and redials is shortened once by the summary, not per attempt', () => {
    // No agent in interval 0 (0-100), one from 100. Chat@0: patience 30 -> abandons at 30,
    // redials at 90, answered at 100: its service should be 70 s.
    const r = run({
      types: [{ handle: 100, channel: 'im', patience: 30, bot: { deflection: 0, summarySaving: 0.3 }, redial: { probability: 1, delay: det(60), maxAttempts: 3 } }],
      groups: [{ queues: [0], staffing: [0, 1] }], nIntervals: 2, intervalLength: 100,
    }, [[0, 0]]);
    const b = r.run();
    expect(totals(b, ['answered', 'abandoned', 'retries'])).toEqual({ answered: 1, abandoned: 1, retries: 1 });
    expect(total(b, 'handleTime')).toBeCloseTo(70, 9);
  });
});

// ---------------------------------------------------------------- chat concurrency

describe('chat concurrency (maxContacts 3, slowdown 0.25)', () => {
  const chat = (handle: number, intervalLength = 1000): CenterSpec => ({
    types: [{ handle, channel: 'im' }],
    groups: [{ queues: [0], staffing: 1, maxContacts: 3, slowdown: 0.25 }],
    intervalLength,
  });

  it('one agent takes three chats at once (h, 1.25h, 1.5h); a fourth waits for the first to end and takes 1.5h', () => {
    // h = 100. c0@0 ends 100, c1@1 ends 126, c2@2 ends 152; c3@3 waits until 100 (load 2): 100-250.
    const r = run(chat(100), [[0, 0], [0, 1], [0, 2], [0, 3]]);
    r.advanceTo(3);
    expect(serving(r)).toEqual([[0, 0], [0, 1], [0, 2]]);
    expect(statusOf(r, 3)).toBe('waiting');
    expect(r.state.busy).toBeCloseTo(1, 12);
    r.advanceTo(99.999);
    expect(statusOf(r, 3)).toBe('waiting');
    r.advanceTo(100);
    expect(serving(r).map((x) => x[1])).toEqual([1, 2, 3]);
    r.advanceTo(125.999);
    expect(statusOf(r, 1)).toBe('service');
    r.advanceTo(126);
    expect(statusOf(r, 1)).toBe('gone');
    r.advanceTo(151.999);
    expect(statusOf(r, 2)).toBe('service');
    r.advanceTo(152);
    expect(statusOf(r, 2)).toBe('gone');
    r.advanceTo(249.999);
    expect(statusOf(r, 3)).toBe('service');
    r.advanceTo(250);
    expect(statusOf(r, 3)).toBe('gone');
    const b = r.run();
    expect(totals(b, ['answered', 'completed', 'waitAnswered', 'answeredWithin'])).toEqual({ answered: 4, completed: 4, waitAnswered: 97, answeredWithin: 3 });
    expect(total(b, 'handleTime')).toBeCloseTo(100 + 125 + 150 + 150, 9);
    // Busy: 1/3 (0-1), 2/3 (1-2), 1 (2-126), 2/3 (126-152), 1/3 (152-250) = 175 agent-seconds.
    expect(row(b, 0, 'busyTime')).toBeCloseTo(175, 9);
  });

  it('one chat of three for the whole interval: occupancy 1/3', () => {
    const r = run(chat(1000, 100), [[0, 0]]);
    const b = r.run();
    expect(row(b, 0, 'busyTime')).toBeCloseTo(100 / 3, 9);
    expect(row(b, 0, 'staffedTime')).toBe(100);
    expect(summaryOf(r, b).totals.occupancy.mean).toBeCloseTo(1 / 3, 12);
  });
});

// ---------------------------------------------------------------- deadlines and backlog

describe('deadlines and backlog (email, deadline 100 s, no patience, one agent)', () => {
  it('a reply after 150 s is late; backlog and overdue are taken at each interval end; totals keep the last level', () => {
    // Intervals of 120 s, horizon 240. Handle 150. A@0 served 0-150; B@0 waits 150 (late),
    // served 150-300; C@200 waits until 300 (100 s: on time). At 120: B waiting 120 s
    // (backlog 1, overdue 1); at 240: C waiting 40 s (backlog 1, overdue 0).
    const r = run({ types: [{ handle: 150, channel: 'email', deadline: 100 }], groups: [{ queues: [0], staffing: 1 }], nIntervals: 2, intervalLength: 120 },
      [[0, 0], [0, 0.5], [0, 200]]);
    const b = r.run();
    expect(totals(b, ['answered', 'answeredLate', 'completed', 'abandoned'])).toEqual({ answered: 3, answeredLate: 1, completed: 3, abandoned: 0 });
    expect([row(b, 0, 'backlog'), row(b, 0, 'overdue'), row(b, 1, 'backlog'), row(b, 1, 'overdue')]).toEqual([1, 1, 1, 0]);
    const s = summaryOf(r, b);
    expect(s.totals.replyOnTime.mean).toBeCloseTo(2 / 3, 12);
    expect(s.totals.backlog.mean).toBe(1);
    expect(s.totals.overdue.mean).toBe(0);
    expect(s.intervals[0].replyOnTime.mean).toBe(0.5);
    expect(s.intervals[0].byChannel!.email.backlog.mean).toBe(1);
    expect(s.intervals[0].byChannel!.email.overdue.mean).toBe(1);
    expect(s.intervals[0].bySite!.s0.overdue.mean).toBe(1);
    expect(s.byChannel.email.replyOnTime.mean).toBeCloseTo(2 / 3, 12);
    // The type's levels at the horizon are the channel's (issue 12, item 3: they were 0).
    expect([s.byType.t0.backlog.mean, s.byType.t0.overdue.mean]).toEqual([1, 0]);
  });

  it('an email arriving late on day 1 waits overnight: backlog carried into day 2, served when staff return, late', () => {
    // 6 h intervals over two days; the agent works [0-18h) each day except it is off
    // 18h day 1 - 6h day 2. Deadline 3 h. Email at 20 h (interval 3) waits until 30 h (interval 5 start).
    const L = 6 * 3600;
    const r = run({
      types: [{ handle: 600, channel: 'email', deadline: 3 * 3600 }],
      groups: [{ queues: [0], staffing: [1, 1, 1, 0, 0, 1, 1, 1] }], nIntervals: 8, intervalLength: L,
    }, [[0, 20 * 3600]]);
    r.advanceTo(5 * L - 1);
    expect(statusOf(r, 20 * 3600)).toBe('waiting');
    r.advanceTo(5 * L);
    expect(statusOf(r, 20 * 3600)).toBe('service');
    const b = r.run();
    expect([3, 4, 5].map((i) => row(b, i, 'backlog'))).toEqual([1, 1, 0]);
    // At 24 h it has waited 4 h > 3 h: overdue already at the end of day 1.
    expect([3, 4, 5].map((i) => row(b, i, 'overdue'))).toEqual([1, 1, 0]);
    expect(row(b, 3, 'answered')).toBe(1); // counted in its arrival interval
    expect(row(b, 3, 'waitAnswered')).toBe(10 * 3600);
    const s = summaryOf(r, b);
    expect(s.totals.replyOnTime.mean).toBe(0);
    expect(s.totals.backlog.mean).toBe(0);
    expect(s.intervals[4].backlog.mean).toBe(1);
  });

  // Issue 12, item 3: byType.flight-zh-email.backlog was 0 while byChannel.email.backlog was
  // 8,019 (levels were kept per (site, channel) sub-row only, never per (type, site) cell).
  it('per-type backlog and overdue at the horizon add up to the channel\'s, per site too, warm-up arrivals included', () => {
    // Two sites; phone well staffed; two email types and a fax type share one email agent
    // (about 12.6 erlangs of work): a backlog that still holds contacts of the warm-up.
    const spec: CenterSpec = {
      types: [
        { name: 'phone', handle: 120, queue: 0, rate: 0.05, patience: 300, siteSplit: [0.5, 0.5] },
        { name: 'email-a', handle: 600, queue: 1, rate: 0.01, channel: 'email', deadline: 1800, siteSplit: [0.6, 0.4] },
        { name: 'email-b', handle: 900, queue: 2, rate: 0.006, channel: 'email', deadline: 3600, siteSplit: [0.2, 0.8] },
        { name: 'fax', handle: 600, queue: 3, rate: 0.002, channel: 'fax', deadline: 7200, siteSplit: [0.5, 0.5] },
      ],
      groups: [
        { site: 0, queues: [0], staffing: 8 },
        { site: 1, queues: [0], staffing: 8 },
        { site: 0, queues: [1, 2, 3], staffing: 1 },
        { site: 1, queues: [1, 2], staffing: 0 },
      ],
      sites: [null, null],
      nIntervals: 6,
      intervalLength: 1800,
    };
    const cfg = { ...centerModel(spec), warmup: 1800 };
    const r = new Replication(cfg, 2);
    r.advanceTo(cfg.horizon);
    const st = r.state;
    let fromWarmup = 0;
    for (let slot = 0; slot < st.nSlots; slot++) if (st.cState[slot] === CALL_WAITING && st.cRow[slot] === 0) fromWarmup++;
    expect(fromWarmup).toBeGreaterThan(0); // at the horizon; the drain then works them off
    const b = r.run();
    const d = decodeResult(b, cfg);
    const s = summarize(cfg, [d], 0);
    expect(s.byChannel.email.backlog.mean).toBeGreaterThan(50);
    expect(s.byChannel.email.overdue.mean).toBeGreaterThan(0);
    for (const ch of ['phone', 'email', 'fax'] as const) {
      const types = cfg.types.filter((t) => t.channel === ch).map((t) => t.name);
      for (const k of ['backlog', 'overdue'] as const) {
        expect(types.reduce((a, t) => a + s.byType[t][k].mean!, 0), `${ch} ${k}`).toBe(s.byChannel[ch][k].mean);
      }
    }
    // Per landing site: the (type, site) cells against the (site, channel) sub-rows of the last interval.
    const nS = 2, nI = 6;
    for (let si = 0; si < nS; si++) {
      for (const ch of ['phone', 'email', 'fax'] as const) {
        const c = CHANNELS.indexOf(ch);
        for (const k of ['backlog', 'overdue'] as const) {
          const byCell = cfg.types.reduce((a, t, ti) => a + (t.channel === ch ? d.cells[(ti * nS + si) * NM + M[k]] : 0), 0);
          expect(byCell, `site ${si} ${ch} ${k}`).toBe(d.subRows[(((nI - 1) * nS + si) * NCH + c) * NM + M[k]]);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- blending

describe('blending (phone queue 0 primary, email queue 1 with blendBelow 1)', () => {
  // type 0: phone, queue 0, handle 100; type 1: email, queue 1, handle 50.
  const types: CenterSpec['types'] = [{ handle: 100, queue: 0 }, { handle: 50, queue: 1, channel: 'email' }];

  it('with a phone call waiting the agent takes it, not the older email; then the email', () => {
    // P1@0 -> agent 0 (0-100); E@5 waits; P2@10 waits. FIFO alone would pick E at 100.
    const r = run({ types, groups: [{ queues: [0, 1], staffing: 1, blendBelow: [null, 1] }] }, [[0, 0], [1, 5], [0, 10]]);
    r.advanceTo(100);
    expect(serving(r)).toEqual([[0, 10]]);
    expect(statusOf(r, 5)).toBe('waiting');
    r.advanceTo(200);
    expect(serving(r)).toEqual([[0, 5]]);
    const b = r.run();
    expect(totals(b, ['answered', 'waitAnswered'])).toEqual({ answered: 3, waitAnswered: 90 + 195 });
  });

  it('without blending (blendBelow null) FIFO takes the older email first', () => {
    const r = run({ types, groups: [{ queues: [0, 1], staffing: 1 }] }, [[0, 0], [1, 5], [0, 10]]);
    r.advanceTo(100);
    expect(serving(r)).toEqual([[0, 5]]);
  });

  it('with no phone call waiting an idle blended agent takes an arriving email at once', () => {
    const r = run({ types, groups: [{ queues: [0, 1], staffing: 1, blendBelow: [null, 1] }] }, [[1, 0]]);
    r.advanceTo(0);
    expect(serving(r)).toEqual([[0, 0]]);
  });

  // Group 0 (agent 0): phone only. Group 1 (agent 1): email only, blended (blendBelow 1).
  const split: CenterSpec = { types, groups: [{ queues: [0], staffing: 1 }, { queues: [1], staffing: 1, blendBelow: [1] }] };

  it('an email arriving while a phone call waits is not taken by the idle blended agent', () => {
    // P1@0 -> agent 0 (0-100); P2@10 waits; E@20: agent 1 idle, but a phone call waits.
    const r = run(split, [[0, 0], [0, 10], [1, 20]]);
    r.advanceTo(20);
    expect(serving(r)).toEqual([[0, 0]]);
    expect(statusOf(r, 20)).toBe('waiting');
    expect(r.state.phoneWaiting).toBe(1);
  });

  // Once a bug, fixed (sim/src/model/lifecycle.ts, wakeBlended): nothing wakes an idle blended agent when the phone
  // queue drains (a phone call answered in agentFree, abandoned in onAbandon, or taking a
  // callback in onCallbackOffer). Blended contacts already waiting stay put until some
  // new contact reaches that agent; with no later arrival the email above ends
  // 'unfinished'. Fix: when phoneWaiting falls below a threshold, offer waiting blended
  // contacts to the idle agents of the groups that blend them (e.g. run agentFree on
  // the available agents of groups with a finite groupBlend, or re-check the heads of
  // the blended queues with findIdleAgent).
  it('when the phone call is answered (phoneWaiting 0) the idle blended agent takes the waiting email', () => {
    const r = run(split, [[0, 0], [0, 10], [1, 20]]);
    r.advanceTo(100);
    expect(r.state.phoneWaiting).toBe(0);
    expect(serving(r)).toEqual([[0, 10], [1, 20]]);
    const b = r.run();
    expect(totals(b, ['answered', 'unfinished'])).toEqual({ answered: 3, unfinished: 0 });
  });
});

// ---------------------------------------------------------------- redials

describe('redials (probability 1, delay 60, maxAttempts 3)', () => {
  const redial = { probability: 1, delay: det(60), maxAttempts: 3 };

  it('blocked three times (no line): retries at +60, then lost; customers = arrivals - retries', () => {
    const r = run({ types: [{ handle: 100, redial }], groups: [{ queues: [0], staffing: 1 }], sites: [0], nIntervals: 2, intervalLength: 100 }, [[0, 0]]);
    r.advanceTo(59.999);
    expect(total(r.result(), 'arrivals')).toBe(1);
    expect(r.state.cState[0]).toBe(CALL_RETRY);
    r.advanceTo(60);
    expect(totals(r.result(), ['arrivals', 'retries', 'blocked'])).toEqual({ arrivals: 2, retries: 1, blocked: 2 });
    r.advanceTo(119.999);
    expect(total(r.result(), 'arrivals')).toBe(2);
    const b = r.run();
    expect(totals(b, ['arrivals', 'retries', 'blocked', 'customersLost', 'offered'])).toEqual({
      arrivals: 3, retries: 2, blocked: 3, customersLost: 1, offered: 0,
    });
    // Each attempt counts in its own interval: 0 and 60 in interval 0, 120 in interval 1 (with the loss).
    expect([row(b, 0, 'arrivals'), row(b, 1, 'arrivals'), row(b, 1, 'customersLost')]).toEqual([2, 1, 1]);
    const s = summaryOf(r, b);
    expect(s.totals.customers.mean).toBe(1);
    expect(s.totals.customerLossRate.mean).toBe(1);
    expect(r.state.inSystem).toBe(0);
    expectConservation(b);
  });

  it('an abandoning caller redials and is answered: one customer, not lost; the second wait counts from the redial', () => {
    // No agent 0-100, one from 100. Patience 30: abandons at 30, redials at 90, answered at 100 (wait 10).
    const r = run({ types: [{ handle: 100, patience: 30, redial }], groups: [{ queues: [0], staffing: [0, 1] }], nIntervals: 2, intervalLength: 100 }, [[0, 0]]);
    r.advanceTo(30);
    expect(totals(r.result(), ['abandoned'])).toEqual({ abandoned: 1 });
    r.advanceTo(100);
    expect(serving(r)).toEqual([[0, 90]]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'retries', 'answered', 'abandoned', 'customersLost', 'waitAnswered', 'waitAbandoned'])).toEqual({
      arrivals: 2, retries: 1, answered: 1, abandoned: 1, customersLost: 0, waitAnswered: 10, waitAbandoned: 30,
    });
    const s = summaryOf(r, b);
    expect(s.totals.customers.mean).toBe(1);
    expect(s.totals.customerLossRate.mean).toBe(0);
    expectConservation(b);
  });

  it('a redial frees the trunk line of the abandoned attempt', () => {
    const r = run({ types: [{ handle: 100, patience: 30, redial }], groups: [{ queues: [0], staffing: [0, 1] }], sites: [1], nIntervals: 2, intervalLength: 100 }, [[0, 0], [0, 40]]);
    r.advanceTo(40);
    // The first caller abandoned at 30 and waits to redial: the call at 40 gets the line.
    expect(r.state.siteInSystem[0]).toBe(1);
    expect(total(r.result(), 'blocked')).toBe(0);
  });

  it('probability 0.5, maxAttempts 2, no line: retries / customers ~ 0.5 (4 SE), every customer lost', () => {
    const n = 10000;
    const r = run({ types: [{ handle: 100, redial: { probability: 0.5, delay: det(60), maxAttempts: 2 } }], groups: [{ queues: [0], staffing: 1 }], sites: [0], intervalLength: 1e6 },
      Array.from({ length: n }, (_, i) => [0, i]));
    const b = r.run();
    const t = totals(b, ['arrivals', 'retries', 'customersLost', 'blocked']);
    expect(t.arrivals - t.retries).toBe(n);
    expect(t.customersLost).toBe(n);
    expect(t.blocked).toBe(t.arrivals);
    expectShare(t.retries, n, 0.5);
  });
});

// ---------------------------------------------------------------- callbacks

describe('callbacks (offerAfter 30, acceptance 1, dialTime 20, patience 60)', () => {
  const spec: CenterSpec = {
    types: [{ handle: 100, patience: 60, callback: { offerAfter: 30, acceptance: 1, dialTime: 20 } }],
    groups: [{ queues: [0], staffing: 1 }], sites: [3],
  };

  it('a caller waiting 30 s accepts, frees the line, never abandons, keeps the place; service handle + 20', () => {
    // A@0 served 0-100. B@10 offered at 40, C@50 offered at 80: both accept. Neither
    // abandons (B at 70, C at 110). B served 100-220, C 220-340.
    const r = run(spec, [[0, 0], [0, 10], [0, 50]]);
    r.advanceTo(39.999);
    expect(r.state.siteInSystem[0]).toBe(2);
    expect(r.state.phoneWaiting).toBe(1);
    r.advanceTo(40);
    expect(r.state.siteInSystem[0]).toBe(1);
    expect(r.state.phoneWaiting).toBe(0);
    r.advanceTo(80);
    expect(r.state.siteInSystem[0]).toBe(1);
    r.advanceTo(99.999);
    expect([statusOf(r, 10), statusOf(r, 50)]).toEqual(['waiting', 'waiting']);
    r.advanceTo(100);
    expect(serving(r)).toEqual([[0, 10]]);
    r.advanceTo(219.999);
    expect(serving(r)).toEqual([[0, 10]]);
    r.advanceTo(220);
    expect(serving(r)).toEqual([[0, 50]]);
    const b = r.run();
    expect(totals(b, ['answered', 'abandoned', 'callbacks', 'completed', 'waitAnswered', 'handleTime', 'customersLost'])).toEqual({
      answered: 3, abandoned: 0, callbacks: 2, completed: 3, waitAnswered: 90 + 170, handleTime: 100 + 120 + 120, customersLost: 0,
    });
    expect(r.state.siteInSystem[0]).toBe(0);
    expectConservation(b);
  });

  it('a call answered before offerAfter gets no offer and no dialling time', () => {
    const r = run(spec, [[0, 0], [0, 80]]);
    const b = r.run();
    expect(totals(b, ['answered', 'callbacks', 'handleTime', 'waitAnswered'])).toEqual({ answered: 2, callbacks: 0, handleTime: 200, waitAnswered: 20 });
  });

  it('acceptance 0: the caller stays on the line and abandons at 60', () => {
    const r = run({ ...spec, types: [{ handle: 100, patience: 60, callback: { offerAfter: 30, acceptance: 0, dialTime: 20 } }] }, [[0, 0], [0, 10]]);
    const b = r.run();
    expect(totals(b, ['answered', 'abandoned', 'callbacks', 'customersLost'])).toEqual({ answered: 1, abandoned: 1, callbacks: 0, customersLost: 1 });
  });
});

// ---------------------------------------------------------------- breakdowns

const COUNTS = ['arrivals', 'offered', 'answered', 'abandoned', 'blocked', 'deflected', 'ivrHangup', 'unfinished', 'lost', 'dropped',
  'transfers', 'retries', 'customers', 'customersLost', 'callbacks', 'backlog', 'overdue'] as const;

describe('breakdowns add up (two sites, phone and IM, every lifecycle stage)', () => {
  const spec: CenterSpec = {
    types: [
      {
        handle: 240, queue: 0, rate: 0.08, patience: 90, siteSplit: [0.6, 0.4],
        ivr: { time: { kind: 'exponential', mean: 20 }, selfService: 0.1, hangup: 0.05, misroute: 0.1, misrouteTime: 30 },
        redial: { probability: 0.5, delay: { kind: 'exponential', mean: 120 }, maxAttempts: 3 },
        callback: { offerAfter: 45, acceptance: 0.3, dialTime: 20 },
      },
      { handle: 200, queue: 1, rate: 0.03, patience: 120, siteSplit: [0.3, 0.7] },
      {
        handle: 300, queue: 2, rate: 0.06, patience: 200, channel: 'im', siteSplit: [0.5, 0.5],
        bot: { deflection: 0.3, summarySaving: 0.2 }, redial: { probability: 0.3, delay: det(300), maxAttempts: 2 },
      },
      { handle: 400, queue: 3, rate: 0.01, channel: 'email', deadline: 1200 },
    ],
    groups: [
      { site: 0, queues: [0, 1, 3], staffing: [8, 12, 6, 10], blendBelow: [null, null, 2] },
      { site: 1, queues: [0, 1], staffing: [6, 8, 5, 7] },
      { site: 1, queues: [2], staffing: [2, 3, 2, 2], maxContacts: 3, slowdown: 0.2 },
    ],
    sites: [20, 15],
    nIntervals: 4,
    intervalLength: 1800,
  };

  it('intervals[i].byChannel and .bySite sum to intervals[i]; byChannel, bySite, byType sum to totals', () => {
    const r = new Replication(centerModel(spec), 3);
    const b = r.run();
    const s = summaryOf(r, b);
    const m = (e: { mean: number | null }) => e.mean ?? 0;
    expect(m(s.totals.arrivals)).toBeGreaterThan(500);
    for (const k of ['deflected', 'ivrHangup', 'retries', 'callbacks', 'transfers', 'abandoned', 'blocked'] as const) {
      expect(m(s.totals[k]), k).toBeGreaterThan(0);
    }
    const sum = (g: Record<string, Record<string, { mean: number | null }>>, k: string) => Object.values(g).reduce((a, e) => a + m(e[k]), 0);
    for (const k of COUNTS) {
      expect(sum(s.byChannel, k), `byChannel ${k}`).toBeCloseTo(m(s.totals[k]), 9);
      expect(sum(s.bySite, k), `bySite ${k}`).toBeCloseTo(m(s.totals[k]), 9);
      expect(sum(s.byType, k), `byType ${k}`).toBeCloseTo(m(s.totals[k]), 9);
      s.intervals.forEach((iv, i) => {
        expect(sum(iv.byChannel!, k), `interval ${i} byChannel ${k}`).toBeCloseTo(m(iv[k]), 9);
        expect(sum(iv.bySite!, k), `interval ${i} bySite ${k}`).toBeCloseTo(m(iv[k]), 9);
      });
    }
    // Intervals (and the drain row) add up to the totals of counts.
    for (const k of ['arrivals', 'answered', 'deflected', 'retries'] as const) {
      expect(s.intervals.reduce((a, iv) => a + m(iv[k]), 0) + row(b, spec.nIntervals!, k)).toBe(m(s.totals[k]));
    }
    expect(Object.keys(s.byChannel).sort()).toEqual(['email', 'im', 'phone']);
    expectConservation(b);
  });

  // Once a bug, fixed (sim/src/model/staffing.ts, recordLevels): backlog/overdue were filed
  // under one site and the contact's counts under another. Levels and counts are filed
  // at the contact's sub-row (cSub), the site that took it: a call that lands on a full
  // site and takes another site's line is that site's, arriving and waiting.
  it('backlog is filed under the site that took the contact, like its counts', () => {
    // All calls land on site 0 (1 line); site 1 has 5 lines. One agent. A@0 served,
    // B@1 takes a site-1 line and is still waiting at the end of interval 0.
    const r = run({ types: [{ handle: 500 }], groups: [{ queues: [0], staffing: 1 }], sites: [1, 5], nIntervals: 2, intervalLength: 100 }, [[0, 0], [0, 1]]);
    const b = r.run();
    const s = summaryOf(r, b);
    expect(s.intervals[0].bySite!.s0.arrivals.mean).toBe(1);
    expect(s.intervals[0].bySite!.s1.arrivals.mean).toBe(1);
    expect(s.intervals[0].bySite!.s0.backlog.mean).toBe(0);
    expect(s.intervals[0].bySite!.s1.backlog.mean).toBe(1);
  });
});

// ---------------------------------------------------------------- the patience lane

describe('abandonment timers armed late (the patience lane, model/patience.ts)', () => {
  it('patience beyond ABANDON_ARM_AFTER: callers still waiting abandon at exactly entry + patience; answered ones never do', () => {
    // One agent, handle 100. A@0 served 0-100. B@1 patience 200: answered at 100 (wait 99,
    // after its timer was armed at 31). C@2 patience 45, D@3 patience 120 (type 1): C
    // abandons at 47, D at 123; E@150 patience 1000 waits behind B (100-200) and is answered at 200.
    expect(ABANDON_ARM_AFTER).toBeLessThan(45);
    const r = run({
      types: [{ handle: 100, patience: 200 }, { handle: 100, patience: 45 }, { handle: 100, patience: 120 }, { handle: 100, patience: 1000 }],
      groups: [{ queues: [0], staffing: 1 }],
    }, [[0, 0], [0, 1], [1, 2], [2, 3], [3, 150]]);
    r.advanceTo(46.999);
    expect(statusOf(r, 2)).toBe('waiting');
    r.advanceTo(47);
    expect(total(r.result(), 'abandoned')).toBe(1);
    expect(total(r.result(), 'waitAbandoned')).toBe(45);
    r.advanceTo(122.999);
    expect(total(r.result(), 'abandoned')).toBe(1);
    r.advanceTo(123);
    expect(total(r.result(), 'abandoned')).toBe(2);
    const b = r.run();
    expect(totals(b, ['offered', 'answered', 'abandoned', 'waitAnswered', 'waitAbandoned'])).toEqual({
      offered: 5, answered: 3, abandoned: 2, waitAnswered: 0 + 99 + 50, waitAbandoned: 45 + 120,
    });
    expectConservation(b);
  });
});
