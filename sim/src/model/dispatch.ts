import {
  ABANDON, ABANDON_ARM, ARRIVAL, CALLBACK_OFFER, INJECTED, IVR_END, KIND_PRIORITY, OVERFLOW, REDIAL, SERVICE_END, SITE_DOWN, SITE_UP, TICK,
} from './event-kinds.ts';
import type { SimState } from './state.ts';
import { onAbandon, onArrival, onCallbackOffer, onIvrEnd, onOverflow, onRedial, scheduleArrival } from './lifecycle.ts';
import { onServiceEnd } from './quality.ts';
import { onTick } from './staffing.ts';
import { onSiteDown, onSiteUp } from './sites.ts';

/**
 * The model's side of the engine's loop: the events a replication starts with,
 * contacts added from outside, and the dispatch of each event the calendar pops to
 * its handler. The engine knows the calendar and these three functions, no event
 * kind and no handler.
 *
 * The model is split by layer; each imports only from the layers before it (checked
 * by test/sim/dispatch.test.ts):
 *   state, event-kinds, event-log, routing, demand   the state and what it is built from
 *   steps       count, end an attempt (count and log), release, unload, go off duty
 *   workforce   agents as people: learning, fatigue, attrition
 *   lifecycle   a contact's life: arrival, IVR, bot, queue, answer, abandonment,
 *               overflow, callback, redial; agents taking work
 *   quality     the end of a service, the quality loop, complaints and their cases
 *               (a contact coming back re-enters through lifecycle's attempt())
 *   staffing    interval boundaries: levels, start of day, shift changes, staffing
 *   sites       a site failing and recovering
 *   dispatch    this file
 */

/** Schedules the first arrival of every type, the first interval boundary and the site failures. */
export function startEvents(s: SimState): void {
  for (let t = 0; t < s.nTypes; t++) scheduleArrival(s, t, 0);
  s.cal.push(0, KIND_PRIORITY[TICK], TICK, 0, 0);
  const failures = s.cfg.failures ?? [];
  for (let i = 0; i < failures.length; i++) {
    const f = failures[i];
    s.cal.push(f.start, KIND_PRIORITY[SITE_DOWN], SITE_DOWN, i, 0);
    if (f.end !== Infinity) s.cal.push(f.end, KIND_PRIORITY[SITE_UP], SITE_UP, i, 0);
  }
}

/** A contact of `type` arriving at `time` from outside the model (the live twin): a new customer's first attempt, with no next arrival scheduled. */
export function injectArrival(s: SimState, type: number, time: number): void {
  s.cal.push(time, KIND_PRIORITY[INJECTED], INJECTED, type, 0);
}

/**
 * Runs the event the calendar just popped (the clock already set to its time):
 * `kind` an event kind, `target` its slot, type, interval or failure, `gen` the
 * generation it was scheduled with (stale timers are skipped by their handler).
 * Returns the events to count (1 for an arrival, a service end, an abandonment or a
 * redial that happened, else 0). Integers in, a small integer out: nothing is boxed.
 */
export function dispatch(s: SimState, kind: number, target: number, gen: number): number {
  switch (kind) {
    case ARRIVAL: onArrival(s, target, true); return 1;
    case INJECTED: onArrival(s, target, false); return 1;
    case SERVICE_END: return onServiceEnd(s, target, gen) ? 1 : 0;
    case ABANDON: return onAbandon(s, target, gen) ? 1 : 0;
    case ABANDON_ARM: s.armAbandons(); return 0;
    case OVERFLOW: onOverflow(s, target, gen); return 0;
    case IVR_END: onIvrEnd(s, target, gen); return 0;
    case REDIAL: return onRedial(s, target, gen) ? 1 : 0;
    case CALLBACK_OFFER: onCallbackOffer(s, target, gen); return 0;
    case TICK: onTick(s, target); return 0;
    case SITE_DOWN: onSiteDown(s, target); return 0;
    case SITE_UP: onSiteUp(s, target); return 0;
  }
  return 0;
}
