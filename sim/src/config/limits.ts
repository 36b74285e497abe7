/**
 * The limits of one model and one run, checked before anything runs (a scenario past
 * them is refused with the field and the limit, exit 2). Each is far above the center
 * we model (12,000 seats, 160,000 calls a day, 8-week plans at 15-minute intervals)
 * and below what would exhaust memory or run for days. The README lists them.
 */
export const LIMITS = {
  /** Horizon: a year and a month. */
  horizonSeconds: 400 * 86400,
  /** Reporting intervals over the horizon (a year at 15 minutes is 35,040). */
  intervals: 100_000,
  /** Shortest interval, seconds. */
  intervalSeconds: 1,
  /** Agents in the whole model (every group, every shift, at the busiest interval). */
  agents: 1_000_000,
  /** Trunk lines of one site. */
  lines: 100_000_000,
  /** Contact types, agent groups, sites. */
  contactTypes: 1_000,
  agentGroups: 10_000,
  sites: 100,
  /** Per-interval values the model holds: (contact types + agent groups) x intervals. */
  seriesCells: 10_000_000,
  /** Expected arrivals in one replication (all types, over the horizon). */
  arrivalsPerReplication: 200_000_000,
  /** Size of one replication's result buffer, bytes (interval rows by site and channel). */
  resultBytes: 256 * 1024 * 1024,
  /** Replications of one run (a flag or a precision target's cap). */
  replications: 100_000,
  /** Results of one run held at once, bytes (replications x result size). */
  runResultBytes: 4 * 1024 * 1024 * 1024,
  /** Points of one sweep grid. */
  sweepPoints: 10_000,
  /** Worker threads. */
  workers: 256,
} as const;

/** `1234567` -> `1,234,567` */
export function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
