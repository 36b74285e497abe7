import { readFileSync, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Io } from '../../sim/src/cli/io.ts';
import { FlagChecker } from '../../sim/src/cli/options.ts';
import { signalExitCode } from '../../sim/src/cli/execution.ts';
import { fmtKpi, table } from '../../sim/src/cli/table.ts';
import { LIMITS } from '../../sim/src/config/limits.ts';
import { defaultWorkers } from '../../sim/src/engine/cores.ts';
import { compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { SimError, type Issue } from '../../sim/src/errors.ts';
import { compareLoad, consistencyWarnings, parseSummary, scenarioIssues, type KpiComparison, type LoadComparison } from './compare.ts';
import { predictCounts, PredictionStopped } from './predict-run.ts';
import type { LoadSummary } from './summary.ts';

/**
 * `cctwin compare-k6 SUMMARY.json --scenario FILE`: reads and checks a load summary (a
 * k6 script's or cctwin replay's), predicts the same window with R replications of the
 * scenario (predict.ts, on worker threads), and judges each KPI (compare.ts). Exit 0:
 * every judged KPI agrees; 1: one does not, or the measurement is unreliable; 2: bad
 * input (flags, the summary, the scenario, a summary that does not fit the scenario).
 */

/** A summary file larger than this is not a summary. */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

export interface CompareFlags {
  scenario: string;
  replications: number;
  workers: number;
  /** percentage points, as a fraction (2 -> 0.02) */
  widen: number;
  json: boolean;
}

export function readCompareFlags(f: FlagChecker, o: Record<string, unknown>): CompareFlags {
  const replications = f.number('replications', o.replications ?? '30', { integer: true, min: 2, max: LIMITS.replications });
  const workers = f.number('workers', o.workers ?? String(defaultWorkers()), { integer: true, min: 1, max: LIMITS.workers });
  const widen = f.number('widen', o.widen ?? '2', { min: 0, max: 100 });
  const scenario = String(o.scenario ?? '');
  if (scenario.trim() === '') f.fail('scenario', scenario, 'must be the scenario file the load was generated from');
  return { scenario, replications: replications ?? 30, workers: workers ?? 1, widen: (widen ?? 2) / 100, json: Boolean(o.json) };
}

/** The summary file's text, or an issue naming it. */
function readSummaryText(file: string): { text?: string; issue?: Issue } {
  try {
    const st = statSync(file);
    if (!st.isFile()) return { issue: { path: file, message: 'must be a summary file (JSON), not a folder or a device' } };
    if (st.size > MAX_SUMMARY_BYTES) return { issue: { path: file, value: st.size, message: `is ${st.size} bytes: a load summary is far smaller (at most ${MAX_SUMMARY_BYTES})` } };
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { issue: { path: file, message: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})` } };
  }
}

const fmt = (kpi: string, v: number | null | undefined): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (kpi === 'offeredPerHour') return v.toFixed(1);
  return fmtKpi(kpi, v);
};
const range = (kpi: string, r: [number, number] | null) => (r === null ? '-' : `[${fmt(kpi, r[0])}, ${fmt(kpi, r[1])}]`);

/** The comparison as text: a table per scope, the SLA table, the caveats, the rule and the verdict. */
export function printComparison(io: Io, c: LoadComparison, s: LoadSummary, file: string): void {
  const hours = (c.window.end - c.window.start) / 3600;
  io.out(`compare-k6: ${file} (${s.tool}, speed ${s.speed}, target ${s.target}) against scenario "${c.scenario}"`);
  io.out(`window: simulated ${c.window.start.toFixed(0)} s to ${c.window.end.toFixed(0)} s (${hours.toFixed(2)} h); the simulation: ${c.replications} replications, first attempts that arrived in the window`);
  const u = c.unmeasured;
  io.out(`measured: ${u.sent} sent; failed ${u.failed}, dropped ${u.dropped}, noOutcome ${u.noOutcome} (${u.share === null ? '-' : `${(u.share * 100).toFixed(2)}%`} of sent${u.reliable ? '' : ': UNRELIABLE, over 1%'})`);
  const scopes = [...new Set(c.comparisons.map((x) => `${x.kind}\u0000${x.scope}`))];
  for (const key of scopes) {
    const [kind, scope] = key.split('\u0000');
    const rows = c.comparisons.filter((x) => x.kind === kind && x.scope === scope);
    io.out('');
    io.out(`${scope} (${kind})`);
    io.out(table(['KPI', 'measured', 'sim mean', '95% CI of mean', '95% range, one day', 'accepted', 'agree'], rows.map((x: KpiComparison) => [
      x.kpi, fmt(x.kpi, x.measured), fmt(x.kpi, x.mean), range(x.kpi, x.ci95), range(x.kpi, x.range95), range(x.kpi, x.accepted),
      x.agree === null ? '-' : x.agree ? 'yes' : 'NO',
    ])));
  }
  if (c.sla.length > 0) {
    io.out('');
    io.out(table(['SLA', 'scope', 'target', 'measured', 'met', 'sim mean', 'met', 'days met (sim)'], c.sla.map((t) => [
      t.name, t.scope, `${t.direction === 'min' ? '>=' : '<='} ${fmt(t.kpi, t.target)}`,
      fmt(t.kpi, t.measured), t.measuredMet === null ? '-' : t.measuredMet ? 'yes' : 'NO',
      fmt(t.kpi, t.simulated), t.simulatedMet === null ? '-' : t.simulatedMet ? 'yes' : 'NO',
      t.simulatedMetShare === null ? (t.note ?? '-') : `${(t.simulatedMetShare * 100).toFixed(0)}%${t.note ? ` (${t.note})` : ''}`,
    ])));
  }
  if (c.caveats.length > 0) {
    io.out('');
    io.out('caveats:');
    for (const line of c.caveats) io.out(`  - ${line}`);
  }
  io.out('');
  io.out(`How agreement is judged: a load run is one day, so each KPI is judged against the simulation's 95% range for ONE day, mean ± t(0.975, R-1)·s·sqrt(1 + 1/R)`);
  io.out(`(not the CI of the mean, which shrinks with R), widened by ±${(c.widen * 100).toFixed(2)} pp for service level and abandonment, ±max(2 s, 10%) for asa and ±2% for offered per hour (docs/replay.md).`);
  const judged = c.comparisons.filter((x) => x.agree !== null);
  const missed = judged.filter((x) => x.agree === false);
  if (c.agree) io.out(`RESULT: AGREE (${judged.length} KPIs judged, all within the accepted range)`);
  else if (!u.reliable) io.out(`RESULT: UNRELIABLE (${missed.length} of ${judged.length} KPIs outside the range; the measurement misses more than 1% of the load)`);
  else if (judged.length === 0) io.out('RESULT: NOTHING JUDGED (no KPI has both a measurement and a simulated range)');
  else io.out(`RESULT: DISAGREE (${missed.length} of ${judged.length} KPIs outside the accepted range: ${missed.map((x) => `${x.scope} ${x.kpi}`).join(', ')})`);
}

export async function cmdCompareK6(io: Io, file: string, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const x = readCompareFlags(f, o);
  // The summary, then the scenario: every problem of both (and of the flags) in one report.
  const { text, issue } = readSummaryText(file);
  const summaryProblems: Issue[] = issue ? [issue] : parseSummary(text!).issues;
  const summary = issue ? undefined : parseSummary(text!).summary;
  let cfg;
  try {
    if (x.scenario.trim() !== '') cfg = compileVariant(readScenarioText(x.scenario), x.scenario, [], undefined).cfg;
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    f.issues.push(...(e.issues.length > 0 ? e.issues.map((i) => ({ ...i, path: `${x.scenario}: ${i.path}` })) : [{ path: `--scenario ${x.scenario}`, message: e.message }]));
  }
  const fitProblems = summary && cfg ? scenarioIssues(summary, cfg) : [];
  const all = [...f.issues, ...[...summaryProblems, ...fitProblems].map((i) => ({ ...i, path: i.path === file ? file : `${file}: ${i.path}` }))];
  if (all.length > 0) {
    const what = summaryProblems.length + fitProblems.length > 0 ? `${file} is not a load summary of this scenario, or the flags are wrong` : 'bad options';
    throw new SimError('SIM_ERR_BAD_ARGUMENT', `cctwin compare-k6: ${what} (${all.length} problem${all.length === 1 ? '' : 's'})`, all);
  }
  const s = summary!;
  const c0 = cfg!;
  for (const w of consistencyWarnings(s)) io.err(`warning: ${w}`);
  if (s.targetArrivals === 'both') io.err('warning: the twin ran with --arrivals both (its own arrivals besides the load): the comparison is not like for like; see the first caveat');

  // Ctrl-C stops the prediction between replications.
  const stop = new AbortController();
  let signal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => { if (signal !== null) process.exit(signalExitCode(signal as 'SIGINT')); signal = sig; io.err(`\ninterrupted by ${sig}: stopping the simulation`); stop.abort(); };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handlers = sigs.map((sg) => [sg, () => onSignal(sg)] as const);
  for (const [sg, h] of handlers) process.on(sg, h);
  const bar = process.stderr.isTTY && !x.json
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'simulating {bar} {value}/{total} replications | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(x.replications, 0);
  let blocks: Float64Array[];
  try {
    blocks = await predictCounts(c0, x.replications, { start: s.start ?? 0, end: s.horizon }, x.workers, { stop: stop.signal, onDone: (d) => bar?.update(d) });
  } catch (e) {
    if (e instanceof PredictionStopped) {
      bar?.stop();
      io.err(`interrupted after ${e.done} of ${x.replications} replications: no comparison`);
      return signalExitCode((signal ?? 'SIGINT') as 'SIGINT');
    }
    throw e;
  } finally {
    bar?.stop();
    for (const [sg, h] of handlers) process.off(sg, h);
  }
  const result = compareLoad(s, c0, blocks, x.widen);
  if (x.json) io.out(JSON.stringify({ summary: file, tool: s.tool, target: s.target, speed: s.speed, by: s.by, ...result }, null, 2));
  else printComparison(io, result, s, file);
  return result.agree ? 0 : 1;
}
