/**
 * cctwin's public API: what a script or another package uses. Everything else under
 * sim/src is internal and may change.
 */
export { loadScenario, parseScenarioText } from './config/load.ts';
export { compileScenario, withSeed } from './config/compile.ts';
export type { ModelConfig, ContactTypeConfig, AgentGroupConfig, SiteConfig, WorkforceConfig } from './config/model-config.ts';
export { modelConfig, singleQueueModel, SINGLE_QUEUE, deepFreeze, type ModelInput, type SingleQueueInput, type ContactTypeInput, type AgentGroupInput } from './config/defaults.ts';
export { ScenarioSchema, type ScenarioInput } from './config/schema.ts';
export { Replication, replicate, replicateLogged, runLogged } from './engine/replicate.ts';
export { LiveRun, type LiveRunOptions, type AdvanceStatus, type Notice, type FailModes } from './engine/live-run.ts';
export { snapshotLayout, readSnapshot, SNAPSHOT_VERSION, type SnapshotLayout } from './engine/live-snapshot.ts';
export { NOTICE_FIELDS } from './model/live.ts';
export { OUTCOMES, type Outcome } from './model/event-log.ts';
export { contactEnds, type ContactEnd } from './engine/contact-log.ts';
export { runLocal } from './metrics/run-local.ts';
export { withRunner, defaultWorkers } from './engine/pool.ts';
export { decodeResult, summarize, kpisOf, totalRow, intervalMetrics, typeMetrics, KPIS, type RunSummary, type Kpi, type MetricValues } from './metrics/summary.ts';
export { estimate, t975, type Estimate } from './metrics/stats.ts';
export { erlangB, erlangC, erlangCMetrics, queueMetrics, staffFor, type QueueSpec, type QueueMetrics } from './analytic/index.ts';
export type { RoutingPolicy, PolicyFactory } from './model/routing.ts';
export { loadPolicy } from './engine/policy-loader.ts';
export { RunStore } from './runs/store.ts';
export { searchStaffing, StaffingSearch, type SearchRequest, type SearchOutcome, type SearchHooks } from './experiments/staffing-search.ts';
export { parseTargets, scenarioTargets, STAFF_KPIS, type StaffTarget } from './experiments/staffing-targets.ts';
export { SimError, type Issue } from './errors.ts';
