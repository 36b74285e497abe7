import type { DistSpec } from '../core/distributions.ts';
import { Sampler } from '../core/distributions.ts';
import { makeStream } from '../core/rng.ts';
import { callsByDay, servedByAgent, type CallRecord } from './call-log.ts';
import { quantile } from './estimators.ts';
import type { AdaptiveGap } from './observed-day.ts';

/**
 * The replay classes of the typed model (docs/calibration-method.md, "Call types and
 * identified customers"): one class per call-type family, split into anonymous callers and
 * identified customers; identified customers wait a structural delay before an agent
 * may take them.
 *
 * Why: in the Anonymous Bank log identified customers (priority 1 and 2) are almost
 * never answered at once, even in quiet evening hours with agents idle (2% of priority-2
 * calls against 83% of unidentified ones), and their waits are nearly the same at every
 * load; the share of identified calls varies from 7% to 65% of a day's calls, and a
 * day's service level follows it. Each type family has its own handle time and patience
 * (prospects, NW, hang up far more; stock-exchange calls, NE, last longer), and the
 * family mix changes over the day (prospects are 42% of the calls at 16-18 h).
 */

/** Type families: call types with at least this many offered calls in the fitting log get their own class; the rest form `other`. */
export const FAMILY_MIN_OFFERED = 1000;

/**
 * Seconds of presence added before the first and after the last call of an agent's
 * session (the `present` staffing reading, typed model only): agents on the floor wait
 * for their first call and after their last one, which the session reading misses. Chosen
 * on January among 0, 150, 240, 300, 330, 360, 390 and 450 s by the criterion abandonment
 * MAE / 2 + SL MAE / 5 (10 replications, seed 1), and again best among 300-390 s with 30
 * replications, seed 7 (docs/calibration-method.md, the figures table).
 */
export const SESSION_EXTENSION = 360;

/**
 * Seconds of presence added before and after each agent session in the switch model
 * (`validate-fit`'s default), with each day's observed handle time
 * (`SwitchReplay.dayHandleTime`) and the adaptive presence gap: chosen on January among
 * 0, 45 and 90 s by the criterion abandonment MAE / 2 + SL MAE / 5, the patience refitted
 * for each (30 replications, seeds 1 and 7; docs/calibration-method.md).
 */
export const SWITCH_SESSION_EXTENSION = 45;

/**
 * The switch model's presence gap (observed-day.ts `AdaptiveGap`): a session ends at a gap
 * 12 times the hour's median gap between an agent's calls, within 200-3600 s. Chosen on
 * January (factor 5-40, min 120-600 s, max 1800-7200 s; docs/calibration-method.md).
 */
export const SWITCH_PRESENCE_GAP: AdaptiveGap = { factor: 12, min: 200, max: 3600 };

/**
 * A family whose identified customers are at least this share of its offered calls is
 * "switched" in the switch model: its calls come as one stream, and only callers who
 * cannot be connected at once identify themselves (and wait the delay).
 */
export const SWITCH_MIN_IDENTIFIED = 0.1;

/** A family of the switch model (the fit's `replay.switch.families`). */
export interface SwitchFamily {
  name: string;
  /** Share of the family's offered calls from identified customers (fitting log). */
  identifiedShare: number;
  /** Callers who find an agent free are answered at once; the others take the identified customers' delay. */
  switched: boolean;
  /** Families not switched: their own delay, every call (zero included), when enough calls show one; else null. */
  delay: { n: number; zeroShare: number; quantiles: Record<string, number>; dist: DistSpec } | null;
  /** The family's patience in this model: its censored-MLE fit times `patienceScale` (null: never abandons). */
  patience: DistSpec | null;
  /**
   * Fitted through the replay of the fitting log (`calibrateSwitchPatience`, replay.ts):
   * the factor on the family's patience that makes the replay reproduce the family's
   * abandonment rate in that log, and that rate observed and simulated.
   */
  patienceScale: number;
  abandonRate: { observed: number; simulated: number };
  /** Hang-up share during the delay and the patience left after it (the family's patience through its delay). */
  hangup: number;
  patienceAfterDelay: DistSpec | null;
}

/** A distribution of times multiplied by `k` (every kind; shapes and CVs are kept). */
export function scaleDist(d: DistSpec, k: number): DistSpec {
  switch (d.kind) {
    case 'exponential': return { kind: 'exponential', mean: d.mean * k };
    case 'deterministic': return { kind: 'deterministic', value: d.value * k };
    case 'uniform': return { kind: 'uniform', min: d.min * k, max: d.max * k };
    case 'lognormal': return { kind: 'lognormal', mean: d.mean * k, cv: d.cv };
    case 'gamma': return { kind: 'gamma', mean: d.mean * k, cv: d.cv };
    case 'weibull': return { kind: 'weibull', shape: d.shape, scale: d.scale * k };
    case 'empirical': return { kind: 'empirical', samples: d.samples.map((x) => x * k) };
    case 'histogram': return { kind: 'histogram', edges: d.edges.map((x) => x * k), counts: [...d.counts] };
    case 'mixture': return { kind: 'mixture', components: d.components.map((c) => ({ weight: c.weight, dist: scaleDist(c.dist, k) })) };
  }
}

/** A family with its patience scaled by `k` (relative to the unscaled `base`), the hang-up share and the rest through its delay recomputed. */
export function withPatienceScale<F extends Omit<SwitchFamily, 'patience' | 'patienceScale' | 'hangup' | 'patienceAfterDelay'>>(f: F, base: DistSpec | null, k: number, identifiedDelay: DistSpec): F & Pick<SwitchFamily, 'patience' | 'patienceScale' | 'hangup' | 'patienceAfterDelay'> {
  const patience = base === null ? null : scaleDist(base, k);
  const delay = f.switched ? identifiedDelay : f.delay?.dist ?? null;
  const after = delay ? patienceAfterDelay(patience, delay) : { hangup: 0, rest: patience };
  return { ...f, patience, patienceScale: Number(k.toFixed(4)), hangup: after.hangup, patienceAfterDelay: after.rest };
}

/** An identified customer: the log says so (Anonymous Bank priority 1 or 2). Logs without priorities have none. */
export const isIdentified = (c: CallRecord): boolean => (c.priority ?? 0) >= 1;

export const OTHER_FAMILY = 'other';

/** The type families of a log: types with at least `min` offered calls, by decreasing volume; `other` last when some type is folded into it. */
export function typeFamilies(calls: readonly CallRecord[], min = FAMILY_MIN_OFFERED): string[] {
  const n = new Map<string, number>();
  for (const c of calls) if (c.queueEntry !== null) n.set(c.type, (n.get(c.type) ?? 0) + 1);
  const big = [...n.entries()].filter(([t, k]) => k >= min && t !== OTHER_FAMILY).sort((a, b) => b[1] - a[1]).map(([t]) => t);
  if (big.length === 0) return [OTHER_FAMILY];
  return big.length < n.size ? [...big, OTHER_FAMILY] : big;
}

export const familyOf = (families: readonly string[]) => (c: CallRecord): string => (families.includes(c.type) ? c.type : families.includes(OTHER_FAMILY) ? OTHER_FAMILY : families[0]);

/** The replay class of a call: its family, with `+id` for an identified customer when the model has the delay. */
export function replayClassKey(families: readonly string[], withIdentified: boolean): (c: CallRecord) => string {
  const fam = familyOf(families);
  return (c) => `${fam(c)}${withIdentified && isIdentified(c) ? '+id' : ''}`;
}

/**
 * The structural delay of identified customers, observed: the waits of identified
 * answered calls during which some other agent was idle from before the call's queue
 * entry until after its answer (idle = between two of that agent's calls, at most `gap`
 * seconds apart). Such a call did not wait for a free agent; its wait is the delay.
 */
export function identifiedDelaySample(calls: readonly CallRecord[], gap: number): number[] {
  return delaySample(calls, gap, isIdentified);
}

/**
 * The same measure for the calls `which` selects: the waits (zero included) of answered
 * calls during which some other agent was idle from before the queue entry until after
 * the answer. The switch model uses it for the own delay of families that are not
 * switched (prospects, NW: 58% of such calls answered at once, median of the rest 35 s).
 */
export function delaySample(calls: readonly CallRecord[], gap: number, which: (c: CallRecord) => boolean): number[] {
  const out: number[] = [];
  for (const list of callsByDay(calls).values()) {
    // Idle spans [from, to) of each agent, sorted by start.
    const idle: { from: number; to: number; agent: string }[] = [];
    for (const [agent, l] of servedByAgent(list)) {
      let end = l[0].end;
      for (const c of l.slice(1)) {
        if (c.answer! > end && c.answer! - end <= gap) idle.push({ from: end, to: c.answer!, agent });
        end = Math.max(end, c.end);
      }
    }
    idle.sort((a, b) => a.from - b.from);
    for (const c of list) {
      if (c.outcome !== 'answered' || c.queueEntry === null || !which(c)) continue;
      const q = c.queueEntry, a = c.answer!;
      for (const s of idle) {
        if (s.from >= q) break;
        if (s.to > a && s.agent !== c.agent) { out.push(a - q); break; }
      }
    }
  }
  return out;
}

/**
 * A patience clock that runs through the delay: the share hanging up during it,
 * P(patience < delay), and the patience left after it, (patience - delay | patience >
 * delay), as a histogram; by simulation of the two independent fitted distributions.
 */
export function patienceAfterDelay(patience: DistSpec | null, delay: DistSpec, n = 40000, seed = 'patience-after-delay'): { hangup: number; rest: DistSpec | null } {
  if (patience === null) return { hangup: 0, rest: null };
  const r = makeStream(seed, 0, 'delay');
  const P = new Sampler(patience), D = new Sampler(delay);
  const rest: number[] = [];
  let hang = 0;
  for (let i = 0; i < n; i++) {
    const p = P.sample(r), d = D.sample(r);
    if (p < d) hang++;
    else rest.push(p - d);
  }
  rest.sort((a, b) => a - b);
  const qs = [0];
  for (let p = 0.02; p < 0.98 - 1e-9; p += 0.02) qs.push(quantile(rest, p));
  for (let p = 0.98; p < 0.9995; p += 0.005) qs.push(quantile(rest, p));
  qs.push(rest[rest.length - 1] + 1);
  const edges = [...new Set(qs.map((x) => Number(x.toFixed(1))))].sort((a, b) => a - b);
  const counts = new Array<number>(edges.length - 1).fill(0);
  let k = 0;
  for (const v of rest) {
    while (k < counts.length - 1 && v >= edges[k + 1]) k++;
    counts[k]++;
  }
  return { hangup: Number((hang / n).toFixed(4)), rest: { kind: 'histogram', edges, counts } };
}

/**
 * A delay histogram with its zeros kept as a point mass: the zeros in a bin [0, 0.01 s),
 * the positive values in bins at every 2% of them (`histogram` builds those bins).
 */
export function delayWithZeros(sample: readonly number[], histogram: (positive: number[]) => { edges: number[]; counts: number[] }): DistSpec {
  const pos = sample.filter((x) => x > 0);
  const zeros = sample.length - pos.length;
  if (pos.length === 0) return { kind: 'deterministic', value: 0 };
  const h = histogram(pos);
  if (zeros === 0) return { kind: 'histogram', edges: h.edges, counts: h.counts };
  // The first positive bin starts at 0.01 s instead of 0 (waits are whole seconds in the logs we read).
  return { kind: 'histogram', edges: [0, 0.01, ...h.edges.slice(1).map((e, i) => Math.max(e, 0.02 + i * 1e-3))], counts: [zeros, ...h.counts] };
}
