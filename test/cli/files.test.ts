import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fixtures/cli.ts';

/**
 * Output files are checked before any work: an output in a missing folder, a folder
 * given as a file, or an output that is an input, the run store or another output is
 * refused with exit 2, every problem in one report, nothing written or stored.
 */

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const BASELINE = fileURLToPath(new URL('../../scenarios/baseline-day.yaml', import.meta.url));
const CALLS = fileURLToPath(new URL('../fixtures/calls-small.csv', import.meta.url));


let dir = '';
let scenario = '';
let db = '';
let runId = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctwin-files-'));
  scenario = join(dir, 'day.yaml');
  copyFileSync(FIXTURE, scenario);
  db = join(dir, 'runs.db');
  const r = await cli('run', scenario, '-r', '2', '--workers', '1', '--db', db);
  expect(r.code).toBe(0);
  runId = Number(/run (\d+) saved/.exec(r.out)![1]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bytes of the files given, to show they did not change. */
const snapshot = (...files: string[]) => files.map((f) => readFileSync(f).toString('base64'));

function refused(r: { code: number; err: string }): void {
  expect(r.code, r.err).toBe(2);
  expect(r.err).not.toMatch(/\n\s+at |SqliteError|ENOENT|EISDIR/);
}

describe('run: outputs checked before the run', () => {
  it('--out in a missing folder fails at once: no run stored, no store created', async () => {
    const fresh = join(dir, 'fresh.db');
    const r = await cli('run', scenario, '--out', join(dir, 'nowhere', 'x.json'), '--workers', '1', '--db', fresh);
    refused(r);
    expect(r.err).toContain(`--out = "${join(dir, 'nowhere', 'x.json')}": must be in an existing folder (${join(dir, 'nowhere')} does not exist)`);
    expect(existsSync(fresh)).toBe(false);
  });

  it('--out in a folder that takes no new file although its permissions allow it (/proc): refused at once, not "a bug" after the work', async () => {
    const fresh = join(dir, 'proc.db');
    const r = await cli('run', scenario, '--out', '/proc/cctwin-out.json', '--workers', '1', '--db', fresh);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('--out = "/proc/cctwin-out.json": must be in a folder where files can be created (/proc refused one: ');
    expect(r.err).not.toMatch(/a bug/);
    expect(existsSync(fresh)).toBe(false);
    const c = await cli('calibrate', CALLS, '--format', 'csv', '--out', '/proc/cctwin-fit.yaml');
    expect(c.code).toBe(2);
    expect(c.err).toContain('--out = "/proc/cctwin-fit.yaml": must be in a folder where files can be created');
    // the probe leaves nothing behind where it could create the file
    const ok = join(dir, 'probe-out.json');
    expect((await cli('run', scenario, '--out', ok, '--seed', 'x', '--workers', '1', '--db', fresh)).code).toBe(2);
    expect(existsSync(ok)).toBe(false);
  });

  it('--event-log onto the run store leaves the store as it was', async () => {
    const before = snapshot(db);
    const r = await cli('run', scenario, '--workers', '1', '--db', db, '--event-log', db);
    refused(r);
    expect(r.err).toContain(`--event-log = "${db}": must not be the run store (--db ${db}: the same path): writing it would destroy it`);
    expect(snapshot(db)).toEqual(before);
    expect((await cli('runs', 'list', '--json', '--db', db)).out).toContain(`"id": ${runId}`);
  });

  it('--out onto the scenario, by its path, a symbolic link or a hard link, leaves the scenario as it was', async () => {
    const sym = join(dir, 'sym.json');
    const hard = join(dir, 'hard.json');
    symlinkSync(scenario, sym);
    linkSync(scenario, hard);
    const before = snapshot(scenario, db);
    for (const out of [scenario, sym, hard]) {
      const r = await cli('run', scenario, '--out', out, '--workers', '1', '--db', db);
      refused(r);
      expect(r.err).toContain(`--out = "${out}": must not be the scenario file (${scenario}: ${out === scenario ? 'the same path' : 'the same file, by another path or a link'})`);
    }
    expect(snapshot(scenario, db)).toEqual(before);
  });

  it('reports every problem at once, with the scenario\'s: a folder as --out, the scenario as --event-log and as --db', async () => {
    const before = snapshot(scenario, db);
    const r = await cli('run', scenario, '--set', 'agents=-1', '--out', dir, '--event-log', scenario, '--workers', '1', '--db', scenario);
    refused(r);
    expect(r.err).toMatch(/^error: cctwin run: 4 problems/); // three options and the scenario's
    expect(r.err).toContain(`--db = "${scenario}": must be a run store (this file is not an SQLite database; cctwin leaves it as it is)`);
    expect(r.err).toContain(`--out = "${dir}": must be a file, not a folder`);
    expect(r.err).toContain(`--event-log = "${scenario}": must not be the scenario file (${scenario}: the same path)`);
    expect(r.err).toMatch(/agents = -1/);
    expect(snapshot(scenario, db)).toEqual(before);
  });

  it('--out onto the scenario\'s plug-in routing policy is refused; the policy is unchanged', async () => {
    const center = join(dir, 'center.yaml');
    copyFileSync(BASELINE, center);
    const policy = join(dir, 'policy.mjs');
    writeFileSync(policy, 'export default { name: "mine", score: () => 0 };\n');
    const r = await cli('run', center, '--set', 'routing.policy=./policy.mjs', '--allow-policy', policy, '--out', policy, '--workers', '1', '--db', db);
    refused(r);
    expect(r.err).toContain(`--out = "${policy}": must not be the scenario's routing policy (${policy}: the same path)`);
    expect(readFileSync(policy, 'utf8')).toBe('export default { name: "mine", score: () => 0 };\n');
  });

  it('refuses an output that is the store\'s journal or another output', async () => {
    const same = join(dir, 'same.json');
    const r = await cli('run', scenario, '--out', same, '--event-log', same, '--workers', '1', '--db', db);
    refused(r);
    expect(r.err).toContain(`--event-log = "${same}": must not be the result file (--out ${same}: the same path)`);
    const wal = await cli('run', scenario, '--event-log', `${db}-wal`, '--workers', '1', '--db', db);
    refused(wal);
    expect(wal.err).toContain(`--event-log = "${db}-wal": must not be the run store's -wal file`);
    expect(existsSync(same)).toBe(false);
  });

  it('compare and sweep refuse a --db that is a scenario, and sweep --resume a store that does not exist (creating nothing)', async () => {
    const before = snapshot(scenario);
    for (const args of [['compare', scenario, '--set', 'agents=12'], ['sweep', scenario, '--set', 'agents=10,12']]) {
      const r = await cli(...args, '--workers', '1', '--db', scenario);
      refused(r);
      expect(r.err).toContain(`--db = "${scenario}": must be a run store (this file is not an SQLite database`);
    }
    expect(snapshot(scenario)).toEqual(before);
    const missing = join(dir, 'missing.db');
    const r = await cli('sweep', '--resume', '1', '--db', missing);
    refused(r);
    expect(r.err).toContain(`--db = "${missing}": must be an existing run store`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('runs export and calibrate', () => {
  it('runs export --out onto the store it reads is refused; the store is unchanged', async () => {
    const before = snapshot(db);
    const r = await cli('runs', 'export', String(runId), '--format', 'json', '--out', db, '--db', db);
    refused(r);
    expect(r.err).toContain(`--out = "${db}": must not be the run store (--db ${db}: the same path)`);
    expect(snapshot(db)).toEqual(before);
    const nowhere = await cli('runs', 'export', String(runId), '--format', 'csv', '--out', join(dir, 'no', 'x.csv'), '--db', db);
    refused(nowhere);
    expect(nowhere.err).toContain('must be in an existing folder');
  });

  it('calibrate --out onto a log (by a link), or a sidecar onto a log, is refused; the logs are unchanged', async () => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const log = join(logs, 'calls.csv');
    copyFileSync(CALLS, log);
    const link = join(logs, 'fitted.yaml');
    symlinkSync(log, link);
    const sidecarLog = join(logs, 'week.fit.json'); // a log whose name is the sidecar of week.yaml
    copyFileSync(CALLS, sidecarLog);
    const before = snapshot(log, sidecarLog);
    const r = await cli('calibrate', log, '--format', 'csv', '--out', link);
    refused(r);
    expect(r.err).toContain(`--out = "${link}": must not be a log given to fit (${log}: the same file, by another path or a link)`);
    const s = await cli('calibrate', log, sidecarLog, '--format', 'csv', '--out', join(logs, 'week.yaml'));
    refused(s);
    expect(s.err).toContain(`--out = "${join(logs, 'week.yaml')}": its sidecar ${sidecarLog} must not be a log given to fit (${sidecarLog}: the same path)`);
    expect(snapshot(log, sidecarLog)).toEqual(before);
    expect(readdirSync(logs).sort()).toEqual(['calls.csv', 'fitted.yaml', 'week.fit.json']);
    // a folder to create is fine: calibrate makes it
    const made = await cli('calibrate', log, '--format', 'csv', '--out', join(dir, 'new', 'deeper', 'x.yaml'));
    expect(made.code, made.err).toBe(0);
  });
});
