import { afterAll, describe, expect, it } from 'vitest';
import { testTwin } from '../twin/helpers.ts';
import { compiled, fakeTarget, load, SMALL, tempDir, writeScript } from './helpers.ts';
// @ts-expect-error: plain JavaScript (the shim of k6's modules)
import { runLoad } from './shim/run.js';

/**
 * The requests the script makes are the live twin's routes: the requests recorded from a
 * run on the shim (against the fake target) are replayed on a real twin (Fastify's
 * inject, no socket), off loopback so that the bearer token is checked, and its answers
 * have the fields the script reads. A whole run against a real twin needs k6's VUs
 * (iterations that block on HTTP, many at once); `cctwin replay` covers that loop.
 */

const tmp = tempDir();
afterAll(() => tmp.done());

const TOKEN = 'k6-contract-token-0123456789';
const BASE = 'http://twin.test:8080';

describe('the script speaks the twin\'s API', () => {
  it('creates every type, polls with the twin\'s query, sends the token; the twin answers what the script reads', async () => {
    const cfg = compiled(SMALL);
    const { text } = await writeScript(tmp.dir, 'contract.js', SMALL, '--horizon', '1h');
    const { mod } = await load(text, tmp.dir, { CCTWIN_BASE_URL: BASE, CCTWIN_TOKEN: TOKEN });
    const seen: { method: string; url: string; body: string | null; headers: Record<string, string> }[] = [];
    const fake = fakeTarget({ base: BASE, threshold: cfg.threshold, groupOf: (t) => t, token: TOKEN, clock: Date.now });
    runLoad(mod, { target: (req: Parameters<typeof fake.handle>[0]) => { seen.push({ method: req.method, url: req.url, body: req.body, headers: req.params.headers ?? {} }); return fake.handle(req); } });
    expect(fake.problems).toEqual([]);
    const posts = seen.filter((r) => r.method === 'POST');
    const polls = seen.filter((r) => r.method === 'GET');
    expect(new Set(posts.map((p) => JSON.parse(p.body!).type))).toEqual(new Set(cfg.types.map((t) => t.name)));

    const { app, advance } = await testTwin({ arrivals: 'external', host: '0.0.0.0', token: TOKEN });
    try {
      const path = (url: string) => url.slice(BASE.length);
      // one creation per type, as the script sent it (its headers and body)
      const byType = new Map(posts.map((p) => [JSON.parse(p.body!).type as string, p]));
      const ids: string[] = [];
      for (const [type, p] of byType) {
        const r = await app.inject({ method: 'POST', url: path(p.url), payload: p.body!, headers: p.headers });
        expect(r.statusCode, `${type}: ${r.body}`).toBe(202);
        const b = r.json() as { id: unknown; status: unknown };
        expect(typeof b.id).toBe('string');
        expect(['ivr', 'queued', 'answered', 'blocked', 'deflected']).toContain(b.status);
        ids.push(b.id as string);
      }
      // without the token, off loopback: refused (the script's header is what makes it pass)
      const p0 = [...byType.values()][0];
      expect((await app.inject({ method: 'POST', url: path(p0.url), payload: p0.body!, headers: { 'content-type': 'application/json' } })).statusCode).toBe(401);
      advance(600);
      // the script's polls (its query and its largest timeout), on the twin's contacts
      const timeouts = polls.map((q) => Number(/[?&]timeout=(\d+)/.exec(q.url)![1]));
      expect(Math.max(...timeouts)).toBeLessThanOrEqual(300);
      const longest = polls[timeouts.indexOf(Math.max(...timeouts))];
      for (const id of ids) {
        const url = path(longest.url).replace(/\/v1\/contacts\/[^?]+/, `/v1/contacts/${encodeURIComponent(id)}`);
        expect(url).toMatch(/^\/v1\/contacts\/[^?]+\?wait=answered&timeout=\d+$/);
        const r = await app.inject({ method: 'GET', url, headers: longest.headers });
        expect(r.statusCode, r.body).toBe(200);
        const v = r.json() as Record<string, unknown>;
        expect(typeof v.ended).toBe('boolean');
        expect(typeof v.status).toBe('string');
        expect(v.wait === null || typeof v.wait === 'number').toBe(true);
        expect(v.timedOut).toBe(false);
        // what the script takes as done: ended, or answered (answered, completed, dropped)
        expect(v.ended === true || ['answered', 'completed', 'dropped'].includes(v.status as string), JSON.stringify(v)).toBe(true);
      }
      // a contact the twin no longer knows: 404, which the script counts as no outcome
      expect((await app.inject({ method: 'GET', url: '/v1/contacts/unknown-id?wait=answered&timeout=1' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
