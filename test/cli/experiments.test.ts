import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fixtures/cli.ts';
import { RunStore } from '../../sim/src/runs/store.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));


let dir = '';
let db = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'cctwin-cli-')); db = join(dir, 'runs.db'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noPerformance = (json: string) => { const o = JSON.parse(json); delete o.performance; return o; };

describe('cctwin run --workers', () => {
  it('prints identical results with 1 and 2 workers (all but performance), and stores both runs', async () => {
    const one = await cli('run', FIXTURE, '-r', '6', '--workers', '1', '--json', '--db', db);
    const two = await cli('run', FIXTURE, '-r', '6', '--workers', '2', '--json', '--db', db);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(noPerformance(two.out)).toEqual(noPerformance(one.out));
    expect(JSON.parse(one.out).replications).toBe(6);
    expect(two.err).toMatch(/^run \d+ saved in /);
    const list = await cli('runs', 'list', '--db', db);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^id\s+kind\s+scenario\s+status\s+replications\s+created/);
    expect(list.out.match(/run\s+pool-small\s+done\s+6/g)?.length).toBe(2);
  });

  it('applies --set and --warmup, and states the replications --precision took', async () => {
    const r = await cli('run', FIXTURE, '--set', 'agents=13', '--warmup', '1h', '--precision', 'serviceLevel=3%', '--workers', '1', '--json', '--db', db);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.warmup).toBe(3600);
    expect(o.precision.met).toBe(true);
    expect(o.precision.halfWidth).toBeLessThanOrEqual(0.03);
    expect(o.replications).toBe(o.precision.replications);
    const text = await cli('run', FIXTURE, '--precision', 'serviceLevel=0.03', '--workers', '1', '--db', db);
    expect(text.out).toMatch(/precision: phone serviceLevel 95% half-width [\d.]+% <= 3\.00% after \d+ replications/);
  });

  it('reports every bad flag at once with exit 2', async () => {
    const r = await cli('run', FIXTURE, '--workers', '0', '--precision', 'speed=1', '--set', 'agents', '--warmup', 'soon', '--db', db);
    expect(r.code).toBe(2);
    for (const flag of ['--workers', '--precision', '--set', '--warmup']) expect(r.err).toContain(flag);
    expect(r.err).not.toMatch(/\n\s+at /);
    // flag and scenario problems together, in one report
    const both = await cli('run', FIXTURE, '--workers', '0', '--set', 'agents=-1', '--db', db);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--workers = "0": must be a whole number >= 1/);
    expect(both.err).toMatch(/agents = -1/);
    const store = await cli('run', FIXTURE, '--db', dir);
    expect(store.code).toBe(2);
    expect(store.err).toMatch(/--db = ".*": must be a file, not a folder/);
  });
});

describe('cctwin compare', () => {
  it('one file with --set path=vA,vB: B - A with a paired CI; more agents is a significant improvement', async () => {
    const r = await cli('compare', FIXTURE, '--set', 'agents=11,13', '-r', '8', '--workers', '2', '--json', '--db', db);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.replications).toBe(8);
    expect(Object.keys(o.kpis.serviceLevel).sort()).toEqual(['ci95', 'difference', 'meanA', 'meanB', 'significant']);
    expect(o.kpis.serviceLevel.difference).toBeCloseTo(o.kpis.serviceLevel.meanB - o.kpis.serviceLevel.meanA, 12);
    expect(o.kpis.serviceLevel.significant).toBe(true);
    expect(o.kpis.arrivals).toMatchObject({ difference: 0, ci95: 0, significant: false });
    const text = await cli('compare', FIXTURE, FIXTURE, '-r', '3', '--workers', '1', '--db', db);
    expect(text.out).toMatch(/serviceLevel\s+[\d.]+%\s+[\d.]+%\s+0\.00%\s+± 0\.00%\s+no/);
  });

  it('needs arm B edits when given one file', async () => {
    const r = await cli('compare', FIXTURE, '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--set: is required with one scenario file/);
  });
});

describe('cctwin sweep and runs', () => {
  it('prints one line per grid point and can be shown and exported', async () => {
    const r = await cli('sweep', FIXTURE, '--set', 'agents=10,12', '--set', 'handleTime.mean=55,60', '-r', '3', '--workers', '2', '--db', db);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').filter((l) => /^\d\s/.test(l));
    expect(lines.map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual(['0 10 55 3', '1 10 60 3', '2 12 55 3', '3 12 60 3']);
    const id = Number(/sweep (\d+) saved/.exec(r.out)![1]);
    const show = await cli('runs', 'show', String(id), '--json', '--db', db);
    const rec = JSON.parse(show.out);
    expect(rec).toMatchObject({ id, kind: 'sweep', status: 'done', replications: 12 });
    expect(rec.children.map((c: { kind: string }) => c.kind)).toEqual(['sweep-point', 'sweep-point', 'sweep-point', 'sweep-point']);
    const csv = await cli('runs', 'export', String(id), '--format', 'csv', '--db', db);
    const rows = csv.out.split('\n');
    expect(rows[0]).toMatch(/^run,point,assignments,arm,interval,start,end,arrivals,arrivals_ci95,/);
    expect(rows.length).toBe(1 + 4 * 8); // 4 points x 8 half-hour intervals
    const out = join(dir, 'run.json');
    expect((await cli('runs', 'export', String(id), '--format', 'json', '--out', out, '--db', db)).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).parts.length).toBe(4);
    const bad = await cli('runs', 'export', String(id), '--format', 'xml', '--db', db);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format = "xml": must be csv or json/);
    expect((await cli('sweep', '--resume', '9999', '--db', db)).code).toBe(2);
  });
});

describe('Ctrl-C', () => {
  it('stops the workers, prints a partial result, exits 130, and the store marks the run interrupted', async () => {
    const cutDb = join(dir, 'sigint.db');
    const child = spawn(process.execPath, ['bin/cctwin.js', 'run', FIXTURE, '-r', '100000', '--workers', '2', '--db', cutDb], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    // Interrupt once the run is under way: a replication is in the store.
    const started = Date.now();
    for (;;) {
      await new Promise((res) => setTimeout(res, 200));
      if (existsSync(cutDb)) {
        const store = RunStore.open(cutDb);
        const n = store.listRuns(1)[0]?.replications ?? 0;
        store.close();
        if (n > 0) break;
      }
      if (Date.now() - started > 30_000) throw new Error('the run did not start within 30 s');
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/INTERRUPTED: partial result from the \d+ replications? that finished/);
    const list = await cli('runs', 'list', '--json', '--db', cutDb);
    const [run] = JSON.parse(list.out);
    expect(run.status).toBe('interrupted');
    expect(run.replications).toBe(Number(/from the (\d+) replications?/.exec(stdout)![1]));
  });
});
