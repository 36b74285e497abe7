import type { Channel, ModelConfig } from '../../sim/src/config/model-config.ts';
import { CHANNELS } from '../../sim/src/config/channels.ts';
import { makeStream } from '../../sim/src/core/rng.ts';
import { DemandSampler } from '../../sim/src/model/demand.ts';

/**
 * The load a scenario puts on a contact center, as a load generator must send it: the
 * expected first-attempt arrivals per simulated second of each contact type (or channel)
 * in each interval, after the demand profile, day of week, special days and shocks (all
 * compiled into the model's rates), and with the demand's overdispersion drawn once from
 * the seed (replication 0's `demand` stream: the same draw as a twin serving the same
 * scenario with the same seed). Redials, rework and complaints are not in it: the center
 * makes those itself.
 *
 * Shared by `cctwin k6` (the script's stages) and `cctwin replay` (its arrival process).
 */

export type LoadBy = 'type' | 'channel';

export interface LoadGroup {
  /** the contact type's name, or the channel */
  key: string;
  channel: Channel;
  /** the contact types sent under this key (indices into cfg.types, and their names) */
  types: number[];
  typeNames: string[];
  /**
   * The share of each type in the group's arrivals, per interval (types.length values per
   * interval, summing to 1 where the group has arrivals): a generator sending a channel
   * picks each contact's type with these weights.
   */
  typeShares: number[][];
  /** expected arrivals per simulated second, per interval (the horizon's intervals) */
  rates: number[];
  /** expected arrivals over the horizon */
  expected: number;
}

export interface LoadPlan {
  scenario: string;
  by: LoadBy;
  /** the seed the overdispersion was drawn with (the scenario's unless given) */
  seed: number;
  /** true when the scenario's demand is overdispersed and the rates are one draw of it */
  drawn: boolean;
  intervalLength: number;
  /** simulated seconds of arrivals: the scenario's horizon, or shorter (whole intervals, the last one cut) */
  horizon: number;
  nIntervals: number;
  /** the service-level threshold, seconds */
  threshold: number;
  sla: { name: string; kpi: string; target: number; direction: 'min' | 'max' }[];
  groups: LoadGroup[];
  /** expected arrivals over the horizon, all groups */
  expected: number;
}

export interface LoadPlanOptions {
  by?: LoadBy;
  /** simulated seconds of arrivals (default: the scenario's horizon; at most that) */
  horizon?: number;
  /** seed for the overdispersion draw (default: the scenario's) */
  seed?: number;
}

/** The arrivals each type's rates give, from 0 to `horizon` (the last interval cut at the horizon). */
function expectedOver(rates: ArrayLike<number>, L: number, horizon: number): number {
  let n = 0;
  for (let i = 0; i < rates.length; i++) {
    const len = Math.min(L, horizon - i * L);
    if (len <= 0) break;
    n += rates[i] * len;
  }
  return n;
}

export function loadPlan(cfg: ModelConfig, o: LoadPlanOptions = {}): LoadPlan {
  const by = o.by ?? 'type';
  const seed = o.seed ?? cfg.seed;
  const horizon = Math.min(o.horizon ?? cfg.horizon, cfg.horizon);
  if (!(horizon > 0)) throw new RangeError(`loadPlan: horizon must be more than 0 s (got ${horizon})`);
  const L = cfg.intervalLength;
  const nAll = cfg.nIntervals;
  const nI = Math.ceil(horizon / L - 1e-9);
  // This replication's rates: the model's, or one draw of the overdispersion around them.
  const drawn = cfg.demand.dayCv > 0 || cfg.demand.intervalCv > 0;
  const rateOf: number[][] = cfg.types.map((t) => t.arrivalRates.slice(0, nI));
  if (drawn) {
    const sampler = new DemandSampler({ rates: cfg.types.map((t) => [...t.arrivalRates]), ...cfg.demand }, nAll);
    const out = new Float64Array(cfg.types.length * nAll);
    sampler.fill(out, makeStream(seed, 0, 'demand'));
    cfg.types.forEach((_, t) => { rateOf[t] = Array.from(out.subarray(t * nAll, t * nAll + nI)); });
  }
  const keyOf = (t: number) => (by === 'type' ? cfg.types[t].name : cfg.types[t].channel);
  const keys: string[] = [];
  if (by === 'type') keys.push(...cfg.types.map((t) => t.name));
  else for (const c of CHANNELS) if (cfg.types.some((t) => t.channel === c)) keys.push(c);
  const groups = keys.map((key): LoadGroup => {
    const types = cfg.types.map((_, t) => t).filter((t) => keyOf(t) === key);
    const rates = Array.from({ length: nI }, (_, i) => types.reduce((s, t) => s + rateOf[t][i], 0));
    const typeShares = rates.map((r, i) => types.map((t) => (r > 0 ? rateOf[t][i] / r : 1 / types.length)));
    return {
      key,
      channel: cfg.types[types[0]].channel,
      types,
      typeNames: types.map((t) => cfg.types[t].name),
      typeShares,
      rates,
      expected: expectedOver(rates, L, horizon),
    };
  });
  return {
    scenario: cfg.name,
    by,
    seed,
    drawn,
    intervalLength: L,
    horizon,
    nIntervals: nI,
    threshold: cfg.threshold,
    sla: cfg.sla.map((s) => ({ name: s.name, kpi: s.kpi, target: s.target, direction: s.direction })),
    groups,
    expected: groups.reduce((s, g) => s + g.expected, 0),
  };
}
