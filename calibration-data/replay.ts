import { distMean, type DistSpec } from '../sim/src/core/distributions.ts';
import type { ModelConfig } from '../sim/src/config/model-config.ts';
import { modelConfig } from '../sim/src/config/defaults.ts';
import { Replication, runLogged } from '../sim/src/engine/replicate.ts';
import { LOG_FIELDS, O_ABANDONED, O_COMPLETED, O_DROPPED, O_IVR_HANGUP, O_UNFINISHED } from '../sim/src/model/event-log.ts';
import { M, NM } from '../sim/src/metrics/layout.ts';
import { decodeResult } from '../sim/src/metrics/summary.ts';
import { CALL_CLASSES, type CallClass } from './call-log.ts';
import { scaleDist, withPatienceScale, type SwitchFamily } from './identified.ts';
import { DAY, STAFFING_STEP, emptyCounts, kpisFromCounts, type KpiCounts, type Kpis, type ObservedDay } from './observed-day.ts';

/**
 * Replays real days through a fitted model: each day gets its own observed
 * arrivals and staffing; handle time and patience come from the fit. The
 * simulated figures are ratios of counts summed over the replications.
 */

export type ArrivalMode = 'counts' | 'trace';
export const ARRIVAL_MODES: readonly ArrivalMode[] = ['counts', 'trace'];

/** One customer class of a class-aware replay: its own arrivals (observed), handle time and patience. */
export interface ReplayClass {
  name: CallClass;
  /** Higher is served first under routing 'priority'. */
  priority: number;
  handleTime: DistSpec;
  patience: DistSpec | null;
}

/** One class of the typed replay (the fit's `replay.classes`, identified.ts). */
export interface TypedClass {
  name: string;
  identified: boolean;
  handleTime: DistSpec;
  patience: DistSpec | null;
  /** Identified classes: hang-up share during the delay and the patience left after it. */
  hangup?: number;
  patienceAfterDelay?: DistSpec | null;
}

/** The typed replay model: classes by call-type family and caller kind, the identified customers' delay. */
export interface TypedReplay {
  classes: readonly TypedClass[];
  delay: DistSpec | null;
}

/**
 * The switch model (fit's `replay.switch`, identified.ts): one contact type per family,
 * all in one queue (FIFO); a switched family's callers who cannot be connected at once
 * wait `delay` (an IVR stage taken only then), the other families their own delay.
 */
export interface SwitchReplay {
  families: readonly (SwitchFamily & { handleTime: DistSpec })[];
  /** The identified customers' delay (the switched families' identification). */
  delay: DistSpec;
  /**
   * Each replayed day's handle times: when true, each family's fitted distribution is
   * scaled so that its mean is the family's observed mean that day (families with at
   * least `DAY_HANDLE_MIN_CALLS` answered calls that day; the others keep the fit).
   */
  dayHandleTime?: boolean;
}

/** Answered calls a family needs on a day for its handle time to be scaled to the day's mean. */
export const DAY_HANDLE_MIN_CALLS = 30;

/** The family's handle time on an observed day (`SwitchReplay.dayHandleTime`). */
export function dayHandleTime(d: ObservedDay, f: { name: string; handleTime: DistSpec }): DistSpec {
  const t = d.byClass?.[f.name]?.total;
  const fitted = distMean(f.handleTime);
  if (!t || t.answered < DAY_HANDLE_MIN_CALLS || !(t.handleAnswered > 0) || !(fitted > 0)) return f.handleTime;
  return scaleDist(f.handleTime, t.handleAnswered / t.answered / fitted);
}

export interface ReplayOptions {
  /** The typed model (fit's `replay`): when present it replaces `classes` and the pooled type; days need `byClass`. */
  typed?: TypedReplay;
  /** The switch model: when present it replaces the others; days need `byClass` keyed by family. */
  switch?: SwitchReplay;
  /** The pooled handle time and patience (one contact type), used when `classes` is absent. */
  handleTime: DistSpec;
  patience: DistSpec | null;
  /** One contact type per customer class, sharing the agents (README.md, "Customer classes"). */
  classes?: readonly ReplayClass[];
  /** With classes: 'priority' serves the higher class first (FIFO within); 'fifo' (default, chosen on January) ignores classes in the queue. */
  routing?: 'fifo' | 'priority';
  interval: number;
  threshold: number;
  replications: number;
  seed: number;
  /** counts: Poisson arrivals at the day's observed count per interval; trace: the observed queue-entry times. */
  arrivals: ArrivalMode;
  /** Multiplies the observed staffing (the fitted availability factor; 1 = as observed). */
  staffingScale?: number;
  /** 'interval' (default, chosen on January): staffing per interval, rounded; 'fine': at the 60-s step, rounded per minute. */
  staffingResolution?: 'fine' | 'interval';
}

export interface Pair {
  observed: number;
  simulated: number;
}

export interface DayComparison {
  date: string;
  dayType: string;
  offered: Pair;
  abandonRate: Pair;
  serviceLevel: Pair;
  asa: Pair;
  /** Per customer class (class-aware replays only): day totals. */
  classes?: Partial<Record<string, { offered: Pair; abandonRate: Pair; serviceLevel: Pair; asa: Pair }>>;
  /** 24 hours by queue-entry hour; hours without offered calls have nulls. */
  hours: { hour: number; offered: Pair; abandonRate: Pair | null; serviceLevel: Pair | null; asa: Pair | null }[];
}

export interface ValidationResult {
  replications: number;
  seed: number;
  arrivals: ArrivalMode;
  threshold: number;
  days: DayComparison[];
  /** Mean absolute error over days (rates as fractions, ASA in seconds). */
  mae: { abandonRate: number; serviceLevel: number; asa: number };
  /** Mean signed error (simulated - observed) over days: the direction of the misfit. */
  bias: { abandonRate: number; serviceLevel: number; asa: number };
}

/**
 * The observed arrivals of each replayed class. Classes of the log that the fit does not
 * have (too few calls to fit, or a fit made before the class existed) are folded into
 * 'regular' (or the first class), so that no offered call is left out of the replay.
 */
export function classArrivals(d: ObservedDay, classes: readonly ReplayClass[]): { offered: number[]; entries: number[] }[] {
  const out = classes.map((c) => ({ offered: [...d.classes[c.name].offered], entries: [...d.classes[c.name].entries] }));
  const names = classes.map((c) => c.name);
  const into = Math.max(0, names.indexOf('regular'));
  for (const k of CALL_CLASSES) {
    if (names.includes(k)) continue;
    const src = d.classes[k];
    src.offered.forEach((x, i) => { out[into].offered[i] += x; });
    out[into].entries.push(...src.entries);
  }
  for (const a of out) a.entries.sort((x, y) => x - y);
  return out;
}

/** The model of one observed day. */
export function dayModel(d: ObservedDay, o: ReplayOptions): ModelConfig {
  const fine = (o.staffingResolution ?? 'interval') === 'fine' && o.interval % STAFFING_STEP === 0;
  // Arrivals keep the observed interval counts; the model runs at the staffing step.
  const step = fine ? STAFFING_STEP : o.interval;
  const per = Math.round(o.interval / step);
  const L = step;
  const nI = Math.round(DAY / L);
  const scale = o.staffingScale ?? 1;
  const staffing = (fine ? d.staffingFine : d.staffing).map((s) => Math.round(s * scale));
  const rates = (counts: readonly number[]) => Array.from({ length: nI }, (_, i) => counts[Math.floor(i / per)] / o.interval);
  const arr = o.classes && o.classes.length > 0 ? classArrivals(d, o.classes) : [];
  const none = () => new Array<number>(Math.round(DAY / o.interval)).fill(0);
  if (o.switch) {
    const sw = o.switch;
    return modelConfig({
      schemaVersion: 1, name: `replay ${d.date}`, seed: o.seed + d.day, horizon: DAY, intervalLength: L, nIntervals: nI, warmup: 0, threshold: o.threshold, sla: [],
      types: sw.families.map((f) => {
        const delay = f.switched ? sw.delay : f.delay?.dist ?? null;
        return {
          name: f.name,
          channel: 'phone' as const,
          arrivalRates: o.arrivals === 'trace' ? new Array<number>(nI).fill(0) : rates(d.byClass?.[f.name]?.offered ?? none()),
          handleTime: sw.dayHandleTime ? dayHandleTime(d, f) : f.handleTime,
          // The patience clock runs through the delay: a hang-up share in it, then what is left.
          patience: delay ? f.patienceAfterDelay : f.patience,
          ...(delay ? { ivr: { time: delay, selfService: 0, hangup: f.hangup, misroute: 0, misrouteTime: 0, ...(f.switched ? { onlyWhenNoAgentFree: true } : {}) } } : {}),
          // One queue: a caller is connected at once only when nobody of any family is ahead.
          queue: 0,
          site: 0,
        };
      }),
      queues: [{ name: 'calls' }],
      groups: [{ name: 'agents', site: 0, queues: [0], staffing }],
      routing: { policy: 'fifo', agingRate: 0, overflowAfter: 30, params: {} },
      sites: [{ name: 'center', lines: null }],
    });
  }
  if (o.typed) {
    const cls = o.typed.classes;
    const delay = o.typed.delay;
    return modelConfig({
      schemaVersion: 1, name: `replay ${d.date}`, seed: o.seed + d.day, horizon: DAY, intervalLength: L, nIntervals: nI, warmup: 0, threshold: o.threshold, sla: [],
      types: cls.map((c, qi) => {
        const delayed = c.identified && delay !== null;
        return {
          name: c.name,
          channel: 'phone' as const,
          arrivalRates: o.arrivals === 'trace' ? new Array<number>(nI).fill(0) : rates(d.byClass?.[c.name]?.offered ?? new Array<number>(Math.round(DAY / o.interval)).fill(0)),
          handleTime: c.handleTime,
          // The delay is an IVR stage the customer may hang up in; the patience clock then restarts with what is left.
          patience: delayed ? c.patienceAfterDelay ?? null : c.patience,
          ...(delayed ? { ivr: { time: delay, selfService: 0, hangup: c.hangup ?? 0, misroute: 0, misrouteTime: 0 } } : {}),
          queue: qi,
          site: 0,
        };
      }),
      queues: cls.map((c) => ({ name: c.name })),
      groups: [{ name: 'agents', site: 0, queues: cls.map((_, qi) => qi), staffing }],
      routing: { policy: 'fifo', agingRate: 0, overflowAfter: 30, params: {} },
      sites: [{ name: 'center', lines: null }],
    });
  }
  return modelConfig({
    schemaVersion: 1,
    name: `replay ${d.date}`,
    seed: o.seed + d.day,
    horizon: DAY,
    intervalLength: L,
    nIntervals: nI,
    warmup: 0,
    threshold: o.threshold,
    sla: [],
    ...(o.classes && o.classes.length > 0
      ? {
        types: o.classes.map((c, qi) => ({
          name: c.name,
          channel: 'phone' as const,
          priority: c.priority,
          arrivalRates: o.arrivals === 'trace' ? new Array<number>(nI).fill(0) : rates(arr[qi].offered),
          handleTime: c.handleTime,
          patience: c.patience,
          queue: qi,
          site: 0,
        })),
        queues: o.classes.map((c) => ({ name: c.name })),
        groups: [{ name: 'agents', site: 0, queues: o.classes.map((_, qi) => qi), staffing }],
        routing: { policy: o.routing ?? 'fifo', agingRate: 0, overflowAfter: 30, params: {} },
      }
      : {
        types: [{
          name: 'calls',
          channel: 'phone' as const,
          arrivalRates: o.arrivals === 'trace' ? new Array<number>(nI).fill(0) : rates(d.offered),
          handleTime: o.handleTime,
          patience: o.patience,
          queue: 0,
          site: 0,
        }],
        queues: [{ name: 'calls' }],
        groups: [{ name: 'agents', site: 0, queues: [0], staffing }],
      }),
    sites: [{ name: 'center', lines: null }],
  });
}

function addRow(k: KpiCounts, rows: Float64Array, b: number): void {
  k.offered += rows[b + M.offered];
  k.answered += rows[b + M.answered];
  k.abandoned += rows[b + M.abandoned] + rows[b + M.unfinished];
  k.answeredWithin += rows[b + M.answeredWithin];
  k.waitAnswered += rows[b + M.waitAnswered];
}

const LOG_STRIDE = LOG_FIELDS.length;

/**
 * The typed and switch replays count each call from the event log: waits run from the call's
 * arrival at the queue, so an identified customer's delay (an IVR stage in the model)
 * is part of the wait, and a hang-up during it is an abandonment, as in the log.
 */
function simulateTypedDay(d: ObservedDay, o: ReplayOptions, cfg: ModelConfig): { total: KpiCounts; hours: KpiCounts[]; types: KpiCounts[] } {
  const total = emptyCounts();
  const types = cfg.types.map(() => emptyCounts());
  const hours = Array.from({ length: 24 }, emptyCounts);
  const entries = o.arrivals === 'trace'
    ? cfg.types.flatMap((t, k) => (d.byClass?.[t.name]?.entries ?? []).map((x) => [x, k] as const)).sort((a, b) => a[0] - b[0])
    : [];
  for (let r = 0; r < o.replications; r++) {
    const rep = new Replication(cfg, r);
    for (const [t, k] of entries) rep.inject(k, t);
    runLogged(rep, (log) => {
      const buf = log.buf;
      for (let i = 0; i < log.n; i++) {
        const b = i * LOG_STRIDE;
        const out = buf[b];
        const answered = out === O_COMPLETED || out === O_DROPPED;
        if (!answered && out !== O_ABANDONED && out !== O_IVR_HANGUP && out !== O_UNFINISHED) continue;
        const arrival = buf[b + 4];
        const wait = answered ? buf[b + 6] - arrival : 0;
        for (const k of [total, types[buf[b + 1]], hours[Math.min(23, Math.max(0, Math.floor(arrival / 3600)))]]) {
          k.offered++;
          if (answered) {
            k.answered++;
            k.waitAnswered += wait;
            if (wait <= o.threshold) k.answeredWithin++;
          } else k.abandoned++;
        }
      }
    });
  }
  return { total, hours, types };
}

/** Simulated counts of one day, summed over replications: the day and each hour. */
export function simulateDay(d: ObservedDay, o: ReplayOptions): { total: KpiCounts; hours: KpiCounts[]; types: KpiCounts[] } {
  const cfg = dayModel(d, o);
  if (o.typed || o.switch) return simulateTypedDay(d, o, cfg);
  const total = emptyCounts();
  const types = cfg.types.map(() => emptyCounts());
  const hours = Array.from({ length: 24 }, emptyCounts);
  const perHour = 3600 / cfg.intervalLength;
  for (let r = 0; r < o.replications; r++) {
    const rep = new Replication(cfg, r);
    rep.start();
    if (o.arrivals === 'trace') {
      // Merge the classes' entry times: inject() must not go back in time.
      const all = o.classes && o.classes.length > 0
        ? classArrivals(d, o.classes).flatMap((a, k) => a.entries.map((t) => [t, k] as const)).sort((a, b) => a[0] - b[0])
        : d.entries.map((t) => [t, 0] as const);
      for (const [t, k] of all) rep.inject(k, t);
    }
    rep.advanceTo(Infinity);
    const res = decodeResult(rep.result(), cfg);
    const rows = res.rows;
    types.forEach((k, t) => addRow(k, res.cells, t * NM)); // one site: cells are per type
    for (let i = 0; i <= cfg.nIntervals; i++) {
      addRow(total, rows, i * NM);
      if (i < cfg.nIntervals) addRow(hours[Math.min(23, Math.floor(i / perHour))], rows, i * NM);
    }
  }
  return { total, hours, types };
}

/** A class's observed day totals, with the log's classes the fit lacks folded in as in `classArrivals`. */
function observedClassTotal(d: ObservedDay, classes: readonly ReplayClass[], name: CallClass): KpiCounts {
  const names = classes.map((c) => c.name);
  const into = names[Math.max(0, names.indexOf('regular'))];
  const t = { ...d.classes[name].total };
  if (name === into) {
    for (const k of CALL_CLASSES) {
      if (names.includes(k)) continue;
      const x = d.classes[k].total;
      t.offered += x.offered; t.answered += x.answered; t.abandoned += x.abandoned; t.answeredWithin += x.answeredWithin; t.waitAnswered += x.waitAnswered;
    }
  }
  return t;
}

const pair = (o: number, s: number): Pair => ({ observed: o, simulated: s });

function pairs(obs: Kpis, sim: Kpis): { abandonRate: Pair; serviceLevel: Pair; asa: Pair } {
  return { abandonRate: pair(obs.abandonRate, sim.abandonRate), serviceLevel: pair(obs.serviceLevel, sim.serviceLevel), asa: pair(obs.asa, sim.asa) };
}

/** Replays every day with offered calls and compares it with the simulation. */
export function validateDays(days: readonly ObservedDay[], o: ReplayOptions, onDay?: (done: number, total: number) => void): ValidationResult {
  const out: DayComparison[] = [];
  const todo = days.filter((d) => d.total.offered > 0);
  for (const d of todo) {
    const sim = simulateDay(d, o);
    const R = o.replications;
    const hours = d.hours.map((h, hour) => {
      const s = sim.hours[hour];
      if (h.offered === 0) return { hour, offered: pair(0, s.offered / R), abandonRate: null, serviceLevel: null, asa: null };
      const p = pairs(kpisFromCounts(h), kpisFromCounts(s));
      return { hour, offered: pair(h.offered, s.offered / R), ...p, asa: Number.isNaN(p.asa.observed) ? null : p.asa };
    });
    const named = o.switch ? o.switch.families : o.typed?.classes;
    const classes: DayComparison['classes'] = named
      ? Object.fromEntries(named.map((c, k) => {
        const ob = d.byClass?.[c.name]?.total ?? emptyCounts(), si = sim.types[k];
        return [c.name, { offered: pair(ob.offered, si.offered / R), ...pairs(kpisFromCounts(ob), kpisFromCounts(si)) }];
      }))
      : o.classes && o.classes.length > 0
      ? Object.fromEntries(o.classes.map((c, k) => {
        const ob = observedClassTotal(d, o.classes!, c.name), si = sim.types[k];
        return [c.name, { offered: pair(ob.offered, si.offered / R), ...pairs(kpisFromCounts(ob), kpisFromCounts(si)) }];
      }))
      : undefined;
    out.push({ date: d.date, dayType: d.dayType, offered: pair(d.total.offered, sim.total.offered / R), ...pairs(kpisFromCounts(d.total), kpisFromCounts(sim.total)), ...(classes ? { classes } : {}), hours });
    onDay?.(out.length, todo.length);
  }
  const avg = (f: (d: DayComparison) => number) => {
    const v = out.map(f).filter(Number.isFinite);
    return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
  };
  const err = (k: 'abandonRate' | 'serviceLevel' | 'asa', abs: boolean) => avg((d) => (abs ? Math.abs(d[k].simulated - d[k].observed) : d[k].simulated - d[k].observed));
  return {
    replications: o.replications,
    seed: o.seed,
    arrivals: o.arrivals,
    threshold: o.threshold,
    days: out,
    mae: { abandonRate: err('abandonRate', true), serviceLevel: err('serviceLevel', true), asa: err('asa', true) },
    bias: { abandonRate: err('abandonRate', false), serviceLevel: err('serviceLevel', false), asa: err('asa', false) },
  };
}

/** Passes of `calibrateSwitchPatience`, and the replications of each pass (seed 1). */
export const PATIENCE_PASSES = 6;
export const PATIENCE_REPLICATIONS = 20;

/**
 * The switch model's patience, fitted through the replay: each family's patience (its
 * censored-MLE fit, `base`) is multiplied by a factor chosen so that replaying the
 * fitting log's days reproduces the family's abandonment rate in that log. The censored
 * fit takes the observed waits as given; the replay's waits differ from them (its
 * identified callers wait longer after their delay, its prospects less), and the factor
 * makes up for it. A fixed-point iteration k <- k (simulated / observed)^1.2, all families
 * at once (they share the agents); a family without abandonments keeps factor 1.
 */
export function calibrateSwitchPatience(
  days: readonly ObservedDay[],
  families: readonly (Omit<SwitchFamily, 'patience' | 'patienceScale' | 'abandonRate' | 'hangup' | 'patienceAfterDelay'> & { handleTime: DistSpec; base: DistSpec | null })[],
  delay: DistSpec,
  o: { interval: number; threshold: number; passes?: number; replications?: number; dayHandleTime?: boolean },
): (SwitchFamily & { handleTime: DistSpec })[] {
  const k = families.map(() => 1);
  const observed = families.map(() => 0), simulated = families.map(() => 0);
  const build = () => families.map((f, i) => ({ ...withPatienceScale({ ...f, abandonRate: { observed: observed[i], simulated: simulated[i] } }, f.base, k[i], delay), handleTime: f.handleTime }));
  const passes = o.passes ?? PATIENCE_PASSES;
  let built = build();
  for (let pass = 0; pass <= passes; pass++) {
    if (pass > 0) built = build();
    const r = validateDays(days, { handleTime: families[0].handleTime, patience: null, interval: o.interval, threshold: o.threshold, replications: o.replications ?? PATIENCE_REPLICATIONS, seed: 1, arrivals: 'counts', switch: { delay, families: built, dayHandleTime: o.dayHandleTime } });
    families.forEach((f, i) => {
      let no = 0, na = 0, so = 0, sa = 0;
      for (const d of r.days) {
        const c = d.classes?.[f.name];
        if (!c) continue;
        if (c.offered.observed > 0) { no += c.offered.observed; na += c.abandonRate.observed * c.offered.observed; }
        if (c.offered.simulated > 0) { so += c.offered.simulated; sa += c.abandonRate.simulated * c.offered.simulated; }
      }
      observed[i] = no > 0 ? na / no : 0;
      simulated[i] = so > 0 ? sa / so : 0;
      // The last pass only measures the final factors.
      if (pass < passes && f.base !== null && observed[i] > 0 && simulated[i] > 0) k[i] = Math.min(10, Math.max(0.1, k[i] * (simulated[i] / observed[i]) ** 1.2));
    });
  }
  // The last pass measured the factors `built` holds.
  return built.map((f, i) => ({ ...f, abandonRate: { observed: Number(observed[i].toFixed(4)), simulated: Number(simulated[i].toFixed(4)) } }));
}

/** Draws and the model mean's replications of `noiseFloor`. */
export const NOISE_FLOOR_DRAWS = 8;
export const NOISE_FLOOR_MEAN_REPLICATIONS = 40;

/**
 * The MAE a perfect model would get by chance: if each real day were one realisation of
 * the model, its figures would still differ from the model's mean. Measured by taking
 * single simulated days (one replication each, `draws` seeds) as the "observed" ones and
 * comparing them with the model's mean over `meanReplications`: the mean absolute
 * difference over days, averaged over the draws. A fit whose MAE is near this floor is as
 * good as one day's data can show.
 */
export function noiseFloor(days: readonly ObservedDay[], o: ReplayOptions, draws = NOISE_FLOOR_DRAWS, meanReplications = NOISE_FLOOR_MEAN_REPLICATIONS): { abandonRate: number; serviceLevel: number; asa: number } {
  const mean = validateDays(days, { ...o, replications: meanReplications, seed: o.seed + 1_000_003 });
  const sum = { abandonRate: 0, serviceLevel: 0, asa: 0 };
  for (let k = 0; k < draws; k++) {
    const one = validateDays(days, { ...o, replications: 1, seed: o.seed + 7919 * (k + 1) });
    for (const key of ['abandonRate', 'serviceLevel', 'asa'] as const) {
      const v = one.days.map((d, i) => Math.abs(d[key].simulated - mean.days[i][key].simulated)).filter(Number.isFinite);
      sum[key] += v.length ? v.reduce((s, x) => s + x, 0) / v.length / draws : NaN;
    }
  }
  return sum;
}
