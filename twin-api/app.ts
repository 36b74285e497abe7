import { randomBytes, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifySchemaCompiler } from 'fastify';
import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EngineError, showValue, SimError } from '../sim/src/errors.ts';
import type { ModelConfig } from '../sim/src/config/model-config.ts';
import { TwinError, unknownValue } from './errors.ts';
import { CONTROL_FIELDS, BatchBody, BatchCreated, ContactBody, ContactQuery, ContactView, ControlBody, ControlDone, Created, ErrorBody, EventsHeaders, EventsQuery, IdParams, NoQuery } from './schemas.ts';
import { sseFrame } from './events.ts';
import { liveSummary, type LiveSummary } from './live-result.ts';
import { twinRegistry } from './prometheus.ts';
import type { ServerResponse } from 'node:http';
import type { RunStore } from '../sim/src/runs/store.ts';
import { registerRunRoutes } from './runs.ts';
import { registerDashboard } from './dashboard.ts';
import { MAX_SPEED, Twin, type Arrivals, type ContactRecord, type Speed } from './twin.ts';
import type { Static, TSchema } from 'typebox';

/**
 * The live twin's HTTP API (Fastify 5, TypeBox schemas, OpenAPI at /docs/json) over a
 * paced LiveRun (twin.ts). `buildTwin` returns the app without listening: tests call
 * `app.inject()`, `cctwin serve` (serve.ts) calls `listen`. Closing the app closes the
 * simulated day (the run finishes, every waiter is answered).
 */

export interface TwinOptions {
  /** the compiled scenario (from the command line only: a plug-in policy is code) */
  cfg: ModelConfig;
  /** simulated seconds per wall second, or 'max' (default 60) */
  speed?: Speed;
  /** internal: the scenario's arrivals only; external: only clients'; both (default) */
  arrivals?: Arrivals;
  seed?: number;
  /** bearer token for mutating routes off loopback (generated when absent) */
  token?: string;
  /** the host the app will listen on (default 127.0.0.1): off loopback, mutating routes need the token */
  host?: string;
  /** wall clock in ms (tests) */
  clock?: () => number;
  /** body size limit in bytes (default 512 KiB) */
  bodyLimit?: number;
  /** open long-polls at most (default 10,000) */
  maxWaiters?: number;
  /** open event streams at most (default 1,000) */
  maxStreams?: number;
  /** ended contacts' records: kept this many wall seconds (default 600), at most this many (default 100,000) */
  endedTtl?: number;
  maxEnded?: number;
  /** the run store: its runs are served read-only (GET /v1/runs, /v1/runs/:id, /v1/scenarios) */
  runStore?: RunStore;
  /** the scenario library folder for GET /v1/scenarios */
  scenarios?: string | null;
  /** start the pacing loop when the app is ready (default true; tests may drive `app.twin.step()` themselves) */
  autoStart?: boolean;
  logger?: boolean;
}

export const MAX_BATCH = 1000;
export const DEFAULT_SPEED = 60;

declare module 'fastify' {
  interface FastifyInstance {
    twin: Twin;
    /** the bearer token, whether it was generated, and whether routes need it */
    twinAuth: { token: string; generated: boolean; required: boolean };
  }
}

/** 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

function errorBody(statusCode: number, code: string, message: string, field?: string) {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(field === undefined ? {} : { field }) };
}

interface SchemaIssue { keyword?: string; instancePath?: string; params?: Record<string, unknown>; message?: string }

/**
 * The name of a field in the twin's errors, validation (400) and handlers' (409, 413, 422)
 * alike: where it is, then its path, dotted with [i] for array items: `body.type`,
 * `body.contacts[3].type`, `querystring.from`, `params.id`, `headers.last-event-id`.
 */
export function fieldName(where: 'body' | 'querystring' | 'params' | 'headers' | (string & {}), ...path: (string | number)[]): string {
  return path.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : `${out}.${k}`), where);
}

/**
 * A validation error as a field (and its path `at`, to read the value refused) and what
 * it must be: e.g. `body.type` "must be string",
 * `body.action` "must be one of "pause", "resume", ...", `body.extra` "is not a field of
 * this body", `body.contacts[3].type` (the field of a body's first problem, named as
 * `fieldName` names it; the schema's union branches merged).
 */
export function describeValidation(context: string, errors: readonly SchemaIssue[]): { field: string; message: string; at: (string | number)[] } {
  const useful = errors.filter((v) => v.keyword !== 'boolean' && v.keyword !== 'anyOf');
  const first = useful[0] ?? errors[0] ?? {};
  // A number in the instance path is an array item's index (no schema of the twin has objects with number keys).
  const at: (string | number)[] = (first.instancePath ?? '').split('/').filter(Boolean).map((k) => (/^(0|[1-9][0-9]*)$/.test(k) ? Number(k) : k.replace(/~1/g, '/').replace(/~0/g, '~')));
  const p = first.params ?? {};
  let message: string;
  if (first.keyword === 'additionalProperties' || first.keyword === 'required') {
    const names = (p.additionalProperties ?? p.requiredProperties) as unknown;
    const name = Array.isArray(names) ? String(names[0]) : String(names);
    at.push(name);
    message = first.keyword === 'required' ? 'is required' : `is not a field of this ${context === 'querystring' ? 'query string' : context} (see /docs/json)`;
  } else {
    const same = useful.filter((v) => v.instancePath === first.instancePath);
    const constValues = same.filter((v) => v.keyword === 'const').map((v) => v.params?.allowedValue);
    const consts = constValues.map((v) => JSON.stringify(v));
    // A literal branch's own type error ("must be string" beside "max") says nothing the literal does not.
    const literalType = (v: SchemaIssue) => v.keyword === 'type' && constValues.some((c) => typeof c === v.params?.type);
    const rest = [...new Set(same.filter((v) => v.keyword !== 'const' && !literalType(v)).map((v) => v.message ?? 'is not valid'))];
    message = [...rest, ...(consts.length ? [`must be ${consts.length > 1 ? 'one of ' : ''}${consts.join(', ')}`] : [])].join(', or ');
  }
  return { field: fieldName(context, ...at), message, at };
}

const DECIMAL = { integer: /^-?[0-9]+$/, number: /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/ } as const;

/**
 * TypeBox's validation, with numbers in a query string or a path read as decimal
 * numerals only: TypeBox's conversion alone takes `1.5` for the integer 1, `0x10` for 16,
 * `true` for 1 and an empty value for 0; those are refused as the schema refuses any
 * other wrong type (`querystring.limit: must be integer`).
 */
const strictNumbersCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const check = TypeBoxValidatorCompiler(route);
  const props = (route.schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const numeric = Object.entries(props).flatMap(([k, v]) => (v.type === 'integer' || v.type === 'number' ? [[k, v.type] as const] : []));
  if (route.httpPart === 'body' || numeric.length === 0) return check;
  return (value: unknown) => {
    if (value !== null && typeof value === 'object') {
      for (const [k, type] of numeric) {
        const v = (value as Record<string, unknown>)[k];
        if (typeof v === 'string' && !DECIMAL[type].test(v)) return { error: [{ keyword: 'type', instancePath: `/${k}`, schemaPath: `#/properties/${k}/type`, params: { type }, message: `must be ${type}` }] };
      }
    }
    return check(value);
  };
};

/**
 * A Fastify app with the twin's conventions: TypeBox validation, errors as
 * `{ statusCode, code, error, message, field }` with a stable code, 404 for unknown
 * routes, the OpenAPI document from the routes' schemas (GET /docs, /docs/json).
 * Closing it closes every connection (a kept-alive or half-gone socket does not hold it).
 */
export async function baseApp(o: { logger?: boolean; bodyLimit?: number; title: string; description: string }): Promise<FastifyInstance> {
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: o.bodyLimit ?? 512 * 1024, return503OnClosing: true, forceCloseConnections: true }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(strictNumbersCompiler);
  // Only JSON bodies: a text/plain body is refused with 415 (Fastify's own), not read as a string.
  app.removeContentTypeParser('text/plain');
  // Every route as it is registered (its path as a pattern, its method), for the 405s below; wildcards (static files) left out.
  const routes: { path: RegExp; method: string }[] = [];
  app.addHook('onRoute', (r) => {
    if (r.url.includes('*')) return;
    const segments = r.url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/::/g, ':').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const path = new RegExp(`^${segments.join('/')}$`);
    for (const method of [r.method].flat()) routes.push({ path, method });
  });
  app.setErrorHandler((e: FastifyError | SimError | TwinError, req, reply) => {
    if (e instanceof TwinError) return reply.code(e.statusCode).send(errorBody(e.statusCode, e.code, e.message, e.issues[0]?.path));
    if (e instanceof SimError) {
      const status = e.isInput ? e.status : 500;
      return reply.code(status).send(errorBody(status, e.code, e.message, e.issues[0]?.path));
    }
    const fe = e as FastifyError;
    if (fe.validation) {
      const context = fe.validationContext ?? 'body';
      const { field, message, at } = describeValidation(context, fe.validation as SchemaIssue[]);
      // The value refused, as the CLI shows it (`body.type = 5: must be string`); none for a missing field.
      const part: unknown = { body: req.body, querystring: req.query, params: req.params, headers: req.headers }[context];
      const value = at.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string | number, unknown>)[k] : undefined), part);
      const shown = value === undefined ? '' : ` = ${showValue(value)}`;
      return reply.code(400).send(errorBody(400, 'TWIN_ERR_VALIDATION', `${field}${shown}: ${message}`, field));
    }
    const sc = fe.statusCode ?? 500;
    if (sc >= 400 && sc < 500) return reply.code(sc).send(errorBody(sc, fe.code ?? 'TWIN_ERR_BAD_REQUEST', fe.message));
    req.log.error(e);
    return reply.code(500).send(errorBody(500, 'TWIN_ERR_INTERNAL', 'the twin failed unexpectedly (a bug, please report it)'));
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    // A path the twin serves, with another method: 405 and the methods it takes (Allow), not "no route".
    const allowed = [...new Set(routes.filter((r) => r.path.test(path)).map((r) => r.method))];
    // (A route of this method that found nothing, a static file gone since start-up, stays a 404.)
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      return reply.code(405).header('allow', allowed.join(', '))
        .send(errorBody(405, 'TWIN_ERR_METHOD_NOT_ALLOWED', `${req.method} ${path}: this route takes ${allowed.join(', ')}`));
    }
    return reply.code(404).send(errorBody(404, 'TWIN_ERR_ROUTE_NOT_FOUND', `no route ${req.method} ${path}`));
  });
  await app.register(swagger, {
    openapi: {
      info: { title: o.title, version: '1', description: o.description },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

export async function buildTwin(o: TwinOptions): Promise<FastifyInstance> {
  const speed = o.speed ?? DEFAULT_SPEED;
  if (speed !== 'max' && !(typeof speed === 'number' && speed > 0 && speed <= MAX_SPEED)) throw new SimError('SIM_ERR_BAD_ARGUMENT', `speed: ${String(speed)}: must be a number in (0, ${MAX_SPEED}] or 'max'`, [{ path: 'speed', value: speed, message: `a number in (0, ${MAX_SPEED}] or 'max'` }]);
  const twin = await Twin.create({ cfg: o.cfg, speed, arrivals: o.arrivals, seed: o.seed, clock: o.clock, maxWaiters: o.maxWaiters, endedTtl: o.endedTtl, maxEnded: o.maxEnded });
  const cfg = twin.cfg;
  const host = o.host ?? '127.0.0.1';
  const token = o.token ?? randomBytes(24).toString('base64url');
  const auth = { token, generated: o.token === undefined, required: !isLoopback(host) };

  const app = (await baseApp({ logger: o.logger, bodyLimit: o.bodyLimit, title: 'cctwin live twin', description: `The live twin of scenario "${cfg.name}": create contacts, follow them, read the center's state, control the run; and the run store's runs.` })).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('twin', twin);
  app.decorate('twinAuth', auth);
  if (o.runStore) registerRunRoutes(app, { store: o.runStore, scenarios: o.scenarios ?? null });
  await registerDashboard(app);

  const authorize = async (req: FastifyRequest) => {
    if (!auth.required) return;
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    const given = Buffer.from(m?.[1] ?? '');
    const want = Buffer.from(token);
    if (!(m && given.length === want.length && timingSafeEqual(given, want))) {
      throw new TwinError('TWIN_ERR_UNAUTHORIZED', 401, 'this route needs Authorization: Bearer <token> (the token cctwin serve printed, --token or CCTWIN_TOKEN)');
    }
  };
  const mutating = { onRequest: authorize };
  const security = auth.required ? [{ bearer: [] }] : undefined;
  const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: ErrorBody, 429: ErrorBody };

  // ---------------------------------------------------------------- contact types
  const typeIndex = new Map(cfg.types.map((t, i) => [t.name, i]));
  const uniq = (xs: (string | number | undefined)[]) => [...new Set(xs.filter((x): x is string | number => x !== undefined).map(String))].sort();
  /** The contact type a body names; its errors name the field under `at` (`body.`, `body.contacts[3].`). */
  function resolveType(b: Static<typeof ContactBody>, at: string): number {
    if (b.type !== undefined) {
      const i = typeIndex.get(b.type);
      if (i === undefined) throw unknownValue('TWIN_ERR_UNKNOWN_CONTACT_TYPE', `${at}type`, b.type, cfg.types.map((t) => t.name));
      const t = cfg.types[i];
      for (const k of ['product', 'language', 'channel', 'priority'] as const) {
        if (b[k] !== undefined && b[k] !== t[k]) throw new TwinError('TWIN_ERR_UNKNOWN_CONTACT_TYPE', 422, `${at}${k}: ${JSON.stringify(b[k])} is not the ${k} of type ${t.name} (${String(t[k])})`, [{ path: `${at}${k}`, value: b[k], message: `${String(t[k])} or absent` }]);
      }
      return i;
    }
    if (b.product === undefined && b.channel === undefined && b.language === undefined && b.priority === undefined) {
      throw new TwinError('TWIN_ERR_MISSING_FIELD', 422, `${at}type: give a contact type (${cfg.types.map((t) => t.name).slice(0, 10).join(', ')}${cfg.types.length > 10 ? ', ...' : ''}), or product and channel`, [{ path: `${at}type`, message: 'required' }]);
    }
    let cands = cfg.types.map((t, i) => ({ t, i }));
    for (const k of ['product', 'channel', 'language', 'priority'] as const) {
      const v = b[k];
      if (v === undefined) continue;
      const next = cands.filter((c) => c.t[k] === v);
      if (next.length === 0) throw unknownValue('TWIN_ERR_UNKNOWN_CONTACT_TYPE', `${at}${k}`, v, uniq(cands.map((c) => c.t[k])));
      cands = next;
    }
    if (cands.length > 1) {
      const k = (['product', 'channel', 'language', 'priority'] as const).find((f) => b[f] === undefined && uniq(cands.map((c) => c.t[f])).length > 1) ?? 'type';
      const known = k === 'type' ? cands.map((c) => c.t.name) : uniq(cands.map((c) => c.t[k]));
      throw new TwinError('TWIN_ERR_MISSING_FIELD', 422, `${at}${k}: required to pick one contact type (${known.join(', ')})`, [{ path: `${at}${k}`, message: `one of: ${known.join(', ')}` }]);
    }
    return cands[0].i;
  }

  const self = (id: string) => `/v1/contacts/${id}`;
  const created = (r: ContactRecord) => ({ id: r.id, status: twin.status(r), links: { self: self(r.id) } });
  const view = (r: ContactRecord) => {
    const t = cfg.types[r.type];
    const since = twin.waitingSince(r);
    const now = twin.run.now;
    return {
      id: r.id,
      type: t.name,
      channel: t.channel,
      customerId: r.customerId,
      status: twin.status(r),
      ended: r.end !== null,
      times: { arrival: r.arrival, queueEntry: since ?? r.queueEntry, answer: r.answer, end: r.end },
      wait: since !== null ? now - since : r.wait,
      group: r.group >= 0 ? cfg.groups[r.group].name : null,
      site: r.site >= 0 && (r.answered || r.end !== null) ? cfg.sites[r.site].name : null,
      links: { self: self(r.id) },
    };
  };

  // ---------------------------------------------------------------- routes
  app.post('/v1/contacts', {
    ...mutating,
    schema: { summary: 'create a contact', tags: ['contacts'], security, querystring: NoQuery, body: ContactBody, response: { 202: Created, ...errors } },
  }, async (req, reply) => {
    const type = resolveType(req.body, 'body.');
    const [r] = twin.create([{ type, customerId: req.body.customerId }]);
    return reply.code(202).header('location', self(r.id)).send(created(r));
  });

  app.post('/v1/contacts::batch', {
    ...mutating,
    schema: { summary: `create up to ${MAX_BATCH} contacts at once (all or none)`, tags: ['contacts'], security, querystring: NoQuery, body: BatchBody, response: { 202: BatchCreated, ...errors } },
  }, async (req, reply) => {
    const items = req.body.contacts;
    if (items.length > MAX_BATCH) throw new TwinError('TWIN_ERR_BATCH_TOO_LARGE', 413, `body.contacts: ${items.length} contacts in one batch; at most ${MAX_BATCH}`, [{ path: 'body.contacts', value: items.length, message: `at most ${MAX_BATCH}` }]);
    const types = items.map((b, i) => ({ type: resolveType(b, `${fieldName('body', 'contacts', i)}.`), customerId: b.customerId }));
    return reply.code(202).send({ contacts: twin.create(types).map(created) });
  });

  app.get('/v1/contacts/:id', {
    schema: { summary: 'a contact: status, simulated times, wait, group and site; ?wait=answered|ended&timeout=S holds the request (long-poll)', tags: ['contacts'], params: IdParams, querystring: ContactQuery, response: { 200: ContactView, ...errors } },
  }, async (req, reply) => {
    const r = twin.get(req.params.id);
    if (r === undefined) {
      const id = req.params.id;
      throw new TwinError('TWIN_ERR_NOT_FOUND', 404, `params.id = ${JSON.stringify(id)}: no contact ${id} (never created, or ended long enough ago to be dropped: records are kept ${Math.round(twin.endedTtlSeconds)} wall seconds after the end)`,
        [{ path: 'params.id', value: id, message: 'no contact with this id' }]);
    }
    const want = req.query.wait;
    if (want === undefined) return view(r);
    const timeout = (req.query.timeout ?? 30) * 1000;
    return new Promise((resolve) => {
      const release = twin.wait(r, want, timeout, (rec, timedOut) => resolve({ ...view(rec), timedOut }));
      reply.raw.once('close', release);
    });
  });

  app.get('/v1/state', {
    schema: { summary: 'the center now: clock, speed, lag, queues per type and site, agents by state per group, sites up or down', tags: ['state'], querystring: NoQuery },
  }, async () => stateOf(twin));

  app.post('/v1/control', {
    ...mutating,
    schema: { summary: 'pause, resume, change speed, fail or restore a site, set a group\'s staffing', tags: ['control'], security, querystring: NoQuery, body: ControlBody, response: { 200: ControlDone, ...errors } },
  }, async (req) => {
    const b = req.body;
    const action: string = b.action;
    // Each action takes its own fields: another's is refused, not silently ignored.
    const own: readonly string[] = CONTROL_FIELDS[b.action as keyof typeof CONTROL_FIELDS] ?? [];
    const extra = Object.keys(b).filter((k) => k !== 'action' && !own.includes(k));
    if (extra.length > 0) {
      throw new TwinError('TWIN_ERR_VALIDATION', 400, `${fieldName('body', extra[0])}: not a field of action ${b.action} (its fields: ${own.length > 0 ? own.join(', ') : 'none'})`,
        extra.map((k) => ({ path: fieldName('body', k), value: (b as Record<string, unknown>)[k], message: `not a field of action ${b.action}` })));
    }
    const need = <K extends keyof typeof b>(k: K): NonNullable<(typeof b)[K]> => {
      const field = fieldName('body', String(k));
      if (b[k] === undefined) throw new TwinError('TWIN_ERR_MISSING_FIELD', 422, `${field}: required by action ${b.action}`, [{ path: field, message: 'required' }]);
      return b[k] as NonNullable<(typeof b)[K]>;
    };
    const siteOf = () => {
      const name = need('site');
      const i = cfg.sites.findIndex((s) => s.name === name);
      if (i < 0) throw unknownValue('TWIN_ERR_UNKNOWN_NAME', 'body.site', name, cfg.sites.map((s) => s.name));
      return i;
    };
    // A site in the state the action needs: 409 naming the site otherwise (the engine's own check speaks of indexes).
    const siteIn = (want: 'up' | 'down') => {
      const i = siteOf();
      const down = twin.run.replication.state.siteDown[i] === 1;
      if (down !== (want === 'down')) {
        const name = cfg.sites[i].name;
        const why = want === 'down' ? `"${name}" is up: only a site that is down can be restored` : `"${name}" is already down: restore it first`;
        throw new EngineError('ENGINE_ERR_STATE', `body.site: ${why}`, [{ path: 'body.site', value: name, message: want === 'down' ? 'must be a site that is down' : 'must be a site that is up' }]);
      }
      return i;
    };
    // A control that changes the center has nothing to change once the day is over: 409 as for contacts.
    if ((b.action === 'fail-site' || b.action === 'restore-site' || b.action === 'staffing') && twin.dayOver) {
      throw new TwinError('TWIN_ERR_DAY_OVER', 409, `the simulated day is over (horizon ${twin.horizon} s): the twin takes no more ${b.action} controls`);
    }
    switch (b.action) {
      case 'pause': twin.pause(); break;
      case 'resume': twin.resume(); break;
      case 'speed': twin.setSpeed(need('speed')); break;
      case 'fail-site': twin.failSite(siteIn('up'), { inService: b.inService, waiting: b.waiting }); break;
      case 'restore-site': twin.restoreSite(siteIn('down')); break;
      case 'staffing': {
        const name = need('group');
        const g = cfg.groups.findIndex((x) => x.name === name);
        if (g < 0) throw unknownValue('TWIN_ERR_UNKNOWN_NAME', 'body.group', name, cfg.groups.map((x) => x.name));
        if (!('agents' in b)) throw new TwinError('TWIN_ERR_MISSING_FIELD', 422, 'body.agents: required by action staffing (a number, or null for the plan)', [{ path: 'body.agents', message: 'required' }]);
        const size = twin.run.replication.state.groupSize[g];
        const n = b.agents ?? null;
        if (n !== null && n > size) throw new TwinError('TWIN_ERR_VALIDATION', 422, `body.agents: ${n}: group ${name} has ${size} agents`, [{ path: 'body.agents', value: n, message: `0..${size}` }]);
        twin.run.setStaffing(g, n);
        break;
      }
    }
    return { action, clock: twin.run.now, speed: twin.speed, paused: twin.paused };
  });

  // ---------------------------------------------------------------- metrics and events
  const started = performance.now();
  let metricsCache: { at: number; clock: number; body: LiveSummary } | null = null;
  app.get('/v1/metrics', {
    schema: { summary: "the day so far in the run JSON's shape (totals, intervals[], byChannel, bySite, sla[] ...; as cctwin run --json), with `live`: the clock, the current interval, the clients' contacts apart", tags: ['state'], querystring: NoQuery },
  }, async () => {
    // Recomputed at most every 250 ms of wall time, or when the day closes (a summary is not free on long horizons).
    const now = performance.now();
    if (metricsCache === null || (metricsCache.clock !== twin.run.now && now - metricsCache.at > 250) || (twin.finalResult !== null && !metricsCache.body.live.closed)) {
      metricsCache = { at: now, clock: twin.run.now, body: liveSummary(twin, (now - started) / 1000) };
    }
    return metricsCache.body;
  });

  const registry = twinRegistry(twin);
  app.get('/metrics', { schema: { summary: 'Prometheus text exposition (prom-client): queues, agents, sites, the interval service level, counters by outcome, simulated waits', tags: ['state'] } }, async (_req, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()));

  const streams = new Set<ServerResponse>();
  const maxStreams = o.maxStreams ?? 1000;
  app.get('/v1/events', {
    schema: {
      summary: 'server-sent events: contact (a client contact ended), interval (closed), site (down/up), control (pause, resume, speed), day (closed); Last-Event-ID resumes from a buffer of the last 10,000',
      tags: ['state'], headers: EventsHeaders, querystring: EventsQuery,
    },
  }, (req, reply) => {
    if (streams.size >= maxStreams) throw new TwinError('TWIN_ERR_TOO_MANY_STREAMS', 429, `too many open event streams (${maxStreams}): retry later`);
    const lastRaw = req.headers['last-event-id'] ?? req.query.lastEventId;
    const last = lastRaw === undefined ? null : Number(lastRaw);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    streams.add(raw);
    let pending = '';
    let flushing: ReturnType<typeof setImmediate> | null = null;
    const flush = () => {
      flushing = null;
      if (pending === '' || raw.writableEnded) return;
      raw.write(pending);
      pending = '';
      // A client that does not read: end its stream (it may come back with Last-Event-ID).
      if (raw.writableLength > 4 * 1024 * 1024) raw.end();
    };
    const send = (frame: string) => {
      pending += frame;
      if (flushing === null) flushing = setImmediate(flush);
    };
    send(`retry: 2000\n: cctwin live twin of ${cfg.name}, next event id ${twin.events.nextId}\n\n`);
    if (last !== null) {
      const { events, missed } = twin.events.since(last);
      if (missed) send(`event: reset\ndata: ${JSON.stringify({ oldest: twin.events.oldestId, message: 'events after your Last-Event-ID were dropped from the buffer: read /v1/metrics again' })}\n\n`);
      for (const e of events) send(sseFrame(e));
    }
    const unsubscribe = twin.events.subscribe((e) => send(sseFrame(e)));
    const beat = setInterval(() => send(': keep-alive\n\n'), 15_000);
    raw.once('close', () => {
      unsubscribe();
      clearInterval(beat);
      if (flushing !== null) clearImmediate(flushing);
      streams.delete(raw);
    });
  });

  app.get('/healthz', { schema: { summary: 'liveness: 503 if the engine stopped', tags: ['meta'] } }, async (_req, reply) =>
    reply.code(twin.failure === null ? 200 : 503).send({ ok: twin.failure === null, clock: twin.run.now, finished: twin.finished, ...(twin.failure === null ? {} : { failure: twin.failure }) }));
  app.addHook('onReady', async () => { if (o.autoStart !== false) twin.start(); });
  app.addHook('preClose', async () => {
    twin.close();
    // The answers of the released long-polls and the day's last events are written,
    // then the streams end; the server then closes every connection (a client's kept-alive
    // or half-gone socket does not hold the close).
    await new Promise((r) => setTimeout(r, 20));
    for (const raw of streams) raw.end();
  });
  return app;
}

/** GET /v1/state's answer: the snapshot, named. */
export function stateOf(twin: Twin) {
  const cfg = twin.cfg, L = twin.run.layout, b = twin.run.snapshot();
  const counters: Record<string, number> = {};
  L.names.slice(L.counters, L.queues).forEach((n, i) => { counters[n.slice('counters.'.length)] = b[L.counters + i]; });
  const queues = [];
  for (let t = 0; t < L.nTypes; t++) {
    for (let s = 0; s < L.nSites; s++) {
      const o = L.queues + (t * L.nSites + s) * 3;
      queues.push({ type: cfg.types[t].name, site: cfg.sites[s].name, waiting: b[o], oldestWait: b[o + 1], inService: b[o + 2] });
    }
  }
  const groups = cfg.groups.map((g, i) => {
    const o = L.groups + i * 6;
    return { group: g.name, site: cfg.sites[b[o]]?.name ?? null, off: b[o + 1], idle: b[o + 2], busy: b[o + 3], onDuty: b[o + 4], leaving: b[o + 5] };
  });
  const sites = cfg.sites.map((s, i) => {
    const o = L.sites + i * 3;
    return { site: s.name, up: b[o] === 1, inSystem: b[o + 1], lines: b[o + 2] };
  });
  return {
    scenario: cfg.name,
    clock: b[1],
    day: b[2],
    horizon: twin.horizon,
    target: twin.target(),
    speed: twin.speed,
    paused: twin.paused,
    finished: twin.finished,
    dayOver: twin.dayOver,
    failure: twin.failure,
    lag: twin.lag(),
    arrivals: twin.arrivals,
    inSystem: b[7],
    injected: b[6],
    counters,
    queues,
    groups,
    sites,
    twin: { records: twin.records, openLongPolls: twin.openWaiters, created: twin.stats.created, ended: twin.stats.ended },
  };
}
