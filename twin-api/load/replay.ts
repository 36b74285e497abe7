import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { makeStream } from '../../sim/src/core/rng.ts';
import { distMean } from '../../sim/src/core/distributions.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import type { LoadPlan } from './plan.ts';
import { SUMMARY_FORMAT, addCounts, emptyCounts, type LoadCounts, type LoadSummary } from './summary.ts';

/**
 * `cctwin replay`'s load generator: the scenario's first-attempt arrival process sent
 * over HTTP to a twin (or a system with the same routes), every contact followed by
 * long-polls until it is answered or ends, counted into a LoadSummary.
 *
 * Arrivals: per group of the plan (a contact type, or a channel), a non-homogeneous
 * Poisson process at the plan's piecewise-constant rates, drawn in simulated time from
 * the stream `replay/<key>` of (seed, replication 0): within each interval exponential
 * gaps at the interval's rate, restarted at each boundary (exact, the exponential
 * forgets). For a channel, each contact's type is drawn from the interval's typeShares
 * with the same stream. Simulated time t is sent at wall time (t - start) / speed after
 * the load started; arrivals of the plan before `start` (a twin whose clock had already
 * run) are skipped.
 *
 * In flight: a contact created and not yet resolved. An arrival that finds `concurrency`
 * in flight is dropped (counted, like k6's dropped_iterations): the schedule is never
 * delayed.
 */

/** Statuses that are an outcome with no wait to read: counted as they are. */
const LEFT = new Set(['abandoned', 'lost', 'unfinished', 'ivrHangup', 'blocked', 'deflected']);
/** Statuses that count as answered, with the record's wait. */
const ANSWERED = new Set(['answered', 'completed', 'dropped']);
/** The longest a long-poll may be held, wall seconds (the twin's limit). */
export const MAX_POLL = 300;

export interface Schedule {
  /** simulated arrival times, ascending */
  times: Float64Array;
  /** the contact type of each arrival (index into cfg.types) */
  types: Int32Array;
  /** the plan group of each arrival (index into plan.groups) */
  groups: Int32Array;
}

/** Arrivals at most (a bound on the schedule's memory: 16 bytes each). */
export const MAX_ARRIVALS = 50_000_000;

/**
 * The arrivals of the plan from 0 to its horizon (see the module comment): a load
 * that starts later skips those before its start (`firstAfter`), so the arrivals
 * after a start are the same whatever the start.
 */
export function buildSchedule(plan: LoadPlan, seed: number): Schedule {
  const L = plan.intervalLength, H = plan.horizon;
  const per: { t: number[]; ty: number[] }[] = [];
  let total = 0;
  for (const g of plan.groups) {
    const rng = makeStream(seed, 0, `replay/${g.key}`);
    const t: number[] = [], ty: number[] = [];
    for (let i = 0; i < plan.nIntervals; i++) {
      const a = i * L, b = Math.min((i + 1) * L, H);
      const rate = g.rates[i];
      if (!(rate > 0) || b <= a) continue;
      const shares = g.typeShares[i];
      for (let x = a + rng.exponential(rate); x < b; x += rng.exponential(rate)) {
        let k = 0;
        if (g.types.length > 1) {
          const u = rng.next();
          let c = shares[0];
          while (k < g.types.length - 1 && u >= c) c += shares[++k];
        }
        t.push(x);
        ty.push(g.types[k]);
        if (++total > MAX_ARRIVALS) throw new RangeError(`more than ${MAX_ARRIVALS} arrivals: shorten --horizon`);
      }
    }
    per.push({ t, ty });
  }
  // Merge the groups by time (ties: by group, then in order).
  const allT = new Float64Array(total), allTy = new Int32Array(total), allG = new Int32Array(total);
  let at = 0;
  per.forEach((p, g) => p.t.forEach((x, j) => { allT[at] = x; allTy[at] = p.ty[j]; allG[at] = g; at++; }));
  const order = new Uint32Array(total).map((_, i) => i).sort((a, b) => allT[a] - allT[b] || a - b);
  const times = new Float64Array(total), types = new Int32Array(total), groups = new Int32Array(total);
  order.forEach((k, i) => { times[i] = allT[k]; types[i] = allTy[k]; groups[i] = allG[k]; });
  return { times, types, groups };
}

/** The index of the first arrival at or after `t`: the arrivals before it are skipped. */
export function firstAfter(s: Schedule, t: number): number {
  let lo = 0, hi = s.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Expected arrivals of each group of the plan over [start, end) (end: the plan's horizon by default). */
export function expectedFrom(plan: LoadPlan, start: number, end = plan.horizon): number[] {
  const L = plan.intervalLength;
  return plan.groups.map((g) => {
    let e = 0;
    for (let i = 0; i < plan.nIntervals; i++) {
      const a = Math.max(i * L, start), b = Math.min((i + 1) * L, plan.horizon, end);
      if (b > a) e += g.rates[i] * (b - a);
    }
    return e;
  });
}

/**
 * Simulated seconds a contact may still be waiting after the last arrival: the longest
 * of the reply deadlines and five mean patiences (at least 600 s). The load waits this,
 * compressed by the speed and bounded, for the last contacts' outcomes.
 */
export function graceSeconds(cfg: ModelConfig): number {
  let g = 600;
  for (const t of cfg.types) {
    if (t.deadline !== undefined) g = Math.max(g, t.deadline);
    if (t.patience !== null) g = Math.max(g, 5 * distMean(t.patience));
  }
  return g;
}

/** Wall seconds the load waits after its last arrival: the grace compressed by the speed, between 5 s and 300 s. */
export function graceWall(cfg: ModelConfig, speed: number): number {
  return Math.min(MAX_POLL, Math.max(5, graceSeconds(cfg) / speed));
}

// ---------------------------------------------------------------- the target

/** What GET /v1/state said about a twin (null fields: not a cctwin twin). */
export interface TargetInfo {
  twin: boolean;
  scenario?: string;
  clock?: number;
  horizon?: number;
  speed?: number | 'max';
  paused?: boolean;
  dayOver?: boolean;
  arrivals?: string;
  lag?: number;
}

/** A failure to reach the target at all (refused, unknown host, timed out): said in one line. */
export class TargetUnreachable extends Error {
  constructor(readonly url: string, readonly reason: string) {
    super(`cannot reach ${url}: ${reason}`);
    this.name = 'TargetUnreachable';
  }
}

/** A short name for a network error: its code, or its message's first line. */
export function errorCause(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  const code = err?.cause?.code ?? err?.code;
  const msg = String(err?.cause?.message ?? err?.message ?? e).split('\n')[0];
  const plain: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is it running, on that port?)',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  };
  return code !== undefined ? `${plain[code] ?? msg} (${code})` : msg;
}

export interface Http {
  request(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** An undici Pool (keep-alive, one request per connection at a time) on the target's origin, with its path prefix and token. */
export function httpClient(base: URL, token: string | undefined, connections: number): Http {
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connectTimeout: 10_000,
    headersTimeout: (MAX_POLL + 30) * 1000,
    bodyTimeout: (MAX_POLL + 30) * 1000,
  });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return {
    async request(method, path, body, signal) {
      const r = await pool.request({
        method,
        path: prefix + path,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      const text = await r.body.text();
      let json: unknown = null;
      try { json = text === '' ? null : JSON.parse(text); } catch { json = null; }
      return { status: r.statusCode, json };
    },
    close: () => pool.close(),
    destroy: () => pool.destroy(),
  };
}

/** Asks the target whether it is a cctwin twin (GET /v1/state); throws TargetUnreachable when nothing answers. */
export async function probeTarget(http: Http, url: string): Promise<TargetInfo> {
  let r: { status: number; json: unknown };
  try {
    r = await http.request('GET', '/v1/state', undefined, AbortSignal.timeout(15_000));
  } catch (e) {
    throw new TargetUnreachable(url, errorCause(e));
  }
  const s = r.json as Record<string, unknown> | null;
  if (r.status !== 200 || s === null || typeof s !== 'object' || typeof s.clock !== 'number' || !('speed' in s)) return { twin: false };
  return {
    twin: true,
    scenario: typeof s.scenario === 'string' ? s.scenario : undefined,
    clock: s.clock,
    horizon: typeof s.horizon === 'number' ? s.horizon : undefined,
    speed: s.speed === 'max' ? 'max' : typeof s.speed === 'number' ? s.speed : undefined,
    paused: s.paused === true,
    dayOver: s.dayOver === true || s.finished === true,
    arrivals: typeof s.arrivals === 'string' ? s.arrivals : undefined,
    lag: typeof s.lag === 'number' ? s.lag : undefined,
  };
}

// ---------------------------------------------------------------- the load

export interface ReplayProgress {
  /** simulated time the schedule has reached */
  clock: number;
  scheduled: number;
  totals: LoadCounts;
  inFlight: number;
}

export interface ReplayOptions {
  cfg: ModelConfig;
  plan: LoadPlan;
  schedule: Schedule;
  http: Http;
  /** the target as given (for the summary) */
  target: string;
  speed: number;
  /** simulated second the schedule starts at (the twin's clock; 0 for other targets) */
  start: number;
  concurrency: number;
  seed: number;
  /** stop sending (Ctrl-C): in-flight contacts get `drainMs` to resolve, then their polls are cut */
  stop?: AbortSignal;
  /** wall ms the in-flight contacts get after a stop (default 3000) */
  drainMs?: number;
  /** wall seconds to wait for outcomes after the last arrival (default: graceWall) */
  grace?: number;
  onProgress?: (p: ReplayProgress) => void;
  /** wall ms between progress calls (default 250) */
  progressMs?: number;
  /** wall clock, ms (default performance.now) */
  now?: () => number;
  /** the target is a twin: sample its lag (GET /v1/state) about once a wall second */
  twin?: boolean;
  /** the twin's --arrivals (GET /v1/state), kept in the summary */
  targetArrivals?: string;
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/** Runs the load; resolves with its summary (also when stopped: `interrupted`, `stopped`). */
export async function runReplay(o: ReplayOptions): Promise<LoadSummary> {
  const { cfg, plan, schedule, http, speed, start } = o;
  const now = o.now ?? (() => performance.now());
  const threshold = cfg.threshold;
  const nG = plan.groups.length;
  const counts = plan.groups.map(() => emptyCounts());
  const live = emptyCounts();
  const errors: Record<string, number> = {};
  const lags: number[] = [];
  const n = schedule.times.length;
  const first = firstAfter(schedule, start);
  const skipped = first;
  const startedAt = new Date().toISOString();
  const w0 = now();
  const wallOf = (t: number) => w0 + ((t - start) / speed) * 1000;
  const graceMs = (o.grace ?? graceWall(cfg, speed)) * 1000;
  const endWall = wallOf(plan.horizon) + graceMs;
  const hard = new AbortController();
  setMaxListeners(0, hard.signal); // one listener per request in flight
  let stopped: string | null = null;
  let stopSim: number | null = null;
  let next = first;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  let wake: (() => void) | null = null;

  const simNow = () => start + ((now() - w0) / 1000) * speed;
  const bump = (g: number, k: keyof LoadCounts, by = 1) => { counts[g][k] += by; live[k] += by; };
  const err = (cause: string) => { errors[cause] = (errors[cause] ?? 0) + 1; };
  const stopSending = (why: string) => {
    if (stopped !== null) return;
    stopped = why;
    stopSim = next < n ? Math.min(schedule.times[next], Math.max(start, simNow())) : plan.horizon;
    wake?.();
  };
  o.stop?.addEventListener('abort', () => stopSending('interrupted'), { once: true });

  const outcome = (g: number, status: string, wait: number | null): boolean => {
    if (ANSWERED.has(status)) {
      if (wait === null || !Number.isFinite(wait)) { bump(g, 'noOutcome'); err(`${status} without a wait`); return true; }
      bump(g, 'answered');
      bump(g, 'waitSum', wait);
      if (wait <= threshold) bump(g, 'answeredWithin');
      return true;
    }
    if (LEFT.has(status)) { bump(g, status as keyof LoadCounts); return true; }
    return false;
  };

  async function follow(i: number): Promise<void> {
    const g = schedule.groups[i];
    const type = cfg.types[schedule.types[i]].name;
    let id: string;
    try {
      const r = await http.request('POST', '/v1/contacts', { type }, hard.signal);
      const b = r.json as { id?: unknown; status?: unknown; code?: unknown } | null;
      if (r.status !== 202 && r.status !== 200 && r.status !== 201) {
        const code = typeof b?.code === 'string' ? ` ${b.code}` : '';
        bump(g, 'failed');
        err(`HTTP ${r.status}${code}`);
        if (code === ' TWIN_ERR_DAY_OVER') stopSending("the twin's day is over (409 TWIN_ERR_DAY_OVER)");
        else if (r.status === 401 || r.status === 403) stopSending(`the target refused the request (${r.status}${code}): give its token with --token or CCTWIN_TOKEN`);
        else if (code === ' TWIN_ERR_EXTERNAL_OFF') stopSending('the twin takes no contacts from clients (--arrivals internal)');
        return;
      }
      if (typeof b?.id !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(b.id)) { bump(g, 'failed'); err(`HTTP ${r.status} without a contact id`); return; }
      id = b.id;
      if (typeof b.status === 'string' && LEFT.has(b.status)) { outcome(g, b.status, null); return; }
      // A twin's contact answered on arrival waited 0 s (it queued and was answered at the instant it arrived).
      if (o.twin && b.status === 'answered') { outcome(g, 'answered', 0); return; }
    } catch (e) {
      // Aborted by a stop: whether the target created it is unknown.
      if (hard.signal.aborted) { bump(g, 'noOutcome'); err('cut by the stop'); } else { bump(g, 'failed'); err(errorCause(e)); }
      return;
    }
    let lagged = false;
    for (;;) {
      const left = (endWall - now()) / 1000;
      if (left <= 0 || hard.signal.aborted) { bump(g, 'noOutcome'); err(hard.signal.aborted ? 'cut by the stop' : 'no outcome before the deadline'); return; }
      const timeout = Math.max(1, Math.min(MAX_POLL, Math.ceil(left)));
      let r: { status: number; json: unknown };
      try {
        r = await http.request('GET', `/v1/contacts/${encodeURIComponent(id)}?wait=answered&timeout=${timeout}`, undefined, hard.signal);
      } catch (e) {
        if (hard.signal.aborted) continue;
        err(`polling: ${errorCause(e)}`);
        await sleep(100);
        continue;
      }
      const v = r.json as { status?: unknown; wait?: unknown; times?: { arrival?: unknown } } | null;
      if (r.status === 404) { bump(g, 'noOutcome'); err('polling: HTTP 404 (the record is gone)'); return; }
      if (r.status !== 200 || v === null || typeof v.status !== 'string') {
        err(`polling: HTTP ${r.status}`);
        await sleep(r.status === 429 ? 250 : 100);
        continue;
      }
      if (!lagged && typeof v.times?.arrival === 'number') {
        lagged = true;
        lags.push(v.times.arrival - schedule.times[i]);
      }
      if (outcome(g, v.status, typeof v.wait === 'number' ? v.wait : null)) return;
      // still waiting (timedOut, or accepted/ivr/queued): poll again
    }
  }

  const launch = (i: number) => {
    const g = schedule.groups[i];
    bump(g, 'sent');
    if (inFlight >= o.concurrency) { bump(g, 'dropped'); return; }
    inFlight++;
    const p = follow(i).catch((e) => { bump(g, 'noOutcome'); err(errorCause(e)); }).finally(() => {
      inFlight--;
      pending.delete(p);
    });
    pending.add(p);
  };

  const lagSamples: number[] = [];
  let sampling = false;
  const sampler = o.twin ? setInterval(() => {
    if (sampling) return;
    sampling = true;
    http.request('GET', '/v1/state', undefined, hard.signal)
      .then((r) => { const lag = (r.json as { lag?: unknown } | null)?.lag; if (typeof lag === 'number') lagSamples.push(lag); })
      .catch(() => {})
      .finally(() => { sampling = false; });
  }, 1000) : null;
  const progress = setInterval(() => o.onProgress?.({ clock: Math.min(simNow(), plan.horizon), scheduled: n - first, totals: { ...live }, inFlight }), o.progressMs ?? 250);
  try {
    // The schedule: send what is due, sleep until the next arrival (at most 50 ms, to see a stop).
    while (next < n && stopped === null) {
      const due = simNow();
      while (next < n && schedule.times[next] <= due && stopped === null) launch(next++);
      if (next >= n || stopped !== null) break;
      const ms = wallOf(schedule.times[next]) - now();
      if (ms > 0) await new Promise<void>((res) => { wake = res; setTimeout(res, Math.min(ms, 50)); });
      wake = null;
    }
    // The outcomes of the contacts in flight: until they resolve (each stops at the deadline),
    // or, after a stop, for drainMs, then their polls are cut.
    const settled = Promise.allSettled([...pending]).then(() => {});
    if (stopped !== 'interrupted') {
      await Promise.race([settled, new Promise<void>((res) => o.stop?.addEventListener('abort', () => res(), { once: true }))]);
    }
    if (inFlight > 0) {
      await Promise.race([Promise.allSettled([...pending]), sleep(o.drainMs ?? 3000)]);
      hard.abort();
      await Promise.allSettled([...pending]);
    }
  } finally {
    clearInterval(progress);
    if (sampler !== null) clearInterval(sampler);
  }
  o.onProgress?.({ clock: stopSim ?? plan.horizon, scheduled: n - first, totals: { ...live }, inFlight });

  const groups: Record<string, LoadCounts> = {};
  plan.groups.forEach((g, gi) => { groups[g.key] = counts[gi]; });
  const totals = emptyCounts();
  for (let gi = 0; gi < nG; gi++) addCounts(totals, counts[gi]);
  lags.sort((a, b) => a - b);
  const horizon = stopSim !== null && stopSim > start ? stopSim : plan.horizon;
  const expected: Record<string, number> = {};
  const expectedWindow = expectedFrom(plan, start, horizon);
  plan.groups.forEach((g, gi) => { expected[g.key] = expectedWindow[gi]; });
  return {
    format: SUMMARY_FORMAT,
    tool: 'cctwin replay',
    scenario: cfg.name,
    by: plan.by,
    speed,
    horizon,
    threshold,
    seed: o.seed,
    target: o.target,
    startedAt,
    wallSeconds: (now() - w0) / 1000,
    groups,
    totals,
    start,
    skipped,
    ...(stopped !== null && horizon !== plan.horizon ? { plannedHorizon: plan.horizon } : {}),
    ...(stopped === 'interrupted' ? { interrupted: true } : {}),
    ...(stopped !== null ? { stopped } : {}),
    errors,
    ...(lags.length > 0 ? {
      arrivalLag: {
        n: lags.length,
        mean: lags.reduce((s, x) => s + x, 0) / lags.length,
        p99: lags[Math.min(lags.length - 1, Math.floor(0.99 * lags.length))],
        max: lags[lags.length - 1],
      },
    } : {}),
    ...(lagSamples.length > 0 ? { targetLag: { samples: lagSamples.length, mean: lagSamples.reduce((a, x) => a + x, 0) / lagSamples.length, max: Math.max(...lagSamples) } } : {}),
    ...(o.targetArrivals !== undefined ? { targetArrivals: o.targetArrivals } : {}),
    expected,
  };
}
