/**
 * The result layout of one replication.
 *
 * Rows: one row of NM doubles per interval, plus one "drain" row for time after the
 * horizon. Call outcomes are attributed to the interval the call arrived in (the
 * convention of interval service-level reports and of Erlang staffing);
 * time-weighted quantities (busy, staffed, queue area) to the interval in which the
 * time passed.
 * Cells: totals per (contact type, site) of the calls that arrived after the warm-up,
 * NM doubles each, site = the site whose line the call held.
 * Site time: per site, NM doubles of which only the time metrics are used (busy and
 * staffed agent-seconds after the warm-up and before the horizon).
 *
 * Outcomes: every arrival ends as exactly one of blocked, answered, abandoned,
 * lost (waiting when its site failed, with waiting: lose) or unfinished (still
 * waiting when no event was left). `dropped` counts answered calls cut off by a
 * site failure (a subset of answered); `completed` the answered calls that finished.
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
} as const;
export const NM = 19;
export const METRIC_NAMES: readonly string[] = Object.keys(M);

/** Binary result buffer: header then rows, cells, site time. Versioned so a mismatched reader fails loudly. */
export const RESULT_MAGIC = 0x43435457; // "CCTW"
export const RESULT_VERSION = 2;
/** doubles: magic, version, nRows, NM, events, wallSeconds, replication, nTypes, nSites, reserved */
export const HEADER_LENGTH = 10;
