import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { post, SMALL, testTwin, type TestTwin } from './helpers.ts';

/**
 * The live twin's HTTP API (twin-api/app.ts) through app.inject(): contacts created,
 * followed and long-polled; the state; the controls; errors that name the field;
 * auth off loopback; the OpenAPI document; every contact created over HTTP ending once.
 */

let open: FastifyInstance[] = [];
async function twin(o: Parameters<typeof testTwin>[0] = {}): Promise<TestTwin> {
  const t = await testTwin(o);
  open.push(t.app);
  return t;
}
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url });
const state = async (app: FastifyInstance) => (await get(app, '/v1/state')).json();
const control = (app: FastifyInstance, body: object) => post(app, '/v1/control', body);

describe('contacts', () => {
  it('POST answers 202 with an opaque id; GET then shows it answered and ended with a plausible wait, group and site', async () => {
    const { app, advance } = await twin({ arrivals: 'external' });
    const r = await post(app, '/v1/contacts', { type: 'flight-zh-phone', customerId: 'c-42' });
    expect(r.statusCode).toBe(202);
    const c = r.json();
    expect(c.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(c.links.self).toBe(`/v1/contacts/${c.id}`);
    expect(r.headers.location).toBe(c.links.self);
    // Idle agents: answered at once on arrival.
    expect(c.status).toBe('answered');
    advance(3600);
    const v = (await get(app, c.links.self)).json();
    expect(v).toMatchObject({ id: c.id, type: 'flight-zh-phone', channel: 'phone', customerId: 'c-42', status: 'completed', ended: true });
    expect(v.wait).toBe(0);
    expect(v.times.arrival).toBe(0);
    expect(v.times.answer).toBe(0);
    expect(v.times.end).toBeGreaterThan(0);
    expect(['flight-shanghai', 'flight-nantong']).toContain(v.group);
    expect(v.site).toBe(v.group === 'flight-shanghai' ? 'shanghai' : 'nantong');
  });

  it('resolves product, language and channel to the scenario\'s type; 422 names the field and the known values', async () => {
    const { app } = await twin();
    const ok = await post(app, '/v1/contacts', { product: 'hotel', channel: 'im' });
    expect(ok.statusCode).toBe(202);
    expect((await get(app, ok.json().links.self)).json().type).toBe('hotel-zh-im');
    const en = await post(app, '/v1/contacts', { product: 'flight', language: 'en', channel: 'phone' });
    expect((await get(app, en.json().links.self)).json().type).toBe('flight-en-phone');

    const unknown = await post(app, '/v1/contacts', { type: 'train-zh-phone' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ statusCode: 422, code: 'TWIN_ERR_UNKNOWN_CONTACT_TYPE', error: 'Unprocessable Entity', field: 'body.type' });
    expect(unknown.json().message).toBe('body.type: unknown value "train-zh-phone"; known: flight-zh-phone, flight-en-phone, hotel-zh-im');
    const product = await post(app, '/v1/contacts', { product: 'train', channel: 'phone' });
    expect(product.json()).toMatchObject({ code: 'TWIN_ERR_UNKNOWN_CONTACT_TYPE', field: 'body.product' });
    expect(product.json().message).toContain('flight, hotel');
    const channel = await post(app, '/v1/contacts', { product: 'hotel', channel: 'fax' });
    expect(channel.json()).toMatchObject({ field: 'body.channel' });
    expect(channel.json().message).toContain('known: im');
    const ambiguous = await post(app, '/v1/contacts', { product: 'flight', channel: 'phone' });
    expect(ambiguous.statusCode).toBe(422);
    expect(ambiguous.json()).toMatchObject({ code: 'TWIN_ERR_MISSING_FIELD', field: 'body.language' });
    expect(ambiguous.json().message).toContain('en, zh');
    const conflict = await post(app, '/v1/contacts', { type: 'hotel-zh-im', channel: 'phone' });
    expect(conflict.json()).toMatchObject({ statusCode: 422, field: 'body.channel' });
    expect(conflict.json().message).toMatch(/^body\.channel: "phone" is not the channel of type hotel-zh-im/);
    const nothing = await post(app, '/v1/contacts', {});
    expect(nothing.json()).toMatchObject({ statusCode: 422, field: 'body.type' });
    expect(nothing.json().message).toMatch(/^body\.type: give a contact type/);
  });

  it('validation errors are 400 naming the field', async () => {
    const { app } = await twin();
    const cases: [unknown, string][] = [
      [{ type: 5 }, 'body.type'],
      [{ type: 'flight-zh-phone', colour: 'red' }, 'body.colour'],
      [{ type: '' }, 'body.type'],
      [{ type: 'flight-zh-phone', customerId: 'x'.repeat(200) }, 'body.customerId'],
      [[1, 2], 'body'],
    ];
    for (const [body, field] of cases) {
      const r = await post(app, '/v1/contacts', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json()).toMatchObject({ statusCode: 400, code: 'TWIN_ERR_VALIDATION', error: 'Bad Request', field });
      expect(r.json().message.startsWith(`${field}:`) || r.json().message.startsWith(`${field} = `)).toBe(true);
    }
    const q = await get(app, '/v1/contacts/abc?wait=soon');
    expect(q.json()).toMatchObject({ statusCode: 400, field: 'querystring.wait' });
    expect(q.json().message).toContain('"answered", "ended"');
    const t = await get(app, '/v1/contacts/abc?wait=ended&timeout=9999');
    expect(t.json()).toMatchObject({ statusCode: 400, field: 'querystring.timeout' });
    const bad = await app.inject({ method: 'POST', url: '/v1/contacts', payload: '{"type":', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toMatch(/^FST_ERR_/);
    const big = await app.inject({ method: 'POST', url: '/v1/contacts', payload: JSON.stringify({ type: 'x'.repeat(600_000) }), headers: { 'content-type': 'application/json' } });
    expect(big.statusCode).toBe(413);
  });

  it('GET of an unknown id is 404, of a malformed one 400', async () => {
    const { app } = await twin();
    const r = await get(app, '/v1/contacts/AAAAAAAAAAAAAAAA');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ statusCode: 404, code: 'TWIN_ERR_NOT_FOUND', error: 'Not Found' });
    expect((await get(app, '/v1/contacts/not%20an%20id')).statusCode).toBe(400);
    expect((await get(app, '/v2/nothing')).json()).toMatchObject({ statusCode: 404, code: 'TWIN_ERR_ROUTE_NOT_FOUND' });
  });

  it('batch: up to 1,000 contacts, all or none', async () => {
    const { app } = await twin({ arrivals: 'external' });
    const r = await post(app, '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }, { product: 'hotel', channel: 'im' }, { type: 'flight-en-phone' }] });
    expect(r.statusCode).toBe(202);
    const ids = r.json().contacts.map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect((await get(app, `/v1/contacts/${id}`)).statusCode).toBe(200);
    const bad = await post(app, '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }, { type: 'nope' }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ field: 'body.contacts[1].type', message: expect.stringMatching(/^body\.contacts\[1\]\.type: unknown value "nope"/) });
    // the schema names a batch item's field the same way
    expect((await post(app, '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }, { type: 5 }] })).json()).toMatchObject({ statusCode: 400, field: 'body.contacts[1].type', message: 'body.contacts[1].type = 5: must be string' });
    expect(app.twin.stats.created).toBe(3);
    const tooMany = await post(app, '/v1/contacts:batch', { contacts: Array.from({ length: 1001 }, () => ({ type: 'flight-zh-phone' })) });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toMatchObject({ code: 'TWIN_ERR_BATCH_TOO_LARGE', field: 'body.contacts', message: 'body.contacts: 1001 contacts in one batch; at most 1000' });
    const full = await post(app, '/v1/contacts:batch', { contacts: Array.from({ length: 1000 }, () => ({ type: 'hotel-zh-im' })) });
    expect(full.statusCode).toBe(202);
    expect(full.json().contacts).toHaveLength(1000);
    expect((await post(app, '/v1/contacts:batch', { contacts: [] })).json()).toMatchObject({ statusCode: 400, field: 'body.contacts' });
  });

  it('with --arrivals internal, contacts from clients are refused (409)', async () => {
    const { app } = await twin({ arrivals: 'internal' });
    const r = await post(app, '/v1/contacts', { type: 'flight-zh-phone' });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('TWIN_ERR_EXTERNAL_OFF');
  });
});

describe('long-polls', () => {
  it('?wait=answered holds the request until the contact is answered', async () => {
    const { app, advance } = await twin({ arrivals: 'external' });
    for (const group of ['flight-shanghai', 'flight-nantong']) expect((await control(app, { action: 'staffing', group, agents: 0 })).statusCode).toBe(200);
    const c = (await post(app, '/v1/contacts', { type: 'flight-zh-phone' })).json();
    expect(c.status).toBe('queued');
    advance(30);
    const waiting = (await get(app, c.links.self)).json();
    expect(waiting).toMatchObject({ status: 'queued', ended: false, times: { queueEntry: 0 } });
    expect(waiting.wait).toBeCloseTo(30, 6);
    let settled = false;
    const poll = get(app, `${c.links.self}?wait=answered&timeout=30`).then((r) => { settled = true; return r; });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    expect(app.twin.openWaiters).toBe(1);
    await control(app, { action: 'staffing', group: 'flight-shanghai', agents: null });
    advance(1);
    const r = (await poll).json();
    expect(r).toMatchObject({ status: 'answered', timedOut: false, group: 'flight-shanghai', site: 'shanghai' });
    expect(r.wait).toBeCloseTo(30, 0);
    expect(app.twin.openWaiters).toBe(0);
    // Already reached: answered at once.
    const again = (await get(app, `${c.links.self}?wait=answered&timeout=5`)).json();
    expect(again.timedOut).toBe(false);
  });

  it('a long-poll that times out answers 200 with timedOut and the status now', async () => {
    const { app } = await twin({ arrivals: 'external' });
    for (const group of ['flight-shanghai', 'flight-nantong']) await control(app, { action: 'staffing', group, agents: 0 });
    const c = (await post(app, '/v1/contacts', { type: 'flight-en-phone' })).json();
    const t0 = performance.now();
    const r = await get(app, `${c.links.self}?wait=ended&timeout=0.1`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'queued', timedOut: true, ended: false });
    expect(app.twin.openWaiters).toBe(0);
  });

  it('at most maxWaiters open long-polls: 429 beyond', async () => {
    const { app } = await twin({ arrivals: 'external', maxWaiters: 2 });
    for (const group of ['flight-shanghai', 'flight-nantong']) await control(app, { action: 'staffing', group, agents: 0 });
    const c = (await post(app, '/v1/contacts', { type: 'flight-zh-phone' })).json();
    const polls = [get(app, `${c.links.self}?wait=answered&timeout=0.3`), get(app, `${c.links.self}?wait=answered&timeout=0.3`)];
    await new Promise((r) => setTimeout(r, 20));
    const third = await get(app, `${c.links.self}?wait=answered&timeout=0.3`);
    expect(third.statusCode).toBe(429);
    expect(third.json().code).toBe('TWIN_ERR_TOO_MANY_WAITERS');
    for (const p of await Promise.all(polls)) expect(p.json().timedOut).toBe(true);
  });

  it('a client that disconnects during a long-poll releases its waiter (real socket)', async () => {
    const { app } = await twin({ arrivals: 'external' });
    for (const group of ['flight-shanghai', 'flight-nantong']) await control(app, { action: 'staffing', group, agents: 0 });
    const c = (await post(app, '/v1/contacts', { type: 'flight-zh-phone' })).json();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const req = request({ host: '127.0.0.1', port, path: `${c.links.self}?wait=answered&timeout=60` });
    req.on('error', () => {});
    req.end();
    for (let i = 0; i < 100 && app.twin.openWaiters === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.twin.openWaiters).toBe(1);
    req.destroy();
    for (let i = 0; i < 100 && app.twin.openWaiters > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.twin.openWaiters).toBe(0);
  });
});

describe('state and controls', () => {
  it('GET /v1/state: clock, speed, lag, queues per type and site, agents per group, sites', async () => {
    const { app, advance, wall } = await twin();
    advance(600);
    const s = await state(app);
    expect(s).toMatchObject({ scenario: 'twin-small', clock: 600, speed: 60, paused: false, finished: false, lag: 0, arrivals: 'both' });
    expect(s.queues).toHaveLength(SMALL.types.length * SMALL.sites.length);
    expect(s.queues[0]).toEqual({ type: 'flight-zh-phone', site: 'shanghai', waiting: expect.any(Number), oldestWait: expect.any(Number), inService: expect.any(Number) });
    expect(s.groups.map((g: { group: string; site: string }) => `${g.group}@${g.site}`)).toEqual(['flight-shanghai@shanghai', 'flight-nantong@nantong', 'hotel-nantong@nantong']);
    for (const g of s.groups) expect(g.idle + g.busy).toBe(g.onDuty + g.leaving);
    expect(s.groups.map((g: { onDuty: number }) => g.onDuty)).toEqual([4, 4, 3]);
    expect(s.sites).toEqual([{ site: 'shanghai', up: true, inSystem: expect.any(Number), lines: expect.any(Number) }, { site: 'nantong', up: true, inSystem: expect.any(Number), lines: expect.any(Number) }]);
    expect(s.counters.arrivals).toBeGreaterThan(0);
    // The wall clock moved on but the engine has not run yet: the lag says how far behind it is.
    wall.ms += 1000;
    expect((await state(app)).lag).toBeCloseTo(60, 6);
  });

  it('pause stops the simulated clock across wall time; resume continues from there', async () => {
    const { app, advance } = await twin();
    advance(120);
    expect((await control(app, { action: 'pause' })).json()).toMatchObject({ action: 'pause', paused: true, clock: 120 });
    advance(600);
    expect(await state(app)).toMatchObject({ clock: 120, paused: true });
    // Contacts are still accepted while paused; they arrive when the clock runs again.
    const c = (await post(app, '/v1/contacts', { type: 'hotel-zh-im' })).json();
    expect(c.status).toBe('accepted');
    expect((await control(app, { action: 'resume' })).json()).toMatchObject({ paused: false });
    advance(60);
    expect(await state(app)).toMatchObject({ clock: 180, paused: false });
    expect((await get(app, c.links.self)).json().status).not.toBe('accepted');
  });

  it('speed changes the pace from now on', async () => {
    const { app, wall } = await twin();
    await control(app, { action: 'speed', speed: 600 });
    wall.ms += 1000;
    while (app.twin.step()) { /* catch up */ }
    expect((await state(app)).clock).toBeCloseTo(600, 6);
    expect((await control(app, { action: 'speed' })).json()).toMatchObject({ statusCode: 422, code: 'TWIN_ERR_MISSING_FIELD', field: 'body.speed', message: 'body.speed: required by action speed' });
    expect((await control(app, { action: 'speed', speed: -1 })).json()).toMatchObject({ statusCode: 400, field: 'body.speed' });
  });

  it('fail-site shows the site down in /v1/state; restore-site brings it back; errors name the field', async () => {
    const { app, advance } = await twin();
    advance(300);
    const r = await control(app, { action: 'fail-site', site: 'nantong', inService: 'drop', waiting: 'move' });
    expect(r.statusCode).toBe(200);
    advance(60);
    let s = await state(app);
    expect(s.sites.map((x: { up: boolean }) => x.up)).toEqual([true, false]);
    expect(s.groups.filter((g: { site: string }) => g.site === 'nantong').every((g: { onDuty: number }) => g.onDuty === 0)).toBe(true);
    const again = await control(app, { action: 'fail-site', site: 'nantong' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ENGINE_ERR_STATE');
    const unknown = await control(app, { action: 'fail-site', site: 'beijing' });
    expect(unknown.json()).toMatchObject({ statusCode: 422, code: 'TWIN_ERR_UNKNOWN_NAME', field: 'body.site' });
    expect(unknown.json().message).toContain('shanghai, nantong');
    expect((await control(app, { action: 'restore-site' })).json()).toMatchObject({ statusCode: 422, field: 'body.site' });
    expect((await control(app, { action: 'fail-site', site: 'shanghai', inService: 'explode' })).json()).toMatchObject({ statusCode: 400, field: 'body.inService' });
    expect(again.json()).toMatchObject({ field: 'body.site', message: 'body.site: "nantong" is already down: restore it first' });
    expect((await control(app, { action: 'restore-site', site: 'shanghai' })).json()).toMatchObject({ statusCode: 409, field: 'body.site', message: 'body.site: "shanghai" is up: only a site that is down can be restored' });
    expect((await control(app, { action: 'restore-site', site: 'nantong' })).statusCode).toBe(200);
    advance(60);
    s = await state(app);
    expect(s.sites.map((x: { up: boolean }) => x.up)).toEqual([true, true]);
  });

  it('a field of another action is refused, not ignored', async () => {
    const { app } = await twin();
    const r = await control(app, { action: 'pause', speed: 5 });
    expect(r.json()).toMatchObject({ statusCode: 400, code: 'TWIN_ERR_VALIDATION', field: 'body.speed' });
    expect(r.json().message).toContain('not a field of action pause (its fields: none)');
    expect((await state(app)).paused).toBe(false);
    expect((await control(app, { action: 'restore-site', site: 'nantong', agents: 3 })).json()).toMatchObject({ statusCode: 400, field: 'body.agents' });
    // a union of a number and a literal: what each branch wants, not the literal's type
    expect((await control(app, { action: 'speed', speed: 0 })).json()).toMatchObject({ statusCode: 400, field: 'body.speed', message: 'body.speed = 0: must be > 0, or must be "max"' });
  });

  it('staffing and action errors name the field', async () => {
    const { app } = await twin();
    expect((await control(app, { action: 'fly' })).json()).toMatchObject({ statusCode: 400, field: 'body.action' });
    expect((await control(app, {})).json()).toMatchObject({ statusCode: 400, field: 'body.action' });
    expect((await control(app, { action: 'staffing', group: 'flight-shanghai' })).json()).toMatchObject({ statusCode: 422, field: 'body.agents' });
    expect((await control(app, { action: 'staffing', group: 'flight-shanghai', agents: 99 })).json()).toMatchObject({ statusCode: 422, field: 'body.agents', message: expect.stringMatching(/^body\.agents: 99: group flight-shanghai has \d+ agents$/) });
    expect((await control(app, { action: 'staffing', group: 'nobody', agents: 1 })).json()).toMatchObject({ statusCode: 422, field: 'body.group' });
    expect((await control(app, { action: 'staffing', group: 'flight-shanghai', agents: 1.5 })).json()).toMatchObject({ statusCode: 400, field: 'body.agents' });
    expect((await control(app, { action: 'staffing', group: 'flight-shanghai', agents: 2 })).statusCode).toBe(200);
  });

  it('at speed max the twin runs to the end of the day and then takes no more contacts', async () => {
    const { app } = await twin({ speed: 'max' });
    for (let i = 0; i < 500 && !app.twin.finished; i++) await new Promise((r) => setTimeout(r, 10));
    const s = await state(app);
    expect(s).toMatchObject({ finished: true, dayOver: true, speed: 'max' });
    expect(s.clock).toBeGreaterThanOrEqual(SMALL.horizon);
    const r = await post(app, '/v1/contacts', { type: 'flight-zh-phone' });
    expect(r.json()).toMatchObject({ statusCode: 409, code: 'TWIN_ERR_DAY_OVER' });
    expect((await get(app, '/healthz')).json()).toMatchObject({ ok: true, finished: true });
  });
});

describe('auth, docs, records', () => {
  it('off loopback, mutating routes need the bearer token (401 otherwise); reads do not', async () => {
    const { app } = await twin({ host: '0.0.0.0', token: 'a-token-of-sixteen-chars' });
    expect(app.twinAuth).toMatchObject({ required: true, generated: false });
    const none = await post(app, '/v1/contacts', { type: 'flight-zh-phone' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ statusCode: 401, code: 'TWIN_ERR_UNAUTHORIZED', error: 'Unauthorized' });
    expect((await post(app, '/v1/control', { action: 'pause' }, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    expect((await post(app, '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }] }, { authorization: 'Basic a-token-of-sixteen-chars' })).statusCode).toBe(401);
    expect((await post(app, '/v1/contacts', { type: 'flight-zh-phone' }, { authorization: 'Bearer a-token-of-sixteen-chars' })).statusCode).toBe(202);
    expect((await get(app, '/v1/state')).statusCode).toBe(200);
    const local = await twin({ host: '127.0.0.1' });
    expect(local.app.twinAuth).toMatchObject({ required: false, generated: true });
    expect(local.app.twinAuth.token.length).toBeGreaterThanOrEqual(32);
  });

  it('/docs/json is an OpenAPI document listing every route with its schemas', async () => {
    const { app } = await twin();
    const doc = (await get(app, '/docs/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/metrics', '/v1/contacts', '/v1/contacts/{id}', '/v1/contacts:batch', '/v1/control', '/v1/events', '/v1/metrics', '/v1/state'].sort());
    expect(doc.paths['/v1/events'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['last-event-id', 'lastEventId']);
    expect(doc.paths['/v1/contacts'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('customerId');
    expect(doc.paths['/v1/contacts/{id}'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['id', 'timeout', 'wait']);
    expect(doc.paths['/v1/control'].post.requestBody.content['application/json'].schema.properties.action).toBeDefined();
  });

  it('ended contacts\' records are dropped beyond the cap (then 404); live ones are kept', async () => {
    const { app, advance } = await twin({ arrivals: 'external', maxEnded: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(app, '/v1/contacts', { type: 'hotel-zh-im' })).json().id);
    advance(7200);
    const codes = await Promise.all(ids.map(async (id) => (await get(app, `/v1/contacts/${id}`)).statusCode));
    // The two that ended last are kept.
    expect(codes.filter((c) => c === 404)).toHaveLength(3);
    expect(codes.filter((c) => c === 200)).toHaveLength(2);
  });

  it('ended contacts\' records are dropped after endedTtl wall seconds; a contact still in the system is never dropped', async () => {
    const { app, advance } = await twin({ arrivals: 'external', endedTtl: 5 });
    const done = (await post(app, '/v1/contacts', { type: 'flight-zh-phone' })).json().id;
    advance(3 * 60 * 60); // 3 simulated hours = 180 wall seconds: it ended long ago
    await control(app, { action: 'pause' });
    const waiting = (await post(app, '/v1/contacts', { type: 'hotel-zh-im' })).json().id;
    advance(60 * 60); // a wall minute more, paused: the contact stays in the system
    expect((await get(app, `/v1/contacts/${done}`)).statusCode).toBe(404);
    expect((await get(app, `/v1/contacts/${waiting}`)).json()).toMatchObject({ status: 'accepted', ended: false });
  });

  it('conservation: every contact created over HTTP ends exactly once, or is in service when the day is cut, through failures, staffing changes and the close', async () => {
    const { app, advance } = await twin();
    const ids: string[] = [];
    const types = ['flight-zh-phone', 'flight-en-phone', 'hotel-zh-im'];
    for (let step = 0; step < 40; step++) {
      const n = 1 + (step % 7);
      const r = await post(app, '/v1/contacts:batch', { contacts: Array.from({ length: n }, (_, i) => ({ type: types[(step + i) % 3] })) });
      ids.push(...r.json().contacts.map((c: { id: string }) => c.id));
      if (step === 10) await control(app, { action: 'fail-site', site: 'shanghai', inService: 'drop', waiting: 'lose' });
      if (step === 20) await control(app, { action: 'restore-site', site: 'shanghai' });
      if (step === 25) await control(app, { action: 'staffing', group: 'hotel-nantong', agents: 0 });
      advance(60);
    }
    const twinCore = app.twin;
    const clock = twinCore.run.now;
    expect(clock).toBeLessThan(twinCore.horizon);
    await app.close();
    open = open.filter((a) => a !== app);
    // Closed before its horizon: the day is cut at the clock.
    expect(twinCore.finished).toBe(true);
    expect(twinCore.run.stoppedAt).toBe(clock);
    expect(twinCore.stats.created).toBe(ids.length);
    expect(twinCore.stats.duplicateEnds).toBe(0);
    const outcomes = new Map<string, number>();
    let inService = 0;
    for (const id of ids) {
      const r = twinCore.get(id)!;
      if (r.end === null) {
        // answered, its service cut with the day
        expect(r.answered, id).toBe(true);
        expect(twinCore.status(r)).toBe('answered');
        inService++;
        continue;
      }
      outcomes.set(r.outcome!, (outcomes.get(r.outcome!) ?? 0) + 1);
      // An ended record's group and site agree: the site is that of the agent's group (a
      // virtual two-site center, so a contact landing at one site is often served at the other).
      if (r.group >= 0) expect(r.site, id).toBe(twinCore.cfg.groups[r.group].site);
    }
    const ended = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(ended + inService).toBe(ids.length);
    expect(twinCore.stats.ended).toBe(ended);
    expect(outcomes.get('completed')).toBeGreaterThan(0);
    // The clients' contacts counted apart, as the stored run keeps them.
    expect(twinCore.external.created).toBe(ids.length);
    expect(twinCore.external.outcomes).toEqual(Object.fromEntries(outcomes));
    expect(twinCore.external.answered).toBe((outcomes.get('completed') ?? 0) + (outcomes.get('dropped') ?? 0) + inService);
    // The day's result holds them: every arrival in one outcome (answered counts those in service).
    const buf = twinCore.finalResult!;
    expect(buf).not.toBeNull();
  });
});

describe('priority', () => {
  it('picks the contact type where types differ by priority (a VIP line), and names the field when it is wrong or needed', async () => {
    const vip = { ...SMALL.types[0], name: 'flight-zh-phone-vip', priority: 5 };
    const { app } = await twin({ arrivals: 'external', cfg: { ...SMALL, types: [...SMALL.types, vip], routing: { ...SMALL.routing, policy: 'priority' } } });
    const base = { product: 'flight', language: 'zh', channel: 'phone' };
    const made = await post(app, '/v1/contacts', { ...base, priority: 5 });
    expect(made.statusCode).toBe(202);
    expect((await app.inject(made.json().links.self)).json().type).toBe('flight-zh-phone-vip');
    expect((await app.inject((await post(app, '/v1/contacts', { ...base, priority: 0 })).json().links.self)).json().type).toBe('flight-zh-phone');
    const unknown = await post(app, '/v1/contacts', { ...base, priority: 7 });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'TWIN_ERR_UNKNOWN_CONTACT_TYPE', field: 'body.priority' });
    expect(unknown.json().message).toMatch(/known: 0, 5/);
    const needed = await post(app, '/v1/contacts', base);
    expect(needed.json()).toMatchObject({ code: 'TWIN_ERR_MISSING_FIELD', field: 'body.priority' });
    const mismatch = await post(app, '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }, { type: 'flight-zh-phone', priority: 5 }] });
    expect(mismatch.json()).toMatchObject({ code: 'TWIN_ERR_UNKNOWN_CONTACT_TYPE', field: 'body.contacts[1].priority' });
    const bad = await post(app, '/v1/contacts', { type: 'flight-zh-phone', priority: 'high' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('body.priority');
  });
});

describe('the request loop stays responsive', () => {
  it('a slice of engine work is bounded: no turn of the loop runs long at speed max', async () => {
    const { app } = await twin({ speed: 'max' });
    const t0 = performance.now();
    const r = await get(app, '/healthz');
    expect(r.statusCode).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1000);
    for (let i = 0; i < 500 && !app.twin.finished; i++) await new Promise((res) => setTimeout(res, 10));
    expect(app.twin.stats.turns).toBeGreaterThan(0);
  });
});
