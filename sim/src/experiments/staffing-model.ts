import { erlangC, queueMetrics, type QueueMetrics } from '../analytic/index.ts';
import { distMean, Sampler } from '../core/distributions.ts';
import { makeStream } from '../core/rng.ts';
import type { ModelConfig } from '../config/model-config.ts';
import type { StaffKpi, StaffTarget } from './staffing-targets.ts';

/**
 * The analytic side of the staffing search (experiments/staffing-search.ts): the
 * center's groups in pools, each pool's offered load per interval, and the exact
 * queueing formulas that size a pool for its targets.
 *
 * A pool is the groups that serve the same contact types the same way (the same
 * primary skills, the same backup skills, the same site in local mode, the same chat
 * capacity): their agents are interchangeable for the queues, so a pool is sized as
 * one queue (Erlang A with the pool's patience, Erlang C without), and its agents are
 * given to its cheapest groups (cost per agent-hour over proficiency); groups of equal
 * cost share them in proportion to the scenario's own staffing (a house-monotone
 * divisor method: one agent more never takes one from another group).
 *
 * A contact type served as a primary skill by several pools gives each a share of its
 * load in proportion to the scenario's staffing times proficiency.
 */

export interface Pool {
  id: number;
  /** group indices */
  groups: number[];
  /** whether the search changes its staffing (every group of a pool is staffed or none) */
  staffed: boolean;
  /** contact types it serves as a primary skill */
  primary: number[];
  /** contact types it serves after a delay (backup skill, another site in local mode, blending) and the delay, seconds */
  reach: { type: number; delay: number }[];
  /** the site of its groups (local mode: the site whose queues it serves first); -1 in virtual mode */
  site: number;
  /** contacts an agent holds at once, and the slowdown per extra contact */
  capacity: number;
  slowdown: number;
}

export interface GroupInfo {
  name: string;
  site: string;
  /** cost of one agent-hour (the scenario's cost rate by site, or 1: agent-hours) */
  cost: number;
  pool: number;
  staffed: boolean;
}

const DAY = 86400;

/** Cost per agent-hour of each group, and the unit: the workforce's cost rate by site, else 1 (agent-hours). */
export function groupCosts(cfg: ModelConfig): { costs: number[]; unit: string } {
  const rates = cfg.workforce?.cost.agentPerHour;
  if (rates && rates.some((r) => r > 0)) return { costs: cfg.groups.map((g) => rates[g.site] ?? 0), unit: 'RMB' };
  return { costs: cfg.groups.map(() => 1), unit: 'agent-hours' };
}

/** The contact types of each queue (the center form has one per type). */
function typesOfQueue(cfg: ModelConfig): number[][] {
  const out: number[][] = cfg.queues.map(() => []);
  cfg.types.forEach((t, i) => out[t.queue].push(i));
  return out;
}

/** How a group serves each contact type: proficiency and delay (0: a primary skill). */
export function servedTypes(cfg: ModelConfig, g: number): { type: number; prof: number; delay: number }[] {
  const grp = cfg.groups[g];
  const byQueue = typesOfQueue(cfg);
  const out: { type: number; prof: number; delay: number }[] = [];
  grp.queues.forEach((q, k) => {
    const blended = grp.blendBelow[k] !== null;
    const delay = grp.backup[k] ? cfg.routing.overflowAfter : blended ? Infinity : 0;
    for (const t of byQueue[q]) out.push({ type: t, prof: grp.proficiency[k], delay });
  });
  return out;
}

/** Expected work of one contact of the type at proficiency 1, seconds: the talk (less a bot's summary saving) plus after-call work. */
export function workPerContact(cfg: ModelConfig, t: number): number {
  const ty = cfg.types[t];
  return distMean(ty.handleTime) * (1 - (ty.bot?.summarySaving ?? 0)) + (ty.wrapUp ? distMean(ty.wrapUp) : 0);
}

/** Share of a type's arrivals that reach the queue (the IVR's self-service and hang-ups and the bot's deflections leave). */
function reachQueue(cfg: ModelConfig, t: number): number {
  const ty = cfg.types[t];
  const ivr = ty.ivr ? 1 - ty.ivr.selfService - ty.ivr.hangup : 1;
  return Math.max(0, ivr) * (1 - (ty.bot?.deflection ?? 0));
}

/**
 * Expected time, in each interval d = 0, 1, ... after it, of one contact's work started
 * at a uniform instant of an interval of length L (the infinite-server load kernel):
 * K(d) = E over work S and start a of |[a, a + S) ∩ [dL, (d + 1)L)|. Its sum is E[S]. From
 * 4,000 draws of the type's handle time (a fixed stream: the kernel is the same every
 * run), scaled to the work per contact.
 */
export function loadKernel(cfg: ModelConfig, t: number): Float64Array {
  const L = cfg.intervalLength;
  const ty = cfg.types[t];
  const sampler = new Sampler(ty.handleTime);
  const stream = makeStream('staff-kernel', t, ty.name);
  const N = 4000;
  const draws = new Float64Array(N);
  let sum = 0;
  for (let k = 0; k < N; k++) sum += draws[k] = sampler.sample(stream);
  const mean = sum / N;
  const scale = mean > 0 ? workPerContact(cfg, t) / mean : 0;
  let maxS = 0;
  for (let k = 0; k < N; k++) maxS = Math.max(maxS, (draws[k] *= scale));
  const D = Math.min(Math.ceil(maxS / L) + 1, Math.max(1, cfg.nIntervals) + 1);
  const K = new Float64Array(D + 1);
  // u(x) = E_a[(a + s - x)^+], a uniform on [0, L): the work past x.
  const u = (s: number, x: number) => {
    const p = Math.max(0, L + s - x), q = Math.max(0, s - x);
    return (p * p - q * q) / (2 * L);
  };
  for (let k = 0; k < N; k++) {
    const s = draws[k];
    K[0] += s >= L ? L / 2 : (s * s / 2 + s * (L - s)) / L;
    for (let d = 1; d <= D && (d - 1) * L < s + L; d++) K[d] += u(s, d * L) - u(s, (d + 1) * L);
  }
  for (let d = 0; d <= D; d++) K[d] /= N;
  return K;
}

/** Erlangs in each interval from contacts entering the queue per interval: sum over d of entries(i - d) K(d) / L. */
export function convolveLoad(entries: ArrayLike<number>, kernel: Float64Array, L: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let d = 0; d < kernel.length && d <= i; d++) m += entries[i - d] * kernel[d];
    out[i] = m / L;
  }
  return out;
}

/** Worst value of a KPI (no agent, or an unstable queue). */
const WORST: Record<StaffKpi, number> = { serviceLevel: 0, serviceLevelAnswered: 0, replyOnTime: 0, abandonRate: 1, asa: 1e12 };
/** Best value: nobody waits. */
const BEST: Record<StaffKpi, number> = { serviceLevel: 1, serviceLevelAnswered: 1, replyOnTime: 1, abandonRate: 0, asa: 0 };

/** Whether a measured KPI is at its best value, where it says nothing of how far staffing could fall. */
export function saturated(kpi: StaffKpi, v: number): boolean {
  return kpi === 'asa' ? v <= 1e-6 : Math.abs(v - BEST[kpi]) <= 1e-9;
}

const meets = (dir: 'min' | 'max', v: number, level: number) => (dir === 'min' ? v >= level - 1e-12 : v <= level + 1e-12);

/**
 * One pool in one interval as an exact queue: arrivals per second, work per contact,
 * patience, chat capacity. `kpi(target, n)` is a target's KPI with n agents (memoised),
 * `inverse(target, level)` the real number of agents at which it reaches `level`
 * (interpolated between whole agents; Infinity when even the saturation cap misses).
 */
export class PoolQueue {
  private readonly memo = new Map<string, QueueMetrics | null>();
  /** offered load in erlangs (agent-equivalents at proficiency 1, before chat capacity) */
  readonly load: number;
  /** more agents than this serve no purpose: waiting has vanished (Halfin and Whitt) */
  readonly cap: number;

  constructor(
    readonly lambda: number,
    readonly work: number,
    readonly theta: number,
    readonly capacity: number,
    readonly slowdown: number,
    readonly threshold: number,
    readonly deadline: number,
  ) {
    this.load = lambda * work;
    const servers = this.load * this.slowed();
    this.cap = Math.max(1, Math.ceil((servers + 50 * Math.sqrt(servers) + 100) / capacity));
  }

  private slowed(): number {
    return this.capacity > 1 ? 1 + this.slowdown * (this.capacity - 1) : 1;
  }

  metrics(n: number, T: number): QueueMetrics | null {
    const key = `${n}/${T}`;
    if (this.memo.has(key)) return this.memo.get(key)!;
    let m: QueueMetrics | null;
    try {
      m = queueMetrics({
        arrivalRate: this.lambda, aht: this.work * this.slowed(), agents: n * this.capacity,
        patience: this.theta > 0 ? 1 / this.theta : undefined, threshold: T,
      });
    } catch {
      m = null; // unstable (no patience and the load at or above the servers)
    }
    this.memo.set(key, m);
    return m;
  }

  kpi(kpi: StaffKpi, n: number): number {
    if (this.lambda <= 0) return BEST[kpi];
    if (n <= 0) return WORST[kpi];
    const m = this.metrics(n, kpi === 'replyOnTime' ? this.deadline : this.threshold);
    if (m === null) return WORST[kpi];
    switch (kpi) {
      case 'serviceLevel': return m.serviceLevel;
      case 'serviceLevelAnswered': return m.serviceLevelAnswered;
      case 'replyOnTime': return m.serviceLevelAnswered;
      case 'abandonRate': return m.abandonRate;
      case 'asa': return m.asa;
    }
  }

  /** The smallest whole number of agents meeting `level`, or Infinity past the cap. */
  staff(kpi: StaffKpi, dir: 'min' | 'max', level: number): number {
    const ok = (n: number) => meets(dir, this.kpi(kpi, n), level);
    if (ok(0)) return 0;
    // Known: fail < pass, ok(pass), !ok(fail). Gallop from the load, then bisect.
    let fail = 0, pass: number;
    const start = Math.max(1, Math.min(this.cap, Math.ceil((this.load * this.slowed()) / this.capacity)));
    if (ok(start)) {
      pass = start;
      for (let step = 1; ; step *= 2) {
        const probe = pass - step;
        if (probe <= fail) break;
        if (ok(probe)) pass = probe;
        else { fail = probe; break; }
      }
    } else {
      fail = start;
      for (let step = 1; ; step *= 2) {
        const probe = Math.min(this.cap, fail + step);
        if (ok(probe)) { pass = probe; break; }
        if (probe === this.cap) return Infinity;
        fail = probe;
      }
    }
    while (pass - fail > 1) {
      const mid = (pass + fail) >> 1;
      if (ok(mid)) pass = mid;
      else fail = mid;
    }
    return pass;
  }

  /** The real number of agents at which the KPI reaches `level`: whole agents, interpolated; Infinity past the cap. */
  inverse(kpi: StaffKpi, dir: 'min' | 'max', level: number): number {
    const n1 = this.staff(kpi, dir, level);
    if (!Number.isFinite(n1) || n1 <= 0) return n1;
    const a = this.kpi(kpi, n1 - 1), b = this.kpi(kpi, n1);
    const gap = b - a;
    if (!(Math.abs(gap) > 0) || !Number.isFinite(gap)) return n1;
    const frac = (level - a) / gap;
    return n1 - 1 + Math.min(1, Math.max(0, frac));
  }
}

/** Per-interval Erlang C staffing of a load (a = lambda * work) for a service level: the closed form, fast at any load. */
export function erlangCStaff(load: number, work: number, threshold: number, target: number): number {
  if (load <= 0) return 0;
  const top = Math.ceil(load + 50 * Math.sqrt(load) + 100);
  for (let n = Math.max(1, Math.floor(load) + 1); n <= top; n++) {
    if (1 - erlangC(load, n) * Math.exp((-(n - load) * threshold) / work) >= target - 1e-12) return n;
  }
  return top;
}

/**
 * The center seen by the search: pools, each type's primary pools with their share of
 * its load, the group costs, the kernels of the infinite-server load.
 */
export class StaffingModel {
  readonly pools: Pool[] = [];
  readonly groupPool: number[];
  readonly costs: number[];
  readonly costUnit: string;
  /** per type: its primary pools and their shares (per site in local mode: index by site, else 0) */
  readonly typeShares: { pool: number; share: number; prof: number }[][][];
  /** per type, the targets that apply to it */
  readonly typeTargets: StaffTarget[][];
  /** the input staffing of each group per interval */
  readonly base: number[][];
  readonly kernels: Float64Array[];
  readonly local: boolean;
  readonly work: number[];

  constructor(readonly cfg: ModelConfig, readonly targets: readonly StaffTarget[], staffedGroups: ReadonlySet<number>) {
    const nG = cfg.groups.length;
    this.local = cfg.siteMode === 'local' && cfg.sites.length > 1;
    const { costs, unit } = groupCosts(cfg);
    this.costs = costs;
    this.costUnit = unit;
    this.base = cfg.groups.map((g) => [...g.staffing]);
    this.work = cfg.types.map((_, t) => workPerContact(cfg, t));
    this.groupPool = new Array<number>(nG).fill(-1);
    const keys = new Map<string, number>();
    for (let g = 0; g < nG; g++) {
      const served = servedTypes(cfg, g);
      const grp = cfg.groups[g];
      const primary = served.filter((x) => x.delay === 0).map((x) => x.type).sort((a, b) => a - b);
      const reach = served.filter((x) => x.delay > 0).map((x) => ({ type: x.type, delay: x.delay }));
      const site = this.local ? grp.site : -1;
      const staffed = staffedGroups.has(g);
      const key = JSON.stringify([staffed, primary, reach, site, grp.maxContacts, grp.slowdown]);
      let id = keys.get(key);
      if (id === undefined) {
        id = this.pools.length;
        keys.set(key, id);
        this.pools.push({ id, groups: [], staffed, primary, reach, site, capacity: grp.maxContacts, slowdown: grp.slowdown });
      }
      this.pools[id].groups.push(g);
      this.groupPool[g] = id;
    }
    const nS = this.local ? cfg.sites.length : 1;
    this.typeShares = cfg.types.map((_, t) => Array.from({ length: nS }, (_, s) => {
      const serving = this.pools.filter((p) => p.primary.includes(t) && (!this.local || p.site === s));
      const weights = serving.map((p) => p.groups.reduce((a, g) => a + this.base[g].reduce((x, y) => x + y, 0) * this.profOf(g, t) * cfg.groups[g].maxContacts, 0));
      const total = weights.reduce((a, b) => a + b, 0);
      return serving.map((p, k) => ({
        pool: p.id,
        share: total > 0 ? weights[k] / total : 1 / serving.length,
        prof: this.poolProf(p, t),
      }));
    }));
    this.typeTargets = cfg.types.map((_, t) => targets.filter((k) => k.types.includes(t)));
    this.kernels = cfg.types.map((_, t) => loadKernel(cfg, t));
  }

  private profOf(g: number, t: number): number {
    return servedTypes(this.cfg, g).find((x) => x.type === t)?.prof ?? 1;
  }

  /** The pool's proficiency on a type: its groups' mean, weighted by their input staffing. */
  private poolProf(p: Pool, t: number): number {
    let w = 0, s = 0;
    for (const g of p.groups) {
      const b = this.base[g].reduce((x, y) => x + y, 0) + 1e-9;
      w += b;
      s += b * this.profOf(g, t);
    }
    return w > 0 ? s / w : 1;
  }

  /** The targets a pool is sized for: those of its primary types. */
  poolTargets(p: Pool): StaffTarget[] {
    return this.targets.filter((k) => k.types.some((t) => p.primary.includes(t)));
  }

  /**
   * Contacts per second offered to each type's queue in each interval from the scenario
   * (first attempts: arrivals that get past the IVR and the bot), per site in local mode:
   * [type][site][interval].
   */
  scenarioEntries(): Float64Array[][] {
    const cfg = this.cfg;
    const nS = this.local ? cfg.sites.length : 1;
    return cfg.types.map((ty, t) => Array.from({ length: nS }, (_, s) => {
      const split = this.local ? ty.siteSplit[s] / ty.siteSplit.reduce((a, b) => a + b, 0) : 1;
      return Float64Array.from(ty.arrivalRates, (r) => r * reachQueue(cfg, t) * split);
    }));
  }

  /**
   * The queue of pool p in interval i given each type's arrival rate at the queue
   * (`rates[type][site][interval]`, per second) and load (`loads`, erlangs at proficiency
   * 1; null: rate x work). A type shared between pools gives each its share.
   */
  poolQueue(p: Pool, i: number, rates: Float64Array[][], loads: Float64Array[][] | null): PoolQueue {
    const cfg = this.cfg;
    let lambda = 0, load = 0, thetaW = 0, deadline = Infinity;
    for (const t of p.primary) {
      const sh = this.typeShares[t][this.local ? p.site : 0].find((x) => x.pool === p.id);
      if (!sh) continue;
      const s = this.local ? p.site : 0;
      const r = rates[t][s][i] * sh.share;
      const m = (loads ? loads[t][s][i] : rates[t][s][i] * this.work[t]) * sh.share / sh.prof;
      lambda += r;
      load += m;
      const pat = cfg.types[t].patience;
      thetaW += m * (pat ? 1 / Math.max(1e-9, distMean(pat)) : 0);
      if (cfg.types[t].deadline !== undefined) deadline = Math.min(deadline, cfg.types[t].deadline!);
    }
    const work = lambda > 0 ? load / lambda : 1;
    const theta = load > 0 ? thetaW / load : 0;
    return new PoolQueue(lambda, work, theta, p.capacity, p.slowdown, cfg.threshold, Number.isFinite(deadline) ? deadline : DAY);
  }

  /**
   * Agents of a pool given to its groups: the cheapest groups (cost per agent-hour over
   * proficiency) take them all; groups of equal cost share them in proportion to the
   * scenario's staffing of the day (Sainte-Laguë: one agent more never takes one from
   * another group). Returns the count per group of the pool, in its order.
   */
  allocate(p: Pool, n: number): number[] {
    const out = new Array<number>(p.groups.length).fill(0);
    if (n <= 0) return out;
    const rank = p.groups.map((g) => this.costs[g] / Math.max(1e-12, this.poolGroupProf(p, g)));
    const best = Math.min(...rank);
    const tier = p.groups.map((_, k) => k).filter((k) => rank[k] <= best * (1 + 1e-9) + 1e-12);
    const w = tier.map((k) => this.base[p.groups[k]].reduce((a, b) => a + b, 0));
    const weights = w.some((x) => x > 0) ? w : w.map(() => 1);
    for (let a = 0; a < n; a++) {
      let bestK = 0, bestQ = -1;
      for (let j = 0; j < tier.length; j++) {
        const q = weights[j] / (out[tier[j]] + 0.5);
        if (q > bestQ) { bestQ = q; bestK = j; }
      }
      out[tier[bestK]]++;
    }
    return out;
  }

  private poolGroupProf(p: Pool, g: number): number {
    if (p.primary.length === 0) return 1;
    return p.primary.reduce((a, t) => a + this.profOf(g, t), 0) / p.primary.length;
  }

  /** Cost of one more agent of the pool for one hour (its cheapest group's, per unit of proficiency). */
  poolCost(p: Pool): number {
    return Math.min(...p.groups.map((g) => this.costs[g] / Math.max(1e-12, this.poolGroupProf(p, g))));
  }

  /**
   * How much an agent of pool p does for type t's target k: its proficiency when t is a
   * primary skill; when it takes t only after a delay (a backup skill, another site in
   * local mode), nothing for a service level whose threshold the delay passes, and for
   * the other KPIs the callers still waiting then (exponential patience).
   */
  effectiveness(p: Pool, t: number, k: StaffTarget): number {
    const sh = this.typeShares[t][this.local ? Math.max(0, p.site) : 0];
    if (p.primary.includes(t) && (!this.local || sh.some((x) => x.pool === p.id))) return sh.find((x) => x.pool === p.id)?.prof ?? 1;
    let delay = p.reach.find((x) => x.type === t)?.delay;
    if (this.local && p.primary.includes(t)) delay = this.cfg.siteOverflowAfter;
    if (delay === undefined || !Number.isFinite(delay)) return 0;
    const prof = this.profOf(p.groups[0], t);
    if (k.kpi === 'serviceLevel' || k.kpi === 'serviceLevelAnswered') return delay <= this.cfg.threshold ? prof : 0;
    const pat = this.cfg.types[t].patience;
    if (k.kpi === 'replyOnTime') return delay < (this.cfg.types[t].deadline ?? Infinity) ? prof : 0;
    return prof * (pat ? Math.exp(-delay / Math.max(1e-9, distMean(pat))) : 1);
  }
}
