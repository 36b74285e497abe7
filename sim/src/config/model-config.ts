import type { DistSpec } from '../core/distributions.ts';

/**
 * The compiled, validated model the engine runs. Everything is in seconds and
 * integer ids; arrays are plain so the config is JSON- and structured-clone-safe
 * (it crosses to worker threads), and it is deep-frozen after compilation: the
 * engine never re-validates and never mutates it.
 *
 * It is complete: the engine applies no defaults. Optional fields are parts whose
 * absence means "none" (no IVR, no bot, no workforce model), never a value to fill
 * in. Compile fills every default from the scenario schema; a config built in code
 * goes through `modelConfig()` (sim/src/config/defaults.ts), which fills the same
 * defaults, so a hand-built model and a file that leaves the same fields out run
 * the same model.
 */
export interface ModelConfig {
  readonly schemaVersion: 1;
  readonly name: string;
  /**
   * The form of the scenario it was compiled from: 'queue', the single-queue form (one
   * contact type, queue, group and site, named as SINGLE_QUEUE in model-defaults.ts), or
   * 'center' (sites, contactTypes, agentGroups; a model built in code, unless it says
   * otherwise). Where a command writes the scenario back (`staff --out`, `schedule
   * --out`) and what a KPI named without a scope means follow it; nothing in the
   * engine does.
   */
  readonly form: 'queue' | 'center';
  readonly seed: number;
  /** Length of the arrival period in seconds. Calls still in the system at the horizon are worked off (drain). */
  readonly horizon: number;
  /** Reporting and staffing interval, seconds. */
  readonly intervalLength: number;
  readonly nIntervals: number;
  /**
   * Warm-up, seconds (steady-state studies): the contacts arriving in the intervals
   * before firstMeasuredInterval() (the warm-up rounded up to whole intervals) are
   * counted apart, and no result reads them.
   */
  readonly warmup: number;
  /** Service-level threshold T, seconds. */
  readonly threshold: number;
  readonly sla: readonly SlaTarget[];
  readonly types: readonly ContactTypeConfig[];
  readonly queues: readonly QueueConfig[];
  readonly groups: readonly AgentGroupConfig[];
  readonly sites: readonly SiteConfig[];
  /** 'virtual': one queue across sites; 'local': calls wait at their site, overflow later. */
  readonly siteMode: 'virtual' | 'local';
  /** local mode: seconds a call waits before agents of other sites may take it, and the transfer time added. */
  readonly siteOverflowAfter: number;
  readonly siteTransferDelay: number;
  readonly routing: RoutingConfig;
  readonly failures: readonly SiteFailureConfig[];
  /** Agents who learn and tire, defects, rework, complaints, cost; absent = none. */
  readonly workforce?: WorkforceConfig;
  /** Random overdispersion of demand (gamma multipliers with mean 1), 0 = none. */
  readonly demand: DemandParams;
}

/**
 * Whether the model is the single-queue form's (ModelConfig.form). A config stored
 * before the field existed has none: it counts as a center, as a model built in code
 * does.
 */
export function isSingleQueue(cfg: Pick<ModelConfig, 'form'>): boolean {
  return cfg.form === 'queue';
}

/**
 * The first interval measured: the warm-up rounded up to whole intervals (a 5,400 s
 * warm-up with 1 h intervals measures from the third interval, 7,200 s), at most
 * nIntervals. The one place this rule is written: the engine (which counts the
 * intervals before it apart), the summaries and the commands that skip the warm-up
 * all ask here.
 */
export function firstMeasuredInterval(cfg: { readonly warmup: number; readonly intervalLength: number; readonly nIntervals: number }): number {
  return Math.min(Math.max(0, Math.ceil(cfg.warmup / cfg.intervalLength - 1e-9)), cfg.nIntervals);
}

export interface DemandParams {
  readonly dayCv: number;
  readonly intervalCv: number;
  /** intervals in a day: interval i lies in day floor(i / intervalsPerDay) */
  readonly intervalsPerDay: number;
}

export interface RoutingConfig {
  /** 'fifo', 'priority', 'aging', or a module path of a plug-in policy */
  readonly policy: string;
  /** aging: score = priority + agingRate * seconds waited */
  readonly agingRate: number;
  /** backup skills are served only for calls that waited at least this long, seconds */
  readonly overflowAfter: number;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface SiteFailureConfig {
  readonly site: number;
  readonly start: number;
  readonly end: number;
  /** calls in service at the failing site: dropped at once, or finished by their agents */
  readonly inService: 'drop' | 'finish';
  /** calls waiting for the failing site's agents (local mode): move to the other sites, or are lost */
  readonly waiting: 'move' | 'lose';
}

export type { Channel } from './channels.ts';
import type { Channel } from './channels.ts';

export interface ContactTypeConfig {
  readonly name: string;
  readonly channel: Channel;
  readonly product?: string;
  readonly language?: string;
  /** static priority for the 'priority' and 'aging' policies: higher is served first */
  readonly priority: number;
  /** relative share of arrivals landing on each site (index = site); the engine normalises it */
  readonly siteSplit: readonly number[];
  /** Expected arrivals per second in each interval (length nIntervals). */
  readonly arrivalRates: readonly number[];
  readonly handleTime: DistSpec;
  /** null: the caller never abandons. */
  readonly patience: DistSpec | null;
  /**
   * After-call work: the agent's time after each completed contact of this type (not
   * after a misrouted call's transfer), busy and unavailable on that contact's slot;
   * absent = none. Counted in handle time (aht = talk + wrap) and in busy time.
   */
  readonly wrapUp?: DistSpec;
  readonly queue: number;
  /** IVR in front of the queue (phone); absent = straight to the queue */
  readonly ivr?: IvrConfig;
  /** IM bot answering first; absent = no bot */
  readonly bot?: BotConfig;
  /** deferred work (email, fax): reply deadline in seconds; absent = none */
  readonly deadline?: number;
  /** a customer who abandons or hears a busy tone may try again */
  readonly redial?: RedialConfig;
  /** callbacks offered to callers who have waited long */
  readonly callback?: CallbackConfig;
}

export interface QueueConfig {
  readonly name: string;
  /** the skill an agent needs to take this queue's contacts */
  readonly skill?: string;
}

export interface AgentGroupConfig {
  readonly name: string;
  readonly site: number;
  /** Queues this group serves. */
  readonly queues: readonly number[];
  /** Speed per served queue (same order): handle time is divided by it; 1 = standard. */
  readonly proficiency: readonly number[];
  /** Per served queue: 1 if a backup skill (served only after routing.overflowAfter), else 0. */
  readonly backup: readonly number[];
  /** Contacts an agent holds at once (IM chats). */
  readonly maxContacts: number;
  /** Each additional open contact slows handling by this share (0.2: the 2nd chat at once is 20% slower). */
  readonly slowdown: number;
  /** Per served queue: the queue is worked only while fewer phone calls than this wait (blending); null = always. */
  readonly blendBelow: readonly (number | null)[];
  /** Agents on duty in each interval (length nIntervals). */
  readonly staffing: readonly number[];
}

export interface SiteConfig {
  readonly name: string;
  /** Trunk lines: calls in the system (waiting or in service) at most; null = unlimited. */
  readonly lines: number | null;
}

/** A service target the run is judged against. */
export interface SlaTarget {
  readonly name: string;
  /** A KPI of the result's totals, e.g. serviceLevel, abandonRate, asa. */
  readonly kpi: string;
  readonly target: number;
  /** 'min': the KPI must be at least the target; 'max': at most. */
  readonly direction: 'min' | 'max';
}

export interface IvrConfig {
  /** time in the menu, seconds */
  readonly time: DistSpec;
  /** share completing in self-service (deflected) */
  readonly selfService: number;
  /** share hanging up in the IVR */
  readonly hangup: number;
  /** share sent to a wrong queue: the first agent transfers them after misrouteTime */
  readonly misroute: number;
  readonly misrouteTime: number;
  /**
   * Only callers who cannot be connected at once go through the IVR: a caller who finds
   * an agent free and nobody in its queue (waiting, or in this IVR) is answered at once.
   * For a menu that makes callers identify themselves while they wait (the Anonymous
   * Bank's switch). Absent or false: every caller goes through the IVR (a flag:
   * compile writes it only when true).
   */
  readonly onlyWhenNoAgentFree?: boolean;
}

export interface BotConfig {
  /** share of contacts the bot resolves alone */
  readonly deflection: number;
  /** the handoff summary shortens the human's handling by this share ("say it only once") */
  readonly summarySaving: number;
}

export interface RedialConfig {
  /** probability of another attempt after an abandonment or a busy tone */
  readonly probability: number;
  readonly delay: DistSpec;
  /** attempts at most, the first included */
  readonly maxAttempts: number;
}

export interface CallbackConfig {
  /** a caller who has waited this long is offered a callback (seconds) */
  readonly offerAfter: number;
  /** share accepting: they hang up and keep their place in the queue (no abandonment) */
  readonly acceptance: number;
  /** agent time to call back, added to the handle time (seconds) */
  readonly dialTime: number;
}

/**
 * The workforce and quality loop (issue 4): agents as people who learn and tire,
 * errors that come back as rework and complaints, and what it all costs.
 */
export interface WorkforceConfig {
  /** Learning curve over tenure (days since hire, training included). */
  readonly learning: {
    readonly model: 'exponential' | 'power';
    /** handle-time multiplier of an agent fresh out of training, tending to 1 */
    readonly ahtFactorNew: number;
    /** defect probability per handled contact, fresh out of training and expert */
    readonly errorNew: number;
    readonly errorExpert: number;
    /** days for the excess over expert level to fall by e (exponential) or the power-law scale */
    readonly timeConstantDays: number;
  };
  /** training days before a hire takes contacts alone (one month) */
  readonly trainingDays: number;
  /** agents with less tenure than this are "new" (three months) */
  readonly newAgentDays: number;
  /** time-of-day error peaks of new agents: multiplier 1 + sum amplitude * exp(-(h - hour)^2 / (2 width^2)) */
  readonly peaks: readonly { readonly hour: number; readonly amplitude: number; readonly width: number }[];
  /** fatigue: after this many hours on duty, handle time and errors rise by these shares per hour */
  readonly fatigue: { readonly afterHours: number; readonly ahtPerHour: number; readonly errorPerHour: number };
  /** a shift change at this hour of the day: agents on duty then start fresh (fatigue resets); null = none */
  readonly shiftChangeHour: number | null;
  /** coach on the floor: new agents' errors fall by this share during coached hours */
  readonly coach: { readonly errorReduction: number; readonly fromHour: number; readonly toHour: number } | null;
  /** daily quit hazard of new and of experienced agents */
  readonly attrition: { readonly dailyNew: number; readonly dailyExpert: number };
  /** what a defect brings back */
  readonly quality: {
    readonly rework: number;
    readonly reworkDelay: DistSpec;
    readonly complaint: number;
    readonly complaintDelay: DistSpec;
    /** extra handle time of the agent who accepts a complaint (one-stop, no transfer), seconds */
    readonly complaintExtraHandle: number;
    /** repeat contacts of types with a bot are shorter by this share (the summary and history) */
    readonly repeatSaving: number;
  };
  /** complaint cases, worked as contacts of caseType by the team that has its skill */
  readonly complaints: {
    readonly caseType: number;
    readonly replyDeadline: number;
    readonly supplierShare: number;
    readonly supplierDelay: DistSpec;
    readonly supervisorShare: number;
    readonly supervisorDelay: DistSpec;
    /** "pay first" compensation per complaint (RMB) */
    readonly payFirst: DistSpec;
    /** price guarantee: share of complaints about price, paid difference x 1 (own fault) or x 3 (third party) */
    readonly priceGuaranteeShare: number;
    readonly priceDifference: DistSpec;
    readonly ownFaultShare: number;
  } | null;
  /** cost rates: agent cost per staffed hour by site, telephony per line minute (RMB) */
  readonly cost: { readonly agentPerHour: readonly number[]; readonly telephonyPerMinute: number };
  /** per group: initial tenure (days) of each rostered agent; negative = hired later (joins at 0) */
  readonly rosters: readonly (readonly number[])[];
  /** per group, parallel to rosters: each agent's cohort (index into cohorts) */
  readonly rosterCohorts: readonly (readonly number[])[];
  /** the cohorts of the headcount report: 0 the initial staff, then each hiring class in order */
  readonly cohorts: readonly { readonly name: string; readonly group: string | null; readonly day: number; readonly agents: number }[];
  /**
   * What the groups' plans count: 'seats' (agents on the phones per interval, at most
   * the trained agents) or 'heads' (the on-duty profile of the base headcount: with H
   * trained agents, round(plan x H / baseHeads) are on duty).
   */
  readonly staffing: 'seats' | 'heads';
  /** per group: the headcount its plan stands for in 'heads' mode (the initial roster: the plan's peak) */
  readonly baseHeads: readonly number[];
  /**
   * Per group: the hours of day its shifts start (groups staffed by shifts), with their
   * lengths; empty for groups staffed by counts per interval, whose agents are taken to
   * work standard shifts of `standardShiftHours`.
   */
  readonly shiftStarts: readonly (readonly { readonly hour: number; readonly hours: number }[])[];
  readonly standardShiftHours: number;
  /** per group, per interval: agents taken off the phones (mentoring, coaching, breaks) */
  readonly offPhone: readonly (readonly number[])[];
}
