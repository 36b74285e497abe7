import type { DistSpec } from '../core/distributions.ts';

/**
 * The compiled, validated model the engine runs. Everything is in seconds and
 * integer ids; arrays are plain so the config is JSON- and structured-clone-safe
 * (it crosses to worker threads), and it is deep-frozen after compilation: the
 * engine never re-validates and never mutates it.
 */
export interface ModelConfig {
  readonly schemaVersion: 1;
  readonly name: string;
  readonly seed: number;
  /** Length of the arrival period in seconds. Calls still in the system at the horizon are worked off (drain). */
  readonly horizon: number;
  /** Reporting and staffing interval, seconds. */
  readonly intervalLength: number;
  readonly nIntervals: number;
  /** Results from calls arriving before this time are discarded (steady-state studies). */
  readonly warmup: number;
  /** Service-level threshold T, seconds. */
  readonly threshold: number;
  readonly sla: readonly SlaTarget[];
  readonly types: readonly ContactTypeConfig[];
  readonly queues: readonly QueueConfig[];
  readonly groups: readonly AgentGroupConfig[];
  readonly sites: readonly SiteConfig[];
}

export type Channel = 'phone' | 'im' | 'email' | 'fax';

export interface ContactTypeConfig {
  readonly name: string;
  readonly channel: Channel;
  /** Expected arrivals per second in each interval (length nIntervals). */
  readonly arrivalRates: readonly number[];
  readonly handleTime: DistSpec;
  /** null: the caller never abandons. */
  readonly patience: DistSpec | null;
  readonly queue: number;
  readonly site: number;
}

export interface QueueConfig {
  readonly name: string;
}

export interface AgentGroupConfig {
  readonly name: string;
  readonly site: number;
  /** Queues this group serves. */
  readonly queues: readonly number[];
  /** Agents on duty in each interval (length nIntervals). */
  readonly staffing: readonly number[];
}

export interface SiteConfig {
  readonly name: string;
  /** Trunk lines: calls in the system (waiting or in service) at most; null = unlimited. */
  readonly lines: number | null;
}

/** A service target the run is judged against. */
export interface SlaTarget {
  readonly name: string;
  /** A KPI of the result's totals, e.g. serviceLevel, abandonRate, asa. */
  readonly kpi: string;
  readonly target: number;
  /** 'min': the KPI must be at least the target; 'max': at most. */
  readonly direction: 'min' | 'max';
}
