import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { baseApp, buildTwin } from '../../twin-api/app.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { SMALL } from './helpers.ts';

/**
 * Bad input as a client sends it, over a real socket: each answer is a 4xx with the
 * code the README gives for its cause, naming the field with its location.
 */

type Answer = { status: number; json: { statusCode: number; code: string; message: string; field?: string } & Record<string, unknown> };

async function send(base: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  const r = await request(`${base}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': contentType }, body }) });
  return { status: r.statusCode, json: (await r.body.json()) as Answer['json'] };
}

describe('a twin whose day is over (a real socket)', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = await buildTwin({ cfg: SMALL, speed: 'max', arrivals: 'external' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    for (let i = 0; i < 1000 && !app.twin.finished; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.twin.dayOver).toBe(true);
  });
  afterAll(async () => { await app.close(); });

  it('controls that change the center answer 409 TWIN_ERR_DAY_OVER, as contacts do (not the engine\'s internal state error)', async () => {
    for (const body of [
      { action: 'fail-site', site: 'nantong' },
      { action: 'restore-site', site: 'nantong' },
      { action: 'staffing', group: 'flight-nantong', agents: 2 },
    ]) {
      const r = await send(base, 'POST', '/v1/control', JSON.stringify(body));
      expect(r.status, JSON.stringify(r.json)).toBe(409);
      expect(r.json.code, JSON.stringify(r.json)).toBe('TWIN_ERR_DAY_OVER');
      expect(r.json.message).toContain('day is over');
      expect(r.json.message).not.toMatch(/failSite|setStaffing|restoreSite|live run/);
    }
    // the contact routes say the same
    expect((await send(base, 'POST', '/v1/contacts', '{"type":"hotel-zh-im"}')).json.code).toBe('TWIN_ERR_DAY_OVER');
  });
});

describe('queries, parameters and content types (a real socket)', () => {
  let app: FastifyInstance;
  let base: string;
  let store: RunStore;
  beforeAll(async () => {
    store = RunStore.open(':memory:');
    app = await buildTwin({ cfg: SMALL, speed: 60, arrivals: 'external', clock: () => 0, autoStart: false, runStore: store, scenarios: null });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => { await app.close(); store.close(); });

  it('an unknown query parameter is named as a field of the query string, not of the body', async () => {
    for (const path of ['/v1/contacts/abc?bogus=1', '/v1/runs?bogus=1']) {
      const r = await send(base, 'GET', path);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ code: 'TWIN_ERR_VALIDATION', field: 'querystring.bogus' });
      expect(r.json.message).toMatch(/^querystring\.bogus = "1": is not a field of this query string/);
    }
  });

  it('a path the twin serves, with a method it does not take: 405 with Allow (it was 404 "no route")', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/v1/contacts', 'POST'], ['DELETE', '/v1/state', 'GET, HEAD'], ['GET', '/v1/contacts:batch', 'POST'],
      ['PATCH', '/v1/contacts/abc', 'GET, HEAD'], ['POST', '/v1/runs/3', 'GET, HEAD'],
    ] as const) {
      const r = await request(`${base}${path}`, { method });
      expect(r.statusCode, `${method} ${path}`).toBe(405);
      expect(r.headers.allow, `${method} ${path}`).toBe(allow);
      expect(await r.body.json()).toMatchObject({ statusCode: 405, code: 'TWIN_ERR_METHOD_NOT_ALLOWED', message: `${method} ${path}: this route takes ${allow}` });
    }
    // A path it does not serve is still 404, whatever the method.
    for (const method of ['GET', 'PUT'] as const) expect((await send(base, method, '/v1/nowhere')).status).toBe(404);
  });

  it('a route that reads no query string refuses a parameter too (it was ignored: POST /v1/contacts?x=1 created a contact)', async () => {
    for (const [method, path, body] of [
      ['POST', '/v1/contacts?x=1', { type: 'flight-zh-phone' }], ['POST', '/v1/contacts:batch?x=1', { contacts: [{ type: 'flight-zh-phone' }] }],
      ['POST', '/v1/control?x=1', { action: 'pause' }], ['GET', '/v1/state?x=1', undefined], ['GET', '/v1/metrics?x=1', undefined], ['GET', '/v1/scenarios?x=1', undefined],
    ] as const) {
      const r = await send(base, method, path, body === undefined ? undefined : JSON.stringify(body));
      expect(r.status, `${method} ${path} -> ${JSON.stringify(r.json)}`).toBe(400);
      expect(r.json, path).toMatchObject({ code: 'TWIN_ERR_VALIDATION', field: 'querystring.x', message: 'querystring.x = "1": is not a field of this query string (see /docs/json)' });
    }
    // Without the parameter each still answers.
    expect((await send(base, 'GET', '/v1/state')).status).toBe(200);
    expect((await send(base, 'GET', '/v1/scenarios')).status).toBe(200);
  });

  it('a JSON body sent as text/plain gets 415 (a JSON content type is needed), not a schema error', async () => {
    const r = await send(base, 'POST', '/v1/contacts', '{"type":"hotel-zh-im"}', 'text/plain');
    expect(r.status).toBe(415);
    expect(r.json.code).toMatch(/^FST_ERR_/);
    expect(app.twin.stats.created).toBe(0);
  });

  it('a number in a query or a path is a decimal numeral: 1.5, 0x10, 1e1 or true for an integer are refused, not truncated', async () => {
    for (const [path, field] of [
      ['/v1/runs?limit=1.5', 'querystring.limit'],
      ['/v1/runs?limit=0x10', 'querystring.limit'],
      ['/v1/runs?offset=1e1', 'querystring.offset'],
      ['/v1/runs?limit=true', 'querystring.limit'],
      ['/v1/runs?limit=', 'querystring.limit'],
      ['/v1/runs/1.5', 'params.id'],
      ['/v1/runs/0x1', 'params.id'],
      ['/v1/contacts/abc?wait=ended&timeout=0x5', 'querystring.timeout'],
      ['/v1/contacts/abc?wait=ended&timeout=', 'querystring.timeout'],
      ['/v1/events?lastEventId=1.5', 'querystring.lastEventId'],
    ] as const) {
      const r = await send(base, 'GET', path);
      expect(r.status, `${path} -> ${JSON.stringify(r.json)}`).toBe(400);
      expect(r.json, path).toMatchObject({ code: 'TWIN_ERR_VALIDATION', field });
      expect(r.json.message, path).toMatch(new RegExp(`^${field.replace('.', '\\.')} = "[^"]*": must be (integer|number)`));
    }
    // decimal numerals still pass: an integer, a number with a fraction or an exponent
    expect((await send(base, 'GET', '/v1/runs?limit=2&offset=0')).status).toBe(200);
    expect((await send(base, 'GET', '/v1/runs/1?from=1.5&to=3600')).json.code).toBe('TWIN_ERR_NOT_FOUND');
    expect((await send(base, 'GET', '/v1/runs/7?from=1e2')).json.code).toBe('TWIN_ERR_NOT_FOUND');
    expect((await send(base, 'GET', '/v1/contacts/abc?wait=ended&timeout=0.5')).json.code).toBe('TWIN_ERR_NOT_FOUND');
  });
});

describe('405 and 404', () => {
  it('a route of this method that finds nothing (a static file gone since start-up) stays 404, not a 405 naming the method it has', async () => {
    const app = await baseApp({ title: 't', description: 'd' });
    app.get('/assets/gone.css', async (_req, reply) => reply.callNotFound());
    try {
      const get = await app.inject({ method: 'GET', url: '/assets/gone.css' });
      expect(get.statusCode).toBe(404);
      expect(get.json()).toMatchObject({ code: 'TWIN_ERR_ROUTE_NOT_FOUND' });
      const post = await app.inject({ method: 'POST', url: '/assets/gone.css' });
      expect(post.statusCode).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
    } finally {
      await app.close();
    }
  });
});
