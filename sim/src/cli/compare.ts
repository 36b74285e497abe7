import { compileVariants, describeAssignments, readScenarioText, type Assignment } from '../experiments/overrides.ts';
import { KPIS } from '../metrics/summary.ts';
import { executeCompare, type CompareOutcome } from '../runs/execute.ts';
import { batchSize, readExecutionFlags, storedOptions, withFlagIssues, withSession } from './execution.ts';
import { checkFiles } from './files.ts';
import { FlagChecker } from './options.ts';
import { printPrecision, storedNote } from './run.ts';
import { fmtHalfWidth, fmtKpi, table } from './table.ts';
import type { Io } from './io.ts';

/**
 * `cctwin compare A.yaml B.yaml` or `cctwin compare A.yaml --set agents=380`: both
 * arms over the same replication indexes (common random numbers), each KPI's mean
 * difference B - A with a paired 95% CI, and whether it is significant.
 *
 * `--set path=v` with one value applies to B only when there is one file, to both
 * arms when there are two; `--set path=vA,vB` gives each arm its own value.
 */

const DEFAULT_COMPARE_REPLICATIONS = 10;

export function compareJson(r: CompareOutcome, labels: { a: string; b: string }): object {
  const kpis: Record<string, object> = {};
  for (const k of KPIS) {
    const p = r.paired[k];
    kpis[k] = { meanA: p.meanA, meanB: p.meanB, difference: p.difference, ci95: p.ci95, significant: p.significant };
  }
  return {
    ...(r.status === 'interrupted' ? { status: 'interrupted', partial: true } : {}),
    a: { label: labels.a, scenario: r.a.scenario, sla: r.a.sla },
    b: { label: labels.b, scenario: r.b.scenario, sla: r.b.sla },
    seed: r.a.seed,
    replications: r.replications,
    kpis,
    ...(r.precision ? { precision: r.precision } : {}),
    performance: {
      events: r.a.performance.events + r.b.performance.events,
      wallSeconds: r.a.performance.wallSeconds,
      simulatedDays: r.a.performance.simulatedDays + r.b.performance.simulatedDays,
    },
  };
}

export async function cmdCompare(io: Io, fileA: string, fileB: string | undefined, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const x = readExecutionFlags(f, o, 2, DEFAULT_COMPARE_REPLICATIONS);
  if (x.precision === undefined && x.replications < 2) f.fail('replications', String(x.replications), 'must be at least 2 for a paired confidence interval');
  if (fileB === undefined && x.sets.length === 0) f.fail('set', undefined, 'is required with one scenario file: give the edits of arm B, e.g. --set agents=380');
  const setsA: Assignment[] = [], setsB: Assignment[] = [];
  for (const s of x.sets) {
    if (s.values.length === 2) {
      setsA.push({ path: s.path, value: s.values[0] });
      setsB.push({ path: s.path, value: s.values[1] });
    } else {
      if (fileB !== undefined) setsA.push({ path: s.path, value: s.values[0] });
      setsB.push({ path: s.path, value: s.values[0] });
    }
  }
  checkFiles(f, {
    inputs: [{ flag: '', value: fileA, what: 'the scenario file of arm A' }, ...(fileB !== undefined ? [{ flag: '', value: fileB, what: 'the scenario file of arm B' }] : [])],
    store: { arg: { flag: 'db', value: x.db, what: 'the run store' }, access: 'write' },
    outputs: [],
  });
  const [a, b] = withFlagIssues(f, 'compare', () => {
    const textA = readScenarioText(fileA);
    const textB = fileB === undefined ? textA : readScenarioText(fileB);
    // Common random numbers need one seed for both arms: --seed, else arm A's.
    const [a0] = compileVariants([{ text: textA, source: fileA, assignments: [...x.fixed, ...setsA], seed: x.seed }]);
    return compileVariants([
      { text: textA, source: fileA, assignments: [...x.fixed, ...setsA], seed: a0.cfg.seed },
      { text: textB, source: fileB ?? fileA, assignments: [...x.fixed, ...setsB], seed: a0.cfg.seed },
    ]);
  });
  const seed = a.cfg.seed;
  const labelA = `A: ${fileA}${setsA.length ? ` [${describeAssignments(setsA)}]` : ''}`;
  const labelB = `B: ${fileB ?? fileA}${setsB.length ? ` [${describeAssignments(setsB)}]` : ''}`;
  const { value: r, exitCode } = await withSession(io, { ...x, tasks: 2 * batchSize(x) }, ({ ctx }) => executeCompare(ctx, {
    a: { ...a, label: labelA }, b: { ...b, label: labelB },
    replications: x.replications, precision: x.precision, maxReplications: x.maxReplications,
    options: { ...storedOptions(x), files: [fileA, fileB ?? null] },
  }));
  if (x.json) io.out(JSON.stringify(compareJson(r, { a: labelA, b: labelB }), null, 2));
  else {
    if (r.status === 'interrupted') io.out(`INTERRUPTED: partial comparison from the ${r.replications} replications both arms finished\n`);
    io.out(`${labelA}\n${labelB}\ncommon random numbers: seed ${seed}, replications 0..${r.replications - 1} in both arms\n`);
    io.out(table(
      ['KPI', 'A', 'B', 'B - A', 'paired 95% CI', 'significant'],
      KPIS.map((k) => {
        const p = r.paired[k];
        return [k, fmtKpi(k, p.meanA), fmtKpi(k, p.meanB), fmtKpi(k, p.difference), fmtHalfWidth(k, p.ci95), p.significant === null ? '-' : p.significant ? 'yes' : 'no'];
      }),
    ));
    if (r.precision) printPrecision(io, r.precision);
  }
  storedNote(io, x.json, 'compare', r.runId, x.db);
  return exitCode(r.status);
}
