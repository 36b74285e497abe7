import { SimError } from '../errors.ts';
import { readScenarioText } from '../experiments/overrides.ts';
import { precisionLabel } from '../experiments/precision.ts';
import { executeSweep, sweepVariants, type SweepOutcome, type SweepPoints, type SweepSpec } from '../runs/execute.ts';
import { codeVersion, engineCode } from '../runs/code-version.ts';
import { DEFAULT_DB } from '../runs/location.ts';
import { TOTALS_MIXED, type Kpi } from '../metrics/summary.ts';
import { batchSize, readExecutionFlags, scopeFlagPrecision, startWorkersEarly, storedOptions, withFlagIssues, withSession, type ExecutionFlags } from './execution.ts';
import { checkFiles, openStore } from './files.ts';
import { FlagChecker } from './options.ts';
import { fmtHalfWidth, fmtKpi, fmtTarget, table } from './table.ts';
import type { Io } from './io.ts';

/**
 * `cctwin sweep FILE --set path=v1,v2,... [--set ...]`: the grid of every
 * combination, one line per point. Every point uses the same seed and replication
 * indexes (common random numbers across the grid). An interrupted sweep resumes with
 * `cctwin sweep --resume ID`: finished points are read back, unfinished ones continue
 * from their stored replications.
 */

const DEFAULT_SWEEP_REPLICATIONS = 5;
const LINE_KPIS = ['offered', 'answered', 'abandoned', 'serviceLevel', 'abandonRate', 'asa', 'aht', 'occupancy'] as const;

export function sweepJson(r: SweepOutcome, spec: SweepSpec): object {
  return {
    ...(r.status === 'interrupted' ? { status: 'interrupted', partial: true } : {}),
    scenario: spec.source,
    sets: spec.sets,
    points: r.points.map((p) => ({
      point: p.point,
      assignments: p.assignments,
      ...(p.status === 'interrupted' ? { status: 'interrupted', partial: true } : {}),
      replications: p.summary?.replications ?? 0,
      seed: p.summary?.seed ?? null,
      // The totals mix channels in a center of several (their serviceLevel averages phone
      // waits with email replies): totalsScope says so, and byChannel has each channel's.
      totals: p.summary?.totals ?? null,
      totalsScope: p.summary?.totalsScope ?? null,
      byChannel: p.summary?.byChannel ?? null,
      sla: p.summary?.sla ?? null,
      ...(p.precision ? { precision: p.precision } : {}),
    })),
    performance: {
      wallSeconds: r.wallSeconds,
      events: r.points.reduce((s, p) => s + (p.summary?.performance.events ?? 0), 0),
    },
  };
}

function printSweep(io: Io, r: SweepOutcome, spec: SweepSpec, total: number): void {
  const paths = spec.sets.map((s) => s.path);
  io.out(`${spec.source}: sweep of ${total} point${total === 1 ? '' : 's'} over ${paths.join(', ')}${r.status === 'interrupted' ? ` (INTERRUPTED after ${r.points.length - 1} complete)` : ''}\n`);
  // With several channels the waits and service levels are phone's (the first channel's), labelled so: the totals mix channels.
  const first = r.points.find((p) => p.summary)?.summary;
  const scopes = first?.totalsScope?.channels ?? [];
  const lead = scopes.length > 1 ? scopes[0] : null;
  const scoped = (k: string) => lead !== null && TOTALS_MIXED.includes(k as Kpi);
  io.out(table(
    ['#', ...paths, 'reps', ...LINE_KPIS.map((k) => (scoped(k) ? `${lead} ${k}` : k))],
    r.points.map((p) => [
      String(p.point),
      ...paths.map((k) => { const v = p.assignments[k]; return typeof v === 'string' ? v : JSON.stringify(v); }),
      `${p.summary?.replications ?? 0}${p.status === 'interrupted' ? ' (partial)' : ''}`,
      ...LINE_KPIS.map((k) => {
        const e = scoped(k) ? p.summary?.byChannel[lead!]?.[k] : p.summary?.totals[k];
        return k === 'serviceLevel' && e?.ci95 != null ? `${fmtKpi(k, e.mean)} ${fmtHalfWidth(k, e.ci95)}` : fmtKpi(k, e?.mean);
      }),
    ]),
  ));
  for (const p of r.points) {
    if (p.precision && !p.precision.met) io.out(`point ${p.point}: precision NOT reached: ${precisionLabel(p.precision)} 95% half-width ${fmtKpi(p.precision.kpi, p.precision.halfWidth)} > ${fmtTarget(p.precision.kpi, p.precision.target)} after ${p.precision.replications} replications (the cap)`);
  }
}

export async function cmdSweep(io: Io, file: string | undefined, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const resumeId = f.number('resume', o.resume, { integer: true, min: 1 });
  const x = readExecutionFlags(f, o, Infinity, DEFAULT_SWEEP_REPLICATIONS);
  if (o.resume !== undefined) {
    if (file !== undefined) f.fail('resume', String(o.resume), 'takes no scenario file: the sweep is resumed from the scenario text stored with it');
    for (const [flag, key] of [['set', 'set'], ['replications', 'replications'], ['seed', 'seed'], ['warmup', 'warmup'], ['precision', 'precision']] as const) {
      const v = o[key];
      if (v !== undefined && !(Array.isArray(v) && v.length === 0)) f.fail(flag, Array.isArray(v) ? v.join(' ') : String(v), 'cannot be combined with --resume: the stored sweep keeps its settings');
    }
  } else {
    if (file === undefined) f.issues.push({ path: 'FILE', message: 'is required: the scenario file to sweep (or --resume ID)' }); // an argument, not a flag
    // (a --set given but malformed is already an issue of its own)
    if (x.sets.length === 0 && ((o.set as string[] | undefined) ?? []).length === 0) f.fail('set', undefined, 'is required: give at least one path=v1,v2,... to sweep');
  }
  checkFiles(f, {
    inputs: file !== undefined ? [{ flag: '', value: file, what: 'the scenario file' }] : [],
    store: { arg: { flag: 'db', value: x.db, what: 'the run store' }, access: 'write', mustExist: o.resume !== undefined },
    outputs: [],
  });
  if (resumeId === undefined && file !== undefined) {
    const fresh = newSpec(file, x);
    const discardWorkers = await startWorkersEarly(f, x);
    try {
      const variants = withFlagIssues(f, 'sweep', () => {
        const grid = sweepVariants(fresh(), x.allowPolicies);
        scopeFlagPrecision(f, x, grid.checked.map((v) => v.cfg));
        return grid;
      });
      // The precision target with its scope settled, stored with the sweep (a resume reads it back).
      return await runSweep(io, x, { ...fresh(), precision: x.precision, options: { ...storedOptions(x), file } }, variants, undefined);
    } finally {
      await discardWorkers();
    }
  }
  f.done('sweep');

  // --resume: the settings and scenario text come from the store, not from flags.
  let spec: SweepSpec;
  const store = openStore(x.db, 'write');
  try {
    const rec = store.getRun(resumeId!);
    if (!rec || rec.kind !== 'sweep') {
      throw new SimError('SIM_ERR_BAD_ARGUMENT', 'cctwin sweep: nothing to resume', [
        { path: '--resume', value: String(resumeId), message: rec ? `is a ${rec.kind}, not a sweep` : `is not a run in ${x.db} (see cctwin runs list)` },
      ]);
    }
    if (rec.status === 'running') {
      // Opening the store marked the sweeps of dead processes interrupted: this one's process lives (or is on another host).
      throw new SimError('SIM_ERR_BAD_ARGUMENT', 'cctwin sweep: the sweep is still running', [
        { path: '--resume', value: String(resumeId), message: `must be a sweep that stopped: it is running${rec.pid !== null ? ` (pid ${rec.pid} on ${rec.host})` : ''}` },
      ]);
    }
    // Points computed by other code would mix two engines' numbers in one sweep.
    const code = engineCode();
    const storedCode = typeof rec.options.engineCode === 'string' ? rec.options.engineCode : null;
    if (storedCode !== null ? storedCode !== code : rec.codeVersion !== codeVersion()) {
      throw new SimError('SIM_ERR_BAD_ARGUMENT', 'cctwin sweep: the sweep was started by other code', [{
        path: '--resume', value: String(resumeId),
        message: `must be resumed by the cctwin that started it: sweep ${rec.id} was run by cctwin ${rec.codeVersion}${storedCode ? ` (code hash ${storedCode})` : ''}, this is cctwin ${codeVersion()}${storedCode ? ` (code hash ${code})` : ''}, built from other code, and its points could mix the numbers of two versions; start the sweep again`,
      }]);
    }
    const stored = rec.options.sweep as Omit<SweepSpec, 'options'>;
    spec = { ...stored, precision: stored.precision ?? undefined, seed: stored.seed ?? undefined, options: rec.options };
  } finally {
    store.close();
  }
  // The stored text names its policy; only --allow-policy on this command line lets a
  // plug-in load (the store grants no trust, not even to a policies folder).
  return runSweep(io, x, spec, sweepVariants(spec, x.allowPolicies, false), resumeId);
}

/** The command that resumes sweep `id`: its store, and each plug-in policy allowed again (the store grants no trust). */
export function resumeCommand(id: number, db: string, policies: readonly string[]): string {
  return `cctwin sweep --resume ${id}${db === DEFAULT_DB ? '' : ` --db ${shellWord(db)}`}${policies.map((p) => ` --allow-policy ${shellWord(p)}`).join('')}`;
}

/** A word as a shell reads it back: quoted when it holds anything but plain path characters. */
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

function newSpec(file: string, x: ExecutionFlags): () => SweepSpec {
  let spec: SweepSpec | undefined;
  return () => (spec ??= {
    text: readScenarioText(file), source: file, sets: x.sets, fixed: x.fixed, seed: x.seed,
    replications: x.replications, precision: x.precision, maxReplications: x.maxReplications,
    options: { ...storedOptions(x), file },
  });
}

async function runSweep(io: Io, x: ExecutionFlags, spec: SweepSpec, variants: SweepPoints, resumeId: number | undefined): Promise<number> {
  const { value: r, exitCode } = await withSession(io, { ...x, tasks: batchSize(x) }, ({ ctx }) => executeSweep(ctx, spec, variants, resumeId));
  if (x.json) io.out(JSON.stringify(sweepJson(r, spec), null, 2));
  else printSweep(io, r, spec, variants.count);
  if (r.runId !== null) {
    (x.json ? io.err : io.out)(r.status === 'interrupted'
      ? `sweep ${r.runId} interrupted; resume with: ${resumeCommand(r.runId, x.db, variants.policies)}`
      : `sweep ${r.runId} saved in ${x.db}`);
  }
  return exitCode(r.status);
}
