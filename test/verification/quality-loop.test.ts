import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../sim/src/config/compile.ts';
import { parseScenarioText } from '../../sim/src/config/load.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import type { ScenarioInput } from '../../sim/src/config/schema.ts';
import type { WorkforceInput } from '../../sim/src/config/workforce-schema.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { decodeResult, summarize, typeMetrics, type RunSummary } from '../../sim/src/metrics/summary.ts';
import { totals } from '../fixtures/center/model.ts';

/**
 * Issue 4 at scenario level: the library's workforce scenarios, one replication each
 * (same seed: common random numbers between a scenario and its countermeasures).
 */

/** A library scenario, compiled; `edit` changes its parsed input first (a variant: no hiring). */
function load(name: string, edit?: (s: ScenarioInput) => void): ModelConfig {
  const url = new URL(`../../scenarios/${name}.yaml`, import.meta.url);
  const input = parseScenarioText(readFileSync(url, 'utf8'), name);
  edit?.(input);
  return compileScenario(input, { baseDir: new URL('../../scenarios/', import.meta.url).pathname });
}

const runs = new Map<string, { cfg: ModelConfig; buf: Float64Array; sum: RunSummary }>();
function run(name: string, variant = '', edit?: (s: ScenarioInput) => void) {
  let r = runs.get(name + variant);
  if (!r) {
    const cfg = load(name, edit);
    const buf = replicate(cfg, 0);
    r = { cfg, buf, sum: summarize(cfg, [decodeResult(buf, cfg)], 0) };
    runs.set(name + variant, r);
  }
  return r;
}

/** Mean defect rate of the 30-min intervals starting at the given hours. */
const rateAt = (s: RunSummary, hours: number[]) => hours.reduce((a, h) => a + s.intervals[h * 2].defectRate.mean!, 0) / hours.length;
const PEAK15 = [14.5, 15], PEAK18 = [17.5, 18], MORNING = [10, 10.5, 11, 11.5];

const OUTCOMES = ['blocked', 'deflected', 'ivrHangup', 'answered', 'abandoned', 'lost', 'unfinished'] as const;
function expectConservation(buf: Float64Array): void {
  const t = totals(buf, ['arrivals', ...OUTCOMES]);
  expect(OUTCOMES.reduce((a, k) => a + t[k], 0)).toBe(t.arrivals);
}

describe('new-hire wave', () => {
  it('defect rate peaks around 15:00 and 18:00, well above 10:00-12:00', () => {
    const s = run('new-hire-wave').sum;
    expect(s.intervals[29].start).toBe(14.5 * 3600);
    const base = rateAt(s, MORNING);
    expect(base).toBeGreaterThan(0);
    expect(rateAt(s, PEAK15)).toBeGreaterThan(1.8 * base);
    expect(rateAt(s, PEAK18)).toBeGreaterThan(1.8 * base);
  });

  it('new agents: more defects and longer handling than agents over a year', () => {
    const t = run('new-hire-wave').sum.byTenure;
    expect(t.under3months.handled.mean!).toBeGreaterThan(1000);
    expect(t.under3months.defectRate.mean!).toBeGreaterThan(5 * t.over12months.defectRate.mean!);
    expect(t.under3months.aht.mean!).toBeGreaterThan(1.15 * t.over12months.aht.mean!);
  });

  it('countermeasures lower both peaks, at the cost of agents off the phones', () => {
    const a = run('new-hire-wave'), b = run('new-hire-wave-countermeasures');
    expect(rateAt(b.sum, PEAK15)).toBeLessThan(0.75 * rateAt(a.sum, PEAK15));
    expect(rateAt(b.sum, PEAK18)).toBeLessThan(0.75 * rateAt(a.sum, PEAK18));
    expect(b.sum.totals.defectRate.mean!).toBeLessThan(a.sum.totals.defectRate.mean!);
    expect(b.sum.byTenure.under3months.defectRate.mean!).toBeLessThan(a.sum.byTenure.under3months.defectRate.mean!);
    const off = (cfg: ModelConfig) => cfg.workforce!.offPhone.flat().reduce((x, y) => x + y, 0);
    expect(off(a.cfg)).toBe(0);
    expect(off(b.cfg)).toBeGreaterThan(0);
    // Agents off the phones are paid: the agent cost rises; fewer defects, less
    // compensation. (The total fell by about 3,300 RMB; it rose only while the drain paid
    // the last interval's staffing for the days until the last rework came back.)
    expect(b.sum.totals.compensation.mean!).toBeLessThan(a.sum.totals.compensation.mean!);
    const staffed = (x: typeof a) => totals(x.buf, ['agentCost']);
    expect(staffed(b).agentCost).toBeGreaterThan(staffed(a).agentCost);
  });

  it('accuracy SLA row present; conservation of attempts with the workforce on', () => {
    const a = run('new-hire-wave');
    const acc = a.sum.sla.find((r) => r.kpi === 'accuracy');
    expect(acc).toBeDefined();
    expect(acc!.target).toBeCloseTo(0.999, 9);
    expect(acc!.met).toBe(a.sum.totals.accuracy.mean! >= 0.999);
    expectConservation(a.buf);
    expectConservation(run('new-hire-wave-countermeasures').buf);
    // Rework counted: repeat arrivals observed.
    expect(totals(a.buf, ['repeatArrivals']).repeatArrivals).toBeGreaterThan(0);
  });
});

describe('complaint storm', () => {
  it('complaint replies measured against the deadline; SLA rows present and not met', () => {
    const { sum, buf } = run('complaint-storm');
    const t = totals(buf, ['complaints', 'complaintReplies', 'complaintRepliesOnTime', 'complaintCasesOpen', 'complaintCasesOpenOverdue', 'repeats', 'repeatArrivals', 'compensation']);
    expect(t.complaintReplies).toBeGreaterThan(100);
    // Cases still open past their deadline at the end count as late (issue 12, item 4).
    expect(t.complaintCasesOpenOverdue).toBeGreaterThan(0);
    expect(sum.totals.complaintReplyOnTime.mean!).toBeCloseTo(t.complaintRepliesOnTime / (t.complaintReplies + t.complaintCasesOpenOverdue), 12);
    expect(sum.totals.complaintCasesOpen.mean).toBe(t.complaintCasesOpen);
    // Every case opened is replied or still open at the end (no site fails here).
    const cfg = run('complaint-storm').cfg;
    const cases = typeMetrics(decodeResult(buf, cfg), cfg, cfg.types.findIndex((ty) => ty.name === 'complaint-cases'));
    expect(cases.arrivals).toBeGreaterThan(500);
    expect(cases.complaintReplies + cases.complaintCasesOpen).toBe(cases.arrivals);
    expect(sum.totals.complaintReplyOnTime.mean!).toBeLessThan(1);
    expect(t.compensation).toBeGreaterThan(0);
    expect(t.repeatArrivals).toBeGreaterThan(0);
    const row = sum.sla.find((r) => r.name === 'complaint replies within the deadline');
    expect(row).toBeDefined();
    expect(row!.met).toBe(false);
    const acc = sum.sla.find((r) => r.kpi === 'accuracy');
    expect(acc).toBeDefined();
    expect(acc!.met).toBe(false);
    expect(sum.totals.sigmaLevel.mean!).toBeGreaterThan(3);
    expect(sum.totals.sigmaLevel.mean!).toBeLessThan(4.5);
    expectConservation(buf);
  });
});

describe('eight weeks before the rush', () => {
  it('weekly AHT falls from week 1 to week 8 as the new agents learn', () => {
    const { sum, buf } = run('pre-festival-8-weeks');
    expect(sum.weeks.length).toBe(8);
    const aht = sum.weeks.map((w) => w.aht.mean!);
    for (let w = 1; w < 8; w++) expect(aht[w]).toBeLessThan(aht[w - 1]);
    expect(aht[7]).toBeLessThan(aht[0] - 5);
    expectConservation(buf);
  }, 120_000);

  it('the plan counts heads: graduates add capacity (10 days, 3 days of training, the day-0 classes)', () => {
    // Shortened to keep the test quick (the full eight weeks: README, "The scenario
    // library"): the four day-0 classes of 4 graduate on day 3; week 2 (days 8-10) has
    // them on the phones and no mentor off them, and is busy (15% more contacts: early
    // on the plan has room to spare, which would hide what the graduates add).
    const variant = (hire: boolean) => (s: ScenarioInput) => {
      s.horizon = '10d';
      s.shocks = [{ name: 'busy spell', start: '7d', duration: '3d', multiplier: 1.15 }];
      const w = s.workforce as WorkforceInput;
      w.trainingDays = 3;
      w.hiring = hire ? w.hiring!.filter((h) => h.day === 0) : [];
    };
    const hired = run('pre-festival-8-weeks', ' 10 days', variant(true));
    const none = run('pre-festival-8-weeks', ' 10 days without hiring', variant(false));
    expect(hired.cfg.workforce!.staffing).toBe('heads');
    const sl = (x: typeof hired) => x.sum.weeks[1].byChannel.phone.serviceLevel.mean!;
    expect(sl(hired)).toBeGreaterThan(sl(none) + 0.03); // about 83% against 74% (one replication)
    // Headcount on day 10 (the horizon's last day): the 16 hires trained, less any who quit.
    const h = hired.sum.weeks[1].headcount!, h0 = none.sum.weeks[1].headcount!;
    expect(h.day).toBe(9);
    expect(h.training.mean).toBe(0);
    expect(hired.sum.cohorts!.map((c) => c.name)).toEqual(['initial', ...['flight-zh', 'hotel-zh'].flatMap((sk) => ['shanghai', 'nantong'].map((site) => `${sk}-${site} day 0`))]);
    const hires = Object.entries(h.byCohort).filter(([name]) => name !== 'initial').reduce((a, [, c]) => a + c.total.mean!, 0);
    expect(hires).toBeGreaterThan(12);
    expect(hires).toBeLessThanOrEqual(16);
    expect(h.under3months.mean! - h0.under3months.mean!).toBeGreaterThan(8);
  }, 60_000);
});
