import type { ModelConfig } from '../config/model-config.ts';
import { SimError } from '../errors.ts';
import { HEADER_LENGTH, M, NM, RESULT_MAGIC, RESULT_VERSION } from './layout.ts';
import { estimate, type Estimate } from './stats.ts';

/**
 * KPIs, per replication and across replications. Definitions (also in the README):
 *   arrivals       contacts that arrived
 *   blocked        calls that found every line busy (not offered)
 *   offered        calls that reached the agent queue (= arrivals - blocked)
 *   answered       offered calls connected to an agent
 *   abandoned      offered calls that hung up while waiting
 *   unfinished     offered calls still waiting when no agent was left to serve them
 *   lost           offered calls waiting at a site when it failed (failure with waiting: lose)
 *   dropped        answered calls cut off by a site failure (failure with inService: drop)
 *   transfers      calls moved to another site's agent (local mode), costing a transfer delay
 *   serviceLevel   answered within the threshold / offered
 *   serviceLevelAnswered  answered within the threshold / answered
 *   abandonRate    abandoned / offered
 *   asa            mean wait of answered calls, seconds
 *   aht            mean handle time of completed calls, seconds
 *   occupancy      agent time busy / agent time on duty (within the horizon)
 * Call counts belong to the interval the call arrived in; occupancy to the interval
 * in which the time passed.
 */
export const KPIS = [
  'arrivals', 'offered', 'answered', 'abandoned', 'blocked', 'unfinished', 'lost', 'dropped', 'transfers',
  'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'aht', 'occupancy',
] as const;
export type Kpi = (typeof KPIS)[number];
export type KpiValues = Record<Kpi, number>;
export type KpiEstimates = Record<Kpi, Estimate>;

/** KPIs of one row of summed metrics. Ratios with a zero denominator are NaN. */
export function kpisOf(r: ArrayLike<number>, o = 0): KpiValues {
  const div = (a: number, b: number) => (b > 0 ? a / b : NaN);
  return {
    arrivals: r[o + M.arrivals],
    offered: r[o + M.offered],
    answered: r[o + M.answered],
    abandoned: r[o + M.abandoned],
    blocked: r[o + M.blocked],
    unfinished: r[o + M.unfinished],
    lost: r[o + M.lost],
    dropped: r[o + M.dropped],
    transfers: r[o + M.transfers],
    serviceLevel: div(r[o + M.answeredWithin], r[o + M.offered]),
    serviceLevelAnswered: div(r[o + M.answeredWithin], r[o + M.answered]),
    abandonRate: div(r[o + M.abandoned], r[o + M.offered]),
    asa: div(r[o + M.waitAnswered], r[o + M.answered]),
    aht: div(r[o + M.handleTime], r[o + M.completed]),
    occupancy: div(r[o + M.busyTime], r[o + M.staffedTime]),
  };
}

const TIME_METRICS: readonly number[] = [M.busyTime, M.staffedTime, M.queueArea, M.systemArea];

/** A decoded replication result. */
export interface ReplicationResult {
  replication: number;
  events: number;
  wallSeconds: number;
  /** (nIntervals + 1) * NM: interval rows, then the drain row */
  rows: Float64Array;
  /** nTypes * nSites * NM: totals per (type, landing site) after the warm-up */
  cells: Float64Array;
  /** nSites * NM: busy and staffed agent-seconds per site after the warm-up */
  siteTime: Float64Array;
}

export function decodeResult(buf: Float64Array, cfg: ModelConfig): ReplicationResult {
  if (buf[0] !== RESULT_MAGIC || buf[1] !== RESULT_VERSION || buf[2] !== cfg.nIntervals + 1 || buf[3] !== NM) {
    throw new SimError('SIM_ERR_RESULT_LAYOUT', `result buffer does not match this model (version ${buf[1]}, expected ${RESULT_VERSION})`);
  }
  const nT = cfg.types.length, nS = cfg.sites.length;
  if (buf[7] !== nT || buf[8] !== nS) {
    throw new SimError('SIM_ERR_RESULT_LAYOUT', `result buffer has ${buf[7]} types and ${buf[8]} sites, the model ${nT} and ${nS}`);
  }
  const rowsEnd = HEADER_LENGTH + (cfg.nIntervals + 1) * NM;
  const cellsEnd = rowsEnd + nT * nS * NM;
  return {
    replication: buf[6],
    events: buf[4],
    wallSeconds: buf[5],
    rows: buf.subarray(HEADER_LENGTH, rowsEnd),
    cells: buf.subarray(rowsEnd, cellsEnd),
    siteTime: buf.subarray(cellsEnd, cellsEnd + nS * NM),
  };
}

/**
 * Sums the rows after the warm-up. Call counts include the drain row (calls that
 * arrived before the horizon are attributed to their arrival interval anyway, so it
 * only holds contacts injected after the horizon); time metrics stop at the horizon.
 */
export function totalRow(rows: Float64Array, cfg: ModelConfig): Float64Array {
  const out = new Float64Array(NM);
  const first = Math.min(Math.ceil(cfg.warmup / cfg.intervalLength - 1e-9), cfg.nIntervals);
  for (let i = first; i <= cfg.nIntervals; i++) {
    const b = i * NM;
    for (let k = 0; k < NM; k++) {
      if (i === cfg.nIntervals && TIME_METRICS.includes(k)) continue;
      out[k] += rows[b + k];
    }
  }
  return out;
}

export interface IntervalSummary extends KpiEstimates {
  start: number;
  end: number;
}

export interface SlaResult {
  name: string;
  kpi: string;
  target: number;
  direction: 'min' | 'max';
  value: number | null;
  met: boolean | null;
  /** value - target for 'min', target - value for 'max': positive when met */
  margin: number | null;
  /** start times (s) of intervals whose mean misses the target */
  missedIntervals: number[];
}

/** Sums the cells selected by `pick(type, site)`; adds the sites' time when `withSiteTime`. */
function cellSum(r: ReplicationResult, cfg: ModelConfig, pick: (type: number, site: number) => boolean, siteTime: (site: number) => boolean): Float64Array {
  const out = new Float64Array(NM);
  const nS = cfg.sites.length;
  for (let t = 0; t < cfg.types.length; t++) {
    for (let si = 0; si < nS; si++) {
      if (!pick(t, si)) continue;
      const b = (t * nS + si) * NM;
      for (let k = 0; k < NM; k++) if (!TIME_METRICS.includes(k)) out[k] += r.cells[b + k];
    }
  }
  for (let si = 0; si < nS; si++) {
    if (!siteTime(si)) continue;
    out[M.busyTime] += r.siteTime[si * NM + M.busyTime];
    out[M.staffedTime] += r.siteTime[si * NM + M.staffedTime];
  }
  return out;
}

export interface RunSummary {
  scenario: string;
  seed: number;
  replications: number;
  threshold: number;
  horizon: number;
  intervalLength: number;
  warmup: number;
  totals: KpiEstimates;
  /** per channel (phone, im, email, fax), per site and per contact type: the same KPIs; occupancy only per site */
  byChannel: Record<string, KpiEstimates>;
  bySite: Record<string, KpiEstimates>;
  byType: Record<string, KpiEstimates>;
  intervals: IntervalSummary[];
  sla: SlaResult[];
  performance: {
    events: number;
    wallSeconds: number;
    eventsPerSecond: number;
    simulatedDays: number;
    secondsPerSimulatedDay: number;
  };
}

function estimates(values: KpiValues[]): KpiEstimates {
  const out = {} as KpiEstimates;
  for (const k of KPIS) out[k] = estimate(values.map((v) => v[k]));
  return out;
}

/** Summarises replications (in replication order, so any completion order gives the same numbers). */
export function summarize(cfg: ModelConfig, results: ReplicationResult[], wallSeconds: number): RunSummary {
  const reps = [...results].sort((a, b) => a.replication - b.replication);
  const totals = estimates(reps.map((r) => kpisOf(totalRow(r.rows, cfg))));
  const never = () => false;
  const byType: Record<string, KpiEstimates> = {};
  cfg.types.forEach((ty, t) => {
    byType[ty.name] = estimates(reps.map((r) => kpisOf(cellSum(r, cfg, (tt) => tt === t, never))));
  });
  const byChannel: Record<string, KpiEstimates> = {};
  for (const ch of [...new Set(cfg.types.map((t) => t.channel))]) {
    byChannel[ch] = estimates(reps.map((r) => kpisOf(cellSum(r, cfg, (t) => cfg.types[t].channel === ch, never))));
  }
  const bySite: Record<string, KpiEstimates> = {};
  cfg.sites.forEach((site, si) => {
    bySite[site.name] = estimates(reps.map((r) => kpisOf(cellSum(r, cfg, (_, s2) => s2 === si, (s2) => s2 === si))));
  });
  const intervals: IntervalSummary[] = [];
  for (let i = 0; i < cfg.nIntervals; i++) {
    intervals.push({
      start: i * cfg.intervalLength,
      end: (i + 1) * cfg.intervalLength,
      ...estimates(reps.map((r) => kpisOf(r.rows, i * NM))),
    });
  }
  const sla = cfg.sla.map((t): SlaResult => {
    // A target names a KPI of the totals (serviceLevel) or of a breakdown (byChannel.phone.serviceLevel).
    const parts = t.kpi.split('.');
    const scope: Record<string, unknown> = { byChannel, bySite, byType };
    const est = (parts.length === 3 ? (scope[parts[0]] as Record<string, KpiEstimates> | undefined)?.[parts[1]] : totals) as Record<string, Estimate> | undefined;
    const value = est?.[parts[parts.length - 1]]?.mean ?? null;
    const kpiName = parts[parts.length - 1];
    const meets = (v: number) => (t.direction === 'min' ? v >= t.target - 1e-12 : v <= t.target + 1e-12);
    // Interval rows are kept for the whole center only; a breakdown target names none.
    const missed = parts.length === 3 ? [] : intervals
      .filter((iv) => iv.start >= cfg.warmup - 1e-9)
      .filter((iv) => {
        const v = (iv as unknown as Record<string, Estimate>)[kpiName]?.mean;
        return v !== null && v !== undefined && !meets(v);
      })
      .map((iv) => iv.start);
    return {
      name: t.name,
      kpi: kpiName,
      target: t.target,
      direction: t.direction,
      value,
      met: value === null ? null : meets(value),
      margin: value === null ? null : t.direction === 'min' ? value - t.target : t.target - value,
      missedIntervals: missed,
    };
  });
  const events = reps.reduce((s, r) => s + r.events, 0);
  const simWall = reps.reduce((s, r) => s + r.wallSeconds, 0);
  const simulatedDays = (reps.length * cfg.horizon) / 86400;
  return {
    scenario: cfg.name,
    seed: cfg.seed,
    replications: reps.length,
    threshold: cfg.threshold,
    horizon: cfg.horizon,
    intervalLength: cfg.intervalLength,
    warmup: cfg.warmup,
    totals,
    byChannel,
    bySite,
    byType,
    intervals,
    sla,
    performance: {
      events,
      wallSeconds,
      eventsPerSecond: simWall > 0 ? events / simWall : 0,
      simulatedDays,
      secondsPerSimulatedDay: simulatedDays > 0 ? simWall / simulatedDays : 0,
    },
  };
}
