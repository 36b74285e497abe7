import { writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { firstMeasuredInterval, type ModelConfig } from '../config/model-config.ts';
import { simClock } from '../metrics/clock.ts';
import { LIMITS } from '../config/limits.ts';
import { defaultWorkers } from '../engine/cores.ts';
import { compileVariant, readScenarioText } from '../experiments/overrides.ts';
import { servedTypes } from '../experiments/staffing-model.ts';
import { StaffingSearch, type IterationRecord, type Phase, type SearchRequest } from '../experiments/staffing-search.ts';
import { parseTargets, scenarioTargets, targetLevel, type SkippedTarget, type StaffKpi, type StaffTarget } from '../experiments/staffing-targets.ts';
import { executeStaff, staffingRecord, type StaffRunOutcome } from '../runs/staff.ts';
import { DEFAULT_DB } from '../runs/store.ts';
import { SimError, type Issue } from '../errors.ts';
import { withSession } from './execution.ts';
import { readBackend, type Backend } from './redis-flags.ts';
import { checkFiles } from './files.ts';
import { FlagChecker } from './options.ts';
import { storedNote } from './run.ts';
import { fmtKpi, table } from './table.ts';
import type { Io } from './io.ts';

/**
 * `cctwin staff FILE`: how many agents each group needs in each interval to meet the
 * targets (the scenario's SLA, or --target), through the simulation
 * (experiments/staffing-search.ts; method and guarantees in docs/staffing.md). Prints
 * each step on stderr as it goes (a bar per iteration on a terminal), then the
 * iterations, the staffing table, the cost, the targets per interval with their
 * confidence bounds; `--out` writes the input scenario with the staffing found (only
 * when every target is met); the run store keeps the search as one run.
 */

const PHASES: Record<Phase, string> = {
  exact: 'exact start',
  'offered-load': 'offered load',
  correction: 'correction',
  check: 'check (both samples)',
  removal: 'removal',
  retry: 'removal, fewer',
  holdout: 'fresh check',
};

/**
 * An interval's start on the scenario's clock ("10:00", "day 2 10:00"). A function of
 * one argument, passed to Array.map below: simClock itself would take the index for its
 * `seconds` flag.
 */
const clock = (t: number) => simClock(t);
const num = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const money = (v: number, unit: string) => (unit === 'agent-hours' ? `${v.toLocaleString('en-US', { maximumFractionDigits: 1 })} agent-hours` : `${num(v)} ${unit}`);

interface StaffFlags {
  rawTargets: string[];
  per: 'interval' | 'day';
  groups: string[] | null;
  replications: number;
  confidence: number;
  maxIterations: number;
  out: string | null;
  seed?: number;
  workers: number;
  backend: Backend;
  db: string;
  json: boolean;
}

function readFlags(f: FlagChecker, o: Record<string, unknown>): StaffFlags {
  const per = String(o.per ?? 'interval');
  if (per !== 'interval' && per !== 'day') f.fail('per', per, 'must be interval (every interval meets every target) or day (the day\'s totals)');
  const replications = f.number('replications', o.replications ?? '10', { integer: true, min: 2, max: LIMITS.replications });
  const confidence = f.number('confidence', o.confidence ?? '0.9', { exclusiveMin: 0, exclusiveMax: 1 });
  const maxIterations = f.number('max-iterations', o.maxIterations ?? '30', { integer: true, min: 1, max: 10_000 });
  const seed = f.number('seed', o.seed, { integer: true, min: 0 });
  const workers = f.number('workers', o.workers ?? String(defaultWorkers()), { integer: true, min: 1, max: LIMITS.workers });
  const backend = readBackend(f, o);
  let groups: string[] | null = null;
  if (o.groups !== undefined) {
    groups = String(o.groups).split(',').map((s) => s.trim());
    if (groups.some((g) => g === '')) { f.fail('groups', String(o.groups), 'must be group names separated by commas, none empty'); groups = groups.filter((g) => g !== ''); }
  }
  return {
    rawTargets: (o.target as string[] | undefined) ?? [],
    per: per === 'day' ? 'day' : 'interval',
    groups,
    replications: replications ?? 10,
    confidence: confidence ?? 0.9,
    maxIterations: maxIterations ?? 30,
    out: typeof o.out === 'string' ? o.out : null,
    seed,
    workers: workers ?? 1,
    backend,
    db: String(o.db ?? DEFAULT_DB),
    json: Boolean(o.json),
  };
}

/**
 * Groups the search staffs: those named (each must exist and serve a type with a target
 * as a primary skill), else all such. With `targetsKnown` false (a --target was refused)
 * a named group is not judged by the targets: which types have one is not known.
 */
function chooseGroups(cfg: ModelConfig, targets: readonly StaffTarget[], named: string[] | null, issues: Issue[], targetsKnown = true): { staffed: number[]; kept: number[] } {
  const targeted = new Set(targets.flatMap((k) => k.types));
  const primaryTargeted = (g: number) => servedTypes(cfg, g).some((s) => s.delay === 0 && targeted.has(s.type));
  const all = cfg.groups.map((_, g) => g);
  if (named === null) {
    const staffed = all.filter(primaryTargeted);
    return { staffed, kept: all.filter((g) => !staffed.includes(g)) };
  }
  const staffed: number[] = [];
  for (const name of named) {
    const g = cfg.groups.findIndex((x) => x.name === name);
    if (g < 0) {
      issues.push({ path: '--groups', value: name, message: `unknown agent group (groups: ${cfg.groups.map((x) => x.name).join(', ')})` });
      continue;
    }
    if (targetsKnown && !primaryTargeted(g)) {
      const types = servedTypes(cfg, g).filter((s) => s.delay === 0).map((s) => cfg.types[s.type].name);
      issues.push({ path: '--groups', value: name, message: `serves no contact type with a target as a primary skill (it serves ${types.join(', ') || 'none'}): give a --target on its types, e.g. byType.${types[0] ?? 'TYPE'}.serviceLevel>=0.8` });
      continue;
    }
    if (staffed.includes(g)) { issues.push({ path: '--groups', value: name, message: 'is named twice' }); continue; }
    staffed.push(g);
  }
  return { staffed: staffed.sort((a, b) => a - b), kept: all.filter((g) => !staffed.includes(g)) };
}

/**
 * Intervals in which a target's contact type has arrivals but every group that serves
 * it is at a site that is down for the whole interval: no staffing serves them.
 */
function siteDownIssues(cfg: ModelConfig, targets: readonly StaffTarget[], per: 'interval' | 'day'): Issue[] {
  if (cfg.failures.length === 0 || per === 'day') return [];
  const L = cfg.intervalLength;
  const out: Issue[] = [];
  const warm = firstMeasuredInterval(cfg);
  for (const k of targets) {
    for (const t of k.types) {
      const sites = new Set(cfg.groups.map((g, gi) => ({ g, gi })).filter(({ gi }) => servedTypes(cfg, gi).some((s) => s.type === t && Number.isFinite(s.delay))).map(({ g }) => g.site));
      const down: number[] = [];
      for (let i = warm; i < cfg.nIntervals; i++) {
        if (!(cfg.types[t].arrivalRates[i] > 0)) continue;
        const a = i * L, b = (i + 1) * L;
        const allDown = [...sites].every((s) => cfg.failures.some((f) => f.site === s && f.start <= a && f.end >= b));
        if (allDown) down.push(a);
      }
      if (down.length > 0) {
        out.push({
          path: '--target', value: k.name,
          message: `infeasible: ${cfg.types[t].name} has arrivals in ${down.length} interval${down.length === 1 ? '' : 's'} (${down.slice(0, 6).map(clock).join(', ')}${down.length > 6 ? ', ...' : ''}) while every site of the groups that serve it is down: no staffing answers them`,
        });
      }
    }
  }
  return out;
}

export async function cmdStaff(io: Io, file: string, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const x = readFlags(f, o);
  checkFiles(f, {
    inputs: [{ flag: '', value: file, what: 'the scenario file' }],
    store: { arg: { flag: 'db', value: x.db, what: 'the run store' }, access: 'write' },
    outputs: x.out !== null ? [{ flag: 'out', value: x.out, what: 'the staffed scenario' }] : [],
  });
  // Every problem at once: the flags', the scenario's, the targets' and the groups'.
  const text = readScenarioTextOr(f, file);
  let variant: ReturnType<typeof compileVariant> | null = null;
  if (text !== null) {
    try {
      variant = compileVariant(text, file, [], x.seed);
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      f.issues.push(...(e.issues.length ? e.issues : [{ path: '', message: e.message }]));
    }
  }
  if (variant === null) f.done('staff');
  const cfg = variant!.cfg;
  const policy = cfg.routing?.policy;
  if (policy !== undefined && /\.(ts|js|mjs)$/.test(policy)) checkFiles(f, { inputs: [{ flag: '', value: policy, what: "the scenario's routing policy" }], outputs: x.out !== null ? [{ flag: 'out', value: x.out, what: 'the staffed scenario' }] : [] });
  const infeasible: Issue[] = [];
  let targets: StaffTarget[];
  let skipped: SkippedTarget[] = [];
  if (x.rawTargets.length > 0) targets = parseTargets(cfg, x.rawTargets, f.issues, infeasible);
  else ({ targets, skipped } = scenarioTargets(cfg, infeasible));
  if (targets.length === 0 && infeasible.length === 0 && !f.issues.some((i) => i.path === '--target')) {
    f.fail('target', '', `the scenario has no target staffing moves${skipped.length ? ` (its SLA: ${skipped.map((s) => s.name).join(', ')})` : ''}: give one, e.g. --target "serviceLevel>=0.8"`);
  }
  // A group "serves no contact type with a target" only follows from targets that were all read.
  const { staffed, kept } = chooseGroups(cfg, targets, x.groups, f.issues, !f.issues.some((i) => i.path === '--target'));
  if (targets.length > 0 && staffed.length === 0 && x.groups === null) f.fail('target', x.rawTargets.join(' '), 'no agent group serves the targets\' contact types as a primary skill');
  // With --groups, the targets are held by the contact types those groups serve: the
  // others' staffing is not the search's to change.
  const outOfScope: string[] = [];
  if (x.groups !== null && staffed.length > 0) {
    const served = new Set(staffed.flatMap((g) => servedTypes(cfg, g).filter((s) => s.delay === 0).map((s) => s.type)));
    targets = targets.flatMap((k) => {
      const types = k.types.filter((t) => served.has(t));
      for (const t of k.types) if (!served.has(t) && !outOfScope.includes(cfg.types[t].name)) outOfScope.push(cfg.types[t].name);
      return types.length > 0 ? [{ ...k, types }] : [];
    });
  }
  infeasible.push(...siteDownIssues(cfg, targets, x.per));
  if (f.issues.length > 0 || infeasible.length > 0) {
    const issues = [...f.issues, ...infeasible];
    const only = f.issues.length === 0;
    throw new SimError('SIM_ERR_BAD_ARGUMENT', only ? `infeasible: ${infeasible.length} target${infeasible.length === 1 ? '' : 's'} no staffing can meet` : `cctwin staff: ${issues.length} problem${issues.length === 1 ? '' : 's'}`, issues);
  }

  const req: SearchRequest = {
    text: text!, source: file, seed: x.seed, cfg, targets, per: x.per, groups: staffed,
    replications: x.replications, confidence: x.confidence, maxIterations: x.maxIterations,
  };
  const probe = new StaffingSearch(req, { runner: null as never });
  const inputCost = probe.costOf(cfg.groups.map((g) => [...g.staffing]));
  const say = (s: string) => { if (!x.json) io.err(s); };
  say(`Staffing ${cfg.name}: ${cfg.nIntervals} intervals of ${cfg.intervalLength / 60} min, ${staffed.length} group${staffed.length === 1 ? '' : 's'} staffed, ${x.replications} replications per iteration (the same seeds every iteration), ${Math.round(x.confidence * 100)}% confidence, at most ${x.maxIterations} iterations`);
  const bar = process.stderr.isTTY && !x.json
    ? new cliProgress.SingleBar({
      stream: process.stderr,
      format: 'iteration {iteration} {phase} {bar} {value}/{total} replications',
      hideCursor: true,
      clearOnComplete: true,
    }, cliProgress.Presets.shades_classic)
    : null;
  let barOn = false;
  const stopBar = () => { if (barOn) { bar?.stop(); barOn = false; } };
  const { value: r, exitCode } = await withSession(io, { workers: x.workers, db: x.db, json: x.json, tasks: x.replications, replicationBar: false, backend: x.backend }, ({ ctx }) => executeStaff(ctx, {
    ...req,
    options: {
      file, replications: x.replications, seed: x.seed ?? null, workers: x.workers,
      staffing: { targets: targets.map((k) => k.name), per: x.per, groups: staffed.map((g) => cfg.groups[g].name), confidence: x.confidence, maxIterations: x.maxIterations, out: x.out },
    },
  }, {
    onNote: (s) => { stopBar(); say(s); },
    onIteration: ({ iteration, phase, replications }) => {
      if (!bar) return;
      stopBar();
      bar.start(replications, 0, { iteration, phase: PHASES[phase] });
      barOn = true;
    },
    onReplication: () => { if (barOn) bar?.increment(); },
    onRecord: (rec) => { stopBar(); say(`  ${iterationLine(rec, probe.model.costUnit, x.per)}`); },
  }).finally(stopBar));

  if (x.json) {
    io.out(JSON.stringify({ ...staffJson(r, req, inputCost.cost, kept), typesLeftOut: outOfScope }, null, 2));
  } else {
    printStaff(io, r, req, { inputCost: inputCost.cost, kept, skipped, startCost: probe.costOf(r.start).cost, outOfScope });
  }
  let code = exitCode(r.status === 'interrupted' ? 'interrupted' : 'done');
  if (r.status === 'met' && x.out !== null) {
    writeFileSync(x.out, r.text);
    (x.json ? io.err : io.out)(`scenario with this staffing written to ${x.out}`);
  } else if (x.out !== null && r.status !== 'interrupted') {
    (x.json ? io.err : io.out)(`${x.out} not written: the targets are not met`);
  }
  storedNote(io, x.json, 'staffing search', r.runId, x.db);
  if (r.status === 'infeasible' || r.status === 'not-met') code = 1;
  return code;
}

function readScenarioTextOr(f: FlagChecker, file: string): string | null {
  try {
    return readScenarioText(file);
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    f.issues.push(...(e.issues.length ? e.issues : [{ path: file, message: e.message }]));
    return null;
  }
}

/** What an iteration's misses count: a contact type that misses a target's bound, in an interval, or in the day's totals with --per day. */
const missesCounted = (per: SearchRequest['per']) => (per === 'day'
  ? "(target, contact type) pairs whose day's total misses the target's bound"
  : "(target, contact type, interval) triples that miss the target's bound");

function iterationLine(r: IterationRecord, unit: string, per: SearchRequest['per']): string {
  const moves = r.added || r.removed ? `, +${num(r.added)}/-${num(r.removed)} agent-intervals` : '';
  const tried = r.tried !== undefined ? `, ${r.kept}/${r.tried} removals kept` : '';
  return `iteration ${r.iteration} (${PHASES[r.phase]}): ${r.met ? 'every target met' : `${r.typeMisses} miss${r.typeMisses === 1 ? '' : 'es'} (${per === 'day' ? "target, contact type: the day's totals" : 'target, contact type, interval'})`}, cost ${money(r.cost, unit)}${moves}${tried} (${r.wallSeconds.toFixed(1)} s)`;
}

function staffJson(r: StaffRunOutcome, req: SearchRequest, inputCost: number, kept: number[]): object {
  const cfg = req.cfg;
  return {
    scenario: cfg.name,
    ...staffingRecord(r, req),
    inputCost,
    keptGroups: kept.map((g) => cfg.groups[g].name),
    intervals: Array.from({ length: cfg.nIntervals }, (_, i) => ({ start: i * cfg.intervalLength, end: (i + 1) * cfg.intervalLength })),
    groupSites: Object.fromEntries(req.groups.map((g) => [cfg.groups[g].name, cfg.sites[cfg.groups[g].site].name])),
    report: r.report,
    runId: r.runId,
    wallSeconds: r.wallSeconds,
  };
}

function printStaff(io: Io, r: StaffRunOutcome, req: SearchRequest, o: { inputCost: number; kept: number[]; skipped: SkippedTarget[]; startCost: number; outOfScope: string[] }): void {
  const cfg = req.cfg;
  const L = cfg.intervalLength;
  io.out(`${cfg.name}: staffing for ${req.targets.length} target${req.targets.length === 1 ? '' : 's'}, ${req.per === 'day' ? "the day's totals" : 'every interval'}, ${Math.round(req.confidence * 100)}% confidence over ${req.replications} replications per iteration`);
  io.out('');
  io.out(table(['target', 'held by', 'from'], req.targets.map((k) => [
    k.name,
    k.types.length === 1 ? cfg.types[k.types[0]].name : `each of ${k.types.length} contact types`,
    k.source === 'scenario' ? 'the scenario' : '--target',
  ])));
  for (const s of o.skipped) io.out(`not a staffing target: ${s.name} (${s.reason})`);
  if (o.kept.length > 0) io.out(`groups that keep their staffing (no contact type with a target as a primary skill, or not in --groups): ${o.kept.map((g) => cfg.groups[g].name).join(', ')}`);
  if (o.outOfScope.length > 0) io.out(`contact types left out (no group of --groups serves them as a primary skill): ${o.outOfScope.join(', ')}`);
  io.out('');
  io.out(`iterations (each simulates the whole model over the same replications; misses: ${missesCounted(req.per)}; added and removed: agent-intervals against the iteration before, in a "removal, fewer" row the removals put back; removals kept: of the (pool, interval) removals tried together)`);
  io.out(table(['iteration', 'phase', 'misses', `cost (${r.costUnit})`, 'added', 'removed', 'removals kept', 'met', 'wall'], r.iterations.map((it) => [
    String(it.iteration), PHASES[it.phase], String(it.typeMisses), money(it.cost, r.costUnit).replace(` ${r.costUnit}`, ''), num(it.added), num(it.removed),
    it.tried !== undefined ? `${it.kept}/${it.tried}` : '', it.met ? 'yes' : 'no', `${it.wallSeconds.toFixed(1)} s`,
  ])));
  io.out('');
  const headline = {
    met: `every target met with the confidence asked over the search's ${r.buffers.length} replications${r.localMinimum ? '; a local minimum of cost (no single removal keeps the targets met)' : ` (${r.note})`}`,
    'not-met': `targets NOT met: ${r.note}`,
    infeasible: 'infeasible: targets staffing cannot reach',
    interrupted: 'INTERRUPTED: the best staffing simulated so far',
  }[r.status];
  io.out(`result: ${headline}`);
  for (const f of r.infeasible) {
    io.out(`infeasible: ${f.target} for ${f.type}${f.intervals.length ? ` in ${f.intervals.length} interval${f.intervals.length === 1 ? '' : 's'} (${f.intervals.slice(0, 8).map(clock).join(', ')}${f.intervals.length > 8 ? ', ...' : ''})` : ''}: ${f.why}`);
  }
  const hours = r.costUnit === 'agent-hours' ? '' : ` (${num(r.agentHours)} agent-hours)`;
  io.out(`cost: ${money(r.cost, r.costUnit)} for the groups staffed${hours}; the input scenario: ${money(o.inputCost, r.costUnit)}; the exact-formula start: ${money(o.startCost, r.costUnit)}`);
  io.out('');
  // The staffing table: intervals down, groups across (with their site), totals by site.
  const groups = req.groups;
  const sites = [...new Set(groups.map((g) => cfg.groups[g].site))];
  io.out(`staffing (agents on duty per interval; group (site))`);
  const header = ['interval', ...groups.map((g) => `${cfg.groups[g].name} (${cfg.sites[cfg.groups[g].site].name})`), ...(sites.length > 1 ? sites.map((s) => `${cfg.sites[s].name}`) : []), 'total'];
  const rows = Array.from({ length: cfg.nIntervals }, (_, i) => [
    clock(i * L),
    ...groups.map((g) => String(r.staffing[g][i])),
    ...(sites.length > 1 ? sites.map((s) => String(groups.filter((g) => cfg.groups[g].site === s).reduce((a, g) => a + r.staffing[g][i], 0))) : []),
    String(groups.reduce((a, g) => a + r.staffing[g][i], 0)),
  ]);
  io.out(table(header, rows));
  io.out('');
  if (r.report.length > 0) {
    const bound = `${Math.round(req.confidence * 100)}% bound`;
    io.out(`targets per ${req.per === 'day' ? 'day' : 'interval'} (mean ± 95% CI half-width over the ${r.buffers.length} replications the search judged the staffing on; ${bound}: one-sided; worst type: the contact type with the worst bound)`);
    const kpiOfName = (path: string) => path.split('.').pop() as StaffKpi;
    const nRows = r.report[0].rows.length;
    const head = ['interval', ...r.report.flatMap((k) => [k.path, bound, 'worst type'])];
    const body = Array.from({ length: nRows }, (_, j) => [
      req.per === 'day' ? 'day' : clock(r.report[0].rows[j].start),
      ...r.report.flatMap((k) => {
        const row = k.rows[j];
        const kpi = kpiOfName(k.path);
        const v = row.mean === null ? '-' : `${fmtKpi(kpi, row.mean)}${row.ci95 !== null ? ` ± ${fmtKpi(kpi, row.ci95)}` : ''}`;
        return [v, `${fmtKpi(kpi, row.bound)}${row.met ? '' : ' MISS'}`, row.worstType ? `${row.worstType} ${fmtKpi(kpi, row.worstBound)}` : ''];
      }),
    ]);
    io.out(table(head, body));
  }
  if (r.holdout) {
    const parts = r.holdout.misses.map((m) => {
      const k = req.targets.find((t) => t.name === m.target)!;
      const n = m.intervals.length;
      const which = n === 0 ? '' : ` (${m.intervals.slice(0, 8).map(clock).join(', ')}${n > 8 ? ', ...' : ''})`;
      return `${k.path} ${k.direction === 'min' ? '>=' : '<='} ${targetLevel(k.kpi, k.target)}: ${req.per === 'day' ? (n ? 'missed' : 'met') : `${n} interval${n === 1 ? '' : 's'} ${k.direction === 'min' ? 'below' : 'above'} at the mean${which}`}`;
    });
    io.out('');
    io.out(`check on ${r.holdout.replications} fresh replications (other seeds): ${parts.join('; ')}`);
  }
  io.out('');
}

