import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { modelConfig, type ContactTypeInput } from '../../sim/src/config/defaults.ts';
import { makeStream, streamKey } from '../../sim/src/core/rng.ts';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { HEADER_LENGTH, M, NM } from '../../sim/src/model/layout.ts';

const draws = (seed: number | string, rep: number, name: string, n: number): number[] => {
  const s = makeStream(seed, rep, name);
  return Array.from({ length: n }, () => s.next());
};

describe('seeded streams', () => {
  it('the same (seed, replication, name) gives the same sequence', () => {
    expect(draws(7, 3, 'arrivals/calls', 1000)).toEqual(draws(7, 3, 'arrivals/calls', 1000));
    expect(streamKey(7, 3, 'arrivals/calls')).toBe(streamKey(7, 3, 'arrivals/calls'));
  });

  it('another replication index, stream name or seed gives another sequence', () => {
    const base = draws(7, 3, 'arrivals/calls', 20);
    for (const other of [draws(7, 4, 'arrivals/calls', 20), draws(7, 3, 'handle/calls', 20), draws(8, 3, 'arrivals/calls', 20)]) {
      // Not one value in common: independent streams, not shifted copies of one another.
      expect(other.filter((x) => base.includes(x))).toEqual([]);
    }
  });

  it('keys keep seed, replication and name apart (no collisions from concatenation)', () => {
    const keys = new Set<string>();
    for (const seed of [1, 11, 111]) for (const rep of [1, 11, 111]) for (const name of ['1', '11', 'a']) keys.add(streamKey(seed, rep, name));
    expect(keys.size).toBe(27);
  });

  it('uniform draws have mean 1/2 and variance 1/12 (within 4 standard errors)', () => {
    const n = 200_000;
    const s = makeStream(1, 0, 'uniform-test');
    let sum = 0, sum2 = 0, min = 1, max = 0;
    for (let i = 0; i < n; i++) {
      const u = s.next();
      sum += u; sum2 += u * u;
      if (u < min) min = u;
      if (u > max) max = u;
    }
    const mean = sum / n;
    const variance = sum2 / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    // Var of the sample variance of U(0,1): (mu4 - sigma^4) / n = (1/80 - 1/144) / n = 1/(180 n).
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(4 * Math.sqrt(1 / 180 / n));
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it('nextOpen is in (0, 1] and exponential(rate) has mean 1/rate', () => {
    const n = 200_000;
    const s = makeStream(2, 0, 'open-test');
    let sum = 0, zero = 0;
    for (let i = 0; i < n; i++) {
      const u = s.nextOpen();
      if (!(u > 0 && u <= 1)) zero++;
      sum += s.exponential(0.25);
    }
    expect(zero).toBe(0);
    expect(Math.abs(sum / n - 4)).toBeLessThan(4 * (4 / Math.sqrt(n)));
  });

  it('normal deviates have mean 0, variance 1 and no serial correlation between the pair', () => {
    const n = 200_000;
    const s = makeStream(3, 0, 'normal-test');
    let sum = 0, sum2 = 0, lag = 0, prev = 0;
    for (let i = 0; i < n; i++) {
      const z = s.normal();
      sum += z; sum2 += z * z;
      if (i > 0) lag += z * prev;
      prev = z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(4 / Math.sqrt(n));
    // Var of the sample variance of N(0,1): 2/n.
    expect(Math.abs(sum2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    // The polar method returns both deviates of a pair: they must be uncorrelated.
    expect(Math.abs(lag / (n - 1))).toBeLessThan(4 / Math.sqrt(n));
  });

  it('streams with different names are uncorrelated', () => {
    const n = 100_000;
    const a = makeStream(5, 0, 'arrivals/A'), b = makeStream(5, 0, 'arrivals/B');
    let cov = 0;
    for (let i = 0; i < n; i++) cov += (a.next() - 0.5) * (b.next() - 0.5);
    // Corr estimate has SE 1/sqrt(n); cov = corr / 12.
    expect(Math.abs((cov / n) * 12)).toBeLessThan(4 / Math.sqrt(n));
  });
});

// ---------------------------------------------------------------- common random numbers

const L = 900;
const NI = 8;

function contactType(name: string, perHour: number, over: Partial<ContactTypeInput> = {}): ContactTypeInput {
  return {
    name,
    channel: 'phone',
    arrivalRates: Array.from({ length: NI }, (_, i) => (perHour * (1 + 0.5 * Math.sin(i))) / 3600),
    handleTime: { kind: 'exponential', mean: 180 },
    patience: { kind: 'exponential', mean: 120 },
    queue: 0,
    site: 0,
    ...over,
  };
}

function model(types: ContactTypeInput[], agents: number, seed = 42): ModelConfig {
  const queues = [...new Set(types.map((t) => t.queue))].sort();
  return modelConfig({
    schemaVersion: 1, name: 'crn', seed, horizon: NI * L, intervalLength: L, nIntervals: NI, warmup: 0, threshold: 20, sla: [],
    types,
    queues: queues.map((q) => ({ name: `q${q}` })),
    groups: [{ name: 'agents', site: 0, queues, staffing: new Array(NI).fill(agents) }],
    sites: [{ name: 'center', lines: null }],
  });
}

/**
 * Every contact of a run, in arrival order. With no agents and no patience nobody
 * leaves, so call slots are never recycled: slot i is the i-th arrival, and
 * SimState's arrays are a complete log of (type, arrival time, handle time).
 */
function arrivalLog(cfg: ModelConfig, rep = 0): { type: string; time: number; handle: number }[] {
  const r = new Replication(cfg, rep);
  r.run();
  const s = r.state;
  const out = [];
  for (let slot = 0; slot < s.nSlots; slot++) out.push({ type: cfg.types[s.cType[slot]].name, time: s.cArrive[slot], handle: s.cHandle[slot] });
  return out;
}

const ofType = (log: ReturnType<typeof arrivalLog>, name: string) => log.filter((c) => c.type === name).map(({ time, handle }) => ({ time, handle }));

function arrivalsPerInterval(cfg: ModelConfig, rep = 0): number[] {
  const buf = new Replication(cfg, rep).run();
  return Array.from({ length: cfg.nIntervals + 1 }, (_, i) => buf[HEADER_LENGTH + i * NM + M.arrivals]);
}

describe('common random numbers', () => {
  const A = contactType('A', 400, { patience: null });
  const B = contactType('B', 300, { patience: null, queue: 1 });

  it('type A sees the same arrival times and handle times whatever happens to type B', () => {
    const base = ofType(arrivalLog(model([A, B], 0)), 'A');
    expect(base.length).toBeGreaterThan(500);
    const variants: ContactTypeInput[][] = [
      [A], // B removed
      [A, { ...B, arrivalRates: B.arrivalRates.map((r) => 3 * r) }], // B busier
      [A, { ...B, handleTime: { kind: 'lognormal', mean: 400, cv: 1.5 } }], // B's handle time changed
      [{ ...B, queue: 0 }, { ...A, queue: 1 }], // B listed first: A is type index 1
      [A, B, contactType('C', 900, { patience: null })], // a type added
    ];
    for (const types of variants) expect(ofType(arrivalLog(model(types, 0)), 'A')).toEqual(base);
  });

  it('B really changes in those variants (the comparison is not vacuous)', () => {
    const b1 = ofType(arrivalLog(model([A, B], 0)), 'B');
    const b2 = ofType(arrivalLog(model([A, { ...B, arrivalRates: B.arrivalRates.map((r) => 3 * r) }], 0)), 'B');
    expect(b2.length).toBeGreaterThan(2 * b1.length);
  });

  it('in a loaded model, changing patience leaves the arrivals of every interval unchanged', () => {
    const loaded = [contactType('A', 400), contactType('B', 300)];
    const base = arrivalsPerInterval(model(loaded, 30));
    const changed = [
      [{ ...loaded[0], patience: { kind: 'exponential', mean: 10 } }, loaded[1]],
      [loaded[0], { ...loaded[1], patience: { kind: 'lognormal', mean: 600, cv: 0.8 } }],
      [{ ...loaded[0], patience: null }, { ...loaded[1], patience: null }],
    ] as ContactTypeInput[][];
    for (const types of changed) expect(arrivalsPerInterval(model(types, 30))).toEqual(base);
    // ... while the outcomes do change (patience matters in this model).
    const abandoned = (types: ContactTypeInput[]) => {
      const buf = new Replication(model(types, 30), 0).run();
      let s = 0;
      for (let i = 0; i <= NI; i++) s += buf[HEADER_LENGTH + i * NM + M.abandoned];
      return s;
    };
    expect(abandoned(changed[0])).toBeGreaterThan(abandoned(loaded));
  });

  it('staffing changes leave arrivals unchanged too', () => {
    const loaded = [contactType('A', 400), contactType('B', 300)];
    expect(arrivalsPerInterval(model(loaded, 20))).toEqual(arrivalsPerInterval(model(loaded, 40)));
  });

  it('another replication index gives other arrivals', () => {
    const loaded = [contactType('A', 400), contactType('B', 300)];
    expect(arrivalsPerInterval(model(loaded, 30), 1)).not.toEqual(arrivalsPerInterval(model(loaded, 30), 0));
  });
});
