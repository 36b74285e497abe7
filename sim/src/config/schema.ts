import { LIMITS } from './limits.ts';
import { CHANNELS } from './channels.ts';
import Type, { type Static, type TSchema, type TSchemaOptions } from 'typebox';
import { ContactTypeDemandFields, DemandFields } from './demand-schema.ts';
import { TenureSchema, workforceSchema } from './workforce-schema.ts';
import { withDefault } from './schema-default.ts';

/**
 * The scenario file schema: one TypeBox definition gives the validator, the
 * TypeScript types and `scenarios/schema.json` (for editors), so the three cannot
 * drift apart (test/sim/schema-drift.test.ts fails if the JSON file is stale).
 *
 * Units: durations are seconds (numbers) or strings with a unit ("90s", "15m",
 * "24h", "7d", "8w"); rates are contacts per hour, per day, or per interval.
 *
 * Defaults live here and only here, as JSON Schema `default`s (see withDefault):
 * load fills them in (sim/src/config/defaults.ts, TypeBox's Value.Default) before
 * anything reads the file, and the model builder for hand-built configs reads the
 * same values. A field with no `default` either has a derived one, said in its
 * description (a type's skill, its site split), or its absence means "none".
 */

const Positive = (description: string) => Type.Number({ exclusiveMinimum: 0, description });
const NonNegative = (description: string) => Type.Number({ minimum: 0, description });

const DURATION_TEXT = 'a duration: seconds, or a string such as "90s", "15m", "24h", "7d", "8w"';

/** A duration; with `dflt`, a duration field with that default (seconds, or a string such as "15m"). */
export function Duration(description?: string, dflt?: number | string) {
  const options: TSchemaOptions = description === undefined ? { description: DURATION_TEXT }
    : dflt === undefined ? { description: `${description}: ${DURATION_TEXT}` }
    : withDefault(dflt, `${description}: ${DURATION_TEXT}`, 's');
  return Type.Union(
    [
      Type.Number({ minimum: 0, description: 'seconds' }),
      Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(s|m|h|d|w)\\s*$', description: 'a number with a unit: s, m, h, d or w, e.g. "15m", "24h", "8w"' }),
    ],
    options,
  );
}

export const DurationSchema = Duration();

const Exponential = Type.Object(
  { kind: Type.Literal('exponential'), mean: Positive('mean, seconds') },
  { additionalProperties: false, description: 'exponential with the given mean' },
);
const Deterministic = Type.Object(
  { kind: Type.Literal('deterministic'), value: NonNegative('the constant, seconds') },
  { additionalProperties: false },
);
const Uniform = Type.Object(
  { kind: Type.Literal('uniform'), min: NonNegative('lower bound, seconds'), max: NonNegative('upper bound, seconds') },
  { additionalProperties: false },
);
const Lognormal = Type.Object(
  { kind: Type.Literal('lognormal'), mean: Positive('mean, seconds'), cv: Positive('coefficient of variation (sd / mean)') },
  { additionalProperties: false, description: 'lognormal given its mean and coefficient of variation' },
);
const Gamma = Type.Object(
  { kind: Type.Literal('gamma'), mean: Positive('mean, seconds'), cv: Positive('coefficient of variation (sd / mean)') },
  { additionalProperties: false, description: 'gamma given its mean and coefficient of variation' },
);
const Weibull = Type.Object(
  { kind: Type.Literal('weibull'), shape: Positive('shape k'), scale: Positive('scale, seconds') },
  { additionalProperties: false },
);
const Empirical = Type.Object(
  { kind: Type.Literal('empirical'), samples: Type.Array(NonNegative('an observed value, seconds'), { minItems: 1 }) },
  { additionalProperties: false, description: 'resamples the observed values' },
);
const Histogram = Type.Object(
  {
    kind: Type.Literal('histogram'),
    edges: Type.Array(NonNegative('bin edge, seconds'), { minItems: 2, description: 'ascending bin edges (one more than counts)' }),
    counts: Type.Array(NonNegative('observations in the bin'), { minItems: 1 }),
  },
  { additionalProperties: false, description: 'uniform within each bin, bins chosen by their counts' },
);

export type DistInput =
  | Static<typeof Exponential> | Static<typeof Deterministic> | Static<typeof Uniform>
  | Static<typeof Lognormal> | Static<typeof Gamma> | Static<typeof Weibull>
  | Static<typeof Empirical> | Static<typeof Histogram>
  | { kind: 'mixture'; components: { weight: number; dist: DistInput }[] };

const BASIC_DISTS = [Exponential, Deterministic, Uniform, Lognormal, Gamma, Weibull, Empirical, Histogram];

/** Mixtures nest one level of basic distributions (e.g. early abandons plus a long tail). */
const Mixture = Type.Object(
  {
    kind: Type.Literal('mixture'),
    components: Type.Array(
      Type.Object(
        { weight: Positive('relative weight'), dist: Type.Union(BASIC_DISTS) },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false, description: 'a weighted mixture of distributions' },
);

export const DIST_KINDS = ['exponential', 'deterministic', 'uniform', 'lognormal', 'gamma', 'weibull', 'empirical', 'histogram', 'mixture'];

const DIST_TEXT = `a distribution, chosen by "kind": ${DIST_KINDS.join(', ')}`;

/** A distribution; with `dflt`, a distribution field with that default. */
export function Dist(description?: string, dflt?: DistInput): TSchema {
  const options: TSchemaOptions = description === undefined ? { description: DIST_TEXT }
    : dflt === undefined ? { description: `${description}: ${DIST_TEXT}` }
    : withDefault(dflt, `${description}: ${DIST_TEXT}`);
  return Type.Union([...BASIC_DISTS, Mixture], options) as TSchema;
}

export const DistSchema = Dist();

/**
 * Ctrip's average handle time standard, seconds: the whole center is judged against
 * it unless targets.maxAht says otherwise (a single queue only when asked, so it is
 * not a schema default: its absence means something).
 */
export const AHT_STANDARD = 180;

const PerInterval = (description: string) => Type.Array(Type.Number({ minimum: 0 }), { minItems: 1, description });

export const ArrivalsSchema = Type.Object(
  {
    perDay: Type.Optional(NonNegative('expected calls per day at a constant rate')),
    perHour: Type.Optional(NonNegative('expected calls per hour at a constant rate')),
    perInterval: Type.Optional(PerInterval('expected calls in each interval; one day of intervals repeats daily')),
  },
  { additionalProperties: false, description: 'exactly one of perDay, perHour, perInterval' },
);

export const PRODUCTS = ['flight', 'hotel', 'package-tour', 'corporate-travel', 'dining', 'complaint'];
export const LANGUAGES = ['zh', 'en'];
const oneOf = (values: string[], description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { description: `${description}: one of ${values.join(', ')}` });

/** A share in [0, 1]; with `dflt`, a share field with that default. */
const Share = (description: string, dflt?: number) =>
  Type.Number({ minimum: 0, maximum: 1, ...(dflt === undefined ? { description } : withDefault(dflt, description)) });

const Staffing = Type.Union(
  [Type.Integer({ minimum: 0, maximum: LIMITS.agents }), Type.Array(Type.Integer({ minimum: 0, maximum: LIMITS.agents }), { minItems: 1 })],
  { description: 'a whole number of agents on duty, or one number per interval (one day of intervals repeats daily)' },
);

const Site = Type.Object(
  { lines: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.lines, description: 'trunk lines of the site (default unlimited)' })) },
  { additionalProperties: false },
);

const ContactType = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'unique name, e.g. flight-zh-phone' }),
    product: oneOf(PRODUCTS, 'the product'),
    language: oneOf(LANGUAGES, 'the language'),
    channel: oneOf([...CHANNELS], 'the channel'),
    ...ContactTypeDemandFields,
    skill: Type.Optional(Type.String({ minLength: 1, description: 'the skill an agent needs (default product-language, e.g. flight-zh)' })),
    handleTime: DistSchema,
    patience: Type.Optional(Type.Union([DistSchema, Type.Null()], withDefault(null, 'a distribution of the time a customer waits before giving up, or null for never'))),
    wrapUp: Type.Optional(Type.Union([DistSchema, Type.Null()], withDefault(null,
      'after-call work: a distribution of the time the agent spends after each completed contact of this type, busy and taking no contact on that slot (it counts in aht and occupancy; a chat\'s wrap-up holds its chat slot), or null for none',
    ))),
    priority: Type.Optional(Type.Number(withDefault(0, 'static priority for the priority and aging policies: higher first'))),
    siteSplit: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0 }), {
      description: 'share of this type landing on each site (default: in proportion to lines, else equal)',
    })),
    ivr: Type.Optional(Type.Object(
      {
        time: DistSchema,
        selfService: Type.Optional(Share('share completing in self-service (deflected)', 0)),
        hangup: Type.Optional(Share('share hanging up in the IVR', 0)),
        misroute: Type.Optional(Share('share sent to a wrong queue of the same channel; its agent transfers them', 0)),
        misrouteTime: Type.Optional(Duration('what a wrong agent spends before transferring', 30)),
        onlyWhenNoAgentFree: Type.Optional(Type.Boolean(withDefault(false,
          'true: only callers who cannot be connected at once go through the IVR (a caller who finds an agent free and nobody in its queue is answered at once), e.g. callers identify themselves while they wait; false: every caller',
        ))),
      },
      { additionalProperties: false, description: 'the IVR menu in front of the queue (phone)' },
    )),
    bot: Type.Optional(Type.Object(
      {
        deflection: Share('share of contacts the bot resolves alone'),
        summarySaving: Type.Optional(Share('the handoff summary shortens the human handling by this share ("say it only once")', 0)),
      },
      { additionalProperties: false, description: 'an IM bot answering first' },
    )),
    deadline: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, description: 'seconds' }), DurationSchema.anyOf[1] as TSchema], { description: 'reply deadline of deferred work (email, fax): seconds or a duration such as "24h"' })),
    redial: Type.Optional(Type.Object(
      {
        probability: Share('probability of another attempt after an abandonment or a busy tone'),
        delay: DistSchema,
        maxAttempts: Type.Optional(Type.Integer({ minimum: 1, ...withDefault(3, 'attempts at most, the first included') })),
      },
      { additionalProperties: false, description: 'customers who abandon or hear a busy tone may call again' },
    )),
    callback: Type.Optional(Type.Object(
      {
        offerAfter: DurationSchema,
        acceptance: Share('share of callers offered a callback who accept it'),
        dialTime: Type.Optional(Duration('agent time to call back, added to the handle time', 20)),
      },
      { additionalProperties: false, description: 'callers who have waited offerAfter are offered a callback; those who accept hang up and keep their place' },
    )),
  },
  { additionalProperties: false },
);

const Break = Type.Object(
  {
    after: Type.Optional(Duration('with spread: together, when the break starts, counted from the shift\'s start')),
    length: DurationSchema,
    window: Type.Optional(Type.Object(
      {
        from: Duration('the earliest start, counted from the shift\'s start'),
        to: Duration('the latest end, counted from the shift\'s start'),
      },
      { additionalProperties: false, description: 'with spread: staggered, the stretch of the shift the agents\' breaks are spread over' },
    )),
    spread: Type.Optional(Type.Union([Type.Literal('together'), Type.Literal('staggered')], withDefault('together',
      'together: every agent of the shift takes the break at `after`; staggered: the agents take it one group after another within `window`, in whole intervals, so that as few as possible are off at once',
    ))),
  },
  { additionalProperties: false, description: 'a break: this long, this long after the shift starts (together), or spread across the agents within a window (staggered)' },
);

const Shift = Type.Object(
  {
    start: DurationSchema,
    length: DurationSchema,
    agents: Type.Integer({ minimum: 0, maximum: LIMITS.agents, description: 'agents on this shift' }),
    breaks: Type.Optional(Type.Array(Break)),
  },
  { additionalProperties: false, description: 'a daily shift: start (time of day), length (e.g. 12h on surge days), agents and breaks' },
);

const AgentGroup = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    site: Type.String({ minLength: 1, description: 'a site name from sites' }),
    skills: Type.Record(Type.String({ minLength: 1 }), Type.Number({ exclusiveMinimum: 0 }), {
      description: 'skill -> proficiency (speed: handle time is divided by it; 1 = standard)',
    }),
    backupSkills: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Number({ exclusiveMinimum: 0 }), {
      description: 'skills served only for calls that waited routing.overflowAfter, with their proficiency',
    })),
    agents: Type.Optional(Staffing),
    shifts: Type.Optional(Type.Array(Shift, { minItems: 1 })),
    maxContacts: Type.Optional(Type.Integer({ minimum: 1, ...withDefault(1, 'contacts an agent holds at once (IM chats)') })),
    slowdown: Type.Optional(Type.Number({ minimum: 0, ...withDefault(0, 'each additional open contact slows handling by this share (e.g. 0.25)') })),
    blendSkills: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Number({ exclusiveMinimum: 0 }), {
      description: 'deferred skills (email, fax) worked only while the phone queues are short, with their proficiency',
    })),
    blendBelow: Type.Optional(Type.Integer({ minimum: 1, ...withDefault(1, 'blendSkills are worked while fewer phone calls than this wait (1: none waiting)') })),
    tenure: Type.Optional(TenureSchema),
  },
  { additionalProperties: false, description: 'agents of one site with one skill set: give agents or shifts' },
);

const Routing = Type.Object(
  {
    policy: Type.Optional(Type.String({ minLength: 1, ...withDefault('fifo', 'fifo, priority, aging, or the path of a policy module (relative to the scenario file)') })),
    agingRate: Type.Optional(Type.Number({ minimum: 0, ...withDefault(0, 'aging: priority points gained per second of waiting') })),
    overflowAfter: Type.Optional(Duration('wait before backup skills may take a call', 30)),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'parameters passed to a plug-in policy' })),
  },
  { additionalProperties: false, default: {} },
);

const Failure = Type.Object(
  {
    site: Type.String({ minLength: 1 }),
    start: DurationSchema,
    duration: DurationSchema,
    inService: Type.Optional(Type.Union([Type.Literal('drop'), Type.Literal('finish')], withDefault('drop', 'calls in service: drop or finish'))),
    waiting: Type.Optional(Type.Union([Type.Literal('move'), Type.Literal('lose')], withDefault('move', 'waiting calls: move to the other sites, or lose'))),
  },
  { additionalProperties: false },
);

export const ScenarioSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, description: 'a short title' }),
    description: Type.Optional(Type.String()),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...withDefault(1, 'base seed of every random stream') })),
    horizon: DurationSchema,
    interval: Type.Optional(Duration('reporting and staffing interval', '15m')),
    warmup: Type.Optional(Duration('results from calls arriving before this time are left out (steady-state studies)', 0)),
    arrivals: Type.Optional(ArrivalsSchema),
    handleTime: Type.Optional(DistSchema),
    patience: Type.Optional(Type.Union([DistSchema, Type.Null()], { description: 'a distribution of the time a caller waits before hanging up, or null (omitted) for callers who never hang up' })),
    wrapUp: Type.Optional(Dist('after-call work: the time the agent spends after each completed call, busy (it counts in aht and occupancy); omitted: none')),
    agents: Type.Optional(Staffing),
    lines: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.lines, description: 'trunk lines: calls waiting or in service at most; a call that finds all busy is blocked' })),
    serviceLevel: Type.Optional(
      Type.Object(
        {
          threshold: Type.Optional(Duration('the wait within which an answer counts as in service level', 20)),
          target: Type.Optional(Share('share answered within the threshold', 0.95)),
        },
        { additionalProperties: false, default: {} },
      ),
    ),
    // ---- the whole center (instead of arrivals/handleTime/patience/agents/lines)
    sites: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Site, { maxProperties: LIMITS.sites, description: 'the sites by name, e.g. shanghai, nantong' })),
    siteMode: Type.Optional(Type.Union([Type.Literal('virtual'), Type.Literal('local')], withDefault('virtual',
      'virtual: one queue across all sites; local: calls wait at the site they land on, and other sites take them after siteOverflow.after',
    ))),
    siteOverflow: Type.Optional(Type.Object(
      {
        after: Type.Optional(Duration('wait before another site may take a call', 30)),
        transferDelay: Type.Optional(Duration('the transfer time it adds', 10)),
      },
      { additionalProperties: false, default: {}, description: 'local mode: when and at what cost other sites take a call' },
    )),
    ...DemandFields,
    contactTypes: Type.Optional(Type.Array(ContactType, { minItems: 1, maxItems: LIMITS.contactTypes, description: 'what customers contact the center about, in which language and through which channel' })),
    agentGroups: Type.Optional(Type.Array(AgentGroup, { minItems: 1, maxItems: LIMITS.agentGroups, description: 'agents by site and skill set' })),
    routing: Type.Optional(Routing),
    failures: Type.Optional(Type.Array(Failure, { default: [], description: 'site failures: the site loses its lines and agents for a while' })),
    workforce: Type.Optional(workforceSchema(Dist, Duration)),
    targets: Type.Optional(
      Type.Object(
        {
          maxAbandonRate: Type.Optional(Share('abandoned share (0.1: an answer rate of at least 90%)', 0.1)),
          maxAsa: Type.Optional(Duration('the ASA ceiling; absent: no ASA target')),
          maxAht: Type.Optional(Duration(`the AHT ceiling; absent: the center form is judged against the ${AHT_STANDARD} s standard, a single queue not at all`)),
          minAccuracy: Type.Optional(Share('share of contacts handled without a defect (with workforce)', 0.999)),
          minComplaintReplyOnTime: Type.Optional(Share('share of complaint replies within the deadline (with workforce complaints)', 0.95)),
          minReplyOnTime: Type.Optional(Share('share of email and fax replies within their deadline (center form with deadlines)', 0.95)),
        },
        { additionalProperties: false, default: {} },
      ),
    ),
  },
  {
    additionalProperties: false,
    $id: 'https://cctwin.dev/schema/scenario.json',
    title: 'cctwin scenario',
    description: 'A cctwin scenario file (YAML or JSON).',
  },
);

export type ScenarioInput = Static<typeof ScenarioSchema>;
