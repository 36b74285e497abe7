import type { ModelConfig } from '../sim/src/config/model-config.ts';
import { estimate, type Estimate } from '../sim/src/metrics/stats.ts';
import type { ReplicationResult } from '../sim/src/metrics/summary.ts';
import { M, NM } from '../sim/src/model/layout.ts';

/**
 * Agents per interval for charts (GET /v1/runs/:id and /v1/metrics, `agents`): the
 * mean number of agents on duty (staffed agent-seconds / the interval's length) and
 * busy (busy agent-seconds / length), for the whole center and per site, across
 * replications. The run JSON keeps these time integrals only as occupancy (busy /
 * staffed); a chart of agents against the Erlang requirement needs the levels.
 * Arrays run parallel to the `intervals[]` served (same start, same order).
 */
export interface IntervalAgents {
  basis: string;
  staffed: Estimate[];
  busy: Estimate[];
  bySite: Record<string, { staffed: Estimate[]; busy: Estimate[] }>;
}

/**
 * Intervals i0 .. i1 - 1 of `cfg` (a coarse config for coarsened replications).
 * `seconds(i)` is the time the interval has run (default its whole length; the live
 * twin's current interval: up to the clock).
 */
export function intervalAgents(cfg: ModelConfig, reps: ReplicationResult[], i0: number, i1: number, seconds?: (i: number) => number): IntervalAgents {
  const L = cfg.intervalLength, nS = cfg.sites.length;
  const len = (i: number) => seconds?.(i) ?? L;
  const level = (f: (r: ReplicationResult) => number, i: number) => {
    const d = len(i);
    return d > 0 ? estimate(reps.map((r) => f(r) / d)) : { mean: null, ci95: null };
  };
  const out: IntervalAgents = {
    basis: 'mean agents on duty (staffed agent-seconds / interval length) and busy, per interval, across replications',
    staffed: [], busy: [],
    bySite: Object.fromEntries(cfg.sites.map((s) => [s.name, { staffed: [], busy: [] }])),
  };
  for (let i = i0; i < i1; i++) {
    out.staffed.push(level((r) => r.rows[i * NM + M.staffedTime], i));
    out.busy.push(level((r) => r.rows[i * NM + M.busyTime], i));
    for (let si = 0; si < nS; si++) {
      const site = out.bySite[cfg.sites[si].name];
      site.staffed.push(level((r) => r.siteRows[(i * nS + si) * NM + M.staffedTime], i));
      site.busy.push(level((r) => r.siteRows[(i * nS + si) * NM + M.busyTime], i));
    }
  }
  return out;
}
