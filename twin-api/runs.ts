import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { parse as parseYaml } from 'yaml';
import { erlangC } from '../sim/src/analytic/erlang-c.ts';
import type { ModelConfig } from '../sim/src/config/model-config.ts';
import { coarseConfig, coarseFactor, coarsenResult } from '../sim/src/metrics/coarsen.ts';
import { decodeResult, intervalSummaries, MAX_DETAIL_HORIZON, summarize, type IntervalSummary, type ReplicationResult, type RunSummary } from '../sim/src/metrics/summary.ts';
import type { RunRecord, RunStore } from '../sim/src/runs/store.ts';
import { TwinError } from './errors.ts';
import { intervalAgents } from './agent-levels.ts';
import { NoQuery, RunIdParams, RunQuery, RunsQuery } from './schemas.ts';

/**
 * Read-only routes over the run store, for the dashboard (and any tool): the list of
 * runs, one run in the run JSON's shape (`cctwin run --json`), and the scenario library
 * with each scenario's latest run. `cctwin serve` and `cctwin dashboard` register them.
 *
 * Long runs are not sent whole: a run's summary is recomputed from its stored
 * replications (exact, with the per-interval breakdowns) and its `intervals[]` are served
 * at most `maxPoints` at a time (default 1,000): coarser intervals summed exactly from
 * the stored rows (model/coarsen: k intervals into one, k dividing the run's intervals),
 * over the window `from`..`to` (simulated seconds) if given, so a chart zooms in at full
 * resolution. `resolution` in the answer says what was served. Summaries are cached per
 * run and resolution (stored runs do not change once done). Beside the intervals, for
 * charts: `requirement` (the Erlang C phone agents of each interval) and `agents` (the
 * agents on duty and busy per interval, whole center and per site: agent-levels.ts).
 */

export interface RunRoutesOptions {
  store: RunStore;
  /** the scenario library folder (GET /v1/scenarios), or null */
  scenarios: string | null;
}

const MAX_CACHE = 16;
/** Runs longer than two weeks get per-interval breakdowns by channel and site when at most this many intervals are served. */
export const MAX_DETAIL_POINTS = 2000;

interface Loaded { cfg: ModelConfig; reps: ReplicationResult[]; label: string }

/** Per channel, the few numbers the board shows; and the center's. */
function headline(res: Record<string, any> | null) {
  if (res === null || res.byChannel === undefined) return null;
  const pick = (o: Record<string, { mean: number | null } | undefined>, ks: string[]) => Object.fromEntries(ks.map((k) => [k, o[k]?.mean ?? null]));
  // replyOnTime only where the channel has a reply deadline (as `runs show` prints it): elsewhere null.
  const deadline = new Set<string>((res.deadlineChannels as string[] | undefined) ?? []);
  return {
    byChannel: Object.fromEntries(Object.entries(res.byChannel as Record<string, Record<string, { mean: number | null }>>).map(([ch, k]) => {
      const h = pick(k, ['offered', 'serviceLevel', 'abandonRate', 'asa', 'aht', 'replyOnTime']);
      if (!deadline.has(ch)) h.replyOnTime = null;
      return [ch, h];
    })),
    center: pick(res.totals ?? {}, ['arrivals', 'occupancy', 'accuracy', 'complaintReplyOnTime', 'cost']),
  };
}

export function runListItem(r: RunRecord) {
  const res = r.result as Record<string, any> | null;
  return {
    id: r.id, kind: r.kind, live: r.options?.live === true, scenario: r.name, status: r.status, created: r.created, updated: r.updated,
    seed: r.seed, replications: r.replications, note: r.note,
    sla: (res?.sla ?? null) as RunSummary['sla'] | null,
    headline: r.kind === 'run' ? headline(res) : null,
  };
}

/** The Erlang C agents each interval's phone load needs to meet the scenario's phone service-level target (offered and AHT as the run measured them). */
export function erlangRequirement(cfg: ModelConfig, intervals: IntervalSummary[]): (number | null)[] {
  const sl = cfg.sla.find((t) => /(^|\.)serviceLevel$/.test(t.kpi) && (t.kpi === 'serviceLevel' || t.kpi.includes('phone')));
  const target = sl?.target ?? 0.8;
  return intervals.map((iv) => {
    const phone = iv.byChannel?.phone;
    const offered = (phone ?? iv).offered.mean, aht = (phone ?? iv).aht.mean;
    if (offered === null || aht === null || !(offered > 0) || !(aht > 0)) return null;
    return erlangCAgents(offered / (iv.end - iv.start), aht, cfg.threshold, target);
  });
}

/**
 * The fewest agents n with an Erlang C service level 1 - C(n, a) e^{-(n - a) T / AHT} of at
 * least `target` (a = lambda AHT; n > a), or null past a + 50 sqrt(a) + 100 (unattainable).
 * The closed form (analytic/erlang-c.ts): a chart needs one per interval, thousands of them.
 */
export function erlangCAgents(lambda: number, aht: number, threshold: number, target: number): number | null {
  const a = lambda * aht;
  const top = Math.ceil(a + 50 * Math.sqrt(a) + 100);
  for (let n = Math.max(1, Math.floor(a) + 1); n <= top; n++) {
    if (1 - erlangC(a, n) * Math.exp((-(n - a) * threshold) / aht) >= target - 1e-12) return n;
  }
  return null;
}

export function registerRunRoutes(app: FastifyInstance, o: RunRoutesOptions): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = o;
  const loaded = new Map<string, Loaded[]>();
  const summaries = new Map<string, unknown>();
  const fulls = new Map<string, RunSummary>();
  const remember = <T>(m: Map<string, T>, key: string, v: T): T => {
    if (m.size >= MAX_CACHE) m.delete(m.keys().next().value as string);
    m.set(key, v);
    return v;
  };

  const getRun = (id: number): RunRecord => {
    const run = store.getRun(id);
    if (run === null) throw new TwinError('TWIN_ERR_NOT_FOUND', 404, `params.id = ${id}: no run ${id} in the run store`, [{ path: 'params.id', value: id, message: 'no run with this id' }]);
    return run;
  };

  /** The arms of a run with their replications decoded (cached once the run is done). */
  const arms = (run: RunRecord): Loaded[] => {
    const key = `${run.id}`;
    const hit = loaded.get(key);
    if (hit) return hit;
    const out = store.armConfigs(run.id).map((a) => ({
      cfg: a.config, label: a.label,
      reps: [...store.replicationBuffers(run.id, a.arm).values()].map((b) => decodeResult(b, a.config)),
    }));
    return run.status === 'running' ? out : remember(loaded, key, out);
  };

  r.get('/v1/runs', {
    schema: { summary: 'runs in the store, newest first, paged; filter by scenario name or kind', tags: ['runs'], querystring: RunsQuery },
  }, async (req) => {
    const { limit = 50, offset = 0, scenario, kind } = req.query;
    const page = store.listRunsPage({ limit, offset, name: scenario, kind });
    return { total: page.total, limit, offset, runs: page.runs.map(runListItem) };
  });

  r.get('/v1/runs/:id', {
    schema: {
      summary: "one run in the run JSON's shape (cctwin run --json), recomputed from its stored replications; intervals[] at most maxPoints, over from..to; a compare: both arms and the paired differences",
      tags: ['runs'], params: RunIdParams, querystring: RunQuery,
    },
  }, async (req) => {
    const run = getRun(req.params.id);
    const { maxPoints = 1000, from, intervals: want = 'all' } = req.query;
    let to = req.query.to;
    if (from !== undefined && to !== undefined && to <= from) {
      throw new TwinError('TWIN_ERR_VALIDATION', 400, `querystring.to: must be greater than querystring.from (${from})`, [{ path: 'querystring.to', value: to, message: `must be greater than querystring.from (${from})` }]);
    }
    const cacheKey = `${run.id}/${maxPoints}/${from ?? ''}/${to ?? ''}/${want}`;
    const cached = run.status !== 'running' ? summaries.get(cacheKey) : undefined;
    if (cached !== undefined) return cached;
    const meta = { id: run.id, kind: run.kind, live: run.options?.live === true, status: run.status, created: run.created, updated: run.updated, note: run.note, options: run.options };
    const loadedArms = arms(run);
    const stored = run.result as Record<string, unknown> | null;
    // A live day cut before its horizon is served up to the cut (the intervals after it never ran).
    const cutAt = (stored?.live as { cutAt?: number | null } | undefined)?.cutAt ?? null;
    if (cutAt !== null) to = Math.min(to ?? cutAt, cutAt);
    if (loadedArms.length === 0 || loadedArms.every((a) => a.reps.length === 0)) {
      if (run.kind === 'sweep') return { run: meta, points: store.children(run.id).map(runListItem) };
      throw new TwinError('TWIN_ERR_NO_DATA', 404, `run ${run.id} has no stored replications (status ${run.status})`);
    }
    const shape = (a: Loaded) => {
      // The whole summary once per run and arm (the intervals are served from the rows below).
      const fkey = `${run.id}/${a.label}`;
      const full = fulls.get(fkey) ?? summarize(a.cfg, a.reps, 0);
      if (run.status !== 'running' && !fulls.has(fkey)) remember(fulls, fkey, full);
      const nI = a.cfg.nIntervals, L = a.cfg.intervalLength;
      const i0 = from === undefined ? 0 : Math.max(0, Math.min(nI, Math.floor(from / L)));
      const i1 = to === undefined ? nI : Math.max(i0, Math.min(nI, Math.ceil(to / L)));
      let intervals: IntervalSummary[] = [];
      let agents = intervalAgents(a.cfg, a.reps, 0, 0);
      let k = 1;
      if (want === 'all' && i1 > i0) {
        k = coarseFactor(nI, (i1 - i0) / maxPoints, Number.isInteger(86400 / L) ? 86400 / L : 0);
        const c = coarseConfig(a.cfg, k);
        const reps = k === 1 ? a.reps : a.reps.map((x) => coarsenResult(x, a.cfg, k));
        // Breakdowns by channel and site for every horizon while the answer stays bounded (charts are per channel).
        const j0 = Math.floor(i0 / k), j1 = Math.ceil(i1 / k);
        intervals = intervalSummaries(c, reps, j0, j1, c.horizon <= MAX_DETAIL_HORIZON || j1 - j0 <= MAX_DETAIL_POINTS);
        agents = intervalAgents(c, reps, j0, j1);
      }
      const { intervals: _all, ...rest } = full;
      // The stored result's performance (what the run measured: its wall time); the
      // recomputed summary has no wall time of its own.
      const performance = loadedArms.length === 1 && stored?.performance ? stored.performance : rest.performance;
      return {
        ...rest,
        performance,
        intervals,
        resolution: { intervalLength: L * k, original: L, aggregated: k, from: Math.floor(i0 / k) * k * L, to: Math.ceil(i1 / k) * k * L, points: intervals.length, totalIntervals: nI },
        failures: a.cfg.failures.map((f) => ({ site: a.cfg.sites[f.site].name, start: f.start, end: f.end })),
        requirement: { phoneAgents: erlangRequirement(a.cfg, intervals), basis: 'Erlang C on each interval\'s offered phone contacts and AHT as the run measured them, for the scenario\'s phone service-level target' },
        agents,
      };
    };
    let body: unknown;
    if (run.kind === 'compare') {
      const res = run.result as Record<string, unknown> | null;
      body = { run: meta, arms: loadedArms.map((a) => ({ label: a.label, ...shape(a) })), paired: res?.paired ?? null, comparisons: res?.comparisons ?? null, correction: res?.correction ?? null };
    } else {
      const a = loadedArms[0];
      const res = run.result as Record<string, unknown> | null;
      body = { run: meta, ...shape(a), ...(res && 'live' in res ? { live: res.live } : {}) };
    }
    return run.status !== 'running' ? remember(summaries, cacheKey, body) : body;
  });

  r.get('/v1/scenarios', {
    schema: { summary: "the scenario library: each scenario's name, description and horizon, and its latest run in the store", tags: ['runs'], querystring: NoQuery },
  }, async () => {
    const files = o.scenarios === null ? [] : readdirSync(o.scenarios).filter((f) => f.endsWith('.yaml')).sort();
    const scenarios = files.map((f) => {
      let name = f.replace(/\.yaml$/, ''), description: string | null = null, horizon: unknown = null;
      try {
        const doc = parseYaml(readFileSync(join(o.scenarios!, f), 'utf8')) as Record<string, unknown>;
        if (typeof doc?.name === 'string') name = doc.name;
        if (typeof doc?.description === 'string') description = doc.description;
        horizon = doc?.horizon ?? null;
      } catch {
        // a file that does not parse is listed by its file name
      }
      const latest = store.listRunsPage({ limit: 1, offset: 0, name, kind: 'run' }).runs[0];
      return { file: f, name, description, horizon, latestRun: latest ? runListItem(latest) : null };
    });
    return { scenarios };
  });
}

