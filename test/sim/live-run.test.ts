import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/src/errors.ts';
import { loadScenario } from '../../sim/src/config/load.ts';
import { LiveRun, type Notice } from '../../sim/src/engine/live-run.ts';
import { readSnapshot } from '../../sim/src/engine/live-snapshot.ts';
import { Replication, replicate } from '../../sim/src/engine/replicate.ts';
import { AGENT_OFF, CALL_IN_SERVICE, CALL_WAITING } from '../../sim/src/model/state.ts';
import { centerModel, row, total, type CenterSpec } from '../fixtures/center/model.ts';

/**
 * The live run (sim/src/engine/live-run.ts): a replication advanced in slices, with
 * contacts injected under an external id, notices of their answer and end, a snapshot
 * of the center now, persistent controls and the open-ended modes. Hand-worked traces
 * on small models of test/fixtures/center, and the batch engine as the reference.
 */

const WALL = 5;
/** A result buffer without its wall-clock seconds (the only field a slicing may change). */
const noWall = (b: Float64Array) => { const c = Float64Array.from(b); c[WALL] = 0; return [...c]; };

interface Rec { kind: string; id: number; time: number; wait: number; group: number; site: number; outcome: string | null }
function drain(run: LiveRun, out: Rec[] = []): Rec[] {
  run.drainNotifications((n: Notice) => out.push({ kind: n.kind, id: n.externalId, time: n.time, wait: n.wait, group: n.group, site: n.site, outcome: n.outcome }));
  return out;
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    return (e as SimError).code;
  }
  return 'no error';
}

// One agent, handle 100 s, patience 50 s, contacts only from outside.
const oneAgent: CenterSpec = { types: [{ handle: 100, patience: 50 }], groups: [{ queues: [0], staffing: 1 }] };

describe('LiveRun: injection and notices', () => {
  it('answers and ends injected contacts at the hand-worked times, one end each, in the order they happen', () => {
    // 1@0 answered at once, completes at 100. 2@10 waits behind it; patience 50: abandons at 60.
    // 3@70 waits; answered at 100 (wait 30), completes at 200. 4@150 waits; its patience ends at
    // 200, when the agent frees: a service end runs before an abandonment, so it is answered (wait 50).
    const run = new LiveRun(centerModel(oneAgent), { notifications: 100, arrivals: 'external' });
    const slots = [run.inject(0, 1, 0), run.inject(0, 2, 10), run.inject(0, 3, 70), run.inject(0, 4, 150)];
    expect(new Set(slots).size).toBe(4);
    expect(run.slotOf(3)).toBe(slots[2]);
    expect(run.advanceTo(1000)).toBe('reached');
    expect(run.now).toBe(1000);
    expect(drain(run)).toEqual([
      { kind: 'answered', id: 1, time: 0, wait: 0, group: 0, site: 0, outcome: null },
      { kind: 'ended', id: 2, time: 60, wait: 50, group: -1, site: 0, outcome: 'abandoned' },
      { kind: 'ended', id: 1, time: 100, wait: 0, group: 0, site: 0, outcome: 'completed' },
      { kind: 'answered', id: 3, time: 100, wait: 30, group: 0, site: 0, outcome: null },
      { kind: 'ended', id: 3, time: 200, wait: 30, group: 0, site: 0, outcome: 'completed' },
      { kind: 'answered', id: 4, time: 200, wait: 50, group: 0, site: 0, outcome: null },
      { kind: 'ended', id: 4, time: 300, wait: 50, group: 0, site: 0, outcome: 'completed' },
    ]);
    // Drained ends free their ids.
    expect(run.slotOf(1)).toBe(-1);
    const b = run.result();
    expect([total(b, 'arrivals'), total(b, 'answered'), total(b, 'abandoned'), total(b, 'completed')]).toEqual([4, 3, 1, 3]);
  });

  it('gives the same numbers as the batch engine\'s inject for the same contacts', () => {
    const times = [0, 10, 70, 150, 155, 400];
    const run = new LiveRun(centerModel(oneAgent), { arrivals: 'external' });
    times.forEach((t, i) => run.inject(0, i, t));
    expect(run.finish()).toBe('reached');
    const r = new Replication(centerModel(oneAgent), 0);
    for (const t of times) r.inject(0, t);
    expect(noWall(run.result())).toEqual(noWall(r.run()));
  });

  it('every injected contact ends exactly once, answered at most once, with model arrivals, lines, redials and a site failure around it', () => {
    const cfg = centerModel({
      types: [
        { handle: 120, patience: 60, rate: 0.03, siteSplit: [0.5, 0.5], redial: { probability: 0.5, delay: { kind: 'deterministic', value: 30 }, maxAttempts: 3 } },
        { handle: 200, patience: null, rate: 0.01, siteSplit: [0.5, 0.5], channel: 'email' },
      ],
      // Nobody on duty in the last interval: contacts of the type without patience still waiting at the end are unfinished.
      groups: [{ site: 0, queues: [0, 1], staffing: [2, 2, 2, 0] }, { site: 1, queues: [0, 1], staffing: [2, 2, 2, 0] }],
      sites: [3, 3], nIntervals: 4, intervalLength: 900,
      failures: [{ site: 1, start: 1000.5, end: 1800.5, inService: 'drop', waiting: 'lose' }],
    });
    const run = new LiveRun(cfg, { notifications: 64, replication: 3 });
    const recs: Rec[] = [];
    let id = 0;
    for (let t = 0; t < 4000; t += 50) {
      for (let k = 0; k < 3; k++) run.inject(k % 2, ++id, t + k * 7.25);
      while (run.advanceTo(t + 50) === 'drain') drain(run, recs);
    }
    while (run.finish() !== 'reached') drain(run, recs);
    drain(run, recs);
    const ends = new Map<number, number>(), answers = new Map<number, number>();
    for (const r of recs) (r.kind === 'ended' ? ends : answers).set(r.id, ((r.kind === 'ended' ? ends : answers).get(r.id) ?? 0) + 1);
    expect(ends.size).toBe(id);
    expect([...ends.values()].every((n) => n === 1)).toBe(true);
    expect([...answers.values()].every((n) => n === 1)).toBe(true);
    const outcomes = new Set(recs.filter((r) => r.kind === 'ended').map((r) => r.outcome));
    for (const o of ['completed', 'abandoned', 'blocked', 'dropped', 'unfinished']) expect(outcomes, o).toContain(o);
    // An end after its answer, with the answer's wait; the answered ones are those completed or dropped.
    const answered = new Map(recs.filter((r) => r.kind === 'answered').map((r) => [r.id, r]));
    for (const r of recs.filter((x) => x.kind === 'ended')) {
      const a = answered.get(r.id);
      expect(a !== undefined, `${r.id} ${r.outcome}`).toBe(r.outcome === 'completed' || r.outcome === 'dropped');
      if (a) expect([r.time >= a.time, r.wait]).toEqual([true, a.wait]);
    }
  });

  it('stops advancing at the notice limit until drained, never losing a record; a burst in one slice grows the buffer', () => {
    const cfg = centerModel({ types: [{ handle: 100 }], groups: [{ queues: [0], staffing: 10 }] });
    const run = new LiveRun(cfg, { notifications: 4, arrivals: 'external', sliceEvents: 1 });
    for (let i = 0; i < 10; i++) run.inject(0, i, 5);
    expect(run.advanceTo(50)).toBe('drain');
    expect(run.pendingNotifications).toBe(4);
    expect(run.now).toBe(5); // the time of the last event run, not 50
    expect(run.advanceTo(50)).toBe('drain'); // no progress until drained
    expect(run.pendingNotifications).toBe(4);
    const recs = drain(run);
    expect(run.advanceTo(50)).toBe('drain');
    drain(run, recs);
    expect(run.advanceTo(50)).toBe('reached');
    drain(run, recs);
    expect(recs.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // One slice of many events: the buffer grows past the limit, nothing is dropped.
    const big = new LiveRun(cfg, { notifications: 4, arrivals: 'external' });
    for (let i = 0; i < 10; i++) big.inject(0, i, 5);
    expect(big.advanceTo(500)).toBe('reached');
    expect(big.pendingNotifications).toBe(20);
    expect(drain(big).filter((r) => r.kind === 'ended').length).toBe(10);
  });

  it('refuses bad injections with coded errors naming the field', () => {
    const run = new LiveRun(centerModel(oneAgent), { notifications: 10, arrivals: 'external' });
    run.inject(0, 7, 0);
    run.advanceTo(20);
    expect(codeOf(() => run.inject(1, 8))).toBe('ENGINE_ERR_UNKNOWN_ID');
    expect(codeOf(() => run.inject(0.5, 8))).toBe('ENGINE_ERR_UNKNOWN_ID');
    expect(codeOf(() => run.inject(0, 8, 10))).toBe('ENGINE_ERR_TIME_IN_PAST');
    expect(codeOf(() => run.inject(0, Number.NaN))).toBe('ENGINE_ERR_BAD_VALUE');
    expect(codeOf(() => run.inject(0, Infinity))).toBe('ENGINE_ERR_BAD_VALUE');
    expect(codeOf(() => run.inject(0, 8, Infinity))).toBe('ENGINE_ERR_BAD_VALUE');
    expect(codeOf(() => run.inject(0, 7))).toBe('ENGINE_ERR_DUPLICATE_ID');
    try {
      run.inject(0, 7);
    } catch (e) {
      expect((e as SimError).issues).toEqual([{ path: 'externalId', value: 7, message: expect.stringContaining('no contact of the run holds') }]);
      expect((e as SimError).message).toContain('externalId = 7');
    }
    expect(codeOf(() => run.advanceTo(10))).toBe('ENGINE_ERR_TIME_IN_PAST');
    // Once its end is drained, an id is free again.
    run.advanceTo(200);
    drain(run);
    expect(run.inject(0, 7)).toBeGreaterThanOrEqual(0);
  });
});

// ---------------------------------------------------------------- snapshot

/** Counts taken directly from the state, by other ways than the snapshot's. */
function direct(run: LiveRun) {
  const s = run.replication.state;
  let waiting = 0, inService = 0, oldest = 0;
  for (let slot = 0; slot < s.nSlots; slot++) {
    if (s.cState[slot] === CALL_WAITING) { waiting++; oldest = Math.max(oldest, s.now - s.cEnter[slot]); }
    if (s.cState[slot] === CALL_IN_SERVICE) inService++;
  }
  const groups = [...s.groupSize].map((n, g) => {
    const agents = Array.from({ length: n }, (_, k) => s.groupFirst[g] + k);
    return { off: agents.filter((a) => s.aState[a] === AGENT_OFF).length, busy: agents.filter((a) => s.aLoad[a] > 0).length };
  });
  return { waiting, inService, oldest, groups, waitingCounter: s.waiting };
}

describe('LiveRun: stop (the day cut at the clock)', () => {
  it('ends contacts waiting or in the IVR as unfinished at the clock, keeps the one in service answered, and counts each once', () => {
    // Type 0: one agent, handle 100 s, patience 50 s. Type 1: an IVR of 40 s in front of the same queue.
    // 1@0 answered at once (in service until 100); 2@10 and 3@20 wait; 4@25 is in the IVR until 65.
    // Stopped at 30: 2 (wait 20) and 3 (wait 10) unfinished, 4 unfinished without a wait (never queued).
    const ivr = { time: { kind: 'deterministic' as const, value: 40 }, selfService: 0, hangup: 0, misroute: 0, misrouteTime: 0 };
    const cfg = centerModel({ types: [{ handle: 100, patience: 50 }, { handle: 100, patience: 50, ivr }], groups: [{ queues: [0], staffing: 1 }] });
    const run = new LiveRun(cfg, { notifications: 100, arrivals: 'external' });
    run.inject(0, 1, 0); run.inject(0, 2, 10); run.inject(0, 3, 20); run.inject(1, 4, 25);
    expect(run.advanceTo(30)).toBe('reached');
    const before = drain(run);
    expect(before).toEqual([{ kind: 'answered', id: 1, time: 0, wait: 0, group: 0, site: 0, outcome: null }]);
    const buf = run.stop();
    expect(run.finished).toBe(true);
    expect(run.stoppedAt).toBe(30);
    expect(drain(run)).toEqual([
      { kind: 'ended', id: 2, time: 30, wait: 20, group: -1, site: 0, outcome: 'unfinished' },
      { kind: 'ended', id: 3, time: 30, wait: 10, group: -1, site: 0, outcome: 'unfinished' },
      { kind: 'ended', id: 4, time: 30, wait: -1, group: -1, site: 0, outcome: 'unfinished' },
    ]);
    // Every arrival in one outcome: 1 answered (its service cut with the day: not completed), 3 unfinished.
    expect(total(buf, 'arrivals')).toBe(4);
    expect(total(buf, 'answered')).toBe(1);
    expect(total(buf, 'completed')).toBe(0);
    expect(total(buf, 'unfinished')).toBe(3);
    expect(total(buf, 'offered')).toBe(3);
    // Agent time stops at the clock: 30 s staffed, 30 s busy.
    expect(total(buf, 'staffedTime')).toBeCloseTo(30, 9);
    expect(total(buf, 'busyTime')).toBeCloseTo(30, 9);
    expect(run.result()).toEqual(buf.map((v, i) => (i === WALL ? run.result()[WALL] : v)));
    expect(codeOf(() => run.advanceTo(40))).toBe('ENGINE_ERR_STATE');
    expect(codeOf(() => run.stop())).toBe('ENGINE_ERR_STATE');
  });
});

describe('LiveRun: snapshot', () => {
  it('reads the hand-worked state at t = 80: one waiting for 10 s, one in service, the counters so far', () => {
    const run = new LiveRun(centerModel(oneAgent), { notifications: 100, arrivals: 'external' });
    for (const [id, t] of [[1, 0], [2, 10], [3, 70], [4, 150]]) run.inject(0, id, t);
    run.advanceTo(80);
    const snap = readSnapshot(run.layout, run.snapshot());
    expect(snap).toMatchObject({
      version: 1, clock: 80, day: 0, paused: 0, finished: 0, notices: 2, injected: 4, inSystem: 2,
      'counters.arrivals': 3, 'counters.answered': 1, 'counters.abandoned': 1, 'counters.completed': 0,
      'queues.t0.s0.waiting': 1, 'queues.t0.s0.oldestWait': 10, 'queues.t0.s0.inService': 1,
      'groups.g0.site': 0, 'groups.g0.off': 0, 'groups.g0.idle': 0, 'groups.g0.busy': 1, 'groups.g0.onDuty': 1, 'groups.g0.leaving': 0,
      'sites.s0.up': 1, 'sites.s0.inSystem': 2, 'sites.s0.lines': 2,
    });
    expect(Object.keys(snap).length).toBe(run.layout.length);
  });

  it('equals direct counts and the result\'s totals along a random two-site day, into one preallocated buffer', () => {
    const cfg = centerModel({
      types: [{ handle: 150, patience: 80, rate: 0.04, siteSplit: [0.6, 0.4] }, { handle: 60, patience: 40, rate: 0.02, siteSplit: [0.5, 0.5] }],
      groups: [{ site: 0, queues: [0, 1], staffing: [3, 4, 2] }, { site: 1, queues: [0, 1], staffing: [2, 2, 3] }],
      sites: [null, null], nIntervals: 3, intervalLength: 1200,
    });
    const run = new LiveRun(cfg, { replication: 5 });
    const L = run.layout;
    const buf = new Float64Array(L.length);
    for (let t = 137; t < 3600; t += 211) {
      run.advanceTo(t);
      expect(run.snapshot(buf)).toBe(buf);
      const d = direct(run);
      let waiting = 0, inService = 0, oldest = 0;
      for (let i = 0; i < L.nTypes * L.nSites; i++) {
        waiting += buf[L.queues + i * 3];
        oldest = Math.max(oldest, buf[L.queues + i * 3 + 1]);
        inService += buf[L.queues + i * 3 + 2];
      }
      expect([waiting, inService, oldest]).toEqual([d.waiting, d.inService, d.oldest]);
      expect(waiting).toBe(d.waitingCounter);
      for (let g = 0; g < L.nGroups; g++) {
        const o = L.groups + g * 6;
        expect([buf[o + 1], buf[o + 3]]).toEqual([d.groups[g].off, d.groups[g].busy]);
        expect(buf[o + 1] + buf[o + 2] + buf[o + 3]).toBe(cfg.groups[g].staffing.reduce((a, b) => Math.max(a, b)));
        expect(buf[o + 4]).toBe(cfg.groups[g].staffing[Math.floor(t / 1200)]);
        expect(buf[o + 2] + buf[o + 3]).toBe(buf[o + 4] + buf[o + 5]); // logged on: on duty, or leaving
      }
      const res = run.result();
      const counters = readSnapshot(L, buf);
      for (const k of ['arrivals', 'answered', 'abandoned', 'completed'] as const) expect(counters[`counters.${k}`]).toBe(total(res, k));
    }
  });
});

// ---------------------------------------------------------------- controls

describe('LiveRun: controls', () => {
  it('a staffing override takes effect now and persists across interval boundaries; null returns to the plan now', () => {
    const cfg = centerModel({ types: [{ handle: 100 }], groups: [{ queues: [0], staffing: [3, 1, 1, 1] }], nIntervals: 4, intervalLength: 100 });
    const run = new LiveRun(cfg, { arrivals: 'external' });
    const onDuty = () => run.replication.state.onDuty[0];
    run.advanceTo(150);
    expect(onDuty()).toBe(1);
    run.setStaffing(0, 2);
    expect(onDuty()).toBe(2);
    run.advanceTo(350);
    expect(onDuty()).toBe(2); // the ticks at 200 and 300 did not re-apply the plan
    // Waiting contacts are taken by the agents the override brings.
    run.setStaffing(0, 0);
    run.inject(0, 1);
    run.advanceTo(360);
    expect(run.replication.state.waiting).toBe(1);
    run.setStaffing(0, 3);
    expect([onDuty(), run.replication.state.waiting]).toEqual([3, 0]);
    run.setStaffing(0, null);
    expect(onDuty()).toBe(1);
    expect(codeOf(() => run.setStaffing(0, 4))).toBe('ENGINE_ERR_BAD_VALUE');
    expect(codeOf(() => run.setStaffing(0, -1))).toBe('ENGINE_ERR_BAD_VALUE');
    expect(codeOf(() => run.setStaffing(1, 1))).toBe('ENGINE_ERR_UNKNOWN_ID');
  });

  for (const modes of [{ inService: 'drop', waiting: 'move' }, { inService: 'finish', waiting: 'lose' }] as const) {
    it(`failSite/restoreSite give the result of the same failure in the config (${modes.inService}, ${modes.waiting})`, () => {
      const spec: CenterSpec = {
        types: [{ handle: 150, patience: 120, rate: 0.05, siteSplit: [0.5, 0.5] }],
        groups: [{ site: 0, queues: [0], staffing: [4, 5, 4] }, { site: 1, queues: [0], staffing: [4, 3, 4] }],
        sites: [6, 6], siteMode: 'local', siteOverflowAfter: 30, nIntervals: 3, intervalLength: 1200,
      };
      const withFailure = centerModel({ ...spec, failures: [{ site: 1, start: 1000.25, end: 2500.75, ...modes }] });
      const expected = replicate(withFailure, 2);
      const run = new LiveRun(centerModel(spec), { replication: 2, sliceEvents: 97 });
      run.advanceTo(1000.25);
      run.failSite(1, modes);
      expect(codeOf(() => run.failSite(1))).toBe('ENGINE_ERR_STATE');
      run.advanceTo(2500.75);
      run.restoreSite(1);
      expect(codeOf(() => run.restoreSite(1))).toBe('ENGINE_ERR_STATE');
      expect(run.finish()).toBe('reached');
      expect(total(expected, 'lost') + total(expected, 'dropped')).toBeGreaterThan(0);
      expect(noWall(run.result())).toEqual(noWall(expected));
    });
  }

  it('on scenarios/nantong-failover.yaml: its failure as live controls gives the scenario\'s result buffer', () => {
    const cfg = loadScenario(fileURLToPath(new URL('../../scenarios/nantong-failover.yaml', import.meta.url)));
    const [f] = cfg.failures;
    const run = new LiveRun({ ...cfg, failures: [] }, { replication: 1 });
    run.advanceTo(f.start);
    run.failSite(f.site, f);
    run.advanceTo(f.end);
    run.restoreSite(f.site);
    expect(run.finish()).toBe('reached');
    const expected = replicate(cfg, 1);
    expect(total(expected, 'dropped')).toBeGreaterThan(0);
    expect(noWall(run.result())).toEqual(noWall(expected));
  });

  it('refuses bad site controls', () => {
    const run = new LiveRun(centerModel(oneAgent), {});
    expect(codeOf(() => run.failSite(1))).toBe('ENGINE_ERR_UNKNOWN_ID');
    expect(codeOf(() => run.failSite(0, { inService: 'hold' as 'drop' }))).toBe('ENGINE_ERR_BAD_VALUE');
    expect(codeOf(() => run.restoreSite(0))).toBe('ENGINE_ERR_STATE');
  });

  it('pause: advanceTo does nothing until resume; injections still count', () => {
    const run = new LiveRun(centerModel(oneAgent), { notifications: 10, arrivals: 'external' });
    run.advanceTo(5);
    run.pause();
    run.inject(0, 1, 10);
    expect(run.advanceTo(100)).toBe('paused');
    expect([run.now, run.pendingNotifications, readSnapshot(run.layout, run.snapshot()).paused]).toEqual([5, 0, 1]);
    run.resume();
    expect(run.advanceTo(100)).toBe('reached');
    expect(drain(run).map((r) => [r.kind, r.time])).toEqual([['answered', 10]]);
  });
});

// ---------------------------------------------------------------- slices

describe('slices', () => {
  const cfg = centerModel({ types: [{ handle: 60, patience: 50, rate: 0.05 }], groups: [{ queues: [0], staffing: [3, 2, 4, 3] }], nIntervals: 4, intervalLength: 900 });

  it('Replication.advanceTo(t, maxEvents) in slices of 7 events gives the whole run\'s result', () => {
    const whole = replicate(cfg, 4);
    const r = new Replication(cfg, 4);
    let calls = 0;
    do {
      r.advanceTo(Infinity, 7);
      calls++;
    } while (r.behind);
    expect(calls).toBeGreaterThan(50);
    expect(noWall(r.result())).toEqual(noWall(whole));
  });

  it('a LiveRun with budgets and slices gives the whole run\'s result; the clock moves only when caught up', () => {
    const whole = replicate(cfg, 4);
    const run = new LiveRun(cfg, { replication: 4, sliceEvents: 5 });
    let budgets = 0;
    for (let t = 100; t <= 3600; t += 100) {
      while (run.advanceTo(t, 12) === 'budget') {
        budgets++;
        expect(run.now).toBeLessThanOrEqual(t);
      }
      expect(run.now).toBe(t);
    }
    expect(budgets).toBeGreaterThan(10);
    expect(run.finish(25) === 'reached' || run.finish() === 'reached').toBe(true);
    expect(noWall(run.result())).toEqual(noWall(whole));
  });
});

// ---------------------------------------------------------------- open-ended

describe('LiveRun: open-ended', () => {
  it('arrivals from outside only: the model\'s streams are off', () => {
    const cfg = centerModel({ types: [{ handle: 60, rate: 0.1 }], groups: [{ queues: [0], staffing: 2 }], nIntervals: 2, intervalLength: 600 });
    const run = new LiveRun(cfg, { arrivals: 'external' });
    run.inject(0, 1, 30);
    expect(run.finish()).toBe('reached');
    expect(total(run.result(), 'arrivals')).toBe(1);
    const modelRun = new LiveRun(cfg, {});
    modelRun.finish();
    expect(total(modelRun.result(), 'arrivals')).toBeGreaterThan(50);
  });

  it('the day repeats: the same injections each day give the same day, and the previous day is kept', () => {
    // 2 intervals of 500 s; staffing 1 then 2 agents: a contact at 600 finds the second agent.
    const cfg = centerModel({ types: [{ handle: 300, patience: 200 }], groups: [{ queues: [0], staffing: [1, 2] }], nIntervals: 2, intervalLength: 500 });
    const H = 1000;
    const run = new LiveRun(cfg, { arrivals: 'external', repeat: true, notifications: 100 });
    const times = [10, 20, 250, 600, 610, 620];
    const days: Rec[][] = [];
    for (let d = 0; d < 3; d++) {
      times.forEach((t, i) => run.inject(0, d * 100 + i, d * H + t));
      run.advanceTo(d * H + 999);
      days.push(drain(run).map((r) => ({ ...r, id: r.id % 100, time: r.time - d * H })));
      expect(run.day).toBe(d);
    }
    expect(days[1]).toEqual(days[0]);
    expect(days[2]).toEqual(days[0]);
    expect(days[0].filter((r) => r.outcome === 'abandoned').length).toBeGreaterThan(0);
    run.advanceTo(3 * H + 1);
    expect(run.day).toBe(3);
    const prev = run.previousDay()!;
    const first = new LiveRun(cfg, { arrivals: 'external' });
    times.forEach((t, i) => first.inject(0, i, t));
    first.advanceTo(H);
    const day0 = first.result();
    for (const k of ['arrivals', 'answered', 'abandoned', 'completed', 'waitAnswered', 'busyTime', 'staffedTime'] as const) {
      for (let i = 0; i < 2; i++) expect(row(prev, i, k), `${k} ${i}`).toBe(row(day0, i, k));
    }
    expect(codeOf(() => run.advanceTo(Infinity))).toBe('ENGINE_ERR_STATE');
    expect(codeOf(() => run.finish())).toBe('ENGINE_ERR_STATE');
  });

  it('the day repeats with the model\'s arrivals: rates start again each day and every contact is accounted for across days', () => {
    const cfg = centerModel({ types: [{ handle: 200, patience: 120, rate: 0.03 }], groups: [{ queues: [0], staffing: [4, 3, 5] }], nIntervals: 3, intervalLength: 600 });
    const run = new LiveRun(cfg, { repeat: true, replication: 1 });
    run.advanceTo(1800 + 1790); // late in day 1: contacts in flight at the rollover were carried over
    expect(run.day).toBe(1);
    const prev = run.previousDay()!, cur = run.result();
    for (let i = 0; i < 3; i++) {
      expect(row(prev, i, 'arrivals')).toBeGreaterThan(0);
      expect(row(cur, i, 'arrivals')).toBeGreaterThan(0);
    }
    expect(row(cur, 3, 'arrivals')).toBe(0); // the carry-over row counts outcomes, not arrivals
    const snap = readSnapshot(run.layout, run.snapshot());
    const both = (k: 'arrivals' | 'answered' | 'abandoned') => total(prev, k) + total(cur, k);
    expect(snap['counters.arrivals']).toBe(both('arrivals'));
    expect(snap['counters.answered']).toBe(both('answered'));
    // Every arrival of both days: answered, abandoned, or waiting now.
    expect(both('arrivals')).toBe(both('answered') + both('abandoned') + run.replication.state.waiting);
    // The carry-over row of day 1: outcomes of contacts of day 0 still in the system at the rollover.
    expect(row(cur, 3, 'answered') + row(cur, 3, 'abandoned') + row(cur, 3, 'completed')).toBeGreaterThan(0);
    expect(cur[2]).toBe(cfg.nIntervals + 1);
    expect(prev.length).toBe(cur.length);
  });
});

// ---------------------------------------------------------------- no allocation

describe('the notice path allocates nothing', () => {
  it('the model writes notices into a Float64Array with integer arguments, and its hooks create no object', () => {
    const src = readFileSync(fileURLToPath(new URL('../../sim/src/model/live.ts', import.meta.url)), 'utf8');
    for (const fn of ['liveAnswered', 'liveEnded']) {
      const body = src.slice(src.indexOf(`export function ${fn}`), src.indexOf('\n}\n', src.indexOf(`export function ${fn}`)));
      expect(body).toMatch(/\(s: SimState, slot: number, (agent: number|outcome: number, queued = 1)\): void/);
      expect(body, fn).not.toMatch(/new |\[\]|\{\s*\}|=>|\.push\(|\.\.\./);
    }
    const run = new LiveRun(centerModel(oneAgent), { notifications: 1000, arrivals: 'external' });
    const buf = (run as unknown as { live: { notices: Float64Array } }).live.notices;
    expect(buf).toBeInstanceOf(Float64Array);
    for (let i = 0; i < 200; i++) run.inject(0, i, i * 30);
    run.advanceTo(10_000);
    // Under its limit the buffer is the one allocated at the start.
    expect((run as unknown as { live: { notices: Float64Array } }).live.notices).toBe(buf);
    expect(run.pendingNotifications).toBe(drain(run).length);
  });
});
