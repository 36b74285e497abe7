import {
  ABANDON, ABANDON_ARM, ARRIVAL, CALLBACK_OFFER, INJECTED, INJECTED_CONTACT, IVR_END, KIND_PRIORITY, OVERFLOW, REDIAL, SERVICE_END, SITE_DOWN, SITE_UP, TICK,
  WRAP_END,
} from './event-kinds.ts';
import { CALL_RETRY, type SimState } from './state.ts';
import { onAbandon, onArrival, onCallbackOffer, onInjectedContact, onIvrEnd, onOverflow, onRedial, scheduleArrival } from './lifecycle.ts';
import { onServiceEnd, onWrapEnd } from './quality.ts';
import { onTick, restaff } from './staffing.ts';
import { failSite, onSiteDown, onSiteUp, restoreSite } from './sites.ts';

/**
 * The model's side of the engine: the events a replication starts with, contacts
 * added from outside, the event loop's body (each event the calendar pops goes to its
 * handler), and a live run's controls. The engine knows these functions, no event
 * kind and no handler.
 *
 * The model is split by layer; each imports only from the layers before it (checked
 * by test/sim/dispatch.test.ts):
 *   event-kinds, event-log, routing, demand, layout, live
 *               what the state is built from; live: what a live run keeps
 *   clock       the state's root: simulated time, events counted, the calendar
 *   contacts    contact slots, recycled with generations
 *   queues      the agent queues: FIFO rings with lazy deletion
 *   agents      agents' live state and the available rings
 *   patience    the patience lane: abandonment timers armed late
 *   costs       agent and telephony cost over time
 *   areas       time-weighted levels and their areas (with the costs)
 *   state       SimState: the parts above (a chain of classes, one object), the
 *               model's structure, demand, random streams, workforce, sites, counts
 *   steps       count, end an attempt (count and log), release, unload, go off duty
 *   workforce   agents as people: learning, fatigue, attrition
 *   lifecycle   a contact's life: arrival, IVR, bot, queue, answer, abandonment,
 *               overflow, callback, redial; agents taking work
 *   quality     the end of a service and of its wrap-up, the quality loop,
 *               complaints and their cases
 *               (a contact coming back re-enters through lifecycle's attempt())
 *   staffing    interval boundaries: levels, start of day, shift changes, staffing
 *   sites       a site failing and recovering
 *   dispatch    this file: the event loop's body
 */

/**
 * Schedules the first arrival of every type (none when a live run takes arrivals from
 * outside only), the first interval boundary and the site failures.
 */
export function startEvents(s: SimState): void {
  if (s.live === null || !s.live.externalArrivals) for (let t = 0; t < s.nTypes; t++) scheduleArrival(s, t, 0);
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
 * A contact of `type` arriving at `time` from outside, whose slot is taken now (a live
 * run names it by the slot until it ends): returns the slot. Until it arrives the slot
 * holds a customer not yet in the system (CALL_RETRY, as between two attempts); its
 * generation is cGen[slot]. At its instant it arrives where INJECTED would.
 */
export function injectContact(s: SimState, type: number, time: number): number {
  const slot = s.allocCall();
  s.cType[slot] = type;
  s.cState[slot] = CALL_RETRY;
  s.cal.push(time, KIND_PRIORITY[INJECTED_CONTACT], INJECTED_CONTACT, slot, s.cGen[slot]);
  return slot;
}

/** A live run's controls: the model's steps they take (engine/live-run.ts checks the arguments). */
export const liveControls = {
  /** group g to its staffing target now (after its override changed) */
  restaff,
  /** site fails now: drop 1 cuts contacts in service, lose 1 loses those waiting */
  failSite,
  restoreSite,
} as const;

/** The most events dispatchUntil pops in one call (a small integer: the budget stays an int32). */
export const MAX_EVENTS = 0x7fffffff;

/**
 * Pops and runs every event with time <= t, in the calendar's order, setting the
 * clock to each; stops early when the event log's buffer is full (the engine flushes
 * it and calls again) or after `maxEvents` popped events (stale ones included: the
 * engine's slices bound the work per call, and call again). Returns the events to count: arrivals, and the service ends,
 * wrap-up ends, abandonments and redials that happened (a stale timer, one whose slot's generation
 * has moved on or whose contact is no longer in the state it needs, counts nothing
 * and changes nothing).
 *
 * The loop is here, with the switch, rather than in the engine calling a dispatch
 * function per event: V8 optimizes such a function on its own first (it is hot from
 * the first events), inlining the handlers, and then finds it too large to inline
 * into the engine's loop, which leaves a call per event: 2-5% slower on the Erlang-A
 * day (in-process A/B runs). Integers and typed arrays only; nothing is allocated.
 */
export function dispatchUntil(s: SimState, t: number, maxEvents = MAX_EVENTS): number {
  const cal = s.cal;
  const log = s.log;
  let n = 0;
  let left = maxEvents | 0;
  while ((log === null || log.n < log.capacity) && left-- > 0 && cal.pop(t)) {
    s.now = cal.popTime;
    const target = cal.popTarget;
    switch (cal.popKind) {
      case ARRIVAL: onArrival(s, target, true); n++; break;
      case INJECTED: onArrival(s, target, false); n++; break;
      case INJECTED_CONTACT: if (onInjectedContact(s, target, cal.popGen)) n++; break;
      case SERVICE_END: if (onServiceEnd(s, target, cal.popGen)) n++; break;
      case WRAP_END: if (onWrapEnd(s, target, cal.popGen)) n++; break;
      case ABANDON: if (onAbandon(s, target, cal.popGen)) n++; break;
      case ABANDON_ARM: s.armAbandons(); break;
      case OVERFLOW: onOverflow(s, target, cal.popGen); break;
      case IVR_END: onIvrEnd(s, target, cal.popGen); break;
      case REDIAL: if (onRedial(s, target, cal.popGen)) n++; break;
      case CALLBACK_OFFER: onCallbackOffer(s, target, cal.popGen); break;
      case TICK: onTick(s, target); break;
      case SITE_DOWN: onSiteDown(s, target); break;
      case SITE_UP: onSiteUp(s, target); break;
    }
  }
  return n;
}
