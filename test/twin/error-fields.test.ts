import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { buildTwin, describeValidation, fieldName } from '../../twin-api/app.ts';
import { SMALL } from './helpers.ts';

/**
 * One name per field in the twin's errors: a field the schema refuses (400) and the same
 * field a handler refuses after validation (409, 413, 422) are both named with their
 * location, `body.type`, `body.contacts[1].type`, `body.site`, in `field` and at the head
 * of `message`. Over a real socket, as a client (or a k6 script) reads them.
 */

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await buildTwin({ cfg: SMALL, speed: 60, arrivals: 'external', clock: () => 0, autoStart: false });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => { await app.close(); });

async function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: { statusCode: number; code: string; message: string; field?: string } }> {
  const r = await request(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: r.statusCode, json: (await r.body.json()) as { statusCode: number; code: string; message: string; field?: string } };
}

/** The answer is an error of this status naming `field`, in `field` and as the message's head (`field: ...`, or `field = value: ...`). */
function expectField(r: Awaited<ReturnType<typeof send>>, status: number, field: string): void {
  expect(r.status, JSON.stringify(r.json)).toBe(status);
  expect(r.json.statusCode).toBe(status);
  expect(r.json.field).toBe(field);
  expect(r.json.message.startsWith(`${field}: `) || r.json.message.startsWith(`${field} = `), r.json.message).toBe(true);
}

describe('a field refused by the schema and by a handler has one name (a real socket)', () => {
  it('POST /v1/contacts: a type that is not a string (400) and a type naming no contact type (422) are both body.type', async () => {
    const schema = await send('POST', '/v1/contacts', { type: 5 });
    expectField(schema, 400, 'body.type');
    expect(schema.json.code).toBe('TWIN_ERR_VALIDATION');
    const handler = await send('POST', '/v1/contacts', { type: 'train-zh-phone' });
    expectField(handler, 422, 'body.type');
    expect(handler.json.code).toBe('TWIN_ERR_UNKNOWN_CONTACT_TYPE');
    // and a field the handler needs: the same name
    expectField(await send('POST', '/v1/contacts', {}), 422, 'body.type');
    expectField(await send('POST', '/v1/contacts', { product: 'flight', channel: 'phone' }), 422, 'body.language');
  });

  it('POST /v1/contacts:batch: an item\'s field is body.contacts[i].type from the schema and from the handler', async () => {
    expectField(await send('POST', '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }, { type: 5 }] }), 400, 'body.contacts[1].type');
    expectField(await send('POST', '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }, { type: 'nope' }] }), 422, 'body.contacts[1].type');
    expectField(await send('POST', '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }, { type: 'x', colour: 'red' }] }), 400, 'body.contacts[1].colour');
    expectField(await send('POST', '/v1/contacts:batch', { contacts: [] }), 400, 'body.contacts');
    expectField(await send('POST', '/v1/contacts:batch', { contacts: Array.from({ length: 1001 }, () => ({ type: 'hotel-zh-im' })) }), 413, 'body.contacts');
    expect(app.twin.stats.created).toBe(0);
  });

  it('POST /v1/control: site, agents and speed are body.site, body.agents, body.speed whoever refuses them', async () => {
    expectField(await send('POST', '/v1/control', { action: 'fail-site', site: 5 }), 400, 'body.site');
    expectField(await send('POST', '/v1/control', { action: 'fail-site', site: 'beijing' }), 422, 'body.site');
    expectField(await send('POST', '/v1/control', { action: 'restore-site' }), 422, 'body.site');
    const conflict = await send('POST', '/v1/control', { action: 'restore-site', site: 'shanghai' });
    expectField(conflict, 409, 'body.site');
    expect(conflict.json.code).toBe('ENGINE_ERR_STATE');
    expectField(await send('POST', '/v1/control', { action: 'staffing', group: 'flight-shanghai', agents: 1.5 }), 400, 'body.agents');
    expectField(await send('POST', '/v1/control', { action: 'staffing', group: 'flight-shanghai', agents: 99 }), 422, 'body.agents');
    expectField(await send('POST', '/v1/control', { action: 'staffing', group: 'flight-shanghai' }), 422, 'body.agents');
    expectField(await send('POST', '/v1/control', { action: 'staffing', group: 'nobody', agents: 1 }), 422, 'body.group');
    expectField(await send('POST', '/v1/control', { action: 'speed', speed: -1 }), 400, 'body.speed');
    expectField(await send('POST', '/v1/control', { action: 'speed' }), 422, 'body.speed');
    expectField(await send('POST', '/v1/control', { action: 'pause', site: 'nantong' }), 400, 'body.site');
  });

  it('queries and parameters carry their location too', async () => {
    expectField(await send('GET', '/v1/contacts/abc?wait=soon'), 400, 'querystring.wait');
    expectField(await send('GET', '/v1/contacts/not%20an%20id'), 400, 'params.id');
    // an id of the right form that names no contact: 404, the same field
    const gone = await send('GET', '/v1/contacts/abc');
    expectField(gone, 404, 'params.id');
    expect(gone.json.code).toBe('TWIN_ERR_NOT_FOUND');
    expect(gone.json.message).toMatch(/^params\.id = "abc": no contact abc/);
  });
});

describe('fieldName and describeValidation', () => {
  it('name an array item with [i], a field with a dot, after the location', () => {
    expect(fieldName('body', 'contacts', 3, 'type')).toBe('body.contacts[3].type');
    expect(fieldName('querystring', 'from')).toBe('querystring.from');
    expect(fieldName('body')).toBe('body');
    expect(describeValidation('body', [{ keyword: 'type', instancePath: '/contacts/3/type', message: 'must be string' }])).toEqual({ field: 'body.contacts[3].type', message: 'must be string', at: ['contacts', 3, 'type'] });
    // a JSON pointer's escapes are undone; a number key a body does not allow stays a name
    expect(describeValidation('headers', [{ keyword: 'pattern', instancePath: '/a~1b~0c', message: 'must match' }]).field).toBe('headers.a/b~c');
    expect(describeValidation('body', [{ keyword: 'additionalProperties', instancePath: '/contacts/0', params: { additionalProperties: '7' } }]).field).toBe('body.contacts[0].7');
  });
});
