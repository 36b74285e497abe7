import { CHANNELS } from '../config/channels.ts';
import { SimError } from '../errors.ts';
import { compileVariants, describeAssignments, readScenarioText, type Assignment } from '../experiments/overrides.ts';
import { BREAKDOWN_KPIS, type ArmComparison, type Correction, type PairedComparison, type PairedKpi } from '../experiments/paired.ts';
import { COMPLAINT_KPIS, KPIS, TOTALS_MIXED, WORKFORCE_KPIS, type Kpi } from '../metrics/summary.ts';
import { executeCompare, type CompareOutcome } from '../runs/execute.ts';
import { batchSize, readExecutionFlags, scopeFlagPrecision, startWorkersEarly, storedOptions, withFlagIssues, withSession } from './execution.ts';
import { precisionLabel, type PrecisionScope } from '../experiments/precision.ts';
import { checkFiles } from './files.ts';
import { FlagChecker } from './options.ts';
import { printPrecision, storedNote } from './run.ts';
import { warmupLine } from './report.ts';
import { fmtHalfWidth, fmtKpi, table } from './table.ts';
import type { Io } from './io.ts';

/**
 * `cctwin compare BASE.yaml VARIANT.yaml [VARIANT2.yaml ...]`, or one file with
 * `--set path=vA,vB[,vC...]`: every arm over the same replication indexes (common
 * random numbers), each variant against the baseline A: paired differences with CIs
 * per channel (phone first), per contact type and for the all-channel counts. With
 * more than one variant, Holm's correction decides significance and the CIs are
 * Bonferroni intervals (experiments/paired.ts).
 *
 * `--set path=v` with one value applies to every arm; `--set path=vA,vB,...` gives
 * each arm its own value (as many values as arms). With one file, at least one
 * `--set` must give per-arm values, else the arms would be the same and the command
 * refuses (exit 2).
 */

const DEFAULT_COMPARE_REPLICATIONS = 10;
/** Arms are lettered A..Z. */
const MAX_ARMS = 26;
const letter = (i: number) => String.fromCharCode(65 + i);

const testJson = (p: PairedKpi | undefined) => (p === undefined ? null : {
  baseline: p.meanA, variant: p.meanB, difference: p.difference, ci95: p.ci95, ciAdjusted: p.ciAdjusted,
  p: p.p, pAdjusted: p.pAdjusted, significant: p.significant, pairs: p.pairs,
});
const scopeJson = (c: Partial<PairedComparison>, kpis: readonly Kpi[]) => Object.fromEntries(kpis.filter((k) => c[k] !== undefined).map((k) => [k, testJson(c[k])]));

export function compareJson(r: CompareOutcome, labels: { a: string; b: string; more?: string[] }): object {
  const kpis: Record<string, object> = {};
  for (const k of KPIS) {
    const p = r.paired[k];
    kpis[k] = { meanA: p.meanA, meanB: p.meanB, difference: p.difference, ci95: p.ci95, significant: p.significant };
  }
  const allLabels = [labels.a, labels.b, ...(labels.more ?? [])];
  const arms = r.arms ?? [r.a, r.b];
  return {
    ...(r.status === 'interrupted' ? { status: 'interrupted', partial: true } : {}),
    a: { label: labels.a, scenario: r.a.scenario, sla: r.a.sla },
    b: { label: labels.b, scenario: r.b.scenario, sla: r.b.sla },
    arms: arms.map((s, i) => ({
      arm: letter(i), role: i === 0 ? 'baseline' : 'variant', label: allLabels[i], scenario: s.scenario,
      warmup: s.warmup, warmupEffective: s.warmupEffective, sla: s.sla,
    })),
    seed: r.a.seed,
    replications: r.replications,
    /** B - A of the all-channel totals, as before; the waits and rates among them mix channels */
    kpis,
    kpisScope: `B - A of the all-channel totals (${arms[0].totalsScope?.channels.join(', ')}); ${TOTALS_MIXED.join(', ')} mix channels there: read comparisons[].byChannel`,
    correction: r.correction,
    comparisons: r.comparisons.map((c) => ({
      arm: letter(c.arm), against: 'A', label: allLabels[c.arm],
      byChannel: Object.fromEntries(Object.entries(c.byChannel).map(([ch, v]) => [ch, scopeJson(v, BREAKDOWN_KPIS)])),
      byType: Object.fromEntries(Object.entries(c.byType).map(([t, v]) => [t, scopeJson(v, BREAKDOWN_KPIS)])),
      totals: scopeJson(c.totals, KPIS),
    })),
    ...(r.precision ? { precision: r.precision } : {}),
    performance: {
      events: arms.reduce((s, x) => s + x.performance.events, 0),
      wallSeconds: r.a.performance.wallSeconds,
      simulatedDays: arms.reduce((s, x) => s + x.performance.simulatedDays, 0),
    },
  };
}

/** Each arm's edits from the --set flags: one value for every arm, or one per arm. */
function armAssignments(f: FlagChecker, files: number, sets: readonly { path: string; values: readonly unknown[] }[], raw: string[]): { arms: number; edits: Assignment[][] } {
  const multi = sets.filter((s) => s.values.length > 1);
  const rawOf = (path: string) => raw.find((r) => r.slice(0, r.indexOf('=')).trim() === path) ?? path;
  let arms = files;
  if (files === 1) {
    if (sets.length === 0) {
      f.fail('set', undefined, 'is required with one scenario file: give each arm its value, e.g. --set agents=360,380 (arm A 360, arm B 380)');
    } else if (multi.length === 0) {
      f.fail('set', raw.join(' '), 'is ambiguous with one scenario file: a single value applies to every arm, so the arms would be the same; give each arm its value (--set path=vA,vB, e.g. agents=360,380) or give a second scenario file');
    }
    arms = multi[0]?.values.length ?? 2;
  }
  for (const s of multi) {
    if (s.values.length !== arms) {
      f.fail('set', rawOf(s.path), `gives ${s.values.length} values for ${arms} arms: give one value (every arm) or one per arm`);
    }
  }
  if (arms > MAX_ARMS) f.fail('set', multi[0] ? rawOf(multi[0].path) : undefined, `gives ${arms} arms; at most ${MAX_ARMS}`);
  const edits = Array.from({ length: arms }, (_, i) => sets.map((s) => ({ path: s.path, value: s.values.length === 1 ? s.values[0] : s.values[i] })));
  return { arms, edits };
}

export async function cmdCompare(io: Io, fileA: string, variants: string | string[] | undefined, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const x = readExecutionFlags(f, o, Infinity, DEFAULT_COMPARE_REPLICATIONS);
  // (an invalid --replications is already an issue; its stand-in value is not another)
  if (x.precision === undefined && x.replications < 2 && !f.issues.some((i) => i.path === '--replications')) f.fail('replications', String(x.replications), 'must be at least 2 for a paired confidence interval');
  const more = variants === undefined ? [] : typeof variants === 'string' ? [variants] : variants;
  const files = [fileA, ...more];
  if (files.length > MAX_ARMS) f.fail('', files.slice(MAX_ARMS).join(' '), `compare takes at most ${MAX_ARMS} scenario files (arms A..Z)`);
  const { arms, edits } = armAssignments(f, files.length, x.sets, (o.set as string[] | undefined) ?? []);
  const fileOf = (i: number) => files[files.length === 1 ? 0 : i];
  checkFiles(f, {
    inputs: files.map((file, i) => ({ flag: '', value: file, what: `the scenario file of arm ${letter(i)}` })),
    store: { arg: { flag: 'db', value: x.db, what: 'the run store' }, access: 'write' },
    outputs: [],
  });
  const discardWorkers = await startWorkersEarly(f, x, arms * batchSize(x));
  try {
    const compiled = withFlagIssues(f, 'compare', () => {
      const texts = files.map(readScenarioText);
      const textOf = (i: number) => texts[files.length === 1 ? 0 : i];
      const arm = (i: number, seed: number | undefined) => ({ text: textOf(i), source: fileOf(i), assignments: [...x.fixed, ...edits[i]], seed, allowPolicies: x.allowPolicies });
      // Common random numbers need one seed for every arm: --seed, else arm A's. A bad
      // arm A is reported with every other arm's problems (all of them at once).
      let a0;
      try {
        [a0] = compileVariants([arm(0, x.seed)]);
      } catch (e) {
        if (arms > 1 && e instanceof SimError) compileVariants(edits.map((_, i) => arm(i, x.seed)));
        throw e;
      }
      const all = compileVariants(edits.map((_, i) => arm(i, a0.cfg.seed)));
      scopeFlagPrecision(f, x, all.map((v) => v.cfg));
      return all;
    });
    f.done('compare');
    const seed = compiled[0].cfg.seed;
    const labels = edits.map((e, i) => `${letter(i)}: ${fileOf(i)}${e.length ? ` [${describeAssignments(e)}]` : ''}`);
    const [a, b, ...rest] = compiled.map((v, i) => ({ ...v, label: labels[i] }));
    const { value: r, exitCode } = await withSession(io, { ...x, tasks: arms * batchSize(x) }, ({ ctx }) => executeCompare(ctx, {
      a, b, more: rest,
      replications: x.replications, precision: x.precision, maxReplications: x.maxReplications,
      options: { ...storedOptions(x), files: files.length === 1 ? [fileA, null] : files },
    }));
    if (x.json) io.out(JSON.stringify(compareJson(r, { a: labels[0], b: labels[1], more: labels.slice(2) }), null, 2));
    else {
      if (r.status === 'interrupted') io.out(`INTERRUPTED: partial comparison from the ${r.replications} replications every arm finished\n`);
      printCompare(io, r, labels, seed);
      if (r.precision) printPrecision(io, r.precision, precisionWhat(r.precision, r.correction, labels.length - 1));
    }
    storedNote(io, x.json, 'compare', r.runId, x.db);
    return exitCode(r.status);
  } finally {
    await discardWorkers();
  }
}

const pct = (v: number) => `${(v * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
const fmtP = (p: number | null) => (p === null ? '-' : p < 0.0001 ? '<0.0001' : p.toFixed(4));
const sig = (p: PairedKpi | undefined) => (p === undefined || p.significant === null ? '-' : p.significant ? 'yes' : 'no');

/**
 * What compare's --precision judged: not the KPI's own CI but the half-width of the
 * paired difference with the baseline, the widest over the variants, at the CI level
 * the table prints (95%, or Bonferroni's 1 - 0.05/m with m variants).
 */
export function precisionWhat(p: { kpi: string; scope?: PrecisionScope }, c: Correction, variants: number): string {
  const level = `${(c.ciLevel * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
  const kpi = precisionLabel(p);
  return variants > 1
    ? `${kpi} half-width of the paired differences (widest of the ${variants} variants - A, ${level} CIs)`
    : `${kpi} half-width of the paired difference (B - A, ${level} CI)`;
}

/** The explanation of the CIs and of "significant", for the header. */
export function correctionLine(c: Correction): string {
  return c.method === 'none'
    ? 'paired differences (variant - A) with 95% CIs; significant: the CI excludes 0 (paired t test, p < 0.05)'
    : `paired differences (variant - A); ${c.comparisons} variants against A, corrected for multiple comparisons: significant when the Holm-Bonferroni adjusted p < ${c.alpha} (per KPI and scope), CIs Bonferroni-adjusted (${pct(c.ciLevel)} each, ${pct(1 - c.alpha)} jointly)`;
}

/** A KPI table of one scope: the arms' means, then each variant's difference, CI, significance and p. */
function scopeTable(arms: number, tests: (Partial<PairedComparison> | undefined)[], kpis: readonly Kpi[], c: Correction): string {
  const ciHead = c.method === 'none' ? 'paired 95% CI' : `${pct(c.ciLevel)} CI`;
  const pHead = c.method === 'none' ? 'p' : 'p (Holm)';
  const header = ['KPI', ...Array.from({ length: arms }, (_, i) => letter(i)), ...tests.flatMap((_, v) => [`${letter(v + 1)} - A`, ciHead, 'significant', pHead])];
  return table(header, kpis.map((k) => {
    const first = tests.find((t) => t?.[k] !== undefined)?.[k];
    return [
      k, fmtKpi(k, first?.meanA),
      ...tests.map((t) => fmtKpi(k, t?.[k]?.meanB)),
      ...tests.flatMap((t) => {
        const p = t?.[k];
        return [fmtKpi(k, p?.difference), fmtHalfWidth(k, p?.ciAdjusted), sig(p), fmtP(p?.pAdjusted ?? null)];
      }),
    ];
  }));
}

/** Whether a KPI is worth a row: defined and not zero in some arm. */
const saysSomething = (k: Kpi, tests: (Partial<PairedComparison> | undefined)[]) =>
  tests.some((t) => { const p = t?.[k]; return p !== undefined && ((p.meanA !== null && p.meanA !== 0) || (p.meanB !== null && p.meanB !== 0)); });
const QUALITY: readonly Kpi[] = [...WORKFORCE_KPIS, ...COMPLAINT_KPIS];
const CHANNEL_CORE: readonly Kpi[] = ['arrivals', 'offered', 'answered', 'abandoned', 'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'aht'];

export function printCompare(io: Io, r: CompareOutcome, labels: string[], seed: number): void {
  const arms = r.arms ?? [r.a, r.b];
  const comps: ArmComparison[] = r.comparisons;
  const c = r.correction;
  io.out(labels.map((l, i) => (i === 0 ? `${l}  (baseline)` : l)).join('\n'));
  io.out(`common random numbers: seed ${seed}, replications 0..${r.replications - 1} in every arm`);
  const warm = [...new Set(arms.map((s) => warmupLine(s)))];
  io.out(warm.length === 1 ? warm[0] : arms.map((s, i) => `${letter(i)}: ${warmupLine(s)}`).join('\n'));
  io.out(correctionLine(c));
  const deadline = new Set(arms.flatMap((s) => s.deadlineChannels ?? []));
  for (const ch of CHANNELS) {
    const tests = comps.map((x) => x.byChannel[ch]);
    if (tests.every((t) => t === undefined)) continue;
    const kpis = BREAKDOWN_KPIS.filter((k) => (k === 'replyOnTime' ? deadline.has(ch) : CHANNEL_CORE.includes(k) || saysSomething(k, tests)));
    io.out('');
    io.out(`${ch}${ch === 'phone' ? ` (serviceLevel: answered within ${r.a.threshold} s)` : ''}`);
    io.out(scopeTable(arms.length, tests, kpis, c));
  }
  // Per contact type: the service KPIs of each type, the difference and whether it is significant.
  const types = [...new Set(comps.flatMap((x) => Object.keys(x.byType)))];
  if (types.length > 0) {
    const tk: Kpi[] = ['serviceLevel', 'abandonRate', 'asa'];
    io.out('');
    io.out(`by contact type: A's mean and each variant's difference (* significant${c.method === 'none' ? '' : ' after the Holm correction'}; --json has CIs and p-values)`);
    io.out(table(
      ['type', 'channel', ...tk.flatMap((k) => [`${k} A`, ...comps.map((x) => `${letter(x.arm)} - A`)])],
      types.map((t) => [
        t, arms[0].typeChannels?.[t] ?? '',
        ...tk.flatMap((k) => {
          const first = comps.find((x) => x.byType[t]?.[k])?.byType[t]?.[k];
          return [fmtKpi(k, first?.meanA), ...comps.map((x) => {
            const p = x.byType[t]?.[k];
            return p === undefined ? '-' : `${fmtKpi(k, p.difference)}${p.significant ? ' *' : ''}`;
          })];
        }),
      ]),
    ));
  }
  const channels = arms[0].totalsScope?.channels ?? [];
  const totals = comps.map((x) => x.totals);
  const quality = arms.some((s) => s.byTenure !== undefined && Object.keys(s.byTenure).length > 0);
  const kpis = KPIS.filter((k) => !TOTALS_MIXED.includes(k) && (['arrivals', 'offered', 'answered', 'abandoned', 'occupancy'].includes(k) || saysSomething(k, totals))
    && (quality || !QUALITY.includes(k)));
  io.out('');
  io.out(channels.length > 1
    ? `all channels (${channels.join(' + ')}): counts that add up and agent occupancy; waits and service levels are per channel above`
    : `all channels (${channels.join('')})`);
  io.out(scopeTable(arms.length, totals, kpis, c));
}

