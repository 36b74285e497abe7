import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ModelConfig } from '../config/model-config.ts';
import { SimError } from '../errors.ts';
import { KPIS, type IntervalSummary, type KpiValues } from '../metrics/summary.ts';
import { currentOwner, ownerAlive } from './owner.ts';

/**
 * The run store: every run, compare and sweep in one embedded SQLite file.
 *
 *   runs          one row per run / compare / sweep / sweep point: kind, status,
 *                 scenario text as run, seed, code version, options, result JSON, and
 *                 the process running it (pid, host, start time)
 *   arms          the compiled model of each arm (one for a run, A and B for a compare)
 *   replications  one row per finished replication: KPI totals and the raw result buffer
 *   intervals     per-interval KPI estimates (mean and 95% half-width), long format
 *   sweep_points  grid point -> the run that holds it
 *
 * Every write that belongs together is one transaction (a replication's row; a run's
 * final status with its result and intervals), so a run stopped at any instant leaves
 * a consistent file: a replication is either fully there or absent. WAL mode lets
 * readers (runs list, the twin API) read while a run writes.
 *
 * A run whose process died without finishing (SIGKILL) is found when the store is
 * next opened: its process is gone from this host, so it is marked `interrupted`.
 *
 * A file is a store when its header carries cctwin's application id (stores of
 * version 1, before it, by their runs table). Any other file, SQLite or not, is
 * refused before anything is written to it; `openReadOnly` never writes at all.
 */

export type RunKind = 'run' | 'compare' | 'sweep' | 'sweep-point';
export type RunStatus = 'running' | 'done' | 'interrupted' | 'failed';

import { DEFAULT_DB } from './location.ts';

export { DEFAULT_DB };

/** PRAGMA application_id of a run store: "cctw". */
const APPLICATION_ID = 0x63637477;

/** Schema version in PRAGMA user_version; each migration moves it up by one. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL CHECK (kind IN ('run', 'compare', 'sweep', 'sweep-point')),
     parent_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted', 'failed')),
     created TEXT NOT NULL,
     updated TEXT NOT NULL,
     seed INTEGER,
     code_version TEXT NOT NULL,
     scenario TEXT NOT NULL,
     options TEXT NOT NULL,
     result TEXT,
     error TEXT
   );
   CREATE INDEX IF NOT EXISTS runs_parent ON runs(parent_id);
   CREATE TABLE IF NOT EXISTS arms (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     arm INTEGER NOT NULL,
     label TEXT NOT NULL,
     config TEXT NOT NULL,
     PRIMARY KEY (run_id, arm)
   );
   CREATE TABLE IF NOT EXISTS replications (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     arm INTEGER NOT NULL,
     replication INTEGER NOT NULL,
     events INTEGER NOT NULL,
     wall_seconds REAL NOT NULL,
     totals TEXT NOT NULL,
     result BLOB NOT NULL,
     PRIMARY KEY (run_id, arm, replication)
   );
   CREATE TABLE IF NOT EXISTS intervals (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     arm INTEGER NOT NULL,
     interval INTEGER NOT NULL,
     start REAL NOT NULL,
     end REAL NOT NULL,
     kpi TEXT NOT NULL,
     mean REAL,
     ci95 REAL,
     PRIMARY KEY (run_id, arm, interval, kpi)
   );
   CREATE TABLE IF NOT EXISTS sweep_points (
     sweep_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     point INTEGER NOT NULL,
     assignments TEXT NOT NULL,
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     PRIMARY KEY (sweep_id, point)
   );`,
  // The process running a run (a stale run is one whose process is gone), why a run
  // was interrupted, and the id that tells a store from any other SQLite file.
  `ALTER TABLE runs ADD COLUMN pid INTEGER;
   ALTER TABLE runs ADD COLUMN host TEXT;
   ALTER TABLE runs ADD COLUMN process_start TEXT;
   ALTER TABLE runs ADD COLUMN note TEXT;
   CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
   PRAGMA application_id = ${APPLICATION_ID};`,
];

/** The store version this code writes, and the newest it reads. */
export const STORE_VERSION = MIGRATIONS.length;

// ---------------------------------------------------------------- what a file is

type Identity =
  | { kind: 'missing' | 'folder' | 'special' | 'unreadable' | 'empty' | 'not-sqlite' | 'foreign' }
  | { kind: 'store'; version: number }
  /** the header cannot tell (changes waiting in the WAL, a store of version 1): ask SQLite */
  | { kind: 'look' };

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

const pendingWal = (file: string) => {
  try {
    return statSync(`${file}-wal`).size > 0;
  } catch {
    return false;
  }
};

/** What a file is, from its 100-byte SQLite header, without opening it with SQLite. */
function fromHeader(file: string): Identity {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { kind: 'folder' };
    if (!st.isFile()) return { kind: 'special' };
    size = st.size;
  } catch (e) {
    return { kind: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable' };
  }
  if (size === 0) return { kind: 'empty' };
  const head = Buffer.alloc(100);
  let n: number;
  try {
    const fd = openSync(file, 'r');
    try {
      n = readSync(fd, head, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return { kind: 'unreadable' };
  }
  if (n < 100 || !head.subarray(0, 16).equals(MAGIC)) return { kind: 'not-sqlite' };
  if (pendingWal(file)) return { kind: 'look' };
  const schemaCookie = head.readUInt32BE(40), userVersion = head.readUInt32BE(60), applicationId = head.readUInt32BE(68);
  if (applicationId === APPLICATION_ID) return { kind: 'store', version: userVersion };
  if (applicationId !== 0) return { kind: 'foreign' };
  if (userVersion === 0) return { kind: schemaCookie === 0 ? 'empty' : 'foreign' };
  return { kind: 'look' };
}

/** What an open database is, from its schema. */
function fromSchema(db: Database.Database): Identity {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  if (applicationId === APPLICATION_ID) return { kind: 'store', version: userVersion };
  if (applicationId !== 0) return { kind: 'foreign' };
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (userVersion === 0 && tables.length === 0) return { kind: 'empty' };
  const columns = tables.includes('runs') ? db.prepare("SELECT name FROM pragma_table_info('runs')").pluck().all() as string[] : [];
  const version1 = ['kind', 'status', 'code_version', 'scenario', 'options'].every((c) => columns.includes(c));
  return userVersion >= 1 && version1 ? { kind: 'store', version: userVersion } : { kind: 'foreign' };
}

export type StoreAccess = 'read' | 'write';

/** What is wrong with a file as a run store, as "what is expected"; null when it will do. */
function problemOf(id: Identity, access: StoreAccess): string | null {
  switch (id.kind) {
    case 'missing': return access === 'read' ? 'must be an existing run store (run, compare and sweep create one)' : null;
    case 'empty': return access === 'read' ? 'must be a run store (this file is empty: no runs were saved in it)' : null;
    case 'folder': return 'must be a file, not a folder';
    case 'special': return 'must be a regular file';
    case 'unreadable': return 'must be a readable file (permission denied)';
    case 'not-sqlite': return 'must be a run store (this file is not an SQLite database; cctwin leaves it as it is)';
    case 'foreign': return 'must be a cctwin run store (this is another program\'s SQLite database; cctwin leaves it as it is)';
    case 'store': return id.version > STORE_VERSION
      ? `must be a store this cctwin knows (it was written by a newer cctwin: store version ${id.version}, this one knows 1 to ${STORE_VERSION})`
      : null;
    case 'look': return null;
  }
}

/** An SQLite failure in words, as "what is expected" (never SQLite's own text). */
function sqliteProblem(e: unknown, access: StoreAccess): string {
  const code = e instanceof Database.SqliteError ? e.code : (e as NodeJS.ErrnoException)?.code ?? '';
  if (code === 'SQLITE_NOTADB') return problemOf({ kind: 'not-sqlite' }, access)!;
  if (code.startsWith('SQLITE_CORRUPT')) return 'must be an intact run store (SQLite finds this file damaged)';
  if (code.startsWith('SQLITE_READONLY')) {
    return access === 'write'
      ? 'must be writable, with its folder (run, compare and sweep save into it)'
      : 'must be readable: it is in a read-only folder with changes not yet merged from its -wal file (open it once where the folder is writable)';
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'must not be locked by another program (it stayed locked for 5 s)';
  if (code === 'SQLITE_FULL') return 'must be on a disk with room (the disk is full)';
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM') return access === 'write' ? 'must be a file cctwin can create or open for writing' : 'must be a file cctwin can open';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'must be in a folder (a part of the path is a file)';
  return `must be a usable run store (${code || 'unknown failure'})`;
}

/** The error of a store that cannot be used: one issue on `file` (the CLI names its flag). */
export function storeError(file: string, problem: string): SimError {
  return new SimError('SIM_ERR_BAD_ARGUMENT', 'cannot use the run store', [{ path: 'file', value: file, message: problem }]);
}

// ---------------------------------------------------------------- records

export interface RunRecord {
  id: number;
  kind: RunKind;
  parentId: number | null;
  name: string;
  status: RunStatus;
  created: string;
  updated: string;
  seed: number | null;
  codeVersion: string;
  scenario: string;
  options: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  /** Why the run was interrupted (a signal, its process gone), when it was. */
  note: string | null;
  /** The process that ran it (null in stores of version 1). */
  pid: number | null;
  host: string | null;
  /** replications finished (all arms) */
  replications: number;
}

export interface NewRun {
  kind: RunKind;
  parentId?: number | null;
  name: string;
  seed?: number | null;
  codeVersion: string;
  scenario: string;
  options: Record<string, unknown>;
  arms?: readonly { label: string; config: ModelConfig }[];
}

export interface IntervalRow {
  arm: number;
  interval: number;
  start: number;
  end: number;
  kpi: string;
  mean: number | null;
  ci95: number | null;
}

const now = () => new Date().toISOString();

function toBlob(buf: Float64Array): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

function fromBlob(b: Buffer): Float64Array {
  // Copy into a fresh, 8-byte aligned buffer.
  const out = new Float64Array(b.byteLength / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** JSON that keeps NaN/Infinity out (they become null). */
const json = (v: unknown) => JSON.stringify(v);

const staleNote = (pid: number, host: string) =>
  `its process (pid ${pid} on ${host}) ended without finishing it (killed or crashed); found when the store was opened at ${now()}`;

export class RunStore {
  /** Runs found stale by a read-only open: shown as interrupted, not written. */
  private stale = new Map<number, string>();

  private constructor(readonly db: Database.Database, readonly file: string, readonly readonly: boolean) {}

  /**
   * Opens the store for writing, creating folder and file if needed; migrates it and
   * marks the runs whose process is gone as interrupted. A file that is not a store
   * (another program's SQLite database, anything else) is refused untouched.
   */
  static open(file: string = DEFAULT_DB): RunStore {
    if (file === ':memory:') return RunStore.prepare(new Database(file), file);
    const problem = problemOf(fromHeader(file), 'write');
    if (problem) throw storeError(file, problem);
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true });
      db = new Database(file);
      db.pragma('busy_timeout = 5000');
      const found = problemOf(fromSchema(db), 'write');
      if (found) throw storeError(file, found);
      db.pragma('journal_mode = WAL');
      return RunStore.prepare(db, file);
    } catch (e) {
      db?.close();
      throw e instanceof SimError ? e : storeError(file, sqliteProblem(e, 'write'));
    }
  }

  private static prepare(db: Database.Database, file: string): RunStore {
    db.pragma('foreign_keys = ON');
    const store = new RunStore(db, file, false);
    store.migrate();
    store.interruptStale();
    return store;
  }

  /**
   * Opens an existing store to read it: no pragma that writes, no migration, nothing
   * created beside it but SQLite's shared-memory files of a WAL store (and not even
   * those in a read-only folder). Runs whose process is gone read as interrupted.
   */
  static openReadOnly(file: string = DEFAULT_DB): RunStore {
    const problem = problemOf(fromHeader(file), 'read');
    if (problem) throw storeError(file, problem);
    let db: Database.Database | undefined;
    try {
      try {
        db = new Database(file, { readonly: true, fileMustExist: true });
        db.pragma('user_version', { simple: true }); // the first read: a WAL store needs its -shm file here
      } catch (e) {
        db?.close();
        db = undefined;
        const code = e instanceof Database.SqliteError ? e.code : '';
        if (!(code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) || pendingWal(file)) throw e;
        db = RunStore.snapshot(file);
      }
      db.pragma('busy_timeout = 5000');
      const found = problemOf(fromSchema(db), 'read');
      if (found) throw storeError(file, found);
      const store = new RunStore(db, file, true);
      for (const r of store.staleRuns()) store.stale.set(r.id, staleNote(r.pid, r.host));
      return store;
    } catch (e) {
      db?.close();
      throw e instanceof SimError ? e : storeError(file, sqliteProblem(e, 'read'));
    }
  }

  /**
   * A WAL store in a read-only folder with no -shm file cannot be opened by SQLite
   * even to read (it would create the -shm). With no changes waiting in a -wal file
   * the main file holds everything: read a copy in memory, marked as a rollback-journal
   * database (header bytes 18-19), which needs no -shm.
   */
  private static snapshot(file: string): Database.Database {
    const bytes = readFileSync(file);
    if (bytes[18] === 2) bytes[18] = 1;
    if (bytes[19] === 2) bytes[19] = 1;
    return new Database(bytes, { readonly: true });
  }

  /**
   * What is wrong with `file` as a store to read or to write, as "what is expected";
   * null when it will do. Reads the file's header (and, when that cannot tell, its
   * schema, read-only); writes nothing.
   */
  static problem(file: string, access: StoreAccess): string | null {
    const id = fromHeader(file);
    if (id.kind !== 'look') return problemOf(id, access);
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      return problemOf(fromSchema(db), access);
    } catch (e) {
      // A WAL store in a read-only folder: opening decides (and reports) later.
      const code = e instanceof Database.SqliteError ? e.code : '';
      return code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') ? null : sqliteProblem(e, access);
    } finally {
      db?.close();
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Applies the migrations past user_version, each in its own transaction; running it
   * again changes nothing. The version is read again inside each write transaction:
   * another process opening the same new store at the same moment (two runs started
   * together) may have migrated it while this one waited for the lock.
   */
  private migrate(): void {
    while (this.schemaVersion < MIGRATIONS.length) {
      this.db.transaction(() => {
        const v = this.schemaVersion;
        if (v >= MIGRATIONS.length) return;
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  /** Runs `running` on this host whose process is gone. */
  private staleRuns(): { id: number; pid: number; host: string }[] {
    if (this.schemaVersion < 2) return [];
    const rows = this.db.prepare("SELECT id, pid, host, process_start FROM runs WHERE status = 'running' AND pid IS NOT NULL AND host = ?")
      .all(currentOwner().host) as { id: number; pid: number; host: string; process_start: string | null }[];
    return rows.filter((r) => !ownerAlive({ pid: r.pid, host: r.host, start: r.process_start }));
  }

  /** Marks the stale runs interrupted, in one transaction. */
  private interruptStale(): void {
    const stale = this.staleRuns();
    if (stale.length === 0) return;
    this.write(() => this.db.transaction(() => {
      const upd = this.db.prepare("UPDATE runs SET status = 'interrupted', note = ?, updated = ? WHERE id = ? AND status = 'running'");
      for (const r of stale) upd.run(staleNote(r.pid, r.host), now(), r.id);
    }).immediate());
  }

  /** A write; an SQLite failure (disk full, the file gone read-only or locked) becomes a coded error. */
  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof Database.SqliteError)) throw e;
      throw new SimError('SIM_ERR_RUN_STORE', `cannot save into the run store ${this.file}: it ${sqliteProblem(e, 'write')}`);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  createRun(r: NewRun): number {
    const owner = currentOwner();
    return this.write(() => this.db.transaction(() => {
      const t = now();
      const info = this.db.prepare(
        `INSERT INTO runs (kind, parent_id, name, status, created, updated, seed, code_version, scenario, options, pid, host, process_start)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(r.kind, r.parentId ?? null, r.name, t, t, r.seed ?? null, r.codeVersion, r.scenario, json(r.options), owner.pid, owner.host, owner.start);
      const id = Number(info.lastInsertRowid);
      const arm = this.db.prepare('INSERT INTO arms (run_id, arm, label, config) VALUES (?, ?, ?, ?)');
      (r.arms ?? []).forEach((a, i) => arm.run(id, i, a.label, json(a.config)));
      return id;
    }).immediate());
  }

  /** Records one finished replication (one transaction). Re-recording the same replication replaces it. */
  addReplication(runId: number, arm: number, buf: Float64Array, totals: KpiValues): void {
    this.write(() => this.db.transaction(() => {
      this.db.prepare(
        `INSERT OR REPLACE INTO replications (run_id, arm, replication, events, wall_seconds, totals, result)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(runId, arm, buf[6], buf[4], buf[5], json(totals), toBlob(buf));
      this.db.prepare('UPDATE runs SET updated = ? WHERE id = ?').run(now(), runId);
    }).immediate());
  }

  /**
   * Replaces the scenario text of a run and the model of one of its arms (one
   * transaction): a staffing search (cctwin staff) is stored with the scenario it found,
   * known only at its end.
   */
  setScenario(runId: number, scenario: string, arm: number, config: ModelConfig): void {
    this.write(() => this.db.transaction(() => {
      this.db.prepare('UPDATE runs SET scenario = ?, updated = ? WHERE id = ?').run(scenario, now(), runId);
      this.db.prepare('UPDATE arms SET config = ? WHERE run_id = ? AND arm = ?').run(json(config), runId, arm);
    }).immediate());
  }

  /** Sets the final (or partial) result, its intervals and the status, in one transaction. */
  finishRun(
    runId: number, status: RunStatus, result: object | null, intervals: readonly { arm: number; rows: readonly IntervalSummary[] }[] = [],
    error: string | null = null, note: string | null = null,
  ): void {
    this.write(() => this.db.transaction(() => {
      this.db.prepare('DELETE FROM intervals WHERE run_id = ?').run(runId);
      const ins = this.db.prepare('INSERT INTO intervals (run_id, arm, interval, start, end, kpi, mean, ci95) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const { arm, rows } of intervals) {
        rows.forEach((iv, i) => {
          for (const k of KPIS) {
            const e = iv[k];
            ins.run(runId, arm, i, iv.start, iv.end, k, num(e?.mean), num(e?.ci95));
          }
        });
      }
      this.db.prepare('UPDATE runs SET status = ?, result = ?, error = ?, note = ?, updated = ? WHERE id = ?')
        .run(status, result === null ? null : json(result), error, note, now(), runId);
    }).immediate());
  }

  /** Takes a run up again in this process (a resumed sweep or sweep point): `running`, owned by this process. */
  resumeRun(runId: number): void {
    const owner = currentOwner();
    this.write(() => this.db.prepare("UPDATE runs SET status = 'running', error = NULL, note = NULL, pid = ?, host = ?, process_start = ?, updated = ? WHERE id = ?")
      .run(owner.pid, owner.host, owner.start, now(), runId));
  }

  /**
   * Marks every run this process is still running as interrupted (when it has to quit
   * at once: a second Ctrl-C). Their finished replications stay; no result is computed.
   */
  interruptOwnRuns(note: string): number {
    const owner = currentOwner();
    return this.write(() => this.db.prepare("UPDATE runs SET status = 'interrupted', note = ?, updated = ? WHERE status = 'running' AND pid = ? AND host = ?")
      .run(note, now(), owner.pid, owner.host).changes);
  }

  /** Creates the run of one sweep point and links it to the sweep, in one transaction. */
  createSweepPoint(sweepId: number, point: number, assignments: unknown, run: Omit<NewRun, 'kind' | 'parentId'>): number {
    return this.write(() => this.db.transaction(() => {
      const runId = this.createRun({ ...run, kind: 'sweep-point', parentId: sweepId });
      this.db.prepare('INSERT INTO sweep_points (sweep_id, point, assignments, run_id) VALUES (?, ?, ?, ?)').run(sweepId, point, json(assignments), runId);
      return runId;
    }).immediate());
  }

  /** Grid point -> run id of a sweep's points recorded so far. */
  sweepPoints(sweepId: number): Map<number, { runId: number; assignments: unknown }> {
    const rows = this.db.prepare('SELECT point, run_id, assignments FROM sweep_points WHERE sweep_id = ? ORDER BY point').all(sweepId) as { point: number; run_id: number; assignments: string }[];
    return new Map(rows.map((r) => [r.point, { runId: r.run_id, assignments: JSON.parse(r.assignments) }]));
  }

  getRun(id: number): RunRecord | null {
    const row = this.db.prepare(`${SELECT_RUN} WHERE r.id = ?`).get(id) as RawRun | undefined;
    return row ? this.record(row) : null;
  }

  /** Top-level runs (not sweep points), newest first. */
  listRuns(limit = 50): RunRecord[] {
    const rows = this.db.prepare(`${SELECT_RUN} WHERE r.parent_id IS NULL ORDER BY r.id DESC LIMIT ?`).all(limit) as RawRun[];
    return rows.map((r) => this.record(r));
  }

  /** Top-level runs, newest first, a page of them, optionally of one scenario name and kind; with the count of all that match. */
  listRunsPage(o: { limit: number; offset: number; name?: string; kind?: RunKind }): { total: number; runs: RunRecord[] } {
    const where = ['r.parent_id IS NULL'], args: unknown[] = [];
    if (o.name !== undefined) { where.push('r.name = ?'); args.push(o.name); }
    if (o.kind !== undefined) { where.push('r.kind = ?'); args.push(o.kind); }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM runs r WHERE ${w}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`${SELECT_RUN} WHERE ${w} ORDER BY r.id DESC LIMIT ? OFFSET ?`).all(...args, o.limit, o.offset) as RawRun[];
    return { total, runs: rows.map((r) => this.record(r)) };
  }

  children(id: number): RunRecord[] {
    const rows = this.db.prepare(`${SELECT_RUN} WHERE r.parent_id = ? ORDER BY r.id`).all(id) as RawRun[];
    return rows.map((r) => this.record(r));
  }

  armConfigs(runId: number): { arm: number; label: string; config: ModelConfig }[] {
    const rows = this.db.prepare('SELECT arm, label, config FROM arms WHERE run_id = ? ORDER BY arm').all(runId) as { arm: number; label: string; config: string }[];
    return rows.map((r) => ({ arm: r.arm, label: r.label, config: JSON.parse(r.config) as ModelConfig }));
  }

  /** The stored result buffers of one arm, by replication index. */
  replicationBuffers(runId: number, arm = 0): Map<number, Float64Array> {
    const rows = this.db.prepare('SELECT replication, result FROM replications WHERE run_id = ? AND arm = ? ORDER BY replication').all(runId, arm) as { replication: number; result: Buffer }[];
    return new Map(rows.map((r) => [r.replication, fromBlob(r.result)]));
  }

  replicationTotals(runId: number): { arm: number; replication: number; events: number; wallSeconds: number; totals: Record<string, number | null> }[] {
    const rows = this.db.prepare('SELECT arm, replication, events, wall_seconds, totals FROM replications WHERE run_id = ? ORDER BY arm, replication').all(runId) as { arm: number; replication: number; events: number; wall_seconds: number; totals: string }[];
    return rows.map((r) => ({ arm: r.arm, replication: r.replication, events: r.events, wallSeconds: r.wall_seconds, totals: JSON.parse(r.totals) }));
  }

  intervals(runId: number): IntervalRow[] {
    return this.db.prepare('SELECT arm, interval, start, end, kpi, mean, ci95 FROM intervals WHERE run_id = ? ORDER BY arm, interval').all(runId) as IntervalRow[];
  }

  private record(r: RawRun): RunRecord {
    const stale = this.stale.get(r.id);
    return {
      id: r.id,
      kind: r.kind,
      parentId: r.parent_id,
      name: r.name,
      status: stale !== undefined ? 'interrupted' : r.status,
      created: r.created,
      updated: r.updated,
      seed: r.seed,
      codeVersion: r.code_version,
      scenario: r.scenario,
      options: JSON.parse(r.options),
      result: r.result === null ? null : JSON.parse(r.result),
      error: r.error,
      note: stale ?? r.note ?? null,
      pid: r.pid ?? null,
      host: r.host ?? null,
      replications: r.n_replications,
    };
  }
}

const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

const SELECT_RUN = `SELECT r.*, (SELECT COUNT(*) FROM replications p WHERE p.run_id = r.id) +
  (SELECT COUNT(*) FROM replications p JOIN runs c ON p.run_id = c.id WHERE c.parent_id = r.id) AS n_replications FROM runs r`;

/** A runs row; pid, host and note are absent in stores of version 1 (read as they are). */
interface RawRun {
  id: number; kind: RunKind; parent_id: number | null; name: string; status: RunStatus; created: string; updated: string;
  seed: number | null; code_version: string; scenario: string; options: string; result: string | null; error: string | null;
  pid?: number | null; host?: string | null; note?: string | null;
  n_replications: number;
}
