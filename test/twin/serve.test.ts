import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../sim/src/cli.ts';
import type { CommandHooks } from '../../sim/src/cli/program.ts';
import { readServeFlags } from '../../twin-api/serve.ts';
import { SimError } from '../../sim/src/errors.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { baseApp } from '../../twin-api/app.ts';
import { registerRunRoutes } from '../../twin-api/runs.ts';

/**
 * `cctwin serve`: its flags (exit 2 naming each bad one), the entry without the twin's
 * loader, and the compiled command end to end: it prints its address, answers, and
 * SIGTERM closes it (the day finished, exit 0).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const hooks: CommandHooks = { twin: async () => (await import('../../twin-api/commands.ts')).twinCommands };

async function cli(args: string[], h: CommandHooks = hooks) {
  const out: string[] = [], err: string[] = [];
  const code = await main(['node', 'cctwin', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) }, h);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cctwin serve: flags', () => {
  it('exits 2 naming every bad flag', async () => {
    const r = await cli(['serve', 'test/fixtures/twin-small.yaml', '--speed', '0', '--port', 'x', '--arrivals', 'all', '--seed', '-1', '--token', 'short', '--host', 'no such host']);
    expect(r.code).toBe(2);
    for (const f of ['--speed', '--port', '--arrivals', '--seed', '--token', '--host']) expect(r.err).toContain(f);
    expect(r.err).not.toContain('short'); // a token is never echoed
  });

  it('reads good flags; the token may come from CCTWIN_TOKEN', () => {
    expect(readServeFlags({ speed: 'max', port: '0', host: '::1', arrivals: 'external', seed: '3' }, {})).toEqual({ speed: 'max', port: 0, host: '::1', arrivals: 'external', seed: 3, token: undefined, db: 'runs/cctwin.db' });
    expect(readServeFlags({}, { CCTWIN_TOKEN: 'an-environment-token' })).toMatchObject({ speed: 60, port: 8080, host: '127.0.0.1', arrivals: 'both', token: 'an-environment-token' });
    expect(() => readServeFlags({ speed: '1e9' }, {})).toThrow(SimError);
  });

  it('a bad scenario file, a bad run store and bad flags are reported together (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctwin-serve-flags-'));
    const notStore = join(dir, 'not-a-store.db');
    writeFileSync(notStore, 'hello');
    const r = await cli(['serve', 'test/fixtures/no-such.yaml', '--speed', '0', '--db', notStore]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--speed = "0"/);
    expect(r.err).toMatch(/--db = ".*not-a-store\.db": must be a run store/);
    expect(r.err).toMatch(/no-such\.yaml: must be a readable scenario file/);
  });

  it('cctwin dashboard: a bad port, host and run store are reported together (exit 2), not a failed listen (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctwin-dashboard-flags-'));
    const r = await cli(['dashboard', '--port', 'x', '--host', 'a b', '--db', join(dir, 'missing.db')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--port = "x"/);
    expect(r.err).toMatch(/--host = "a b": must be an IP address or a host name/);
    expect(r.err).toMatch(/--db = ".*missing\.db": must be an existing run store/);
  });

  it('a bad scenario file exits 2; an entry point without the twin says so (exit 1)', async () => {
    expect((await cli(['serve', 'test/fixtures/no-such.yaml', '--port', '0'])).code).toBe(2);
    const r = await cli(['serve', 'test/fixtures/twin-small.yaml'], {});
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not available/);
  });
});

describe('cctwin serve: the compiled command', () => {
  it('prints its address, docs and token, answers, and closes on SIGTERM', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'cctwin-serve-')), 'runs.db');
    const p = spawn(process.execPath, ['bin/cctwin.js', 'serve', 'test/fixtures/twin-small.yaml', '--port', '0', '--host', '0.0.0.0', '--speed', '600', '--db', db], { cwd: ROOT, env: { ...process.env, CCTWIN_TOKEN: '' } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((res) => p.on('exit', (c) => res(c)));
    try {
      for (let i = 0; i < 300 && !/token/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      // --host 0.0.0.0: every interface, the port, and the address on this machine.
      expect(out, err).toMatch(/listening on every interface \(--host 0\.0\.0\.0\), port \d+; on this machine http:\/\/[^\s]+:\d+/);
      expect(out).toMatch(/docs \(OpenAPI JSON\) http:\/\/[^\s]+:\d+\/docs\/json/);
      const port = Number(/:(\d+)\n/.exec(out)![1]);
      const token = /token \(generated[^)]*\): (\S+)/.exec(out)![1];
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const denied = await fetch(`${base}/v1/contacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"flight-zh-phone"}' });
      expect(denied.status).toBe(401);
      const ok = await fetch(`${base}/v1/contacts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"type":"flight-zh-phone"}' });
      expect(ok.status).toBe(202);
      p.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toMatch(/1 contacts created by clients, (1 ended|0 ended, 1 in service when the day was cut)/);
      expect(out).toMatch(/stored as run 1 in .*runs\.db \(cctwin runs show 1\)/);
      // The day is in the run store, marked live.
      const list = await cli(['runs', 'list', '--db', db]);
      expect(list.code).toBe(0);
      expect(list.out).toMatch(/1\s+run \(live\)\s+twin-small\s+done\s+1/);
      const show = await cli(['runs', 'show', '1', '--db', db]);
      expect(show.out).toMatch(/contacts from clients .*: 1 created/);
      // Served from the store: up to the cut, with the real wall time over the simulated time covered.
      const store = RunStore.openReadOnly(db);
      const app = await baseApp({ title: 'test', description: 'test' });
      try {
        registerRunRoutes(app, { store, scenarios: null });
        await app.ready();
        const run = (await app.inject('/v1/runs/1')).json();
        const cut = run.live.cutAt as number;
        expect(cut).toBeGreaterThan(0);
        expect(cut).toBeLessThan(86400);
        const last = run.intervals[run.intervals.length - 1];
        expect(last.start).toBeLessThan(cut);
        expect(run.resolution.to).toBeLessThanOrEqual(Math.ceil(cut / 1800) * 1800);
        expect(run.performance.wallSeconds).toBeGreaterThan(0);
        expect(run.performance.simulatedDays).toBeCloseTo(cut / 86400, 6);
        expect(run.performance.secondsPerSimulatedDay).toBeCloseTo(run.performance.wallSeconds / run.performance.simulatedDays, 6);
      } finally {
        await app.close();
        store.close();
      }
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL'); // a failed expectation leaves no server behind
    }
  });
});
