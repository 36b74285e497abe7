import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fixtures/cli.ts';
import { fmtKpi } from '../../sim/src/cli/table.ts';

/**
 * Issue 12, items 1 and 5: `run` leads with each channel (phone first) and prints no
 * all-channel wait or service level; the warm-up it measures from is reported, and
 * the warm-up intervals are marked so that the measured rows sum to the totals.
 */

const BASELINE = fileURLToPath(new URL('../../scenarios/baseline-day.yaml', import.meta.url));


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
    // Issue 12, item 3: each type's backlog and overdue (at the horizon) add up to its channel's.
    expect(o.byChannel.email.backlog.mean).toBeGreaterThan(0);
    for (const ch of o.totalsScope.channels as string[]) {
      const types = Object.keys(o.typeChannels).filter((t) => o.typeChannels[t] === ch);
      for (const k of ['backlog', 'overdue']) {
        expect(types.reduce((a, t) => a + o.byType[t][k].mean, 0), `${ch} ${k}`).toBeCloseTo(o.byChannel[ch][k].mean, 6);
      }
    }
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
    // the run store's export marks the warm-up rows too
    const id = /run (\d+) saved/.exec(r.err)![1];
    const csv = (await cli('runs', 'export', id, '--format', 'csv', '--db', db)).out.split('\n');
    expect(csv[0].split(',').at(-1)).toBe('warmup');
    // (several channels: the all-channel row of each interval, then one per channel)
    expect(csv[0].split(',')[5]).toBe('channel');
    const allRows = csv.slice(1).filter((l) => l.split(',')[5] === 'all');
    expect(allRows.slice(0, 4).map((l) => l.split(',').at(-1))).toEqual(['1', '1', '0', '0']);
    expect(csv.slice(1).filter((l) => l.split(',')[5] === 'phone').slice(0, 4).map((l) => l.split(',').at(-1))).toEqual(['1', '1', '0', '0']);
    const show = await cli('runs', 'show', id, '--db', db);
    expect(show.out).toContain('warm-up: 2,700 s requested, measuring from 3,600 s');
    expect(show.out).toMatch(/^by channel/m);
    const text = await cli('run', BASELINE, '-r', '2', '--warmup', '2700', '--workers', '2', '--db', db);
    expect(text.out.split('\n')[1]).toBe('warm-up: 2,700 s requested, measuring from 3,600 s (whole 1,800 s intervals)');
    const whole = await cli('run', BASELINE, '-r', '1', '--warmup', '1h', '--workers', '1', '--db', db);
    expect(whole.out.split('\n')[1]).toBe('warm-up: 3,600 s, measuring from 3,600 s');
  });
});

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));

interface Test { baseline: number | null; variant: number | null; difference: number | null; ci95: number | null; ciAdjusted: number | null; p: number | null; pAdjusted: number | null; significant: boolean | null }
type Scope = Record<string, Test>;

describe('cctwin compare: per channel and per contact type (issue 12 items 1, 2)', () => {
  it('a scenario against itself: zero differences everywhere, nothing significant, the phone table first', async () => {
    const json = await cli('compare', BASELINE, BASELINE, '-r', '3', '--workers', '2', '--json', '--db', db);
    expect(json.code).toBe(0);
    const o = JSON.parse(json.out);
    expect(o.correction).toMatchObject({ method: 'none', comparisons: 1 });
    const [c] = o.comparisons;
    expect(c).toMatchObject({ arm: 'B', against: 'A' });
    expect(Object.keys(c.byChannel)).toEqual(['phone', 'im', 'email', 'fax']);
    expect(Object.keys(c.byType)).toContain('flight-zh-email');
    const scopes: Scope[] = [c.totals, ...Object.values(c.byChannel) as Scope[], ...Object.values(c.byType) as Scope[]];
    for (const s of scopes) {
      for (const [k, t] of Object.entries(s)) {
        if (t.difference === null) continue;
        expect(t.difference, k).toBe(0);
        expect(t.significant, k).toBe(false);
      }
    }
    const text = await cli('compare', BASELINE, BASELINE, '-r', '3', '--workers', '2', '--db', db);
    const lines = text.out.split('\n');
    const firstTable = lines.findIndex((l) => /^KPI\s/.test(l));
    expect(lines[firstTable - 1]).toMatch(/^phone/);
    expect(lines[firstTable]).toMatch(/^KPI\s+A\s+B\s+B - A\s+paired 95% CI\s+significant\s+p$/);
    expect(text.out).toMatch(/^im$/m);
    expect(text.out).toMatch(/^email$/m);
    expect(text.out).toMatch(/^by contact type/m);
    expect(text.out).toMatch(/^all channels \(phone \+ im \+ email \+ fax\): counts/m);
    // no all-channel wait or service level in the compare either
    const all = section(text.out, /^all channels/);
    for (const k of ['asa', 'aht', 'serviceLevel', 'abandonRate']) expect(all.some((l) => l.startsWith(`${k} `)), k).toBe(false);
  });

  it('more email agents: the email wait falls, no phone KPI moves', async () => {
    const { parse } = await import('yaml');
    const { applyAssignments, readScenarioText } = await import('../../sim/src/experiments/overrides.ts');
    const text = readScenarioText(BASELINE);
    const doc = parse(text) as { agentGroups: { name: string; agents: number[] }[] };
    const edits = doc.agentGroups.flatMap((g, i) => (g.name.startsWith('email-') ? [{ path: `agentGroups[${i}].agents`, value: g.agents.map((n) => n + 3) }] : []));
    expect(edits.length).toBe(2);
    const variant = join(dir, 'more-email-agents.yaml');
    writeFileSync(variant, applyAssignments(text, edits));
    const r = await cli('compare', BASELINE, variant, '-r', '3', '--workers', '2', '--json', '--db', db);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out).comparisons[0];
    expect(c.byChannel.email.asa.difference).toBeLessThan(0);
    for (const [k, t] of Object.entries(c.byChannel.phone as Scope)) expect(t.significant === true, `phone ${k}`).toBe(false);
    for (const type of Object.keys(c.byType).filter((t) => t.endsWith('-phone'))) {
      for (const [k, t] of Object.entries(c.byType[type] as Scope)) expect(t.significant === true, `${type} ${k}`).toBe(false);
    }
  });

  it('three arms: each variant against A, Holm-adjusted p-values and Bonferroni CIs, named in the output', async () => {
    const r = await cli('compare', FIXTURE, '--set', 'agents=11,12,13', '-r', '5', '--workers', '2', '--json', '--db', db);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.arms.map((a: { arm: string; label: string }) => [a.arm, a.label])).toEqual([
      ['A', `A: ${FIXTURE} [agents=11]`], ['B', `B: ${FIXTURE} [agents=12]`], ['C', `C: ${FIXTURE} [agents=13]`],
    ]);
    expect(o.correction).toMatchObject({ method: 'holm', comparisons: 2, ci: 'bonferroni', ciLevel: 0.975 });
    const [b, c] = o.comparisons;
    expect([b.arm, c.arm]).toEqual(['B', 'C']);
    for (const k of ['serviceLevel', 'asa', 'aht', 'abandonRate', 'occupancy']) {
      const pb = b.totals[k].p, pc = c.totals[k].p;
      // Holm by hand for m = 2: the smaller p times 2, the larger p times 1, kept non-decreasing
      const [lo, hi] = pb <= pc ? [pb, pc] : [pc, pb];
      const adjLo = Math.min(1, 2 * lo), adjHi = Math.max(adjLo, Math.min(1, hi));
      expect(pb <= pc ? b.totals[k].pAdjusted : c.totals[k].pAdjusted, k).toBeCloseTo(adjLo, 12);
      expect(pb <= pc ? c.totals[k].pAdjusted : b.totals[k].pAdjusted, k).toBeCloseTo(adjHi, 12);
      for (const t of [b.totals[k], c.totals[k]]) {
        expect(t.significant, k).toBe(t.pAdjusted < 0.05);
        // Bonferroni: t(1 - 0.05/4, 4) / t(0.975, 4) = 3.4954 / 2.7764
        if (t.ci95 > 0) expect(t.ciAdjusted / t.ci95, k).toBeCloseTo(3.495406 / 2.776445, 4);
      }
    }
    expect(b.byChannel.phone.serviceLevel.significant).toBe(true);
    const text = await cli('compare', FIXTURE, '--set', 'agents=11,12,13', '-r', '5', '--workers', '2', '--db', db);
    expect(text.out).toContain('2 variants against A, corrected for multiple comparisons: significant when the Holm-Bonferroni adjusted p < 0.05');
    expect(text.out).toMatch(/^KPI\s+A\s+B\s+C\s+B - A\s+97\.5% CI\s+significant\s+p \(Holm\)\s+C - A\s+97\.5% CI\s+significant\s+p \(Holm\)$/m);
  });

  it('--set with one file: a plain value is refused as ambiguous (exit 2, naming --set); values must match the arms', async () => {
    const plain = await cli('compare', FIXTURE, '--set', 'agents=13', '--db', db);
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/--set = "agents=13": is ambiguous with one scenario file/);
    const mismatch = await cli('compare', FIXTURE, FIXTURE, '--set', 'agents=11,12,13', '--db', db);
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toMatch(/--set = "agents=11,12,13": gives 3 values for 2 arms/);
    const uneven = await cli('compare', FIXTURE, '--set', 'agents=11,12', '--set', 'handleTime.mean=50,55,60', '--db', db);
    expect(uneven.code).toBe(2);
    expect(uneven.err).toMatch(/gives 3 values for 2 arms/);
    // with two files a plain value applies to both arms
    const both = await cli('compare', FIXTURE, FIXTURE, '--set', 'agents=12', '-r', '2', '--workers', '1', '--json', '--db', db);
    expect(both.code).toBe(0);
    expect(JSON.parse(both.out).arms.map((a: { label: string }) => a.label)).toEqual([`A: ${FIXTURE} [agents=12]`, `B: ${FIXTURE} [agents=12]`]);
  });
});

describe('cctwin sweep: waits and service levels of the lead channel, labelled', () => {
  it('prints phone serviceLevel and asa for a center with several channels, never the mixed totals', async () => {
    const r = await cli('sweep', BASELINE, '--set', 'seed=1,2', '-r', '1', '--workers', '2', '--db', db);
    expect(r.code).toBe(0);
    const header = r.out.split('\n').find((l) => l.startsWith('#'))!;
    expect(header).toMatch(/phone serviceLevel\s+phone abandonRate\s+phone asa\s+phone aht\s+occupancy/);
  });
});

describe('cctwin run: weekly tables from two weeks on (issue 12, item 10)', () => {
  it('prints per week and channel offered, answered, service level, ASA and abandonment as in weeks[].byChannel; none for a day', async () => {
    const file = join(dir, 'fortnight.yaml');
    writeFileSync(file, [
      'name: fortnight', 'horizon: 15d', 'interval: 1h', 'arrivals: { perDay: 1500 }',
      'handleTime: { kind: exponential, mean: 180 }', 'patience: { kind: exponential, mean: 120 }', 'agents: 4', '',
    ].join('\n'));
    const args = ['run', file, '-r', '2', '--workers', '1', '--db', db];
    const json = await cli(...args, '--json');
    const text = await cli(...args);
    expect(text.code).toBe(0);
    const o = JSON.parse(json.out);
    expect(o.weeks).toHaveLength(3);
    const rows = section(text.out, /^by week and channel/);
    expect(rows[1].split(/\s+/)).toEqual(['days', 'channel', 'offered', 'answered', 'serviceLevel', 'asa', 'abandonRate']);
    expect(rows.slice(3).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['1-7', 'phone'], ['8-14', 'phone'], ['15-15', 'phone']]);
    o.weeks.forEach((w: { byChannel: Record<string, Record<string, { mean: number }>> }, i: number) => {
      const cells = rows[3 + i].split(/\s+/);
      expect(cells[2]).toBe(fmtKpi('offered', w.byChannel.phone.offered.mean));
      expect(cells[4]).toBe(fmtKpi('serviceLevel', w.byChannel.phone.serviceLevel.mean));
      expect(`${cells[5]} ${cells[6]}`).toBe(fmtKpi('asa', w.byChannel.phone.asa.mean));
    });
    expect(section(text.out, /^headcount by week/)).toEqual([]); // no workforce
    const day = await cli('run', file, '--set', 'horizon=1d', '-r', '1', '--workers', '1', '--db', db);
    expect(day.code).toBe(0);
    expect(day.out).not.toMatch(/by week/);
  }, 60_000);
});
