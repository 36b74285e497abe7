import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { loadScenario } from '../../sim/src/config/load.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { buildTwin } from '../../twin-api/app.ts';
import { buildStoreApp } from '../../twin-api/dashboard-command.ts';
import { cli } from '../fixtures/cli.ts';

/**
 * The dashboard in a real browser: Debian's chromium (/usr/bin/chromium, headless,
 * driven by playwright-core; never a downloaded browser) against a twin on a free
 * loopback port that serves the built dashboard (dist/dashboard/, built by the global
 * setup) and a run store made by the CLI in this process. Every page fails its test on
 * a console error or an uncaught exception, except the network errors a bad-data test
 * provokes on purpose. Screenshots go to test-artifacts/dashboard/ (git-ignored).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCENARIOS = join(ROOT, 'scenarios');
const SHOTS = join(ROOT, 'test-artifacts', 'dashboard');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Formatted as the dashboard shows them, computed here independently. */
const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)}%`;
const pp = (x: number) => `± ${(x * 100).toFixed(1)} pp`;
const sec = (x: number) => `${x.toFixed(1)} s`;

let db: string;
let store: RunStore;
let app: FastifyInstance;
let base: string;
let browser: Browser;
/** runs of the store: the failover day, a compare, the baseline day, a run that stored nothing */
const ids = { failover: 0, compare: 0, baseline: 0, empty: 0 };
let failoverJson: any;

async function cliOk(...args: string[]): Promise<number> {
  const r = await cli(...args, '--db', db);
  expect(r.code, r.err).toBe(0);
  const m = /(?:run|compare) (\d+) saved/.exec(r.out + r.err);
  expect(m, r.out).not.toBeNull();
  return Number(m![1]);
}

interface Watched { page: Page; errors: string[] }

/** A fresh 1280x800 page whose console errors and uncaught exceptions are collected; network errors matching `allow` are expected. */
async function open(allow: RegExp | null = null, viewport = { width: 1280, height: 800 }): Promise<Watched> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error') return;
    if (allow && allow.test(m.text())) return;
    errors.push(`console: ${m.text()} at ${m.location().url}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors };
}

async function done(w: Watched, shot?: string): Promise<void> {
  if (shot) await w.page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  await w.page.close();
  expect(w.errors).toEqual([]);
}

const ready = (page: Page, view: string) => page.waitForSelector(`body[data-ready="${view}"]`, { timeout: 20_000 });
const text = async (page: Page, sel: string) => ((await page.textContent(sel)) ?? '').replace(/\s+/g, ' ').trim();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests drive Debian's chromium (apt-get install chromium; .ci/run does it)`);
  mkdirSync(SHOTS, { recursive: true });
  db = join(mkdtempSync(join(tmpdir(), 'cctwin-dash-')), 'runs.db');
  ids.failover = await cliOk('run', 'scenarios/nantong-failover.yaml', '-r', '3');
  ids.compare = await cliOk('compare', 'scenarios/baseline-day.yaml', 'scenarios/nantong-failover.yaml', '-r', '2');
  ids.baseline = await cliOk('run', 'scenarios/baseline-day.yaml', '-r', '2');
  store = RunStore.open(db);
  // A run that stored no replication (killed before its first one): it has nothing to chart.
  const cfg = loadScenario(join(SCENARIOS, 'nantong-failover.yaml'));
  ids.empty = store.createRun({ kind: 'run', name: 'Killed early', codeVersion: 'test', scenario: 'name: Killed early', options: {}, arms: [{ label: 'A', config: cfg }] });
  store.finishRun(ids.empty, 'failed', null, [], 'killed before its first replication');
  // The twin's clock starts in the live test (autoStart false), so that it is at 00:00 there.
  app = await buildTwin({ cfg, speed: 600, runStore: store, scenarios: SCENARIOS, autoStart: false });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  failoverJson = (await app.inject(`/v1/runs/${ids.failover}`)).json();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  store?.close();
});

describe('the dashboard in chromium', () => {
  it('the scenario board: every scenario with its latest run, its numbers with units and a badge per SLA target', async () => {
    const w = await open();
    const { page } = w;
    await page.goto(`${base}/#/`);
    await ready(page, 'board');
    const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));
    expect(await page.locator('[data-testid^="scenario-"][data-testid$=".yaml"]').count()).toBe(files.length);
    const card = page.locator('[data-testid="scenario-nantong-failover.yaml"]');
    expect(await card.getAttribute('data-run')).toBe(String(ids.failover));
    const phone = failoverJson.byChannel.phone;
    expect(await text(page, '[data-testid="scenario-nantong-failover.yaml"] [data-testid="board-serviceLevel"] dd')).toBe(pct(phone.serviceLevel.mean));
    expect(await text(page, '[data-testid="scenario-nantong-failover.yaml"] [data-testid="board-abandonRate"] dd')).toBe(pct(phone.abandonRate.mean));
    expect(await text(page, '[data-testid="scenario-nantong-failover.yaml"] [data-testid="board-aht"] dd')).toBe(sec(phone.aht.mean));
    expect(await text(page, '[data-testid="scenario-nantong-failover.yaml"] [data-testid="board-occupancy"] dd')).toBe(pct(failoverJson.totals.occupancy.mean));
    const sla = failoverJson.sla as { met: boolean }[];
    expect(await card.locator('.sla-badges .badge-fail').count()).toBe(sla.filter((s) => s.met === false).length);
    expect(await card.locator('.sla-badges .badge-pass').count()).toBe(sla.filter((s) => s.met === true).length);
    // A scenario never run says how to run it; the recent runs list every run, newest first.
    expect(await text(page, '[data-testid="scenario-typhoon.yaml"]')).toContain('cctwin run scenarios/typhoon.yaml');
    const rows = await page.locator('[data-testid="recent-runs"] tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-run'))));
    expect(rows).toEqual([ids.empty, ids.baseline, ids.compare, ids.failover]);
    await done(w, 'board');
  });

  it('board -> run: the tiles equal the run JSON; the charts are drawn with the 95% line, the failover window and the missed intervals', async () => {
    const w = await open();
    const { page } = w;
    await page.goto(`${base}/#/`);
    await ready(page, 'board');
    await page.click('[data-testid="scenario-nantong-failover.yaml"]');
    await ready(page, 'run');
    expect(new URL(page.url()).hash).toBe(`#/run/${ids.failover}`);
    const phone = failoverJson.byChannel.phone;
    const tile = '[data-testid="tile-phone-serviceLevel"]';
    expect(await text(page, `${tile} [data-role="value"]`)).toBe(pct(phone.serviceLevel.mean));
    expect(await text(page, `${tile} .tile-ci`)).toBe(`${pp(phone.serviceLevel.ci95)} (95% CI)`);
    expect(await text(page, `${tile} .tile-target`)).toBe('target ≥ 95.0% ✗ fail');
    expect(await text(page, '[data-testid="tile-phone-aht"] [data-role="value"]')).toBe(sec(phone.aht.mean));
    expect(await text(page, '[data-testid="tile-phone-aht"] .tile-target')).toBe('target ≤ 180.0 s ✓ pass');
    expect(await text(page, '[data-testid="tile-center-occupancy"] [data-role="value"]')).toBe(pct(failoverJson.totals.occupancy.mean));
    // The service-level chart: a point per interval, phone and IM lines and bands, the target, Nantong's window, the misses.
    const chart = page.locator('[data-testid="chart-service-level"]');
    expect(await chart.getAttribute('data-points')).toBe(String(failoverJson.intervals.length));
    expect(await chart.locator('path.recharts-line-curve').count()).toBe(2);
    expect(await chart.locator('.recharts-area-area').count()).toBe(2);
    expect(await chart.locator('.recharts-reference-line').count()).toBeGreaterThanOrEqual(1);
    expect(await chart.locator('text', { hasText: 'nantong down' }).count()).toBe(1);
    expect(await chart.locator('.miss-area').count()).toBe(1); // 10:00-13:00, six intervals merged
    expect(await text(page, '[data-testid="chart-service-level"] .chart-note')).toContain('nantong down 10:00–12:00');
    // Nantong's agents drop to 0 while it is down: the per-site chart has its line; the numbers are the JSON's.
    expect(failoverJson.agents.bySite.nantong.staffed[21].mean).toBe(0);
    expect(await page.locator('[data-testid="chart-sites"] path.recharts-line-curve').count()).toBe(2);
    expect(await page.locator('[data-testid="chart-agents"] path.recharts-line-curve').count()).toBe(3);
    // The misses listed: the service level's one range, as merged from missedIntervals.
    const first = page.locator('[data-testid="miss-row"]').first();
    expect(await first.getAttribute('data-start')).toBe(String(Math.min(...failoverJson.sla[0].missedIntervals)));
    const missed = failoverJson.sla[0].missedIntervals as number[];
    const worst = Math.min(...failoverJson.intervals.filter((iv: { start: number }) => missed.includes(iv.start)).map((iv: any) => iv.byChannel.phone.serviceLevel.mean));
    expect(await first.locator('td').allInnerTexts()).toEqual(['service level (20 s), phone', '10:00–13:00', String(missed.length), pct(worst), '≥ 95.0%']);
    // The channel picker redraws the volume chart for IM.
    await page.selectOption('[data-testid="channel-select"]', 'im');
    await page.waitForSelector('[data-testid="chart-volume"] .panel-title:has-text("im")');
    await done(w, 'run-nantong-failover');
  });

  it('-> compare: a compare run\'s overlays and paired differences; two runs picked on the board', async () => {
    const w = await open();
    const { page } = w;
    await page.goto(`${base}/#/`);
    await ready(page, 'board');
    await page.click(`[data-testid="recent-runs"] tr[data-run="${ids.compare}"] a`);
    await ready(page, 'compare');
    expect(new URL(page.url()).hash).toBe(`#/compare/${ids.compare}`);
    const c = (await app.inject(`/v1/runs/${ids.compare}`)).json();
    const d = c.comparisons[0].byChannel.phone.serviceLevel;
    const row = '[data-testid="diff-phone-serviceLevel"]';
    expect(await text(page, `${row} [data-role="difference"]`)).toBe(`${d.difference < 0 ? '−' : '+'}${Math.abs(d.difference * 100).toFixed(1)} pp`);
    expect(await text(page, `${row} [data-role="ci"]`)).toBe(pp(d.ciAdjusted ?? d.ci95));
    expect(await text(page, row)).toContain(d.significant ? 'yes' : 'no');
    expect(await page.locator('[data-testid="overlay-phone-serviceLevel"] path.recharts-line-curve').count()).toBe(2);
    expect(await text(page, '[data-testid="arm-A"]')).toContain('A: Baseline day');
    // Two plain runs ticked on the board: the overlay and B - A without a paired CI.
    await page.goto(`${base}/#/`);
    await ready(page, 'board');
    await page.check(`[data-testid="recent-runs"] tr[data-run="${ids.baseline}"] input[type=checkbox]`);
    await page.check(`[data-testid="recent-runs"] tr[data-run="${ids.failover}"] input[type=checkbox]`);
    await page.click('[data-testid="compare-picked"]');
    await ready(page, 'compare');
    expect(new URL(page.url()).hash).toBe(`#/compare/${ids.baseline}/${ids.failover}`);
    expect(await page.locator('[data-testid="overlay-phone-serviceLevel"] path.recharts-line-curve').count()).toBe(2);
    expect(await text(page, `${row} [data-role="ci"]`)).toBe('—');
    await done(w, 'compare');
  });

  it('the live view: the clock runs, the day\'s charts grow, a site failed from the UI goes down and its agents drop to 0, then comes back; pause and resume', async () => {
    app.twin.start();
    const w = await open();
    const { page } = w;
    // The address cctwin serve prints opens the live view.
    await page.goto(`${base}/`);
    await ready(page, 'live');
    expect(new URL(page.url()).hash).toBe('#/live');
    const clockAt = async () => Number(await page.getAttribute('[data-testid="live-clock"]', 'data-clock'));
    const t0 = await clockAt();
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="live-clock"]')?.getAttribute('data-clock')) > t + 600, t0);
    await page.waitForSelector('[data-testid="site-nantong"][data-up="true"]');
    const before = Number(await page.getAttribute('[data-testid="site-nantong"]', 'data-agents'));
    expect(before).toBeGreaterThan(0);
    await page.click('[data-testid="fail-nantong"]');
    await page.waitForSelector('[data-testid="site-nantong"][data-up="false"]');
    await page.waitForSelector('[data-testid="site-nantong"][data-agents="0"]');
    await page.waitForSelector('[data-testid="live-log"] li:has-text("nantong down (control)")');
    expect(await page.locator('[data-testid="live-chart-sites"] text', { hasText: 'nantong down' }).count()).toBe(1);
    expect(await page.locator('[data-testid="live-chart-sites"] path.recharts-line-curve').count()).toBe(2);
    // The day's interval charts grow as intervals close (30 min = 3 wall seconds at 600x).
    const points = async () => Number(await page.getAttribute('[data-testid="chart-service-level"]', 'data-points'));
    const p0 = await points();
    await page.waitForFunction((p) => Number(document.querySelector('[data-testid="chart-service-level"]')?.getAttribute('data-points')) > p, p0, { timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'live-nantong-down.png'), fullPage: true });
    await page.click('[data-testid="restore-nantong"]');
    await page.waitForSelector('[data-testid="site-nantong"][data-up="true"]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="site-nantong"]')?.getAttribute('data-agents')) > 0);
    await page.click('[data-testid="pause"]');
    await page.waitForSelector('[data-testid="live-status"]:has-text("paused")');
    const c1 = await clockAt();
    await page.waitForTimeout(800);
    expect(await clockAt()).toBe(c1);
    await page.click('[data-testid="pause"]');
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="live-clock"]')?.getAttribute('data-clock')) > t, c1);
    // Events arrive in batches: never more renders than flushes.
    const stats = await text(page, '[data-testid="live-status"]');
    expect(stats).toMatch(/events: open \(\d+ in \d+ batches\)/);
    await done(w, 'live');
  });

  it('a twin off loopback: a control answered 401 asks for the token, a wrong one is asked again, the right one is kept for the tab', async () => {
    const token = 'dashboard-e2e-token-0123456789';
    const guarded = await buildTwin({ cfg: loadScenario(join(ROOT, 'test', 'fixtures', 'twin-small.yaml')), speed: 60, host: '0.0.0.0', token });
    const at = await guarded.listen({ port: 0, host: '127.0.0.1' }); // the twin believes it is reachable off loopback
    const w = await open(/Failed to load resource: the server responded with a status of 401/);
    const { page } = w;
    try {
      await page.goto(`${at}/#/live`);
      await ready(page, 'live');
      await page.click('[data-testid="pause"]');
      await page.waitForSelector('[data-testid="token-form"]');
      await page.fill('[data-testid="token-form"] input', 'not-the-token-at-all');
      await page.click('[data-testid="token-form"] button');
      await page.waitForSelector('[data-testid="token-form"]'); // still asked
      expect(guarded.twin.paused).toBe(false);
      await page.fill('[data-testid="token-form"] input', token);
      await page.click('[data-testid="token-form"] button');
      await page.waitForSelector('[data-testid="live-status"]:has-text("paused")');
      expect(guarded.twin.paused).toBe(true);
      expect(await page.locator('[data-testid="token-form"]').count()).toBe(0);
      // Kept for the tab: the next control goes through without asking.
      await page.click('[data-testid="pause"]');
      await page.waitForSelector('[data-testid="live-status"]:has-text("running")');
      expect(await page.evaluate(() => sessionStorage.getItem('cctwin.token'))).toBe(token);
      await page.close();
    } finally {
      await guarded.close();
    }
    expect(w.errors).toEqual([]);
  });

  it('bad data: a run with no intervals, a run that stored nothing, an unknown run id and a 500 each show their state', async () => {
    const w = await open(/Failed to load resource: the server responded with a status of (404|500)/);
    const { page } = w;
    // No intervals: the tiles and an empty state instead of the charts.
    await page.route(`**/v1/runs/${ids.failover}?*`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      await route.fulfill({ response: res, json: { ...body, intervals: [], agents: { staffed: [], busy: [], bySite: {} }, requirement: { phoneAgents: [], basis: '' } } });
    });
    await page.goto(`${base}/#/run/${ids.failover}`);
    await page.waitForSelector('[data-testid="no-intervals"]');
    expect(await text(page, '[data-testid="tile-phone-serviceLevel"] [data-role="value"]')).toBe(pct(failoverJson.byChannel.phone.serviceLevel.mean));
    await page.unrouteAll();
    await page.screenshot({ path: join(SHOTS, 'bad-no-intervals.png') });
    await page.goto(`${base}/#/run/${ids.empty}`);
    await page.waitForSelector('[data-testid="no-data"]');
    await page.goto(`${base}/#/run/424242`);
    await page.waitForSelector('[data-testid="unknown-run"]');
    expect(await text(page, '[data-testid="unknown-run"]')).toContain('no run 424242');
    await page.goto(`${base}/#/compare/424242`);
    await page.waitForSelector('[data-testid="unknown-run"]');
    await page.goto(`${base}/#/nowhere`);
    await page.waitForSelector('[data-testid="unknown-route"]');
    // A server error: the error state with its code and a retry that works once the server does.
    await page.route('**/v1/scenarios', (route) => route.fulfill({ status: 500, json: { statusCode: 500, code: 'TWIN_ERR_INTERNAL', error: 'Internal Server Error', message: 'the twin failed unexpectedly' } }));
    await page.goto(`${base}/#/`);
    await page.waitForSelector('[data-state="error"][data-code="TWIN_ERR_INTERNAL"]');
    await page.screenshot({ path: join(SHOTS, 'bad-500.png') });
    await page.unrouteAll();
    await page.click('[data-state="error"] button');
    await ready(page, 'board');
    await done(w);
  });

  it('cctwin dashboard (the run store alone): no live view; a server that stops shows the error state, not a blank page', async () => {
    const solo = await buildStoreApp({ store, scenarios: SCENARIOS });
    const at = await solo.listen({ port: 0, host: '127.0.0.1' });
    const w = await open(/Failed to load resource: net::ERR_CONNECTION_REFUSED/);
    const { page } = w;
    try {
      await page.goto(`${at}/`); // no twin: the board
      await ready(page, 'board');
      expect(await page.locator('[data-testid="nav-live"]').count()).toBe(0);
      await page.goto(`${at}/#/live`);
      await page.waitForSelector('[data-testid="no-twin"]');
    } finally {
      await solo.close();
    }
    await page.evaluate((id) => { window.location.hash = `#/run/${id}`; }, ids.failover);
    await page.waitForSelector('[data-state="error"][data-status="0"]');
    expect(await text(page, '[data-state="error"]')).toContain('did not answer');
    await done(w, 'bad-server-stopped');
  });
});
