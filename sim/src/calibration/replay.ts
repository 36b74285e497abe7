import type { DistSpec } from '../core/distributions.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { contactEnds } from '../engine/contact-log.ts';
import { Replication, runLogged } from '../engine/replicate.ts';
import { decodeResult, intervalMetrics, typeMetrics, type MetricValues } from '../metrics/summary.ts';
import { CALL_CLASSES, type CallClass } from './call-log.ts';
import { classArrivals, dayModel, type ArrivalMode, type ReplayClass, type ReplayOptions } from './day-model.ts';
import { withPatienceScale, type SwitchFamily } from './identified.ts';
import { emptyCounts, kpisFromCounts, type KpiCounts, type Kpis, type ObservedDay } from './observed-day.ts';

/**
 * Replays real days through a fitted model: each day gets its own observed
 * arrivals and staffing; handle time and patience come from the fit. The
 * simulated figures are ratios of counts summed over the replications.
 * It drives the engine through its public API only (sim/src/index.ts: Replication,
 * runLogged, contactEnds, decodeResult, intervalMetrics, typeMetrics), never the
 * model's state or the result and log layouts.
 */

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
  /** The days each mean is over: those with the figure on both sides (a day without an answer has no ASA). */
  errorDays: { abandonRate: number; serviceLevel: number; asa: number };
}

function addRow(k: KpiCounts, m: MetricValues): void {
  k.offered += m.offered;
  k.answered += m.answered;
  k.abandoned += m.abandoned + m.unfinished;
  k.answeredWithin += m.answeredWithin;
  k.waitAnswered += m.waitAnswered;
}

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
      for (const c of contactEnds(log)) {
        const out = c.outcome;
        const answered = out === 'completed' || out === 'dropped';
        if (!answered && out !== 'abandoned' && out !== 'ivrHangup' && out !== 'unfinished') continue;
        const wait = answered ? c.answer - c.arrival : 0;
        for (const k of [total, types[c.type], hours[Math.min(23, Math.max(0, Math.floor(c.arrival / 3600)))]]) {
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
    types.forEach((k, t) => addRow(k, typeMetrics(res, cfg, t)));
    for (let i = 0; i <= cfg.nIntervals; i++) {
      const m = intervalMetrics(res, i);
      addRow(total, m);
      if (i < cfg.nIntervals) addRow(hours[Math.min(23, Math.floor(i / perHour))], m);
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
  const counted = (k: 'abandonRate' | 'serviceLevel' | 'asa') => out.filter((d) => Number.isFinite(d[k].simulated - d[k].observed)).length;
  return {
    replications: o.replications,
    seed: o.seed,
    arrivals: o.arrivals,
    threshold: o.threshold,
    days: out,
    mae: { abandonRate: err('abandonRate', true), serviceLevel: err('serviceLevel', true), asa: err('asa', true) },
    bias: { abandonRate: err('abandonRate', false), serviceLevel: err('serviceLevel', false), asa: err('asa', false) },
    errorDays: { abandonRate: counted('abandonRate'), serviceLevel: counted('serviceLevel'), asa: counted('asa') },
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
