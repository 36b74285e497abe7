import { badArgument } from '../errors.ts';
import { type QueueMetrics, type QueueSpec, validateQueueSpec } from './queue-spec.ts';
import { queueMetrics } from './queue-metrics.ts';

export interface StaffingTarget {
  /** Minimum service level in [0, 1], e.g. 0.8 for "80/20" (threshold T comes from the spec). */
  serviceLevel: number;
  /** 'offered' (default): answered within T / admitted; 'answered': answered within T / answered. */
  convention?: 'offered' | 'answered';
  /** Maximum P(abandon) among admitted calls. */
  maxAbandonRate?: number;
  /** Maximum mean wait of answered calls, seconds. */
  maxAsa?: number;
}

/** Whether a solved queue meets every target that was given. */
export function meetsTarget(m: QueueMetrics, target: StaffingTarget): boolean {
  const sl = target.convention === 'answered' ? m.serviceLevelAnswered : m.serviceLevel;
  if (sl < target.serviceLevel) return false;
  if (target.maxAbandonRate !== undefined && m.abandonRate > target.maxAbandonRate) return false;
  if (target.maxAsa !== undefined && m.asa > target.maxAsa) return false;
  return true;
}

function validateTarget(t: StaffingTarget): void {
  if (!(t.serviceLevel >= 0 && t.serviceLevel <= 1)) {
    throw badArgument(`target serviceLevel must be in [0, 1] (got ${t.serviceLevel})`);
  }
  if (t.maxAbandonRate !== undefined && !(t.maxAbandonRate >= 0)) {
    throw badArgument(`target maxAbandonRate must be >= 0 (got ${t.maxAbandonRate})`);
  }
  if (t.maxAsa !== undefined && !(t.maxAsa >= 0)) throw badArgument(`target maxAsa must be >= 0 (got ${t.maxAsa})`);
}

/**
 * Smallest number of agents meeting every given target.
 *
 * Service level, abandonment and ASA improve monotonically with n in these models (a standard
 * property of Erlang C and A, e.g. Koole, "Call Center Optimization", 2013), so we gallop
 * from n = ceil(a) towards the answer (doubling steps) until the target flips, then bisect
 * between the last failing and the first passing n. Starting at the load, rather than at 1,
 * keeps the solver out of deep overload, where the chain's state space grows like
 * (lambda - n mu) * patience.
 *
 * Search range: n >= floor(a) + 1 when the queue would otherwise be unstable (no patience,
 * unlimited lines); with unlimited lines and the 'offered' convention also n >= SL * a, because
 * at most n mu calls per second can be answered. The search gives up (RangeError) past n = lines,
 * or past a + 50 sqrt(a) + 100 for unlimited lines, far beyond the point where waiting vanishes
 * (Halfin & Whitt 1981): a target still unmet there is unattainable.
 */
export function staffFor(
  spec: Omit<QueueSpec, 'agents'>,
  target: StaffingTarget,
): { agents: number; metrics: QueueMetrics } {
  validateQueueSpec({ ...spec, agents: 1 }, false);
  validateTarget(target);
  const a = spec.arrivalRate * spec.aht;
  const unlimitedLines = spec.lines === undefined || spec.lines === Infinity;
  const impatient = spec.patience !== undefined && spec.patience !== Infinity;
  let lowest = !impatient && unlimitedLines ? Math.floor(a) + 1 : 1;
  if (unlimitedLines && target.convention !== 'answered') {
    // (1 - 1e-12) so that rounding in SL * a cannot push the bound past a legitimate n.
    lowest = Math.max(lowest, Math.ceil(target.serviceLevel * a * (1 - 1e-12)));
  }
  const highest = unlimitedLines ? Math.max(lowest, Math.ceil(a + 50 * Math.sqrt(a) + 100)) : (spec.lines as number);
  if (lowest > highest) {
    throw badArgument(`no staffing can work: it needs at least ${lowest} agents but there are only ${highest} lines`);
  }

  const solved = new Map<number, QueueMetrics>();
  const solve = (n: number): QueueMetrics => {
    let m = solved.get(n);
    if (m === undefined) {
      m = queueMetrics({ ...spec, agents: n });
      solved.set(n, m);
    }
    return m;
  };
  const ok = (n: number): boolean => meetsTarget(solve(n), target);
  const result = (n: number) => ({ agents: n, metrics: solve(n) });

  // Bracket: fail < pass with ok(pass) and !ok(fail) (or fail = lowest - 1, known to fail).
  const start = Math.min(Math.max(Math.ceil(a), lowest), highest);
  let fail: number;
  let pass: number;
  if (ok(start)) {
    pass = start;
    fail = lowest - 1;
    for (let step = 1; pass > lowest; step *= 2) {
      const probe = Math.max(start - step, lowest);
      if (!ok(probe)) {
        fail = probe;
        break;
      }
      pass = probe;
    }
  } else {
    fail = start;
    for (let step = 1; ; step *= 2) {
      const probe = Math.min(start + step, highest);
      if (ok(probe)) {
        pass = probe;
        break;
      }
      if (probe === highest) {
        throw badArgument(`staffing target ${JSON.stringify(target)} not met even with ${highest} agents`);
      }
      fail = probe;
    }
  }
  while (pass - fail > 1) {
    const mid = Math.floor((fail + pass) / 2);
    if (ok(mid)) pass = mid;
    else fail = mid;
  }
  return result(pass);
}
