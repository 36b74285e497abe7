/**
 * Event kinds and their order at equal times (the calendar's second key).
 *
 * At one instant:
 *   1. SERVICE_END and WRAP_END: releases first (as in simmer), so an agent who
 *      finishes at t can take a contact that arrives, or would abandon, at t;
 *   2. TICK: an interval boundary: time-weighted metrics are closed and the new
 *      interval's staffing applies before anything else happens in it;
 *   3. SITE_DOWN / SITE_UP: a failure overrides the staffing of its instant;
 *   4. ARRIVAL, INJECTED, INJECTED_CONTACT, REDIAL, IVR_END: contacts entering;
 *   5. OVERFLOW and CALLBACK_OFFER: a waiting contact becomes eligible for more
 *      agents, or is offered a callback;
 *   6. ABANDON last: a caller whose patience ends exactly when an agent becomes free
 *      is answered, not lost.
 * Within one priority, events keep the order they were scheduled in.
 */
export const SERVICE_END = 0;
export const TICK = 1;
export const ARRIVAL = 2;
export const INJECTED = 3;
export const ABANDON = 4;
export const OVERFLOW = 5;
export const SITE_DOWN = 6;
export const SITE_UP = 7;
export const IVR_END = 8;
export const REDIAL = 9;
export const CALLBACK_OFFER = 10;
/**
 * Bookkeeping, not a model event: callers who have waited ABANDON_ARM_AFTER seconds
 * get their abandonment timer (see the patience lane, model/patience.ts). Its place
 * among events of its instant does not matter: it only schedules a later event.
 */
export const ABANDON_ARM = 11;
/**
 * A contact injected by a live run (engine/live-run.ts) with an external id: its slot
 * was taken at injection, so the event targets the slot (INJECTED targets a type).
 */
export const INJECTED_CONTACT = 12;
/**
 * An agent's after-call work (a type's wrapUp) ends: the contact's slot of the agent
 * is free again. Targets the agent, with the agent's wrap generation (a site failure
 * that drops its contacts cuts the wrap-ups too, making their ends stale).
 */
export const WRAP_END = 13;

export const KIND_PRIORITY: readonly number[] = [0, 1, 3, 3, 5, 4, 2, 2, 3, 3, 4, 5, 3, 0];
