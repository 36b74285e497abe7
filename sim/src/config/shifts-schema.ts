import Type, { type Static } from 'typebox';
import { WEEKDAYS } from './demand-schema.ts';
import { Duration } from './schema.ts';
import { withDefault } from './schema-default.ts';

/**
 * The shift-template file of `cctwin schedule` (`--shifts`, default
 * scenarios/shifts/ctrip-shifts.yaml): which shifts agents may work, their breaks, what
 * each costs, and how many agents are available. One TypeBox definition gives the
 * validator, the types and `scenarios/shifts/schema.json` (`npm run schema`;
 * test/schedule/shifts-schema.test.ts fails when the JSON file is stale).
 *
 * Times are durations like the scenario's (seconds, or "30m", "8h", "13h30m" as
 * "13.5h"): a shift's starts and a break's `timesOfDay` are times of day, a break's
 * `window` is counted from the shift's start. Everything that depends on the scenario
 * (the interval grid, its sites and groups) is checked when a schedule is made
 * (sim/src/experiments/shifts.ts).
 */

const TimeOfDay = (description: string) => Duration(`${description}, a time of day (0 to 24h)`);

const Window = (description: string) => Type.Object(
  { from: Duration('the earliest start'), to: Duration('the latest end') },
  { additionalProperties: false, description },
);

const ClockWindow = Type.Object(
  { from: TimeOfDay('the earliest start'), to: TimeOfDay('the latest end') },
  { additionalProperties: false, description: 'a stretch of the day, e.g. { from: 11h, to: 13h30m } ("13.5h")' },
);

const Break = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, description: 'e.g. meal (default: break 1, break 2, ...)' })),
    length: Duration('how long each agent is off the phones'),
    window: Type.Optional(Window('where in the shift the break may lie, counted from the shift\'s start, e.g. { from: 2h, to: 6h } (default: anywhere in the shift)')),
    timesOfDay: Type.Optional(Type.Array(ClockWindow, {
      minItems: 1,
      description: 'meal times: the break lies inside one of these stretches of the day when the shift\'s window reaches one (e.g. [{ from: 11h, to: 13h30m }, { from: 17h, to: 19h }]); a shift whose window reaches none takes it anywhere in its window',
    })),
  },
  {
    additionalProperties: false,
    description: 'a break or meal: every agent of the shift takes it once, starting on the interval grid, inside its window; the schedule chooses when, agent by agent',
  },
);

const Starts = Type.Union(
  [
    Type.Object(
      {
        from: TimeOfDay('the first start'),
        to: TimeOfDay('the last start (included)'),
        every: Duration('the step between starts, e.g. 30m'),
      },
      { additionalProperties: false, description: 'starts from..to every step' },
    ),
    Type.Array(TimeOfDay('a start'), { minItems: 1, description: 'the starts, times of day' }),
  ],
  { description: 'when the shift may start: { from, to, every } or a list of times of day; every start must lie on the scenario\'s interval grid' },
);

const Day = Type.Union(
  [
    Type.Union(WEEKDAYS.map((d) => Type.Literal(d)), { description: `a day of the week (${WEEKDAYS.join(', ')}; day 0 is the scenario's calendar.startDay)` }),
    Type.Integer({ minimum: 0, description: 'a day of the horizon, 0 = the first' }),
    Type.Literal('special', { description: 'the scenario\'s special days that raise volume (calendar.specialDays with a factor above 1): festivals, travel rushes' }),
  ],
  { description: 'a day: mon..sun, a day number, or special' },
);

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Cost = Type.Number({ exclusiveMinimum: 0, description: 'what one agent on one such shift costs (any currency: the schedule minimises the sum)' });

const Template = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'unique name, e.g. standard-8h' }),
    description: Type.Optional(Type.String()),
    length: Duration('from the start to the end of the shift, breaks included (at most 24h)'),
    starts: Starts,
    cost: Cost,
    siteCost: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Cost, { description: 'the cost at a site, where it differs from cost (e.g. by the site\'s wages)' })),
    breaks: Type.Optional(Type.Array(Break, { default: [], description: 'breaks and meals, in the order taken; their windows must not overlap' })),
    min: Type.Optional(Type.Integer({ minimum: 1, ...withDefault(1, 'agents of one group on one shift (one start on one day), when the shift is used at all') })),
    max: Type.Optional(Type.Integer({ minimum: 1, description: 'agents of one group on one shift at most (default: no limit)' })),
    sites: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'the sites that work this shift (default: all)' })),
    groups: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'the agent groups that work this shift (default: all)' })),
    days: Type.Optional(Type.Array(Day, { minItems: 1, description: 'the days the shift may start on (default: every day), e.g. [special] for surge shifts on festival days' })),
  },
  { additionalProperties: false, description: 'a shift template: its length, starts, breaks, cost and who may work it' },
);

export const ShiftsSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, description: 'a short title' }),
    description: Type.Optional(Type.String()),
    templates: Type.Array(Template, { minItems: 1, description: 'the shifts agents may work' }),
    headcount: Type.Optional(Type.Object(
      {
        sites: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Count('agents of the site who can work on one day'), { description: 'by site' })),
        groups: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Count('agents of the group who can work on one day'), { description: 'by agent group (bilingual groups are smaller)' })),
      },
      { additionalProperties: false, description: 'agents available: on any one day, at most this many start a shift (each agent works one shift a day)' },
    )),
  },
  {
    additionalProperties: false,
    $id: 'https://cctwin.dev/schema/shifts.json',
    title: 'cctwin shift templates',
    description: 'The shift templates of cctwin schedule (YAML or JSON).',
  },
);

export type ShiftsInput = Static<typeof ShiftsSchema>;
export type ShiftTemplateInput = ShiftsInput['templates'][number];
export type ShiftBreakInput = NonNullable<ShiftTemplateInput['breaks']>[number];
