/**
 * `npm run bench:twin`: the live twin under load, on loopback. The twin is the compiled
 * `cctwin serve scenarios/baseline-day.yaml --speed 60` in its own process (as users run
 * it); the load comes from this process, with autocannon (HTTP/1.1 keep-alive) and
 * undici for the long-polls. Prints a table and writes bench/twin-results.json.
 *
 *   single     POST /v1/contacts, one contact per request (types in rotation), for
 *              DURATION seconds from CONNECTIONS connections: requests per second,
 *              latency p50/p99, errors and non-2xx answers
 *   batch      POST /v1/contacts:batch with 100 contacts per request: contacts per second
 *   long-polls 2,000 contacts created, then 2,000 concurrent GET /v1/contacts/:id
 *              ?wait=ended held open at once (each on its own connection) while single
 *              creations go on: every long-poll answered (no 429, no error), the open
 *              count the twin reports, and the creations' p99 meanwhile
 *   lag        the twin's `lag` (GET /v1/state) after each phase: 0 when the engine
 *              keeps the pace
 * The machine's load average is printed with the figures: they are only as good as a
 * quiet machine makes them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { table } from '../sim/src/cli/table.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const LONG_POLLS = Number(process.env.BENCH_LONG_POLLS ?? 2000);
const SCENARIO = process.env.BENCH_SCENARIO ?? 'scenarios/baseline-day.yaml';
const TYPES = ['flight-zh-phone', 'hotel-zh-phone', 'flight-zh-im', 'flight-zh-email'];

async function startTwin(): Promise<{ proc: ChildProcess; base: string }> {
  const db = join(mkdtempSync(join(tmpdir(), 'cctwin-bench-twin-')), 'runs.db');
  const proc = spawn(process.execPath, ['bin/cctwin.js', 'serve', SCENARIO, '--speed', '60', '--port', '0', '--db', db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  for (let i = 0; i < 400; i++) {
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) return { proc, base: m[1] };
    if (proc.exitCode !== null) throw new Error(`cctwin serve exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`cctwin serve did not start: ${out}`);
}

interface Cannon { rps: number; p50: number; p99: number; errors: number; non2xx: number; total: number }

async function cannon(base: string, path: string, bodies: string[], connections: number, seconds: number): Promise<Cannon> {
  const r = await autocannon({
    url: base, connections, duration: seconds, pipelining: 1,
    requests: bodies.map((body) => ({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body })),
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r.requests.total };
}

async function state(base: string): Promise<{ lag: number; clock: number; openLongPolls: number; inSystem: number }> {
  const r = await request(`${base}/v1/state`);
  const s = (await r.body.json()) as { lag: number; clock: number; inSystem: number; twin: { openLongPolls: number } };
  return { lag: s.lag, clock: s.clock, openLongPolls: s.twin.openLongPolls, inSystem: s.inSystem };
}

async function main(): Promise<void> {
  const load0 = loadavg()[0];
  const { proc, base } = await startTwin();
  const results: Record<string, unknown> = {};
  try {
    // Warm the server's JIT before measuring.
    await cannon(base, '/v1/contacts', TYPES.map((type) => JSON.stringify({ type })), 4, 2);

    const single = await cannon(base, '/v1/contacts', TYPES.map((type) => JSON.stringify({ type })), CONNECTIONS, DURATION);
    const afterSingle = await state(base);
    const batchBody = (k: number) => JSON.stringify({ contacts: Array.from({ length: 100 }, (_, i) => ({ type: TYPES[(i + k) % TYPES.length] })) });
    const batch = await cannon(base, '/v1/contacts:batch', [0, 1, 2, 3].map(batchBody), 8, DURATION);
    const afterBatch = await state(base);

    // Long-polls: LONG_POLLS contacts, each followed by its own connection until it ends.
    const agent = new Agent({ connections: LONG_POLLS + 16, pipelining: 0, keepAliveTimeout: 60_000, headersTimeout: 120_000, bodyTimeout: 120_000 });
    const ids: string[] = [];
    for (let k = 0; ids.length < LONG_POLLS; k++) {
      const r = await request(`${base}/v1/contacts:batch`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: batchBody(k).replace(/"type":"[a-z-]+"/g, '"type":"flight-zh-email"') });
      const j = (await r.body.json()) as { contacts: { id: string }[] };
      ids.push(...j.contacts.map((c) => c.id).slice(0, LONG_POLLS - ids.length));
    }
    const t0 = performance.now();
    let answered = 0, failed = 0, timedOut = 0;
    const codes = new Map<number, number>();
    const polls = ids.map(async (id) => {
      try {
        const r = await request(`${base}/v1/contacts/${id}?wait=ended&timeout=30`, { dispatcher: agent });
        codes.set(r.statusCode, (codes.get(r.statusCode) ?? 0) + 1);
        const j = (await r.body.json()) as { timedOut?: boolean };
        if (r.statusCode === 200) { answered++; if (j.timedOut) timedOut++; } else failed++;
      } catch {
        failed++;
      }
    });
    // While they are held: how many the twin has open, and creations' latency meanwhile.
    let openPeak = 0;
    for (let i = 0; i < 100 && openPeak < LONG_POLLS; i++) {
      openPeak = Math.max(openPeak, (await state(base)).openLongPolls);
      await new Promise((r) => setTimeout(r, 50));
    }
    const during = await cannon(base, '/v1/contacts', TYPES.map((type) => JSON.stringify({ type })), CONNECTIONS, Math.min(DURATION, 5));
    await Promise.all(polls);
    const pollSeconds = (performance.now() - t0) / 1000;
    await agent.close();
    const afterPolls = await state(base);

    results.single = { ...single, connections: CONNECTIONS, seconds: DURATION, lagAfter: afterSingle.lag };
    results.batch = { ...batch, contactsPerSecond: batch.rps * 100, connections: 8, seconds: DURATION, lagAfter: afterBatch.lag };
    results.longPolls = { held: LONG_POLLS, openPeak, answered, timedOut, failed, codes: Object.fromEntries(codes), seconds: pollSeconds, creationsMeanwhile: during, lagAfter: afterPolls.lag, inSystemAfter: afterPolls.inSystem };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
  const load1 = loadavg()[0];
  const s = results.single as Cannon & { lagAfter: number };
  const b = results.batch as Cannon & { contactsPerSecond: number; lagAfter: number };
  const l = results.longPolls as { held: number; openPeak: number; answered: number; timedOut: number; failed: number; creationsMeanwhile: Cannon; lagAfter: number };
  console.log(`cctwin serve ${SCENARIO} --speed 60, loopback; ${cpus().length} cores, load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after`);
  console.log(table(['phase', 'requests/s', 'contacts/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'lag after (sim s)'], [
    [`single POST, ${CONNECTIONS} conns`, s.rps.toFixed(0), s.rps.toFixed(0), String(s.p50), String(s.p99), String(s.errors), String(s.non2xx), s.lagAfter.toFixed(1)],
    ['batch of 100, 8 conns', b.rps.toFixed(0), b.contactsPerSecond.toFixed(0), String(b.p50), String(b.p99), String(b.errors), String(b.non2xx), b.lagAfter.toFixed(1)],
    [`single POST with ${l.held} long-polls open`, l.creationsMeanwhile.rps.toFixed(0), l.creationsMeanwhile.rps.toFixed(0), String(l.creationsMeanwhile.p50), String(l.creationsMeanwhile.p99), String(l.creationsMeanwhile.errors), String(l.creationsMeanwhile.non2xx), l.lagAfter.toFixed(1)],
  ]));
  console.log(`long-polls: ${l.held} held, ${l.openPeak} open at once (peak the twin reported), ${l.answered} answered (${l.timedOut} after their 30 s timeout), ${l.failed} failed`);
  writeFileSync(join(ROOT, 'bench/twin-results.json'), `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loadBefore: load0, loadAfter: load1, scenario: SCENARIO, ...results }, null, 2)}\n`);
}

await main();
