/**
 * `npm run screenshots:dashboard`: the README's pictures of the dashboard, made the way
 * a user would see them: every library scenario run into a fresh run store with the
 * compiled CLI (two replications; the eight-week one, one; nantong-failover five),
 * `cctwin dashboard` on it,
 * headless Chromium (Debian's /usr/bin/chromium through playwright-core) at 1280 pixels
 * wide. Writes docs/img/dashboard-board.png (the scenario board) and
 * docs/img/dashboard-run-nantong-failover.png (the top of the run view of
 * nantong-failover: its tiles and the failover dip against the 95% line).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { cctwinProcess } from './cctwin-process.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'docs', 'img');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

async function cctwin(args: string[]): Promise<string> {
  const r = await cctwinProcess(args);
  if (r.code !== 0) throw new Error(`cctwin ${args.join(' ')}: exit ${r.code}\n${r.out}`);
  return r.out;
}

async function dashboard(db: string): Promise<{ proc: ChildProcess; base: string }> {
  const proc = spawn(process.execPath, ['bin/cctwin.js', 'dashboard', '--db', db, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  for (let i = 0; i < 400; i++) {
    const m = /dashboard (http:\/\/\S+?)\/\s/.exec(out);
    if (m) return { proc, base: m[1] };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`cctwin dashboard did not start: ${out}`);
}

const db = join(mkdtempSync(join(tmpdir(), 'cctwin-shots-')), 'runs.db');
const files = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort();
let failover = 0;
for (const f of files) {
  // Two replications each (the eight-week one, one); the pictured run five, for CI bands of a useful width.
  const reps = f === 'pre-festival-8-weeks.yaml' ? '1' : f === 'nantong-failover.yaml' ? '5' : '2';
  const out = await cctwin(['run', `scenarios/${f}`, '-r', reps, '--db', db]);
  const id = Number(/run (\d+) saved/.exec(out)?.[1]);
  if (f === 'nantong-failover.yaml') failover = id;
  process.stderr.write(`run ${id}: ${f}\n`);
}
mkdirSync(OUT, { recursive: true });
const { proc, base } = await dashboard(db);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${base}/#/`);
  await page.waitForSelector('body[data-ready="board"]');
  await page.screenshot({ path: join(OUT, 'dashboard-board.png') });
  await page.goto(`${base}/#/run/${failover}`);
  await page.waitForSelector('body[data-ready="run"]');
  await page.screenshot({ path: join(OUT, 'dashboard-run-nantong-failover.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1180 } });
} finally {
  await browser.close();
  proc.kill('SIGTERM');
}
for (const f of ['dashboard-board.png', 'dashboard-run-nantong-failover.png']) process.stdout.write(`docs/img/${f}: ${(statSync(join(OUT, f)).size / 1024).toFixed(0)} KiB\n`);
