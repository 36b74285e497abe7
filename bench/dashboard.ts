/**
 * `npm run bench:dashboard`: the dashboard in headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core), against the compiled server as users run
 * it. Prints a table and writes bench/dashboard-results.json.
 *
 *   first render  a seven-day run at 15-minute intervals (erlang-a-day with
 *                 --set horizon=7d: 672 points a series), served by `cctwin dashboard`:
 *                 from navigation (performance.timeOrigin) to every chart of the run
 *                 view drawn (each figure has its line path; checked from an init script
 *                 on every animation frame), in a fresh browser context each time. The
 *                 first load is cold (the server decodes the run and summarises it), the
 *                 others warm (its summary cache). Goal: under 1.5 s. Also the same for a
 *                 seven-day run of the whole center (baseline-day, 30-minute intervals,
 *                 four channels, two sites: 336 points a series, the heaviest answer).
 *   live fps      the live view against `cctwin serve scenarios/nantong-failover.yaml
 *                 --speed 600` (a simulated day in 144 s): frames counted with
 *                 requestAnimationFrame in the page over LIVE_SECONDS, per second (the
 *                 lowest second is the figure that matters), long tasks (> 50 ms) from a
 *                 PerformanceObserver. Goal: at least 30 frames per second.
 * The machine's load average is printed with the figures: they are only as good as a
 * quiet machine makes them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { table } from '../sim/src/cli/table.ts';
import { cctwinProcess } from './cctwin-process.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 20);
const VIEWPORT = { width: 1280, height: 800 };

const cctwin = cctwinProcess;

/** Starts a long-running cctwin command and waits for the address it prints. */
async function server(args: string[], pattern: RegExp): Promise<{ proc: ChildProcess; base: string }> {
  const proc = spawn(process.execPath, ['bin/cctwin.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  for (let i = 0; i < 400; i++) {
    const m = pattern.exec(out);
    if (m) return { proc, base: m[1] };
    if (proc.exitCode !== null) throw new Error(`cctwin ${args[0]} exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`cctwin ${args[0]} did not start: ${out}`);
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const closed = new Promise((r) => proc.once('close', r));
  proc.kill('SIGTERM');
  await closed;
}

/** Runs in the page from its first script: the time every chart of the view (at least `min`) has its line drawn. */
const chartsDrawn = (min: number) => `(() => {
  const check = () => {
    const figs = document.querySelectorAll('figure.chart');
    if (figs.length >= ${min} && [...figs].every((f) => f.querySelector('path.recharts-line-curve'))) { window.__chartsAt = performance.now(); return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

interface Render { ms: number; charts: number; points: number; bytes: number; fetchMs: number; consoleErrors: number }

async function firstRender(browser: Browser, url: string, minCharts: number): Promise<Render> {
  const ctx = await browser.newContext({ viewport: VIEWPORT });
  const page = await ctx.newPage();
  let consoleErrors = 0;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors++; });
  page.on('pageerror', () => { consoleErrors++; });
  await page.addInitScript(chartsDrawn(minCharts));
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => typeof (window as unknown as { __chartsAt?: number }).__chartsAt === 'number', null, { timeout: 60_000 });
  const r = await page.evaluate(() => {
    const run = performance.getEntriesByType('resource').find((e) => /\/v1\/runs\/\d+/.test(e.name)) as PerformanceResourceTiming | undefined;
    return {
      ms: (window as unknown as { __chartsAt: number }).__chartsAt,
      charts: document.querySelectorAll('figure.chart').length,
      points: Number(document.querySelector('[data-testid="chart-service-level"]')?.getAttribute('data-points') ?? 0),
      bytes: run ? run.encodedBodySize : 0,
      fetchMs: run ? run.responseEnd - run.startTime : 0,
    };
  });
  await ctx.close();
  return { ...r, consoleErrors };
}

interface Fps { seconds: number; frames: number; fps: number; minSecondFps: number; worstFrameMs: number; longTasks: number; longTaskMs: number; clockFrom: number; clockTo: number; batches: string; consoleErrors: number }

async function liveFps(browser: Browser, base: string): Promise<Fps> {
  const ctx = await browser.newContext({ viewport: VIEWPORT });
  const page = await ctx.newPage();
  let consoleErrors = 0;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors++; });
  page.on('pageerror', () => { consoleErrors++; });
  await page.goto(`${base}/#/live`);
  await page.waitForSelector('body[data-ready="live"]', { timeout: 30_000 });
  const clockFrom = Number(await page.getAttribute('[data-testid="live-clock"]', 'data-clock'));
  // A string, not a function: the bench runs under tsx, whose helpers (__name) do not exist in the page.
  const r = (await page.evaluate(countFrames(LIVE_SECONDS))) as Omit<Fps, 'clockFrom' | 'clockTo' | 'batches' | 'consoleErrors'>;
  const clockTo = Number(await page.getAttribute('[data-testid="live-clock"]', 'data-clock'));
  const batches = /\((\d+ in \d+ batches)\)/.exec((await page.textContent('[data-testid="live-status"]')) ?? '')?.[1] ?? '';
  await ctx.close();
  return { ...r, clockFrom, clockTo, batches, consoleErrors };
}

/** In the page: frames counted with requestAnimationFrame for `seconds`, per second; long tasks meanwhile. */
const countFrames = (seconds: number) => `new Promise((resolve) => {
  let longTasks = 0, longTaskMs = 0;
  const po = new PerformanceObserver((list) => { for (const e of list.getEntries()) { longTasks++; longTaskMs += e.duration; } });
  try { po.observe({ type: 'longtask', buffered: false }); } catch (e) { /* not supported: none counted */ }
  const perSecond = [];
  let frames = 0, worst = 0;
  const t0 = performance.now();
  let last = t0;
  const frame = (t) => {
    frames++;
    worst = Math.max(worst, t - last);
    last = t;
    const s = Math.floor((t - t0) / 1000);
    perSecond[s] = (perSecond[s] || 0) + 1;
    if (t - t0 < ${seconds} * 1000) { requestAnimationFrame(frame); return; }
    po.disconnect();
    const full = Array.from({ length: Math.floor((t - t0) / 1000) }, (_, i) => perSecond[i] || 0);
    resolve({ seconds: (t - t0) / 1000, frames, fps: frames / ((t - t0) / 1000), minSecondFps: Math.min(...full), worstFrameMs: worst, longTasks, longTaskMs });
  };
  requestAnimationFrame(frame);
})`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  if (!existsSync(join(ROOT, 'dist', 'dashboard', 'index.html'))) throw new Error('dist/dashboard is missing: npm run build');
  const loadBefore = loadavg()[0];
  const dir = mkdtempSync(join(tmpdir(), 'cctwin-bench-dash-'));
  const db = join(dir, 'runs.db');
  const cases = [
    { name: 'erlang-a-day 7 d, 15 min', args: ['run', 'scenarios/erlang-a-day.yaml', '--set', 'horizon=7d', '-r', '2', '--db', db] },
    { name: 'baseline-day 7 d, 30 min', args: ['run', 'scenarios/baseline-day.yaml', '--set', 'horizon=7d', '-r', '2', '--db', db] },
  ];
  const made: { name: string; id: number; seconds: number }[] = [];
  for (const c of cases) {
    const t = performance.now();
    const r = await cctwin(c.args);
    const m = /run (\d+) saved/.exec(r.out);
    if (r.code !== 0 || !m) throw new Error(`cctwin ${c.args.join(' ')}: ${r.out}`);
    made.push({ name: c.name, id: Number(m[1]), seconds: (performance.now() - t) / 1000 });
    process.stderr.write(`made run ${m[1]}: ${c.name} (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const renders: Record<string, { cold: Render; warm: Render[]; warmMedianMs: number }> = {};
  const dash = await server(['dashboard', '--db', db, '--port', '0'], /dashboard (http:\/\/\S+?)\/\s/);
  try {
    for (const c of made) {
      const url = `${dash.base}/#/run/${c.id}`;
      const cold = await firstRender(browser, url, 6);
      const warm: Render[] = [];
      for (let i = 0; i < TRIALS; i++) warm.push(await firstRender(browser, url, 6));
      renders[c.name] = { cold, warm, warmMedianMs: median(warm.map((w) => w.ms)) };
      process.stderr.write(`${c.name}: cold ${cold.ms.toFixed(0)} ms, warm median ${renders[c.name].warmMedianMs.toFixed(0)} ms\n`);
    }
  } finally {
    await stop(dash.proc);
  }
  const twin = await server(['serve', 'scenarios/nantong-failover.yaml', '--speed', '600', '--port', '0', '--db', join(dir, 'live.db')], /listening on (http:\/\/\S+)/);
  let fps: Fps;
  try {
    fps = await liveFps(browser, twin.base);
  } finally {
    await stop(twin.proc);
    await browser.close();
  }
  const loadAfter = loadavg()[0];

  const rows = Object.entries(renders).map(([name, r]) => [
    name, String(r.cold.points), `${(r.cold.bytes / 1e6).toFixed(2)} MB`, `${r.cold.fetchMs.toFixed(0)} ms`, `${r.cold.ms.toFixed(0)} ms`,
    `${r.warm[0]?.fetchMs.toFixed(0) ?? '-'} ms`, `${r.warmMedianMs.toFixed(0)} ms`, String(r.cold.charts), r.warmMedianMs < 1500 ? 'yes' : 'NO',
  ]);
  process.stdout.write(`\nFirst render of the run view, headless Chromium ${VIEWPORT.width}x${VIEWPORT.height} (navigation to every chart drawn; ${TRIALS} warm trials)\n`);
  process.stdout.write(`${table(['run', 'points', 'answer', 'fetch (cold)', 'drawn (cold)', 'fetch (warm)', 'drawn (warm median)', 'charts', '< 1.5 s'], rows)}\n`);
  process.stdout.write(`\nLive view against cctwin serve nantong-failover --speed 600, ${fps.seconds.toFixed(1)} s (simulated ${Math.round(fps.clockFrom)} s to ${Math.round(fps.clockTo)} s)\n`);
  process.stdout.write(`${table(['frames', 'fps', 'lowest second', 'worst frame', 'long tasks', 'events', '>= 30 fps'], [[
    String(fps.frames), fps.fps.toFixed(1), `${fps.minSecondFps} fps`, `${fps.worstFrameMs.toFixed(0)} ms`, `${fps.longTasks} (${fps.longTaskMs.toFixed(0)} ms)`, fps.batches, fps.minSecondFps >= 30 ? 'yes' : 'NO',
  ]])}\n`);
  process.stdout.write(`\n${cpus().length} cores, load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after; console errors: ${Object.values(renders).reduce((s, r) => s + r.cold.consoleErrors + r.warm.reduce((a, w) => a + w.consoleErrors, 0), 0) + fps.consoleErrors}\n`);
  const results = {
    date: new Date().toISOString(),
    cores: cpus().length,
    loadBefore: Number(loadBefore.toFixed(2)),
    loadAfter: Number(loadAfter.toFixed(2)),
    browser: browser.version(),
    viewport: VIEWPORT,
    runs: made,
    firstRender: Object.fromEntries(Object.entries(renders).map(([k, r]) => [k, {
      points: r.cold.points, charts: r.cold.charts, answerBytes: r.cold.bytes,
      coldMs: Math.round(r.cold.ms), coldFetchMs: Math.round(r.cold.fetchMs),
      warmMs: r.warm.map((w) => Math.round(w.ms)), warmMedianMs: Math.round(r.warmMedianMs), warmFetchMs: Math.round(median(r.warm.map((w) => w.fetchMs))),
      goalMs: 1500, met: r.warmMedianMs < 1500 && r.cold.ms < 1500,
    }])),
    live: { speed: 600, ...fps, fps: Number(fps.fps.toFixed(1)), worstFrameMs: Math.round(fps.worstFrameMs), longTaskMs: Math.round(fps.longTaskMs), goalFps: 30, met: fps.minSecondFps >= 30 },
  };
  writeFileSync(join(ROOT, 'bench', 'dashboard-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write('wrote bench/dashboard-results.json\n');
}

await main();
