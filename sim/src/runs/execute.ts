import { runLimitIssues } from '../engine/limits.ts';
import { SimError } from '../errors.ts';
import { grouped, LIMITS } from '../config/limits.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { RunInterrupted, type Runner } from '../engine/runner.ts';
import { estimate } from '../metrics/stats.ts';
import { channelRow, decodeResult, kpisOf, summarize, totalRow, typeRow, type ReplicationResult, type RunSummary } from '../metrics/summary.ts';
import { CHANNELS } from '../config/channels.ts';
import type { Channel } from '../config/model-config.ts';
import { compareArms, correctionOf, type ArmComparison, type Correction, type PairedComparison } from '../experiments/paired.ts';
import { precisionScopeProblem, untilPrecise, type PrecisionOutcome, type PrecisionTarget } from '../experiments/precision.ts';
import { compileVariant, compileVariants, describeAssignments, gridPoint, gridSize, type Assignment, type SetSpec, type Variant } from '../experiments/overrides.ts';
import { PLUGIN, policyKind } from '../config/routing-policies.ts';
import { codeVersion, engineCode } from './code-version.ts';
import type { RunStatus, RunStore } from './store.ts';

/**
 * Runs, compares and sweeps, recorded as they go. Each finished replication is
 * written to the store at once (one transaction), so an interruption loses at most
 * the replications in flight, and a resumed sweep picks up the stored buffers: the
 * buffers are exact, so the resumed result equals an uninterrupted one.
 */

export interface ExecContext {
  runner: Runner;
  store?: RunStore | null;
  /** Called when more replications are planned (n) and when one finishes (its simulated seconds). */
  progress?: { plan(n: number): void; done(simulatedSeconds: number): void };
  /** Why the runs stopped, stored with an interrupted run (e.g. "stopped by SIGTERM"). */
  stopNote?: () => string | null;
}

export interface ReplicationPlan {
  /** Replications to run (with precision: the pilot). */
  replications: number;
  precision?: PrecisionTarget;
  maxReplications: number;
}

export type Outcome = 'done' | 'interrupted';

/** Refuses, before anything is stored or run, a run whose results would not fit the limits (config/limits.ts). */
export function checkRunSize(cfgs: readonly ModelConfig[], plan: ReplicationPlan): void {
  const issues = plan.precision
    ? runLimitIssues(cfgs, plan.maxReplications, '--max-replications')
    : runLimitIssues(cfgs, plan.replications);
  if (issues.length > 0) throw new SimError('SIM_ERR_BAD_ARGUMENT', 'the run is past the simulator\'s limits', issues);
}

/** Refuses, before anything is stored or run, models the runner cannot run (a plug-in policy on the Redis backend). */
export function checkBackend(runner: Runner, cfgs: readonly ModelConfig[]): void {
  const issues = cfgs.flatMap((cfg) => {
    const why = runner.refuses?.(cfg) ?? null;
    return why === null ? [] : [{ path: 'routing.policy', value: cfg.routing.policy, message: why }];
  });
  if (issues.length > 0) throw new SimError('SIM_ERR_BAD_ARGUMENT', 'the backend cannot run this scenario', issues);
}

/** One arm's replications: those loaded from the store and those run now. */
class Arm {
  readonly results = new Map<number, ReplicationResult>();

  constructor(
    readonly cfg: ModelConfig,
    private readonly ctx: ExecContext,
    private readonly runId: number | null,
    private readonly arm: number,
    cached?: Map<number, Float64Array>,
    /** The scenario text `cfg` was compiled from, and the sweep point: for a runner in other processes (RunTarget). */
    private readonly where: { scenario?: string; point?: number } = {},
  ) {
    for (const [r, buf] of cached ?? []) this.results.set(r, decodeResult(buf, cfg));
  }

  missing(n: number): number[] {
    const out: number[] = [];
    for (let r = 0; r < n; r++) if (!this.results.has(r)) out.push(r);
    return out;
  }

  async ensure(n: number): Promise<void> {
    const todo = this.missing(n);
    if (todo.length === 0) return;
    this.ctx.progress?.plan(todo.length);
    await this.ctx.runner.run(this.cfg, todo, (buf, r) => {
      if (this.results.has(r)) return; // a replication is counted once, however often a backend delivers it
      const res = decodeResult(buf, this.cfg);
      this.results.set(r, res);
      if (this.ctx.store && this.runId !== null) this.ctx.store.addReplication(this.runId, this.arm, buf, kpisOf(totalRow(res.rows, this.cfg)));
      this.ctx.progress?.done(this.cfg.horizon);
    }, { target: { run: this.runId, arm: this.arm, planned: n, ...this.where } });
  }

  /** Replications 0..n-1 (all finished ones when n is omitted), in index order. */
  list(n?: number): ReplicationResult[] {
    const all = [...this.results.values()].sort((a, b) => a.replication - b.replication);
    return n === undefined ? all : all.filter((r) => r.replication < n);
  }

  /**
   * The KPI of replications 0..n-1 where the precision target reads it: a channel or a
   * contact type (the figures the report prints there), else the totals.
   */
  kpiValues(target: PrecisionTarget, n: number): number[] {
    const { cfg } = this;
    const s = target.scope;
    const row = (r: ReplicationResult): Float64Array => {
      if (s?.kind === 'channel') return channelRow(r, cfg, CHANNELS.indexOf(s.channel as Channel));
      if (s?.kind === 'type') return typeRow(r, cfg, cfg.types.findIndex((t) => t.name === s.type));
      return totalRow(r.rows, cfg);
    };
    return this.list(n).map((r) => kpisOf(row(r))[target.kpi]);
  }
}

/** A run summary without its per-interval rows (those go to the intervals table). */
export function storedSummary(s: RunSummary): Omit<RunSummary, 'intervals'> {
  const { intervals: _drop, ...rest } = s;
  return rest;
}

/**
 * Records a failure on a run, best effort: the failure being reported may be the
 * store's own (disk full), and that error must not be hidden by a second one.
 */
function recordFailure(ctx: ExecContext, runId: number | null, e: unknown): void {
  if (runId === null || !ctx.store) return;
  try {
    ctx.store.finishRun(runId, 'failed', null, [], (e as Error)?.message ?? String(e));
  } catch {
    // the store cannot be written: the error that brought us here is reported
  }
}

const noteOf = (ctx: ExecContext, status: Outcome) => (status === 'interrupted' ? ctx.stopNote?.() ?? null : null);

async function interruptible(work: () => Promise<void>): Promise<Outcome> {
  try {
    await work();
    return 'done';
  } catch (e) {
    if (e instanceof RunInterrupted) return 'interrupted';
    throw e;
  }
}

// ---------------------------------------------------------------- run

export interface RunOutcome {
  runId: number | null;
  status: Outcome;
  summary: RunSummary;
  precision?: PrecisionOutcome;
}

export interface RunRequest extends ReplicationPlan {
  variant: Variant;
  /** Flags as given, stored with the run. */
  options: Record<string, unknown>;
}

/** Runs (or, with `resume`, continues) a run; the store record is created here unless resuming. */
export async function executeRun(ctx: ExecContext, req: RunRequest, resume?: { runId: number; cached: Map<number, Float64Array> }): Promise<RunOutcome> {
  const cfg = req.variant.cfg;
  checkRunSize([cfg], req);
  checkBackend(ctx.runner, [cfg]);
  const runId = resume?.runId ?? ctx.store?.createRun({
    kind: 'run', name: cfg.name, seed: cfg.seed, codeVersion: codeVersion(), scenario: req.variant.text,
    options: req.options, arms: [{ label: 'A', config: cfg }],
  }) ?? null;
  return runArm(ctx, runId, req, resume?.cached);
}

/**
 * Runs the planned replications, or with a precision target adds replications until
 * the KPI's half-width (from `halfWidth`) is small enough; interruptible.
 */
async function replicateUntilDone(
  req: ReplicationPlan, ensure: (k: number) => Promise<void>, halfWidth: (target: PrecisionTarget, k: number) => number | null,
): Promise<{ status: Awaited<ReturnType<typeof interruptible>>; n: number; precision?: PrecisionOutcome }> {
  let precision: PrecisionOutcome | undefined;
  let n = req.replications;
  const status = await interruptible(async () => {
    if (req.precision) {
      const p = req.precision;
      precision = await untilPrecise(p, req.replications, req.maxReplications, ensure, (k) => halfWidth(p, k));
      n = precision.replications;
    } else {
      await ensure(n);
    }
  });
  return { status, n, ...(precision ? { precision } : {}) };
}

async function runArm(ctx: ExecContext, runId: number | null, req: ReplicationPlan & { variant: Variant }, cached?: Map<number, Float64Array>, point?: number): Promise<RunOutcome> {
  const cfg = req.variant.cfg;
  const arm = new Arm(cfg, ctx, runId, 0, cached, { scenario: req.variant.text, ...(point !== undefined ? { point } : {}) });
  const t0 = performance.now();
  try {
    const { status, n, precision } = await replicateUntilDone(req, (k) => arm.ensure(k), (p, k) => estimate(arm.kpiValues(p, k)).ci95);
    const summary = summarize(cfg, status === 'done' ? arm.list(n) : arm.list(), (performance.now() - t0) / 1000);
    if (runId !== null && ctx.store) {
      ctx.store.finishRun(runId, status, { ...storedSummary(summary), status, ...(precision ? { precision } : {}) }, [{ arm: 0, rows: summary.intervals }], null, noteOf(ctx, status));
    }
    return { runId, status, summary, ...(precision ? { precision } : {}) };
  } catch (e) {
    recordFailure(ctx, runId, e);
    throw e;
  }
}

// ---------------------------------------------------------------- compare

export interface CompareRequest extends ReplicationPlan {
  /** the baseline */
  a: Variant & { label: string };
  b: Variant & { label: string };
  /** further variants (arms C, D, ...), each against the baseline */
  more?: (Variant & { label: string })[];
  options: Record<string, unknown>;
}

export interface CompareOutcome {
  runId: number | null;
  status: Outcome;
  replications: number;
  a: RunSummary;
  b: RunSummary;
  /** B - A of the totals (corrected for the number of variants) */
  paired: PairedComparison;
  /** every arm, the baseline first */
  arms: RunSummary[];
  /** each variant against the baseline: totals, per channel and per contact type */
  comparisons: ArmComparison[];
  correction: Correction;
  precision?: PrecisionOutcome;
}

/**
 * All arms over the same replication indexes, hence the same random streams
 * (common random numbers); each variant is compared with the baseline (arm A). With
 * a precision target, the target applies to the widest (corrected) CI of the KPI's
 * differences.
 */
export async function executeCompare(ctx: ExecContext, req: CompareRequest): Promise<CompareOutcome> {
  const variants = [req.a, req.b, ...(req.more ?? [])];
  checkRunSize(variants.map((v) => v.cfg), req);
  checkBackend(ctx.runner, variants.map((v) => v.cfg));
  const runId = ctx.store?.createRun({
    kind: 'compare', name: variants.map((v) => v.cfg.name).join(' vs '), seed: req.a.cfg.seed, codeVersion: codeVersion(),
    scenario: JSON.stringify(Object.fromEntries(variants.map((v, i) => [String.fromCharCode(65 + i), v.text]))), options: req.options,
    arms: variants.map((v) => ({ label: v.label, config: v.cfg })),
  }) ?? null;
  const arms = variants.map((v, i) => new Arm(v.cfg, ctx, runId, i, undefined, { scenario: v.text }));
  const ensure = async (k: number) => { await Promise.all(arms.map((arm) => arm.ensure(k))); };
  const compared = (filter: (r: ReplicationResult) => boolean) => compareArms(arms.map((arm) => ({ cfg: arm.cfg, results: arm.list().filter(filter) })));
  const t0 = performance.now();
  try {
    const { status, n, precision } = await replicateUntilDone(req, ensure, (p, k) => {
      // the paired differences where the target reads its KPI (a channel, a type, else the totals)
      const s = p.scope;
      const of = (c: ArmComparison) => (s?.kind === 'channel' ? c.byChannel[s.channel]?.[p.kpi] : s?.kind === 'type' ? c.byType[s.type]?.[p.kpi] : c.totals[p.kpi]);
      const widths = compared((r) => r.replication < k).map((c) => of(c)?.ciAdjusted ?? null);
      return widths.some((w) => w === null) ? null : Math.max(...(widths as number[]));
    });
    const wall = (performance.now() - t0) / 1000;
    // Partial: only the replications every arm finished.
    const all = (r: ReplicationResult) => status === 'done' ? r.replication < n : arms.every((arm) => arm.results.has(r.replication));
    const summaries = arms.map((arm) => summarize(arm.cfg, arm.list().filter(all), wall));
    const comparisons = compared(all);
    const correction = correctionOf(variants.length - 1);
    const [a, b] = summaries;
    const paired = comparisons[0].totals;
    const out: CompareOutcome = { runId, status, replications: a.replications, a, b, paired, arms: summaries, comparisons, correction, ...(precision ? { precision } : {}) };
    if (runId !== null && ctx.store) {
      ctx.store.finishRun(runId, status, {
        status, replications: out.replications, a: storedSummary(a), b: storedSummary(b), paired,
        ...(summaries.length > 2 ? { more: summaries.slice(2).map(storedSummary) } : {}),
        comparisons, correction, ...(precision ? { precision } : {}),
      }, summaries.map((sm, i) => ({ arm: i, rows: sm.intervals })), null, noteOf(ctx, status));
    }
    return out;
  } catch (e) {
    recordFailure(ctx, runId, e);
    throw e;
  }
}

// ---------------------------------------------------------------- sweep

/** Everything needed to run (and later resume) a sweep; stored as the sweep's options. */
export interface SweepSpec extends ReplicationPlan {
  /** The base scenario text and where it came from. */
  text: string;
  source: string;
  sets: SetSpec[];
  /** Applied to every point but not part of the grid (e.g. warmup). */
  fixed: Assignment[];
  seed?: number;
  options: Record<string, unknown>;
}

export interface SweepPointOutcome {
  point: number;
  assignments: Record<string, unknown>;
  runId: number | null;
  status: RunStatus;
  summary: RunSummary | null;
  precision?: PrecisionOutcome;
}

export interface SweepOutcome {
  runId: number | null;
  status: Outcome;
  points: SweepPointOutcome[];
  wallSeconds: number;
}

/** The points of a sweep, compiled one at a time when each runs. */
export interface SweepPoints {
  readonly count: number;
  /** The plug-in policy modules the grid's values name (resolved paths): a resumed sweep needs each allowed again. */
  readonly policies: readonly string[];
  /** The points compiled up front: the first, and one for each other value of each --set (every value is in one). */
  readonly checked: readonly Variant[];
  /** Point i compiled (its assignments are its grid values; the fixed edits are the same everywhere). */
  variant(i: number): Variant;
}

/**
 * The grid of a sweep, checked up front without compiling every point: its size
 * against the limit, then each value of each flag alone and the first point (one
 * error listing every problem). A point is compiled when it runs: a grid of 10,000
 * points starts at once. A point whose combination of values is invalid although each
 * value is valid alone stops the sweep there with its error; the points before it
 * are stored.
 */
export function sweepVariants(spec: SweepSpec, allowPolicies: readonly string[] = [], trustFolder = true): SweepPoints {
  const count = gridSize(spec.sets);
  if (count > LIMITS.sweepPoints) {
    throw new SimError('SIM_ERR_BAD_ARGUMENT', 'the sweep grid is too large', [
      { path: '--set', value: spec.sets.map((x) => `${x.path}: ${x.values.length} values`).join(', '), message: `must make a grid of at most ${grouped(LIMITS.sweepPoints)} points (it makes ${grouped(count)})` },
    ]);
  }
  const item = (a: readonly Assignment[]) => ({ text: spec.text, source: spec.source, assignments: [...spec.fixed, ...a], seed: spec.seed, allowPolicies, trustFolder });
  const first = gridPoint(spec.sets, 0);
  const singles = spec.sets.flatMap((x, k) => x.values.slice(1).map((value) => first.map((a, j) => (j === k ? { path: x.path, value } : a))));
  const checked = compileVariants([first, ...singles].map(item));
  // Every value's run size up front (a combination is checked again when it runs).
  for (const v of checked) checkRunSize([v.cfg], spec);
  const [v0] = checked;
  const compile = (i: number): Variant => {
    const a = gridPoint(spec.sets, i);
    return { ...(i === 0 ? v0 : compileVariant(spec.text, spec.source, [...spec.fixed, ...a], spec.seed, allowPolicies, trustFolder)), assignments: a };
  };
  const policies = [...new Set(checked.map((v) => v.cfg.routing.policy).filter((p) => policyKind(p) === PLUGIN))];
  return { count, variant: compile, policies, checked };
}

const assignmentObject = (a: readonly Assignment[]) => Object.fromEntries(a.map((x) => [x.path, x.value]));

/**
 * Runs every point of the grid in order. With `resumeId`, points that are done are
 * read back from the store and unfinished points continue from their stored
 * replications; the result is the same as that of an uninterrupted sweep.
 */
export async function executeSweep(ctx: ExecContext, spec: SweepSpec, grid: SweepPoints, resumeId?: number): Promise<SweepOutcome> {
  const store = ctx.store ?? null;
  const v0 = grid.variant(0);
  checkRunSize([v0.cfg], spec);
  checkBackend(ctx.runner, [v0.cfg]);
  const stored = { text: spec.text, source: spec.source, sets: spec.sets, fixed: spec.fixed, seed: spec.seed, replications: spec.replications, precision: spec.precision, maxReplications: spec.maxReplications };
  const sweepId = resumeId ?? store?.createRun({
    kind: 'sweep', name: v0.cfg.name, seed: v0.cfg.seed, codeVersion: codeVersion(),
    // engineCode: the code that computes its points; a resume by other code is refused (cli/sweep.ts).
    scenario: spec.text, options: { ...spec.options, sweep: stored, engineCode: engineCode() },
  }) ?? null;
  if (resumeId !== undefined && store) store.resumeRun(resumeId);
  const known = sweepId !== null && store ? store.sweepPoints(sweepId) : new Map<number, { runId: number; assignments: unknown }>();
  const t0 = performance.now();
  const points: SweepPointOutcome[] = [];
  let status: Outcome = 'done';
  try {
    for (let i = 0; i < grid.count; i++) {
      const v = i === 0 ? v0 : grid.variant(i);
      checkRunSize([v.cfg], spec);
      checkBackend(ctx.runner, [v.cfg]);
      const assignments = assignmentObject(v.assignments);
      // The precision target's scope was settled on the points compiled up front; a
      // combination of values may still lack it (a type renamed by one --set, dropped by another).
      const off = spec.precision?.scope ? precisionScopeProblem(v.cfg, spec.precision) : null;
      if (off !== null) {
        throw new SimError('SIM_ERR_BAD_ARGUMENT', `sweep point ${i} cannot measure the precision target`, [
          { path: '--precision', value: `${spec.precision!.kpi}`, message: `point ${i} (${describeAssignments(v.assignments)}): ${off}` },
        ]);
      }
      const prior = known.get(i);
      const rec = prior && store ? store.getRun(prior.runId) : null;
      let runId: number | null = rec?.id ?? null;
      if (rec && rec.status !== 'done' && store) store.resumeRun(rec.id);
      if (runId === null && sweepId !== null && store) {
        runId = store.createSweepPoint(sweepId, i, assignments, {
          name: v.cfg.name, seed: v.cfg.seed, codeVersion: codeVersion(), scenario: v.text,
          options: { point: i, assignments }, arms: [{ label: 'A', config: v.cfg }],
        });
      }
      const cached = runId !== null && store ? store.replicationBuffers(runId, 0) : undefined;
      const res = await runArm(ctx, runId, { ...spec, variant: v }, cached, i);
      points.push({ point: i, assignments, runId, status: res.status, summary: res.summary, ...(res.precision ? { precision: res.precision } : {}) });
      if (res.status === 'interrupted') { status = 'interrupted'; break; }
    }
  } catch (e) {
    recordFailure(ctx, sweepId, e);
    throw e;
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  if (sweepId !== null && store) {
    store.finishRun(sweepId, status, {
      status,
      points: points.map((p) => ({ point: p.point, assignments: p.assignments, runId: p.runId, status: p.status, replications: p.summary?.replications ?? 0, totals: p.summary?.totals ?? null, ...(p.precision ? { precision: p.precision } : {}) })),
    }, [], null, noteOf(ctx, status));
  }
  return { runId: sweepId, status, points, wallSeconds };
}
