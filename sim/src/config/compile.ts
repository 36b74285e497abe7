import { resolve as resolvePath } from 'node:path';
import type { DistSpec } from '../core/distributions.ts';
import type { Issue } from '../errors.ts';
import { parseDuration } from './duration.ts';
import type { ModelConfig, SlaTarget } from './model-config.ts';
import type { DistInput, ScenarioInput } from './schema.ts';
import { centerIssues, compileCenter } from './compile-center.ts';

const DAY = 86400;

/** Defaults of the SLA, from the Ctrip service targets (../shared/CONTEXT.md, calibration-data/ctrip-facts.csv). */
export const DEFAULT_THRESHOLD = 20;
export const DEFAULT_SL_TARGET = 0.95;
export const DEFAULT_MAX_ABANDON = 0.1;
export const DEFAULT_MAX_AHT = 180;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks of meaning that a JSON Schema cannot express (lengths that depend on the
 * horizon, exactly-one-of, ordered bin edges). Written defensively: it runs on input
 * that may also have schema errors, so that the author sees every problem at once.
 */
export function semanticIssues(s: ScenarioInput): Issue[] {
  const out: Issue[] = [];
  const horizon = s.horizon === undefined ? NaN : parseDuration(s.horizon as number | string);
  const interval = s.interval === undefined ? 900 : parseDuration(s.interval as number | string);
  const warmup = s.warmup === undefined ? 0 : parseDuration(s.warmup as number | string);
  if (isNum(horizon) && horizon <= 0) out.push({ path: 'horizon', value: s.horizon, message: 'must be longer than 0' });
  if (isNum(interval) && interval <= 0) out.push({ path: 'interval', value: s.interval, message: 'must be longer than 0' });
  const okTimes = isNum(horizon) && isNum(interval) && horizon > 0 && interval > 0;
  if (okTimes && Math.abs(horizon / interval - Math.round(horizon / interval)) > 1e-9) {
    out.push({ path: 'horizon', value: s.horizon, message: `must be a whole number of intervals (interval is ${interval} s)` });
  }
  if (okTimes && isNum(warmup) && warmup >= horizon) {
    out.push({ path: 'warmup', value: s.warmup, message: `must be shorter than the horizon (${horizon} s)` });
  }
  const nI = okTimes ? Math.round(horizon / interval) : NaN;
  const perDay = okTimes && Math.abs(DAY / interval - Math.round(DAY / interval)) < 1e-9 ? Math.round(DAY / interval) : NaN;
  const checkSeries = (path: string, arr: unknown) => {
    if (!Array.isArray(arr) || !isNum(nI)) return;
    if (arr.length !== nI && arr.length !== perDay) {
      const day = isNum(perDay) ? ` or one day (${perDay})` : '';
      out.push({ path, value: `${arr.length} values`, message: `must have one value per interval: the horizon (${nI})${day}` });
    }
  };
  const single = ['arrivals', 'handleTime', 'patience', 'agents', 'lines'].filter((k) => (s as Record<string, unknown>)[k] !== undefined);
  const center = ['sites', 'contactTypes', 'agentGroups'].filter((k) => (s as Record<string, unknown>)[k] !== undefined);
  if (center.length > 0 && single.length > 0) {
    out.push({ path: single[0], message: `belongs to the single-queue form; this file uses the center form (${center.join(', ')}): describe demand in contactTypes and agents in agentGroups` });
  } else if (center.length === 0) {
    for (const k of ['arrivals', 'handleTime', 'agents']) {
      if ((s as Record<string, unknown>)[k] === undefined) out.push({ path: k, message: 'is required (single-queue form), unless the file describes the whole center with sites, contactTypes and agentGroups' });
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
  (s.contactTypes ?? []).forEach((t, i) => {
    dist(`contactTypes[${i}].handleTime`, t?.handleTime);
    dist(`contactTypes[${i}].patience`, t?.patience);
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

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Compiles a validated single-queue scenario into the engine's frozen model. */
export function compileScenario(s: ScenarioInput, overrides: { seed?: number; baseDir?: string } = {}): ModelConfig {
  const horizon = parseDuration(s.horizon as number | string);
  const L = s.interval === undefined ? 900 : parseDuration(s.interval as number | string);
  const nI = Math.round(horizon / L);
  const warmup = s.warmup === undefined ? 0 : parseDuration(s.warmup as number | string);
  const threshold = s.serviceLevel?.threshold ?? DEFAULT_THRESHOLD;
  const sla = slaTargets(s, threshold);
  if (s.contactTypes !== undefined) {
    const c = compileCenter(s, horizon, L, nI);
    const r = s.routing;
    return deepFreeze<ModelConfig>({
      schemaVersion: 1,
      name: s.name,
      seed: overrides.seed ?? s.seed ?? 1,
      horizon, intervalLength: L, nIntervals: nI, warmup, threshold, sla,
      types: c.types, queues: c.queues, groups: c.groups, sites: c.sites,
      siteMode: s.siteMode ?? 'virtual',
      siteOverflowAfter: s.siteOverflow?.after === undefined ? 30 : parseDuration(s.siteOverflow.after as number | string),
      siteTransferDelay: s.siteOverflow?.transferDelay === undefined ? 10 : parseDuration(s.siteOverflow.transferDelay as number | string),
      routing: {
        // A plug-in module path is resolved against the scenario file's folder.
        policy: r?.policy && /\.(ts|js|mjs)$/.test(r.policy) ? resolvePath(overrides.baseDir ?? '.', r.policy) : r?.policy ?? 'fifo',
        agingRate: r?.agingRate ?? 0,
        overflowAfter: r?.overflowAfter === undefined ? 30 : parseDuration(r.overflowAfter as number | string),
        params: r?.params ?? {},
      },
      failures: c.failures,
      demand: c.demand,
      ...(c.workforce ? { workforce: c.workforce } : {}),
    });
  }
  let rates: number[];
  const arrivals = s.arrivals!;
  if (arrivals.perDay !== undefined) rates = series(arrivals.perDay / DAY, nI);
  else if (arrivals.perHour !== undefined) rates = series(arrivals.perHour / 3600, nI);
  else rates = series((arrivals.perInterval as number[]).map((c) => c / L), nI);
  const cfg: ModelConfig = {
    schemaVersion: 1,
    name: s.name,
    seed: overrides.seed ?? s.seed ?? 1,
    horizon,
    intervalLength: L,
    nIntervals: nI,
    warmup,
    threshold,
    sla,
    types: [{
      name: 'calls',
      channel: 'phone',
      arrivalRates: rates,
      handleTime: toDist(s.handleTime as DistInput),
      patience: s.patience ? toDist(s.patience as DistInput) : null,
      queue: 0,
      site: 0,
    }],
    queues: [{ name: 'calls' }],
    groups: [{ name: 'agents', site: 0, queues: [0], staffing: series(s.agents!, nI) }],
    sites: [{ name: 'center', lines: s.lines ?? null }],
  };
  return deepFreeze(cfg);
}

function slaTargets(s: ScenarioInput, threshold: number): SlaTarget[] {
  // The whole center is judged on its phone queues (IM and email have their own clocks).
  const p = s.contactTypes !== undefined ? 'byChannel.phone.' : '';
  const sla: SlaTarget[] = [
    { name: `service level (${threshold} s)${p ? ', phone' : ''}`, kpi: `${p}serviceLevel`, target: s.serviceLevel?.target ?? DEFAULT_SL_TARGET, direction: 'min' },
    { name: `abandon rate${p ? ', phone' : ''}`, kpi: `${p}abandonRate`, target: s.targets?.maxAbandonRate ?? DEFAULT_MAX_ABANDON, direction: 'max' },
  ];
  if (s.workforce) {
    sla.push({ name: 'accuracy', kpi: 'accuracy', target: s.targets?.minAccuracy ?? 0.999, direction: 'min' });
    if ((s.workforce as { complaints?: unknown }).complaints) {
      sla.push({ name: 'complaint replies within the deadline', kpi: 'complaintReplyOnTime', target: s.targets?.minComplaintReplyOnTime ?? 0.95, direction: 'min' });
    }
  }
  // The AHT standard (180 s, Ctrip) judges the whole center by default; a single queue only when asked.
  if (p !== '' || s.targets?.maxAht !== undefined) {
    sla.push({ name: `average handle time${p ? ', phone' : ''}`, kpi: `${p}aht`, target: s.targets?.maxAht ?? DEFAULT_MAX_AHT, direction: 'max' });
  }
  const deferred = [...new Set((s.contactTypes ?? []).filter((t) => t.deadline !== undefined).map((t) => t.channel))];
  for (const ch of deferred) {
    sla.push({ name: `${ch} replies within the deadline`, kpi: `byChannel.${ch}.replyOnTime`, target: s.targets?.minReplyOnTime ?? 0.95, direction: 'min' });
  }
  if (s.targets?.maxAsa !== undefined) sla.push({ name: 'average speed of answer', kpi: 'asa', target: s.targets.maxAsa, direction: 'max' });
  return sla;
}

/** A copy of a model with another seed (for --seed). */
export function withSeed(cfg: ModelConfig, seed: number): ModelConfig {
  return deepFreeze({ ...structuredClone(cfg), seed });
}
