/**
 * The dashboard's view of the cctwin HTTP API: its own types for the answers it reads
 * (it imports nothing of the simulator or the server: it reads over HTTP only, same
 * origin, relative URLs) and the few calls it makes.
 */

/** A KPI across replications: the mean and the 95% CI half-width (null with one replication, or undefined). */
export interface Estimate {
  mean: number | null;
  ci95: number | null;
}

/** KPI name -> estimate (arrivals, offered, serviceLevel, asa, aht, occupancy, backlog, ...). */
export type Kpis = Record<string, Estimate>;

export interface IntervalRow extends Record<string, unknown> {
  start: number;
  end: number;
  warmup: boolean;
  byChannel?: Record<string, Kpis>;
  bySite?: Record<string, Kpis>;
}

export interface SlaResult {
  name: string;
  kpi: string;
  /** 'totals' or e.g. 'byChannel.phone' */
  scope: string;
  target: number;
  direction: 'min' | 'max';
  value: number | null;
  met: boolean | null;
  margin: number | null;
  /** start times (s) of the intervals whose mean misses the target */
  missedIntervals: number[];
}

export interface RunMeta {
  id: number;
  kind: 'run' | 'compare' | 'sweep';
  live: boolean;
  status: string;
  created: string;
  updated?: string;
  note: string | null;
  options?: Record<string, unknown> | null;
}

export interface Resolution {
  intervalLength: number;
  original: number;
  aggregated: number;
  from: number;
  to: number;
  points: number;
  totalIntervals: number;
}

export interface AgentLevels {
  staffed: Estimate[];
  busy: Estimate[];
  bySite: Record<string, { staffed: Estimate[]; busy: Estimate[] }>;
}

export interface WeekRow extends Record<string, unknown> {
  start: number;
  end: number;
  byChannel?: Record<string, Kpis>;
}

/** A run's summary: the run JSON of `cctwin run --json`, with what the run routes add. */
export interface RunSummary {
  scenario: string;
  seed: number;
  replications: number;
  threshold: number;
  horizon: number;
  intervalLength: number;
  warmup: number;
  warmupEffective: number;
  totals: Kpis;
  byChannel: Record<string, Kpis>;
  bySite: Record<string, Kpis>;
  /** each contact type's channel */
  typeChannels?: Record<string, string>;
  byTenure?: Record<string, Record<string, Estimate>>;
  intervals: IntervalRow[];
  weeks: WeekRow[];
  sla: SlaResult[];
  resolution?: Resolution;
  failures?: { site: string; start: number; end: number }[];
  requirement?: { phoneAgents: (number | null)[]; basis: string };
  agents?: AgentLevels;
}

export interface RunDetail extends RunSummary {
  run: RunMeta;
  live?: LiveBlock;
}

export interface PairedKpi {
  meanA: number | null;
  meanB: number | null;
  difference: number | null;
  ci95: number | null;
  significant: boolean | null;
  p?: number | null;
  pAdjusted?: number | null;
  ciAdjusted?: number | null;
  pairs?: number;
}

export interface Comparison {
  arm: number;
  against?: number;
  totals: Record<string, PairedKpi>;
  byChannel?: Record<string, Record<string, PairedKpi>>;
  byType?: Record<string, Record<string, PairedKpi>>;
}

export interface CompareDetail {
  run: RunMeta;
  arms: (RunSummary & { label: string })[];
  paired: Record<string, PairedKpi> | null;
  comparisons: Comparison[] | null;
  correction: { method: string; ci?: string; ciLevel?: number; comparisons?: number } | null;
}

export interface SweepDetail {
  run: RunMeta;
  points: RunListItem[];
}

export type AnyRunDetail = RunDetail | CompareDetail | SweepDetail;

export interface Headline {
  byChannel: Record<string, { offered: number | null; serviceLevel: number | null; abandonRate: number | null; asa: number | null; aht: number | null; replyOnTime: number | null }>;
  center: { arrivals: number | null; occupancy: number | null; accuracy: number | null; complaintReplyOnTime: number | null; cost: number | null };
}

export interface RunListItem {
  id: number;
  kind: 'run' | 'compare' | 'sweep';
  live: boolean;
  scenario: string;
  status: string;
  created: string;
  updated: string;
  seed: number | null;
  replications: number | null;
  note: string | null;
  sla: SlaResult[] | null;
  headline: Headline | null;
}

export interface RunList {
  total: number;
  limit: number;
  offset: number;
  runs: RunListItem[];
}

export interface ScenarioItem {
  file: string;
  name: string;
  description: string | null;
  horizon: unknown;
  latestRun: RunListItem | null;
}

export interface ScenarioList {
  scenarios: ScenarioItem[];
}

// ---------------------------------------------------------------- the live twin

export interface TwinState {
  scenario: string;
  clock: number;
  day: number;
  horizon: number;
  target: number;
  speed: number | 'max';
  paused: boolean;
  finished: boolean;
  dayOver: boolean;
  failure: string | null;
  lag: number;
  arrivals: string;
  inSystem: number;
  counters: Record<string, number>;
  queues: { type: string; site: string; waiting: number; oldestWait: number; inService: number }[];
  groups: { group: string; site: string | null; off: number; idle: number; busy: number; onDuty: number; leaving: number }[];
  sites: { site: string; up: boolean; inSystem: number; lines: number }[];
}

export interface LiveBlock {
  clock: number;
  horizon: number;
  closed: boolean;
  cutAt: number | null;
  speed: number | 'max';
  arrivals: string;
  current: number | null;
  inSystem: number;
  external: { created: number; open: number; [k: string]: unknown };
}

export interface LiveMetrics extends RunSummary {
  live: LiveBlock;
}

export interface Health {
  ok: boolean;
  /** present when a live twin runs behind this server */
  clock?: number;
  finished?: boolean;
}

export type ControlBody =
  | { action: 'pause' | 'resume' }
  | { action: 'speed'; speed: number | 'max' }
  | { action: 'fail-site' | 'restore-site'; site: string };

// ---------------------------------------------------------------- calls

/** An HTTP answer that is not 2xx (status, the API's code and message), or a failed request (status 0). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

async function readError(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`, message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { code?: string; message?: string };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

/** GET a JSON answer (relative URL, same origin). Rejects with an ApiError; an abort rejects with the AbortError. */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', `the server did not answer (${(e as Error).message})`);
  }
  if (!res.ok) throw await readError(res);
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(res.status, 'BAD_JSON', 'the server answered with something that is not JSON');
  }
}

export const TOKEN_KEY = 'cctwin.token';

/** POST /v1/control, with the bearer token kept in sessionStorage when one was given. */
export async function postControl(body: ControlBody, token: string | null): Promise<{ action: string; clock: number; speed: number | 'max'; paused: boolean }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('v1/control', { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `the twin did not answer (${(e as Error).message})`);
  }
  if (!res.ok) throw await readError(res);
  return res.json();
}

export const runUrl = (id: number, q: { maxPoints?: number; from?: number; to?: number } = {}) => {
  const p = new URLSearchParams();
  if (q.maxPoints !== undefined) p.set('maxPoints', String(q.maxPoints));
  if (q.from !== undefined) p.set('from', String(q.from));
  if (q.to !== undefined) p.set('to', String(q.to));
  const s = p.toString();
  return `v1/runs/${id}${s ? `?${s}` : ''}`;
};

export const isCompare = (d: AnyRunDetail): d is CompareDetail => d.run.kind === 'compare' && 'arms' in d;
export const isSweep = (d: AnyRunDetail): d is SweepDetail => 'points' in d;
