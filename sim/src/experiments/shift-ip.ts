import type { Highs } from 'highs';
import type { CompiledShifts, CompiledTemplate, ScheduleGrid } from './shifts.ts';
import { clock } from './shifts.ts';

/**
 * The shift-scheduling integer program, written in CPLEX LP format and solved by HiGHS
 * (the npm package `highs`: HiGHS compiled to WebAssembly). docs/scheduling.md has the
 * formulation; in short:
 *
 * - a shift is a template starting at one interval of one day, worked by one group;
 * - its agents are split by where they take their first break (one integer variable per
 *   break offset: the explicit break formulation); each further break has its own
 *   variables per offset, as many agents in all as the shift has (Aykin's formulation,
 *   1996), so a shift with two meals of six offsets each needs 12 variables, not 36;
 * - coverage: agents present in each interval and group (on a shift and not on a break)
 *   at least the requirement. (The `differenced` form writes these rows as equalities
 *   with a surplus variable, differenced interval by interval: the same polytope with
 *   a fifth of the nonzeros, but HiGHS's heuristics find schedules far later on it;
 *   kept for measuring, docs/scheduling.md);
 * - at least `min` agents on a shift that is used (one binary per shift), at most `max`;
 * - head count: agents starting a shift on a day, per site and per group, at most the
 *   file's limits;
 * - the horizon is cyclic: a shift running past the end of the last day covers the
 *   first intervals of the first (the day, or the week, repeats).
 */

const DAY = 86400;

/** One shift: a template at a start, on a day, for a group. */
export interface ShiftInstance {
  readonly template: number;
  readonly day: number;
  /** interval of the day it starts in */
  readonly start: number;
  readonly group: number;
  /** absolute interval of the horizon it starts in */
  readonly abs: number;
  /** first variable of each of its breaks (or its only variable), and how many */
  readonly vars: readonly { readonly first: number; readonly count: number }[];
}

/** What the IP is asked: the grid, the templates, the requirement; for a repair, what stays. */
export interface ShiftProblem {
  readonly grid: ScheduleGrid;
  readonly shifts: CompiledShifts;
  /** per group (grid.groups order): agents required in each interval of the horizon (days x intervals per day) */
  readonly required: readonly (readonly number[])[];
  /** agents already on each variable (by variableKey) that the solution must keep: a repair adds to them */
  readonly keep?: ReadonlyMap<string, number>;
  /** 'cost' (default): the cheapest schedule; 'shifts': the fewest shifts (agents on shifts), cost breaking ties */
  readonly objective?: 'cost' | 'shifts';
}

export interface SolveOptions {
  /** seconds HiGHS may take (default 60) */
  readonly timeLimit?: number;
  /** relative gap at which HiGHS stops (default DEFAULT_GAP) */
  readonly gap?: number;
  /** 'direct' (default) or 'differenced' coverage rows (the same polytope; for measuring the difference) */
  readonly form?: 'differenced' | 'direct';
  /**
   * Asked between HiGHS's runs (each run blocks the thread): true ends the search with
   * the best schedule so far, as the time limit would (a Ctrl-C seen between runs).
   */
  readonly stop?: () => boolean;
  /**
   * For measuring what the steps buy (bench/schedule.ts): 'whole' skips the program on
   * the LP's support (HiGHS on each whole program from the start); `joint` solves every
   * group in one program.
   */
  readonly method?: 'staged' | 'whole';
  readonly joint?: boolean;
}

/** The relative optimality gap the solver stops at unless told otherwise. */
export const DEFAULT_GAP = 0.005;

/** Agents with the same shift and the same breaks. */
export interface ShiftRow {
  readonly template: string;
  readonly day: number;
  /** seconds from the start of the horizon */
  readonly start: number;
  readonly end: number;
  readonly group: string;
  readonly site: string;
  readonly agents: number;
  /** seconds from the start of the horizon */
  readonly breaks: readonly { readonly name: string; readonly start: number; readonly end: number }[];
  readonly cost: number;
}

export interface SolverReport {
  readonly solver: string;
  /** optimal (within the gap asked), or the best found when the time limit stopped the solver */
  readonly status: 'optimal' | 'time limit';
  readonly objective: number;
  /** the best bound the solver proved: no schedule costs less */
  readonly bound: number;
  /** (objective - bound) / objective */
  readonly gap: number;
  readonly gapAsked: number;
  readonly seconds: number;
  readonly timeLimit: number;
  readonly variables: number;
  readonly integerVariables: number;
  readonly constraints: number;
  readonly nonzeros: number;
  readonly buildSeconds: number;
  /** branch-and-bound nodes explored, summed over the solves (none for an LP relaxation) */
  readonly nodes: number;
  /** the solves: LP relaxation, integer program on its support, whole integer program */
  readonly stages: { readonly stage: string; readonly status: string; readonly seconds: number; readonly objective: number | null; readonly nodes: number }[];
  /** integer programs: one per group, or per site whose head count binds */
  readonly programs: number;
}

export interface ShiftSolution {
  readonly solver: SolverReport;
  /** what the schedule costs (sum of cost x agents over shifts): the objective when it is cost */
  readonly cost: number;
  /** agents on shifts (a shift worked by 12 agents counts 12) */
  readonly agentShifts: number;
  readonly rows: readonly ShiftRow[];
  /** per group, per interval: agents present (on a shift, not on a break) */
  readonly present: readonly number[][];
  /** every variable's value by variableKey (a repair keeps them) */
  readonly values: ReadonlyMap<string, number>;
}

/** The schedule cannot cover the requirement: which intervals of which groups fall short, and by how many agents (at least). */
export class ScheduleInfeasible extends Error {
  constructor(
    message: string,
    readonly short: readonly { readonly group: string; readonly site: string; readonly interval: number; readonly required: number; readonly shortBy: number | null }[],
  ) {
    super(message);
    this.name = 'ScheduleInfeasible';
  }
}

/** HiGHS stopped at its time limit without a schedule that covers the requirement. */
export class ScheduleTimeout extends Error {
  constructor(readonly seconds: number, readonly bound: number | null) {
    super(`no schedule found within the time limit (${seconds} s)`);
    this.name = 'ScheduleTimeout';
  }
}

/** The key of a variable: template, day, start, group, break, offset. */
export function variableKey(inst: { template: number; day: number; start: number; group: number }, brk: number, offset: number): string {
  return `${inst.template}/${inst.day}/${inst.start}/${inst.group}/${brk}/${offset}`;
}

interface Column {
  /** v: shift or break agents (integer), s: surplus, e: shortfall (elastic), u: shift used (binary) */
  kind: 'v' | 's' | 'e' | 'u';
  cost: number;
  lower: number;
  upper: number;
}

interface Row {
  name: string;
  cols: number[];
  vals: number[];
  sense: '=' | '<=' | '>=';
  rhs: number;
}

interface Built {
  cols: Column[];
  rows: Row[];
  instances: ShiftInstance[];
  /** per v column: its instance, break (-1: a shift without breaks), offset */
  vInfo: { col: number; inst: number; brk: number; offset: number }[];
  /** the groups it holds */
  only: readonly number[];
  colName: (c: number) => string;
  nonzeros: number;
  integer: number;
}

/** The shifts of the groups `only`, in a fixed order: group, template, day, start. */
function instancesOf(p: ShiftProblem, only: readonly number[]): Omit<ShiftInstance, 'vars'>[] {
  const n = Math.round(DAY / p.grid.intervalLength);
  const out: Omit<ShiftInstance, 'vars'>[] = [];
  only.forEach((g) => {
    p.shifts.templates.forEach((t, ti) => {
      if (!t.groups[g]) return;
      for (let d = 0; d < p.grid.days; d++) {
        if (!t.days[d]) continue;
        for (const s of t.starts) out.push({ template: ti, day: d, start: s, group: g, abs: d * n + s });
      }
    });
  });
  return out;
}

/** The intervals (absolute, cyclic) each agent of a variable is present (+1) or taken off (-1) in. */
function coverage(t: CompiledTemplate, brk: number, offset: number): { from: number; to: number; sign: number }[] {
  if (brk < 0) return [{ from: 0, to: t.length, sign: 1 }];
  const b = t.breaks[brk];
  if (brk === 0) return [{ from: 0, to: offset, sign: 1 }, { from: offset + b.length, to: t.length, sign: 1 }].filter((r) => r.to > r.from);
  return [{ from: offset, to: offset + b.length, sign: -1 }];
}

/** The model of the groups `only` (a component of the problem: groups no head count links to others). */
function build(p: ShiftProblem, only: readonly number[], opts: { form: 'differenced' | 'direct'; elastic: boolean }): Built {
  const T = p.grid.days * Math.round(DAY / p.grid.intervalLength);
  const cols: Column[] = [];
  const vInfo: Built['vInfo'] = [];
  const rows: Row[] = [];
  const local = new Map(only.map((g, i) => [g, i]));
  const covRow = (g: number, t: number) => local.get(g)! * T + t;
  for (const g of only) {
    for (let t = 0; t < T; t++) {
      const r = p.required[g][t];
      const rhs = opts.form === 'direct' || t === 0 ? r : r - p.required[g][t - 1];
      rows.push({ name: `c${g}_${t}`, cols: [], vals: [], sense: opts.form === 'direct' ? '>=' : '=', rhs });
    }
  }
  const maxCost = Math.max(1e-9, ...p.shifts.templates.flatMap((t) => Object.values(t.cost)));
  const weight = (c: number) => (p.objective === 'shifts' ? 1 + (1e-3 * c) / maxCost : c);
  const add = (row: Row, col: number, val: number) => { row.cols.push(col); row.vals.push(val); };
  /** Adds a column's coverage of group g to the coverage rows. */
  const addCoverage = (g: number, col: number, abs: number, ranges: { from: number; to: number; sign: number }[]) => {
    const a = new Map<number, number>();
    for (const r of ranges) for (let o = r.from; o < r.to; o++) {
      const t = (abs + o) % T;
      a.set(t, (a.get(t) ?? 0) + r.sign);
    }
    if (opts.form === 'direct') {
      for (const [t, v] of a) if (v !== 0) add(rows[covRow(g, t)], col, v);
      return;
    }
    const d = new Map<number, number>();
    for (const [t, v] of a) {
      d.set(t, (d.get(t) ?? 0) + v);
      if (t + 1 < T) d.set(t + 1, (d.get(t + 1) ?? 0) - v);
    }
    for (const [t, v] of d) if (v !== 0) add(rows[covRow(g, t)], col, v);
  };
  const instances: ShiftInstance[] = [];
  const siteDay = new Map<string, Row>();
  const groupDay = new Map<string, Row>();
  const keep = p.keep ?? new Map<string, number>();
  const maxReq = p.required.map((r) => r.reduce((m, x) => Math.max(m, x), 0));
  let integer = 0;
  for (const base of instancesOf(p, only)) {
    const t = p.shifts.templates[base.template];
    const group = p.grid.groups[base.group];
    const si = t.starts.indexOf(base.start);
    const per = t.placements[si];
    const vars: { first: number; count: number }[] = [];
    const cost = t.cost[group.site];
    const shiftCols: number[] = [];
    let kept = 0;
    const lists: { brk: number; offsets: readonly number[] }[] = t.breaks.length === 0 ? [{ brk: -1, offsets: [0] }] : per.map((offsets, k) => ({ brk: k, offsets }));
    for (const { brk, offsets } of lists) {
      const first = cols.length;
      for (const o of offsets) {
        const c = cols.length;
        const k = keep.get(variableKey(base, brk, o)) ?? 0;
        const isShift = brk <= 0;
        cols.push({ kind: 'v', cost: isShift ? weight(cost) : 0, lower: k, upper: Infinity });
        vInfo.push({ col: c, inst: instances.length, brk, offset: o });
        integer++;
        if (isShift) { shiftCols.push(c); kept += k; }
        addCoverage(base.group, c, base.abs, coverage(t, brk, o));
      }
      vars.push({ first, count: offsets.length });
    }
    // Each further break: as many agents take it as work the shift.
    for (let k = 1; k < vars.length; k++) {
      const row: Row = { name: `b${instances.length}_${k}`, cols: [], vals: [], sense: '=', rhs: 0 };
      for (let c = vars[k].first; c < vars[k].first + vars[k].count; c++) add(row, c, 1);
      for (const c of shiftCols) add(row, c, -1);
      rows.push(row);
    }
    if (t.max !== null) {
      if (shiftCols.length === 1) cols[shiftCols[0]].upper = t.max;
      else {
        const row: Row = { name: `m${instances.length}`, cols: [], vals: [], sense: '<=', rhs: t.max };
        for (const c of shiftCols) add(row, c, 1);
        rows.push(row);
      }
    }
    if (t.min > 1) {
      const u = cols.length;
      cols.push({ kind: 'u', cost: 0, lower: kept > 0 ? 1 : 0, upper: 1 });
      integer++;
      const big = t.max ?? Math.max(t.min, maxReq[base.group], kept);
      const lo: Row = { name: `n${instances.length}_lo`, cols: [], vals: [], sense: '>=', rhs: 0 };
      const hi: Row = { name: `n${instances.length}_hi`, cols: [], vals: [], sense: '<=', rhs: 0 };
      for (const c of shiftCols) { add(lo, c, 1); add(hi, c, 1); }
      add(lo, u, -t.min);
      add(hi, u, -big);
      rows.push(lo, hi);
    }
    // Head counts per site and per group and day: one <= row each, shared by their shifts.
    const limitRow = (rowsByKey: Map<string, Row>, prefix: string, key: string, limit: number | undefined) => {
      if (limit === undefined) return;
      let row = rowsByKey.get(key);
      if (!row) { row = { name: `${prefix}${rowsByKey.size}`, cols: [], vals: [], sense: '<=', rhs: limit }; rowsByKey.set(key, row); }
      for (const c of shiftCols) add(row, c, 1);
    };
    limitRow(siteDay, 'hs', `${group.site}/${base.day}`, p.shifts.headcount.sites.get(group.site));
    limitRow(groupDay, 'hg', `${base.group}/${base.day}`, p.shifts.headcount.groups.get(base.group));
    instances.push({ ...base, vars });
  }
  rows.push(...siteDay.values(), ...groupDay.values());
  // Surplus (over-coverage) of each coverage row; with `elastic`, a shortfall too.
  for (const g of only) {
    for (let t = 0; t < T; t++) {
      if (opts.form === 'differenced') {
        const c = cols.length;
        cols.push({ kind: 's', cost: 0, lower: 0, upper: Infinity });
        add(rows[covRow(g, t)], c, -1);
        if (t + 1 < T) add(rows[covRow(g, t + 1)], c, 1);
      }
      if (opts.elastic) {
        const c = cols.length;
        cols.push({ kind: 'e', cost: 1, lower: 0, upper: Infinity });
        add(rows[covRow(g, t)], c, 1);
        if (opts.form === 'differenced' && t + 1 < T) add(rows[covRow(g, t + 1)], c, -1);
      }
    }
  }
  if (opts.elastic) for (const c of cols) if (c.kind !== 'e') c.cost = 0;
  const nonzeros = rows.reduce((s, r) => s + r.cols.length, 0);
  return { cols, rows, instances, vInfo, only, colName: (c) => `${cols[c].kind}${c}`, nonzeros, integer };
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(15))));

/** Terms `+ 3 v1 - v2`, a line break every 16 terms (LP files are read line by line). */
function terms(cols: readonly number[], vals: readonly number[], name: (c: number) => string): string {
  let s = '';
  for (let i = 0; i < cols.length; i++) {
    const v = vals[i];
    const a = Math.abs(v);
    s += `${v < 0 ? ' - ' : ' + '}${a === 1 ? '' : `${num(a)} `}${name(cols[i])}`;
    if (i % 16 === 15) s += '\n ';
  }
  return s === '' ? ' 0' : s;
}

/**
 * The model in CPLEX LP format. `relax`: without integrality (the LP relaxation);
 * `zero`: columns fixed at 0, left out of the text (the integer program on the LP's
 * support).
 */
export function lpText(b: Built, o: { relax?: boolean; zero?: Uint8Array } = {}): string {
  const zero = o.zero;
  const on = (c: number) => zero === undefined || zero[c] === 0;
  const out: string[] = ['\\ cctwin schedule: shift-scheduling integer program', 'Minimize'];
  const objCols: number[] = [], objVals: number[] = [];
  b.cols.forEach((c, i) => { if (c.cost !== 0 && on(i)) { objCols.push(i); objVals.push(c.cost); } });
  out.push(` obj:${terms(objCols, objVals, b.colName)}`);
  out.push('Subject To');
  const pinned: number[] = [];
  for (const r of b.rows) {
    const cols: number[] = [], vals: number[] = [];
    r.cols.forEach((c, k) => { if (on(c)) { cols.push(c); vals.push(r.vals[k]); } });
    if (cols.length === 0) {
      if (r.cols.length === 0) continue;
      // A row whose columns are all fixed at 0: kept (with one of them, pinned at 0) only if 0 breaks it.
      const holds = r.sense === '>=' ? r.rhs <= 0 : r.sense === '<=' ? r.rhs >= 0 : r.rhs === 0;
      if (holds) continue;
      cols.push(r.cols[0]); vals.push(r.vals[0]); pinned.push(r.cols[0]);
    }
    out.push(` ${r.name}:${terms(cols, vals, b.colName)} ${r.sense} ${num(r.rhs)}`);
  }
  out.push('Bounds');
  b.cols.forEach((c, i) => {
    if (!on(i)) return;
    if (c.lower !== 0 && c.upper !== Infinity) out.push(` ${num(c.lower)} <= ${b.colName(i)} <= ${num(c.upper)}`);
    else if (c.lower !== 0) out.push(` ${b.colName(i)} >= ${num(c.lower)}`);
    else if (c.upper !== Infinity) out.push(` ${b.colName(i)} <= ${num(c.upper)}`);
  });
  for (const c of new Set(pinned)) out.push(` ${b.colName(c)} = 0`);
  if (!o.relax) {
    // Shift-used indicators are integers in [0, 1] (their bounds above), like the agents.
    const gen: string[] = [];
    b.cols.forEach((c, i) => { if ((c.kind === 'v' || c.kind === 'u') && (on(i) || pinned.includes(i))) gen.push(b.colName(i)); });
    if (gen.length > 0) {
      out.push('Generals');
      for (let i = 0; i < gen.length; i += 20) out.push(` ${gen.slice(i, i + 20).join(' ')}`);
    }
  }
  out.push('End', '');
  return out.join('\n');
}

// ---------------------------------------------------------------- HiGHS

type HighsRuntime = Highs;
let runtime: Promise<HighsRuntime> | null = null;
let dumped = 0;

/** The HiGHS WebAssembly runtime, loaded once per process. */
export async function highsRuntime(): Promise<HighsRuntime> {
  // The package's ESM build (what Node loads) exports the loader as default; its types
  // describe the CommonJS build, which TypeScript (NodeNext) then wraps once more.
  const log = process.env.CCTWIN_HIGHS_LOG === '1' ? { print: (s: string) => process.stderr.write(`${s}\n`) } : {};
  runtime ??= import('highs').then((m) => (m as unknown as { default: (o: object) => Promise<Highs> }).default(log));
  return runtime;
}

interface RawSolve {
  status: number;
  statusText: string;
  hasSolution: boolean;
  objective: number;
  bound: number | null;
  seconds: number;
  nodes: number;
  /** value of each column, by our column index */
  values: Float64Array;
  /** reduced cost of each column (LP solves) */
  reducedCosts: Float64Array | null;
}

const STATUS_TEXT: Record<number, string> = {
  0: 'not set', 1: 'load error', 2: 'model error', 3: 'presolve error', 4: 'solve error', 5: 'postsolve error', 6: 'empty',
  7: 'optimal', 8: 'infeasible', 9: 'infeasible or unbounded', 10: 'unbounded', 11: 'objective bound', 12: 'objective target',
  13: 'time limit', 14: 'iteration limit', 15: 'unknown', 16: 'solution limit', 17: 'interrupted', 18: 'memory limit',
};

async function runHighs(b: Built, lp: string, options: { time_limit: number; mip_rel_gap: number }, start?: ArrayLike<number>, stopAt?: number): Promise<RawSolve> {
  const highs = await highsRuntime();
  if (process.env.CCTWIN_HIGHS_LP) (await import('node:fs')).writeFileSync(`${process.env.CCTWIN_HIGHS_LP}.${++dumped}.lp`, lp);
  const model = highs.createModel({ format: 'lp', data: lp });
  try {
    model.options.set({ output_flag: process.env.CCTWIN_HIGHS_LOG === '1', ...options });
    // Columns are numbered by HiGHS in the order it read them: map them to ours by name.
    const ours = new Int32Array(model.getDimensions().numCols);
    for (let i = 0; i < ours.length; i++) ours[i] = Number(model.getColName(i).slice(1));
    if (start) model.setSolution({ colValue: Float64Array.from(ours, (c) => start[c]) });
    const t0 = performance.now();
    // HiGHS checks its time limit between steps; a long step (a sub-MIP, a round of cuts)
    // can run past it. The clock is checked again in its interrupt callbacks, which it
    // calls often, so that the limit holds within a fraction of a second.
    const deadline = t0 + options.time_limit * 1000;
    // `stopAt`: a schedule this good is good enough (its gap to a bound HiGHS does not know is small).
    const stop = (e: { interrupt(): void; data: { mip_primal_bound?: number } }): undefined => {
      if (performance.now() > deadline || (stopAt !== undefined && (e.data.mip_primal_bound ?? Infinity) <= stopAt)) e.interrupt();
      return undefined;
    };
    const cb = highs.constants.callbackType;
    model.run({ [cb.mipInterrupt]: stop, [cb.simplexInterrupt]: stop, [cb.ipmInterrupt]: stop });
    const seconds = (performance.now() - t0) / 1000;
    const status = model.getModelStatus() as number;
    const info = (name: string): number | null => {
      try {
        const v = model.info.get(name);
        return typeof v === 'bigint' ? Number(v) : v;
      } catch {
        return null;
      }
    };
    const hasSolution = info('primal_solution_status') === 2;
    const values = new Float64Array(b.cols.length);
    let reducedCosts: Float64Array | null = null;
    if (hasSolution) {
      const sol = model.getSolution();
      for (let i = 0; i < sol.colValue.length; i++) values[ours[i]] = sol.colValue[i];
      if (info('dual_solution_status') === 2) {
        reducedCosts = new Float64Array(b.cols.length);
        for (let i = 0; i < sol.colDual.length; i++) reducedCosts[ours[i]] = sol.colDual[i];
      }
    }
    const dual = info('mip_dual_bound');
    return {
      status, statusText: STATUS_TEXT[status] ?? `status ${status}`, hasSolution,
      objective: hasSolution ? model.getObjectiveValue() : NaN,
      bound: dual !== null && Number.isFinite(dual) ? dual : null,
      // HiGHS says -1 for a solve without branch and bound (an LP relaxation): none were explored.
      seconds, nodes: Math.max(0, info('mip_node_count') ?? 0), values, reducedCosts,
    };
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------- solving

/** `day 2 03:00-05:30` style ranges of consecutive intervals. */
export function intervalRanges(intervals: readonly number[], grid: ScheduleGrid): string {
  const n = Math.round(DAY / grid.intervalLength);
  const L = grid.intervalLength;
  const sorted = [...new Set(intervals)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1 && Math.floor(sorted[j + 1] / n) === Math.floor(sorted[i] / n)) j++;
    const d = Math.floor(sorted[i] / n);
    const day = grid.days > 1 ? `day ${d} ` : '';
    parts.push(`${day}${clock(sorted[i] * L)}-${(sorted[j] + 1) % n === 0 ? '24:00' : clock((sorted[j] + 1) * L)}`);
    i = j + 1;
  }
  return parts.join(', ');
}

type Short = ScheduleInfeasible['short'][number];

/** Intervals with a requirement that no shift of the group can cover at all. */
function uncovered(p: ShiftProblem, b: Built): Short[] {
  const T = p.grid.days * Math.round(DAY / p.grid.intervalLength);
  const can = new Map(b.only.map((g) => [g, new Uint8Array(T)]));
  for (const inst of b.instances) {
    const t = p.shifts.templates[inst.template];
    // Present at some placement: every interval of the shift but those every agent spends on a break.
    const always = new Uint8Array(t.length);
    const si = t.starts.indexOf(inst.start);
    t.breaks.forEach((br, k) => {
      const offs = t.placements[si][k];
      for (let o = 0; o < t.length; o++) if (offs.every((p0) => o >= p0 && o < p0 + br.length)) always[o] = 1;
    });
    const row = can.get(inst.group)!;
    for (let o = 0; o < t.length; o++) if (!always[o]) row[(inst.abs + o) % T] = 1;
  }
  const out: Short[] = [];
  for (const g of b.only) {
    const row = can.get(g)!;
    for (let t = 0; t < T; t++) {
      const need = p.required[g][t];
      if (need > 0 && !row[t]) out.push({ group: p.grid.groups[g].name, site: p.grid.groups[g].site, interval: t, required: need, shortBy: need });
    }
  }
  return out;
}

function describeShort(short: readonly Short[], grid: ScheduleGrid): string {
  const byGroup = new Map<string, number[]>();
  for (const s of short) byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), s.interval]);
  const parts = [...byGroup].map(([g, iv]) => `${g} ${intervalRanges(iv, grid)}`);
  return parts.slice(0, 12).join('; ') + (parts.length > 12 ? `; and ${parts.length - 12} more groups` : '');
}

/** Adds the presence of a component's variable values to `present` (per group, per interval). */
function addPresence(p: ShiftProblem, b: Built, values: ArrayLike<number>, present: number[][]): void {
  const T = p.grid.days * Math.round(DAY / p.grid.intervalLength);
  for (const v of b.vInfo) {
    const c = v.col;
    const x = Math.round(values[c]);
    if (x === 0) continue;
    const inst = b.instances[v.inst];
    const t = p.shifts.templates[inst.template];
    for (const r of coverage(t, v.brk, v.offset)) for (let o = r.from; o < r.to; o++) present[inst.group][(inst.abs + o) % T] += r.sign * x;
  }
}

/** A set of groups solved as one program, and what is known of it. */
interface Component {
  b: Built;
  /** the LP relaxation's optimum: no schedule of these groups costs less */
  lower: number;
  /** the LP relaxation's solution and reduced costs (step 2 looks where they point) */
  lpValues: Float64Array;
  reducedCosts: Float64Array | null;
  /** the best schedule found */
  best: RawSolve | null;
  /** the restricted program was solved within its gap: only the whole program can do better */
  restrictedDone: boolean;
}

/**
 * The groups in components: each group alone, or with `joint`, every group of a site
 * with a head-count limit in one component (the limit links them).
 */
function components(p: ShiftProblem, joint: ReadonlySet<string>): number[][] {
  const out: number[][] = [];
  const bySite = new Map<string, number[]>();
  p.grid.groups.forEach((g, i) => {
    if (joint.has(g.site)) bySite.set(g.site, [...(bySite.get(g.site) ?? []), i]);
    else out.push([i]);
  });
  out.push(...bySite.values());
  return out.sort((x, y) => x[0] - y[0]);
}

/**
 * Solves the problem: the cheapest schedule (or, with objective 'shifts', the one with
 * the fewest shifts) that puts at least the required agents in every interval of every
 * group. Throws ScheduleInfeasible (naming the intervals that cannot be covered) or
 * ScheduleTimeout (no schedule within the time limit).
 *
 * Groups are linked only by the head counts of their site, so each group is its own
 * program first (the site limits left to a check of the merged schedule; a site whose
 * limit the merge breaks has its groups solved again as one program, with the limit).
 * Each program is solved by HiGHS in up to three steps, within the one time limit:
 * 1. the LP relaxation: its optimum bounds the program's cost from below (the gap is
 *    measured against the sum of these bounds, a valid bound of the whole problem
 *    since each part relaxes it), and an infeasible LP names the intervals that cannot
 *    be covered (diagnose);
 * 2. the integer program restricted to the variables the LP uses (the others fixed at
 *    0): a few hundred variables a group, solved in about a second, usually within
 *    0.1% of the LP bound;
 * 3. while the whole schedule's gap is above the gap asked and time is left, the
 *    whole integer program of the part with the largest gap, started from its best
 *    schedule.
 * Shift scheduling's LP relaxation is tight, so steps 1 and 2 nearly always end it;
 * HiGHS's own heuristics on the whole program take far longer to find schedules as
 * good (measured in docs/scheduling.md).
 */
export async function solveShifts(p: ShiftProblem, o: SolveOptions = {}): Promise<ShiftSolution> {
  const timeLimit = o.timeLimit ?? 60;
  const gapAsked = o.gap ?? DEFAULT_GAP;
  const form = o.form ?? 'direct';
  const T = p.grid.days * Math.round(DAY / p.grid.intervalLength);
  p.required.forEach((r) => { if (r.length !== T) throw new RangeError(`a requirement has ${r.length} intervals, the horizon ${T}`); });
  const t0 = performance.now();
  const left = () => timeLimit - (performance.now() - t0) / 1000;
  const stages: SolverReport['stages'] = [];
  let seconds = 0, nodes = 0, buildSeconds = 0;
  const stage = (name: string, r: RawSolve) => {
    stages.push({ stage: name, status: r.statusText, seconds: r.seconds, objective: r.hasSolution ? r.objective : null, nodes: r.nodes });
    seconds += r.seconds;
    nodes += r.nodes;
  };
  const buildAll = (groups: number[][]) => groups.map((only) => {
    const b0 = performance.now();
    const b = build(p, only, { form, elastic: false });
    buildSeconds += (performance.now() - b0) / 1000;
    return b;
  });
  const cheapest = Math.min(...p.shifts.templates.flatMap((t) => Object.values(t.cost)));
  const label = (b: Built) => (b.only.length === 1 ? p.grid.groups[b.only[0]].name : `site ${p.grid.groups[b.only[0]].site}`);
  let slack = 0;
  const enough = (c: Component) => c.lower + Math.max((gapAsked / 2) * c.lower, slack);
  /**
   * Step 2 on one part: the integer program on the LP's support and on the columns the
   * LP could use at (almost) no extra cost (reduced cost at most 2% of the cheapest
   * shift: alternative optima), the others fixed at 0; from its best schedule so far.
   */
  const restrictedSolve = async (c: Component, share: number) => {
    const zero = new Uint8Array(c.b.cols.length);
    const near = 0.02 * cheapest;
    c.b.cols.forEach((col, i) => {
      if (col.kind === 'v' && !(c.lpValues[i] > 1e-9) && col.lower === 0 && !((c.reducedCosts?.[i] ?? Infinity) <= near)) zero[i] = 1;
    });
    const r = await runHighs(c.b, lpText(c.b, { zero }), { time_limit: Math.min(share, Math.max(0.05, left())), mip_rel_gap: gapAsked / 2 }, c.best?.values, enough(c));
    stage(`${label(c.b)}: integer program on the LP's support`, r);
    // Solved, or nothing there (the support too narrow for a min per shift, say): only the whole program can do more.
    if (r.status === 7 || r.status === 8 || r.status === 9) c.restrictedDone = true;
    if (r.hasSolution && (c.best === null || objectiveOf(c.b, r.values) < objectiveOf(c.b, c.best.values))) c.best = r;
  };
  /** Steps 1 and 2 (first pass) for each part; shortfalls of infeasible parts are gathered and thrown together. */
  const solveParts = async (bs: Built[]): Promise<Component[]> => {
    const none = bs.flatMap((b) => uncovered(p, b));
    if (none.length > 0) throw new ScheduleInfeasible(`no shift covers ${describeShort(none, p.grid)}`, none);
    const out: Component[] = [];
    const short: Short[] = [];
    for (const b of bs) {
      const idle = b.only.every((g) => p.required[g].every((x) => x === 0)) && b.cols.every((c) => c.lower === 0);
      if (idle || b.instances.length === 0) {
        // Nothing required: the empty schedule is optimal.
        const values = new Float64Array(b.cols.length);
        b.cols.forEach((c, i) => { values[i] = c.lower; });
        out.push({ b, lower: 0, lpValues: values, reducedCosts: null, restrictedDone: true, best: { status: 7, statusText: 'optimal', hasSolution: true, objective: 0, bound: 0, seconds: 0, nodes: 0, values, reducedCosts: null } });
        continue;
      }
      if (left() <= 0) throw new ScheduleTimeout(timeLimit, null);
      const lp = await runHighs(b, lpText(b, { relax: true }), { time_limit: left(), mip_rel_gap: gapAsked });
      stage(`${label(b)}: LP relaxation`, lp);
      if (lp.status === 8 || lp.status === 9) { short.push(...await diagnose(p, b.only, form)); continue; }
      if (lp.status !== 7) {
        if (lp.status === 13 || lp.status === 17) throw new ScheduleTimeout(timeLimit, null);
        throw new Error(`HiGHS ended the LP relaxation with status "${lp.statusText}"`);
      }
      out.push({ b, lower: lp.objective, lpValues: lp.values, reducedCosts: lp.reducedCosts, restrictedDone: false, best: null });
    }
    if (short.length > 0) throw new ScheduleInfeasible(`the shifts and head counts cannot cover ${describeShort(short, p.grid)}`, short);
    slack = (gapAsked / 2) * out.reduce((sum, c) => sum + c.lower, 0) / Math.max(1, out.length);
    // A week whose days are the same: each part starts from the day's schedule repeated.
    if (fromDay !== null) {
      for (const c of out) {
        if (c.best) continue;
        const values = new Float64Array(c.b.cols.length);
        const shift = new Map<number, number>();
        for (const v of c.b.vInfo) {
          values[v.col] = fromDay.get(variableKey(c.b.instances[v.inst], v.brk, v.offset)) ?? 0;
          if (v.brk <= 0) shift.set(v.inst, (shift.get(v.inst) ?? 0) + values[v.col]);
        }
        // A shift-used indicator is 1 where the shift has agents (the rows of u follow its shift's columns).
        c.b.rows.forEach((r) => {
          if (!r.name.startsWith('n') || !r.name.endsWith('_lo')) return;
          const inst = Number(r.name.slice(1, -3));
          const u = r.cols[r.cols.length - 1];
          values[u] = (shift.get(inst) ?? 0) > 0 ? 1 : 0;
        });
        c.best = { status: 7, statusText: 'the day repeated', hasSolution: true, objective: objectiveOf(c.b, values), bound: null, seconds: 0, nodes: 0, values, reducedCosts: null };
      }
    }
    // Step 2, first pass: each part with no schedule yet in its share of the time left
    // (by its size; what a part does not use goes to the others, and step 3 gives what
    // is left to the parts furthest from their bound).
    const todo = out.filter((c) => c.best === null || (!fromDayExact && objectiveOf(c.b, c.best.values) > enough(c)));
    let weight = todo.reduce((sum, c) => sum + c.b.cols.length, 0);
    for (const c of todo) {
      if (o.method === 'whole') { c.restrictedDone = true; continue; }
      const share = Math.max(0.5, left() * c.b.cols.length / Math.max(1, weight));
      weight -= c.b.cols.length;
      await restrictedSolve(c, share);
    }
    return out;
  };
  // A week of days alike in their templates: one day first, in up to half the time,
  // with each interval's requirement the most of any day's (all the same for a one-day
  // scenario scheduled over a week). That day's schedule repeated covers the week. When
  // the days are the same it is as good as the week's own: the week's LP bound is seven
  // times the day's (a week's LP solution averaged over its seven rotations is a day's,
  // repeated), so the gap is the day's, and the week needs nothing more. When they
  // differ, it is where the week's programs start from.
  let fromDay: Map<string, number> | null = null;
  let fromDayExact = false;
  if (o.method !== 'whole' && !o.joint) {
    const day = await solveDay(p, { ...o, timeLimit: Math.max(1, left() / 2) });
    if (day !== null) {
      fromDay = day.values;
      fromDayExact = day.exact;
      for (const st of day.solver.stages) stages.push({ ...st, stage: `one day: ${st.stage}` });
      seconds += day.solver.seconds;
      nodes += day.solver.nodes;
    }
  }
  let parts = await solveParts(buildAll(o.joint ? [p.grid.groups.map((_, g) => g)] : components(p, new Set())));
  // Site head counts on the merged schedule: a broken site is solved again as one program.
  const broken = brokenSites(p, parts);
  if (broken.size > 0) {
    const joint = components(p, broken).filter((c) => broken.has(p.grid.groups[c[0]].site));
    const redo = new Set(joint.flat());
    parts = [...parts.filter((c) => !c.b.only.some((g) => redo.has(g))), ...await solveParts(buildAll(joint))];
  }
  const gapAbs = (c: Component) => (c.best ? objectiveOf(c.b, c.best.values) - c.lower : Infinity);
  const gapNow = () => {
    if (parts.some((c) => c.best === null)) return Infinity;
    const obj = parts.reduce((sum, c) => sum + objectiveOf(c.b, c.best!.values), 0);
    const low = parts.reduce((sum, c) => sum + c.lower, 0);
    return obj > 0 ? (obj - low) / obj : 0;
  };
  // Step 3: while the whole schedule's gap is above the gap asked and time is left, the
  // part furthest from its bound (in cost) again, from its best schedule: its restricted
  // program if that was stopped by its share of the time, else (the restricted program
  // has nothing better) its whole program. Each part at most once each way.
  const tried = new Set<string>();
  while (left() > 0.5 && gapNow() > gapAsked && !(o.stop?.() && parts.every((c) => c.best !== null))) {
    const open = parts.filter((c) => !tried.has(`${c.b.only[0]}/whole`));
    if (open.length === 0) break;
    const total = open.reduce((sum, x) => sum + (x.best === null ? 0 : gapAbs(x)), 0);
    const c = open.sort((x, y) => gapAbs(y) - gapAbs(x))[0];
    // A part with no schedule yet shares the time equally with the others that have none.
    const none = open.filter((x) => x.best === null).length;
    const share = c.best === null ? left() / none : !(total > 0) ? left() : Math.max(1, left() * gapAbs(c) / total);
    const key = `${c.b.only[0]}/${c.restrictedDone || tried.has(`${c.b.only[0]}/restricted`) ? 'whole' : 'restricted'}`;
    tried.add(key);
    if (key.endsWith('restricted')) { await restrictedSolve(c, share); continue; }
    const r = await runHighs(c.b, lpText(c.b), { time_limit: Math.min(share, left()), mip_rel_gap: gapAsked / 2 }, c.best?.values, enough(c));
    stage(`${label(c.b)}: whole integer program`, r);
    if (r.status === 8 || r.status === 9) {
      const short = await diagnose(p, c.b.only, form);
      throw new ScheduleInfeasible(`the shifts and head counts cannot cover ${describeShort(short, p.grid)}`, short);
    }
    if (r.hasSolution && (c.best === null || objectiveOf(c.b, r.values) < objectiveOf(c.b, c.best.values))) c.best = r;
    if (r.bound !== null) c.lower = Math.max(c.lower, r.bound);
  }
  if (parts.some((c) => c.best === null)) throw new ScheduleTimeout(timeLimit, parts.reduce((sum, c) => sum + c.lower, 0));
  return finish(p, parts.map((c) => ({ b: c.b, values: c.best!.values })), {
    bound: parts.reduce((sum, c) => sum + c.lower, 0), gapAsked, seconds, nodes, timeLimit, buildSeconds, stages,
  });
}

/**
 * The schedule of one day whose requirement in each interval is the most any day of the
 * horizon requires then, its variables repeated on every day: a schedule of the whole
 * horizon (exact: the days were all the same). Only when every template may start on
 * all days or none and nothing is kept (a repair); else, or when that day cannot be
 * solved, null.
 */
async function solveDay(p: ShiftProblem, o: SolveOptions): Promise<{ values: Map<string, number>; solver: SolverReport; exact: boolean } | null> {
  const n = Math.round(DAY / p.grid.intervalLength);
  if (p.grid.days <= 1 || p.keep !== undefined) return null;
  if (!p.shifts.templates.every((t) => t.days.every((d) => d === t.days[0]))) return null;
  const envelope = p.required.map((r) => Array.from({ length: n }, (_, t) => Math.max(...Array.from({ length: p.grid.days }, (_, d) => r[d * n + t]))));
  const exact = p.required.every((r, g) => r.every((x, t) => x === envelope[g][t % n]));
  const day: ShiftProblem = {
    ...p,
    grid: { ...p.grid, days: 1 },
    shifts: { ...p.shifts, templates: p.shifts.templates.map((t) => ({ ...t, days: [t.days[0]] })) },
    required: envelope,
  };
  try {
    const s = await solveShifts(day, o);
    const values = new Map<string, number>();
    for (const [key, v] of s.values) {
      const k = key.split('/');
      for (let d = 0; d < p.grid.days; d++) values.set([k[0], String(d), ...k.slice(2)].join('/'), v);
    }
    return { values, solver: s.solver, exact };
  } catch (e) {
    if (e instanceof ScheduleInfeasible || e instanceof ScheduleTimeout) return null;
    throw e;
  }
}

/** A part's objective at these values (integers rounded). */
function objectiveOf(b: Built, values: ArrayLike<number>): number {
  let obj = 0;
  b.cols.forEach((c, i) => { if (c.cost !== 0) obj += c.cost * (c.kind === 'v' || c.kind === 'u' ? Math.round(values[i]) : values[i]); });
  return obj;
}

/** Sites whose head count on some day the merged schedule exceeds. */
function brokenSites(p: ShiftProblem, parts: readonly Component[]): Set<string> {
  const heads = new Map<string, number>();
  for (const { b, best } of parts) {
    if (!best) continue;
    for (const v of b.vInfo) {
      const c = v.col;
      if (v.brk > 0) continue;
      const inst = b.instances[v.inst];
      const key = `${p.grid.groups[inst.group].site}/${inst.day}`;
      heads.set(key, (heads.get(key) ?? 0) + Math.round(best.values[c]));
    }
  }
  const out = new Set<string>();
  for (const [key, n] of heads) {
    const site = key.slice(0, key.lastIndexOf('/'));
    const limit = p.shifts.headcount.sites.get(site);
    if (limit !== undefined && n > limit) out.add(site);
  }
  return out;
}

/** The parts' solutions as one schedule, checked against the requirement and the rules. */
function finish(
  p: ShiftProblem, parts: readonly { b: Built; values: ArrayLike<number> }[],
  m: { bound: number; seconds: number; nodes: number; timeLimit: number; gapAsked: number; buildSeconds: number; stages: SolverReport['stages'] },
): ShiftSolution {
  const T = p.grid.days * Math.round(DAY / p.grid.intervalLength);
  const present = p.grid.groups.map(() => new Array<number>(T).fill(0));
  const values = new Map<string, number>();
  let cost = 0, agentShifts = 0, objective = 0, variables = 0, integer = 0, constraints = 0, nonzeros = 0;
  const heads = new Map<string, number>();
  for (const { b, values: raw } of parts) {
    addPresence(p, b, raw, present);
    variables += b.cols.length; integer += b.integer; constraints += b.rows.length; nonzeros += b.nonzeros;
    for (const v of b.vInfo) {
      const c = v.col;
      const x = Math.round(raw[c]);
      if (Math.abs(x - raw[c]) > 1e-4) throw new Error(`HiGHS returned a fractional value ${raw[c]} for an integer variable`);
      if (x < b.cols[c].lower || x > b.cols[c].upper) throw new Error(`HiGHS returned ${x} for a variable bounded to [${b.cols[c].lower}, ${b.cols[c].upper}]`);
      const inst = b.instances[v.inst];
      if (x > 0) values.set(variableKey(inst, v.brk, v.offset), x);
      if (v.brk <= 0) {
        const g = p.grid.groups[inst.group];
        cost += x * p.shifts.templates[inst.template].cost[g.site];
        agentShifts += x;
        heads.set(`s/${g.site}/${inst.day}`, (heads.get(`s/${g.site}/${inst.day}`) ?? 0) + x);
        heads.set(`g/${inst.group}/${inst.day}`, (heads.get(`g/${inst.group}/${inst.day}`) ?? 0) + x);
      }
      objective += x * b.cols[c].cost;
    }
  }
  // Checked, not trusted: every interval covered, every head count kept.
  p.required.forEach((req, g) => req.forEach((need, t) => {
    if (present[g][t] < need) throw new Error(`the schedule leaves ${p.grid.groups[g].name} interval ${t} short (${present[g][t]} < ${need})`);
  }));
  for (const [key, n] of heads) {
    const [kind, who] = key.split('/');
    const limit = kind === 's' ? p.shifts.headcount.sites.get(who) : p.shifts.headcount.groups.get(Number(who));
    if (limit !== undefined && n > limit) throw new Error(`the schedule breaks the head count of ${key}`);
  }
  const rows = parts.flatMap(({ b }) => rowsOf(p, b, values));
  rows.sort((a, c) => a.start - c.start || a.group.localeCompare(c.group) || a.template.localeCompare(c.template));
  const bound = Math.min(m.bound, objective);
  const gap = objective > 0 ? Math.max(0, (objective - bound) / objective) : 0;
  const solver: SolverReport = {
    solver: 'HiGHS (WebAssembly, npm highs)',
    status: gap <= m.gapAsked + 1e-12 ? 'optimal' : 'time limit',
    objective, bound, gap,
    gapAsked: m.gapAsked, seconds: m.seconds, timeLimit: m.timeLimit,
    variables, integerVariables: integer, constraints, nonzeros,
    buildSeconds: m.buildSeconds, nodes: m.nodes, stages: m.stages, programs: parts.length,
  };
  return { solver, cost, agentShifts, rows, present, values };
}

/**
 * Why a component is infeasible: the least total shortfall (a shortfall variable on
 * every coverage row), and the intervals short in it. The LP relaxation first: a
 * shortfall there is a proof; only when the LP covers everything does the integer
 * program's own shortfall say where integrality bites.
 */
async function diagnose(p: ShiftProblem, only: readonly number[], form: 'differenced' | 'direct'): Promise<Short[]> {
  const b = build(p, only, { form, elastic: true });
  const T = p.grid.days * Math.round(DAY / p.grid.intervalLength);
  const eCols: number[] = [];
  b.cols.forEach((c, i) => { if (c.kind === 'e') eCols.push(i); });
  for (const relax of [true, false]) {
    const r = await runHighs(b, lpText(b, { relax }), { time_limit: 60, mip_rel_gap: 0 });
    if (!r.hasSolution || !(r.objective > 1e-6)) continue;
    const short: Short[] = [];
    eCols.forEach((c, k) => {
      if (!(r.values[c] > 1e-6)) return;
      const g = only[Math.floor(k / T)], t = k % T;
      short.push({ group: p.grid.groups[g].name, site: p.grid.groups[g].site, interval: t, required: p.required[g][t], shortBy: Math.ceil(r.values[c] - 1e-6) });
    });
    if (short.length > 0) return short;
  }
  throw new ScheduleInfeasible('the solver proved that no schedule meets every rule, although each interval alone can be covered: the min and max per shift or the head counts conflict', []);
}

/** The schedule as rows of agents with the same shift and breaks (each further break paired with the first in offset order). */
function rowsOf(p: ShiftProblem, b: Built, values: ReadonlyMap<string, number>): ShiftRow[] {
  const L = p.grid.intervalLength;
  const rows: ShiftRow[] = [];
  for (const inst of b.instances) {
    const t = p.shifts.templates[inst.template];
    const g = p.grid.groups[inst.group];
    const si = t.starts.indexOf(inst.start);
    const base = { template: t.name, day: inst.day, start: inst.abs * L, end: (inst.abs + t.length) * L, group: g.name, site: g.site, cost: t.cost[g.site] };
    if (t.breaks.length === 0) {
      const x = values.get(variableKey(inst, -1, 0)) ?? 0;
      if (x > 0) rows.push({ ...base, agents: x, breaks: [] });
      continue;
    }
    // Each break's agents by offset, in offset order; pair them off in that order.
    const queues = t.breaks.map((_, k) => t.placements[si][k].map((o) => ({ o, n: values.get(variableKey(inst, k, o)) ?? 0 })).filter((x) => x.n > 0));
    const pos = queues.map(() => 0);
    for (;;) {
      if (queues.some((q, k) => pos[k] >= q.length)) break;
      const n = Math.min(...queues.map((q, k) => q[pos[k]].n));
      rows.push({
        ...base, agents: n,
        breaks: queues.map((q, k) => ({ name: t.breaks[k].name, start: (inst.abs + q[pos[k]].o) * L, end: (inst.abs + q[pos[k]].o + t.breaks[k].length) * L })),
      });
      queues.forEach((q, k) => { q[pos[k]].n -= n; if (q[pos[k]].n === 0) pos[k]++; });
    }
  }
  return rows;
}
