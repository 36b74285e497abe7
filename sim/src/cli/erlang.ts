import { erlangB, erlangC, queueMetrics, staffFor, type QueueMetrics, type QueueSpec } from '../analytic/index.ts';
import { defaultWorkers } from '../engine/cores.ts';
import { grouped, LIMITS } from '../config/limits.ts';
import { firstMeasuredInterval } from '../config/model-config.ts';
import { SimError } from '../errors.ts';
import type { Estimate } from '../metrics/stats.ts';
import { ERLANG_MODELS, MODEL_FLAGS, ONLY_SIMULATED } from './erlang-flags.ts';
import { FlagChecker } from './options.ts';
import { fmtHalfWidth, fmtKpi, table } from './table.ts';
import type { Io } from './io.ts';


function queueFlags(f: FlagChecker, o: Record<string, unknown>, needAgents: boolean): QueueSpec {
  const perHour = f.number('arrivals-per-hour', o.arrivalsPerHour, { exclusiveMin: 0, required: true });
  const aht = f.number('aht', o.aht, { exclusiveMin: 0, required: true });
  const agents = f.number('agents', o.agents, { integer: true, min: 1, max: LIMITS.agents, required: needAgents });
  const patience = f.number('patience', o.patience, { exclusiveMin: 0 });
  const lines = f.number('lines', o.lines, { integer: true, min: 1, max: LIMITS.lines });
  const threshold = f.number('threshold', o.threshold ?? '20', { min: 0 })!;
  if (lines !== undefined && agents !== undefined && lines < agents) f.fail('lines', String(lines), `must be at least --agents (${agents})`);
  return { arrivalRate: (perHour ?? 0) / 3600, aht: aht ?? 1, agents: agents ?? 1, patience, lines, threshold };
}

const ANALYTIC_ROWS: [string, keyof QueueMetrics][] = [
  ['offered load (erlangs)', 'offeredLoad'],
  ['P(blocked)', 'probBlock'],
  ['P(wait)', 'probWait'],
  ['serviceLevel', 'serviceLevel'],
  ['serviceLevelAnswered', 'serviceLevelAnswered'],
  ['abandonRate', 'abandonRate'],
  ['asa', 'asa'],
  ['occupancy', 'occupancy'],
  ['mean queue length', 'meanQueueLength'],
];

/** Default warm-up of `erlang --simulate`: one hour, at most a quarter of the run, in whole intervals. */
export function defaultWarmup(hours: number): number {
  const L = hours * 3600 >= 3600 ? 900 : hours * 3600;
  return Math.floor(Math.min(3600, (hours * 3600) / 4) / L) * L;
}

/**
 * The interval grid of `erlang --simulate`: 15-minute intervals (one interval when the
 * run is shorter than an hour), as many as fill the hours.
 */
export function erlangGrid(hours: number): { intervalLength: number; nIntervals: number; horizon: number } {
  const L = hours * 3600 >= 3600 ? 900 : hours * 3600;
  const nI = Math.max(1, Math.round((hours * 3600) / L));
  return { intervalLength: L, nIntervals: nI, horizon: nI * L };
}

/** Analytic figures in the units of the simulated totals (counts over the horizon). */
function analyticAsTotals(m: QueueMetrics, spec: QueueSpec, seconds: number): Record<string, number> {
  const arrivals = spec.arrivalRate * seconds;
  const offered = arrivals * (1 - m.probBlock);
  return {
    arrivals,
    offered,
    answered: offered * (1 - m.abandonRate),
    abandoned: offered * m.abandonRate,
    blocked: arrivals * m.probBlock,
    serviceLevel: m.serviceLevel,
    serviceLevelAnswered: m.serviceLevelAnswered,
    abandonRate: m.abandonRate,
    asa: m.asa,
    aht: spec.aht,
    occupancy: m.occupancy,
    probWait: m.probWait,
    probBlock: m.probBlock,
    meanQueueLength: m.meanQueueLength,
    offeredLoad: m.offeredLoad,
  };
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * `given`: the flags given on the command line (program.ts), each checked against
 * what the model reads: `erlang b --patience 30` or `erlang c --simulate` without a
 * simulation's flags is told so, where it would otherwise print a figure that silently
 * left the flag out.
 */
export async function cmdErlang(io: Io, model: string, o: Record<string, unknown>, given: readonly string[] = []): Promise<number> {
  const f = new FlagChecker();
  if (!(ERLANG_MODELS as readonly string[]).includes(model)) {
    f.issues.push({ path: 'MODEL', value: model, message: 'must be one of b, c, a, staff' }); // an argument, not a flag
    f.done('erlang');
  }
  const reads = MODEL_FLAGS[model];
  for (const flag of given) {
    const value = o[camel(flag)];
    if (!reads.includes(flag)) {
      const where = ERLANG_MODELS.filter((m) => MODEL_FLAGS[m].includes(flag)).map((m) => `erlang ${m}`);
      f.issues.push({ path: `--${flag}`, value: value === true ? undefined : value, message: `does not apply to erlang ${model}${where.length ? ` (only to ${where.join(', ')})` : ''}` });
    } else if (ONLY_SIMULATED.includes(flag) && !o.simulate) {
      f.issues.push({ path: `--${flag}`, value, message: 'applies only with --simulate' });
    }
  }
  if (model === 'b') {
    const agents = f.number('agents', o.agents, { integer: true, min: 1, max: LIMITS.agents, required: o.lines === undefined });
    const lines = f.number('lines', o.lines, { integer: true, min: 1, max: LIMITS.lines });
    let load = f.number('erlangs', o.erlangs, { min: 0 });
    if (load === undefined) {
      const perHour = f.number('arrivals-per-hour', o.arrivalsPerHour, { min: 0, required: true });
      const aht = f.number('aht', o.aht, { exclusiveMin: 0, required: true });
      if (perHour !== undefined && aht !== undefined) load = (perHour * aht) / 3600;
    }
    if (lines !== undefined && agents !== undefined && lines < agents) f.fail('lines', String(lines), `must be at least --agents (${agents}): a line holds each call in service`);
    f.done('erlang b');
    const n = (lines ?? agents)!;
    const b = erlangB(load!, n);
    if (o.json) io.out(JSON.stringify({ analytic: { offeredLoad: load, servers: n, probBlock: b } }, null, 2));
    else io.out(table(['Erlang B', 'value'], [['offered load (erlangs)', load!.toFixed(4)], ['servers', String(n)], ['P(blocked)', b.toPrecision(6)]]));
    return 0;
  }
  if (model === 'staff') {
    const spec = queueFlags(f, o, false);
    const target = f.number('target', o.target ?? '0.95', { min: 0, max: 1 })!;
    const maxAbandon = f.number('max-abandon', o.maxAbandon, { min: 0, max: 1 });
    const maxAsa = f.number('max-asa', o.maxAsa, { min: 0 });
    const convention = String(o.convention ?? 'offered');
    if (convention !== 'offered' && convention !== 'answered') f.fail('convention', convention, 'must be offered or answered');
    f.done('erlang staff');
    const { agents, metrics } = staffFor(
      { arrivalRate: spec.arrivalRate, aht: spec.aht, patience: spec.patience, lines: spec.lines, threshold: spec.threshold },
      { serviceLevel: target, convention: convention as 'offered' | 'answered', maxAbandonRate: maxAbandon, maxAsa },
    );
    if (o.json) io.out(JSON.stringify({ agents, analytic: metrics }, null, 2));
    else {
      io.out(`smallest number of agents meeting the target: ${agents}`);
      io.out(table(['KPI', 'analytic'], ANALYTIC_ROWS.map(([label, k]) => [label, fmtKpi(k, metrics[k])])));
    }
    return 0;
  }
  const spec = queueFlags(f, o, true);
  if (model === 'c') spec.patience = undefined;
  const simulate = Boolean(o.simulate);
  const hours = f.number('hours', o.hours ?? '24', { exclusiveMin: 0, max: LIMITS.horizonSeconds / 3600 });
  const replications = f.number('replications', o.replications ?? '10', { integer: true, min: 1, max: LIMITS.replications })!;
  const seed = f.number('seed', o.seed ?? '1', { integer: true, min: 0 })!;
  // Steady-state comparison: by default the first hour (at most a quarter of the run)
  // is warm-up, since each replication starts with every agent idle.
  // (no default warm-up without a valid --hours: that flag's issue is the one to report)
  // (a --warmup given is checked whatever --hours is: every bad flag is listed at once)
  const warmup = hours === undefined ? (o.warmup === undefined ? 0 : f.number('warmup', o.warmup, { min: 0 }) ?? 0) : f.number('warmup', o.warmup ?? String(defaultWarmup(hours)), { min: 0 })!;
  const workers = f.number('workers', o.workers ?? String(defaultWorkers()), { integer: true, min: 1, max: LIMITS.workers }) ?? 1;
  if (hours !== undefined && warmup >= hours * 3600) f.fail('warmup', String(warmup), `must be shorter than --hours (${hours * 3600} s)`);
  if (simulate && hours !== undefined && spec.arrivalRate * hours * 3600 > LIMITS.arrivalsPerReplication) {
    f.fail('arrivals-per-hour', String(o.arrivalsPerHour), `must give at most ${grouped(LIMITS.arrivalsPerReplication)} expected arrivals per replication over --hours ${hours} (it gives ${grouped(spec.arrivalRate * hours * 3600)})`);
  }
  f.done(`erlang ${model}`);
  if (hours === undefined) throw new Error('unreachable: a missing --hours is an issue');
  const a = spec.arrivalRate * spec.aht;
  if (spec.patience === undefined && spec.lines === undefined && a >= spec.agents) {
    throw new SimError('SIM_ERR_BAD_ARGUMENT', `cctwin erlang ${model}: the queue is unstable`, [
      { path: '--agents', value: String(spec.agents), message: `must exceed the offered load (${a.toFixed(2)} erlangs) when there is no --patience and no --lines` },
    ]);
  }
  const m = queueMetrics(spec);
  // Counts over the period the simulation measures: whole intervals after the warm-up.
  const grid = erlangGrid(hours);
  const measured = grid.horizon - firstMeasuredInterval({ warmup, ...grid }) * grid.intervalLength;
  const analytic = analyticAsTotals(m, spec, measured);
  if (model === 'c') analytic.erlangC = erlangC(a, spec.agents);
  if (!simulate) {
    if (o.json) io.out(JSON.stringify({ analytic }, null, 2));
    else io.out(table(['KPI', 'analytic'], ANALYTIC_ROWS.map(([label, k]) => [label, fmtKpi(k, m[k])])));
    return 0;
  }
  const t0 = performance.now();
  const indexes = Array.from({ length: replications }, (_, r) => r);
  // The simulation's modules (the model's defaults with the schema, the worker pool,
  // the result decoder) load only here.
  const [{ erlangModel }, { runnerFor }, { decodeResult, summarizeTotals }] = await Promise.all([
    import('./erlang-model.ts'), import('../engine/runner.ts'), import('../metrics/summary.ts')]);
  const cfg = erlangModel(spec, hours, seed, warmup);
  const bufs = await runnerFor({ workers, tasks: replications }, (runner) => runner.run(cfg, indexes));
  // The totals are all this command reports (no breakdown by interval, channel or site).
  const run = summarizeTotals(cfg, bufs.map((b) => decodeResult(b, cfg)), (performance.now() - t0) / 1000);
  const simulated: Record<string, Estimate> = { ...run.totals };
  if (o.json) {
    io.out(JSON.stringify({ analytic, simulated, replications, hours, seed, performance: run.performance }, null, 2));
    return 0;
  }
  const rows = ['offered', 'answered', 'abandoned', 'blocked', 'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'occupancy'];
  io.out(`${cfg.name}: analytic vs ${replications} simulated replications of ${hours} h (seed ${seed})`);
  io.out(table(
    ['KPI', 'analytic', 'simulated', '95% CI', 'within CI'],
    rows.map((k) => {
      const e = simulated[k];
      const av = analytic[k];
      const inside = e.mean !== null && e.ci95 !== null ? (Math.abs(e.mean - av) <= e.ci95 ? 'yes' : 'no') : '-';
      return [k, fmtKpi(k, av), fmtKpi(k, e.mean), fmtHalfWidth(k, e.ci95), inside];
    }),
  ));
  return 0;
}
