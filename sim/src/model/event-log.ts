import type { SimState } from './state.ts';

/**
 * The per-contact event log (off by default): one record for each way a contact
 * attempt ends, written into a preallocated Float64Array. When the buffer is full the
 * engine stops between events (`full`), the caller writes the records out and clears
 * the buffer: no I/O and no allocation in the hot loop.
 */
export const OUTCOMES = ['blocked', 'deflected', 'ivrHangup', 'abandoned', 'lost', 'completed', 'dropped', 'transferred', 'unfinished'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const O_BLOCKED = 0, O_DEFLECTED = 1, O_IVR_HANGUP = 2, O_ABANDONED = 3, O_LOST = 4, O_COMPLETED = 5, O_DROPPED = 6, O_TRANSFERRED = 7, O_UNFINISHED = 8;

/** Fields of a record, in order. Times in seconds from the start; -1 where not applicable. */
export const LOG_FIELDS = ['outcome', 'type', 'site', 'attempt', 'arrival', 'queueEntry', 'answer', 'end', 'agent', 'group', 'flags', 'defect'] as const;
const STRIDE = LOG_FIELDS.length;

export class EventLog {
  buf: Float64Array;
  n = 0;
  /** `capacity` records trigger a flush; one event may add more (a site failure drops many calls), so the buffer grows if it must */
  constructor(readonly capacity = 8192) {
    this.buf = new Float64Array(capacity * STRIDE);
  }
  get full(): boolean {
    return this.n >= this.capacity;
  }
  clear(): void {
    this.n = 0;
  }
  /** Room for one more record. */
  reserve(): void {
    if ((this.n + 1) * STRIDE > this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
  }
}

/** Appends the record of the attempt in `slot`, ending now with `outcome`. */
export function logEnd(s: SimState, slot: number, outcome: number, defect = 0): void {
  const log = s.log!;
  log.reserve();
  const b = log.n++ * STRIDE;
  const d = log.buf;
  const inService = outcome === O_COMPLETED || outcome === O_DROPPED || outcome === O_TRANSFERRED;
  const queued = outcome !== O_BLOCKED && outcome !== O_DEFLECTED && outcome !== O_IVR_HANGUP;
  const agent = inService ? s.cAgent[slot] : -1;
  d[b] = outcome;
  d[b + 1] = s.cType[slot];
  d[b + 2] = s.cSite[slot];
  d[b + 3] = s.cAttempt[slot];
  d[b + 4] = s.cArrive[slot];
  d[b + 5] = queued ? s.cEnter[slot] : -1;
  d[b + 6] = inService ? s.cStart[slot] : -1;
  d[b + 7] = s.now;
  d[b + 8] = agent;
  d[b + 9] = agent >= 0 ? s.aGroup[agent] : -1;
  d[b + 10] = s.cFlags[slot];
  d[b + 11] = defect;
}

/** The records of a log as objects (names instead of ids), for NDJSON or CSV. */
export function* logRecords(log: EventLog, replication: number, typeNames: readonly string[], siteNames: readonly string[], groupNames: readonly string[]) {
  for (let i = 0; i < log.n; i++) {
    const b = i * STRIDE, d = log.buf;
    const t = (x: number) => (x < 0 ? null : Math.round(x * 1000) / 1000);
    yield {
      replication,
      outcome: OUTCOMES[d[b]],
      type: typeNames[d[b + 1]],
      site: siteNames[d[b + 2]],
      attempt: d[b + 3],
      arrival: t(d[b + 4]),
      queueEntry: t(d[b + 5]),
      answer: t(d[b + 6]),
      end: t(d[b + 7]),
      agent: d[b + 8] < 0 ? null : d[b + 8],
      group: d[b + 9] < 0 ? null : groupNames[d[b + 9]],
      flags: d[b + 10],
      defect: d[b + 11] === 1,
    };
  }
}
