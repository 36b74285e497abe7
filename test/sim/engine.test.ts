import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/src/errors.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { modelConfig, type ContactTypeInput } from '../../sim/src/config/defaults.ts';
import type { DistSpec } from '../../sim/src/core/distributions.ts';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { HEADER_LENGTH, M, NM } from '../../sim/src/model/layout.ts';

type Metric = keyof typeof M;

// ---------------------------------------------------------------- helpers

interface DetOptions {
  /** agents per interval (or one number for all) */
  agents?: number | number[];
  handle?: number;
  patience?: number | null;
  lines?: number | null;
  intervalLength?: number;
  nIntervals?: number;
  threshold?: number;
}

/**
 * One queue, one agent group, deterministic handle (and patience), and no random
 * arrivals: contacts come only from Replication.inject, so every number is hand-worked.
 */
function detModel(o: DetOptions = {}): ModelConfig {
  const nI = o.nIntervals ?? 1;
  const agents = o.agents ?? 1;
  return modelConfig({
    schemaVersion: 1, name: 'trace', seed: 1,
    horizon: nI * (o.intervalLength ?? 600), intervalLength: o.intervalLength ?? 600, nIntervals: nI, warmup: 0,
    threshold: o.threshold ?? 20, sla: [],
    types: [{
      name: 'calls', channel: 'phone', arrivalRates: new Array(nI).fill(0),
      handleTime: { kind: 'deterministic', value: o.handle ?? 10 },
      patience: o.patience == null ? null : { kind: 'deterministic', value: o.patience },
      queue: 0, site: 0,
    }],
    queues: [{ name: 'q' }],
    groups: [{ name: 'g', site: 0, queues: [0], staffing: typeof agents === 'number' ? new Array(nI).fill(agents) : agents }],
    sites: [{ name: 's', lines: o.lines ?? null }],
  });
}

function withInjections(cfg: ModelConfig, times: number[]): Replication {
  const r = new Replication(cfg, 0);
  for (const t of times) r.inject(0, t);
  return r;
}

/** One metric summed over all rows (intervals and drain) of a result buffer. */
function total(buf: Float64Array, k: Metric): number {
  const nRows = buf[2];
  let s = 0;
  for (let i = 0; i < nRows; i++) s += buf[HEADER_LENGTH + i * NM + M[k]];
  return s;
}

function row(buf: Float64Array, i: number, k: Metric): number {
  return buf[HEADER_LENGTH + i * NM + M[k]];
}

const totals = (buf: Float64Array, ks: Metric[]) => Object.fromEntries(ks.map((k) => [k, total(buf, k)]));

/** The buffer without its wall-clock field (header[5]), which is the only non-deterministic part. */
const deterministicPart = (buf: Float64Array) => [...buf.subarray(0, 5), ...buf.subarray(6)];

// ---------------------------------------------------------------- exact traces

describe('exact traces (1 agent, deterministic handle 10 s, injected calls)', () => {
  it('FIFO: each call waits for the ones before it', () => {
    // t=0 c1 served 0-10; t=0 c2 waits 10, served 10-20; t=5 c3 waits 15, served 20-30; t=25 c4 waits 5, served 30-40.
    const r = withInjections(detModel({ threshold: 12 }), [0, 0, 5, 25]);
    const seen: [number, number, number][] = [];
    for (const t of [9.999, 10, 19.999, 20, 30, 40]) {
      r.advanceTo(t);
      const b = r.result();
      seen.push([t, total(b, 'answered'), total(b, 'waitAnswered')]);
    }
    expect(seen).toEqual([[9.999, 1, 0], [10, 2, 10], [19.999, 2, 10], [20, 3, 25], [30, 4, 30], [40, 4, 30]]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'offered', 'answered', 'answeredWithin', 'abandoned', 'blocked', 'unfinished', 'handleTime']))
      .toEqual({ arrivals: 4, offered: 4, answered: 4, answeredWithin: 3, abandoned: 0, blocked: 0, unfinished: 0, handleTime: 40 });
    // Time-weighted: busy 0-40; waiting 10 + 15 + 5 (= the sum of waits: Little's law, exactly); in system = both.
    expect(row(b, 0, 'busyTime')).toBe(40);
    expect(row(b, 0, 'staffedTime')).toBe(600);
    expect(row(b, 0, 'queueArea')).toBe(30);
    expect(row(b, 0, 'systemArea')).toBe(70);
    expect(r.state.cal.size).toBe(0);
  });

  it('a completion at the same instant as an arrival: the arrival is served at once', () => {
    // The arrival at 10 is scheduled before the service end at 10 exists, so only the
    // kind priority (service end before arrival) can put it first.
    const r = withInjections(detModel(), [10, 0]);
    const b = r.run();
    expect(totals(b, ['answered', 'waitAnswered', 'queueArea'])).toEqual({ answered: 2, waitAnswered: 0, queueArea: 0 });
    expect(row(b, 0, 'busyTime')).toBe(20);
  });

  it('patience ending when the agent frees up: that caller is answered; the next one in line abandons', () => {
    // c1 served 0-10; c2 and c3 wait with patience 10. At t=10 the service end runs first:
    // c2 (first in line) is answered with wait 10; c3's patience runs out at 10 too.
    const b = withInjections(detModel({ patience: 10 }), [0, 0, 0]).run();
    expect(totals(b, ['answered', 'waitAnswered', 'abandoned', 'waitAbandoned', 'answeredWithin']))
      .toEqual({ answered: 2, waitAnswered: 10, abandoned: 1, waitAbandoned: 10, answeredWithin: 2 });
    // A hair less patience and both waiting callers are gone before the agent frees.
    const c = withInjections(detModel({ patience: 9.999 }), [0, 0, 0]).run();
    expect(totals(c, ['answered', 'abandoned'])).toEqual({ answered: 1, abandoned: 2 });
  });

  it('deterministic patience 4 s: who abandons and when', () => {
    // c1@0 served 0-10; c2@1 and c3@2 give up at 5 and 6; c4@8 is answered at 10 (wait 2),
    // served 10-20; c5@9 gives up at 13. The threshold (4 s) counts waits equal to it.
    const r = withInjections(detModel({ patience: 4, threshold: 4 }), [0, 1, 2, 8, 9]);
    const snap = (t: number) => { r.advanceTo(t); const b = r.result(); return [total(b, 'answered'), total(b, 'abandoned')]; };
    expect([snap(4.999), snap(5), snap(6), snap(10), snap(12.999), snap(13)])
      .toEqual([[1, 0], [1, 1], [1, 2], [2, 2], [2, 2], [2, 3]]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'answered', 'waitAnswered', 'answeredWithin', 'abandoned', 'waitAbandoned', 'abandonedWithin', 'unfinished']))
      .toEqual({ arrivals: 5, answered: 2, waitAnswered: 2, answeredWithin: 2, abandoned: 3, waitAbandoned: 12, abandonedWithin: 3, unfinished: 0 });
    expect(row(b, 0, 'busyTime')).toBe(20);
    expect(row(b, 0, 'queueArea')).toBe(2 + 12);
  });

  it('a stale patience timer never ends a later call that reuses the slot (slot + generation)', () => {
    // Patience 100, handle 10, 30 s intervals, one agent in the first interval only.
    // c1@0 served 0-10; c2@1 answered at 10 (its patience timer for 101 is now stale);
    // c3@15 answered at 20 (stale timer for 115); the agent goes home idle at 30.
    // c4@31 waits in a recycled call slot: whichever slot it gets, a stale timer points
    // at it (101 or 115), and c4 must still wait its full 100 s (abandon at 131).
    const cfg = detModel({ intervalLength: 30, nIntervals: 5, agents: [1, 0, 0, 0, 0], patience: 100 });
    const r = withInjections(cfg, [0, 1, 15, 31]);
    r.advanceTo(130.999);
    expect(total(r.result(), 'abandoned')).toBe(0);
    const b = r.run();
    expect(totals(b, ['answered', 'waitAnswered', 'abandoned', 'waitAbandoned', 'unfinished']))
      .toEqual({ answered: 3, waitAnswered: 9 + 5, abandoned: 1, waitAbandoned: 100, unfinished: 0 });
  });

  it('shift end: the agent finishes the call in progress, takes no new one, and comes back next shift', () => {
    // 60 s intervals, staffing [1, 0, 1]. c1@55 is served 55-65 across the boundary; c2@58
    // waits: the agent leaves at 65 without it and takes it when back at 120 (wait 62);
    // c3@70 arrives with nobody on duty and is answered at 130 (wait 60).
    const cfg = detModel({ intervalLength: 60, nIntervals: 3, agents: [1, 0, 1] });
    const r = withInjections(cfg, [55, 58, 70]);
    r.advanceTo(100);
    expect(total(r.result(), 'answered')).toBe(1);
    expect([r.state.busy, r.state.staffed, r.state.waiting]).toEqual([0, 0, 2]);
    const b = r.run();
    expect(totals(b, ['answered', 'waitAnswered', 'unfinished'])).toEqual({ answered: 3, waitAnswered: 122, unfinished: 0 });
    expect([row(b, 0, 'waitAnswered'), row(b, 1, 'waitAnswered')]).toEqual([62, 60]); // by arrival interval
    expect([0, 1, 2].map((i) => row(b, i, 'busyTime'))).toEqual([5, 5, 20]);
    expect([0, 1, 2].map((i) => row(b, i, 'staffedTime'))).toEqual([60, 5, 60]); // on duty until the call ends at 65
    expect([0, 1, 2].map((i) => row(b, i, 'queueArea'))).toEqual([2, 60 + 50, 10]);
  });

  it('a departure is called off when the agent is rostered again before finishing the call', () => {
    // 60 s intervals, staffing [1, 0, 1], handle 130: c1@0 is served 0-130. At 60 the agent is
    // due to leave after the call; at 120 they are rostered again, so they stay: c2@125 is
    // answered at 130 (wait 5) and the agent counts as on duty throughout.
    const cfg = detModel({ intervalLength: 60, nIntervals: 3, agents: [1, 0, 1], handle: 130 });
    const b = withInjections(cfg, [0, 125]).run();
    expect(totals(b, ['answered', 'waitAnswered', 'unfinished'])).toEqual({ answered: 2, waitAnswered: 5, unfinished: 0 });
    expect([0, 1, 2].map((i) => row(b, i, 'staffedTime'))).toEqual([60, 60, 60]);
    expect([0, 1, 2].map((i) => row(b, i, 'busyTime'))).toEqual([60, 60, 60]);
  });

  it('staffing down by one with two busy agents: one leaves after the call, the other keeps working', () => {
    // staffing [2, 1], handle 100: c1@0 and c2@0 served 0-100; one agent leaves at 100.
    // c3@70 and c4@70 wait: the remaining agent serves c3 100-200 and c4 200-300.
    const cfg = detModel({ intervalLength: 60, nIntervals: 2, agents: [2, 1], handle: 100 });
    const b = withInjections(cfg, [0, 0, 70, 70]).run();
    expect(totals(b, ['answered', 'waitAnswered'])).toEqual({ answered: 4, waitAnswered: 30 + 130 });
    expect([0, 1].map((i) => row(b, i, 'staffedTime'))).toEqual([120, 60 + 40]);
  });

  it('an idle agent leaves at the shift end at once; calls left with nobody to serve them are unfinished', () => {
    const cfg = detModel({ intervalLength: 60, nIntervals: 2, agents: [1, 0] });
    const b = withInjections(cfg, [61, 90]).run();
    expect(totals(b, ['arrivals', 'offered', 'answered', 'abandoned', 'unfinished'])).toEqual({ arrivals: 2, offered: 2, answered: 0, abandoned: 0, unfinished: 2 });
    expect(row(b, 1, 'staffedTime')).toBe(0);
  });

  it('lines: a call that finds every line busy is blocked and not offered', () => {
    // 2 lines, 1 agent: c1@0 served 0-10, c2@1 waits (2 in system), c3@2 blocked,
    // c4@11 waits (c2 in service), answered at 20 (wait 9).
    const b = withInjections(detModel({ lines: 2 }), [0, 1, 2, 11]).run();
    expect(totals(b, ['arrivals', 'blocked', 'offered', 'answered', 'waitAnswered', 'abandoned', 'unfinished']))
      .toEqual({ arrivals: 4, blocked: 1, offered: 3, answered: 3, waitAnswered: 18, abandoned: 0, unfinished: 0 });
    expect(row(b, 0, 'systemArea')).toBe(30 + 18);
  });

  it('contacts injected after the horizon are counted in the drain row', () => {
    const cfg = detModel({ intervalLength: 60, nIntervals: 1 });
    const r = withInjections(cfg, [30, 100]);
    const b = r.run();
    expect([row(b, 0, 'arrivals'), row(b, 1, 'arrivals')]).toEqual([1, 1]);
    expect(total(b, 'answered')).toBe(2);
  });

  it('inject refuses unknown types and times in the past', () => {
    const r = new Replication(detModel(), 0);
    r.advanceTo(50);
    expect(() => r.inject(1, 60)).toThrow(SimError);
    expect(() => r.inject(0, 49)).toThrow(SimError);
    expect(() => r.inject(0.5, 60)).toThrow(SimError);
    r.inject(0); // now
    expect(total(r.run(), 'answered')).toBe(1);
  });
});

// ---------------------------------------------------------------- random models

function poissonModel(seed = 7): ModelConfig {
  const nI = 12, L = 600;
  const type = (name: string, perHour: number, queue: number): ContactTypeInput => ({
    name, channel: 'phone',
    arrivalRates: Array.from({ length: nI }, (_, i) => (perHour * (1 + 0.6 * Math.sin(i / 2))) / 3600),
    handleTime: { kind: 'lognormal', mean: 240, cv: 0.9 },
    patience: { kind: 'exponential', mean: 150 },
    queue, site: 0,
  });
  return modelConfig({
    schemaVersion: 1, name: 'poisson', seed, horizon: nI * L, intervalLength: L, nIntervals: nI, warmup: 0, threshold: 20, sla: [],
    types: [type('A', 500, 0), type('B', 200, 1)],
    queues: [{ name: 'qa' }, { name: 'qb' }],
    groups: [
      { name: 'generalists', site: 0, queues: [0, 1], staffing: Array.from({ length: nI }, (_, i) => 25 + ((i * 7) % 11)) },
      { name: 'specialists', site: 0, queues: [1], staffing: Array.from({ length: nI }, (_, i) => (i % 3) * 4) },
    ],
    sites: [{ name: 's', lines: 60 }],
  });
}

const COUNTS: Metric[] = ['arrivals', 'blocked', 'offered', 'answered', 'answeredWithin', 'abandoned', 'abandonedWithin', 'unfinished'];
const AREAS: Metric[] = ['busyTime', 'staffedTime', 'queueArea', 'systemArea', 'waitAnswered', 'waitAbandoned', 'handleTime'];

describe('stepping and reproducibility', () => {
  it('advanceTo in many steps gives the same result as one run', () => {
    const cfg = poissonModel();
    const whole = new Replication(cfg, 3).run();
    expect(total(whole, 'arrivals')).toBeGreaterThan(1000);
    const stepped = new Replication(cfg, 3);
    // Irregular steps, some landing exactly on interval boundaries.
    let t = 0;
    for (let k = 0; t < cfg.horizon + 3000; k++) {
      t = k % 5 === 0 ? Math.ceil((t + 1) / 600) * 600 : t + 37.3 * ((k * 13) % 7);
      stepped.advanceTo(t);
    }
    const b = stepped.run();
    for (let i = 0; i <= cfg.nIntervals; i++) {
      for (const k of COUNTS) expect(row(b, i, k), `${k} row ${i}`).toBe(row(whole, i, k));
      // Areas are sums of more, shorter pieces when stepped: equal up to rounding. In the
      // drain row (after the horizon) agents on duty accrue staffed time for as long as the
      // clock is advanced, past the last event too; the totals leave the drain's time out.
      for (const k of AREAS) {
        if (i === cfg.nIntervals && k === 'staffedTime') continue;
        expect(row(b, i, k), `${k} row ${i}`).toBeCloseTo(row(whole, i, k), 6);
      }
    }
    expect(b[4]).toBe(whole[4]); // events
  });

  it('injections between steps equal the same injections made up front', () => {
    const cfg = poissonModel();
    const times = [100, 100, 1234.5, 3000, 3600, 5999];
    const upFront = new Replication(cfg, 1);
    for (const t of times) upFront.inject(1, t);
    const a = upFront.run();
    const live = new Replication(cfg, 1);
    for (const t of times) { live.advanceTo(t - 50); live.inject(1, t); }
    const b = live.run();
    for (const k of COUNTS) expect(total(b, k), k).toBe(total(a, k));
    expect(total(a, 'arrivals')).toBe(total(new Replication(cfg, 1).run(), 'arrivals') + times.length);
  });

  it('the same seed and replication give an identical result buffer', () => {
    const cfg = poissonModel();
    expect(deterministicPart(new Replication(cfg, 2).run())).toEqual(deterministicPart(new Replication(cfg, 2).run()));
  });

  it('another replication index or seed gives a different result', () => {
    const a = deterministicPart(new Replication(poissonModel(), 2).run());
    expect(deterministicPart(new Replication(poissonModel(), 5).run())).not.toEqual(a);
    expect(deterministicPart(new Replication(poissonModel(8), 2).run())).not.toEqual(a);
  });
});

// ---------------------------------------------------------------- conservation over random small models

const distArb: fc.Arbitrary<DistSpec> = fc.oneof(
  fc.double({ min: 1, max: 200, noNaN: true }).map((mean): DistSpec => ({ kind: 'exponential', mean })),
  fc.integer({ min: 0, max: 60 }).map((value): DistSpec => ({ kind: 'deterministic', value })),
  fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100 })).map(([a, w]): DistSpec => ({ kind: 'uniform', min: a, max: a + w })),
  fc.tuple(fc.double({ min: 1, max: 200, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true })).map(([mean, cv]): DistSpec => ({ kind: 'lognormal', mean, cv })),
);

const modelArb: fc.Arbitrary<ModelConfig> = fc
  .record({
    nI: fc.integer({ min: 1, max: 4 }),
    L: fc.constantFrom(60, 300, 900),
    nQ: fc.integer({ min: 1, max: 2 }),
    seed: fc.nat(1000),
    threshold: fc.integer({ min: 0, max: 30 }),
    lines: fc.option(fc.integer({ min: 1, max: 8 })),
  })
  .chain((b) => fc.record({
    base: fc.constant(b),
    types: fc.array(fc.record({
      perHour: fc.double({ min: 0, max: 300, noNaN: true }),
      handle: distArb,
      patience: fc.option(distArb),
      queue: fc.integer({ min: 0, max: b.nQ - 1 }),
    }), { minLength: 1, maxLength: 3 }),
    groups: fc.array(fc.record({
      queues: fc.subarray(Array.from({ length: b.nQ }, (_, q) => q), { minLength: 1 }),
      staffing: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: b.nI, maxLength: b.nI }),
    }), { minLength: 1, maxLength: 3 }),
  }))
  .map(({ base, types, groups }): ModelConfig => modelConfig({
    schemaVersion: 1, name: 'random', seed: base.seed,
    horizon: base.nI * base.L, intervalLength: base.L, nIntervals: base.nI, warmup: 0, threshold: base.threshold, sla: [],
    types: types.map((t, i) => ({
      name: `t${i}`, channel: 'phone', arrivalRates: new Array(base.nI).fill(t.perHour / 3600),
      handleTime: t.handle, patience: t.patience, queue: t.queue, site: 0,
    })),
    queues: Array.from({ length: base.nQ }, (_, q) => ({ name: `q${q}` })),
    groups: groups.map((g, i) => ({ name: `g${i}`, site: 0, queues: g.queues, staffing: g.staffing })),
    sites: [{ name: 's', lines: base.lines }],
  }));

describe('conservation', () => {
  it('every contact ends in exactly one outcome, in every row, for random small models', () => {
    fc.assert(
      fc.property(modelArb, fc.nat(20), fc.array(fc.double({ min: 0, max: 4000, noNaN: true }), { maxLength: 5 }), (cfg, rep, injected) => {
        const r = new Replication(cfg, rep);
        for (const t of injected) r.inject(0, t);
        const b = r.run();
        for (let i = 0; i <= cfg.nIntervals; i++) {
          const v = (k: Metric) => row(b, i, k);
          expect(v('arrivals')).toBe(v('blocked') + v('answered') + v('abandoned') + v('unfinished'));
          expect(v('offered')).toBe(v('arrivals') - v('blocked'));
          expect(v('answeredWithin')).toBeLessThanOrEqual(v('answered'));
          expect(v('abandonedWithin')).toBeLessThanOrEqual(v('abandoned'));
          expect(v('busyTime')).toBeLessThanOrEqual(v('staffedTime') + 1e-6);
          expect(v('queueArea')).toBeLessThanOrEqual(v('systemArea') + 1e-6);
          if (cfg.sites[0].lines === null) expect(v('blocked')).toBe(0);
        }
        // At the end nobody is in service; the calls still waiting are exactly the unfinished ones.
        expect(r.state.busy).toBe(0);
        expect(r.state.waiting).toBe(total(b, 'unfinished'));
        expect(total(b, 'arrivals')).toBeGreaterThanOrEqual(injected.length);
      }),
      { numRuns: 300 },
    );
  });
});
