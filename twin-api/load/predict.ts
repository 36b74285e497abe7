import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { contactEnds, type ContactEnd } from '../../sim/src/engine/contact-log.ts';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { EventLog, logEnd, O_UNFINISHED } from '../../sim/src/model/event-log.ts';
import { CALL_IN_SERVICE, CALL_IVR, CALL_WAITING, FLAG_CASE, FLAG_COMPLAINT, FLAG_REPEAT, FLAG_TRANSFERRED } from '../../sim/src/model/contacts.ts';
import type { RoutingPolicy } from '../../sim/src/model/routing.ts';
import { COUNT_FIELDS, emptyCounts, type LoadCounts } from './summary.ts';

/**
 * What the simulation predicts a load measures: one replication of the scenario, run
 * with the per-contact event log, counted as a load counts, per contact type: the
 * FIRST attempts (not redials, rework or complaint contacts: the center makes those,
 * the load does not) that arrived in the load's window [start, end), by outcome, with
 * the waits of the answered ones. The whole center runs as usual (redials and every
 * other arrival still take agents); only the counting is restricted.
 *
 * Why the event log, not the result's interval rows: the rows are kept per interval,
 * site and channel (subRows), never per contact type and interval (the per-type cells
 * are whole-run totals after the warm-up), and a row's answered, abandoned and waits
 * mix first attempts with redials. The log has each attempt's type, attempt number,
 * flags and times, so the window is exact (an interval cut by the horizon too).
 *
 * A replication stops early once the window has passed and every first attempt that
 * arrived in it has ended: a 4-hour load on an 8-week scenario simulates about 4 hours.
 */

/** How answered contacts count: completed or dropped (cut off by a site failure) after an answer, or answered and then transferred. */
const ANSWERED = new Set(['completed', 'dropped', 'transferred']);
/** Doubles per contact type in a counts block: COUNT_FIELDS in order. */
export const NCOUNT = COUNT_FIELDS.length;
/** Calendar events per slice between checks of the early stop. */
const SLICE = 100_000;

export interface Window {
  start: number;
  end: number;
}

/** Adds one attempt's end to the per-type counts block (nTypes x NCOUNT doubles), if it is a first attempt in the window. */
function count(out: Float64Array, c: ContactEnd, w: Window, threshold: number): void {
  if (c.attempt !== 1 || (c.flags & (FLAG_REPEAT | FLAG_COMPLAINT | FLAG_CASE)) !== 0) return;
  if (!(c.arrival >= w.start && c.arrival < w.end)) return;
  // A misrouted call counts once, answered, at its transfer: its later end is not a new outcome.
  if (c.outcome !== 'transferred' && (c.flags & FLAG_TRANSFERRED) !== 0) return;
  const b = c.type * NCOUNT;
  const at = (k: keyof LoadCounts) => b + COUNT_FIELDS.indexOf(k);
  out[at('sent')]++;
  if (ANSWERED.has(c.outcome)) {
    const wait = c.answer - c.queueEntry;
    out[at('answered')]++;
    out[at('waitSum')] += wait;
    if (wait <= threshold) out[at('answeredWithin')]++;
  } else {
    out[at(c.outcome as keyof LoadCounts)]++;
  }
}

/**
 * Runs replication `rep` of `cfg` and returns its per-type counts of first attempts in
 * `w` (nTypes x NCOUNT doubles, COUNT_FIELDS order). `stop` is checked between slices.
 */
export function replicationCounts(cfg: ModelConfig, rep: number, w: Window, policy: RoutingPolicy | null = null, stop?: () => boolean): Float64Array {
  const out = new Float64Array(cfg.types.length * NCOUNT);
  const r = new Replication(cfg, rep, policy);
  const s = r.state;
  const log = (s.log = new EventLog(8192));
  const take = () => {
    for (const c of contactEnds(log)) count(out, c, w, cfg.threshold);
    log.clear();
  };
  /** A first attempt that arrived in the window and has not ended yet. */
  const open = () => {
    for (let slot = 0; slot < s.nSlots; slot++) {
      const st = s.cState[slot];
      if ((st === CALL_WAITING || st === CALL_IVR || st === CALL_IN_SERVICE) && s.cAttempt[slot] === 1
        && (s.cFlags[slot] & (FLAG_REPEAT | FLAG_COMPLAINT | FLAG_CASE)) === 0 && s.cArrive[slot] >= w.start && s.cArrive[slot] < w.end) return true;
    }
    return false;
  };
  r.start();
  for (;;) {
    r.advanceTo(Infinity, SLICE);
    take();
    if (!r.behind) {
      // The run ended: contacts still waiting are unfinished (as runLogged says them).
      for (let slot = 0; slot < s.nSlots; slot++) if (s.cState[slot] === CALL_WAITING) logEnd(s, slot, O_UNFINISHED);
      take();
      break;
    }
    if (s.now >= w.end && !open()) break;
    if (stop?.()) break;
  }
  s.log = null;
  return out;
}

/** Counts of type `t` from a counts block. */
export function countsOf(block: ArrayLike<number>, t: number): LoadCounts {
  const c = emptyCounts();
  COUNT_FIELDS.forEach((k, i) => { c[k] = block[t * NCOUNT + i]; });
  return c;
}
