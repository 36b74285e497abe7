import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../sim/src/cli.ts';
import type { Io } from '../../sim/src/cli/io.ts';
import { fmtKpi } from '../../sim/src/cli/table.ts';

/**
 * Issue 12, items 1 and 5: `run` leads with each channel (phone first) and prints no
 * all-channel wait or service level; the warm-up it measures from is reported, and
 * the warm-up intervals are marked so that the measured rows sum to the totals.
 */

const BASELINE = fileURLToPath(new URL('../../scenarios/baseline-day.yaml', import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s) };
  const code = await main(['node', 'cctwin', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let dir = '';
let db = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'cctwin-report-')); db = join(dir, 'runs.db'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lines of the section that starts with `title` (up to the next blank line). */
function section(text: string, title: RegExp): string[] {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => title.test(l));
  if (i < 0) return [];
  const end = lines.findIndex((l, j) => j > i && l.trim() === '');
  return lines.slice(i, end < 0 ? undefined : end);
}

describe('cctwin run: channels first, no mixed waits', () => {
  it('prints the per-channel table first, phone first, with the same phone ASA and service level as byChannel.phone', async () => {
    const args = ['run', BASELINE, '-r', '2', '--workers', '2', '--db', db];
    const json = await cli(...args, '--json');
    const text = await cli(...args);
    expect(json.code).toBe(0);
    expect(text.code).toBe(0);
    const o = JSON.parse(json.out);
    const phone = o.byChannel.phone;
    // the bug: the headline ASA mixed email replies of hours with phone waits of seconds
    expect(o.totals.asa.mean).toBeGreaterThan(10 * phone.asa.mean);
    const channels = section(text.out, /^by channel/);
    expect(channels.length).toBeGreaterThan(5);
    expect(channels[1].split(/\s+/)).toEqual(['KPI', 'phone', 'im', 'email', 'fax']);
    const asaRow = channels.find((l) => l.startsWith('asa '))!;
    expect(asaRow.slice(4).trim().startsWith(fmtKpi('asa', phone.asa.mean))).toBe(true);
    const slRow = channels.find((l) => l.startsWith('serviceLevel '))!;
    expect(slRow.slice(13).trim().startsWith(fmtKpi('serviceLevel', phone.serviceLevel.mean))).toBe(true);
    // the channel table comes before any other table
    const firstTable = text.out.split('\n').findIndex((l) => /^KPI\s/.test(l) || /^type\s/.test(l) || /^site\s/.test(l));
    expect(text.out.split('\n')[firstTable - 1]).toMatch(/^by channel/);
    // no unlabelled all-channel wait, service level, abandonment or handle time anywhere
    const totals = section(text.out, /^all channels/);
    expect(totals[0]).toMatch(/all channels \(phone \+ im \+ email \+ fax\)/);
    for (const k of ['asa', 'aht', 'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'replyOnTime']) {
      expect(totals.some((l) => l.startsWith(`${k} `)), k).toBe(false);
    }
    expect(text.out).not.toContain(fmtKpi('asa', o.totals.asa.mean));
    expect(totals.find((l) => l.startsWith('arrivals '))).toContain(fmtKpi('arrivals', o.totals.arrivals.mean));
    // the JSON says what its totals mix
    expect(o.totalsScope.channels).toEqual(['phone', 'im', 'email', 'fax']);
    expect(o.totalsScope.mixed).toEqual(expect.arrayContaining(['asa', 'serviceLevel']));
    // per type and per site, the phone figures by site
    expect(section(text.out, /^by contact type/).some((l) => /^flight-zh-phone\s+phone\s/.test(l))).toBe(true);
    expect(section(text.out, /^by site/)[1]).toMatch(/^site\s+arrivals\s+offered\s+answered\s+phone serviceLevel\s+phone asa\s+occupancy/);
    expect(o.bySiteChannel.nantong.phone.answered.mean + o.bySiteChannel.shanghai.phone.answered.mean).toBeCloseTo(phone.answered.mean, 6);
    expect(o.typeChannels['flight-zh-email']).toBe('email');
    expect(o.deadlineChannels).toEqual(['email', 'fax']);
  });
});

describe('cctwin run --warmup: the effective warm-up and the warm-up rows', () => {
  it('reports the warm-up rounded up to whole intervals, marks the warm-up rows, and the measured rows sum to the totals', async () => {
    const r = await cli('run', BASELINE, '-r', '2', '--warmup', '2700', '--workers', '2', '--json', '--db', db);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.warmup).toBe(2700); // as asked
    expect(o.warmupEffective).toBe(3600); // 30-minute intervals: measured from the third
    expect(o.intervals.map((i: { warmup: boolean }) => i.warmup).slice(0, 4)).toEqual([true, true, false, false]);
    expect(o.intervals.filter((i: { warmup: boolean }) => i.warmup).length).toBe(2);
    for (const k of ['arrivals', 'offered', 'answered', 'abandoned', 'deflected', 'ivrHangup']) {
      const measured = o.intervals.filter((i: { warmup: boolean }) => !i.warmup).reduce((s: number, i: Record<string, { mean: number }>) => s + i[k].mean, 0);
      const all = o.intervals.reduce((s: number, i: Record<string, { mean: number }>) => s + i[k].mean, 0);
      expect(measured + o.afterHorizon[k].mean, k).toBeCloseTo(o.totals[k].mean, 6);
      if (k === 'arrivals') expect(all).toBeGreaterThan(o.totals[k].mean); // the warm-up rows are in the list, marked
    }
    const text = await cli('run', BASELINE, '-r', '2', '--warmup', '2700', '--workers', '2', '--db', db);
    expect(text.out.split('\n')[1]).toBe('warm-up: 2,700 s requested, measuring from 3,600 s (whole 1,800 s intervals)');
    const whole = await cli('run', BASELINE, '-r', '1', '--warmup', '1h', '--workers', '1', '--db', db);
    expect(whole.out.split('\n')[1]).toBe('warm-up: 3,600 s, measuring from 3,600 s');
  });
});
