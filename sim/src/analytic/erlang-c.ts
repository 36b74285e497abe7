import { badArgument } from '../errors.ts';
import { erlangB } from './erlang-b.ts';
import { type QueueMetrics, type QueueSpec, validateQueueSpec } from './queue-spec.ts';

/**
 * Erlang C: probability that an arrival has to wait in M/M/n (infinite queue, no abandonment).
 *
 * Derived from Erlang B, C = n B / (n - a (1 - B)) (e.g. Cooper, "Introduction to Queueing
 * Theory", 1981), which inherits the recursion's stability. The denominator exceeds n - a > 0
 * whenever the queue is stable. For a >= n the queue is unstable and every arrival waits, so 1
 * is returned.
 */
export function erlangC(offeredLoad: number, servers: number): number {
  if (!Number.isInteger(servers) || servers < 1) {
    throw badArgument(`servers must be an integer >= 1 (got ${servers})`);
  }
  const b = erlangB(offeredLoad, servers);
  if (offeredLoad >= servers) return 1;
  return (servers * b) / (servers - offeredLoad * (1 - b));
}

/**
 * Closed-form M/M/n (Erlang C) metrics, used as the reference the one general solver is checked
 * against. With FIFO and all agents busy, the wait of a delayed call is exponential with rate
 * n mu - lambda, hence (e.g. Gross & Harris, "Fundamentals of Queueing Theory", M/M/c):
 *   SL = 1 - C e^{-(n mu - lambda) T},  ASA = C / (n mu - lambda),  Lq = lambda ASA.
 * Any `patience` or `lines` present at runtime are ignored: this is the pure Erlang C model.
 */
export function erlangCMetrics(spec: Omit<QueueSpec, 'patience' | 'lines'>): QueueMetrics {
  validateQueueSpec({ ...spec, patience: undefined, lines: undefined });
  const { arrivalRate: lambda, aht, agents: n, threshold } = spec;
  const mu = 1 / aht;
  const a = lambda * aht;
  const drain = n * mu - lambda;
  if (!(drain > 0)) {
    throw badArgument(
      `Erlang C is unstable: offered load a = ${a} erlangs >= ${n} agents (needs a < n; add patience or lines)`,
    );
  }
  const c = erlangC(a, n);
  const asa = c / drain;
  const serviceLevel = 1 - c * Math.exp(-drain * threshold);
  return {
    offeredLoad: a,
    probBlock: 0,
    probWait: c,
    serviceLevel,
    serviceLevelAnswered: serviceLevel,
    asa,
    meanWaitAll: asa,
    abandonRate: 0,
    answeredRate: lambda,
    occupancy: a / n,
    meanQueueLength: lambda * asa,
    meanBusyAgents: a,
  };
}
