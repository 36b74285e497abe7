import { Type } from 'typebox';

/**
 * The twin's route schemas (TypeBox): they validate every body, query and parameter
 * (bodies as sent, no coercion; queries and parameters converted from their text) and
 * they are the OpenAPI document (`GET /docs/json`).
 */

/** The query string of a route that reads none: an unknown parameter is refused (400), as on the routes that read some. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 100, description });

export const ContactBody = Type.Object({
  type: Type.Optional(Name('a contact type of the scenario, e.g. flight-zh-phone; or give product, language and channel')),
  product: Type.Optional(Name('the product, e.g. flight (with channel, and language where types differ by it)')),
  language: Type.Optional(Name('the language, e.g. zh')),
  channel: Type.Optional(Name('the channel: phone, im, email, fax')),
  customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the client\'s own customer id, echoed back' })),
  priority: Type.Optional(Type.Number({ minimum: -1e9, maximum: 1e9, description: 'where the scenario has contact types that differ by priority (e.g. a VIP line): the priority that picks the type, with product, language and channel; with type, it must be that type\'s' })),
}, { additionalProperties: false, description: 'a contact to create: `type`, or `product` + `channel` (+ `language`)' });

export const BatchBody = Type.Object({
  contacts: Type.Array(ContactBody, { minItems: 1, description: 'at most 1,000 contacts (413 beyond)' }),
}, { additionalProperties: false });

export const Links = Type.Object({ self: Type.String() });

export const Created = Type.Object({
  id: Type.String({ description: 'opaque id (random, unguessable)' }),
  status: Type.String({ description: 'where the model put the contact on arrival: ivr, queued, answered, or its outcome if it ended at once (blocked, deflected...); accepted while the twin is paused (it arrives on resume)' }),
  links: Links,
});

export const BatchCreated = Type.Object({ contacts: Type.Array(Created) });

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

export const ContactView = Type.Object({
  id: Type.String(),
  type: Type.String(),
  channel: Type.String(),
  customerId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'accepted, ivr, queued, answered, or the outcome once ended: completed, abandoned, blocked, deflected, ivrHangup, lost, dropped, unfinished' }),
  ended: Type.Boolean(),
  times: Type.Object({
    arrival: Type.Number({ description: 'simulated seconds' }),
    queueEntry: Nullable(Type.Number()),
    answer: Nullable(Type.Number()),
    end: Nullable(Type.Number()),
  }),
  wait: Nullable(Type.Number({ description: 'seconds: so far while waiting; the final wait once answered or gone; null if it never queued' })),
  group: Type.Union([Type.String(), Type.Null()]),
  site: Type.Union([Type.String(), Type.Null()]),
  timedOut: Type.Optional(Type.Boolean({ description: 'with ?wait: the timeout passed first' })),
  links: Links,
});

export const IdParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'the id POST /v1/contacts answered' }),
});

export const MAX_LONG_POLL = 300;
export const ContactQuery = Type.Object({
  wait: Type.Optional(Type.Union([Type.Literal('answered'), Type.Literal('ended')], { description: 'hold the request until the contact is answered (or ended) or the timeout passes' })),
  timeout: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_LONG_POLL, description: `wall seconds to hold a ?wait request (default 30, at most ${MAX_LONG_POLL})` })),
}, { additionalProperties: false });

export const CONTROL_ACTIONS = ['pause', 'resume', 'speed', 'fail-site', 'restore-site', 'staffing'] as const;
/** The fields each control action takes besides `action` (another action's field is refused). */
export const CONTROL_FIELDS: Record<(typeof CONTROL_ACTIONS)[number], readonly string[]> = {
  pause: [], resume: [], speed: ['speed'], 'fail-site': ['site', 'inService', 'waiting'], 'restore-site': ['site'], staffing: ['group', 'agents'],
};
export const ControlBody = Type.Object({
  action: Type.Union(CONTROL_ACTIONS.map((a) => Type.Literal(a)), { description: 'pause | resume | speed (speed) | fail-site (site, inService, waiting) | restore-site (site) | staffing (group, agents)' }),
  speed: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1e6 }), Type.Literal('max')], { description: 'speed: simulated seconds per wall second, or max' })),
  site: Type.Optional(Name('fail-site, restore-site: a site of the scenario')),
  inService: Type.Optional(Type.Union([Type.Literal('drop'), Type.Literal('finish')], { description: 'fail-site: contacts in service are dropped (default) or finished' })),
  waiting: Type.Optional(Type.Union([Type.Literal('move'), Type.Literal('lose')], { description: 'fail-site: contacts waiting for the site move to the others (default) or are lost' })),
  group: Type.Optional(Name('staffing: an agent group of the scenario')),
  agents: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1e6 }), Type.Null()], { description: 'staffing: agents on duty from now on, or null to return to the plan' })),
}, { additionalProperties: false });

export const ControlDone = Type.Object({
  action: Type.String(),
  clock: Type.Number(),
  speed: Type.Union([Type.Number(), Type.Literal('max')]),
  paused: Type.Boolean(),
});

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});

export const EventsHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'resume after this event id (the browser sends it on reconnection)' })),
});

export const EventsQuery = Type.Object({
  lastEventId: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e15, description: 'resume after this event id (for clients that cannot set the Last-Event-ID header)' })),
}, { additionalProperties: false });

export const RunsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'runs per page (default 50)' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e9, description: 'runs to skip (default 0)' })),
  scenario: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'only runs of this scenario name' })),
  kind: Type.Optional(Type.Union([Type.Literal('run'), Type.Literal('compare'), Type.Literal('sweep')], { description: 'only runs of this kind' })),
}, { additionalProperties: false });

export const RunIdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 1e15, description: 'the run id (cctwin runs list)' }),
});

export const RunQuery = Type.Object({
  maxPoints: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: 'at most this many intervals served (default 1,000): coarser intervals summed exactly from the stored rows' })),
  from: Type.Optional(Type.Number({ minimum: 0, description: 'serve intervals from this simulated time (seconds)' })),
  to: Type.Optional(Type.Number({ minimum: 0, description: 'serve intervals up to this simulated time (seconds)' })),
  intervals: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('none')], { description: 'none: totals and breakdowns only (default all)' })),
}, { additionalProperties: false });
