import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, testTwin, type TestTwin } from './helpers.ts';

/**
 * Hundreds of malformed bodies to the twin's mutating routes, through app.inject():
 * every answer is a 4xx (or a 2xx for a body that happens to be valid) in the
 * Fastify error shape, naming its field with its location, never a 5xx, and the twin's
 * clock still advances after.
 */

let t: TestTwin;
beforeAll(async () => { t = await testTwin({ autoStart: false }); });
afterAll(async () => { await t.app.close(); });

const FIELDS = ['type', 'product', 'language', 'channel', 'customerId', 'priority', 'action', 'speed', 'site', 'group', 'agents', 'inService', 'waiting', 'contacts', '__proto__', 'constructor'];
const WORDS = ['flight-zh-phone', 'hotel-zh-im', 'flight', 'hotel', 'zh', 'en', 'phone', 'im', 'fax', 'pause', 'resume', 'speed', 'fail-site', 'restore-site', 'staffing', 'shanghai', 'nantong', 'flight-shanghai', 'max', 'drop', 'lose', ''];
const value = fc.oneof(
  fc.constantFrom(...WORDS), fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.constantFrom(...WORDS)), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...FIELDS), fc.constantFrom(...WORDS), { maxKeys: 3 }),
);
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ contacts: fc.array(fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 4 }), { maxLength: 5 }) }),
);
const raw = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{', '{"type":', 'null', '[]', '{"action":"speed","speed":1e999}', '\u0000', '{"type":"flight-zh-phone"}'));
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', '');

function checkAnswer(r: { statusCode: number; body: string }, what: string): void {
  expect(r.statusCode, `${what} -> ${r.body}`).toBeLessThan(500);
  if (r.statusCode >= 400) {
    const e = JSON.parse(r.body);
    expect(e, what).toMatchObject({ statusCode: r.statusCode, code: expect.any(String), error: expect.any(String), message: expect.any(String) });
    // A field is named one way whoever refused it: its location first (body.type, body.contacts[1].type), and so is the message.
    if (e.field !== undefined) {
      expect(e.field, what).toMatch(/^(body|querystring|params|headers)([.[]|$)/);
      expect(e.message.startsWith(`${e.field}: `) || e.message.startsWith(`${e.field} = `), `${what} -> ${r.body}`).toBe(true);
    }
  }
}

describe('fuzzing the mutating routes', () => {
  for (const url of ['/v1/contacts', '/v1/contacts:batch', '/v1/control']) {
    it(`${url}: generated JSON bodies get no 5xx`, async () => {
      await fc.assert(fc.asyncProperty(body, async (b) => {
        checkAnswer(await post(t.app, url, b), JSON.stringify(b));
      }), { numRuns: 250, seed: 13 });
    });

    it(`${url}: raw text and odd content types get no 5xx`, async () => {
      await fc.assert(fc.asyncProperty(raw, contentType, async (text, ct) => {
        const r = await t.app.inject({ method: 'POST', url, payload: text, headers: ct === '' ? {} : { 'content-type': ct } });
        checkAnswer(r, `${ct} ${JSON.stringify(text)}`);
      }), { numRuns: 100, seed: 17 });
    });
  }

  it('GET /v1/events with generated bad Last-Event-ID headers and queries: 400 naming the field, no 5xx, no stream left open', async () => {
    const bad = fc.string({ maxLength: 20 }).filter((v) => !/^[0-9]{1,15}$/.test(v) && !/[\r\n\u0000]/.test(v) && v.trim() === v && v !== '');
    await fc.assert(fc.asyncProperty(bad, fc.boolean(), async (v, asHeader) => {
      const r = asHeader
        ? await t.app.inject({ method: 'GET', url: '/v1/events', headers: { 'last-event-id': v } })
        : await t.app.inject({ method: 'GET', url: `/v1/events?lastEventId=${encodeURIComponent(v)}` });
      checkAnswer(r, `${asHeader ? 'header' : 'query'} ${JSON.stringify(v)}`);
      expect(r.statusCode).toBe(400);
      expect(JSON.parse(r.body).field).toBe(asHeader ? 'headers.last-event-id' : 'querystring.lastEventId');
    }), { numRuns: 100, seed: 23 });
    expect(t.app.twin.events.subscribers).toBe(0);
  });

  it('GET /v1/contacts/:id with generated ids and queries gets no 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 80 }), fc.dictionary(fc.constantFrom('wait', 'timeout', 'x'), fc.string({ maxLength: 8 }), { maxKeys: 3 }), async (id, q) => {
      const qs = new URLSearchParams({ ...q, ...(q.timeout !== undefined ? { timeout: '0' } : {}) }).toString();
      const r = await t.app.inject({ method: 'GET', url: `/v1/contacts/${encodeURIComponent(id)}${qs ? `?${qs}` : ''}` });
      checkAnswer(r, `${id} ${qs}`);
    }), { numRuns: 150, seed: 19 });
  });

  it('the twin still runs after the fuzzing', async () => {
    await post(t.app, '/v1/control', { action: 'resume' });
    await post(t.app, '/v1/control', { action: 'speed', speed: 60 });
    const before = t.app.twin.run.now;
    if (!t.app.twin.dayOver) {
      t.advance(60);
      expect(t.app.twin.run.now).toBeGreaterThan(before);
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/state' })).statusCode).toBe(200);
    expect(t.app.twin.stats.duplicateEnds).toBe(0);
  });
});
