import { stationaryDistribution } from './birth-death.ts';
import { type QueueMetrics, type QueueSpec, chainRates, validateQueueSpec } from './queue-spec.ts';
import { answeredWithin, positionOutcomes } from './waiting-time.ts';

/**
 * Exact metrics of M/M/n, M/M/n+M (Erlang A), M/M/n/K and M/M/n/K+M from one solver.
 *
 * Time averages (queue length, busy agents, blocking) come from the stationary distribution of
 * the birth-death chain. Per-call metrics come from what an admitted arrival sees (PASTA,
 * conditioned on not being blocked): with k < n in system it is answered at once (wait 0, within
 * any T); with k >= n it joins the queue at position j = k - n and its fate is the tagged-call
 * analysis in waiting-time.ts. The two views are tied by Little's law (Lq = lambda_admitted *
 * mean wait of all, abandonment rate = theta Lq, busy agents = answered rate * aht), which the
 * verification tests check rather than assume.
 */
export function queueMetrics(spec: QueueSpec): QueueMetrics {
  validateQueueSpec(spec);
  const rates = chainRates(spec);
  const { lambda, mu, theta, servers: n } = rates;
  const dist = stationaryDistribution(rates);
  const { pi, arrival, probBlock } = dist;

  let meanQueueLength = 0;
  let meanBusyAgents = 0;
  for (let k = 0; k < pi.length; k++) {
    const busy = Math.min(k, n);
    meanBusyAgents += busy * pi[k];
    meanQueueLength += (k - busy) * pi[k];
  }

  // Admitted arrivals that find an agent free: answered immediately.
  let answeredNow = 0;
  for (let k = 0; k < Math.min(n, arrival.length); k++) answeredNow += arrival[k];

  // Admitted arrivals that queue: positions j = 0 .. count-1 (the blocking state K admits nobody).
  const lastAdmitted = dist.truncated ? pi.length - 1 : pi.length - 2;
  const count = Math.max(0, lastAdmitted - n + 1);
  const serviceRate = n * mu;
  const fate = positionOutcomes(count, serviceRate, theta);
  const within = answeredWithin(count, serviceRate, theta, spec.threshold);

  let probWait = 0;
  let answeredLater = 0;
  let abandonRate = 0;
  let waitAnswered = 0; // E[W ; answered] over admitted calls
  let meanWaitAll = 0;
  let answeredWithinT = answeredNow;
  for (let j = 0; j < count; j++) {
    const w = arrival[n + j];
    probWait += w;
    answeredLater += w * fate.answered[j];
    abandonRate += w * fate.abandoned[j];
    waitAnswered += w * fate.meanWaitAnswered[j];
    meanWaitAll += w * fate.meanQueueTime[j];
    answeredWithinT += w * within[j];
  }
  const answeredShare = answeredNow + answeredLater;

  return {
    offeredLoad: lambda / mu,
    probBlock,
    probWait: unitInterval(probWait),
    serviceLevel: unitInterval(answeredWithinT),
    serviceLevelAnswered: answeredShare > 0 ? unitInterval(answeredWithinT / answeredShare) : 1,
    asa: answeredShare > 0 ? waitAnswered / answeredShare : 0,
    meanWaitAll,
    abandonRate: unitInterval(abandonRate),
    answeredRate: lambda * (1 - probBlock) * answeredShare,
    occupancy: unitInterval(meanBusyAgents / n),
    meanQueueLength,
    meanBusyAgents,
  };
}

/** Sums of probabilities can overshoot 1 by a few ulps; report them inside [0, 1]. */
function unitInterval(p: number): number {
  return Math.min(1, Math.max(0, p));
}
