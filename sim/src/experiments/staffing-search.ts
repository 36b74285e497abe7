import { firstMeasuredInterval, isSingleQueue, type ModelConfig } from '../config/model-config.ts';
import { distMean } from '../core/distributions.ts';
import { RunInterrupted, type Runner } from '../engine/runner.ts';
import { plainResult, TI, typeIntervalRow, typeIntervalsOf } from '../engine/type-intervals.ts';
import { effectiveWarmup } from '../metrics/summary.ts';
import { t975, tTwoSidedQuantile } from '../metrics/stats.ts';
import { withAgents } from './agents-text.ts';
import { compileVariant } from './overrides.ts';
import { convolveLoad, erlangCStaff, PoolQueue, saturated, StaffingModel, type Pool } from './staffing-model.ts';
import { kpiOf, targetLevel, type StaffTarget } from './staffing-targets.ts';

/**
 * How many agents each group needs in each interval to meet the targets, through the
 * simulation (`cctwin staff`). Every staffing tried is a scenario text (the input with
 * its groups' `agents` rewritten, through applyAssignments and compileVariant like
 * `--set`), simulated over the same replication indexes every time (common random
 * numbers: the same customers, patience and handle times), so two staffings differ by
 * their staffing alone.
 *
 * 1. Exact start: each pool (staffing-model.ts) sized per interval by Erlang A (Erlang C
 *    without patience) for the scenario's offered load.
 * 2. Offered load measured in the simulation: the contacts that reached each queue per
 *    interval (redials, the IVR and the bot counted as they happen), spread over the
 *    intervals their work lasts (the infinite-server load of the iterative staffing
 *    algorithm, Feldman, Mandelbaum, Massey and Whitt 2008), and each pool sized again
 *    by the exact formula for that load; repeated while the staffing moves by more than
 *    one agent.
 * 3. Correction: where a target's one-sided confidence bound across replications misses,
 *    agents are added; where there is room (first rounds only), removed; how many comes
 *    from the exact formula calibrated to the simulation (the staffing at which the
 *    formula gives what was measured, against the staffing simulated: an offset in
 *    agents). A miss of a contact type is fixed by the cheapest pool whose agents reach
 *    it in time (a backup skill or another site only where the delay leaves the target
 *    reachable).
 * 4. Check and repair: the staffing met, simulated on fresh replications; clearly short
 *    there, both samples judge from then on and agents are added until met.
 * 5. Removal: one agent less (or the calibrated room, halved on failure) in each (pool,
 *    interval) of a class (every other interval; pools that share no contact type) where
 *    the calibrated formula finds room, simulated together; each removal whose interval
 *    and the next still meet every target stays. Until no class gives one: a local
 *    minimum of cost, no single removal keeps the targets met.
 * 6. A check on fresh replications (other seeds) of the staffing found.
 *
 * The bounds use a control variate (the work that arrived, whose expectation the model
 * knows). A stationary model keeps one staffing per group. docs/staffing.md has the
 * details and what the method guarantees.
 *
 * `--per day` judges the day's totals instead: after step 2, agents go where the formula
 * says they do the day most good, in doubling batches, until the day meets; then they
 * are removed where it says the day loses least, in halving batches, until one fails.
 */

/**
 * What an iteration did: the exact start, the offered load measured, a correction, the
 * check of a met staffing on the search's and fresh replications together (`check`), a
 * set of removals (`removal`) and the same set with the removals a miss followed put back
 * (`retry`), and the fresh check of the staffing returned (`holdout`).
 */
export type Phase = 'exact' | 'offered-load' | 'correction' | 'check' | 'removal' | 'retry' | 'holdout';

export interface SearchRequest {
  /** the scenario text and where it came from (its path: a plug-in policy is relative to it) */
  text: string;
  source: string;
  seed?: number;
  allowPolicies?: readonly string[];
  trustFolder?: boolean;
  /** the input compiled (with the seed) */
  cfg: ModelConfig;
  targets: StaffTarget[];
  per: 'interval' | 'day';
  /** indices of the groups whose staffing the search sets */
  groups: number[];
  replications: number;
  confidence: number;
  /** simulations at most (the check on fresh replications not counted) */
  maxIterations: number;
  /** simulate the staffing found on fresh replications at the end (default true) */
  holdout?: boolean;
}

export interface SearchHooks {
  runner: Runner;
  /** before each simulation */
  onIteration?(it: { iteration: number; phase: Phase; replications: number }): void;
  /** each replication finished */
  onReplication?(): void;
  /** after each simulation, its record */
  onRecord?(r: IterationRecord): void;
  /** a step's note (what the method does now), for the progress report */
  onNote?(s: string): void;
}

export interface IterationRecord {
  iteration: number;
  phase: Phase;
  /** cost of the staffed groups' staffing simulated */
  cost: number;
  agentHours: number;
  /** (target, interval) pairs whose scope misses (the day: targets), and (target, contact type, interval) that miss */
  misses: number;
  typeMisses: number;
  met: boolean;
  /** agent-intervals added and removed from the staffing simulated before */
  added: number;
  removed: number;
  /** removal passes: candidates tried and kept */
  tried?: number;
  kept?: number;
  wallSeconds: number;
}

/** A target's value in one interval (or the day) across replications. */
export interface TargetRow {
  start: number;
  end: number;
  warmup: boolean;
  mean: number | null;
  ci95: number | null;
  /** one-sided bound at the requested confidence (lower for a minimum, upper for a maximum) */
  bound: number | null;
  met: boolean;
  /** the contact type with the worst bound and its bound (null: the scope itself) */
  worstType: string | null;
  worstBound: number | null;
}

export interface TargetReport {
  name: string;
  path: string;
  target: number;
  direction: 'min' | 'max';
  /** per interval (per interval), or one row for the day */
  rows: TargetRow[];
  met: boolean;
}

export interface Infeasible {
  target: string;
  type: string;
  /** interval starts, seconds (the day: empty) */
  intervals: number[];
  why: string;
}

export interface SearchOutcome {
  status: 'met' | 'not-met' | 'infeasible' | 'interrupted';
  /** the staffing returned: every group, per interval */
  staffing: number[][];
  /** the exact-formula start */
  start: number[][];
  /** its scenario text and model */
  text: string;
  cfg: ModelConfig;
  cost: number;
  costUnit: string;
  agentHours: number;
  /** every target met with the confidence asked, in the simulation of `staffing` */
  met: boolean;
  /** no single removal keeps the targets met (per interval: every (pool, interval) tried; per day: see docs/staffing.md) */
  localMinimum: boolean;
  iterations: IterationRecord[];
  /** the targets across the replications of the staffing returned */
  report: TargetReport[];
  /** the plain result buffers of those replications (index order) */
  buffers: Float64Array[];
  /** fresh replications of the staffing returned: intervals whose mean misses, per target */
  holdout: { replications: number; misses: { target: string; intervals: number[] }[] } | null;
  infeasible: Infeasible[];
  /** why the search stopped */
  note: string;
  /** step 4 (per interval): one-agent removals a miss was laid to, those the noise left undecided, and (pool, interval) where the calibrated formula says one agent less misses (not simulated) */
  removals: { tight: number; undecided: number; byFormula: number } | null;
  /** per interval: the check on fresh replications once every target was met, before the removals (clearly short: repaired on both samples) */
  validation: { replications: number; clearMisses: number } | null;
}

// ---------------------------------------------------------------- evaluation

interface UnitStat {
  mean: number | null;
  ci95: number | null;
  bound: number | null;
  met: boolean;
  /** the pieces: offered etc. summed over replications (for the day's aggregate) */
}

interface Evaluation {
  x: number[][];
  cfg: ModelConfig;
  text: string;
  buffers: Float64Array[];
  /** [target][unit][row]: unit 0 the scope, unit 1 + j the target's j-th type; row: judged rows (intervals from warm, or the day) */
  stats: UnitStat[][][];
  /** rows judged: interval indexes, or [-1] for the day */
  rows: number[];
  allMet: boolean;
  /** per type and interval (all intervals): every target of the type met there */
  typeMet: boolean[][];
  /** queue entries per second, [type][site][interval], mean over replications */
  entries: Float64Array[][];
  /** erlangs at proficiency 1, the infinite-server load of those entries */
  loads: Float64Array[][];
  scopeMisses: number;
  typeMisses: number;
}

const DAY_ROW = -1;

/** The one-sided quantile t(c, df) (cached). */
function tOneSided(c: number, df: number, cache: Map<number, number>): number {
  let v = cache.get(df);
  if (v === undefined) {
    v = tTwoSidedQuantile(2 * (1 - c), df);
    cache.set(df, v);
  }
  return v;
}

/** Gives `n` agents to the candidates in order, round after round (the first ones one more when n does not divide evenly). */
function spread<T>(n: number, cands: readonly T[], give: (c: T, k: number) => void): void {
  const per = Math.floor(n / cands.length), extra = n % cands.length;
  cands.forEach((c, r) => { const k = per + (r < extra ? 1 : 0); if (k > 0) give(c, k); });
}

/** The mean of ys corrected by the regression on xs, whose expectation is mu (plain mean with fewer than 4 values or no spread). */
function controlled(ys: ArrayLike<number>, xs: ArrayLike<number>, mu: number): number {
  const n = ys.length;
  let my = 0, mx = 0;
  for (let r = 0; r < n; r++) { my += ys[r]; mx += xs[r]; }
  my /= n; mx /= n;
  if (n < 4) return my;
  let sxx = 0, sxy = 0;
  for (let r = 0; r < n; r++) { sxx += (xs[r] - mx) ** 2; sxy += (xs[r] - mx) * (ys[r] - my); }
  return sxx > 0 ? Math.max(0, my - (sxy / sxx) * (mx - mu)) : my;
}

/** The handle times drawn for the customers of these types who arrived in rows i0..i1-1 (the control). */
function work(cfg: ModelConfig, block: Float64Array, types: readonly number[], i0: number, i1: number): number {
  let w = 0;
  for (let i = i0; i < i1; i++) for (const t of types) for (let s = 0; s < cfg.sites.length; s++) w += block[typeIntervalRow(cfg, i, t, s) + TI.work];
  return w;
}

/** Figures of a set of types (all sites) over rows i0..i1-1 of one replication's block. */
function figures(cfg: ModelConfig, block: Float64Array, types: readonly number[], i0: number, i1: number) {
  const f = { offered: 0, answered: 0, within: 0, abandoned: 0, wait: 0, late: 0 };
  for (let i = i0; i < i1; i++) {
    for (const t of types) {
      for (let s = 0; s < cfg.sites.length; s++) {
        const o = typeIntervalRow(cfg, i, t, s);
        f.offered += block[o + TI.offered];
        f.answered += block[o + TI.answered];
        f.within += block[o + TI.answeredWithin];
        f.abandoned += block[o + TI.abandoned];
        f.wait += block[o + TI.waitAnswered];
        f.late += block[o + TI.answeredLate];
      }
    }
  }
  return f;
}

// ---------------------------------------------------------------- the search

export class StaffingSearch {
  readonly model: StaffingModel;
  readonly cfg: ModelConfig;
  readonly nI: number;
  readonly warm: number;
  private readonly tCache = new Map<number, number>();
  private readonly staffed: Set<number>;
  private iteration = 0;
  private readonly records: IterationRecord[] = [];
  private best: Evaluation | null = null;
  private last: Evaluation | null = null;
  private readonly infeasible: Infeasible[] = [];
  /** the pools' colours: pools that share a contact type get different ones */
  private readonly colour: number[];
  private readonly colours: number;
  /** the replication indexes every staffing is judged on (0..R-1; 0..2R-1 after a repair) */
  private sample: number[];

  constructor(private readonly req: SearchRequest, private readonly hooks: SearchHooks) {
    this.cfg = req.cfg;
    this.sample = Array.from({ length: req.replications }, (_, r) => r);
    this.handleMeans = req.cfg.types.map((t) => distMean(t.handleTime));
    this.staffed = new Set(req.groups);
    this.model = new StaffingModel(req.cfg, req.targets, this.staffed);
    this.nI = req.cfg.nIntervals;
    this.warm = firstMeasuredInterval(req.cfg);
    const pools = this.model.pools;
    const serves = pools.map((p) => new Set([...p.primary, ...p.reach.map((r) => r.type)]));
    this.colour = pools.map(() => -1);
    let colours = 0;
    for (const p of pools) {
      if (!p.staffed) continue;
      const used = new Set(pools.filter((q) => q.id !== p.id && this.colour[q.id] >= 0 && [...serves[q.id]].some((t) => serves[p.id].has(t))).map((q) => this.colour[q.id]));
      let c = 0;
      while (used.has(c)) c++;
      this.colour[p.id] = c;
      colours = Math.max(colours, c + 1);
    }
    this.colours = Math.max(1, colours);
  }

  /**
   * A stationary model: every contact type arrives at one rate over the whole horizon,
   * no site fails, and every staffed group has one staffing for every interval. Its
   * staffing stays one number per group: the search moves every interval at once.
   */
  get stationary(): boolean {
    const cfg = this.cfg;
    if (cfg.failures.length > 0) return false;
    if (!cfg.types.every((t) => t.arrivalRates.every((r) => r === t.arrivalRates[0]))) return false;
    return [...this.staffed].every((g) => cfg.groups[g].staffing.every((n) => n === cfg.groups[g].staffing[0]));
  }

  /**
   * The search of a stationary model: each pool has one staffing for the whole horizon.
   * From the exact start, agents are added to the pools whose types miss (as many as the
   * calibrated formula asks, at least one) until every target is met; then one agent
   * less is tried in each pool in turn until it misses: a local minimum, each single
   * removal simulated.
   */
  private async runTied(start: number[][]): Promise<{ localMinimum: boolean; note: string }> {
    this.hooks.onNote?.('step 1: exact formulas per pool (Erlang A with patience, C without), the scenario\'s offered load; a stationary model: one staffing for every interval');
    let ev = await this.step(start, 'exact');
    const setAll = (x: number[][], p: Pool, n: number) => { for (let i = 0; i < this.nI; i++) this.setPool(x, p, i, n); };
    const level = (x: number[][], p: Pool) => this.poolTotal(x, p, this.nI - 1);
    this.hooks.onNote?.('step 3: add to the pools whose contact types miss until every target is met (the formula calibrated to the simulation)');
    for (let guard = 0; !ev.allMet; guard++) {
      if (!this.budgetLeft()) return { localMinimum: false, note: `--max-iterations ${this.req.maxIterations} reached with targets missed` };
      const x = ev.x.map((a) => [...a]);
      const want = new Map<number, number>();
      // Each (type, target) that misses in some row, fixed by its cheapest effective pool.
      this.req.targets.forEach((k, kIdx) => k.types.forEach((t, u) => {
        const rows = ev.rows.map((row, j) => ({ row, j })).filter(({ j }) => !ev.stats[kIdx][u + 1][j].met);
        if (rows.length === 0) return;
        const fix = this.fixer(t, k);
        if (fix === null) { this.noteInfeasible(k, t, -1, `no staffed group serves ${this.cfg.types[t].name} in time for this target`); return; }
        const { p, e } = fix;
        const n = level(ev.x, p);
        const own = this.staffedPools.find((q) => q.primary.includes(t)) ?? p;
        let extra = 1;
        for (const { row, j } of rows) {
          const r = this.requirement(ev, own, row < 0 ? this.nI - 1 : row, j);
          if (!Number.isNaN(r.need)) extra = Math.max(extra, Math.ceil((r.need - level(ev.x, own)) / e));
        }
        const q = this.measuredQueue(ev, p, this.nI - 1);
        if (n >= q.cap) { this.noteInfeasible(k, t, -1, `still missed with ${n} agents, where waiting has vanished in the exact model: staffing does not reach it`); return; }
        want.set(p.id, Math.max(want.get(p.id) ?? n, Math.min(q.cap, n + extra)));
      }));
      if (this.infeasibleStop()) return { localMinimum: false, note: 'infeasible' };
      if (want.size === 0) return { localMinimum: false, note: 'the correction stopped with targets missed' };
      for (const [pid, n] of want) setAll(x, this.model.pools[pid], n);
      ev = await this.step(x, 'correction');
    }
    this.hooks.onNote?.('step 4: one agent less in each pool in turn (every interval), until it misses: a local minimum');
    let current = ev;
    for (const p of this.staffedPools) {
      if (this.deferredOnly(p) && this.staffedPools.length > 1) continue;
      for (;;) {
        const n = level(current.x, p);
        if (n < 1) break;
        if (!this.budgetLeft()) return { localMinimum: false, note: `--max-iterations ${this.req.maxIterations} reached before the local minimum was confirmed` };
        const x = current.x.map((a) => [...a]);
        setAll(x, p, n - 1);
        const e = await this.step(x, 'removal');
        const rec = this.records[this.records.length - 1];
        rec.tried = 1;
        rec.kept = e.allMet ? 1 : 0;
        if (!e.allMet) break;
        current = e;
      }
    }
    if (this.best === null || this.costOf(current.x).cost <= this.costOf(this.best.x).cost + 1e-9) this.best = current;
    return { localMinimum: this.best === current, note: 'every target met; no single removal keeps them met' };
  }

  private get staffedPools(): Pool[] {
    return this.model.pools.filter((p) => p.staffed);
  }

  /** The pool's agents in interval i. */
  private poolTotal(x: number[][], p: Pool, i: number): number {
    return p.groups.reduce((a, g) => a + x[g][i], 0);
  }

  /** Sets the pool's agents in interval i (given to its groups: StaffingModel.allocate). */
  private setPool(x: number[][], p: Pool, i: number, n: number): void {
    const a = this.model.allocate(p, Math.max(0, Math.round(n)));
    p.groups.forEach((g, k) => { x[g][i] = a[k]; });
  }

  /** Cost and agent-hours of the staffed groups. */
  costOf(x: number[][]): { cost: number; agentHours: number } {
    const h = this.cfg.intervalLength / 3600;
    let cost = 0, agentHours = 0;
    for (const g of this.staffed) {
      const s = x[g].reduce((a, b) => a + b, 0) * h;
      agentHours += s;
      cost += s * this.model.costs[g];
    }
    return { cost, agentHours };
  }

  /**
   * The scenario file with staffing `x` (what `--out` writes): the input's text with
   * the staffed groups' `agents` rewritten in place (their `shifts` replaced), every
   * other byte as it was (comments, anchors, layout).
   */
  fileText(x: number[][]): string {
    const staffed = [...this.staffed].sort((a, b) => a - b);
    const value = (v: number[]) => (v.every((n) => n === v[0]) ? v[0] : [...v]);
    const paths = staffed.map((g) => (isSingleQueue(this.cfg) ? [] : ['agentGroups', g]));
    return withAgents(this.req.text, paths, staffed.map((g) => value(x[g])));
  }

  private variant(x: number[][]): { cfg: ModelConfig; text: string } {
    const r = this.req;
    // The file as --out writes it (only the staffed groups' agents edited in the text),
    // so the run store, a Redis job and --out all hold the text this model came from.
    const v = compileVariant(this.fileText(x), r.source, [], r.seed, r.allowPolicies, r.trustFolder);
    return { cfg: v.cfg, text: v.text };
  }

  // ------------------------------------------------------------ simulate and judge

  private async evaluate(x: number[][], phase: Phase, indexes?: number[]): Promise<Evaluation> {
    const t0 = performance.now();
    const { cfg, text } = this.variant(x);
    const idx = indexes ?? this.sample;
    if (phase !== 'holdout') this.iteration++;
    this.hooks.onIteration?.({ iteration: this.iteration, phase, replications: idx.length });
    const bufs = await this.hooks.runner.run(cfg, idx, () => this.hooks.onReplication?.(), { typeIntervals: true, target: { run: null, arm: 0, scenario: text, planned: Math.max(...idx) + 1 } });
    const ev = this.judge(x, cfg, text, bufs);
    if (phase !== 'holdout') {
      const prev = this.last?.x;
      let added = 0, removed = 0;
      if (prev) for (const g of this.staffed) for (let i = 0; i < this.nI; i++) { const d = x[g][i] - prev[g][i]; if (d > 0) added += d; else removed -= d; }
      const { cost, agentHours } = this.costOf(x);
      const rec: IterationRecord = {
        iteration: this.iteration, phase, cost, agentHours, misses: ev.scopeMisses, typeMisses: ev.typeMisses, met: ev.allMet,
        added, removed, wallSeconds: (performance.now() - t0) / 1000,
      };
      this.records.push(rec);
      if (ev.allMet && (this.best === null || cost < this.costOf(this.best.x).cost - 1e-9)) this.best = ev;
    }
    return ev;
  }

  private judge(x: number[][], cfg: ModelConfig, text: string, bufs: Float64Array[]): Evaluation {
    const nI = this.nI, L = cfg.intervalLength, nS = cfg.sites.length;
    const blocks = bufs.map((b) => {
      const blk = typeIntervalsOf(b, cfg);
      if (blk === null) throw new Error('staffing: a replication came back without its per-type figures');
      return blk;
    });
    const rows = this.req.per === 'day' ? [DAY_ROW] : Array.from({ length: nI - this.warm }, (_, k) => this.warm + k);
    const R = bufs.length;
    const typeMet = cfg.types.map(() => new Array<boolean>(nI).fill(true));
    let scopeMisses = 0, typeMisses = 0;
    const stats = this.req.targets.map((k) => {
      const units = [k.types, ...k.types.map((t) => [t])];
      return units.map((types, u) => rows.map((row) => {
        const [i0, i1] = row === DAY_ROW ? [this.warm, nI + 1] : [row, row + 1];
        const vals = blocks.map((blk) => kpiOf(k.kpi, figures(cfg, blk, types, i0, i1)));
        // The control: the work that arrived for these types in these intervals.
        const xs = blocks.map((blk) => work(cfg, blk, types, i0, i1));
        const st = this.stat(vals, k, xs, this.expectedWork(types, i0, i1));
        if (!st.met) {
          if (u === 0) scopeMisses++;
          else {
            typeMisses++;
            if (row === DAY_ROW) typeMet[types[0]].fill(false);
            else typeMet[types[0]][row] = false;
          }
        }
        return st;
      }));
    });
    const allMet = scopeMisses === 0 && typeMisses === 0;
    // Queue entries and the load they bring.
    const local = this.model.local;
    const perSite = local ? nS : 1;
    // Queue entries per interval, corrected like the KPIs by the customers who arrived
    // against their expectation (the arrivals' Poisson noise is not load to staff for).
    const entries = cfg.types.map((ty, t) => Array.from({ length: perSite }, (_, s) => {
      const split = local ? ty.siteSplit[s] / ty.siteSplit.reduce((a, b) => a + b, 0) : 1;
      const e = new Float64Array(nI);
      const ys = new Float64Array(R), as = new Float64Array(R);
      for (let i = 0; i < nI; i++) {
        for (let r = 0; r < R; r++) {
          let c = 0, a = 0;
          for (let si = 0; si < nS; si++) {
            if (local && si !== s) continue;
            const o = typeIntervalRow(cfg, i, t, si);
            c += blocks[r][o + TI.entered];
            a += blocks[r][o + TI.arrivals];
          }
          ys[r] = c;
          as[r] = a;
        }
        e[i] = controlled(ys, as, ty.arrivalRates[i] * L * split) / L;
      }
      return e;
    }));
    const loads = entries.map((bySite, t) => bySite.map((e) => convolveLoad(Float64Array.from(e, (v) => v * L), this.model.kernels[t], L, nI)));
    return { x: x.map((a) => [...a]), cfg, text, buffers: bufs.map((b) => plainResult(b, cfg)), stats, rows, allMet, typeMet, entries, loads, scopeMisses, typeMisses };
  }

  /**
   * A KPI across replications: the mean and its one-sided bound. With a control (the
   * work that arrived, whose expectation the model knows) the mean is corrected by the
   * regression on it (Lavenberg and Welch 1981): a replication in which more work arrived
   * than expected had a worse service level for that reason, and the correction takes
   * that noise out (two thirds to four fifths of the variance of an interval's service
   * level in the Erlang-A day). Its standard error has n - 2 degrees of freedom.
   */
  private stat(vals: number[], k: StaffTarget, xs?: number[], mu?: number): UnitStat {
    const idx = vals.map((_, r) => r).filter((r) => !Number.isNaN(vals[r]));
    const n = idx.length;
    if (n === 0) return { mean: null, ci95: null, bound: null, met: true }; // nothing to judge: no contacts
    const y = idx.map((r) => vals[r]);
    const my = y.reduce((a, b) => a + b, 0) / n;
    let mean = my, se: number | null = null, df = n - 1;
    if (n >= 2) se = Math.sqrt(y.reduce((a, v) => a + (v - my) ** 2, 0) / (n - 1) / n);
    if (xs && mu !== undefined && n >= 4) {
      const x = idx.map((r) => xs[r]);
      const mx = x.reduce((a, b) => a + b, 0) / n;
      let sxx = 0, sxy = 0;
      for (let j = 0; j < n; j++) { sxx += (x[j] - mx) ** 2; sxy += (x[j] - mx) * (y[j] - my); }
      if (sxx > 0 && Number.isFinite(mu)) {
        const b = sxy / sxx;
        let see = 0;
        for (let j = 0; j < n; j++) see += ((y[j] - my) - b * (x[j] - mx)) ** 2;
        mean = my - b * (mx - mu);
        se = Math.sqrt(see / (n - 2) * (1 / n + (mx - mu) ** 2 / sxx));
        df = n - 2;
      }
    }
    let bound = mean, ci95: number | null = null;
    if (se !== null && df >= 1) {
      const h = tOneSided(this.req.confidence, df, this.tCache) * se;
      bound = k.direction === 'min' ? mean - h : mean + h;
      ci95 = t975(df) * se;
    }
    const met = k.direction === 'min' ? bound >= k.target - 1e-12 : bound <= k.target + 1e-12;
    return { mean, ci95, bound, met };
  }

  /** Expected work arriving for these types in intervals i0..i1-1 (rate x interval x mean handle time; none after the horizon). */
  private expectedWork(types: readonly number[], i0: number, i1: number): number {
    const L = this.cfg.intervalLength;
    let w = 0;
    for (const t of types) {
      const rates = this.cfg.types[t].arrivalRates, mean = this.handleMeans[t];
      for (let i = i0; i < Math.min(i1, this.nI); i++) w += rates[i] * L * mean;
    }
    return w;
  }

  private readonly handleMeans: number[];

  // ------------------------------------------------------------ the exact start

  /** Each staffed pool sized per interval by the exact formula for `rates`/`loads` (null: the scenario's), at `level` per target. */
  private analyticStaffing(base: number[][], rates: Float64Array[][], loads: Float64Array[][] | null, levels?: Map<StaffTarget, number>): number[][] {
    const x = base.map((a) => [...a]);
    for (const p of this.staffedPools) {
      const ks = this.model.poolTargets(p);
      for (let i = 0; i < this.nI; i++) {
        const q = this.model.poolQueue(p, i, rates, loads);
        let n = 0;
        for (const k of ks) n = Math.max(n, q.staff(k.kpi, k.direction, levels?.get(k) ?? k.target));
        if (!Number.isFinite(n)) n = q.cap;
        this.setPool(x, p, i, n);
      }
    }
    return x;
  }

  /** The start: the scenario's offered load, each pool by Erlang A (C without patience) per interval. */
  exactStart(): number[][] {
    const rates = this.model.scenarioEntries();
    return this.analyticStaffing(this.model.base, rates, null);
  }

  /**
   * Per-interval Erlang C staffing as workforce tools do it (for comparison): each pool's
   * scenario load, no abandonment, no time lag, the service-level target (the first
   * service-level target of the pool; pools without one keep the exact start).
   */
  erlangC(): number[][] {
    const rates = this.model.scenarioEntries();
    const x = this.exactStart();
    for (const p of this.staffedPools) {
      const k = this.model.poolTargets(p).find((t) => t.kpi === 'serviceLevel');
      if (!k) continue;
      for (let i = 0; i < this.nI; i++) {
        const q = this.model.poolQueue(p, i, rates, null);
        const servers = erlangCStaff(q.load * (q.capacity > 1 ? 1 + q.slowdown * (q.capacity - 1) : 1), q.work, this.cfg.threshold, k.target);
        this.setPool(x, p, i, Math.ceil(servers / q.capacity));
      }
    }
    return x;
  }

  // ------------------------------------------------------------ correction (per interval)

  /** The pool queue in interval i with the loads measured in `ev`. */
  private measuredQueue(ev: Evaluation, p: Pool, i: number): PoolQueue {
    return this.model.poolQueue(p, i, ev.entries, ev.loads);
  }

  /** The worst type bound of target k among `types` in row index j: [bound, type] or null. */
  private worst(ev: Evaluation, kIdx: number, types: readonly number[], j: number): { bound: number; type: number; met: boolean } | null {
    const k = this.req.targets[kIdx];
    let out: { bound: number; type: number; met: boolean } | null = null;
    k.types.forEach((t, u) => {
      if (!types.includes(t)) return;
      const st = ev.stats[kIdx][u + 1][j];
      if (st.bound === null) return;
      const worse = out === null || (k.direction === 'min' ? st.bound < out.bound : st.bound > out.bound);
      if (worse) out = { bound: st.bound, type: t, met: st.met };
    });
    return out;
  }

  /**
   * The staffing the calibrated formula asks of pool p in interval i: for each target,
   * the offset between the staffing simulated and the staffing at which the formula
   * gives the measured bound, added to the formula's staffing for the target.
   * Returns the requirement (NaN when no target tells: every bound at its best value),
   * and whether a target of the pool's types misses.
   */
  private requirement(ev: Evaluation, p: Pool, i: number, j: number, levels?: Map<StaffTarget, number>): { need: number; miss: boolean; model: number; noise: number } {
    const q = this.measuredQueue(ev, p, i);
    const n = this.poolTotal(ev.x, p, i);
    let need = NaN, miss = false, model = 0, noise = 0;
    this.req.targets.forEach((k, kIdx) => {
      if (!k.types.some((t) => p.primary.includes(t))) return;
      const level = levels?.get(k) ?? k.target;
      const nModel = q.staff(k.kpi, k.direction, level);
      model = Math.max(model, Number.isFinite(nModel) ? nModel : q.cap);
      const w = this.worst(ev, kIdx, p.primary, j);
      if (w === null) return;
      if (!w.met) miss = true;
      if (saturated(k.kpi, w.bound)) return;
      const at = q.inverse(k.kpi, k.direction, w.bound);
      const target = q.inverse(k.kpi, k.direction, level);
      if (!Number.isFinite(at) || !Number.isFinite(target)) return;
      const r = Math.ceil(target + (n - at) - 1e-9);
      need = Number.isNaN(need) ? r : Math.max(need, r);
      // The estimate's standard error in agents: about half its 95% half-width, over
      // what one agent changes in the formula.
      const ci = ev.stats[kIdx][k.types.indexOf(w.type) + 1][j].ci95;
      // (the slope where the formula stands for the simulation: at the equivalent staffing)
      const m = Math.max(1, Math.ceil(at));
      const slope = Math.abs(q.kpi(k.kpi, m) - q.kpi(k.kpi, m - 1));
      if (ci !== null && slope > 0) noise = Math.max(noise, ci / 2 / slope);
    });
    return { need, miss, model, noise };
  }

  /**
   * One correction step per interval. Misses get agents (at least one, as many as the
   * calibrated formula asks); a type that misses is fixed by the cheapest pool (per
   * effective agent) that reaches it. With `down`, room gives agents back where the
   * calibrated formula finds two or more to spare (one is left: the last ones are the
   * removal step's, which simulates each), never below a staffing seen to miss.
   */
  /**
   * The lowest staffing a down move of the correction may reach in a (pool, interval):
   * one above the highest staffing that missed there (the removal step may still go
   * lower: it simulates each removal).
   */
  private floorOf(lo: Map<string, { n: number; at: number }>, key: string): number {
    const e = lo.get(key);
    return e ? e.n + 1 : 0;
  }

  private correct(ev: Evaluation, lo: Map<string, { n: number; at: number }>, minRoom: number, noiseRooms = 0, minShare = 0): { x: number[][]; changed: boolean; added: { p: Pool; i: number }[] } {
    const down = minRoom > 0;
    const x = ev.x.map((a) => [...a]);
    let changed = false;
    const added: { p: Pool; i: number }[] = [];
    for (let j = 0; j < ev.rows.length; j++) {
      const i = ev.rows[j];
      const want = new Map<number, number>(); // pool -> new total
      if (down) {
        for (const p of this.staffedPools) {
          const n = this.poolTotal(ev.x, p, i);
          const r = this.requirement(ev, p, i, j);
          const key = `${p.id}/${i}`;
          if (r.miss) { lo.set(key, { n: Math.max(this.floorOf(lo, key) - 1, n), at: this.iteration }); continue; }
          const floor = this.floorOf(lo, key);
          let next = n;
          const room = Math.max(minRoom, Math.ceil(noiseRooms * r.noise), Math.ceil(minShare * n));
          if (!Number.isNaN(r.need)) { if (r.need <= n - room) next = Math.max(r.need + 1, floor); }
          else if (r.model <= n - room) next = Math.max(floor, n - Math.ceil((n - r.model) / 2));
          if (next < n) want.set(p.id, next);
        }
      }
      // Misses: each (type, target) that misses; a scope that misses while its types
      // meet is laid to its worst type.
      const misses: { t: number; k: StaffTarget }[] = [];
      this.req.targets.forEach((k, kIdx) => {
        let typeMiss = false;
        k.types.forEach((t, u) => { if (!ev.stats[kIdx][u + 1][j].met) { misses.push({ t, k }); typeMiss = true; } });
        if (!typeMiss && !ev.stats[kIdx][0][j].met) {
          const w = this.worst(ev, kIdx, k.types, j);
          if (w) misses.push({ t: w.type, k });
        }
      });
      for (const { t, k } of misses) {
        const fix = this.fixer(t, k);
        if (fix === null) {
          this.noteInfeasible(k, t, i, `no staffed group serves ${this.cfg.types[t].name} in time for this target`);
          continue;
        }
        const { p, e } = fix;
        const n = this.poolTotal(ev.x, p, i);
        // How many: the calibrated formula of the type's own pool, per effective agent.
        const own = this.staffedPools.find((q) => q.primary.includes(t)) ?? p;
        const r = this.requirement(ev, own, i, j);
        const ownN = this.poolTotal(ev.x, own, i);
        // (and half the estimate's standard error in agents more: a fix that lands just
        // on the target flips back with the next move of the sample paths)
        const extra = (Number.isNaN(r.need) ? 1 : Math.max(1, Math.ceil((r.need - ownN) / e))) + Math.ceil(0.5 * r.noise / e);
        const q = this.measuredQueue(ev, p, i);
        if (n >= q.cap) {
          this.noteInfeasible(k, t, i, `still missed with ${n} agents, where waiting has vanished in the exact model: staffing does not reach it`);
          continue;
        }
        if (this.stuck(k, t, i, n, ev, j)) continue;
        // A (pool, interval) that misses again gets one more than asked: it sits where
        // the noise of the sample paths flips it.
        const again = this.missCount.get(`${p.id}/${i}`) ?? 0;
        this.missCount.set(`${p.id}/${i}`, again + 1);
        want.set(p.id, Math.max(want.get(p.id) ?? n, Math.min(q.cap, n + extra + (again > 0 ? 1 : 0))));
      }
      for (const [pid, n] of want) {
        const p = this.model.pools[pid];
        const before = this.poolTotal(x, p, i);
        if (before !== n) {
          this.setPool(x, p, i, n);
          changed = true;
          if (n > before) added.push({ p, i });
        }
      }
    }
    return { x, changed, added };
  }

  /**
   * The pool whose agents fix a miss of type t's target k at the least cost: cost per
   * agent-hour over effectiveness (StaffingModel.effectiveness: proficiency, and for a
   * group that takes t only after a delay, whether the delay leaves the target reachable).
   */
  fixer(t: number, k: StaffTarget): { p: Pool; e: number } | null {
    const cand = this.staffedPools
      .map((p) => ({ p, e: this.model.effectiveness(p, t, k) }))
      .filter((c) => c.e > 0)
      .sort((a, b) => this.model.poolCost(a.p) / a.e - this.model.poolCost(b.p) / b.e || a.p.id - b.p.id);
    return cand[0] ?? null;
  }

  /** Misses fixed so far per (pool, interval). */
  private readonly missCount = new Map<string, number>();

  /** First miss of each (target, type, interval): the pool's staffing and the bound then. */
  private readonly firstMiss = new Map<string, { n: number; bound: number }>();

  /**
   * A miss that staffing does not move: after the pool has grown by a quarter (at least
   * five agents) since the first miss, the bound has closed less than a tenth of the
   * gap. Noted as infeasible (a site failure losing calls, a target below what the
   * model's structure allows).
   */
  private stuck(k: StaffTarget, t: number, i: number, n: number, ev: Evaluation, j: number): boolean {
    const kIdx = this.req.targets.indexOf(k);
    const st = ev.stats[kIdx][k.types.indexOf(t) + 1][j];
    if (st.bound === null) return false;
    const key = `${kIdx}/${t}/${i}`;
    const first = this.firstMiss.get(key);
    if (!first) { this.firstMiss.set(key, { n, bound: st.bound }); return false; }
    if (n - first.n < Math.max(5, 0.25 * first.n)) return false;
    const gap0 = Math.abs(k.target - first.bound), closed = k.direction === 'min' ? st.bound - first.bound : first.bound - st.bound;
    if (closed >= 0.1 * gap0) return false;
    this.noteInfeasible(k, t, i, `still missed after the agents serving it grew from ${first.n} to ${n} (the bound moved from ${targetLevel(k.kpi, round4(first.bound))} to ${targetLevel(k.kpi, round4(st.bound))}): staffing does not move it`);
    return true;
  }

  private noteInfeasible(k: StaffTarget, t: number, i: number, why: string): void {
    const type = this.cfg.types[t].name;
    let e = this.infeasible.find((f) => f.target === k.name && f.type === type && f.why === why);
    if (!e) this.infeasible.push((e = { target: k.name, type, intervals: [], why }));
    if (i >= 0 && !e.intervals.includes(i * this.cfg.intervalLength)) e.intervals.push(i * this.cfg.intervalLength);
  }

  // ------------------------------------------------------------ removal (per interval)

  /** Whether every target of every type pool p serves (primary or in reach) is met in interval i of `ev`. */
  private poolMet(ev: Evaluation, p: Pool, i: number): boolean {
    if (i >= this.nI) return true;
    for (const t of [...p.primary, ...p.reach.map((r) => r.type)]) if (!ev.typeMet[t][i]) return false;
    // And the scopes (a channel's figure) in that interval.
    const j = ev.rows.indexOf(i);
    if (j < 0) return true;
    return this.req.targets.every((k, kIdx) => ev.stats[kIdx][0][j].met || !k.types.some((t) => p.primary.includes(t)));
  }

  /** Pools staffed for deferred work only (reply deadlines of hours): removals there move work across intervals, not within one. */
  private deferredOnly(p: Pool): boolean {
    return this.model.poolTargets(p).every((k) => k.kpi === 'replyOnTime');
  }

  // ------------------------------------------------------------ run

  async run(): Promise<SearchOutcome> {
    const start = this.exactStart();
    let note = '';
    let localMinimum = false;
    let status: SearchOutcome['status'] = 'not-met';
    try {
      const out = this.stationary ? await this.runTied(start) : this.req.per === 'day' ? await this.runDay(start) : await this.runIntervals(start);
      localMinimum = out.localMinimum;
      note = out.note;
      status = this.infeasible.length > 0 && !(this.best) ? 'infeasible' : this.best ? 'met' : 'not-met';
    } catch (e) {
      if (!(e instanceof RunInterrupted)) throw e;
      status = 'interrupted';
      note = 'stopped: the best staffing simulated so far';
    }
    const chosen = this.best ?? this.last;
    let holdout: SearchOutcome['holdout'] = null;
    if (chosen && status !== 'interrupted' && this.req.holdout !== false) {
      try {
        const R = this.req.replications;
        this.hooks.onNote?.(`check: the staffing found on ${R} fresh replications (other seeds)`);
        const h = await this.evaluate(chosen.x, 'holdout', Array.from({ length: R }, (_, r) => this.sample.length + (this.validation ? R : 0) + r));
        holdout = {
          replications: R,
          misses: this.req.targets.map((k, kIdx) => ({
            target: k.name,
            intervals: h.rows.filter((_, j) => {
              const st = h.stats[kIdx][0][j];
              return st.mean !== null && !(k.direction === 'min' ? st.mean >= k.target - 1e-12 : st.mean <= k.target + 1e-12);
            }).map((row) => (row === DAY_ROW ? -1 : row * this.cfg.intervalLength)),
          })),
        };
      } catch (e) {
        if (!(e instanceof RunInterrupted)) throw e;
        status = 'interrupted';
      }
    }
    const x = chosen?.x ?? start;
    const { cost, agentHours } = this.costOf(x);
    return {
      status,
      staffing: x,
      start,
      text: chosen?.text ?? this.req.text,
      cfg: chosen?.cfg ?? this.cfg,
      cost, agentHours, costUnit: this.model.costUnit,
      met: chosen?.allMet ?? false,
      localMinimum: localMinimum && chosen === this.best,
      iterations: this.records,
      report: chosen ? this.report(chosen) : [],
      buffers: chosen?.buffers ?? [],
      holdout,
      infeasible: this.infeasible,
      note,
      removals: this.removalTally,
      validation: this.validation,
    };
  }

  /**
   * (target, type, row) pairs clearly short in an evaluation: the far end of the interval
   * at the confidence asked (mean + t se for a minimum) is still short of the target.
   */
  private clearMisses(ev: Evaluation): number {
    let n = 0;
    this.req.targets.forEach((k, kIdx) => ev.stats[kIdx].forEach((unit) => unit.forEach((st) => {
      if (st.mean === null || st.bound === null) return;
      const far = 2 * st.mean - st.bound;
      if (k.direction === 'min' ? far < k.target - 1e-12 : far > k.target + 1e-12) n++;
    })));
    return n;
  }

  /** Adds agents (the correction, up only) until every target is met on the current sample; null past the budget. */
  private async repair(x0: number[][]): Promise<Evaluation | null> {
    const lo = new Map<string, { n: number; at: number }>();
    let ev = await this.step(x0, 'check');
    for (let guard = 0; !ev.allMet; guard++) {
      if (!this.budgetLeft() || guard >= 12 || this.infeasibleStop()) return null;
      const c = this.correct(ev, lo, 0);
      if (!c.changed) return null;
      ev = await this.step(c.x, 'correction');
    }
    return ev;
  }

  private budgetLeft(): boolean {
    return this.iteration < this.req.maxIterations;
  }

  private async step(x: number[][], phase: Phase): Promise<Evaluation> {
    const ev = await this.evaluate(x, phase);
    this.last = ev;
    this.hooks.onRecord?.(this.records[this.records.length - 1]);
    return ev;
  }

  /**
   * Steps 1 and 2: the exact start simulated, then each pool sized again by the formula
   * at the offered load measured in the simulation, at most `rounds` times, while the
   * staffing moves by more than one agent.
   */
  private async exactThenMeasured(start: number[][], rounds: number): Promise<Evaluation> {
    this.hooks.onNote?.('step 1: exact formulas per interval and pool (Erlang A with patience, C without), the scenario\'s offered load');
    let ev = await this.step(start, 'exact');
    this.hooks.onNote?.('step 2: offered load measured in the simulation (infinite-server), each pool sized again');
    for (let round = 0; round < rounds && this.budgetLeft(); round++) {
      const x = this.analyticStaffing(ev.x, ev.entries, ev.loads);
      let moved = 0;
      for (const p of this.staffedPools) for (let i = 0; i < this.nI; i++) moved = Math.max(moved, Math.abs(this.poolTotal(x, p, i) - this.poolTotal(ev.x, p, i)));
      if (moved === 0) break;
      ev = await this.step(x, 'offered-load');
      if (moved <= 1) break;
    }
    return ev;
  }

  private async runIntervals(start: number[][]): Promise<{ localMinimum: boolean; note: string }> {
    let ev = await this.exactThenMeasured(start, 3);
    // Step 3: correction from the calibrated formula, both ways, then up only.
    this.hooks.onNote?.('step 3: add where a target misses, remove where there is room (the formula calibrated to the simulation)');
    const lo = new Map<string, { n: number; at: number }>();
    for (let round = 0; this.budgetLeft() && round < 40; round++) {
      // Room of two agents or more is given back in the first four rounds; up to round
      // ten only room of at least twice the estimate's standard error in agents; from
      // then on only misses move, and the correction stops once every target is met (a
      // move shakes the queues' sample paths, and near the targets the noise flips other
      // intervals): the removal step takes the rest, simulating the removals.
      if (round >= 10 && ev.allMet) break;
      const { x, changed } = this.correct(ev, lo, round < 10 ? 2 : 0, round < 4 ? 0 : 2);
      if (!changed) break;
      if (this.infeasibleStop()) return { localMinimum: false, note: 'infeasible' };
      ev = await this.step(x, 'correction');
    }
    if (this.infeasibleStop()) return { localMinimum: false, note: 'infeasible' };
    if (!ev.allMet) return { localMinimum: false, note: this.budgetLeft() ? 'the correction stopped with targets missed' : `--max-iterations ${this.req.maxIterations} reached with targets missed` };
    if (this.req.holdout !== false) {
      const v = await this.validate(ev);
      if (v === null) return { localMinimum: false, note: 'the repair after the check on fresh replications did not meet every target within --max-iterations' };
      if (v !== ev) { this.best = v; ev = v; }
    }
    return this.removals(ev);
  }

  /**
   * The staffing met on the search's sample, simulated on R fresh replications: a
   * (target, type, interval) clearly short there (even the far end of its interval at the
   * confidence asked is below the target) was fitted to the sample's luck. Then both
   * samples judge from here on (2R replications) and agents are added where they miss
   * until every target is met. Returns the staffing to go on from (null: the budget ran
   * out while repairing).
   */
  private async validate(ev: Evaluation): Promise<Evaluation | null> {
    const R = this.req.replications;
    this.hooks.onNote?.(`check: the staffing met on ${R} fresh replications (other seeds)`);
    const h = await this.evaluate(ev.x, 'holdout', Array.from({ length: R }, (_, r) => this.sample.length + r));
    const short = this.clearMisses(h);
    this.validation = { replications: R, clearMisses: short };
    if (short === 0) return ev;
    this.hooks.onNote?.(`repair: ${short} (target, contact type, interval) clearly short on the fresh replications; judged on ${this.sample.length + R} replications from here`);
    this.sample = Array.from({ length: this.sample.length + R }, (_, r) => r);
    return this.repair(ev.x);
  }

  /** The check on fresh replications before the removals: how many were clearly short. */
  validation: { replications: number; clearMisses: number } | null = null;

  /**
   * Step 4: one agent less in every (pool, interval) of a class (every other interval;
   * pools that share no contact type), simulated together. A removal whose interval or
   * the next misses goes back, and that (pool, interval) is tight. The staffing with the
   * others is simulated as such: where it misses (the queue's sample path moved), the
   * removal the miss follows in its pool goes back and is tight, and the rest is
   * simulated again, twice at most; then the class gives up (its removals are tight).
   * Nothing is ever added here, so the cost only falls. Until every (pool, interval) is
   * tight: each removal was simulated and a miss followed it.
   */
  private async removals(ev: Evaluation): Promise<{ localMinimum: boolean; note: string }> {
    this.hooks.onNote?.('step 4: remove one agent per pool and interval where the targets stay met, until no removal keeps them (a local minimum)');
    const classes: { parity: number; colour: number }[] = [];
    for (let r = 0; r < 2; r++) for (let c = 0; c < this.colours; c++) classes.push({ parity: r, colour: c });
    const tight = new Set<string>();
    /** removals put back without a miss laid to them: the sample paths moved too much to tell */
    const undecided = new Set<string>();
    /** (pool, interval) where a removal of more than one agent missed, and how many: half as many next time */
    const stepFailed = new Map<string, number>();
    /** (pool, interval) where the calibrated formula says one agent less misses */
    const byFormula = new Set<string>();
    const key = (p: Pool, i: number) => `${p.id}/${i}`;
    const budget = () => ({ localMinimum: false, note: `--max-iterations ${this.req.maxIterations} reached before the local minimum was confirmed` });
    let current = ev;
    let quiet = 0, cls = 0;
    while (quiet < classes.length) {
      const { parity, colour } = classes[cls % classes.length];
      cls++;
      let set: { p: Pool; i: number; k: number }[] = [];
      for (const p of this.staffedPools) {
        if (this.colour[p.id] !== colour || this.deferredOnly(p)) continue;
        for (let i = this.warm + parity; i < this.nI; i += 2) {
          const n = this.poolTotal(current.x, p, i);
          if (tight.has(key(p, i)) || n < 1) continue;
          // As many as the calibrated formula finds to spare less one (at least one;
          // one after a larger step failed here).
          const r = this.requirement(current, p, i, current.rows.indexOf(i));
          // The calibrated formula says one agent less misses: tight by the formula, not simulated.
          if (!Number.isNaN(r.need) && r.need >= n) { byFormula.add(key(p, i)); continue; }
          byFormula.delete(key(p, i));
          const failed = stepFailed.get(key(p, i));
          const k = failed !== undefined ? Math.max(1, Math.floor(failed / 2)) : Number.isNaN(r.need) ? 1 : Math.max(1, n - r.need - 1);
          set.push({ p, i, k });
        }
      }
      if (set.length === 0) { quiet++; continue; }
      const tried = set.length;
      let accepted: Evaluation | null = null;
      for (let round = 0; round < 4 && set.length > 0; round++) {
        if (!this.budgetLeft()) return budget();
        const x = current.x.map((a) => [...a]);
        for (const { p, i, k } of set) this.setPool(x, p, i, this.poolTotal(current.x, p, i) - k);
        const e = await this.step(x, round === 0 ? 'removal' : 'retry');
        const rec = this.records[this.records.length - 1];
        rec.tried = tried;
        if (e.allMet) { rec.kept = set.length; accepted = e; break; }
        rec.kept = 0;
        if (round === 3) break;
        let back: Set<{ p: Pool; i: number; k: number }>;
        if (round === 0) {
          // The first simulation judges each removal by its interval and the next.
          back = new Set(set.filter(({ p, i }) => !this.poolMet(e, p, i) || !this.poolMet(e, p, i + 1)));
          if (back.size === 0) back = this.culprits(e, set) as Set<{ p: Pool; i: number; k: number }>;
        } else if (round === 1) {
          // From then on a miss goes to the removal it follows.
          back = this.culprits(e, set) as Set<{ p: Pool; i: number; k: number }>;
        } else {
          // Last try: only the pools whose contact types all met.
          const clean = new Set(this.staffedPools.filter((p) => [...p.primary, ...p.reach.map((r) => r.type)].every((t) => e.typeMet[t].every(Boolean))));
          back = new Set(set.filter((c) => !clean.has(c.p)));
          for (const c of back) if (c.k === 1) undecided.add(key(c.p, c.i));
        }
        // A one-agent removal a miss follows: tight. A larger step: one agent next time.
        for (const c of back) {
          if (c.k > 1) { stepFailed.set(key(c.p, c.i), c.k); undecided.delete(key(c.p, c.i)); }
          else tight.add(key(c.p, c.i));
        }
        set = set.filter((c) => !back.has(c));
      }
      if (accepted !== null) for (const c of set) stepFailed.delete(key(c.p, c.i));
      if (accepted === null) {
        // Not told apart from the noise of the sample paths: tight, but undecided.
        for (const c of set) {
          if (c.k > 1) { stepFailed.set(key(c.p, c.i), c.k); continue; }
          tight.add(key(c.p, c.i));
          undecided.add(key(c.p, c.i));
        }
        if (set.some((c) => c.k > 1)) quiet = 0; else quiet++;
        continue;
      }
      quiet = 0;
      current = accepted;
    }
    if (this.best === null || this.costOf(current.x).cost <= this.costOf(this.best.x).cost + 1e-9) this.best = current;
    this.removalTally = { tight: tight.size - undecided.size, undecided: undecided.size, byFormula: byFormula.size };
    if (undecided.size > 0) {
      return {
        localMinimum: false,
        note: `${undecided.size} of ${tight.size} one-agent removals simulated could not be told from the noise of ${this.req.replications} replications (misses moved elsewhere when they were tried): more replications decide them`,
      };
    }
    return {
      localMinimum: this.best === current,
      note: `every target met; no single removal keeps them met (${tight.size} removals simulated and missed${byFormula.size ? `, ${byFormula.size} where the calibrated formula says one agent less misses` : ''})`,
    };
  }

  /** Step 4's count: removals a miss was laid to, removals the noise left undecided, and (pool, interval) the calibrated formula judged. */
  removalTally: { tight: number; undecided: number; byFormula: number } | null = null;

  /**
   * The removals a simulation's misses are laid to: for each (type, interval) that
   * misses, the removal in a pool that serves the type at that interval, else at the
   * next (a call may still wait there), else the nearest before it (a removal changes
   * the queue from its interval on). A miss before every removal is laid to them all.
   */
  private culprits(ev: Evaluation, set: { p: Pool; i: number }[]): Set<{ p: Pool; i: number }> {
    const out = new Set<{ p: Pool; i: number }>();
    const serves = (p: Pool, t: number) => p.primary.includes(t) || p.reach.some((r) => r.type === t);
    const blame = (t: number, i: number) => {
      const mine = set.filter((c) => serves(c.p, t));
      const hit = mine.find((c) => c.i === i) ?? mine.find((c) => c.i === i + 1)
        ?? mine.filter((c) => c.i < i).sort((a, b) => b.i - a.i)[0];
      if (hit) out.add(hit);
      else for (const c of mine) out.add(c);
    };
    for (let t = 0; t < this.cfg.types.length; t++) for (let i = 0; i < this.nI; i++) if (!ev.typeMet[t][i]) blame(t, i);
    this.req.targets.forEach((k, kIdx) => ev.rows.forEach((row, j) => {
      if (!ev.stats[kIdx][0][j].met && row >= 0) for (const t of k.types) blame(t, row);
    }));
    if (out.size === 0) for (const c of set) out.add(c);
    return out;
  }

  private infeasibleStop(): boolean {
    return this.infeasible.length > 0;
  }

  // ------------------------------------------------------------ per day

  private async runDay(start: number[][]): Promise<{ localMinimum: boolean; note: string }> {
    let ev = await this.exactThenMeasured(start, 2);
    // Step 3: the day's totals miss: agents where the formula says one does the most for
    // the day per unit of cost, in doubling batches, until they meet.
    this.hooks.onNote?.("step 3: add agents where the formula says they do the day's totals most good, in doubling batches, until they meet");
    let batch = Math.max(1, this.nI - this.warm);
    while (!ev.allMet) {
      if (!this.budgetLeft()) return { localMinimum: false, note: `--max-iterations ${this.req.maxIterations} reached with targets missed` };
      const cands = this.dayCandidates(ev, 'add');
      if (cands.length === 0) return { localMinimum: false, note: "no pool can take more agents: the day's targets are out of reach" };
      const x = ev.x.map((a) => [...a]);
      spread(batch, cands, (c, k) => this.setPool(x, c.p, c.i, this.poolTotal(x, c.p, c.i) + k));
      const prev = ev;
      ev = await this.step(x, 'correction');
      if (this.stuckDay(prev, ev)) return { localMinimum: false, note: "the day's targets did not move with more agents" };
      batch *= 2;
    }
    // Step 4: removals where the formula says they cost the day least, in halving batches.
    this.hooks.onNote?.('step 4: remove agents where the formula says the day loses least, in halving batches, until one removal fails');
    let current = ev;
    batch = Math.max(1, Math.floor((this.nI - this.warm) / 2));
    for (;;) {
      if (!this.budgetLeft()) return { localMinimum: false, note: `--max-iterations ${this.req.maxIterations} reached before the local minimum was confirmed` };
      const cands = this.dayCandidates(current, 'remove');
      if (cands.length === 0) return { localMinimum: true, note: 'every target met; no agent left to remove' };
      const xb = current.x.map((a) => [...a]);
      spread(batch, cands, (c, k) => this.setPool(xb, c.p, c.i, Math.max(0, this.poolTotal(xb, c.p, c.i) - k)));
      const evb = await this.step(xb, 'removal');
      const rec = this.records[this.records.length - 1];
      rec.tried = batch;
      rec.kept = evb.allMet ? batch : 0;
      if (evb.allMet) { current = evb; continue; }
      if (batch === 1) {
        if (this.best === null || this.costOf(current.x).cost <= this.costOf(this.best.x).cost + 1e-9) this.best = current;
        return { localMinimum: this.best === current, note: 'every target met; the removal the formula says costs the day least fails' };
      }
      batch = Math.max(1, Math.floor(batch / 2));
    }
  }

  /** The day's worst bound did not improve between two simulations with more agents. */
  private stuckDay(prev: Evaluation, ev: Evaluation): boolean {
    const gap = (e: Evaluation) => Math.max(...this.req.targets.map((k, kIdx) => Math.max(...e.stats[kIdx].map((u) => {
      const b = u[0].bound;
      return b === null ? 0 : k.direction === 'min' ? k.target - b : b - k.target;
    }))));
    const g0 = gap(prev), g1 = gap(ev);
    const added = this.costOf(ev.x).agentHours - this.costOf(prev.x).agentHours;
    return g1 > 0 && g1 >= g0 - 1e-12 && added >= 0.25 * this.costOf(prev.x).agentHours;
  }

  /**
   * (pool, interval) moves for the day's totals, from the formula at the measured load:
   * `remove`: the removals that lose the day's targets least per unit of cost saved,
   * first; `add`: the additions that gain the most per unit of cost, first (a pool
   * whose types miss most first). The loss or gain of one agent: the change of each
   * target's KPI times the contacts it applies to, the worst target's.
   */
  private dayCandidates(ev: Evaluation, mode: 'add' | 'remove'): { p: Pool; i: number }[] {
    const out: { p: Pool; i: number; score: number }[] = [];
    for (const p of this.staffedPools) {
      if (mode === 'remove' && this.deferredOnly(p)) continue;
      const ks = this.model.poolTargets(p);
      for (let i = this.warm; i < this.nI; i++) {
        const n = this.poolTotal(ev.x, p, i);
        if (mode === 'remove' && n < 1) continue;
        const q = this.measuredQueue(ev, p, i);
        if (mode === 'add' && n >= q.cap) continue;
        const [a, b] = mode === 'remove' ? [n - 1, n] : [n, n + 1];
        let effect = 0;
        for (const k of ks) {
          const d = Math.abs(q.kpi(k.kpi, b) - q.kpi(k.kpi, a));
          effect = Math.max(effect, (k.kpi === 'asa' ? d / Math.max(1, k.target) : d) * q.lambda);
        }
        out.push({ p, i, score: effect / this.model.poolCost(p) });
      }
    }
    const sign = mode === 'remove' ? 1 : -1;
    return out.sort((x, y) => sign * (x.score - y.score) || x.p.id - y.p.id || x.i - y.i).map(({ p, i }) => ({ p, i }));
  }

  // ------------------------------------------------------------ report

  private report(ev: Evaluation): TargetReport[] {
    const L = this.cfg.intervalLength;
    return this.req.targets.map((k, kIdx) => {
      const rows = ev.rows.map((row, j): TargetRow => {
        const st = ev.stats[kIdx][0][j];
        const w = this.worst(ev, kIdx, k.types, j);
        const single = k.types.length === 1;
        return {
          start: row === DAY_ROW ? effectiveWarmup(this.cfg) : row * L,
          end: row === DAY_ROW ? this.cfg.horizon : (row + 1) * L,
          warmup: false,
          mean: st.mean, ci95: st.ci95, bound: st.bound,
          met: st.met && (single || (w?.met ?? true)),
          worstType: single || w === null ? null : this.cfg.types[w.type].name,
          worstBound: single || w === null ? null : w.bound,
        };
      });
      return { name: k.name, path: k.path, target: k.target, direction: k.direction, rows, met: rows.every((r) => r.met) };
    });
  }
}

/** Runs the search. */
export async function searchStaffing(req: SearchRequest, hooks: SearchHooks): Promise<SearchOutcome> {
  return new StaffingSearch(req, hooks).run();
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
