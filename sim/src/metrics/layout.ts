/**
 * The per-interval accumulator layout: one row of NM doubles per interval, plus one
 * "drain" row for time after the horizon. Call outcomes are attributed to the
 * interval the call arrived in (the convention of interval service-level reports and
 * of Erlang staffing); time-weighted quantities (busy, staffed, queue area) to the
 * interval in which the time passed.
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
} as const;
export const NM = 15;
export const METRIC_NAMES: readonly string[] = Object.keys(M);

/** Binary result buffer: header then rows. Versioned so a mismatched reader fails loudly. */
export const RESULT_MAGIC = 0x43435457; // "CCTW"
export const RESULT_VERSION = 1;
export const HEADER_LENGTH = 8; // doubles: magic, version, nRows, NM, events, wallSeconds, replication, reserved
