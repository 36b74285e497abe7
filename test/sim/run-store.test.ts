import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withRunner } from '../../sim/src/engine/pool.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { executeRun } from '../../sim/src/runs/execute.ts';
import { MIGRATIONS, RunStore, STORE_VERSION } from '../../sim/src/runs/store.ts';
import { currentOwner, processStart } from '../../sim/src/runs/owner.ts';
import { SimError } from '../../sim/src/errors.ts';
import { KPIS, decodeResult, kpisOf, summarize, totalRow } from '../../sim/src/metrics/summary.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const variant = compileVariant(readScenarioText(FIXTURE), FIXTURE, []);
const cfg = variant.cfg;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'cctwin-store-'));

describe('run store', () => {
  it('round-trips a run: record, replication buffers bit for bit, intervals, status', () => {
    const dir = tmp();
    try {
      const store = RunStore.open(join(dir, 'nested', 'cctwin.db'));
      expect(store.schemaVersion).toBe(2);
      const id = store.createRun({ kind: 'run', name: cfg.name, seed: cfg.seed, codeVersion: 'test', scenario: variant.text, options: { replications: 2 }, arms: [{ label: 'A', config: cfg }] });
      const bufs = [0, 1].map((r) => replicate(cfg, r));
      for (const b of bufs) store.addReplication(id, 0, b, kpisOf(totalRow(decodeResult(b, cfg).rows, cfg)));
      const summary = summarize(cfg, bufs.map((b) => decodeResult(b, cfg)), 0);
      store.finishRun(id, 'done', { totals: summary.totals }, [{ arm: 0, rows: summary.intervals }]);
      store.close();

      const again = RunStore.open(join(dir, 'nested', 'cctwin.db')); // migrations are idempotent
      expect(again.schemaVersion).toBe(2);
      const rec = again.getRun(id)!;
      expect(rec).toMatchObject({ kind: 'run', status: 'done', name: cfg.name, seed: cfg.seed, codeVersion: 'test', scenario: variant.text, replications: 2 });
      expect(again.armConfigs(id)[0].config).toEqual(JSON.parse(JSON.stringify(cfg)));
      const back = again.replicationBuffers(id, 0);
      expect([...back.keys()]).toEqual([0, 1]);
      expect(Array.from(back.get(1)!)).toEqual(Array.from(bufs[1]));
      const iv = again.intervals(id);
      expect(iv.length).toBe(cfg.nIntervals * KPIS.length);
      const sl = iv.find((r) => r.interval === 3 && r.kpi === 'serviceLevel')!;
      expect(sl.mean).toBeCloseTo(summary.intervals[3].serviceLevel.mean!, 12);
      expect(again.listRuns().map((r) => r.id)).toEqual([id]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an interrupted run leaves a consistent record: status interrupted, every stored replication whole', async () => {
    const dir = tmp();
    try {
      const store = RunStore.open(join(dir, 'c.db'));
      const stop = new AbortController();
      let seen = 0;
      const out = await withRunner({ workers: 2 }, (runner) => executeRun({
        runner, store, progress: { plan() {}, done() { if (++seen === 4) stop.abort(); } },
      }, { variant, replications: 60, maxReplications: 1000, options: {} }), stop.signal);
      expect(out.status).toBe('interrupted');
      const rec = store.getRun(out.runId!)!;
      expect(rec.status).toBe('interrupted');
      const bufs = store.replicationBuffers(out.runId!, 0);
      expect(rec.replications).toBe(bufs.size);
      expect(out.summary.replications).toBe(bufs.size);
      expect(bufs.size).toBeGreaterThanOrEqual(4);
      expect(bufs.size).toBeLessThan(60);
      for (const [r, b] of bufs) expect(Array.from(b).slice(8)).toEqual(Array.from(replicate(cfg, r)).slice(8));
      expect((rec.result as { totals: unknown }).totals).toEqual(JSON.parse(JSON.stringify(out.summary.totals)));
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A pid that was a process a moment ago and is none now. */
function deadPid(): number {
  const p = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(p.stdout);
}

/** The issue message of a store that cannot be used. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SimError && e.isInput) return e.issues.map((i) => `${i.path} = ${String(i.value)}: ${i.message}`).join('\n');
    throw e;
  }
  throw new Error('expected the store to be refused');
}

const newRun = { kind: 'run' as const, name: cfg.name, codeVersion: 'test', scenario: 'x', options: {} };

describe('a run whose process is gone (stale runs)', () => {
  it('records its process; a run whose pid is dead, or reused by another process, is interrupted when the store is next opened', () => {
    const dir = tmp();
    try {
      const file = join(dir, 's.db');
      const store = RunStore.open(file);
      const alive = store.createRun(newRun);
      const dead = store.createRun(newRun);
      const reused = store.createRun(newRun);
      const elsewhere = store.createRun(newRun);
      const finished = store.createRun(newRun);
      store.finishRun(finished, 'done', null);
      expect(store.getRun(alive)).toMatchObject({ status: 'running', pid: process.pid, host: currentOwner().host, note: null });
      const gone = deadPid();
      store.db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(gone, dead);
      store.db.prepare("UPDATE runs SET process_start = 'another-boot/1' WHERE id = ?").run(reused);
      store.db.prepare("UPDATE runs SET host = 'another-host', pid = ? WHERE id = ?").run(gone, elsewhere);
      store.close();

      // Read-only: shown as interrupted, nothing written.
      const bytes = readFileSync(file);
      const ro = RunStore.openReadOnly(file);
      expect(ro.getRun(dead)).toMatchObject({ status: 'interrupted', pid: gone });
      expect(ro.getRun(dead)!.note).toMatch(new RegExp(`its process \\(pid ${gone} on .+\\) ended without finishing it`));
      ro.close();
      expect(readFileSync(file).equals(bytes)).toBe(true);

      const again = RunStore.open(file);
      const status = (id: number) => again.getRun(id)!.status;
      expect(status(alive)).toBe('running'); // this process
      expect(status(dead)).toBe('interrupted');
      expect(status(reused)).toBe(processStart(process.pid) === null ? 'running' : 'interrupted'); // a start time only on Linux
      expect(status(elsewhere)).toBe('running'); // another host: nothing known
      expect(status(finished)).toBe('done');
      expect(again.db.prepare('SELECT status, note FROM runs WHERE id = ?').get(dead)).toMatchObject({ status: 'interrupted', note: expect.stringContaining(`pid ${gone}`) });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second stop marks the runs of this process interrupted; resuming takes a run back', () => {
    const dir = tmp();
    try {
      const store = RunStore.open(join(dir, 's.db'));
      const a = store.createRun(newRun), b = store.createRun(newRun);
      store.db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(deadPid(), b);
      expect(store.interruptOwnRuns('stopped at once')).toBe(1);
      expect(store.getRun(a)).toMatchObject({ status: 'interrupted', note: 'stopped at once' });
      expect(store.getRun(b)!.status).toBe('running');
      store.resumeRun(b);
      expect(store.getRun(b)).toMatchObject({ status: 'running', pid: process.pid, note: null });
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what the store opens', () => {
  it('a store of version 1 is read as it is, and migrated when opened for writing', () => {
    const dir = tmp();
    try {
      const file = join(dir, 'v1.db');
      const s = RunStore.open(file);
      const id = s.createRun(newRun);
      s.close();
      // Back to version 1: the columns and the application id of version 2 removed.
      const db = new Database(file);
      for (const c of ['pid', 'host', 'process_start', 'note']) db.exec(`ALTER TABLE runs DROP COLUMN ${c}`);
      db.exec('DROP INDEX runs_status');
      db.pragma('application_id = 0');
      db.pragma('user_version = 1');
      db.close();
      const bytes = readFileSync(file);
      const ro = RunStore.openReadOnly(file);
      expect(ro.schemaVersion).toBe(1);
      expect(ro.getRun(id)).toMatchObject({ status: 'running', pid: null, host: null, note: null });
      ro.close();
      expect(readFileSync(file).equals(bytes)).toBe(true);
      const rw = RunStore.open(file);
      expect(rw.schemaVersion).toBe(STORE_VERSION);
      expect(rw.db.pragma('application_id', { simple: true })).toBe(0x63637477);
      expect(rw.getRun(id)).toMatchObject({ status: 'running', pid: null });
      rw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a new store opened by two processes at once: the one that waited for the lock finds it migrated and uses it', async () => {
    const dir = tmp();
    try {
      const file = join(dir, 'new.db');
      // Another process creates the store: it holds the write lock, with the tables not
      // yet committed, while this one opens the file (and sees it empty).
      const other = `
        const Database = (await import('better-sqlite3')).default;
        const db = new Database(process.argv[1]);
        db.pragma('journal_mode = WAL');
        db.exec('BEGIN IMMEDIATE');
        const sql = JSON.parse(process.argv[2]);
        sql.forEach((m, v) => { db.exec(m); db.pragma('user_version = ' + (v + 1)); });
        process.stdout.write('locked\\n');
        setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', other, file, JSON.stringify(MIGRATIONS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res, rej) => {
        child.stdout.on('data', (d) => { if (String(d).includes('locked')) res(); });
        child.on('exit', (c) => rej(new Error(`the other process ended first (exit ${c})`)));
      });
      const store = RunStore.open(file); // waits for the other's commit (busy_timeout)
      expect(store.schemaVersion).toBe(STORE_VERSION);
      const id = store.createRun(newRun);
      expect(store.getRun(id)).toMatchObject({ status: 'running' });
      store.close();
      expect(await new Promise((res) => child.on('exit', res))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, untouched, what is not a store: another program\'s SQLite (rollback or WAL), text, a folder, a newer store', () => {
    const dir = tmp();
    try {
      const rollback = join(dir, 'other.db');
      const o = new Database(rollback);
      o.exec('CREATE TABLE runs (id INTEGER); INSERT INTO runs VALUES (1)'); // a "runs" table, yet not ours
      o.close();
      const wal = join(dir, 'other-wal.db');
      const w = new Database(wal);
      w.pragma('journal_mode = WAL');
      w.exec('CREATE TABLE t (x)');
      w.close();
      const text = join(dir, 'notes.txt');
      writeFileSync(text, 'not a database at all, but long enough to have a header of a hundred bytes: '.repeat(3));
      const newer = join(dir, 'newer.db');
      RunStore.open(newer).close();
      const n = new Database(newer);
      n.pragma(`user_version = ${STORE_VERSION + 1}`);
      n.close();
      const before = new Map([rollback, wal, text, newer].map((f) => [f, readFileSync(f)]));
      const listing = readdirSync(dir).sort();
      for (const open of [(f: string) => RunStore.open(f), (f: string) => RunStore.openReadOnly(f)]) {
        expect(refusal(() => open(rollback))).toMatch(/another program's SQLite database/);
        expect(refusal(() => open(wal))).toMatch(/another program's SQLite database/);
        expect(refusal(() => open(text))).toMatch(/not an SQLite database/);
        expect(refusal(() => open(dir))).toMatch(/must be a file, not a folder/);
        expect(refusal(() => open(newer))).toMatch(new RegExp(`written by a newer cctwin: store version ${STORE_VERSION + 1}`));
      }
      expect(refusal(() => RunStore.openReadOnly(join(dir, 'missing.db')))).toMatch(/must be an existing run store/);
      expect(RunStore.problem(join(dir, 'missing.db'), 'write')).toBeNull();
      for (const [f, b] of before) expect(readFileSync(f).equals(b), f).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(listing); // no -wal, -shm or new file
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed write is a coded error naming the store, not SQLite\'s text', () => {
    const dir = tmp();
    try {
      const file = join(dir, 's.db');
      const store = RunStore.open(file);
      const id = store.createRun(newRun);
      store.db.pragma('query_only = ON'); // every write now fails as on a read-only file
      const e = (() => { try { store.finishRun(id, 'done', null); } catch (x) { return x; } return null; })();
      expect(e).toBeInstanceOf(SimError);
      expect(e).toMatchObject({ code: 'SIM_ERR_RUN_STORE', isInput: false });
      expect((e as Error).message).toBe(`cannot save into the run store ${file}: it must be writable, with its folder (run, compare and sweep save into it)`);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
