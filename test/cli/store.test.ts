import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { cli } from '../fixtures/cli.ts';
import { RunStore } from '../../sim/src/runs/store.ts';

/**
 * The run store seen from real processes: the runs commands read a store read-only and
 * never change another file given as --db; a run stopped by SIGTERM or SIGHUP is
 * reported and stored like one stopped by Ctrl-C; a run killed by SIGKILL is found
 * interrupted when the store is next opened.
 */

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));


let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'cctwin-store-cli-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (f: string) => readFileSync(f).toString('base64');

function refusedOnDb(r: { code: number; err: string }, db: string, message: string): void {
  expect(r.code, r.err).toBe(2);
  expect(r.err).toContain(`--db = "${db}": ${message}`);
  expect(r.err).not.toMatch(/\n\s+at |SqliteError|SQLITE_|file is not a database|unable to open/);
}

describe('runs list, show and export: read-only, coded errors on a bad --db', () => {
  it('never change another program\'s SQLite file (rollback or WAL journal), nor run into it', async () => {
    for (const wal of [false, true]) {
      const sub = join(dir, wal ? 'foreign-wal' : 'foreign');
      mkdirSync(sub);
      const db = join(sub, 'app.db');
      const o = new Database(db);
      if (wal) o.pragma('journal_mode = WAL');
      o.exec("CREATE TABLE runs (id INTEGER, name TEXT); INSERT INTO runs VALUES (1, 'theirs')");
      o.close();
      const before = bytes(db);
      const message = "must be a cctwin run store (this is another program's SQLite database; cctwin leaves it as it is)";
      refusedOnDb(await cli('runs', 'list', '--db', db), db, message);
      refusedOnDb(await cli('runs', 'show', '1', '--db', db), db, message);
      refusedOnDb(await cli('runs', 'export', '1', '--format', 'csv', '--db', db), db, message);
      refusedOnDb(await cli('run', FIXTURE, '--workers', '1', '--db', db), db, message);
      expect(bytes(db)).toBe(before);
      expect(readdirSync(sub)).toEqual(['app.db']);
    }
  });

  it('a missing file (not created), a folder, a text file, an empty --db: each a coded error naming --db and the value', async () => {
    const missing = join(dir, 'nothing-here.db');
    refusedOnDb(await cli('runs', 'list', '--db', missing), missing, 'must be an existing run store (run, compare and sweep create one)');
    expect(existsSync(missing)).toBe(false);
    refusedOnDb(await cli('runs', 'show', '1', '--db', dir), dir, 'must be a file, not a folder');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    refusedOnDb(await cli('runs', 'export', '1', '--format', 'json', '--db', text), text, 'must be a run store (this file is not an SQLite database; cctwin leaves it as it is)');
    expect(readFileSync(text, 'utf8')).toBe('hello\n');
    const empty = await cli('runs', 'list', '--db', '');
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('--db = "": must be a file path');
    // flags and the store in one report
    const both = await cli('runs', 'show', 'abc', '--db', missing);
    expect(both.err).toMatch(/2 bad options/);
    expect(both.err).toContain('ID = "abc": must be a whole number >= 1');
  });

  it('list and show a store in a read-only file and folder, as a user who cannot write there; a run into it is refused first', (ctx) => {
    // root writes anywhere: the commands then run as nobody, for whom the mode holds. Nobody
    // must be able to read the package itself (a clone in a private folder, mode 700, is not).
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const readable = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(join(ROOT, 'bin/cctwin.js'))})`], { encoding: 'utf8', ...as });
    ctx.skip(readable.status !== 0, `the package folder ${ROOT} is not readable by the unprivileged user the test runs as (uid 65534): clone it where others can read`);
    const sub = join(dir, 'readonly');
    mkdirSync(sub);
    const db = join(sub, 'runs.db');
    const made = spawnSync(process.execPath, ['bin/cctwin.js', 'run', FIXTURE, '-r', '2', '--workers', '1', '--db', db], { cwd: ROOT, encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    chmodSync(db, 0o444);
    chmodSync(sub, 0o555);
    chmodSync(dir, 0o755);
    const before = bytes(db);
    try {
      const run = (...args: string[]) => spawnSync(process.execPath, ['bin/cctwin.js', ...args], { cwd: ROOT, encoding: 'utf8', ...as });
      const list = run('runs', 'list', '--json', '--db', db);
      expect(list.status, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout)).toMatchObject([{ id: 1, status: 'done', replications: 2 }]);
      // stored by the compiled cctwin with the package's version
      const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
      expect(JSON.parse(list.stdout)[0].codeVersion).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}( \\(|$)`));
      const show = run('runs', 'show', '1', '--db', db);
      expect(show.status, show.stderr).toBe(0);
      expect(show.stdout).toMatch(/status\s+done/);
      const csv = run('runs', 'export', '1', '--format', 'csv', '--db', db);
      expect(csv.status, csv.stderr).toBe(0);
      expect(csv.stdout.split('\n').length).toBeGreaterThan(8);
      const into = run('run', FIXTURE, '--workers', '1', '--db', db);
      expect(into.status).toBe(2);
      expect(into.stderr).toContain(`--db = "${db}": must be writable (the file is read-only)`);
      expect(bytes(db)).toBe(before);
      expect(readdirSync(sub)).toEqual(['runs.db']);
    } finally {
      chmodSync(sub, 0o755);
      chmodSync(db, 0o644);
    }
  });
});

describe('sweep --resume', () => {
  it('refuses a sweep whose process still runs it, and resumes one whose process is gone', async () => {
    const db = join(dir, 'resume.db');
    const r = await cli('sweep', FIXTURE, '--set', 'agents=10,12', '-r', '2', '--workers', '1', '--db', db);
    expect(r.code, r.err).toBe(0);
    const id = Number(/sweep (\d+) saved/.exec(r.out)![1]);
    const setOwner = (pid: number) => {
      const d = new Database(db);
      d.prepare("UPDATE runs SET status = 'running', pid = ? WHERE id = ?").run(pid, id);
      d.close();
    };
    setOwner(process.pid);
    const busy = await cli('sweep', '--resume', String(id), '--workers', '1', '--db', db);
    expect(busy.code).toBe(2);
    expect(busy.err).toContain(`--resume = "${id}": must be a sweep that stopped: it is running (pid ${process.pid} on `);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    setOwner(Number(gone.stdout));
    const resumed = await cli('sweep', '--resume', String(id), '--workers', '1', '--db', db);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toContain(`sweep ${id} saved`);
  });

  it('refuses a sweep started by other code (another engine hash; for a sweep stored without one, another version)', async () => {
    const db = join(dir, 'resume-code.db');
    const r = await cli('sweep', FIXTURE, '--set', 'agents=10,12', '-r', '2', '--workers', '1', '--db', db);
    expect(r.code, r.err).toBe(0);
    const id = Number(/sweep (\d+) saved/.exec(r.out)![1]);
    const edit = (sql: string) => { const d = new Database(db); d.prepare(sql).run(id); d.close(); };
    edit("UPDATE runs SET status = 'interrupted', options = json_set(options, '$.engineCode', '0123456789abcdef') WHERE id = ?");
    const other = await cli('sweep', '--resume', String(id), '--workers', '1', '--db', db);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(new RegExp(`--resume = "${id}": must be resumed by the cctwin that started it: sweep ${id} was run by cctwin \\S+.* \\(code hash 0123456789abcdef\\), this is cctwin .* \\(code hash [0-9a-f]{16}\\), built from other code`));
    expect(other.out).toBe('');
    edit("UPDATE runs SET code_version = '0.0.9 (0123456789ab)', options = json_remove(options, '$.engineCode') WHERE id = ?");
    const older = await cli('sweep', '--resume', String(id), '--workers', '1', '--db', db);
    expect(older.code).toBe(2);
    expect(older.err).toContain(`sweep ${id} was run by cctwin 0.0.9 (0123456789ab), this is cctwin `);
  });
});

// ---------------------------------------------------------------- signals

/** Starts `cctwin run` as a real process. */
function start(args: string[]): { child: ChildProcess; stdout: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> } {
  const child = spawn(process.execPath, ['bin/cctwin.js', 'run', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((res) => child.on('exit', (code, signal) => res({ code, signal, at: Date.now() })));
  return { child, stdout: () => stdout, exit };
}

/** Waits until the store holds a run with at least `replications` finished (read with SQLite, read-only). */
async function whenStored(db: string, replications: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    await new Promise((res) => setTimeout(res, 100));
    if (existsSync(db)) {
      let d: Database.Database | undefined;
      try {
        d = new Database(db, { readonly: true, fileMustExist: true });
        const runs = (d.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
        const done = (d.prepare('SELECT COUNT(*) AS n FROM replications').get() as { n: number }).n;
        if (runs > 0 && done >= replications) return;
      } catch {
        // created but not yet a store: look again
      } finally {
        d?.close();
      }
    }
    if (Date.now() - t0 > 30_000) throw new Error('the run did not start within 30 s');
  }
}

const lastRun = async (db: string) => JSON.parse((await cli('runs', 'list', '--json', '--db', db)).out)[0];

describe('stopping a run', () => {
  it('SIGTERM: the workers stop, the partial result is printed and stored as interrupted, exit 143', async () => {
    const db = join(dir, 'sigterm.db');
    const p = start([FIXTURE, '-r', '100000', '--workers', '2', '--db', db]);
    await whenStored(db, 1);
    p.child.kill('SIGTERM');
    expect((await p.exit).code).toBe(143);
    expect(p.stdout()).toMatch(/INTERRUPTED: partial result from the \d+ replications? that finished/);
    const run = await lastRun(db);
    expect(run).toMatchObject({ status: 'interrupted', note: 'stopped by SIGTERM' });
    expect(run.replications).toBe(Number(/from the (\d+) replications?/.exec(p.stdout())![1]));
  });

  it('SIGHUP stops a single-thread run in the middle of its one long replication: exit 129 at once, stored as interrupted', async () => {
    const db = join(dir, 'sighup.db');
    // One replication of about a minute on one thread.
    const p = start([FIXTURE, '--set', 'horizon=9600h', '--set', 'interval=960h', '--set', 'arrivals.perHour=12000', '--set', 'agents=220', '-r', '1', '--workers', '1', '--db', db]);
    await whenStored(db, 0);
    await new Promise((res) => setTimeout(res, 500));
    const sent = Date.now();
    p.child.kill('SIGHUP');
    const exit = await p.exit;
    expect(exit.code).toBe(129);
    // between slices of events: well under a second (it waited for the replication's end)
    expect(exit.at - sent).toBeLessThan(3_000);
    expect(p.stdout()).toMatch(/INTERRUPTED: partial result from the 0 replications that finished/);
    // no rate of zero events over zero days ("0.000 s per simulated day")
    expect(p.stdout()).toMatch(/^no replication finished in \d+\.\d\d s$/m);
    expect(p.stdout()).not.toContain('per simulated day');
    expect(await lastRun(db)).toMatchObject({ status: 'interrupted', note: 'stopped by SIGHUP', replications: 0 });
  });

  it('Ctrl-C stops a run whose plug-in policy is stuck in a loop (its replications run on a worker thread)', async () => {
    const db = join(dir, 'stuck.db');
    const site = join(dir, 'stuck');
    mkdirSync(join(site, 'policies'), { recursive: true });
    writeFileSync(join(site, 'center.yaml'), readFileSync(join(ROOT, 'scenarios/baseline-day.yaml'), 'utf8'));
    writeFileSync(join(site, 'policies', 'stuck.mjs'), 'export default () => ({ name: "stuck", score() { for (;;) {} } });\n');
    const p = start([join(site, 'center.yaml'), '--set', 'routing.policy=policies/stuck.mjs', '-r', '1', '--workers', '1', '--db', db]);
    await whenStored(db, 0);
    await new Promise((res) => setTimeout(res, 1000));
    const sent = Date.now();
    p.child.kill('SIGINT');
    const exit = await p.exit;
    expect(exit.code).toBe(130);
    expect(exit.at - sent).toBeLessThan(10_000);
    expect(await lastRun(db)).toMatchObject({ status: 'interrupted', replications: 0 });
  });

  it('a second signal quits at once, the run interrupted either way', async () => {
    const db = join(dir, 'twice.db');
    const p = start([FIXTURE, '--set', 'horizon=9600h', '--set', 'interval=960h', '--set', 'arrivals.perHour=12000', '--set', 'agents=220', '-r', '1', '--workers', '1', '--db', db]);
    await whenStored(db, 0);
    await new Promise((res) => setTimeout(res, 500));
    const sent = Date.now();
    p.child.kill('SIGTERM');
    p.child.kill('SIGHUP');
    const exit = await p.exit;
    expect([129, 143]).toContain(exit.code);
    expect(exit.at - sent).toBeLessThan(10_000);
    const run = await lastRun(db);
    expect(run.status).toBe('interrupted');
    // the clean stop stores the run at once; if the second signal came first, the quick exit marked it
    expect(run.note).toMatch(/^stopped (by |at once by a second signal \()(SIGTERM|SIGHUP)/);
  });

  it('SIGKILL: the run is found interrupted when the store is next opened (read-only: shown so; for writing: recorded)', async () => {
    const db = join(dir, 'sigkill.db');
    const p = start([FIXTURE, '-r', '100000', '--workers', '2', '--db', db]);
    await whenStored(db, 1);
    const pid = p.child.pid!;
    p.child.kill('SIGKILL');
    expect((await p.exit).signal).toBe('SIGKILL');
    const raw = () => {
      const d = new Database(db, { readonly: true });
      const row = d.prepare('SELECT status, pid, note FROM runs').get() as { status: string; pid: number; note: string | null };
      d.close();
      return row;
    };
    expect(raw()).toMatchObject({ status: 'running', pid });
    const run = await lastRun(db);
    expect(run).toMatchObject({ status: 'interrupted', process: { pid } });
    expect(run.note).toMatch(new RegExp(`^its process \\(pid ${pid} on .+\\) ended without finishing it \\(killed or crashed\\)`));
    const show = await cli('runs', 'show', String(run.id), '--db', db);
    expect(show.out).toMatch(/status\s+interrupted/);
    expect(show.out).toMatch(new RegExp(`note\\s+its process \\(pid ${pid} on`));
    expect(raw().status).toBe('running'); // runs list and show wrote nothing
    RunStore.open(db).close();
    expect(raw()).toMatchObject({ status: 'interrupted', note: expect.stringContaining(`pid ${pid}`) });
  });
});

describe('runs show: a record stored before a KPI existed', () => {
  it('shows a run and a compare whose results lack the newest KPIs (complaintCasesOpen...), with no crash', async () => {
    const db = join(dir, 'older.db');
    expect((await cli('run', FIXTURE, '-r', '2', '--workers', '1', '--db', db)).code).toBe(0);
    expect((await cli('compare', FIXTURE, '--set', 'agents=11,12', '-r', '2', '--workers', '1', '--db', db)).code).toBe(0);
    // What an older version stored: the same result without the KPIs it did not know.
    const strip = (o: unknown): void => {
      if (o === null || typeof o !== 'object') return;
      for (const k of ['complaintCasesOpen', 'complaintCasesOpenOverdue']) delete (o as Record<string, unknown>)[k];
      for (const v of Object.values(o)) strip(v);
    };
    const d = new Database(db);
    const rows = d.prepare('SELECT id, kind, result FROM runs').all() as { id: number; kind: string; result: string }[];
    expect(rows.map((r) => r.kind)).toEqual(['run', 'compare']);
    for (const r of rows) {
      const res = JSON.parse(r.result);
      strip(res);
      d.prepare('UPDATE runs SET result = ? WHERE id = ?').run(JSON.stringify(res), r.id);
    }
    d.close();
    for (const r of rows) {
      const show = await cli('runs', 'show', String(r.id), '--db', db);
      expect(show.code, show.err).toBe(0);
      expect(show.out).toMatch(/arrivals/);
    }
  });
});
