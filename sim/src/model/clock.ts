import { Calendar } from '../core/calendar.ts';

/** What the clock needs of the model: its contact types (each has an arrival source in the calendar). */
export interface ClockShape {
  readonly nTypes: number;
}

/**
 * The root of a replication's state (model/state.ts builds on it, one part per
 * module): the simulated time, the events processed, and the calendar of pending
 * events. The calendar's sources are each type's arrival stream (source = type), then
 * the patience lane (source nTypes, see patience.ts).
 *
 * The parts of the state form one chain of classes, each adding its fields and
 * methods to the one before (clock, contacts, queues, agents, patience, areas, state),
 * so that the handlers read every field from one object with one stable hidden class
 * (`s.cType[slot]`, not `s.contacts.cType[slot]`). Each constructor takes only the
 * part of the model's topology it needs; SimState passes the whole topology.
 */
export class Clock {
  readonly cal: Calendar;
  now = 0;
  events = 0;

  constructor(shape: ClockShape) {
    this.cal = new Calendar(4096, shape.nTypes + 1); // sources: each type's arrival stream, then the patience lane
  }
}
