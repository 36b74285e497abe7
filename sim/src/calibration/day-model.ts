import { distMean, type DistSpec } from '../core/distributions.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { modelConfig, singleQueueModel } from '../config/defaults.ts';
import { CALL_CLASSES, type CallClass } from './call-log.ts';
import { scaleDist, type SwitchFamily } from './identified.ts';
import { DAY, STAFFING_STEP, type ObservedDay } from './observed-day.ts';

/**
 * The model of one observed day for the replay (replay.ts): the day's own arrivals
 * (counts per interval, or the entry times to inject) and staffing, with the fitted
 * handle times and patience, as a ModelConfig. Four shapes: the switch model, the typed
 * model, customer classes, or one pooled contact type. Builds the config only; running
 * it is replay.ts's business.
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
  /** One contact type per customer class, sharing the agents (docs/calibration-method.md, "Method"). */
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
  const time = { name: `replay ${d.date}`, seed: o.seed + d.day, horizon: DAY, intervalLength: L, nIntervals: nI, warmup: 0, threshold: o.threshold, sla: [] };
  if (!o.classes || o.classes.length === 0) {
    // One queue of all calls: the single-queue form's model.
    return singleQueueModel({
      ...time,
      arrivalRates: o.arrivals === 'trace' ? new Array<number>(nI).fill(0) : rates(d.offered),
      handleTime: o.handleTime,
      patience: o.patience,
      staffing,
      lines: null,
    });
  }
  const classes = o.classes;
  return modelConfig({
    schemaVersion: 1,
    ...time,
    types: classes.map((c, qi) => ({
      name: c.name,
      channel: 'phone' as const,
      priority: c.priority,
      arrivalRates: o.arrivals === 'trace' ? new Array<number>(nI).fill(0) : rates(arr[qi].offered),
      handleTime: c.handleTime,
      patience: c.patience,
      queue: qi,
      site: 0,
    })),
    queues: classes.map((c) => ({ name: c.name })),
    groups: [{ name: 'agents', site: 0, queues: classes.map((_, qi) => qi), staffing }],
    routing: { policy: o.routing ?? 'fifo', agingRate: 0, overflowAfter: 30, params: {} },
    sites: [{ name: 'center', lines: null }],
  });
}
