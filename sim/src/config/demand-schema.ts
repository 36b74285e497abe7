import Type, { type Static } from 'typebox';
import { withDefault } from './schema-default.ts';

/**
 * The demand parts of a scenario file: when contacts arrive, how many, and how
 * unevenly. The scenario schema places them as top-level keys (`calendar`,
 * `profiles`, `overdispersion`, `shocks`) and per contact type (`perDay`,
 * `profile`); sim/src/config/demand-compile.ts checks their meaning and compiles
 * them to rates per interval.
 *
 * Kept apart from schema.ts so that the demand model can be read, tested and
 * changed on its own; schema.ts imports from here, never the other way round.
 */

/**
 * Same form as the scenario's durations (sim/src/config/duration.ts parses both);
 * defined here rather than imported so that schema.ts, which imports this file,
 * is not part of an import cycle.
 */
const Duration = (description: string, dflt?: number) => Type.Union(
  [
    Type.Number({ minimum: 0, description: 'seconds' }),
    Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(s|m|h|d|w)\\s*$', description: 'a number with a unit: s, m, h, d or w, e.g. "15m", "24h", "8w"' }),
  ],
  dflt === undefined
    ? { description: `${description}: seconds, or a string such as "90s", "15m", "6h", "2d"` }
    : withDefault(dflt, `${description}: seconds, or a string such as "90s", "15m", "6h", "2d"`, 's'),
);

/** Order of the week used by `calendar.startDay` and `calendar.dayOfWeek`. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const Factor = (description: string, dflt?: number) =>
  Type.Number({ minimum: 0, ...(dflt === undefined ? { description } : withDefault(dflt, description)) });
const DayFactor = (day: Weekday) => Factor(`volume multiplier on ${day}`, 1);

/**
 * Selectors pick contact types by name, product, language or channel, so that
 * "flight" means every flight type and "phone" every phone type: disruptions and
 * holidays hit a product or a channel, not one queue.
 */
export const SelectorsSchema = Type.Array(
  Type.String({ minLength: 1, description: 'a contact type name, product, language or channel' }),
  { minItems: 1, description: 'the contact types affected: each entry matches a type by its name, product, language or channel (default: all types)' },
);

export const SpecialDaySchema = Type.Object(
  {
    day: Type.Integer({ minimum: 0, description: 'day index from the start of the horizon (0 = first day)' }),
    factor: Factor('multiplier of that day\'s volume'),
    name: Type.Optional(Type.String({ description: 'e.g. spring-festival-day-1' })),
    types: Type.Optional(SelectorsSchema),
  },
  { additionalProperties: false, description: 'a day with its own volume factor (holiday, travel rush); several on one day multiply' },
);

export const CalendarSchema = Type.Object(
  {
    startDay: Type.Optional(Type.Enum([...WEEKDAYS], withDefault<Weekday>('mon', 'day of the week of day 0'))),
    dayOfWeek: Type.Optional(Type.Object(
      {
        mon: Type.Optional(DayFactor('mon')), tue: Type.Optional(DayFactor('tue')), wed: Type.Optional(DayFactor('wed')),
        thu: Type.Optional(DayFactor('thu')), fri: Type.Optional(DayFactor('fri')), sat: Type.Optional(DayFactor('sat')),
        sun: Type.Optional(DayFactor('sun')),
      },
      { additionalProperties: false, default: {}, description: 'volume multiplier per day of the week' },
    )),
    specialDays: Type.Optional(Type.Array(SpecialDaySchema, { default: [], description: 'holidays and rush days' })),
  },
  { additionalProperties: false, default: {}, description: 'day-of-week and special-day factors over the horizon' },
);

/**
 * An intraday shape: one weight per slot of the day, slots of equal length
 * (24 = hourly, 48 = half-hourly, 96 = 15-minute), or "flat". Only the shares
 * matter: weights are normalised to sum 1, so the daily volume stays `perDay`.
 */
export const ProfileSchema = Type.Union(
  [
    Type.Array(Type.Number({ minimum: 0, description: 'relative weight of the slot' }), { minItems: 1 }),
    Type.Literal('flat'),
  ],
  { description: 'weights for equal slots of one day (e.g. 24, 48 or 96 values), or "flat"' },
);

export const ProfilesSchema = Type.Record(Type.String({ minLength: 1 }), ProfileSchema, {
  default: {},
  description: 'named intraday profiles; "flat" (uniform) is built in',
});

/**
 * Poisson-gamma overdispersion. Real centers show variance/mean of hourly counts
 * of 4 to 19 (Brown et al. 2005; Weinberg, Brown and Stroud 2007), where a Poisson
 * process would give 1: the rate itself is uncertain, mostly day by day.
 */
export const OverdispersionSchema = Type.Object(
  {
    dayCv: Type.Optional(Factor('coefficient of variation of a gamma day multiplier with mean 1, one per day shared by all types', 0)),
    intervalCv: Type.Optional(Factor('coefficient of variation of a gamma multiplier with mean 1 per interval and per type', 0)),
  },
  { additionalProperties: false, default: {}, description: 'random rate multipliers: a busy day is busy everywhere' },
);

/**
 * A disruption (typhoon, airline strike, app outage): a multiplier on the affected
 * types' rates for a while, whose excess then fades exponentially.
 */
export const ShockSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'e.g. typhoon' })),
    start: Duration('time from the start of the horizon'),
    duration: Duration('how long the full multiplier lasts'),
    types: Type.Optional(SelectorsSchema),
    multiplier: Factor('rate multiplier during the shock (3 = three times the usual volume, 0 = none)'),
    decay: Type.Optional(Duration('time constant of the exponential fade of the excess after the shock (0: stops at once)', 0)),
  },
  { additionalProperties: false, description: 'a burst of demand: full multiplier for `duration`, then the excess (multiplier - 1) fades as exp(-t / decay)' },
);

export const ShocksSchema = Type.Array(ShockSchema, { default: [], description: 'demand shocks; overlapping shocks on one type multiply' });

/**
 * The per-contact-type demand fields, to spread into the contact type object of
 * the scenario schema: `Type.Object({ name, product, ..., ...ContactTypeDemandFields })`.
 */
export const ContactTypeDemandFields = {
  perDay: Type.Number({ minimum: 0, description: 'expected contacts on an ordinary day (all factors 1)' }),
  profile: Type.Optional(Type.String({ minLength: 1, ...withDefault('flat', 'name of an intraday profile in `profiles`') })),
};

/**
 * The top-level demand keys of a scenario, to spread into the scenario schema; also
 * what compileDemand fills its input's defaults from when it is called on its own.
 */
export const DemandFields = {
  calendar: Type.Optional(CalendarSchema),
  profiles: Type.Optional(ProfilesSchema),
  overdispersion: Type.Optional(OverdispersionSchema),
  shocks: Type.Optional(ShocksSchema),
};

export const DemandSchema = Type.Object(DemandFields);
export const DemandTypeSchema = Type.Object(ContactTypeDemandFields);

export type CalendarInput = Static<typeof CalendarSchema>;
export type ProfileInput = Static<typeof ProfileSchema>;
export type OverdispersionInput = Static<typeof OverdispersionSchema>;
export type ShockInput = Static<typeof ShockSchema>;
