import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { decodeResult, summarize } from '../../sim/src/metrics/summary.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { buildTwin } from '../../twin-api/app.ts';
import { LiveRunRecord } from '../../twin-api/live-store.ts';
import { cli } from '../fixtures/cli.ts';
import { post, SMALL, testTwin } from './helpers.ts';

/**
 * The twin's read side: GET /v1/metrics (the run JSON's shape, live), GET /metrics
 * (Prometheus via prom-client), GET /v1/events (server-sent events over a real socket,
 * Last-Event-ID resumption, no leak when a client leaves) and the day stored in the run
 * store when the twin closes.
 */

let open: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of open) await app.close();
  open = [];
});

async function twin(o: Parameters<typeof testTwin>[0] = {}) {
  const t = await testTwin(o);
  open.push(t.app);
  return t;
}

/** Prometheus text -> { 'name{labels}': value } (samples only). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
const sum = (m: Map<string, number>, prefix: string, filter = '') =>
  [...m].filter(([k]) => k.startsWith(prefix) && k.includes(filter)).reduce((a, [, v]) => a + v, 0);

describe('GET /v1/metrics', () => {
  it('is the run JSON of the day so far: the intervals started, counts that add up, the clients\' contacts apart', async () => {
    const { app, advance } = await twin();
    for (let i = 0; i < 5; i++) {
      await post(app, '/v1/contacts:batch', { contacts: [{ type: 'flight-zh-phone' }, { type: 'hotel-zh-im' }] });
      advance(700);
    }
    const clock = app.twin.run.now;
    const m = (await app.inject('/v1/metrics')).json();
    // The keys of `cctwin run --json`, plus live.
    const run = await cli('run', 'test/fixtures/twin-small.yaml', '-r', '1', '--json', '--db', ':memory:');
    for (const k of Object.keys(JSON.parse(run.out))) expect(m, k).toHaveProperty(k);
    expect(m.live.clock).toBe(clock);
    expect(m.live.closed).toBe(false);
    expect(m.intervals).toHaveLength(Math.floor(clock / 1800) + 1);
    expect(m.live.current).toBe(m.intervals.length - 1);
    // Counts of the intervals sum to the totals (no warm-up in a twin).
    const arrivals = m.intervals.reduce((a: number, iv: { arrivals: { mean: number } }) => a + iv.arrivals.mean, 0);
    expect(arrivals).toBe(m.totals.arrivals.mean);
    expect(m.totals.arrivals.ci95).toBeNull();
    expect(m.live.external.created).toBe(10);
    expect(m.totals.arrivals.mean).toBeGreaterThanOrEqual(10);
  });

  it('once the day has run to its end, equals the batch engine\'s replication 0 of the same model', async () => {
    const { app } = await twin({ speed: 'max', arrivals: 'internal' });
    while (app.twin.step()) { /* to the end */ }
    expect(app.twin.finished).toBe(true);
    const m = (await app.inject('/v1/metrics')).json();
    expect(m.live.closed).toBe(true);
    expect(m.live.cutAt).toBeNull();
    const r = new Replication(app.twin.cfg, 0, null);
    const batch = summarize(app.twin.cfg, [decodeResult(r.run(), app.twin.cfg)], 0);
    expect(m.totals).toEqual(JSON.parse(JSON.stringify(batch.totals)));
    expect(m.byType).toEqual(JSON.parse(JSON.stringify(batch.byType)));
    expect(m.intervals).toHaveLength(batch.intervals.length);
  });
});

describe('GET /metrics (Prometheus)', () => {
  it('exposes queues, agents, sites and counters that agree with /v1/metrics, and the clients\' waits', async () => {
    const { app, advance } = await twin();
    await post(app, '/v1/contacts:batch', { contacts: Array.from({ length: 30 }, (_, i) => ({ type: i % 2 ? 'flight-en-phone' : 'flight-zh-phone' })) });
    advance(900);
    await app.inject({ method: 'POST', url: '/v1/control', payload: { action: 'pause' } });
    const r = await app.inject('/metrics');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toMatch(/# TYPE cctwin_contacts_total counter/);
    expect(r.body).toMatch(/# TYPE cctwin_wait_seconds histogram/);
    const s = samples(r.body);
    const m = (await app.inject('/v1/metrics')).json();
    expect(sum(s, 'cctwin_arrivals_total{')).toBe(m.totals.arrivals.mean);
    expect(sum(s, 'cctwin_contacts_total{', 'outcome="answered"')).toBe(m.totals.answered.mean);
    expect(sum(s, 'cctwin_contacts_total{', 'outcome="abandoned"')).toBe(m.totals.abandoned.mean);
    expect(sum(s, 'cctwin_contacts_total{', 'site="nantong"')).toBeGreaterThan(0);
    // One sample per (type, site) of each queue gauge; agents per group and state.
    expect([...s.keys()].filter((k) => k.startsWith('cctwin_queue_waiting{'))).toHaveLength(SMALL.types.length * SMALL.sites.length);
    expect(s.get('cctwin_agents{group="flight-shanghai",site="shanghai",state="on_duty"}')).toBe(4);
    expect(s.get('cctwin_site_up{site="nantong"}')).toBe(1);
    expect(s.get('cctwin_paused')).toBe(1);
    expect(s.get('cctwin_clock_seconds')).toBe(app.twin.run.now);
    // The histogram counts the clients' contacts answered, each once.
    expect(sum(s, 'cctwin_wait_seconds_count{')).toBe(app.twin.external.answered);
    expect(app.twin.external.answered).toBeGreaterThan(0);
    // Counters only grow: a second scrape after more work.
    await app.inject({ method: 'POST', url: '/v1/control', payload: { action: 'resume' } });
    advance(900);
    const s2 = samples((await app.inject('/metrics')).body);
    for (const [k, v] of s) if (k.startsWith('cctwin_contacts_total{')) expect(s2.get(k)!, k).toBeGreaterThanOrEqual(v);
    await app.inject({ method: 'POST', url: '/v1/control', payload: { action: 'fail-site', site: 'nantong' } });
    expect(samples((await app.inject('/metrics')).body).get('cctwin_site_up{site="nantong"}')).toBe(0);
  });
});

/** Reads server-sent events from a real socket until `until` says stop. */
async function readEvents(url: string, headers: Record<string, string>, until: (evs: { id: number; event: string; data: any }[]) => boolean, timeoutMs = 5000) {
  const ac = new AbortController();
  const res = await request(url, { headers, signal: ac.signal });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
  const evs: { id: number; event: string; data: any }[] = [];
  let buf = '';
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    for await (const chunk of res.body) {
      buf += chunk.toString();
      let at: number;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const f: Record<string, string> = {};
        for (const line of frame.split('\n')) {
          const i = line.indexOf(': ');
          if (i > 0 && !line.startsWith(':')) f[line.slice(0, i)] = line.slice(i + 2);
        }
        if (f.event) evs.push({ id: Number(f.id ?? -1), event: f.event, data: JSON.parse(f.data) });
      }
      if (until(evs)) break;
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return evs;
}

describe('GET /v1/events (server-sent events, a real socket)', () => {
  it('streams contact, interval, control and site events; Last-Event-ID resumes; a client that leaves leaks nothing', async () => {
    const wall = { ms: 0 };
    const app = await buildTwin({ cfg: SMALL, speed: 60, clock: () => wall.ms, autoStart: false });
    open.push(app);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const advance = (sim: number) => { wall.ms += (sim / 60) * 1000; while (app.twin.step()) { /* catch up */ } };
    // A first client: reads until it has seen an interval close.
    const first = readEvents(`${base}/v1/events`, {}, (evs) => evs.some((e) => e.event === 'interval'));
    await new Promise((r) => setTimeout(r, 100));
    await request(`${base}/v1/contacts:batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contacts: [{ type: 'flight-zh-phone' }, { type: 'hotel-zh-im' }] }) });
    await request(`${base}/v1/control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'speed', speed: 60 }) });
    advance(1900);
    const evs = await first;
    expect(evs.map((e) => e.event)).toContain('control');
    const interval = evs.find((e) => e.event === 'interval')!;
    expect(interval.data).toMatchObject({ index: 0, start: 0, end: 1800 });
    expect(interval.data.byChannel.phone.offered).toBeGreaterThan(0);
    expect(evs.map((e) => e.id)).toEqual([...evs.map((e) => e.id)].sort((a, b) => a - b));
    // Client gone: no subscriber left (wait for the socket close to reach the server).
    for (let i = 0; i < 50 && app.twin.events.subscribers > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(app.twin.events.subscribers).toBe(0);
    // More happens while nobody listens; a client resuming after the last id it saw gets exactly what it missed.
    const lastSeen = evs[evs.length - 1].id;
    await request(`${base}/v1/control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'fail-site', site: 'nantong' }) });
    advance(1800);
    const missed = app.twin.events.since(lastSeen).events.map((e) => e.id);
    expect(missed.length).toBeGreaterThan(0);
    const resumed = await readEvents(`${base}/v1/events`, { 'last-event-id': String(lastSeen) }, (es) => es.length >= missed.length);
    expect(resumed.map((e) => e.id)).toEqual(missed);
    const site = resumed.find((e) => e.event === 'site')!;
    expect(site.data).toMatchObject({ site: 'nantong', up: false, cause: 'control' });
    // A bad Last-Event-ID is a 400 naming the header.
    const bad = await request(`${base}/v1/events`, { headers: { 'last-event-id': 'abc' } });
    expect(bad.statusCode).toBe(400);
    expect(((await bad.body.json()) as { message: string }).message).toMatch(/headers\.last-event-id/);
    for (let i = 0; i < 50 && app.twin.events.subscribers > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(app.twin.events.subscribers).toBe(0);
  });

  it('a long-poll whose client disconnects frees its slot', async () => {
    const wall = { ms: 0 };
    const app = await buildTwin({ cfg: SMALL, speed: 60, clock: () => wall.ms, autoStart: false, arrivals: 'external' });
    open.push(app);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    // Nobody on duty in the IM group: the contact waits.
    await app.inject({ method: 'POST', url: '/v1/control', payload: { action: 'staffing', group: 'hotel-nantong', agents: 0 } });
    const c = await (await request(`${base}/v1/contacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"hotel-zh-im"}' })).body.json() as { id: string };
    const polls = Array.from({ length: 20 }, () => {
      const ac = new AbortController();
      const p = request(`${base}/v1/contacts/${c.id}?wait=answered&timeout=60`, { signal: ac.signal }).catch(() => null);
      return { ac, p };
    });
    for (let i = 0; i < 100 && app.twin.openWaiters < 20; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.twin.openWaiters).toBe(20);
    for (const { ac } of polls) ac.abort();
    await Promise.all(polls.map((x) => x.p));
    for (let i = 0; i < 100 && app.twin.openWaiters > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.twin.openWaiters).toBe(0);
    expect(app.twin.get(c.id)!.waiters).toBeNull();
  });
});

describe('the day in the run store', () => {
  it('stores the closed day as a live run: one replication, the run JSON with the clients\' contacts apart; runs list marks it', async () => {
    const store = RunStore.open(':memory:');
    const { app, advance } = await twin();
    const record = LiveRunRecord.create(store, app.twin, { text: 'name: twin-small', options: { speed: 60, arrivals: 'both' } });
    expect(store.getRun(record.runId)!.status).toBe('running');
    app.twin.onDayEnd(() => record.finish('test'));
    await post(app, '/v1/contacts:batch', { contacts: Array.from({ length: 12 }, () => ({ type: 'flight-zh-phone' })) });
    advance(3000);
    const clock = app.twin.run.now;
    await app.close();
    open = open.filter((a) => a !== app);
    const run = store.getRun(record.runId)!;
    expect(run.status).toBe('done');
    expect(run.options.live).toBe(true);
    expect(run.replications).toBe(1);
    expect(run.note).toMatch(/cut at simulated 00:50:00 \(test\); 12 contacts from clients/);
    const res = run.result as any;
    expect(res.live.cutAt).toBe(clock);
    expect(res.live.external.created).toBe(12);
    const x = res.live.external;
    expect(Object.values(x.outcomes as Record<string, number>).reduce((a, b) => a + b, 0) + x.open).toBe(12);
    // Every arrival in one outcome (the answered include those whose service was cut).
    const t = res.totals;
    expect(t.arrivals.mean).toBe(t.blocked.mean + t.deflected.mean + t.ivrHangup.mean + t.answered.mean + t.abandoned.mean + t.lost.mean + t.unfinished.mean);
    expect(store.intervals(record.runId).filter((r) => r.kpi === 'arrivals')).toHaveLength(2);
    store.close();
  });
});
