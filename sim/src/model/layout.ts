import type { ModelConfig } from '../config/model-config.ts';

/**
 * The result layout of one replication (a versioned Float64Array).
 *
 * Blocks, after the header:
 *   rows      (nIntervals + 1) x NM: the whole center per interval, counts and
 *             time-weighted metrics; the last row is the drain after the horizon.
 *   subRows   (nIntervals + 1) x nSites x 4 channels x NM: contact counts by
 *             interval, site (the one that took the contact) and channel, plus the levels backlog/overdue.
 *   cells     nTypes x nSites x NM: counts per (type, site that took it) of contacts
 *             that arrived after the warm-up, plus the levels backlog/overdue at the
 *             end of the last interval (the horizon; every contact waiting then, warm-up
 *             arrivals included, as in the subRows: a channel's figure is the sum of its
 *             types').
 *   siteRows  (nIntervals + 1) x nSites x NM: busyTime, staffedTime, agentCost per site.
 *   tenure    3 bands x NM: completed, handleTime and defects by the agent's tenure.
 *   heads     days x cohorts x 4 states (scenarios with a workforce; else empty):
 *             agents on the roster (hired, not quit) at the start of each day, after
 *             that day's quits and graduations, by cohort (the initial staff, then
 *             each hiring class) and state (HEAD_STATES: in training, then the
 *             tenure bands); see headcountLength.
 *
 * Counts belong to the interval the contact arrived in (the convention of interval
 * service-level reports and of Erlang staffing); time to the interval in which it
 * passed; levels (backlog, overdue) are taken at the end of each interval.
 *
 * Outcomes: every arrival ends as exactly one of blocked, deflected (IVR self-service
 * or IM bot), ivrHangup, answered, abandoned, lost (waiting when its site failed,
 * with waiting: lose) or unfinished (still waiting when no event was left).
 * `dropped` counts answered calls cut off by a site failure (a subset of answered);
 * `completed` the answered contacts that finished.
 */
export const M = {
  arrivals: 0,
  blocked: 1,
  offered: 2,
  answered: 3,
  answeredWithin: 4,
  abandoned: 5,
  abandonedWithin: 6,
  waitAnswered: 7,
  waitAbandoned: 8,
  handleTime: 9,
  unfinished: 10,
  busyTime: 11,
  staffedTime: 12,
  queueArea: 13,
  systemArea: 14,
  completed: 15,
  dropped: 16,
  lost: 17,
  transfers: 18,
  deflected: 19,
  ivrHangup: 20,
  retries: 21,
  customersLost: 22,
  callbacks: 23,
  answeredLate: 24,
  backlog: 25,
  overdue: 26,
  /** handled contacts that carried a defect (by the contact's arrival interval) */
  defects: 27,
  /** defects that will come back as a repeat contact (rework) */
  repeats: 28,
  /** arrivals that are rework or complaint contacts, or complaint cases (not new customers) */
  repeatArrivals: 29,
  /** defects that come back as a complaint */
  complaints: 30,
  complaintReplies: 31,
  complaintRepliesOnTime: 32,
  /** RMB: compensation paid on complaint replies */
  compensation: 33,
  /** RMB: agent time on duty x the site's hourly cost */
  agentCost: 34,
  /** RMB: trunk line time x the per-minute rate */
  telephonyCost: 35,
  /** complaint cases still open (waiting or being worked) when the result is taken: the end of the run */
  complaintCasesOpen: 36,
  /** of those, open longer than the reply deadline: counted late in complaintReplyOnTime */
  complaintCasesOpenOverdue: 37,
  /** seconds of after-call work of completed contacts (a part of handleTime, which includes it) */
  wrapTime: 38,
} as const;
export const NM = 39;

/**
 * Time-weighted metrics: integrals over time, advanced with the clock (the areas and
 * costs of SimState.advanceAreas, the pay of agents off the phones at each interval
 * boundary). They are kept in the whole center's interval rows (and busy, staffed
 * and agent time per site in siteRows), never by (site, channel) or by (type, site):
 * when the result is taken, the center's rows are summed from the subRows for every
 * other metric. Two kinds, which totals treat differently:
 *   areas  agent-seconds busy and staffed, contact-seconds waiting and in the
 *          system: totals stop them at the horizon (they are averaged over it);
 *   costs  RMB of agent time and trunk-line time: totals keep the drain's (money
 *          paid while the last contacts are worked off: in the drain, busy agents
 *          only, see costs.ts).
 */
export const AREA_METRICS: readonly number[] = [M.busyTime, M.staffedTime, M.queueArea, M.systemArea];
export const TIME_COST_METRICS: readonly number[] = [M.agentCost, M.telephonyCost];
export const TIME_WEIGHTED: readonly number[] = [...AREA_METRICS, ...TIME_COST_METRICS];
/** Levels, taken at the end of each interval (contacts waiting, and past their deadline): not summed over intervals. */
export const LEVEL_METRICS: readonly number[] = [M.backlog, M.overdue];
/** Tenure bands of the byTenure block: under newAgentDays, under a year, a year or more. */
export const TENURE_BANDS = ['under3months', 'months3to12', 'over12months'] as const;

/** States of the heads block: in training (off the phones), then the tenure bands of trained agents. */
export const HEAD_STATES = ['training', ...TENURE_BANDS] as const;
export const NHS = 4;

/** Days of the heads block: one per day start within the horizon. */
export function headcountDays(cfg: Pick<ModelConfig, 'nIntervals' | 'intervalLength'>): number {
  return Math.ceil((cfg.nIntervals * cfg.intervalLength) / 86400 - 1e-9);
}

/** Doubles of the heads block: days x cohorts x HEAD_STATES (none without a workforce). */
export function headcountLength(cfg: Pick<ModelConfig, 'nIntervals' | 'intervalLength' | 'workforce'>): number {
  return cfg.workforce ? headcountDays(cfg) * cfg.workforce.cohorts.length * NHS : 0;
}

/** Channels in the order of the subRows block: defined once, in config/channels.ts. */
export { CHANNELS, NCH } from '../config/channels.ts';

/** Binary result buffer: header then blocks. Versioned so a mismatched reader fails loudly. */
export const RESULT_MAGIC = 0x43435457; // "CCTW"
export const RESULT_VERSION = 5;
/** doubles: magic, version, nRows, NM, events, wallSeconds, replication, nTypes, nSites, reserved */
export const HEADER_LENGTH = 10;
