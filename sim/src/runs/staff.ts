import { decodeResult, kpisOf, summarize, totalRow, type RunSummary } from '../metrics/summary.ts';
import { searchStaffing, type SearchHooks, type SearchOutcome, type SearchRequest } from '../experiments/staffing-search.ts';
import { codeVersion } from './code-version.ts';
import { storedSummary, type ExecContext } from './execute.ts';

/**
 * `cctwin staff` recorded in the run store as one entry: a run (kind 'run') whose
 * options carry `staffing` (the targets, --per, the groups, the confidence), whose
 * scenario and model are the staffed ones once the search ends, whose replications are
 * those of the staffing found, and whose result is that staffing's summary plus
 * `staffing` (iterations, cost, targets met, the staffing table). No schema change:
 * `runs show`, `runs export` and the dashboard read it as a run.
 */

export interface StaffRunRequest extends SearchRequest {
  /** flags as given, stored with the run */
  options: Record<string, unknown>;
}

export interface StaffRunOutcome extends SearchOutcome {
  runId: number | null;
  /** the staffing found, summarised like a run (null: nothing simulated) */
  summary: RunSummary | null;
  wallSeconds: number;
}

/** The staffing table by group name. */
export function staffingByGroup(o: { staffing: number[][] }, cfg: SearchRequest['cfg'], groups: readonly number[]): Record<string, number[]> {
  return Object.fromEntries(groups.map((g) => [cfg.groups[g].name, o.staffing[g]]));
}

export async function executeStaff(ctx: ExecContext, req: StaffRunRequest, hooks: Omit<SearchHooks, 'runner'>): Promise<StaffRunOutcome> {
  const cfg = req.cfg;
  const runId = ctx.store?.createRun({
    kind: 'run', name: cfg.name, seed: cfg.seed, codeVersion: codeVersion(), scenario: req.text,
    options: req.options, arms: [{ label: 'A', config: cfg }],
  }) ?? null;
  const t0 = performance.now();
  let out: SearchOutcome;
  try {
    out = await searchStaffing(req, { ...hooks, runner: ctx.runner });
  } catch (e) {
    if (runId !== null && ctx.store) {
      try { ctx.store.finishRun(runId, 'failed', null, [], (e as Error)?.message ?? String(e)); } catch { /* reported below */ }
    }
    throw e;
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const reps = out.buffers.map((b) => decodeResult(b, out.cfg));
  const summary = reps.length > 0 ? summarize(out.cfg, reps, wallSeconds) : null;
  const status = out.status === 'interrupted' ? 'interrupted' : 'done';
  if (runId !== null && ctx.store) {
    const store = ctx.store;
    store.setScenario(runId, out.text, 0, out.cfg);
    for (const [k, b] of out.buffers.entries()) store.addReplication(runId, 0, b, kpisOf(totalRow(reps[k].rows, out.cfg)));
    store.finishRun(runId, status, {
      ...(summary ? storedSummary(summary) : {}),
      status,
      staffing: staffingRecord(out, req),
    }, summary ? [{ arm: 0, rows: summary.intervals }] : [], null, status === 'interrupted' ? ctx.stopNote?.() ?? null : null);
  }
  return { ...out, runId, summary, wallSeconds };
}

/** What the store keeps of a search (and `staff --json` prints). */
export function staffingRecord(out: SearchOutcome, req: SearchRequest): object {
  const cfg = req.cfg;
  return {
    status: out.status,
    targetsMet: out.met,
    localMinimum: out.localMinimum,
    note: out.note,
    removals: out.removals,
    validation: out.validation,
    per: req.per,
    confidence: req.confidence,
    replications: req.replications,
    targets: req.targets.map((k) => ({ name: k.name, kpi: k.path, direction: k.direction, target: k.target, source: k.source })),
    groups: req.groups.map((g) => cfg.groups[g].name),
    cost: out.cost,
    costUnit: out.costUnit,
    agentHours: out.agentHours,
    iterations: out.iterations,
    staffing: staffingByGroup(out, cfg, req.groups),
    start: staffingByGroup({ staffing: out.start }, cfg, req.groups),
    holdout: out.holdout,
    infeasible: out.infeasible,
  };
}
