import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTwin } from '../../twin-api/app.ts';
import { compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { loadPlan } from '../../twin-api/load/plan.ts';
import { buildSchedule, expectedFrom, firstAfter } from '../../twin-api/load/replay.ts';
import type { LoadCounts, LoadSummary } from '../../twin-api/load/summary.ts';
import { summaryIssues } from '../../twin-api/load/summary.ts';
import { cli } from '../fixtures/cli.ts';

/**
 * `cctwin replay` against a REAL twin (buildTwin, listening on a loopback socket),
 * in this process: conservation of every contact sent, the twin's own count of
 * contacts created, Poisson counts near the plan, alignment (speed, clock, a paused
 * twin resumed, the day's end), bad flags and an unreachable target.
 */

const SMALL = 'test/fixtures/replay-small.yaml';
const TWIN_SMALL = 'test/fixtures/twin-small.yaml';
const dir = mkdtempSync(join(tmpdir(), 'cctwin-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const compile = (file: string): ModelConfig => compileVariant(readScenarioText(file), file, [], undefined).cfg;

/** A twin of `file` listening on a loopback port; paused at once so that a load starts near simulated 0 (replay resumes it). */
async function liveTwin(file: string, speed: number, o: { pause?: boolean } = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildTwin({ cfg: compile(file), speed, arrivals: 'external' });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  if (o.pause !== false) app.twin.pause();
  return { app, url };
}

const OUTCOMES: (keyof LoadCounts)[] = ['failed', 'dropped', 'blocked', 'deflected', 'ivrHangup', 'answered', 'abandoned', 'lost', 'unfinished', 'noOutcome'];
const conserved = (c: LoadCounts) => OUTCOMES.reduce((s, k) => s + c[k], 0);

describe('the arrival schedule', () => {
  it('per group a Poisson process at the plan rates: counts per interval within a few sigma; by channel, types by their shares', () => {
    const cfg = compile('scenarios/baseline-day.yaml');
    const plan = loadPlan(cfg, { by: 'channel', horizon: 6 * 3600 });
    const s = buildSchedule(plan, 5);
    for (let i = 1; i < s.times.length; i++) expect(s.times[i]).toBeGreaterThanOrEqual(s.times[i - 1]);
    plan.groups.forEach((g, gi) => {
      let n = 0;
      const byType = new Map<number, number>();
      for (let i = 0; i < s.times.length; i++) if (s.groups[i] === gi) { n++; byType.set(s.types[i], (byType.get(s.types[i]) ?? 0) + 1); }
      expect(Math.abs(n - g.expected)).toBeLessThan(4 * Math.sqrt(g.expected) + 1);
      // Each type's share of the channel, over the window.
      g.types.forEach((t, k) => {
        const want = g.typeShares.reduce((a, sh, i) => a + sh[k] * g.rates[i], 0) / g.rates.reduce((a, r) => a + r, 0) * n;
        expect(Math.abs((byType.get(t) ?? 0) - want)).toBeLessThan(4 * Math.sqrt(want) + 1);
      });
    });
    // The same seed draws the same arrivals; a later start skips a prefix of them.
    expect(buildSchedule(plan, 5).times).toEqual(s.times);
    const k = firstAfter(s, 3600);
    expect(s.times[k]).toBeGreaterThanOrEqual(3600);
    expect(s.times[k - 1]).toBeLessThan(3600);
    const e = expectedFrom(plan, 3600);
    plan.groups.forEach((g, gi) => expect(e[gi]).toBeCloseTo(g.expected - (g.rates[0] + g.rates[1]) * 1800, 6));
  });
});

describe('cctwin replay against a real twin', () => {
  it('every contact sent has one outcome; the twin created what the summary says; counts near the plan; a paused twin is resumed', async () => {
    const { app, url } = await liveTwin(SMALL, 1800);
    const out = join(dir, 'small.json');
    try {
      const r = await cli('replay', SMALL, '--against', url, '--speed', '1800', '--horizon', '2h', '--out', out);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/resumed as the load starts/);
      expect(r.out).toMatch(/group\s+sent\s+expected\s+offered\s+answered\s+serviceLevel\s+abandonRate\s+asa/);
      const s = JSON.parse(readFileSync(out, 'utf8')) as LoadSummary;
      expect(summaryIssues(s)).toEqual([]);
      expect(s).toMatchObject({ tool: 'cctwin replay', scenario: 'replay-small', by: 'type', speed: 1800, horizon: 7200, threshold: 20 });
      expect(s.start!).toBeLessThan(60);
      for (const c of [s.totals, ...Object.values(s.groups)]) expect(conserved(c)).toBe(c.sent);
      const created = s.totals.sent - s.totals.failed - s.totals.dropped;
      expect(app.twin.stats.created).toBe(created);
      expect(s.totals.failed + s.totals.dropped + s.totals.noOutcome).toBe(0);
      const expected = s.expected!.calls;
      expect(Math.abs(s.totals.sent - expected)).toBeLessThan(4 * Math.sqrt(expected));
      expect(s.totals.answered).toBeGreaterThan(0.8 * s.totals.sent);
      expect(s.arrivalLag!.n).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('--by channel on a two-channel center; --json prints the summary; a twin already running: the load starts at its clock, the plan before it skipped', async () => {
    const { app, url } = await liveTwin(TWIN_SMALL, 3600, { pause: false });
    const out = join(dir, 'channels.json');
    try {
      await new Promise((res) => setTimeout(res, 300)); // the twin's clock runs on: about 1,000 simulated s
      const r = await cli('replay', TWIN_SMALL, '--against', url, '--speed', '3600', '--by', 'channel', '--horizon', '2h', '--seed', '3', '--out', out, '--json');
      expect(r.code, r.err).toBe(0);
      const s = JSON.parse(r.out) as LoadSummary;
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(s);
      expect(Object.keys(s.groups)).toEqual(['phone', 'im']);
      expect(s.start!).toBeGreaterThan(500);
      expect(s.skipped!).toBeGreaterThan(0);
      expect(s.seed).toBe(3);
      for (const c of [s.totals, ...Object.values(s.groups)]) expect(conserved(c)).toBe(c.sent);
      expect(app.twin.stats.created).toBe(s.totals.sent - s.totals.failed - s.totals.dropped);
    } finally {
      await app.close();
    }
  });

  it('--concurrency: arrivals that find N contacts in flight are dropped, counted, never delayed', async () => {
    const { app, url } = await liveTwin(SMALL, 1800);
    // No agent: every contact waits (in flight) until it abandons.
    app.twin.run.setStaffing(0, 0);
    try {
      const r = await cli('replay', SMALL, '--against', url, '--speed', '1800', '--horizon', '30m', '--concurrency', '3', '--out', join(dir, 'c.json'), '--json');
      expect(r.code, r.err).toBe(0);
      const s = JSON.parse(r.out) as LoadSummary;
      expect(s.totals.dropped).toBeGreaterThan(0);
      expect(conserved(s.totals)).toBe(s.totals.sent);
      expect(app.twin.stats.created).toBe(s.totals.sent - s.totals.dropped - s.totals.failed);
      expect(r.err).toMatch(/WARNING: .* dropped/);
    } finally {
      await app.close();
    }
  });

  it("the twin's day ends before the load: the load stops cleanly (409 TWIN_ERR_DAY_OVER), the summary covers what was sent", async () => {
    // The twin serves the 4-hour fixture; the load's copy of it runs 6 hours.
    const long = join(dir, 'twin-small-6h.yaml');
    writeFileSync(long, readFileSync(TWIN_SMALL, 'utf8').replace('horizon: 4h', 'horizon: 6h'));
    const { app, url } = await liveTwin(TWIN_SMALL, 7200);
    try {
      const r = await cli('replay', long, '--against', url, '--speed', '7200', '--out', join(dir, 'day.json'), '--json');
      expect(r.code, r.err).toBe(0);
      const s = JSON.parse(r.out) as LoadSummary;
      expect(s.stopped).toMatch(/day is over/);
      expect(s.plannedHorizon).toBe(6 * 3600);
      expect(s.horizon).toBeGreaterThan(3.5 * 3600);
      expect(s.horizon).toBeLessThan(4.5 * 3600);
      expect(s.errors!['HTTP 409 TWIN_ERR_DAY_OVER']).toBeGreaterThan(0);
      expect(conserved(s.totals)).toBe(s.totals.sent);
      expect(r.err).toMatch(/STOPPED: the twin's day is over/);
    } finally {
      await app.close();
    }
  });
});

describe('cctwin replay: the bearer token', () => {
  it('a twin that needs a token: refused without it (the load stops, exit 1), served with --token or CCTWIN_TOKEN', async () => {
    const token = 'a-test-token-of-some-length';
    const app = await buildTwin({ cfg: compile(SMALL), speed: 3600, arrivals: 'external', host: '0.0.0.0', token });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const saved = process.env.CCTWIN_TOKEN;
    try {
      delete process.env.CCTWIN_TOKEN;
      const no = await cli('replay', SMALL, '--against', url, '--speed', '3600', '--horizon', '1h', '--out', join(dir, 't0.json'), '--json');
      expect(no.code).toBe(1);
      const s0 = JSON.parse(no.out) as LoadSummary;
      expect(s0.stopped).toMatch(/refused the request \(401 TWIN_ERR_UNAUTHORIZED\).*--token or CCTWIN_TOKEN/);
      expect(s0.totals.failed).toBeGreaterThan(0);
      expect(app.twin.stats.created).toBe(0);
      const yes = await cli('replay', SMALL, '--against', url, '--speed', '3600', '--horizon', '2h', '--token', token, '--out', join(dir, 't1.json'), '--json');
      expect(yes.code, yes.err).toBe(0);
      const s1 = JSON.parse(yes.out) as LoadSummary;
      expect(s1.totals.failed).toBe(0);
      expect(app.twin.stats.created).toBe(s1.totals.sent - s1.totals.dropped);
      process.env.CCTWIN_TOKEN = token;
      const env = await cli('replay', SMALL, '--against', url, '--speed', '3600', '--horizon', '3h', '--out', join(dir, 't2.json'), '--json');
      expect(env.code, env.err).toBe(0);
      expect(JSON.parse(env.out).totals.failed).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.CCTWIN_TOKEN; else process.env.CCTWIN_TOKEN = saved;
      await app.close();
    }
  });
});

describe('cctwin replay: bad input and unreachable targets', () => {
  it('bad flags: exit 2 naming every one, nothing sent', async () => {
    const r = await cli('replay', SMALL, '--against', 'ftp://x', '--speed', '0', '--horizon', 'soon', '--concurrency', '0', '--by', 'site', '--seed', '-2', '--out', SMALL);
    expect(r.code).toBe(2);
    for (const f of ['--against', '--speed', '--horizon', '--concurrency', '--by', '--seed', '--out']) expect(r.err).toContain(f);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const h = await cli('replay', SMALL, '--against', 'http://127.0.0.1:9', '--horizon', '9h', '--speed', 'max');
    expect(h.code).toBe(2);
    expect(h.err).toMatch(/--horizon[\s\S]*at most the scenario's horizon/);
    expect(h.err).toMatch(/--speed[\s\S]*max has no pace/);
  });

  it('an unreachable target: one line naming the URL, exit 1', async () => {
    const srv = createServer();
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((res) => srv.close(() => res()));
    const r = await cli('replay', SMALL, '--against', `http://127.0.0.1:${port}`, '--out', join(dir, 'never.json'));
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`cannot reach http://127.0.0.1:${port}`);
    expect(r.err).toMatch(/ECONNREFUSED/);
  });

  it("a twin at another speed (or max): exit 2 naming --speed and the twin's speed", async () => {
    const { app, url } = await liveTwin(SMALL, 600);
    try {
      const r = await cli('replay', SMALL, '--against', url, '--speed', '1800', '--out', join(dir, 'never.json'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--speed[\s\S]*runs at speed 600/);
      app.twin.setSpeed('max');
      const m = await cli('replay', SMALL, '--against', url, '--speed', '600', '--out', join(dir, 'never.json'));
      expect(m.code).toBe(2);
      expect(m.err).toMatch(/speed max/);
      expect(app.twin.stats.created).toBe(0);
    } finally {
      await app.close();
    }
  });
});
