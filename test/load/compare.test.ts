import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTwin } from '../../twin-api/app.ts';
import { compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { decodeResult, intervalMetrics } from '../../sim/src/metrics/summary.ts';
import { countsOf, replicationCounts } from '../../twin-api/load/predict.ts';
import { compareLoad, rangeOf } from '../../twin-api/load/compare.ts';
import { loadKpis, SUMMARY_FORMAT, type LoadSummary } from '../../twin-api/load/summary.ts';
import { cli } from '../fixtures/cli.ts';

/**
 * `cctwin compare-k6`: the acceptance (replay into a real twin, then the
 * comparison agrees), a tampered summary disagrees, bad summaries and flags exit 2
 * naming every field, and the prediction's counts equal the simulator's interval rows
 * where both can be read.
 */

const SMALL = 'test/fixtures/replay-small.yaml';
const dir = mkdtempSync(join(tmpdir(), 'cctwin-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const compile = (file: string) => compileVariant(readScenarioText(file), file, [], undefined).cfg;
const summaryFile = join(dir, 'replay-summary.json');

describe('the full loop: replay into a twin, then compare-k6', () => {
  it('agrees (exit 0): service level, abandonment, asa and volume within the one-day range', async () => {
    const app = await buildTwin({ cfg: compile(SMALL), speed: 1800, arrivals: 'external' });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    app.twin.pause(); // replay resumes it as the load starts: the window starts near 0
    try {
      const r = await cli('replay', SMALL, '--against', url, '--speed', '1800', '--horizon', '4h', '--out', summaryFile);
      expect(r.code, r.err).toBe(0);
    } finally {
      await app.close();
    }
    expect((JSON.parse(readFileSync(summaryFile, 'utf8')) as LoadSummary).targetArrivals).toBe('external');
    const c = await cli('compare-k6', summaryFile, '--scenario', SMALL);
    expect(c.code, `${c.out}\n${c.err}`).toBe(0);
    expect(c.out).toMatch(/RESULT: AGREE/);
    expect(c.out).toMatch(/95% range, one day/);
    expect(c.out).toMatch(/service level \(20 s\)/); // the scenario's SLA rows
    expect(c.out).toMatch(/How agreement is judged/);
  });

  it('a tampered service level disagrees (exit 1), naming the KPI; workers do not change a number', async () => {
    const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as LoadSummary;
    for (const c of [s.groups.calls, s.totals]) c.answeredWithin = Math.round(c.answered * 0.3);
    const bad = join(dir, 'tampered.json');
    writeFileSync(bad, JSON.stringify(s));
    const one = await cli('compare-k6', bad, '--scenario', SMALL, '--replications', '12', '--workers', '1', '--json');
    expect(one.code, one.err).toBe(1);
    const j = JSON.parse(one.out);
    expect(j.agree).toBe(false);
    const sl = j.comparisons.find((x: { scope: string; kpi: string }) => x.scope === 'calls' && x.kpi === 'serviceLevel');
    expect(sl.agree).toBe(false);
    expect(sl.measured).toBeCloseTo(loadKpis(s.groups.calls).serviceLevel!, 12);
    const two = await cli('compare-k6', bad, '--scenario', SMALL, '--replications', '12', '--workers', '2', '--json');
    expect(JSON.parse(two.out).comparisons).toEqual(j.comparisons);
    const text = await cli('compare-k6', bad, '--scenario', SMALL, '--replications', '12', '--workers', '1');
    expect(text.out).toMatch(/RESULT: DISAGREE .*calls serviceLevel/);
  });

  it('a load into a twin that ran --arrivals both: warned at once and the first caveat says it is not like for like', async () => {
    const s = { ...(JSON.parse(readFileSync(summaryFile, 'utf8')) as LoadSummary), targetArrivals: 'both' };
    const f = join(dir, 'both.json');
    writeFileSync(f, JSON.stringify(s));
    const r = await cli('compare-k6', f, '--scenario', SMALL, '--replications', '6', '--workers', '1', '--json');
    expect(r.err).toMatch(/warning: the twin ran with --arrivals both/);
    expect(JSON.parse(r.out).caveats[0]).toMatch(/^NOT LIKE FOR LIKE: the twin ran with --arrivals both/);
  });

  it('more than 1% without an outcome: flagged unreliable, never "agree"', async () => {
    const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as LoadSummary;
    const n = Math.ceil(s.totals.sent * 0.05);
    for (const c of [s.groups.calls, s.totals]) { c.sent += n; c.noOutcome += n; }
    const f = join(dir, 'unreliable.json');
    writeFileSync(f, JSON.stringify(s));
    const r = await cli('compare-k6', f, '--scenario', SMALL, '--replications', '8', '--workers', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/UNRELIABLE/);
  });
});

describe('compare-k6: bad input (exit 2, every problem named)', () => {
  const good = (): LoadSummary => JSON.parse(readFileSync(summaryFile, 'utf8'));

  it('a summary with a wrong format string, missing fields, negative counts and an unknown group', async () => {
    const s = good() as unknown as Record<string, unknown>;
    s.format = 'k6-summary/0';
    delete s.horizon;
    delete s.seed;
    const groups = s.groups as Record<string, Record<string, number>>;
    groups.calls.abandoned = -3;
    groups.calls.answeredWithin = 1.5;
    groups.emails = { ...groups.calls, abandoned: 0, answeredWithin: 0 };
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify(s));
    const r = await cli('compare-k6', f, '--scenario', SMALL);
    expect(r.code).toBe(2);
    for (const field of ['format', 'horizon', 'seed', 'groups.calls.abandoned', 'groups.calls.answeredWithin']) expect(r.err).toContain(`${f}: ${field}`);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    // Once the fields are right, the unknown group is named with the scenario's types.
    const t = good() as unknown as Record<string, unknown>;
    (t.groups as Record<string, unknown>).emails = (t.groups as Record<string, unknown>).calls;
    writeFileSync(f, JSON.stringify(t));
    const u = await cli('compare-k6', f, '--scenario', SMALL);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/groups\.emails.*not a contact type of scenario "replay-small" \(known: calls\)/);
  });

  it('unreadable JSON: its line and column; a missing file; flags all at once', async () => {
    const f = join(dir, 'broken.json');
    writeFileSync(f, '{\n  "format": "cctwin-load-summary/1",\n  "tool": oops\n}\n');
    const r = await cli('compare-k6', f, '--scenario', SMALL);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not valid JSON.*line 3, column \d+/);
    const m = await cli('compare-k6', join(dir, 'nothing.json'), '--scenario', 'test/fixtures/no-such.yaml', '--replications', '1', '--workers', '0', '--widen', 'lots');
    expect(m.code).toBe(2);
    for (const s of ['--replications', '--workers', '--widen', 'no-such.yaml', 'nothing.json: does not exist']) expect(m.err).toContain(s);
  });

  it('a threshold or horizon that does not fit the scenario', async () => {
    const s = good();
    s.threshold = 30;
    s.horizon = 99 * 3600;
    const f = join(dir, 'misfit.json');
    writeFileSync(f, JSON.stringify(s));
    const r = await cli('compare-k6', f, '--scenario', SMALL);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/threshold.*the scenario's service-level threshold \(20 s\)/);
    expect(r.err).toMatch(/horizon.*at most the scenario's horizon/);
  });

  it('a summary of another scenario (its contact types may match): refused, exit 2', async () => {
    const s = good();
    s.scenario = 'Baseline day';
    const f = join(dir, 'other.json');
    writeFileSync(f, JSON.stringify(s));
    const r = await cli('compare-k6', f, '--scenario', SMALL);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/scenario = "Baseline day": must be the scenario given with --scenario/);
  });
});

describe('the prediction', () => {
  it("counts the same contacts as the simulator's interval rows where both can be read (one type, no redials, whole intervals)", () => {
    const cfg = compile('scenarios/erlang-a-day.yaml');
    const c = countsOf(replicationCounts(cfg, 0, { start: 0, end: 4 * 3600 }), 0);
    const r = decodeResult(replicate(cfg, 0), cfg);
    const rows = Array.from({ length: 16 }, (_, i) => intervalMetrics(r, i));
    const sum = (k: keyof ReturnType<typeof intervalMetrics>) => rows.reduce((a, m) => a + m[k], 0);
    expect(c.sent).toBe(sum('arrivals'));
    expect(c.answered).toBe(sum('answered'));
    expect(c.answeredWithin).toBe(sum('answeredWithin'));
    expect(c.abandoned).toBe(sum('abandoned'));
    expect(c.waitSum).toBeCloseTo(sum('waitAnswered'), 6);
    expect(c.answered + c.abandoned + c.unfinished + c.lost).toBe(sum('offered'));
  });

  it('first attempts only: redials are left out of the counts (they still take agents)', () => {
    const cfg = compile('scenarios/baseline-day.yaml');
    const block = replicationCounts(cfg, 0, { start: 8 * 3600, end: 9 * 3600 });
    const r = decodeResult(replicate(cfg, 0), cfg);
    const m = intervalMetrics(r, 16), m2 = intervalMetrics(r, 17);
    const firsts = m.arrivals + m2.arrivals - m.retries - m2.retries - m.repeatArrivals - m2.repeatArrivals;
    const sent = cfg.types.reduce((a, _, t) => a + countsOf(block, t).sent, 0);
    expect(m.retries + m2.retries).toBeGreaterThan(0);
    expect(sent).toBe(firsts);
  });

  it('the one-day range: mean ± t·s·sqrt(1 + 1/R), widened by the rule of each KPI', () => {
    const v = [0.9, 0.92, 0.88, 0.91, 0.89];
    const r = rangeOf(v, 'serviceLevel', 0.02);
    const mean = 0.9, sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / 4);
    expect(r.mean).toBeCloseTo(mean, 12);
    expect(r.range95![1] - mean).toBeCloseTo(2.7764 * sd * Math.sqrt(1.2), 9);
    expect(r.ci95![1] - mean).toBeCloseTo(2.7764 * sd / Math.sqrt(5), 9);
    expect(r.accepted![0]).toBeCloseTo(r.range95![0] - 0.02, 12);
    const a = rangeOf([10, 12, 11, 13], 'asa', 0.02);
    expect(a.accepted![1] - a.range95![1]).toBeCloseTo(2, 12); // max(2 s, 10% of 11.5 s)
    const big = rangeOf([100, 120, 110], 'asa', 0.02);
    expect(big.accepted![1] - big.range95![1]).toBeCloseTo(11, 9);
  });

  it('by channel: the groups are channels, each the sum of its types; a channel-scoped SLA reads that channel', () => {
    const cfg = compile('test/fixtures/twin-small.yaml');
    const blocks = Array.from({ length: 6 }, (_, r) => replicationCounts(cfg, r, { start: 0, end: 4 * 3600 }));
    const sum = (types: number[]) => types.reduce((c, t) => { const x = countsOf(blocks[2], t); for (const k of Object.keys(c) as (keyof typeof c)[]) c[k] += x[k]; return c; }, countsOf(new Float64Array(blocks[2].length), 0));
    const phone = sum([0, 1]), im = sum([2]);
    const totals = sum([0, 1, 2]);
    const s: LoadSummary = {
      format: SUMMARY_FORMAT, tool: 'test', scenario: cfg.name, by: 'channel', speed: 60, horizon: 4 * 3600, threshold: cfg.threshold, seed: 1,
      target: 'http://127.0.0.1:1', startedAt: new Date(0).toISOString(), wallSeconds: 1, groups: { phone, im }, totals,
    };
    const c = compareLoad(s, cfg, blocks, 0.02);
    expect([...new Set(c.comparisons.map((x) => `${x.kind}:${x.scope}`))]).toEqual(['channel:phone', 'channel:im']);
    const sl = c.comparisons.find((x) => x.scope === 'phone' && x.kpi === 'serviceLevel')!;
    expect(sl.measured).toBeCloseTo(loadKpis(phone).serviceLevel!, 12);
    const phoneSla = c.sla.find((t) => t.scope === 'phone');
    if (phoneSla) expect(phoneSla.measured).toBeCloseTo(loadKpis(phone)[phoneSla.kpi as 'serviceLevel']!, 12);
  });

  it('compareLoad on counts equal to a replication agrees; SLA targets read per scope', () => {
    const cfg = compile(SMALL);
    const blocks = Array.from({ length: 10 }, (_, r) => replicationCounts(cfg, r, { start: 0, end: 3 * 3600 }));
    const counts = countsOf(blocks[3], 0);
    const s: LoadSummary = {
      format: SUMMARY_FORMAT, tool: 'test', scenario: cfg.name, by: 'type', speed: 60, horizon: 3 * 3600, threshold: 20, seed: 1,
      target: 'http://127.0.0.1:1', startedAt: new Date(0).toISOString(), wallSeconds: 1, groups: { calls: counts }, totals: counts,
    };
    const c = compareLoad(s, cfg, blocks, 0.02);
    expect(c.agree).toBe(true);
    expect(c.sla.map((t) => t.kpi)).toEqual(['serviceLevel', 'abandonRate']);
    expect(c.sla[0].measured).toBeCloseTo(loadKpis(counts).serviceLevel!, 12);
  });
});
