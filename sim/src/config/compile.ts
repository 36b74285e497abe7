import { grouped, LIMITS } from './limits.ts';
import { trustedPolicy } from './policy-trust.ts';
import { PLUGIN, policyKind } from './routing-policies.ts';
import { SimError } from '../errors.ts';
import type { DistSpec } from '../core/distributions.ts';
import type { Issue } from '../errors.ts';
import { parseDuration } from './duration.ts';
import type { ModelConfig, SlaTarget } from './model-config.ts';
import { AHT_STANDARD, type DistInput, type ScenarioInput } from './schema.ts';
import { centerIssues, compileCenter, seriesLengthIssue } from './compile-center.ts';
import { deepFreeze, modelConfig, singleQueueModel, withDefaults } from './defaults.ts';

const DAY = 86400;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks of meaning that a JSON Schema cannot express (lengths that depend on the
 * horizon, exactly-one-of, ordered bin edges). Written defensively: it runs on input
 * that may also have schema errors, so that the author sees every problem at once.
 * `s` has its defaults (parseScenarioText fills them in first).
 */
/** Top-level fields the single-queue form does not read (it has one queue, one site, no demand model). */
const CENTER_ONLY = ['siteMode', 'siteOverflow', 'calendar', 'profiles', 'overdispersion', 'shocks', 'routing', 'failures', 'workforce'] as const;

/**
 * `given`: the top-level fields the file itself wrote (before defaults were filled in),
 * to tell a field the author set from one the defaults added.
 */
export function semanticIssues(s: ScenarioInput, given: ReadonlySet<string> = new Set(Object.keys(s))): Issue[] {
  const out: Issue[] = [];
  const horizon = s.horizon === undefined ? NaN : parseDuration(s.horizon as number | string);
  const interval = parseDuration(s.interval as number | string);
  const warmup = parseDuration(s.warmup as number | string);
  if (isNum(horizon) && horizon <= 0) out.push({ path: 'horizon', value: s.horizon, message: 'must be longer than 0' });
  if (isNum(horizon) && horizon > LIMITS.horizonSeconds) {
    out.push({ path: 'horizon', value: s.horizon, message: `must be at most ${LIMITS.horizonSeconds / 86400} days (${grouped(LIMITS.horizonSeconds)} s)` });
  }
  if (isNum(interval) && interval <= 0) out.push({ path: 'interval', value: s.interval, message: 'must be longer than 0' });
  else if (isNum(interval) && interval < LIMITS.intervalSeconds) out.push({ path: 'interval', value: s.interval, message: `must be at least ${LIMITS.intervalSeconds} s` });
  let okTimes = isNum(horizon) && isNum(interval) && horizon > 0 && interval >= LIMITS.intervalSeconds && horizon <= LIMITS.horizonSeconds;
  if (okTimes && horizon / interval > LIMITS.intervals + 0.5) {
    out.push({ path: 'interval', value: s.interval, message: `must be long enough for at most ${grouped(LIMITS.intervals)} intervals over the horizon (it gives ${grouped(horizon / interval)})` });
    okTimes = false;
  }
  if (okTimes && Math.abs(horizon / interval - Math.round(horizon / interval)) > 1e-9) {
    out.push({ path: 'horizon', value: s.horizon, message: `must be a whole number of intervals (interval is ${interval} s)` });
  }
  if (okTimes && isNum(warmup) && warmup >= horizon) {
    out.push({ path: 'warmup', value: s.warmup, message: `must be shorter than the horizon (${horizon} s)` });
  }
  const nI = okTimes ? Math.round(horizon / interval) : NaN;
  // Rates and staffing are kept per interval for every type and group: bounded before
  // compile builds them.
  const series = ((s.contactTypes as unknown[] | undefined)?.length ?? 1) + ((s.agentGroups as unknown[] | undefined)?.length ?? 1);
  if (isNum(nI) && Array.isArray(s.contactTypes ?? []) && Array.isArray(s.agentGroups ?? []) && series * nI > LIMITS.seriesCells) {
    out.push({ path: 'interval', value: s.interval, message: `must be long enough that (contact types + agent groups) x intervals stays within ${grouped(LIMITS.seriesCells)} (here ${series} x ${grouped(nI)} = ${grouped(series * nI)})` });
    return out;
  }
  const perDay = okTimes && Math.abs(DAY / interval - Math.round(DAY / interval)) < 1e-9 ? Math.round(DAY / interval) : NaN;
  const checkSeries = (path: string, arr: unknown) => {
    if (!Array.isArray(arr) || !isNum(nI)) return;
    if (arr.length !== nI && arr.length !== perDay) out.push(seriesLengthIssue(path, arr, nI, perDay));
  };
  const single = ['arrivals', 'handleTime', 'patience', 'wrapUp', 'agents', 'lines'].filter((k) => (s as Record<string, unknown>)[k] !== undefined);
  const center = ['sites', 'contactTypes', 'agentGroups'].filter((k) => (s as Record<string, unknown>)[k] !== undefined);
  if (center.length > 0 && single.length > 0) {
    out.push({ path: single[0], message: `belongs to the single-queue form; this file uses the center form (${center.join(', ')}): describe demand in contactTypes and agents in agentGroups` });
  } else if (center.length === 0) {
    for (const k of ['arrivals', 'handleTime', 'agents']) {
      if ((s as Record<string, unknown>)[k] === undefined) out.push({ path: k, message: 'is required (single-queue form), unless the file describes the whole center with sites, contactTypes and agentGroups' });
    }
    // Fields only the center form reads: in a single-queue file they would be ignored.
    for (const k of CENTER_ONLY) {
      if (given.has(k)) out.push({ path: k, message: 'belongs to the center form (sites, contactTypes, agentGroups); the single-queue form does not use it: remove it, or describe the center' });
    }
  } else if (okTimes) {
    out.push(...centerIssues(s, horizon, interval));
  }
  const a = s.arrivals as Record<string, unknown> | undefined;
  if (a && typeof a === 'object') {
    const given = ['perDay', 'perHour', 'perInterval'].filter((k) => a[k] !== undefined);
    if (given.length !== 1) {
      out.push({ path: 'arrivals', value: given.length ? given.join(' and ') : undefined, message: 'must give exactly one of perDay, perHour, perInterval' });
    }
    checkSeries('arrivals.perInterval', a.perInterval);
  }
  checkSeries('agents', s.agents);
  const dist = (path: string, d: unknown) => {
    if (!d || typeof d !== 'object') return;
    const x = d as Record<string, any>;
    if (x.kind === 'uniform' && isNum(x.min) && isNum(x.max) && x.min > x.max) {
      out.push({ path: `${path}.max`, value: x.max, message: `must be at least min (${x.min})` });
    }
    if (x.kind === 'histogram' && Array.isArray(x.edges) && Array.isArray(x.counts)) {
      if (x.edges.length !== x.counts.length + 1) {
        out.push({ path: `${path}.edges`, value: `${x.edges.length} edges`, message: `must have one more edge than counts (${x.counts.length} counts)` });
      }
      for (let i = 1; i < x.edges.length; i++) {
        if (!(x.edges[i] > x.edges[i - 1])) {
          out.push({ path: `${path}.edges[${i}]`, value: x.edges[i], message: `must be greater than the edge before it (${x.edges[i - 1]})` });
          break;
        }
      }
      if (x.counts.every((c: unknown) => c === 0)) out.push({ path: `${path}.counts`, value: x.counts, message: 'must not all be 0' });
    }
    if (x.kind === 'mixture' && Array.isArray(x.components)) {
      x.components.forEach((c: any, i: number) => dist(`${path}.components[${i}].dist`, c?.dist));
    }
  };
  dist('handleTime', s.handleTime);
  dist('patience', s.patience);
  dist('wrapUp', s.wrapUp);
  (s.contactTypes ?? []).forEach((t, i) => {
    dist(`contactTypes[${i}].handleTime`, t?.handleTime);
    dist(`contactTypes[${i}].patience`, t?.patience);
    dist(`contactTypes[${i}].wrapUp`, t?.wrapUp);
  });
  return out;
}

function toDist(d: DistInput): DistSpec {
  // The input and compiled forms coincide today; the copy keeps them free to diverge.
  return JSON.parse(JSON.stringify(d)) as DistSpec;
}

/** Expands a per-interval series: one day repeats over the horizon. */
function series(values: number | readonly number[], nI: number): number[] {
  if (typeof values === 'number') return new Array<number>(nI).fill(values);
  const out = new Array<number>(nI);
  for (let i = 0; i < nI; i++) out[i] = values[i % values.length];
  return out;
}

/**
 * Compiles a validated scenario into the engine's frozen model. The scenario's
 * defaults are filled in first (a no-op for what parseScenarioText returns, which has
 * them already), so every `!` below reads a field the schema defaults.
 */
/**
 * `baseDir`: the scenario file's folder (a plug-in policy's path is relative to it);
 * `allowPolicies`: modules the user allowed on the command line (config/policy-trust.ts).
 */
export function compileScenario(input: ScenarioInput, overrides: { seed?: number; baseDir?: string; allowPolicies?: readonly string[]; trustFolder?: boolean } = {}): ModelConfig {
  const s = withDefaults(input);
  const horizon = parseDuration(s.horizon as number | string);
  const L = parseDuration(s.interval!);
  const nI = Math.round(horizon / L);
  const warmup = parseDuration(s.warmup!);
  const threshold = parseDuration(s.serviceLevel!.threshold!);
  const sla = slaTargets(s, threshold);
  const time = { name: s.name, seed: overrides.seed ?? s.seed!, horizon, intervalLength: L, nIntervals: nI, warmup, threshold, sla };
  if (s.contactTypes !== undefined) {
    const c = compileCenter(s, horizon, L, nI);
    const r = s.routing!;
    return deepFreeze(modelConfig({
      ...time,
      types: c.types, queues: c.queues, groups: c.groups, sites: c.sites,
      siteMode: s.siteMode!,
      siteOverflowAfter: parseDuration(s.siteOverflow!.after!),
      siteTransferDelay: parseDuration(s.siteOverflow!.transferDelay!),
      routing: {
        // A plug-in module path is resolved against the scenario file's folder.
        policy: policyKind(r.policy!) === PLUGIN ? pluginPath(r.policy!, overrides.baseDir ?? '.', overrides.allowPolicies, overrides.trustFolder) : r.policy!,
        agingRate: r.agingRate!,
        overflowAfter: parseDuration(r.overflowAfter!),
        params: r.params!,
      },
      failures: c.failures,
      demand: c.demand,
      ...(c.workforce ? { workforce: c.workforce } : {}),
    }));
  }
  let rates: number[];
  const arrivals = s.arrivals!;
  if (arrivals.perDay !== undefined) rates = series(arrivals.perDay / DAY, nI);
  else if (arrivals.perHour !== undefined) rates = series(arrivals.perHour / 3600, nI);
  else rates = series((arrivals.perInterval as number[]).map((c) => c / L), nI);
  return deepFreeze(singleQueueModel({
    ...time,
    arrivalRates: rates,
    handleTime: toDist(s.handleTime as DistInput),
    patience: s.patience ? toDist(s.patience as DistInput) : null,
    ...(s.wrapUp ? { wrapUp: toDist(s.wrapUp as DistInput) } : {}),
    staffing: series(s.agents!, nI),
    lines: s.lines ?? null,
  }));
}

function slaTargets(s: ScenarioInput, threshold: number): SlaTarget[] {
  // The whole center is judged on its phone queues (IM and email have their own clocks).
  const p = s.contactTypes !== undefined ? 'byChannel.phone.' : '';
  const tg = s.targets!;
  const sla: SlaTarget[] = [
    { name: `service level (${threshold} s)${p ? ', phone' : ''}`, kpi: `${p}serviceLevel`, target: s.serviceLevel!.target!, direction: 'min' },
    { name: `abandon rate${p ? ', phone' : ''}`, kpi: `${p}abandonRate`, target: tg.maxAbandonRate!, direction: 'max' },
  ];
  if (s.workforce) {
    sla.push({ name: 'accuracy', kpi: 'accuracy', target: tg.minAccuracy!, direction: 'min' });
    if ((s.workforce as { complaints?: unknown }).complaints) {
      sla.push({ name: 'complaint replies within the deadline', kpi: 'complaintReplyOnTime', target: tg.minComplaintReplyOnTime!, direction: 'min' });
    }
  }
  // The AHT standard judges the whole center by default; a single queue only when asked.
  if (p !== '' || tg.maxAht !== undefined) {
    sla.push({ name: `average handle time${p ? ', phone' : ''}`, kpi: `${p}aht`, target: tg.maxAht === undefined ? AHT_STANDARD : parseDuration(tg.maxAht), direction: 'max' });
  }
  const deferred = [...new Set((s.contactTypes ?? []).filter((t) => t.deadline !== undefined).map((t) => t.channel))];
  for (const ch of deferred) {
    sla.push({ name: `${ch} replies within the deadline`, kpi: `byChannel.${ch}.replyOnTime`, target: tg.minReplyOnTime!, direction: 'min' });
  }
  if (tg.maxAsa !== undefined) sla.push({ name: 'average speed of answer', kpi: 'asa', target: parseDuration(tg.maxAsa), direction: 'max' });
  return sla;
}

/** A copy of a model with another seed (for --seed). */
export function withSeed(cfg: ModelConfig, seed: number): ModelConfig {
  return deepFreeze({ ...structuredClone(cfg), seed });
}

/** A plug-in policy's module, resolved against the scenario's folder, if it is trusted (else one coded error). */
function pluginPath(policy: string, baseDir: string, allowed: readonly string[] | undefined, folder = true): string {
  const t = trustedPolicy(policy, { baseDir, allowed, folder });
  if ('issue' in t) throw new SimError('SIM_ERR_SCENARIO_INVALID', `routing policy ${policy} is not trusted`, [t.issue]);
  return t.file;
}
