import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fixtures/cli.ts';
import { KPIS, TOTALS_MIXED } from '../../sim/src/metrics/summary.ts';

/**
 * runs export of a center of several channels: each interval's waits and service
 * levels per channel (from the stored replications), never the all-channel figure
 * that mixes phone waits with IM replies; one channel keeps its columns as they were.
 */

const POOL = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url)); // phone only
const TWO_CHANNELS = fileURLToPath(new URL('../fixtures/twin-small.yaml', import.meta.url)); // phone and IM

let dir = '';
let db = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'cctwin-export-')); db = join(dir, 'runs.db'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const idOf = (err: string) => /run (\d+) saved/.exec(err)![1];
const parseCsv = (text: string) => {
  const [head, ...rows] = text.split('\n').map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
};
const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

describe('cctwin runs export of a center of several channels', () => {
  it('csv: a row per interval and channel with its own KPIs; the all-channel row keeps the counts, not the mixed rates', async () => {
    const run = await cli('run', TWO_CHANNELS, '-r', '2', '--workers', '1', '--json', '--db', db);
    expect(run.code).toBe(0);
    const o = JSON.parse(run.out);
    const csv = await cli('runs', 'export', idOf(run.err), '--format', 'csv', '--db', db);
    expect(csv.code).toBe(0);
    expect(csv.err).toBe('');
    expect(csv.out.split('\n')[0]).toMatch(/^run,arm,interval,start,end,channel,arrivals,/);
    const rows = parseCsv(csv.out);
    expect(rows).toHaveLength(o.intervals.length * 3);
    for (let i = 0; i < o.intervals.length; i++) {
      const iv = o.intervals[i];
      const [all, phone, im] = rows.filter((r) => Number(r.interval) === i);
      expect([all.channel, phone.channel, im.channel]).toEqual(['all', 'phone', 'im']);
      for (const k of TOTALS_MIXED) expect(all[k], `${k} of the all-channel row ${i}`).toBe('');
      expect(num(all.offered)).toBeCloseTo(iv.offered.mean, 9);
      expect(num(all.occupancy)).toBeCloseTo(iv.occupancy.mean, 9);
      for (const [ch, row] of [['phone', phone], ['im', im]] as const) {
        for (const k of ['offered', 'serviceLevel', 'asa', 'abandonRate'] as const) {
          const want = iv.byChannel[ch][k].mean;
          if (want === null) expect(row[k]).toBe('');
          else expect(num(row[k]), `${ch} ${k} of interval ${i}`).toBeCloseTo(want, 9);
        }
        expect(row.replyOnTime).toBe(''); // no reply deadline here
        expect(row.occupancy).toBe(''); // per site and for all agents, not per channel
      }
      expect(num(phone.offered)! + num(im.offered)!).toBeCloseTo(num(all.offered)!, 9);
    }
  });

  it('json: intervals[].byChannel, and intervalsScope saying what the all-channel figures mix', async () => {
    const run = await cli('run', TWO_CHANNELS, '-r', '2', '--workers', '1', '--json', '--db', db);
    const o = JSON.parse(run.out);
    const ex = JSON.parse((await cli('runs', 'export', idOf(run.err), '--format', 'json', '--db', db)).out);
    const part = ex.parts[0];
    expect(part.intervalsScope[0]).toMatchObject({ arm: 'A', channels: ['phone', 'im'], mixed: TOTALS_MIXED });
    expect(part.intervalsScope[0].note).toMatch(/read them in intervals\[\]\.byChannel/);
    expect(part.intervals).toHaveLength(o.intervals.length);
    for (let i = 0; i < o.intervals.length; i++) {
      expect(part.intervals[i].byChannel.im.asa.mean).toBeCloseTo(o.intervals[i].byChannel.im.asa.mean ?? NaN, 9);
      expect(part.intervals[i].byChannel.phone.serviceLevel.ci95).toBeCloseTo(o.intervals[i].byChannel.phone.serviceLevel.ci95 ?? NaN, 9);
    }
  });

  it('a compare: each arm per channel, over the replications both arms finished', async () => {
    const cmp = await cli('compare', TWO_CHANNELS, '--set', 'agentGroups[0].agents=3,5', '-r', '2', '--workers', '1', '--json', '--db', db);
    expect(cmp.code).toBe(0);
    const id = /compare (\d+) saved/.exec(cmp.err)![1];
    const o = JSON.parse(cmp.out);
    const rows = parseCsv((await cli('runs', 'export', id, '--format', 'csv', '--db', db)).out);
    const b = rows.filter((r) => r.arm.startsWith('B') && r.channel === 'phone');
    expect(b).toHaveLength(8);
    expect(o.replications).toBe(2);
    // arm B is the scenario with 5 agents in group 0, over the same replications (same seed)
    const alone = JSON.parse((await cli('run', TWO_CHANNELS, '--set', 'agentGroups[0].agents=5', '-r', '2', '--workers', '1', '--json', '--db', db)).out);
    for (let i = 0; i < 8; i++) expect(num(b[i].serviceLevel)).toBeCloseTo(alone.intervals[i].byChannel.phone.serviceLevel.mean, 9);
  });
});

describe('cctwin runs export of one channel', () => {
  it('keeps its columns: one row per interval, every KPI, no channel column', async () => {
    const run = await cli('run', POOL, '-r', '2', '--workers', '1', '--json', '--db', db);
    const o = JSON.parse(run.out);
    const csv = await cli('runs', 'export', idOf(run.err), '--format', 'csv', '--db', db);
    expect(csv.out.split('\n')[0]).toBe(['run', 'arm', 'interval', 'start', 'end', ...KPIS.flatMap((k) => [k, `${k}_ci95`]), 'warmup'].join(','));
    const rows = parseCsv(csv.out);
    expect(rows).toHaveLength(o.intervals.length);
    expect(num(rows[2].serviceLevel)).toBeCloseTo(o.intervals[2].serviceLevel.mean, 12);
  });
});

describe('cctwin runs export when the replications cannot give the channels', () => {
  it('leaves the mixed KPIs out of the all-channel rows and says why', async () => {
    const own = join(dir, 'no-buffers.db');
    const run = await cli('run', TWO_CHANNELS, '-r', '2', '--workers', '1', '--db', own);
    const id = /run (\d+) saved/.exec(run.out)![1];
    // a store whose replications are gone (e.g. a results layout of another version)
    const Database = (await import('better-sqlite3')).default;
    const sql = new Database(own);
    sql.prepare('DELETE FROM replications WHERE run_id = ?').run(Number(id));
    sql.close();
    const csv = await cli('runs', 'export', id, '--format', 'csv', '--db', own);
    expect(csv.code).toBe(0);
    expect(csv.err).toMatch(/cannot give the per-channel interval figures \(phone, im\); its all-channel rows leave out serviceLevel/);
    const rows = parseCsv(csv.out);
    expect(rows.every((r) => r.channel === 'all' && r.serviceLevel === '' && r.asa === '' && r.offered !== '')).toBe(true);
    const json = JSON.parse((await cli('runs', 'export', id, '--format', 'json', '--db', own)).out);
    expect(json.parts[0].intervalsScope[0].note).toMatch(/cannot give them per channel/);
    expect(json.parts[0].intervals[0].byChannel).toBeUndefined();
  });
});
