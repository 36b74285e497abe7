import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SimError } from '../../sim/src/errors.ts';
import {
  answeredWithin,
  erlangB,
  erlangC,
  erlangCMetrics,
  meetsTarget,
  positionOutcomes,
  queueMetrics,
  staffFor,
  stationaryDistribution,
  type QueueMetrics,
  type QueueSpec,
  type StaffingTarget,
} from '../../sim/src/analytic/index.ts';

// ---------- independent references ----------

/** |actual - expected| <= tol * max(1, |expected|). */
function expectClose(actual: number, expected: number, tol: number, label = ''): void {
  const err = Math.abs(actual - expected);
  const bound = tol * Math.max(1, Math.abs(expected));
  if (!(err <= bound)) throw new Error(`${label} ${actual} vs ${expected} (err ${err} > ${bound})`);
}

/** |actual - expected| <= rel * |expected|. */
function expectRelative(actual: number, expected: number, rel: number, label = ''): void {
  const err = Math.abs(actual - expected);
  if (!(err <= rel * Math.abs(expected))) throw new Error(`${label} ${actual} vs ${expected} (rel err ${err / Math.abs(expected)} > ${rel})`);
}

/** BigInt rational p/q rounded to a double (17+ significant digits kept before conversion). */
function ratio(p: bigint, q: bigint): number {
  const scale = 10n ** 30n;
  return Number((p * scale) / q) / 1e30;
}

/** Exact Erlang B for integer load: B = a^n / sum_k a^k n!/k!. */
function exactErlangB(a: number, n: number): number {
  const A = BigInt(a);
  let denom = 0n;
  for (let k = 0; k <= n; k++) {
    let coef = 1n; // n!/k!
    for (let i = k + 1; i <= n; i++) coef *= BigInt(i);
    denom += A ** BigInt(k) * coef;
  }
  return ratio(A ** BigInt(n), denom);
}

/** Exact Erlang C for integer load a < n: C = n a^n / ((n - a) sum_{k<n} a^k n!/k! + n a^n). */
function exactErlangC(a: number, n: number): number {
  const A = BigInt(a);
  const N = BigInt(n);
  let head = 0n;
  for (let k = 0; k < n; k++) {
    let coef = 1n;
    for (let i = k + 1; i <= n; i++) coef *= BigInt(i);
    head += A ** BigInt(k) * coef;
  }
  const tail = N * A ** N;
  return ratio(tail, (N - A) * head + tail);
}

/** Erlang B the naive way (fine in doubles at small load). */
function naiveErlangB(a: number, n: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= n; k++) {
    term *= a / k;
    sum += term;
  }
  return term / sum;
}

/** P(answered and W <= T | j) by RK4 on the forward Kolmogorov equations of the tagged call. */
function taggedCallOde(j: number, serviceRate: number, theta: number, T: number, dt = 2e-3): number {
  const size = j + 2; // y[0..j] = P(at phase i), y[j + 1] = P(served)
  const q = Float64Array.from({ length: j + 1 }, (_, i) => serviceRate + (i + 1) * theta);
  const r = Float64Array.from({ length: j + 1 }, (_, i) => serviceRate + i * theta);
  const deriv = (y: Float64Array, out: Float64Array): void => {
    for (let i = 0; i <= j; i++) out[i] = -q[i] * y[i] + (i < j ? r[i + 1] * y[i + 1] : 0);
    out[j + 1] = r[0] * y[0];
  };
  const y = new Float64Array(size);
  y[j] = 1;
  const [k1, k2, k3, k4, tmp] = [0, 0, 0, 0, 0].map(() => new Float64Array(size));
  const steps = Math.round(T / dt);
  const h = T / steps;
  for (let s = 0; s < steps; s++) {
    deriv(y, k1);
    for (let i = 0; i < size; i++) tmp[i] = y[i] + (h / 2) * k1[i];
    deriv(tmp, k2);
    for (let i = 0; i < size; i++) tmp[i] = y[i] + (h / 2) * k2[i];
    deriv(tmp, k3);
    for (let i = 0; i < size; i++) tmp[i] = y[i] + h * k3[i];
    deriv(tmp, k4);
    for (let i = 0; i < size; i++) y[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  return y[j + 1];
}

function expectUnitInterval(m: QueueMetrics): void {
  for (const key of ['probBlock', 'probWait', 'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'occupancy'] as const) {
    expect(Number.isFinite(m[key]), key).toBe(true);
    expect(m[key], key).toBeGreaterThanOrEqual(0);
    expect(m[key], key).toBeLessThanOrEqual(1);
  }
  for (const key of ['asa', 'meanWaitAll', 'answeredRate', 'meanQueueLength', 'meanBusyAgents'] as const) {
    expect(Number.isFinite(m[key]), key).toBe(true);
    expect(m[key], key).toBeGreaterThanOrEqual(0);
  }
}

/** The identities that tie per-call (arrival view) metrics to time averages (Little, PASTA). */
function expectLittleIdentities(spec: QueueSpec, m: QueueMetrics, tol = 1e-9): void {
  const lambda = spec.arrivalRate;
  const theta = spec.patience === undefined ? 0 : 1 / spec.patience;
  const admitted = lambda * (1 - m.probBlock);
  expectClose(admitted * m.meanWaitAll, m.meanQueueLength, tol, 'Little Lq');
  expectClose(admitted * m.abandonRate, theta * m.meanQueueLength, tol, 'abandon flow');
  expectClose(m.occupancy, (m.answeredRate * spec.aht) / spec.agents, tol, 'occupancy');
  // Every arrival is blocked, answered or abandons; answered flow uses the chain's busy agents.
  expectClose(m.probBlock + (1 - m.probBlock) * m.abandonRate + m.meanBusyAgents / spec.aht / lambda, 1, tol, 'outcomes');
}

// ---------- Erlang B / C ----------

describe('Erlang B and C', () => {
  it('match published table values', () => {
    // Erlang B tables: B(a = 10, n = 10) = 0.2146; Erlang C: C(a = 10, n = 12) = 0.4494.
    expect(erlangB(10, 10)).toBeCloseTo(0.2145823431, 9);
    expect(erlangC(10, 12)).toBeCloseTo(0.4493882243, 9);
    // Classic examples: M/M/3 at a = 2 has C = 4/9; M/M/2 at a = 1 has C = 1/3; M/M/1 has C = rho.
    expectClose(erlangC(2, 3), 4 / 9, 1e-14);
    expectClose(erlangC(1, 2), 1 / 3, 1e-14);
    expectClose(erlangC(0.7, 1), 0.7, 1e-14);
    expectClose(erlangB(1, 1), 0.5, 1e-15);
  });

  it('match exact rational arithmetic (BigInt)', () => {
    for (const [a, n] of [[1, 1], [5, 3], [10, 10], [20, 25], [50, 60], [100, 110]]) {
      expectClose(erlangB(a, n), exactErlangB(a, n), 1e-12, `B(${a},${n})`);
    }
    for (const [a, n] of [[2, 3], [10, 12], [20, 25], [50, 55], [100, 105]]) {
      expectClose(erlangC(a, n), exactErlangC(a, n), 1e-12, `C(${a},${n})`);
    }
  });

  it('handle edge loads', () => {
    expect(erlangB(0, 5)).toBe(0);
    expect(erlangB(3, 0)).toBe(1);
    expect(erlangC(0, 5)).toBe(0);
    expect(erlangC(12, 12)).toBe(1);
    expect(erlangC(15, 12)).toBe(1);
    expect(() => erlangB(-1, 3)).toThrow(SimError);
    expect(() => erlangC(1, 0)).toThrow(SimError);
  });

  it('stay finite at very large loads', () => {
    const b = erlangB(2000, 2000);
    expect(Number.isFinite(b)).toBe(true);
    // Independent route: the stationary distribution of M/M/n/n from the mode-normalised recursion.
    const pb = queueMetrics({ arrivalRate: 2000 / 100, aht: 100, agents: 2000, lines: 2000, threshold: 20 }).probBlock;
    expectClose(b, pb, 1e-11, 'B(2000,2000) vs chain');
    // The asymptotic B(a, a) ~ sqrt(2 / (pi a)) holds to within 2 % at this load.
    expect(Math.abs(b / Math.sqrt(2 / (Math.PI * 2000)) - 1)).toBeLessThan(0.02);
    expectClose(erlangB(30, 40), naiveErlangB(30, 40), 1e-13);
    const c = erlangC(5000, 5100);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
  });
});

// ---------- the general solver against closed forms ----------

describe('queueMetrics vs closed-form Erlang C (no patience, no lines)', () => {
  const cases: Omit<QueueSpec, 'patience' | 'lines'>[] = [
    { arrivalRate: 10 / 180, aht: 180, agents: 12, threshold: 20 },
    { arrivalRate: 2 / 60, aht: 60, agents: 3, threshold: 0 },
    { arrivalRate: 0.9, aht: 1, agents: 1, threshold: 5 },
    { arrivalRate: 333.3 / 180, aht: 180, agents: 350, threshold: 20 },
    { arrivalRate: 750 / 240, aht: 240, agents: 800, threshold: 30 },
    { arrivalRate: 95 / 300, aht: 300, agents: 100, threshold: 60 },
  ];
  for (const spec of cases) {
    it(`a = ${(spec.arrivalRate * spec.aht).toFixed(1)}, n = ${spec.agents}, T = ${spec.threshold}`, () => {
      const m = queueMetrics(spec);
      const c = erlangCMetrics(spec);
      const mu = 1 / spec.aht;
      const drain = spec.agents * mu - spec.arrivalRate;
      const C = erlangC(spec.arrivalRate * spec.aht, spec.agents);
      expectClose(m.probWait, C, 1e-9, 'P(wait)');
      expectClose(m.serviceLevel, 1 - C * Math.exp(-drain * spec.threshold), 1e-9, 'SL');
      expectClose(m.serviceLevelAnswered, c.serviceLevelAnswered, 1e-9, 'SL answered');
      expectClose(m.asa, C / drain, 1e-9, 'ASA');
      expectClose(m.meanWaitAll, c.meanWaitAll, 1e-9, 'mean wait all');
      expectClose(m.meanQueueLength, c.meanQueueLength, 1e-9, 'Lq');
      expectClose(m.occupancy, c.occupancy, 1e-9, 'occupancy');
      expectClose(m.answeredRate, spec.arrivalRate, 1e-9, 'answered rate');
      expect(m.abandonRate).toBe(0);
      expect(m.probBlock).toBe(0);
    });
  }

  it('rejects the unstable infinite queue with a clear RangeError', () => {
    const spec = { arrivalRate: 12 / 180, aht: 180, agents: 12, threshold: 20 };
    expect(() => queueMetrics(spec)).toThrow(/unstable/);
    expect(() => queueMetrics(spec)).toThrow(SimError);
    expect(() => erlangCMetrics(spec)).toThrow(/unstable/);
    // ...but finite lines or patience make it well defined.
    expect(queueMetrics({ ...spec, lines: 30 }).probBlock).toBeGreaterThan(0);
    expect(queueMetrics({ ...spec, patience: 120 }).abandonRate).toBeGreaterThan(0);
  });

  it('validates its inputs', () => {
    const ok = { arrivalRate: 1, aht: 1, agents: 2, threshold: 1 };
    expect(() => queueMetrics({ ...ok, agents: 1.5 })).toThrow(SimError);
    expect(() => queueMetrics({ ...ok, lines: 1 })).toThrow(SimError);
    expect(() => queueMetrics({ ...ok, patience: 0 })).toThrow(SimError);
    expect(() => queueMetrics({ ...ok, aht: 0 })).toThrow(SimError);
    expect(() => queueMetrics({ ...ok, threshold: -1 })).toThrow(SimError);
    const idle = queueMetrics({ ...ok, arrivalRate: 0 });
    expect(idle.serviceLevel).toBe(1);
    expect(idle.occupancy).toBe(0);
  });
});

describe('finite lines', () => {
  it('lines = agents is the Erlang B loss system: blocking, no waiting', () => {
    for (const [a, n, patience] of [[10, 10, undefined], [8, 5, 60], [200, 190, undefined], [1500, 1520, 300]] as const) {
      const spec: QueueSpec = { arrivalRate: a / 120, aht: 120, agents: n, lines: n, patience, threshold: 20 };
      const m = queueMetrics(spec);
      expectClose(m.probBlock, erlangB(a, n), 1e-11, 'blocking');
      expect(m.probWait).toBe(0);
      expect(m.asa).toBe(0);
      expect(m.abandonRate).toBe(0);
      expect(m.meanQueueLength).toBe(0);
      expectClose(m.serviceLevel, 1, 1e-12);
      expectClose(m.meanBusyAgents, a * (1 - erlangB(a, n)), 1e-9, 'carried load');
    }
  });

  it('M/M/n/K matches the explicit product-form distribution', () => {
    const a = 6, n = 4, K = 9, aht = 100;
    // pi_k proportional to a^k/k! for k <= n and a^n/n! rho^{k-n} beyond.
    const w: number[] = [];
    for (let k = 0; k <= K; k++) {
      let t = 1;
      for (let i = 1; i <= k; i++) t *= a / Math.min(i, n);
      w.push(t);
    }
    const total = w.reduce((s, x) => s + x, 0);
    const pi = w.map((x) => x / total);
    const m = queueMetrics({ arrivalRate: a / aht, aht, agents: n, lines: K, threshold: 10 });
    expectClose(m.probBlock, pi[K], 1e-13, 'blocking');
    const lq = pi.reduce((s, p, k) => s + Math.max(k - n, 0) * p, 0);
    expectClose(m.meanQueueLength, lq, 1e-12, 'Lq');
    const pWait = pi.slice(n, K).reduce((s, p) => s + p, 0) / (1 - pi[K]);
    expectClose(m.probWait, pWait, 1e-12, 'P(wait)');
    expectLittleIdentities({ arrivalRate: a / aht, aht, agents: n, lines: K, threshold: 10 }, m);
  });
});

// ---------- Erlang A ----------

const erlangASpecs: QueueSpec[] = [
  { arrivalRate: 10 / 180, aht: 180, agents: 10, patience: 120, threshold: 20 },
  { arrivalRate: 48 / 240, aht: 240, agents: 45, patience: 60, threshold: 30 },
  { arrivalRate: 160000 / 86400, aht: 180, agents: 350, patience: 300, threshold: 20 },
  { arrivalRate: 160000 / 86400, aht: 180, agents: 300, patience: 300, threshold: 20 },
  { arrivalRate: 30 / 100, aht: 100, agents: 25, patience: 40, lines: 40, threshold: 15 },
  { arrivalRate: 5000 / 180, aht: 180, agents: 4000, patience: 60, threshold: 20 },
];

describe('Erlang A (M/M/n+M) and M/M/n/K+M', () => {
  for (const spec of erlangASpecs) {
    const label = `a = ${(spec.arrivalRate * spec.aht).toFixed(1)}, n = ${spec.agents}, patience = ${spec.patience}, lines = ${spec.lines ?? 'inf'}`;
    it(`Little / flow identities hold: ${label}`, () => {
      const m = queueMetrics(spec);
      expectUnitInterval(m);
      expectLittleIdentities(spec, m);
      expect(m.serviceLevel).toBeLessThanOrEqual(1 - m.abandonRate + 1e-12);
      expectClose(m.serviceLevelAnswered * (1 - m.abandonRate), m.serviceLevel, 1e-12);
    });

    it(`SL(T) increases with T and tends to 1 - P(abandon): ${label}`, () => {
      let previous = -1;
      for (const threshold of [0, 1, 5, 10, 20, 40, 80, 160, 600]) {
        const sl = queueMetrics({ ...spec, threshold }).serviceLevel;
        expect(sl).toBeGreaterThanOrEqual(previous - 1e-13);
        previous = sl;
      }
      const m = queueMetrics({ ...spec, threshold: 36_000 });
      expectClose(m.serviceLevel, 1 - m.abandonRate, 1e-12, 'SL(inf)');
      expectClose(m.serviceLevelAnswered, 1, 1e-12, 'SL answered(inf)');
      // T = 0: only calls answered on arrival count.
      const zero = queueMetrics({ ...spec, threshold: 0 });
      expectClose(zero.serviceLevel, 1 - zero.probWait, 1e-12, 'SL(0)');
    });
  }

  it('per-position SL matches the two-phase closed form and an ODE solution', () => {
    const serviceRate = 350 / 180;
    const theta = 1 / 300;
    const T = 20;
    const within = answeredWithin(201, serviceRate, theta, T);
    // j = 0: P(S <= T, S < A) = nmu/(nmu+theta) (1 - e^{-(nmu+theta) T}).
    const q0 = serviceRate + theta;
    expectClose(within[0], (serviceRate / q0) * (1 - Math.exp(-q0 * T)), 1e-13, 'j=0');
    // j = 1: S = Exp(alpha) + Exp(beta), alpha = nmu + theta, beta = nmu; integrate e^{-theta s} f_S(s).
    const al = serviceRate + theta, be = serviceRate;
    const j1 = ((al * be) / (be - al)) * ((1 - Math.exp(-(al + theta) * T)) / (al + theta) - (1 - Math.exp(-(be + theta) * T)) / (be + theta));
    expectClose(within[1], j1, 1e-10, 'j=1');
    // Deep positions (the regime where the hypoexponential closed form fails): RK4 on the ODEs.
    for (const j of [5, 38, 60, 200]) expectClose(within[j], taggedCallOde(j, serviceRate, theta, T), 1e-9, `j=${j}`);
    // Same for theta = 0 (Erlang(j+1) CDF path).
    const plain = answeredWithin(80, serviceRate, 0, T);
    for (const j of [0, 10, 38, 79]) expectClose(plain[j], taggedCallOde(j, serviceRate, 0, T), 1e-9, `theta=0 j=${j}`);
  });

  it('per-position outcomes: answer + abandon = 1, and the T -> infinity limit', () => {
    const fate = positionOutcomes(500, 2, 0.05);
    const within = answeredWithin(500, 2, 0.05, 1e5);
    for (let j = 0; j < 500; j++) {
      expectClose(fate.answered[j] + fate.abandoned[j], 1, 1e-15);
      expectClose(within[j], fate.answered[j], 2e-12, `j=${j}`); // early stop + a few ulps per phase
      // Time in queue = W on answered paths plus the patience on abandoned ones.
      expect(fate.meanWaitAnswered[j]).toBeLessThanOrEqual(fate.meanQueueTime[j]);
    }
  });

  it('as patience -> infinity, Erlang A -> Erlang C', () => {
    // The gap is O(theta) (about 1.3e-6 relative in ASA at patience 1e9 for a = 10, n = 12, and
    // ten times smaller per decade of patience), so 1e-5 relative is a real convergence check.
    for (const spec of [
      { arrivalRate: 10 / 180, aht: 180, agents: 12, threshold: 20 },
      { arrivalRate: 333.3 / 180, aht: 180, agents: 350, threshold: 20 },
    ]) {
      const a = queueMetrics({ ...spec, patience: 1e9 });
      const c = queueMetrics(spec);
      const closer = queueMetrics({ ...spec, patience: 1e12 });
      for (const key of ['probWait', 'serviceLevel', 'serviceLevelAnswered', 'asa', 'meanWaitAll', 'occupancy', 'meanQueueLength'] as const) {
        expectRelative(a[key], c[key], 1e-5, key);
        expectRelative(closer[key], c[key], 1e-8, `${key} (patience 1e12)`);
      }
      expect(a.abandonRate).toBeLessThan(1e-6);
    }
  });

  it('theta = mu makes the number in system Poisson(a) (M/M/infinity-like)', () => {
    for (const [a, n] of [[8, 5], [50, 40], [120, 150]]) {
      const aht = 200;
      const dist = stationaryDistribution({ lambda: a / aht, mu: 1 / aht, theta: 1 / aht, servers: n, capacity: Infinity });
      let p = Math.exp(-a);
      let lq = 0;
      for (let k = 0; k < dist.pi.length; k++) {
        if (k > 0) p *= a / k;
        expectClose(dist.pi[k], p, 1e-12, `pi_${k}`);
        lq += Math.max(k - n, 0) * p;
      }
      const m = queueMetrics({ arrivalRate: a / aht, aht, agents: n, patience: aht, threshold: 20 });
      expectClose(m.meanQueueLength, lq, 1e-10, 'Lq');
      // Each call in system leaves at rate mu whatever it is doing, so E[N] = a.
      expectClose(m.meanBusyAgents + m.meanQueueLength, a, 1e-10, 'E[N]');
    }
  });
});

// ---------- scale ----------

describe('numerical stability at large scale', () => {
  it('a = 750, n = 800 and a = 5,000, n = 5,100 stay finite and in range', () => {
    for (const [a, n] of [[750, 800], [5000, 5100]]) {
      for (const patience of [undefined, 300]) {
        const spec: QueueSpec = { arrivalRate: a / 180, aht: 180, agents: n, patience, threshold: 20 };
        const m = queueMetrics(spec);
        expectUnitInterval(m);
        expectLittleIdentities(spec, m, 1e-8);
        if (patience === undefined) expectClose(m.probWait, erlangC(a, n), 1e-9, 'P(wait)');
      }
    }
    const overloaded: QueueSpec = { arrivalRate: 5000 / 180, aht: 180, agents: 4800, patience: 200, lines: 6000, threshold: 20 };
    const m = queueMetrics(overloaded);
    expectUnitInterval(m);
    expectLittleIdentities(overloaded, m, 1e-8);
  });
});

// ---------- the Ctrip scenario ----------

describe('Ctrip scenario (160,000 calls/day, AHT 180 s, 350 agents, patience 300 s, 20 s)', () => {
  it('produces plausible numbers', () => {
    const spec: QueueSpec = { arrivalRate: 160000 / 86400, aht: 180, agents: 350, patience: 300, threshold: 20 };
    const m = queueMetrics(spec);
    // Reference values from this solver (a = 333.33 erlangs):
    //   probWait 0.205695, serviceLevel 0.990793, serviceLevelAnswered 0.995010,
    //   asa 1.2538 s, meanWaitAll 1.2715 s, abandonRate 0.0042383,
    //   occupancy 0.948345, meanQueueLength 2.3546, answeredRate 1.84400 /s.
    expectUnitInterval(m);
    expectLittleIdentities(spec, m);
    expectClose(m.offeredLoad, 333.3333333333333, 1e-12);
    expect(m.probWait).toBeGreaterThan(0.1);
    expect(m.probWait).toBeLessThan(0.4);
    expect(m.serviceLevel).toBeGreaterThan(0.95);
    expect(m.abandonRate).toBeLessThan(0.02);
    expect(m.asa).toBeGreaterThan(0);
    expect(m.asa).toBeLessThan(10);
    // Abandonment only shortens waits: below the Erlang C ASA for the same staff.
    expect(m.asa).toBeLessThan(erlangCMetrics(spec).asa);
  });
});

// ---------- staffing ----------

describe('staffFor', () => {
  const cases: [Omit<QueueSpec, 'agents'>, StaffingTarget][] = [
    [{ arrivalRate: 333.3 / 180, aht: 180, threshold: 20 }, { serviceLevel: 0.95 }],
    [{ arrivalRate: 333.3 / 180, aht: 180, threshold: 20 }, { serviceLevel: 0.8, maxAsa: 5 }],
    [{ arrivalRate: 10 / 180, aht: 180, threshold: 20 }, { serviceLevel: 0.8 }],
    [{ arrivalRate: 160000 / 86400, aht: 180, patience: 300, threshold: 20 }, { serviceLevel: 0.8, maxAbandonRate: 0.01 }],
    [{ arrivalRate: 160000 / 86400, aht: 180, patience: 300, threshold: 20 }, { serviceLevel: 0.9, convention: 'answered' }],
    [{ arrivalRate: 30 / 100, aht: 100, patience: 40, lines: 45, threshold: 15 }, { serviceLevel: 0.85 }],
    [{ arrivalRate: 5000 / 180, aht: 180, patience: 300, threshold: 20 }, { serviceLevel: 0.8 }],
    // Loose targets, met below the offered load (the search gallops downwards from n = a).
    [{ arrivalRate: 160000 / 86400, aht: 180, patience: 300, threshold: 20 }, { serviceLevel: 0.5 }],
    [{ arrivalRate: 160000 / 86400, aht: 180, patience: 300, threshold: 20 }, { serviceLevel: 0, maxAbandonRate: 0.3 }],
  ];
  for (const [spec, target] of cases) {
    it(`a = ${(spec.arrivalRate * spec.aht).toFixed(1)}, target ${JSON.stringify(target)}`, () => {
      const { agents, metrics } = staffFor(spec, target);
      expect(meetsTarget(metrics, target)).toBe(true);
      expect(meetsTarget(queueMetrics({ ...spec, agents }), target)).toBe(true);
      const unstable = spec.patience === undefined && spec.lines === undefined && agents - 1 <= spec.arrivalRate * spec.aht;
      if (agents > 1 && !unstable) expect(meetsTarget(queueMetrics({ ...spec, agents: agents - 1 }), target)).toBe(false);
    });
  }

  it('95/20 at 333.3 erlangs needs more than a and fewer than a + 3 sqrt(a) agents', () => {
    const { agents, metrics } = staffFor({ arrivalRate: 333.3 / 180, aht: 180, threshold: 20 }, { serviceLevel: 0.95 });
    expect(agents).toBeGreaterThan(333.3);
    expect(agents).toBeLessThan(333.3 + 3 * Math.sqrt(333.3));
    expect(metrics.serviceLevel).toBeGreaterThanOrEqual(0.95);
    expect(erlangCMetrics({ arrivalRate: 333.3 / 180, aht: 180, agents: agents - 1, threshold: 20 }).serviceLevel).toBeLessThan(0.95);
  });

  it('rejects invalid targets; with finite lines n = lines always suffices', () => {
    expect(() => staffFor({ arrivalRate: 1, aht: 10, threshold: 20 }, { serviceLevel: 1.5 })).toThrow(SimError);
    expect(() => staffFor({ arrivalRate: 1, aht: 10, threshold: 20 }, { serviceLevel: 0.9, maxAsa: -1 })).toThrow(SimError);
    // With finite lines, n = lines admits no queue at all, so every target is met there at the latest.
    const full = staffFor({ arrivalRate: 1, aht: 10, lines: 12, threshold: 0 }, { serviceLevel: 0.999999 });
    expect(full.agents).toBe(12);
  });
});

// ---------- properties ----------

describe('properties (fast-check)', () => {
  it('outcomes sum to 1, probabilities lie in [0, 1], SL(T) is monotone in T', () => {
    const arbSpec = fc.record({
      load: fc.double({ min: 0.05, max: 20, noNaN: true }),
      aht: fc.double({ min: 5, max: 600, noNaN: true }),
      agents: fc.integer({ min: 1, max: 25 }),
      patience: fc.option(fc.double({ min: 5, max: 2000, noNaN: true }), { nil: undefined }),
      extraLines: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      t1: fc.double({ min: 0, max: 120, noNaN: true }),
      t2: fc.double({ min: 0, max: 120, noNaN: true }),
    });
    fc.assert(
      fc.property(arbSpec, ({ load, aht, agents, patience, extraLines, t1, t2 }) => {
        const spec: QueueSpec = {
          arrivalRate: load / aht,
          aht,
          agents,
          patience,
          lines: extraLines === undefined ? undefined : agents + extraLines,
          threshold: Math.min(t1, t2),
        };
        if (patience === undefined && spec.lines === undefined && spec.arrivalRate >= agents / aht) {
          expect(() => queueMetrics(spec)).toThrow(SimError);
          return;
        }
        const lo = queueMetrics(spec);
        const hi = queueMetrics({ ...spec, threshold: Math.max(t1, t2) });
        expectUnitInterval(lo);
        expectUnitInterval(hi);
        expectLittleIdentities(spec, lo, 1e-8);
        expect(hi.serviceLevel).toBeGreaterThanOrEqual(lo.serviceLevel - 1e-12);
        expect(hi.serviceLevel).toBeLessThanOrEqual(1 - hi.abandonRate + 1e-12);
        expect(lo.serviceLevel).toBeGreaterThanOrEqual(1 - lo.probWait - 1e-12);
      }),
      { numRuns: 200, seed: 20240601 },
    );
  });
});
