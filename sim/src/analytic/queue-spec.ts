import { badArgument } from '../errors.ts';
/**
 * Inputs and outputs of the exact analytic queue models (M/M/n, M/M/n+M, M/M/n/K, M/M/n/K+M).
 * All rates are per second and all times are in seconds, matching the simulator's unit.
 */

/** All rates per second, times in seconds. */
export interface QueueSpec {
  /** lambda, calls per second. */
  arrivalRate: number;
  /** Mean handle time, seconds (exponential service). */
  aht: number;
  /** n, integer >= 1. */
  agents: number;
  /** Mean patience, seconds (exponential); undefined = infinite patience (no abandonment). */
  patience?: number;
  /** K, total capacity (in service + waiting), integer >= agents; undefined = infinite. */
  lines?: number;
  /** Service-level threshold T, seconds (e.g. 20). */
  threshold: number;
}

export interface QueueMetrics {
  /** a = lambda * aht, erlangs. */
  offeredLoad: number;
  /** P(arriving call finds all K lines busy); 0 when lines undefined. */
  probBlock: number;
  /** P(an admitted (non-blocked) call has to wait, i.e. finds all agents busy). */
  probWait: number;
  /** P(answered AND wait <= T) among admitted (offered = not blocked) calls. */
  serviceLevel: number;
  /** P(wait <= T | answered). */
  serviceLevelAnswered: number;
  /** Mean wait of answered calls (seconds). */
  asa: number;
  /** Mean time in queue of all admitted calls (answered and abandoned). */
  meanWaitAll: number;
  /** P(abandon) among admitted calls. */
  abandonRate: number;
  /** Answered calls per second. */
  answeredRate: number;
  /** Mean busy agents / n. */
  occupancy: number;
  /** Mean number waiting (time average). */
  meanQueueLength: number;
  meanBusyAgents: number;
}

/** Rates of the birth-death chain behind a {@link QueueSpec}; capacity is Infinity when unlimited. */
export interface ChainRates {
  lambda: number;
  mu: number;
  theta: number;
  servers: number;
  capacity: number;
}

/**
 * Reject specs the models are not defined for, with a message naming the field, so that a
 * scenario typo surfaces here rather than as a NaN three modules later.
 * A patience or line count of Infinity is accepted and means "none".
 */
export function validateQueueSpec(spec: QueueSpec, requireAgents = true): void {
  const { arrivalRate, aht, agents, patience, lines, threshold } = spec;
  if (!Number.isFinite(arrivalRate) || arrivalRate < 0) {
    throw badArgument(`arrivalRate must be a finite number >= 0 (got ${arrivalRate})`);
  }
  if (!Number.isFinite(aht) || aht <= 0) throw badArgument(`aht must be a finite number > 0 (got ${aht})`);
  if (requireAgents && (!Number.isInteger(agents) || agents < 1)) {
    throw badArgument(`agents must be an integer >= 1 (got ${agents})`);
  }
  if (patience !== undefined && !(patience > 0)) {
    throw badArgument(`patience must be > 0 seconds or undefined (got ${patience})`);
  }
  if (lines !== undefined && lines !== Infinity) {
    if (!Number.isInteger(lines) || lines < 1) throw badArgument(`lines must be an integer >= 1 (got ${lines})`);
    if (requireAgents && lines < agents) {
      throw badArgument(`lines (${lines}) must be >= agents (${agents})`);
    }
  }
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw badArgument(`threshold must be a finite number >= 0 seconds (got ${threshold})`);
  }
}

/** Translate a validated spec into chain rates: mu = 1/aht, theta = 1/patience (0 if none). */
export function chainRates(spec: QueueSpec): ChainRates {
  return {
    lambda: spec.arrivalRate,
    mu: 1 / spec.aht,
    theta: spec.patience === undefined || spec.patience === Infinity ? 0 : 1 / spec.patience,
    servers: spec.agents,
    capacity: spec.lines ?? Infinity,
  };
}
