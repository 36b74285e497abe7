import { grouped, LIMITS } from '../config/limits.ts';
import type { ModelConfig } from '../config/model-config.ts';
import type { Issue } from '../errors.ts';
import { HEADER_LENGTH, headcountLength, NCH, NM } from '../model/layout.ts';

/**
 * The limits of config/limits.ts that need the compiled model: expected arrivals,
 * agents, the size of one replication's result, and of a run's results together.
 * Checked when a scenario is compiled for a run and before any replication starts.
 */

/** Doubles in one replication's result buffer (model/layout.ts; decodeResult reads these blocks). */
export function resultLength(cfg: ModelConfig): number {
  const nR = cfg.nIntervals + 1, nS = cfg.sites.length, nT = cfg.types.length;
  return HEADER_LENGTH + nR * NM * (1 + nS * NCH + nS) + nT * nS * NM + 3 * NM + headcountLength(cfg);
}

/** Bytes of one replication's result buffer. */
export function resultBytes(cfg: ModelConfig): number {
  return 8 * resultLength(cfg);
}

/** Expected arrivals of one replication: every type's rate over every interval. */
export function expectedArrivals(cfg: ModelConfig): number {
  let n = 0;
  for (const t of cfg.types) for (const r of t.arrivalRates) n += r * cfg.intervalLength;
  return n;
}

/** Agents the model allocates: each group at its busiest interval. */
export function modelAgents(cfg: ModelConfig): number {
  let n = 0;
  for (const g of cfg.groups) n += g.staffing.reduce((a, b) => Math.max(a, b), 0);
  return n;
}

const mb = (bytes: number) => `${grouped(bytes / 1024 / 1024)} MB`;

/**
 * Issues of a model past the limits (empty when within). `center`: the scenario used
 * the whole-center form, whose fields are contactTypes and agentGroups (the
 * single-queue form's are arrivals and agents).
 */
export function modelLimitIssues(cfg: ModelConfig, center = false): Issue[] {
  const out: Issue[] = [];
  const arrivals = expectedArrivals(cfg);
  if (!(arrivals <= LIMITS.arrivalsPerReplication)) {
    out.push({ path: center ? 'contactTypes' : 'arrivals', value: `${grouped(arrivals)} expected arrivals`, message: `must give at most ${grouped(LIMITS.arrivalsPerReplication)} expected arrivals per replication (all contact types over the horizon)` });
  }
  const agents = modelAgents(cfg);
  if (!(agents <= LIMITS.agents)) {
    out.push({ path: center ? 'agentGroups' : 'agents', value: `${grouped(agents)} agents`, message: `must total at most ${grouped(LIMITS.agents)} agents (every group at its busiest interval)` });
  }
  const bytes = resultBytes(cfg);
  if (!(bytes <= LIMITS.resultBytes)) {
    out.push({ path: 'interval', value: `${grouped(cfg.nIntervals)} intervals x ${cfg.sites.length} sites`, message: `must keep one replication's result within ${mb(LIMITS.resultBytes)} (it would take ${mb(bytes)}): use longer intervals or fewer sites` });
  }
  return out;
}

/** Issues of a run of `replications` replications of `cfgs` (all arms) past the limits. */
export function runLimitIssues(cfgs: readonly ModelConfig[], replications: number, flag = '--replications'): Issue[] {
  const bytes = cfgs.reduce((n, c) => n + resultBytes(c), 0) * replications;
  if (bytes <= LIMITS.runResultBytes) return [];
  return [{ path: flag, value: String(replications), message: `must keep the run's results within ${mb(LIMITS.runResultBytes)} (they would take ${mb(bytes)}): run fewer replications` }];
}
