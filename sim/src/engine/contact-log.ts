import { LOG_FIELDS, OUTCOMES, type EventLog, type Outcome } from '../model/event-log.ts';

/**
 * The event log read back as records, for code outside the engine that aggregates
 * them (the calibration replay): the buffer's layout stays the model's business.
 * `logRecords` (model/event-log.ts) is the output form (names, times rounded to the
 * millisecond); this one keeps ids and exact times, so sums over it match the engine's.
 */

/**
 * How one contact attempt ended. Times in seconds from the start, exact; -1 where not
 * applicable (`queueEntry` of a contact that never queued, `answer` of one never
 * answered). `type`, `site` and `group` index the model's `types`, `sites` and
 * `groups`; `agent` and `group` are -1 when no agent took the contact.
 */
export interface ContactEnd {
  outcome: Outcome;
  type: number;
  site: number;
  attempt: number;
  arrival: number;
  queueEntry: number;
  answer: number;
  end: number;
  agent: number;
  group: number;
  flags: number;
  defect: boolean;
}

const STRIDE = LOG_FIELDS.length;
const F = Object.fromEntries(LOG_FIELDS.map((f, i) => [f, i])) as Record<(typeof LOG_FIELDS)[number], number>;

/** The records of one log buffer, as `runLogged` and `replicateLogged` pass it to their `write`. */
export function* contactEnds(log: EventLog): Generator<ContactEnd, void, undefined> {
  const d = log.buf;
  for (let i = 0; i < log.n; i++) {
    const b = i * STRIDE;
    yield {
      outcome: OUTCOMES[d[b + F.outcome]],
      type: d[b + F.type],
      site: d[b + F.site],
      attempt: d[b + F.attempt],
      arrival: d[b + F.arrival],
      queueEntry: d[b + F.queueEntry],
      answer: d[b + F.answer],
      end: d[b + F.end],
      agent: d[b + F.agent],
      group: d[b + F.group],
      flags: d[b + F.flags],
      defect: d[b + F.defect] === 1,
    };
  }
}
