import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../sim/src/calibration/call-log.ts';
import { fitCounts, parseCounts } from '../../sim/src/calibration/counts.ts';
import { empiricalHistogram, fitHandleTime } from '../../sim/src/calibration/fit.ts';
import { observeDays } from '../../sim/src/calibration/observed-day.ts';
import { validateDays } from '../../sim/src/calibration/replay.ts';
import { main } from '../../sim/src/cli.ts';
import { loadScenario } from '../../sim/src/config/load.ts';
import { SimError } from '../../sim/src/errors.ts';
import { distMean, Sampler } from '../../sim/src/core/distributions.ts';
import { makeStream } from '../../sim/src/core/rng.ts';
import { syntheticLog } from './synthetic-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'cctwin-counts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await main(['node', 'cctwin', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * A synthetic 5-minute count series with a known profile and day-level gamma CV:
 * weekdays Monday-Friday, 07:00-21:00, Monday 1.3 times the other days, a morning
 * peak (10:00-12:00 three times the base), each day's rate times a gamma(mean 1, cv).
 */
function series(weeks: number, cv: number): { csv: string; base: number[] } {
  const r = makeStream('counts', 0, 'test');
  const mult = new Sampler({ kind: 'gamma', mean: 1, cv });
  const base = Array.from({ length: 288 }, (_, i) => (i < 84 || i >= 252 ? 0 : i >= 120 && i < 144 ? 60 : 20));
  const poisson = (m: number) => {
    if (m > 30) return Math.max(0, Math.round(m + Math.sqrt(m) * r.normal()));
    let k = 0, p = Math.exp(-m), s = p;
    const u = r.next();
    while (u > s) { k++; p *= m / k; s += p; }
    return k;
  };
  const rows = ['rownames,DateTime,Calls'];
  let n = 0;
  const first = Date.UTC(2003, 2, 3); // Monday
  for (let w = 0; w < weeks; w++) {
    for (let d = 0; d < 5; d++) {
      const day = new Date(first + (w * 7 + d) * 86400000).toISOString().slice(0, 10);
      const m = mult.sample(r) * (d === 0 ? 1.3 : 1);
      for (let i = 84; i < 252; i++) {
        const t = `${String(Math.floor(i / 12)).padStart(2, '0')}:${String((i % 12) * 5).padStart(2, '0')}:00`;
        rows.push(`${++n},${day}T${t}Z,${poisson(base[i] * m)}`);
      }
    }
  }
  return { csv: rows.join('\n'), base };
}

describe('arrival-count series (--format counts)', () => {
  const { csv, base } = series(40, 0.1);
  const fit = fitCounts(parseCounts(csv, 'syn.csv'), { name: 's', interval: 900, sources: ['syn.csv'] });

  it('recovers the intraday profile by day of week (Monday 1.3x) per 15 minutes', () => {
    expect(fit.binSeconds).toBe(300);
    expect(Object.keys(fit.byWeekday)).toEqual(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']);
    const tue = fit.byWeekday.tuesday!.perInterval, mon = fit.byWeekday.monday!.perInterval;
    // 10:00-12:00 is interval 40..47 (3 bins of 60), 14:00 interval 56 (3 bins of 20).
    expect(tue[44]).toBeGreaterThan(180 * 0.9);
    expect(tue[44]).toBeLessThan(180 * 1.1);
    expect(tue[56]).toBeGreaterThan(60 * 0.9);
    expect(tue[56]).toBeLessThan(60 * 1.1);
    expect(tue[10]).toBe(0);
    const ratio = fit.byWeekday.monday!.dailyTotal.mean / fit.byWeekday.tuesday!.dailyTotal.mean;
    expect(ratio).toBeGreaterThan(1.2);
    expect(ratio).toBeLessThan(1.4);
    expect(mon[44] / tue[44]).toBeGreaterThan(1.2);
    const expected = base.reduce((s, x) => s + x, 0);
    expect(fit.byWeekday.wednesday!.dailyTotal.mean).toBeGreaterThan(expected * 0.93);
    expect(fit.byWeekday.wednesday!.dailyTotal.mean).toBeLessThan(expected * 1.07);
  });

  it('refuses an interval shorter than the series bin, and a series with one time of day (no profile)', () => {
    const hourly = ['DateTime,Calls', '2003-03-03T08:00:00,100', '2003-03-03T09:00:00,120', '2003-03-04T08:00:00,90', '2003-03-04T09:00:00,110'].join('\n');
    // At 15 minutes each hour's calls would all land in its first quarter.
    expect(() => fitCounts(parseCounts(hourly), { name: 'h', interval: 900, sources: ['h.csv'] })).toThrow(/interval does not fit the count series/);
    const h = fitCounts(parseCounts(hourly), { name: 'h', interval: 3600, sources: ['h.csv'] });
    expect(h.perInterval.slice(8, 10)).toEqual([95, 115]);
    const daily = ['DateTime,Calls', '2003-03-03T00:00:00,3000', '2003-03-04T00:00:00,3100'].join('\n');
    let err: SimError | undefined;
    try { fitCounts(parseCounts(daily), { name: 'd', interval: 900, sources: ['d.csv'] }); } catch (e) { err = e as SimError; }
    expect(err).toBeInstanceOf(SimError);
    expect(err!.issues[0]).toMatchObject({ path: 'LOG', value: 'every count at 00:00' });
  });

  it('recovers the day-level gamma CV 0.1 pooled over weekdays, and sees none in a Poisson series', () => {
    expect(fit.pooled.days).toBe(200);
    expect(fit.pooled.gammaCv).toBeGreaterThan(0.08);
    expect(fit.pooled.gammaCv).toBeLessThan(0.12);
    const flat = fitCounts(parseCounts(series(20, 0.0001).csv), { name: 'p', interval: 900, sources: [] });
    expect(flat.pooled.gammaCv).toBeLessThan(0.02);
  });

  it('pools only weekdays seen on 2 days or more, with n - k degrees of freedom; none such: not measured, not 0', () => {
    const rows = (days: [string, number][]) => ['DateTime,Calls', ...days.flatMap(([d, n]) => [`${d}T08:00:00,${n}`, `${d}T08:15:00,${n}`])].join('\n');
    // Mondays 3 and 10 March (totals 200, 300), Tuesdays 4 and 11 (400, 400), Wednesday 5 (1,000) alone.
    const f = fitCounts(parseCounts(rows([['2003-03-03', 100], ['2003-03-10', 150], ['2003-03-04', 200], ['2003-03-11', 200], ['2003-03-05', 500]])), { name: 'g', interval: 900, sources: [] });
    expect(f.pooled.days).toBe(4);
    // ratios 0.8, 1.2, 1, 1: sum of squares 0.08 over 4 - 2 = 2 degrees of freedom = 0.04; Poisson part mean(1/250, 1/250, 1/400, 1/400) = 0.00325
    expect(f.pooled.gammaCv).toBeCloseTo(Math.sqrt(0.04 - 0.00325), 4);
    const alone = fitCounts(parseCounts(rows([['2003-03-03', 100], ['2003-03-04', 200], ['2003-03-05', 300]])), { name: 'a', interval: 900, sources: [] });
    expect(alone.pooled.days).toBe(0);
    expect(Number.isNaN(alone.pooled.gammaCv)).toBe(true);
  });

  it('cctwin calibrate --format counts writes a loadable scenario and a sidecar; bad rows are refused', async () => {
    const file = join(dir, 'syn.csv');
    writeFileSync(file, csv);
    const out = join(dir, 'c.yaml');
    const r = await cli('calibrate', file, '--format', 'counts', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/pooled day-level gamma CV 0\.\d+/);
    const cfg = loadScenario(out);
    expect(cfg.types[0].arrivalRates[44] * 900).toBeGreaterThan(150);
    expect(readFileSync(out, 'utf8')).toMatch(/PLACEHOLDERS, NOT FITTED/);
    expect(JSON.parse(readFileSync(join(dir, 'c.fit.json'), 'utf8')).byWeekday.monday.days).toBe(40);
    writeFileSync(join(dir, 'bad.csv'), 'rownames,DateTime,Calls\n1,2003-03-03T07:00:00Z,-4\n2,noon,3\n');
    const b = await cli('calibrate', join(dir, 'bad.csv'), '--format', 'counts', '--out', join(dir, 'b.yaml'));
    expect(b.code).toBe(2);
    expect(b.err).toContain('Calls = "-4"');
    expect(b.err).toContain('DateTime = "noon"');
  });
});

describe('empirical handle time (--handle empirical)', () => {
  it('a histogram that follows the observed times closely, short calls included', () => {
    const r = makeStream('ht', 0, 'test');
    const ln = new Sampler({ kind: 'lognormal', mean: 180, cv: 1.2 });
    const v = Array.from({ length: 5000 }, () => (r.next() < 0.06 ? 10 * r.next() : ln.sample(r)));
    const h = empiricalHistogram(v, 10);
    if (h.kind !== 'histogram') throw new Error('not a histogram');
    expect(h.edges).toContain(10);
    expect(h.counts.reduce((s, x) => s + x, 0)).toBe(5000);
    const f = fitHandleTime(v, 10, 'empirical');
    expect(f.mode).toBe('empirical');
    expect(f.ks).toBeLessThan(0.015);
    // the mixture fits this data too (it is its true law): both small
    expect(f.ksOther).toBeLessThan(0.03);
  });
  it('keeps the mean of the observed times: the last bin, up to the longest call, is not spread uniformly to it', () => {
    const r = makeStream('ht-mean', 0, 'test');
    const ln = new Sampler({ kind: 'lognormal', mean: 180, cv: 2 });
    const v = Array.from({ length: 20000 }, () => ln.sample(r));
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    const h = empiricalHistogram(v, 10);
    expect(distMean(h) / m).toBeGreaterThan(0.995);
    expect(distMean(h) / m).toBeLessThan(1.005); // 1.245 when the last bin ran to the longest time
    // Hand-worked: 1001 times, 995 of 100 s, five of 1000 s and one of 5000 s. The top 0.5% starts at the
    // 995th (1000 s); its six times have mean 10000 / 6 s, so the bin runs from 1000 s to 2333.3 s, not to 5001 s.
    const w = [...new Array<number>(995).fill(100), ...new Array<number>(5).fill(1000), 5000];
    const hw = empiricalHistogram(w, 0);
    expect(hw.edges.at(-2)).toBe(1000);
    expect(hw.edges.at(-1)).toBe(2333.3);
    expect(hw.counts.at(-1)).toBe(6);
  });
});

describe('customer classes in the replay', () => {
  // Two classes with the same law; one agent pool. Under priority routing the
  // priority class must wait less than the regular one; under FIFO they wait alike.
  const spec = {
    days: 3, interval: 900, agents: 6, handleTime: { kind: 'exponential', mean: 180 } as const, patience: { kind: 'exponential', mean: 300 } as const,
    profile: Array.from({ length: 96 }, (_, i) => (i >= 32 && i < 48 ? 32 : 0)), seed: 'classes',
  };
  const calls: CallRecord[] = syntheticLog(spec).map((c, i) => ({ ...c, priority: i % 3 === 0 ? 2 : 1 }));
  const days = observeDays(calls, 900, 20, 'distinct');
  const cls = (['regular', 'priority'] as const).map((name) => ({ name, priority: name === 'priority' ? 1 : 0, handleTime: spec.handleTime, patience: spec.patience }));
  const base = { handleTime: spec.handleTime, patience: spec.patience, interval: 900, threshold: 20, replications: 4, seed: 1, arrivals: 'counts' as const, classes: cls };

  it('observes the classes separately and replays them as two types sharing the agents', () => {
    expect(days[0].classes.priority.total.offered + days[0].classes.regular.total.offered).toBe(days[0].total.offered);
    const pr = validateDays(days, { ...base, routing: 'priority' });
    const ff = validateDays(days, { ...base, routing: 'fifo' });
    for (const d of pr.days) {
      const p = d.classes!.priority!, g = d.classes!.regular!;
      expect(p.offered.simulated + g.offered.simulated).toBeCloseTo(d.offered.simulated, 6);
      expect(p.serviceLevel.simulated).toBeGreaterThan(g.serviceLevel.simulated + 0.05);
      expect(p.abandonRate.simulated).toBeLessThan(g.abandonRate.simulated / 2);
    }
    const gapFifo = ff.days.map((d) => Math.abs(d.classes!.priority!.serviceLevel.simulated - d.classes!.regular!.serviceLevel.simulated));
    expect(Math.max(...gapFifo)).toBeLessThan(0.05);
  });
});
