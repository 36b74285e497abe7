import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { loadPolicy } from '../../sim/src/engine/policy-loader.ts';
import { centerModel, serving, slotOf, statusOf, total, totals, type CenterSpec } from '../fixtures/center/model.ts';

/**
 * Routing of the whole-center engine, hand-worked with injected contacts and
 * deterministic handle times (see test/fixtures/center/model.ts). Agent ids are
 * contiguous per group in group order: group 0 has agents 0.., then group 1, ...
 */

/** A replication of `spec` with contacts of type `type` injected at the given times. */
function run(spec: CenterSpec, arrivals: [type: number, time: number][]): Replication {
  const r = new Replication(centerModel(spec), 0);
  for (const [type, t] of arrivals) r.inject(type, t);
  return r;
}

/** Arrival time of the contact each agent is serving at time t. */
function servingAt(r: Replication, t: number): [number, number][] {
  r.advanceTo(t);
  return serving(r);
}

describe('FIFO within a group', () => {
  it('one busy agent: A, B, C queued at 1, 2, 3 are answered in order at 10, 20, 30', () => {
    // X at 0 served 0-10; A waits 9 (10-20), B waits 18 (20-30), C waits 27 (30-40).
    const r = run({ types: [{ handle: 10 }], groups: [{ queues: [0], staffing: 1 }] }, [[0, 0], [0, 1], [0, 2], [0, 3]]);
    expect(servingAt(r, 3)).toEqual([[0, 0]]);
    expect([statusOf(r, 1), statusOf(r, 2), statusOf(r, 3)]).toEqual(['waiting', 'waiting', 'waiting']);
    expect(servingAt(r, 9.999)).toEqual([[0, 0]]);
    expect(servingAt(r, 10)).toEqual([[0, 1]]);
    expect(servingAt(r, 19.999)).toEqual([[0, 1]]);
    expect(servingAt(r, 20)).toEqual([[0, 2]]);
    expect(servingAt(r, 30)).toEqual([[0, 3]]);
    expect(servingAt(r, 40)).toEqual([]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'answered', 'completed', 'waitAnswered', 'handleTime'])).toEqual({
      arrivals: 4, answered: 4, completed: 4, waitAnswered: 9 + 18 + 27, handleTime: 40,
    });
  });

  it('fifo across queues: a freed agent takes the oldest head among its queues', () => {
    // Queues 0 and 1, one agent serving both; busy 0-10. q1's call (t=1) is older than q0's (t=2).
    const r = run({ types: [{ handle: 10, queue: 0 }, { handle: 10, queue: 1 }], groups: [{ queues: [0, 1], staffing: 1 }] },
      [[0, 0], [0, 2], [1, 1]]);
    expect(servingAt(r, 10)).toEqual([[0, 1]]);
    expect(servingAt(r, 20)).toEqual([[0, 2]]);
  });
});

describe('longest-idle agent', () => {
  // Types 0 (handle 10) and 1 (handle 20) share queue 0. Two agents in one group: at t=0
  // the first call goes to agent 0, the second to agent 1.
  const spec: CenterSpec = { types: [{ handle: 10 }, { handle: 20 }], groups: [{ queues: [0], staffing: 2 }] };

  it('a new call goes to the agent idle longer (agent 1, idle since 10, not agent 0, idle since 20)', () => {
    const r = run(spec, [[1, 0], [0, 0.5], [0, 30]]);
    expect(servingAt(r, 1)).toEqual([[0, 0], [1, 0.5]]);
    expect(servingAt(r, 30)).toEqual([[1, 30]]);
  });

  it('and the other way round (agent 0 idle since 10, agent 1 since 20)', () => {
    const r = run(spec, [[0, 0], [1, 0.5], [0, 30]]);
    expect(servingAt(r, 30)).toEqual([[0, 30]]);
  });

  it('across groups: the longest-idle agent of all eligible groups', () => {
    // Group 0 (agent 0) and group 1 (agent 1) both serve queue 0. Agent 0 is freed at 20,
    // agent 1 at 10: the call at 30 goes to agent 1 although group 0 is listed first.
    const r = run({ types: [{ handle: 10 }, { handle: 20 }], groups: [{ queues: [0], staffing: 1 }, { queues: [0], staffing: 1 }] },
      [[1, 0], [0, 0.5], [0, 30]]);
    expect(servingAt(r, 1)).toEqual([[0, 0], [1, 0.5]]);
    expect(servingAt(r, 30)).toEqual([[1, 30]]);
  });
});

describe('static priority policy', () => {
  // Type 0 low (priority 0, queue 0), type 1 high A (priority 1, queue 1), type 2 high B
  // (priority 1, queue 2); one agent serving all three queues, busy 0-10 with a low call.
  const types = [{ handle: 10, queue: 0, priority: 0 }, { handle: 10, queue: 1, priority: 1 }, { handle: 10, queue: 2, priority: 1 }];
  const groups = [{ queues: [0, 1, 2], staffing: 1 }];
  const arrivals: [number, number][] = [[0, 0], [0, 1], [1, 3], [2, 2]];

  it('the freed agent takes the high-priority call before an older low one; FIFO among equal priority', () => {
    // At 10: high B (t=2) before high A (t=3), both before low (t=1).
    const r = run({ types, groups, routing: { policy: 'priority' } }, arrivals);
    expect(servingAt(r, 10)).toEqual([[0, 2]]);
    expect(servingAt(r, 20)).toEqual([[0, 3]]);
    expect(servingAt(r, 30)).toEqual([[0, 1]]);
  });

  it('the same calls under fifo: oldest first', () => {
    const r = run({ types, groups }, arrivals);
    expect(servingAt(r, 10)).toEqual([[0, 1]]);
    expect(servingAt(r, 20)).toEqual([[0, 2]]);
    expect(servingAt(r, 30)).toEqual([[0, 3]]);
  });
});

describe('aging policy', () => {
  // score = priority + r * waited, r = 1/64 (exact in binary). A blocker (type 2, 200 s)
  // holds the only agent 0-200; low (priority 0) arrives at 1, high (priority 1) at tH.
  // At 200: low scores 199/64, high 1 + (200 - tH)/64: low wins iff tH - 1 > 64, i.e. tH > 65.
  const types = [{ handle: 10, queue: 0, priority: 0 }, { handle: 10, queue: 1, priority: 1 }, { handle: 200, queue: 0, priority: 0 }];
  const groups = [{ queues: [0, 1], staffing: 1 }];
  const at200 = (policy: string, tH: number) => {
    const r = run({ types, groups, routing: { policy, agingRate: 1 / 64 } }, [[2, 0], [0, 1], [1, tH]]);
    return servingAt(r, 200)[0][1];
  };

  it('a low call that waited 65 s longer beats a new high one (tH = 66)', () => {
    expect(at200('aging', 66)).toBe(1);
  });

  it('63 s longer is not enough (tH = 64): the high one goes first', () => {
    expect(at200('aging', 64)).toBe(64);
  });

  it('contrast: static priority takes the high call either way', () => {
    expect(at200('priority', 66)).toBe(66);
    expect(at200('priority', 64)).toBe(64);
  });
});

describe('delayed overflow to a backup skill (routing.overflowAfter = 30)', () => {
  // Group 0 (agent 0): queue 0 primary. Group 1 (agent 1): queue 1 primary, queue 0 backup.
  // Type 0 (queue 0) handle 100; type 1 (queue 1) handle 10.
  const spec: CenterSpec = {
    types: [{ handle: 100, queue: 0 }, { handle: 10, queue: 1 }],
    groups: [{ queues: [0], staffing: 1 }, { queues: [1, 0], backup: [0, 1], staffing: 1 }],
    routing: { overflowAfter: 30 },
  };

  it('an idle backup agent takes the call exactly when it has waited 30 s', () => {
    // t=0 occupies agent 0 until 100; the call at 5 waits although agent 1 is idle, until 35.
    const r = run(spec, [[0, 0], [0, 5]]);
    r.advanceTo(34.999);
    expect(statusOf(r, 5)).toBe('waiting');
    expect(serving(r)).toEqual([[0, 0]]);
    r.advanceTo(35);
    expect(serving(r)).toEqual([[0, 0], [1, 5]]);
    const b = r.run();
    expect(totals(b, ['answered', 'waitAnswered', 'answeredWithin'])).toEqual({ answered: 2, waitAnswered: 30, answeredWithin: 1 });
  });

  it('a backup agent freed before the delay does not take it early; it takes it at 35', () => {
    // Agent 1 serves a queue-1 call 2-12, then stays idle: the queue-0 call (t=5) is not yet eligible.
    const r = run(spec, [[0, 0], [1, 2], [0, 5]]);
    r.advanceTo(12);
    expect(statusOf(r, 5)).toBe('waiting');
    expect(serving(r)).toEqual([[0, 0]]);
    r.advanceTo(35);
    expect(serving(r)).toEqual([[0, 0], [1, 5]]);
  });

  it('a backup agent freed after the delay takes the waiting call at once', () => {
    // Agent 1 serves a queue-1 call 30-40: busy when the call (t=5) becomes eligible at 35.
    const r = run(spec, [[0, 0], [1, 30], [0, 5]]);
    r.advanceTo(35);
    expect(statusOf(r, 5)).toBe('waiting'); // agent 1 busy at 35: the overflow finds nobody
    r.advanceTo(40);
    expect(serving(r)).toEqual([[0, 0], [1, 5]]);
  });

  it('without overflowAfter (Infinity) the backup skill is never served', () => {
    const r = run({ ...spec, routing: { overflowAfter: Infinity } }, [[0, 0], [0, 5]]);
    r.advanceTo(99.999);
    expect(statusOf(r, 5)).toBe('waiting');
    r.advanceTo(100);
    expect(serving(r)).toEqual([[0, 5]]);
  });
});

describe('proficiency', () => {
  it('proficiency 2 serves a deterministic 100 s call in 50 s', () => {
    const r = run({ types: [{ handle: 100 }], groups: [{ queues: [0], proficiency: [2], staffing: 1 }] }, [[0, 0]]);
    r.advanceTo(49.999);
    expect(statusOf(r, 0)).toBe('service');
    r.advanceTo(50);
    expect(statusOf(r, 0)).toBe('gone');
    const b = r.run();
    expect(totals(b, ['completed', 'handleTime'])).toEqual({ completed: 1, handleTime: 50 });
  });

  it('the speed is that of the queue served: 0.5 on queue 1 doubles its 100 s call', () => {
    const r = run({ types: [{ handle: 100, queue: 0 }, { handle: 100, queue: 1 }], groups: [{ queues: [0, 1], proficiency: [2, 0.5], staffing: 1 }] },
      [[1, 0], [0, 1]]);
    const b = r.run();
    // queue 1 call 0-200, queue 0 call 200-250
    expect(totals(b, ['completed', 'handleTime', 'waitAnswered'])).toEqual({ completed: 2, handleTime: 250, waitAnswered: 199 });
  });
});

describe('plug-in policy: scenarios/policies/longest-queue-first.ts', () => {
  it('a freed agent takes the queue with more calls waiting, even if the other head is older', async () => {
    const path = fileURLToPath(new URL('../../scenarios/policies/longest-queue-first.ts', import.meta.url));
    const cfg = centerModel({
      types: [{ handle: 10, queue: 0 }, { handle: 10, queue: 1 }],
      groups: [{ queues: [0, 1], staffing: 1 }],
      routing: { policy: path },
    });
    expect(() => new Replication(cfg, 0)).toThrow(/loadPolicy/);
    const policy = await loadPolicy(cfg);
    expect(policy?.name).toBe('longest-queue-first');
    const r = new Replication(cfg, 0);
    // Busy 0-10; queue 0: one call at 1; queue 1: calls at 2 and 3.
    for (const [type, t] of [[0, 0], [0, 1], [1, 2], [1, 3]] as const) r.inject(type, t);
    expect(servingAt(r, 10)).toEqual([[0, 2]]);
    // Now each queue holds one: the older head (t=1) goes first.
    expect(servingAt(r, 20)).toEqual([[0, 1]]);
    expect(servingAt(r, 30)).toEqual([[0, 3]]);
    expect(total(r.run(), 'answered')).toBe(4);
    // The same calls under fifo: the older head first.
    const f = run({ types: [{ handle: 10, queue: 0 }, { handle: 10, queue: 1 }], groups: [{ queues: [0, 1], staffing: 1 }] },
      [[0, 0], [0, 1], [1, 2], [1, 3]]);
    expect(servingAt(f, 10)).toEqual([[0, 1]]);
    expect(slotOf(f, 2)).toBeGreaterThanOrEqual(0);
  });
});
