import type { DistSpec } from '../core/distributions.ts';
import type { SkippedRow } from './bad-rows.ts';
import { CALL_CLASSES, classOf, type CallClass, type CallRecord } from './call-log.ts';
import {
  fitExponentialCensored, fitLognormalCensored, fitLognormalTruncated, fitWeibullCensored, gammaOverdispersion,
  kaplanMeier, ksAgainstKm, ksDistance, mean, normalCdf, quantile, quantileTable, type CensoredFit, type Overdispersion,
} from './estimators.ts';
import { calibrateSwitchPatience } from './replay.ts';
import { DAY, DAY_TYPES, observeDays, PRESENCE_GAP, type AdaptiveGap, type DayType, type ObservedDay, type StaffingMethod } from './observed-day.ts';
import { delaySample as waitsWhileIdle, delayWithZeros, familyOf, identifiedDelaySample, isIdentified, patienceAfterDelay, SESSION_EXTENSION, SWITCH_MIN_IDENTIFIED, SWITCH_PRESENCE_GAP, SWITCH_SESSION_EXTENSION, typeFamilies, type SwitchFamily } from './identified.ts';

/**
 * Calibration: call-by-call records in, a fit out (`CalibrationFit`), written as a
 * runnable single-queue scenario plus the full fit as a JSON sidecar
 * (fitted-scenario.ts). Each estimator is in estimators.ts; this module decides what
 * each one is applied to (see docs/calibration-method.md, "Method").
 */

export interface FitOptions {
  name: string;
  /** Interval of profiles and staffing, seconds. */
  interval: number;
  /** Handle times below this (seconds) form the "very short call" component. */
  shortCall: number;
  /** A call from the same customer within this many seconds of an abandonment is a redial. */
  redialWindow: number;
  staffing: StaffingMethod;
  /** Service-level threshold, seconds. */
  threshold: number;
  /** Where the records came from (for the provenance comment). */
  sources: string[];
  /** Scenario handle time: 'empirical' (a histogram of the observed times, default: chosen on January, docs/calibration-method.md) or 'lognormal' (short calls + lognormal). */
  handle?: HandleMode;
}

import type { HandleMode } from './options.ts';

export { HANDLE_MODES, type HandleMode } from './options.ts';

export interface HandleTimeFit {
  n: number;
  mean: number;
  cv: number;
  shortCut: number;
  /** Observed share of calls shorter than shortCut. */
  shortShare: number;
  /** Lognormal fitted to the calls at or above shortCut (left-truncated MLE). */
  lognormal: { mean: number; cv: number; mu: number; sigma: number };
  /** The scenario distribution: uniform short calls + lognormal, weighted so the short share is exact; or the histogram (`mode` empirical). */
  dist: DistSpec;
  mode: HandleMode;
  /** KS distance of `dist` to the observed handle times. */
  ks: number;
  /** KS distance of the other form (histogram when `dist` is the mixture, and the reverse). */
  ksOther: number;
  /** KS distance of a plain lognormal (log-moments of all calls), for comparison. */
  ksPlainLognormal: number;
  quantiles: Record<string, number>;
}

export interface PatienceFit {
  offered: number;
  /** Calls that waited (wait > 0): the informative subset. */
  queued: number;
  abandoned: number;
  /** Kaplan-Meier curve, thinned to at most 200 points: [seconds, S(t)]. */
  km: [number, number][];
  /** KM median patience, seconds (null if S never drops to 0.5). */
  kmMedian: number | null;
  fits: { kind: string; params: Record<string, number>; mean: number; logLik: number; aic: number; ksVsKm: number }[];
  chosen: string;
  dist: DistSpec;
}

export interface ArrivalFit {
  days: number;
  dates: string[];
  /** Mean offered calls per interval (one day). */
  perInterval: number[];
  dailyTotal: Overdispersion;
  /** Mean variance/mean ratio of hourly counts across days of the type (1 for Poisson). */
  hourlyDispersion: number;
}

export interface CalibrationFit {
  name: string;
  sources: string[];
  calls: number;
  days: number;
  firstDate: string;
  lastDate: string;
  interval: number;
  threshold: number;
  outcomes: Record<string, number>;
  arrivals: Partial<Record<DayType, ArrivalFit>>;
  handleTime: { all: HandleTimeFit; byType: Record<string, HandleTimeFit> };
  patience: PatienceFit;
  /**
   * Customer classes (call-log.ts `classOf`: Anonymous Bank priority 2 vs the rest),
   * each with its share of offered calls, handle time and patience; validate-fit
   * replays them as two contact types sharing the agents.
   */
  classes: Partial<Record<CallClass, { offered: number; share: number; abandonRate: number; handleTime: HandleTimeFit; patience: PatienceFit }>>;
  /**
   * The typed replay model (identified.ts; validate-fit --model typed, the default when the fit has no switch model): one
   * class per call-type family and caller kind (anonymous, identified `+id`), each with
   * its handle time and patience (those of its family); identified customers wait the
   * structural `delay` first (hanging up during it with the class's `hangup` share, then
   * with `patienceAfterDelay`); staffing read with `sessionExtension`.
   */
  replay?: {
    families: string[];
    sessionExtension: number;
    delay: { n: number; mean: number; quantiles: Record<string, number>; dist: DistSpec } | null;
    classes: { name: string; family: string; identified: boolean; offered: number; handleTime: DistSpec; patience: DistSpec | null; hangup?: number; patienceAfterDelay?: DistSpec | null }[];
    /**
     * The switch model (validate-fit's default when present; identified.ts): each family
     * is one stream; in a switched family only callers who cannot be connected at once
     * identify themselves and wait `delay`; the other families wait their own delay.
     * Handle time and patience are the family's (`classes`). Logs with identified customers only.
     * `dayHandleTime`: the patience was fitted with each replayed day's handle times scaled
     * to that day's observed mean per family (day-model.ts `SwitchReplay.dayHandleTime`), and
     * validate-fit replays the same way by default. `presenceGap`: the adaptive presence gap
     * the staffing was read with (observed-day.ts `AdaptiveGap`).
     */
    switch?: { sessionExtension: number; presenceGap: AdaptiveGap; dayHandleTime: boolean; families: SwitchFamily[] };
  };
  redial: {
    windowSeconds: number;
    identifiedAbandoned: number;
    redialed: number;
    probability: number;
    /** For comparison: share of identified answered calls followed by another call within the window. */
    afterAnswerProbability: number;
    delay: { mean: number; median: number; p90: number } | null;
  };
  ivr: { n: number; mean: number; median: number; p90: number; lognormal: { mean: number; cv: number } | null; ks: number | null; hangUpShare: number };
  staffing: { method: StaffingMethod; perDayType: Partial<Record<DayType, number[]>> };
  /** Per-day observed KPIs of the fitting log (for the record). */
  observed: { date: string; dayType: DayType; offered: number; abandonRate: number; serviceLevel: number; asa: number }[];
  /** Bad rows of the logs skipped by `--max-bad-rows` (absent when none were). */
  skippedRows?: SkippedRow[];
}

const round = (x: number, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

// ---------------------------------------------------------------- handle time

function cdfOf(d: DistSpec): (x: number) => number {
  switch (d.kind) {
    case 'uniform': return (x) => (x <= d.min ? 0 : x >= d.max ? 1 : (x - d.min) / (d.max - d.min));
    case 'exponential': return (x) => (x <= 0 ? 0 : 1 - Math.exp(-x / d.mean));
    case 'weibull': return (x) => (x <= 0 ? 0 : 1 - Math.exp(-Math.pow(x / d.scale, d.shape)));
    case 'lognormal': {
      const s2 = Math.log1p(d.cv * d.cv), mu = Math.log(d.mean) - s2 / 2, s = Math.sqrt(s2);
      return (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / s));
    }
    case 'histogram': {
      const tot = d.counts.reduce((a, b) => a + b, 0);
      return (x) => {
        let acc = 0;
        for (let i = 0; i < d.counts.length; i++) {
          const lo = d.edges[i], hi = d.edges[i + 1];
          if (x >= hi) acc += d.counts[i];
          else { if (x > lo) acc += (d.counts[i] * (x - lo)) / (hi - lo); break; }
        }
        return acc / tot;
      };
    }
    case 'mixture': {
      const w = d.components.reduce((a, c) => a + c.weight, 0);
      const parts = d.components.map((c) => ({ w: c.weight / w, F: cdfOf(c.dist) }));
      return (x) => parts.reduce((a, p) => a + p.w * p.F(x), 0);
    }
    default: throw new Error(`no CDF for ${d.kind}`);
  }
}

/**
 * An empirical handle-time distribution: a histogram with bins at the short-call cut
 * and at every 2% of the observed times (finer, 0.5%, in the top 5% tail), uniform
 * within a bin. Repeated quantiles (whole seconds) merge into one bin. The last bin (the
 * top 0.5%, up to the longest time) is where uniform spreading would move the mean most:
 * its upper edge is set so that its mean is that of the times in it (a handful of very
 * long calls otherwise raised the Anonymous Bank's mean handle time by 4%).
 */
export function empiricalHistogram(values: readonly number[], shortCut: number): Extract<DistSpec, { kind: 'histogram' }> {
  const sorted = [...values].sort((a, b) => a - b);
  const qs: number[] = [];
  for (let p = 0.02; p < 0.95 - 1e-9; p += 0.02) qs.push(p);
  for (let p = 0.95; p < 0.9995; p += 0.005) qs.push(p);
  const cuts = [0, ...(shortCut > 0 ? [shortCut] : []), ...qs.map((p) => quantile(sorted, p)), sorted[sorted.length - 1] + 1];
  const edges = [...new Set(cuts.map((x) => round(x, 1)))].sort((a, b) => a - b);
  const counts = new Array<number>(edges.length - 1).fill(0);
  let k = 0;
  for (const v of sorted) {
    while (k < counts.length - 1 && v >= edges[k + 1]) k++;
    counts[k]++;
  }
  const last = edges.length - 2;
  const tail = sorted.filter((v) => v >= edges[last]);
  if (tail.length > 0) edges[last + 1] = Math.max(edges[last] + 0.1, round(2 * mean(tail) - edges[last], 1));
  return { kind: 'histogram', edges, counts };
}

export function fitHandleTime(values: readonly number[], shortCut: number, mode: HandleMode = 'lognormal'): HandleTimeFit {
  const n = values.length;
  const m = mean(values);
  const sd = Math.sqrt(values.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, n - 1));
  const shortShare = values.filter((v) => v < shortCut).length / n;
  const ln = fitLognormalTruncated(values, shortCut);
  const lnDist: DistSpec = { kind: 'lognormal', mean: round(ln.mean, 2), cv: round(ln.cv, 4) };
  // Weight of the short component such that P(X < cut) equals the observed share.
  const Fc = normalCdf((Math.log(shortCut) - ln.mu) / ln.sigma);
  const w = shortCut > 0 ? Math.max(0, (shortShare - Fc) / (1 - Fc)) : 0;
  const mixture: DistSpec = w > 0.0005
    ? { kind: 'mixture', components: [{ weight: round(w, 4), dist: { kind: 'uniform', min: 0, max: shortCut } }, { weight: round(1 - w, 4), dist: lnDist }] }
    : lnDist;
  const hist = empiricalHistogram(values, shortCut);
  const dist = mode === 'empirical' ? hist : mixture;
  const other = mode === 'empirical' ? mixture : hist;
  const plain = fitLognormalTruncated(values.filter((v) => v > 0), 0);
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n, mean: round(m, 2), cv: round(sd / m, 4), shortCut, shortShare: round(shortShare, 4),
    lognormal: { mean: round(ln.mean, 2), cv: round(ln.cv, 4), mu: round(ln.mu, 4), sigma: round(ln.sigma, 4) },
    dist,
    mode,
    ks: round(ksDistance(values, cdfOf(dist)), 4),
    ksOther: round(ksDistance(values, cdfOf(other)), 4),
    ksPlainLognormal: round(ksDistance(values, cdfOf({ kind: 'lognormal', mean: plain.mean, cv: plain.cv })), 4),
    quantiles: quantileTable(sorted, [0.1, 0.25, 0.5, 0.75, 0.9, 0.99]),
  };
}

// ---------------------------------------------------------------- patience

const distOfCensored = (f: CensoredFit): DistSpec =>
  f.kind === 'exponential' ? { kind: 'exponential', mean: round(f.mean, 2) }
    : f.kind === 'weibull' ? { kind: 'weibull', shape: round(f.params.shape, 4), scale: round(f.params.scale, 2) }
      : { kind: 'lognormal', mean: round(f.mean, 2), cv: round(Math.sqrt(Math.expm1(f.params.sigma ** 2)), 4) };

/**
 * Patience from censored waits: an abandonment is an event at its wait, an answered
 * call is censored at its wait (it would have waited at least that long). Calls
 * answered at once (wait 0) carry no information and drop out at t = 0.
 */
export function fitPatience(waits: readonly number[], abandoned: readonly boolean[]): PatienceFit {
  const km = kaplanMeier(waits, abandoned);
  const fits = [fitExponentialCensored(waits, abandoned), fitWeibullCensored(waits, abandoned), fitLognormalCensored(waits, abandoned)];
  const best = fits.reduce((a, b) => (b.aic < a.aic ? b : a));
  const step = Math.max(1, Math.ceil(km.times.length / 200));
  const thinned: [number, number][] = [];
  for (let i = 0; i < km.times.length; i += step) thinned.push([km.times[i], round(km.survival[i], 5)]);
  const med = km.survival.findIndex((s) => s <= 0.5);
  return {
    offered: waits.length,
    queued: waits.filter((w) => w > 0).length,
    abandoned: abandoned.filter(Boolean).length,
    km: thinned,
    kmMedian: med >= 0 ? km.times[med] : null,
    fits: fits.map((f) => ({
      kind: f.kind,
      params: Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, round(v, 4)])),
      mean: round(f.mean, 1), logLik: round(f.logLik, 1), aic: round(f.aic, 1), ksVsKm: round(ksAgainstKm(km, f.cdf), 4),
    })),
    chosen: best.kind,
    dist: distOfCensored(best),
  };
}

// ---------------------------------------------------------------- the whole fit

function arrivalFit(days: ObservedDay[], L: number): ArrivalFit {
  const nI = Math.round(DAY / L);
  const per = new Array<number>(nI).fill(0);
  for (const d of days) for (let i = 0; i < nI; i++) per[i] += d.offered[i] / days.length;
  const hourly: number[] = [];
  for (let h = 0; h < 24; h++) {
    const counts = days.map((d) => d.hours[h].offered);
    const m = mean(counts);
    if (m >= 5 && counts.length > 1) hourly.push(counts.reduce((s, x) => s + (x - m) ** 2, 0) / (counts.length - 1) / m);
  }
  return {
    days: days.length,
    dates: days.map((d) => d.date),
    perInterval: per.map((x) => round(x, 2)),
    dailyTotal: (() => { const o = gammaOverdispersion(days.map((d) => d.total.offered)); return { ...o, mean: round(o.mean, 1), variance: round(o.variance, 1), dispersion: round(o.dispersion, 2), gammaCv: round(o.gammaCv, 4) }; })(),
    hourlyDispersion: round(mean(hourly), 2),
  };
}

export function fitCalls(calls: readonly CallRecord[], o: FitOptions): CalibrationFit {
  if (calls.length === 0) throw new Error('no calls to fit');
  const days = observeDays(calls, o.interval, o.threshold, o.staffing);
  const outcomes: Record<string, number> = {};
  for (const c of calls) outcomes[c.outcome] = (outcomes[c.outcome] ?? 0) + 1;

  const arrivals: Partial<Record<DayType, ArrivalFit>> = {};
  const staffing: Partial<Record<DayType, number[]>> = {};
  for (const t of DAY_TYPES) {
    const ds = days.filter((d) => d.dayType === t && d.total.offered > 0);
    if (ds.length === 0) continue;
    arrivals[t] = arrivalFit(ds, o.interval);
    staffing[t] = ds[0].staffing.map((_, i) => round(mean(ds.map((d) => d.staffing[i])), 2));
  }

  const answered = calls.filter((c) => c.outcome === 'answered');
  const mode = o.handle ?? 'empirical';
  const ht = (cs: readonly CallRecord[]) => cs.map((c) => c.end - c.answer!);
  const types = [...new Set(answered.map((c) => c.type))].sort();
  const byType: Record<string, HandleTimeFit> = {};
  for (const t of types) {
    const v = ht(answered.filter((c) => c.type === t));
    if (v.length >= 30) byType[t] = fitHandleTime(v, o.shortCall, mode);
  }

  const offered = calls.filter((c) => c.queueEntry !== null);
  const waitOf = (c: CallRecord) => Math.max(0, (c.outcome === 'answered' ? c.answer! : c.end) - c.queueEntry!);
  const patience = fitPatience(offered.map(waitOf), offered.map((c) => c.outcome === 'abandoned'));
  const classes: CalibrationFit['classes'] = {};
  for (const k of CALL_CLASSES) {
    const off = offered.filter((c) => classOf(c) === k);
    const ans = answered.filter((c) => classOf(c) === k);
    const ab = off.filter((c) => c.outcome === 'abandoned');
    // A class needs answered calls for its handle time and abandonments for its patience.
    if (ans.length < 30 || ab.length < 10) continue;
    classes[k] = {
      offered: off.length, share: round(off.length / offered.length, 4), abandonRate: round(ab.length / off.length, 4),
      handleTime: fitHandleTime(ht(ans), o.shortCall, mode),
      patience: fitPatience(off.map(waitOf), off.map((c) => c.outcome === 'abandoned')),
    };
  }

  // The typed replay model: families, the identified customers' delay.
  const families = typeFamilies(calls);
  const fam = familyOf(families);
  const delaySample = identifiedDelaySample(calls, PRESENCE_GAP).sort((a, b) => a - b);
  const delay = delaySample.length >= 100
    ? { n: delaySample.length, mean: round(mean(delaySample), 1), quantiles: quantileTable(delaySample, [0.1, 0.25, 0.5, 0.75, 0.9], 1), dist: empiricalHistogram(delaySample, 0) }
    : null;
  const allHandle = fitHandleTime(ht(answered), o.shortCall, mode);
  const replayClasses: NonNullable<CalibrationFit['replay']>['classes'] = [];
  for (const f of families) {
    const off = offered.filter((c) => fam(c) === f);
    const ans = answered.filter((c) => fam(c) === f);
    const nAb = off.filter((c) => c.outcome === 'abandoned').length;
    // A family too small to fit on its own takes the fits of all calls.
    const own = ans.length >= 30 && nAb >= 10;
    const handleTime = own ? fitHandleTime(ht(ans), o.shortCall, mode).dist : allHandle.dist;
    const pat = own ? fitPatience(off.map(waitOf), off.map((c) => c.outcome === 'abandoned')).dist : patience.dist;
    const nAnon = off.filter((c) => !delay || !isIdentified(c)).length;
    replayClasses.push({ name: f, family: f, identified: false, offered: nAnon, handleTime, patience: pat });
    if (delay) {
      const after = patienceAfterDelay(pat, delay.dist);
      replayClasses.push({ name: `${f}+id`, family: f, identified: true, offered: off.length - nAnon, handleTime, patience: pat, hangup: after.hangup, patienceAfterDelay: after.rest });
    }
  }

  // The switch model: which families are switched, the own delay of the others, and the
  // patience fitted through the replay of this log (replay.ts, calibrateSwitchPatience).
  let switchFamilies: SwitchFamily[] = [];
  if (delay) {
    const raw = families.map((f) => {
      const off = offered.filter((c) => fam(c) === f);
      const cls = replayClasses.find((c) => c.name === f)!;
      const identifiedShare = round(off.length ? off.filter(isIdentified).length / off.length : 0, 4);
      const base = { name: f, identifiedShare, handleTime: cls.handleTime, base: cls.patience };
      if (identifiedShare >= SWITCH_MIN_IDENTIFIED) return { ...base, switched: true, delay: null };
      const sample = waitsWhileIdle(calls, PRESENCE_GAP, (c) => fam(c) === f).sort((a, b) => a - b);
      const waited = sample.filter((x) => x > 0).length;
      // An own delay needs 100 such calls, 5% of which waited.
      const own = sample.length >= 100 && waited >= 0.05 * sample.length
        ? { n: sample.length, zeroShare: round(1 - waited / sample.length, 4), quantiles: quantileTable(sample, [0.25, 0.5, 0.75, 0.9], 1), dist: delayWithZeros(sample, (pos) => empiricalHistogram(pos, 0)) }
        : null;
      return { ...base, switched: false, delay: own };
    });
    const replayDays = observeDays(calls, o.interval, o.threshold, o.staffing, SWITCH_PRESENCE_GAP, { extension: SWITCH_SESSION_EXTENSION, classKey: fam });
    // The sidecar keeps each family's handle time once, in `classes`.
    switchFamilies = calibrateSwitchPatience(replayDays, raw, delay.dist, { interval: o.interval, threshold: o.threshold, dayHandleTime: true }).map(({ handleTime: _, ...f }) => f);
  }

  // Redials: identified customers; absolute times so that a redial after midnight counts.
  const byCustomer = new Map<string, number[]>();
  for (const c of calls) {
    if (c.customer === null) continue;
    const l = byCustomer.get(c.customer) ?? [];
    l.push(c.day * DAY + c.arrival);
    byCustomer.set(c.customer, l);
  }
  for (const l of byCustomer.values()) l.sort((a, b) => a - b);
  const nextCall = (c: CallRecord): number | null => {
    const l = byCustomer.get(c.customer!)!;
    const after = c.day * DAY + c.end;
    let lo = 0, hi = l.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (l[mid] <= after) lo = mid + 1; else hi = mid; }
    return lo < l.length && l[lo] - after <= o.redialWindow ? l[lo] - after : null;
  };
  const idAband = calls.filter((c) => c.outcome === 'abandoned' && c.customer !== null);
  const delays = idAband.map(nextCall).filter((d): d is number => d !== null).sort((a, b) => a - b);
  const idAns = calls.filter((c) => c.outcome === 'answered' && c.customer !== null);
  const afterAnswer = idAns.filter((c) => nextCall(c) !== null).length;

  const ivrTimes = offered.map((c) => Math.max(0, c.queueEntry! - c.arrival));
  const ivrSorted = [...ivrTimes].sort((a, b) => a - b);
  const ivrPos = ivrTimes.filter((x) => x > 0);
  const ivrLn = ivrPos.length >= 10 ? fitLognormalTruncated(ivrPos, 0) : null;

  return {
    name: o.name,
    sources: o.sources,
    calls: calls.length,
    days: days.length,
    firstDate: days[0].date,
    lastDate: days[days.length - 1].date,
    interval: o.interval,
    threshold: o.threshold,
    outcomes,
    arrivals,
    handleTime: { all: allHandle, byType },
    patience,
    classes,
    // The extension was chosen with the delay (January); a log without identified customers keeps the plain reading.
    replay: { families, sessionExtension: delay ? SESSION_EXTENSION : 0, delay, classes: replayClasses, ...(delay ? { switch: { sessionExtension: SWITCH_SESSION_EXTENSION, presenceGap: SWITCH_PRESENCE_GAP, dayHandleTime: true, families: switchFamilies } } : {}) },
    redial: {
      windowSeconds: o.redialWindow,
      identifiedAbandoned: idAband.length,
      redialed: delays.length,
      probability: round(idAband.length ? delays.length / idAband.length : NaN, 4),
      afterAnswerProbability: round(idAns.length ? afterAnswer / idAns.length : NaN, 4),
      delay: delays.length ? { mean: round(mean(delays), 1), median: quantile(delays, 0.5), p90: quantile(delays, 0.9) } : null,
    },
    ivr: {
      n: ivrTimes.length,
      mean: round(mean(ivrTimes), 2),
      median: quantile(ivrSorted, 0.5),
      p90: quantile(ivrSorted, 0.9),
      lognormal: ivrLn ? { mean: round(ivrLn.mean, 2), cv: round(ivrLn.cv, 4) } : null,
      ks: ivrLn ? round(ksDistance(ivrPos, cdfOf({ kind: 'lognormal', mean: ivrLn.mean, cv: ivrLn.cv })), 4) : null,
      hangUpShare: round((outcomes.ivr ?? 0) / calls.length, 4),
    },
    staffing: { method: o.staffing, perDayType: staffing },
    observed: days.filter((d) => d.total.offered > 0).map((d) => ({
      date: d.date, dayType: d.dayType, offered: d.total.offered,
      abandonRate: round(d.total.abandoned / d.total.offered, 4),
      serviceLevel: round(d.total.answeredWithin / d.total.offered, 4),
      asa: round(d.total.answered ? d.total.waitAnswered / d.total.answered : NaN, 1),
    })),
  };
}
