/**
 * Exact analytic queueing models used to verify the simulator and to size staffing:
 * Erlang B, Erlang C, and one birth-death solver for M/M/n, M/M/n+M (Erlang A), M/M/n/K and
 * M/M/n/K+M. All rates per second, times in seconds.
 */
export type { QueueSpec, QueueMetrics } from './queue-spec.ts';
export { erlangB } from './erlang-b.ts';
export { erlangC, erlangCMetrics } from './erlang-c.ts';
export { queueMetrics } from './queue-metrics.ts';
export { staffFor, meetsTarget, type StaffingTarget } from './staffing.ts';
export { stationaryDistribution, type StationaryDistribution } from './birth-death.ts';
export { positionOutcomes, answeredWithin, type PositionOutcomes } from './waiting-time.ts';
