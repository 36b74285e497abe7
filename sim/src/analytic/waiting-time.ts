import { poissonWeights } from './poisson.ts';

/**
 * Fate of a tagged FIFO arrival that finds all n agents busy with j calls queued ahead of it.
 *
 * While it waits every agent is busy, so it moves up one place at rate r_i = n mu + i theta when
 * i calls are ahead (a service completion pulls the head into service, or one of the i ahead
 * abandons); from the head (i = 0) it enters service at rate n mu. Independently it abandons
 * at rate theta. So from phase i it leaves at total rate q_i = n mu + (i + 1) theta, moving on
 * with probability r_i / q_i. This is the standard tagged-customer analysis of Erlang A
 * (Garnett, Mandelbaum & Reiman 2002, §3; Mandelbaum & Zeltyn 2007, "Service engineering in
 * action: the Palm/Erlang-A queue"). Positions are j = 0 .. count - 1.
 */
export interface PositionOutcomes {
  /** P(answered | j) = prod_{i<=j} r_i/q_i, which telescopes to n mu / q_j. */
  answered: Float64Array;
  /** P(abandon | j) = (j + 1) theta / q_j, written without the subtraction 1 - answered. */
  abandoned: Float64Array;
  /**
   * E[time in queue | j] for answered and abandoned alike. Phase i is reached with probability
   * prod_{l=i+1..j} r_l/q_l = q_i / q_j and lasts 1/q_i on average, so the sum is (j + 1) / q_j.
   */
  meanQueueTime: Float64Array;
  /**
   * E[W ; answered | j]. A phase's holding time is independent of how it is left, so each phase
   * contributes P(answered | j) / q_i: the total is P(answered | j) * sum_{i<=j} 1/q_i.
   */
  meanWaitAnswered: Float64Array;
}

export function positionOutcomes(count: number, serviceRate: number, theta: number): PositionOutcomes {
  const answered = new Float64Array(count);
  const abandoned = new Float64Array(count);
  const meanQueueTime = new Float64Array(count);
  const meanWaitAnswered = new Float64Array(count);
  let harmonic = 0; // sum_{i<=j} 1/q_i, all positive terms
  for (let j = 0; j < count; j++) {
    const q = serviceRate + (j + 1) * theta;
    harmonic += 1 / q;
    answered[j] = serviceRate / q;
    abandoned[j] = ((j + 1) * theta) / q;
    meanQueueTime[j] = (j + 1) / q;
    meanWaitAnswered[j] = answered[j] * harmonic;
  }
  return { answered, abandoned, meanQueueTime, meanWaitAnswered };
}

/**
 * Stop the uniformization sum early once every position j is within CONVERGED (plus its own
 * rounding allowance, a few ulps per phase, since the recursion's fixed point drifts from the
 * closed-form limit n mu / q_j by that much) of its T = infinity limit.
 */
const CONVERGED = 1e-13;
const ROUNDING_PER_PHASE = 8 * Number.EPSILON;

/**
 * P(answered AND W <= T | j) for j = 0 .. count - 1.
 *
 * The virtual time to service S (what the wait would be if the call never gave up) is a sum of
 * independent exponentials with rates r_j, ..., r_0, independent of the call's own patience
 * A ~ Exp(theta); the quantity is P(S <= T, S < A). The distinct-rate hypoexponential closed form
 * cancels catastrophically for hundreds of phases, so instead the absorbing chain
 * {j, ..., 0} -> {served, abandoned} is uniformized at rate L = q_{count-1} (Jensen 1953;
 * Grassmann 1977): from phase i a jump moves on w.p. r_i/L, abandons w.p. theta/L and stays put
 * w.p. (count - 1 - i) theta / L. With u_m(i) = P(served within m jumps | i), computed for all
 * positions at once by the backward recursion u_{m+1}(i) = (r_i/L) u_m(i-1) + (stay_i) u_m(i),
 * u_m(-1) = 1, the answer is sum_m Poisson(L T; m) u_m(i): a sum of positive terms, no cancellation.
 *
 * For theta = 0 this reduces to S ~ Erlang(j + 1, n mu), i.e. P(Poisson(n mu T) >= j + 1),
 * which is evaluated directly from Poisson tail sums.
 */
export function answeredWithin(count: number, serviceRate: number, theta: number, threshold: number): Float64Array {
  if (count <= 0) return new Float64Array(0);
  return theta === 0
    ? erlangPhaseCdf(count, serviceRate * threshold)
    : uniformizedAnswered(count, serviceRate, theta, threshold);
}

/** P(Poisson(mean) >= j + 1) for j = 0 .. count - 1, from upper-tail sums (accurate in the tail). */
function erlangPhaseCdf(count: number, mean: number): Float64Array {
  const { first, probs } = poissonWeights(mean);
  const upper = new Float64Array(probs.length + 1); // upper[i] = P(N >= first + i)
  for (let i = probs.length - 1; i >= 0; i--) upper[i] = upper[i + 1] + probs[i];
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const i = j + 1 - first;
    out[j] = i <= 0 ? upper[0] : i >= upper.length ? 0 : upper[i];
  }
  return out;
}

function uniformizedAnswered(count: number, serviceRate: number, theta: number, threshold: number): Float64Array {
  const top = count - 1;
  const rate = serviceRate + count * theta; // q_top, the fastest phase
  const { first, probs } = poissonWeights(rate * threshold);
  const last = first + probs.length - 1;
  // upperWeight[i] = P(N >= first + i), for the early exit.
  const upperWeight = new Float64Array(probs.length + 1);
  for (let i = probs.length - 1; i >= 0; i--) upperWeight[i] = upperWeight[i + 1] + probs[i];

  const limit = positionOutcomes(count, serviceRate, theta).answered;
  const move = new Float64Array(count);
  const stay = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    move[i] = (serviceRate + i * theta) / rate;
    stay[i] = ((top - i) * theta) / rate;
  }

  const u = new Float64Array(count); // u_m(i); u_m(i) = 0 for i >= m
  const acc = new Float64Array(count);
  for (let m = 0; m <= last; m++) {
    if (m >= first) {
      const p = probs[m - first];
      for (let i = 0; i < Math.min(count, m); i++) acc[i] += p * u[i];
    }
    // u_m -> u_{m+1}; descending i so that u[i - 1] still holds u_m.
    for (let i = Math.min(top, m); i >= 0; i--) u[i] = move[i] * (i === 0 ? 1 : u[i - 1]) + stay[i] * u[i];

    if (m >= top && m < last) {
      let gap = 0;
      for (let i = 0; i < count; i++) gap = Math.max(gap, limit[i] - u[i] - (i + 1) * ROUNDING_PER_PHASE);
      if (gap < CONVERGED) {
        // Every later u_m is within CONVERGED of its limit: add the remaining Poisson mass at once.
        const rest = upperWeight[Math.max(0, m + 1 - first)];
        for (let i = 0; i < count; i++) acc[i] += rest * u[i];
        break;
      }
    }
  }
  return acc;
}
