import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ModelConfig } from '../config/model-config.ts';
import { KPIS, type IntervalSummary, type KpiValues } from '../metrics/summary.ts';

/**
 * The run store: every run, compare and sweep in one embedded SQLite file.
 *
 *   runs          one row per run / compare / sweep / sweep point: kind, status,
 *                 scenario text as run, seed, code version, options, result JSON
 *   arms          the compiled model of each arm (one for a run, A and B for a compare)
 *   replications  one row per finished replication: KPI totals and the raw result buffer
 *   intervals     per-interval KPI estimates (mean and 95% half-width), long format
 *   sweep_points  grid point -> the run that holds it
 *
 * Every write that belongs together is one transaction (a replication's row; a run's
 * final status with its result and intervals), so a run stopped at any instant leaves
 * a consistent file: a replication is either fully there or absent. WAL mode lets
 * readers (runs list, the twin API) read while a run writes.
 */

export type RunKind = 'run' | 'compare' | 'sweep' | 'sweep-point';
export type RunStatus = 'running' | 'done' | 'interrupted' | 'failed';

import { DEFAULT_DB } from './location.ts';

export { DEFAULT_DB };

/** Schema version in PRAGMA user_version; each migration moves it up by one. */
const MIGRATIONS: readonly string[] = [
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
];

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

export class RunStore {
  private constructor(readonly db: Database.Database, readonly file: string) {}

  /** Opens (creating folder and file if needed) and migrates the store. */
  static open(file: string = DEFAULT_DB): RunStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const store = new RunStore(db, file);
    store.migrate();
    return store;
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Applies the migrations past user_version, each in its own transaction; running it again changes nothing. */
  private migrate(): void {
    for (let v = this.schemaVersion; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  createRun(r: NewRun): number {
    return this.db.transaction(() => {
      const t = now();
      const info = this.db.prepare(
        `INSERT INTO runs (kind, parent_id, name, status, created, updated, seed, code_version, scenario, options)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      ).run(r.kind, r.parentId ?? null, r.name, t, t, r.seed ?? null, r.codeVersion, r.scenario, json(r.options));
      const id = Number(info.lastInsertRowid);
      const arm = this.db.prepare('INSERT INTO arms (run_id, arm, label, config) VALUES (?, ?, ?, ?)');
      (r.arms ?? []).forEach((a, i) => arm.run(id, i, a.label, json(a.config)));
      return id;
    }).immediate();
  }

  /** Records one finished replication (one transaction). Re-recording the same replication replaces it. */
  addReplication(runId: number, arm: number, buf: Float64Array, totals: KpiValues): void {
    this.db.transaction(() => {
      this.db.prepare(
        `INSERT OR REPLACE INTO replications (run_id, arm, replication, events, wall_seconds, totals, result)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(runId, arm, buf[6], buf[4], buf[5], json(totals), toBlob(buf));
      this.db.prepare('UPDATE runs SET updated = ? WHERE id = ?').run(now(), runId);
    }).immediate();
  }

  /** Sets the final (or partial) result, its intervals and the status, in one transaction. */
  finishRun(runId: number, status: RunStatus, result: object | null, intervals: readonly { arm: number; rows: readonly IntervalSummary[] }[] = [], error: string | null = null): void {
    this.db.transaction(() => {
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
      this.db.prepare('UPDATE runs SET status = ?, result = ?, error = ?, updated = ? WHERE id = ?')
        .run(status, result === null ? null : json(result), error, now(), runId);
    }).immediate();
  }

  setStatus(runId: number, status: RunStatus, error: string | null = null): void {
    this.db.prepare('UPDATE runs SET status = ?, error = ?, updated = ? WHERE id = ?').run(status, error, now(), runId);
  }

  /** Creates the run of one sweep point and links it to the sweep, in one transaction. */
  createSweepPoint(sweepId: number, point: number, assignments: unknown, run: Omit<NewRun, 'kind' | 'parentId'>): number {
    return this.db.transaction(() => {
      const runId = this.createRun({ ...run, kind: 'sweep-point', parentId: sweepId });
      this.db.prepare('INSERT INTO sweep_points (sweep_id, point, assignments, run_id) VALUES (?, ?, ?, ?)').run(sweepId, point, json(assignments), runId);
      return runId;
    }).immediate();
  }

  /** Grid point -> run id of a sweep's points recorded so far. */
  sweepPoints(sweepId: number): Map<number, { runId: number; assignments: unknown }> {
    const rows = this.db.prepare('SELECT point, run_id, assignments FROM sweep_points WHERE sweep_id = ? ORDER BY point').all(sweepId) as { point: number; run_id: number; assignments: string }[];
    return new Map(rows.map((r) => [r.point, { runId: r.run_id, assignments: JSON.parse(r.assignments) }]));
  }

  getRun(id: number): RunRecord | null {
    const row = this.db.prepare(`${SELECT_RUN} WHERE r.id = ?`).get(id) as RawRun | undefined;
    return row ? record(row) : null;
  }

  /** Top-level runs (not sweep points), newest first. */
  listRuns(limit = 50): RunRecord[] {
    const rows = this.db.prepare(`${SELECT_RUN} WHERE r.parent_id IS NULL ORDER BY r.id DESC LIMIT ?`).all(limit) as RawRun[];
    return rows.map(record);
  }

  children(id: number): RunRecord[] {
    const rows = this.db.prepare(`${SELECT_RUN} WHERE r.parent_id = ? ORDER BY r.id`).all(id) as RawRun[];
    return rows.map(record);
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
}

const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

const SELECT_RUN = `SELECT r.*, (SELECT COUNT(*) FROM replications p WHERE p.run_id = r.id) +
  (SELECT COUNT(*) FROM replications p JOIN runs c ON p.run_id = c.id WHERE c.parent_id = r.id) AS n_replications FROM runs r`;

interface RawRun {
  id: number; kind: RunKind; parent_id: number | null; name: string; status: RunStatus; created: string; updated: string;
  seed: number | null; code_version: string; scenario: string; options: string; result: string | null; error: string | null;
  n_replications: number;
}

function record(r: RawRun): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    parentId: r.parent_id,
    name: r.name,
    status: r.status,
    created: r.created,
    updated: r.updated,
    seed: r.seed,
    codeVersion: r.code_version,
    scenario: r.scenario,
    options: JSON.parse(r.options),
    result: r.result === null ? null : JSON.parse(r.result),
    error: r.error,
    replications: r.n_replications,
  };
}
