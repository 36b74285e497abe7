import * as Policies from '../config/routing-policies.ts';
import type { SimState } from './state.ts';
import { EngineError } from '../errors.ts';

/**
 * Routing: which idle agent takes a new call, and which waiting call a freed agent
 * takes.
 *
 * Eligibility (all policies): a group may take a queue's call once the call has
 * waited at least the group's delay for that queue: 0 for its primary skills,
 * `routing.overflowAfter` for backup skills, `siteOverflowAfter` for another site's
 * queue in local mode (0 when that site is down). Blended queues (deferred work such
 * as email) are taken only while fewer phone calls than the group's threshold wait.
 *
 * Built-in policies:
 *   fifo      the call that has waited longest, among the queues the agent may take;
 *             a new call goes to the longest-idle eligible agent (default).
 *   priority  highest contact-type priority first, FIFO within a priority.
 *   aging     score = priority + agingRate * seconds waited: a long wait overtakes
 *             a higher class.
 * A plug-in policy (a TypeScript module named in the scenario) supplies `score`.
 */
export interface RoutingPolicy {
  readonly name: string;
  /**
   * Score of the call `slot` at the head of `queue` for `agent`: the agent takes the
   * eligible head with the highest score (ties: the queue listed first for its group).
   * Read-only access to the state: s.now, s.cArrive[slot], s.cType[slot],
   * s.typePriority[type], s.qLen[queue], s.aGroup[agent], s.cfg.
   */
  score(s: SimState, queue: number, slot: number, agent: number): number;
}

/** A plug-in module's default export. */
export type PolicyFactory = (params: Readonly<Record<string, unknown>>) => RoutingPolicy;

// The policy ids (config/routing-policies.ts) as this module's own constants: the
// switch in findQueueFor compares with them, and an imported binding is read
// through a cell on every comparison.
export const FIFO = Policies.FIFO;
export const PRIORITY = Policies.PRIORITY;
export const AGING = Policies.AGING;
export const PLUGIN = Policies.PLUGIN;
export const BUILTIN_POLICIES = Policies.BUILTIN_POLICIES;

/** Delay before group g may take calls of queue q (Infinity: never). */
function delayOf(s: SimState, q: number, k: number, delays: Float64Array): number {
  const site = s.queueSite[q];
  return site >= 0 && s.siteDown[site] === 1 ? 0 : delays[k];
}

/** Longest-idle agent among the groups that may take a call of `queue` that has waited `waited` s. */
export function findIdleAgent(s: SimState, queue: number, waited: number): number {
  const groups = s.queueGroups[queue];
  const delays = s.queueGroupDelay[queue];
  const blend = s.queueGroupBlend[queue];
  let best = -1;
  let bestSince = Infinity;
  for (let k = 0; k < groups.length; k++) {
    if (delayOf(s, queue, k, delays) > waited) continue;
    if (s.phoneWaiting >= blend[k]) continue; // blended work waits while phone calls queue
    const a = s.peekIdle(groups[k]);
    if (a >= 0 && s.aIdleSince[a] < bestSince) {
      best = a;
      bestSince = s.aIdleSince[a];
    }
  }
  return best;
}

/** The queue whose head `agent` should take next, or -1 (nothing it may take). */
export function findQueueFor(s: SimState, agent: number): number {
  if (s.waiting === 0) return -1; // nothing waits anywhere (the common case for a freed agent)
  const g = s.aGroup[agent];
  const queues = s.groupQueues[g];
  const delays = s.groupDelay[g];
  const blend = s.groupBlend[g];
  const now = s.now;
  const policy = s.policyKind;
  let best = -1;
  let bestScore = -Infinity;
  for (let k = 0; k < queues.length; k++) {
    const q = queues[k];
    if (s.qLen[q] === 0 || s.phoneWaiting >= blend[k]) continue;
    const slot = s.peekQueue(q);
    if (slot < 0) continue;
    const waited = now - s.cArrive[slot];
    if (waited < delayOf(s, q, k, delays)) continue;
    let score: number;
    switch (policy) {
      case FIFO: score = waited; break;
      case PRIORITY: score = s.typePriority[s.cType[slot]] * 1e12 + waited; break;
      case AGING: score = s.typePriority[s.cType[slot]] + s.agingRate * waited; break;
      default: score = pluginScore(s, q, slot, agent);
    }
    if (score > bestScore) {
      best = q;
      bestScore = score;
    }
  }
  return best;
}

/**
 * A plug-in policy's score, checked: a score that is not a number (NaN, a string,
 * undefined) or a score() that throws stops the replication with an error naming the
 * policy, the queue and the contact, instead of routing by garbage. Kept out of
 * findQueueFor so the built-in policies' loop stays small.
 */
function pluginScore(s: SimState, q: number, slot: number, agent: number): number {
  let v: unknown;
  try {
    v = s.policy!.score(s, q, slot, agent);
  } catch (e) {
    throw policyError(s, q, slot, agent, `threw ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : typeof e === 'string' || typeof e === 'number' ? String(e) : 'a value that is not an Error'}`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw policyError(s, q, slot, agent, `returned ${typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v) : String(v)}, not a finite number`);
  return v;
}

function policyError(s: SimState, q: number, slot: number, agent: number, what: string): EngineError {
  const name = s.policy?.name ?? s.cfg.routing.policy;
  return new EngineError('ENGINE_ERR_POLICY_RESULT', `routing policy "${name}": score() ${what} (queue ${s.cfg.queues[q]?.name ?? q}, a ${s.cfg.types[s.cType[slot]]?.name ?? 'contact'} contact, agent ${agent}, at ${s.now} s)`, [
    { path: 'routing.policy', value: s.cfg.routing.policy, message: `score() must return a finite number (higher is taken first): it ${what}` },
  ]);
}
