import { afterAll, describe, expect, it } from 'vitest';
import { summaryIssues, SUMMARY_FORMAT, COUNT_FIELDS, emptyCounts, loadKpis, type LoadSummary } from '../../twin-api/load/summary.ts';
import { addInto, compiled, fakeTarget, fixture, load, planOf, scenario, SMALL, tempDir, writeScript } from './helpers.ts';
// @ts-expect-error: plain JavaScript (the shim of k6's modules)
import { runLoad } from './shim/run.js';

/**
 * The script's iterations, run on the shim against a fake target with the twin's routes:
 * every contact is counted in the outcome the target gave it, per group, and
 * handleSummary writes a valid cctwin-load-summary/1 with those counts.
 */

const tmp = tempDir();
afterAll(() => tmp.done());

interface Run {
  data: { metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }> };
  summary: Record<string, string>;
  iterations: number;
  errors: string[];
  dropped: Record<string, number>;
  durationMs: number;
}

describe('an iteration: create, long-poll, count', () => {
  it('by type (twin-small): the counts per type are the outcomes the target gave, the summary is valid', async () => {
    const base = 'http://twin.test:9000';
    const { text } = await writeScript(tmp.dir, 'small.js', SMALL, '--base-url', 'http://127.0.0.1:1/');
    const { mod } = await load(text, tmp.dir, { CCTWIN_BASE_URL: `${base}/`, CCTWIN_TOKEN: 'secret-token-0123456789', CCTWIN_SUMMARY: 'out/summary.json' });
    const cfg = compiled(SMALL);
    const fake = fakeTarget({ base, threshold: cfg.threshold, groupOf: (t) => t, token: 'secret-token-0123456789', clock: Date.now });
    // drop every 40th iteration of the first type, as k6 does without a free VU
    const r = runLoad(mod, { target: fake.handle, drop: (s: string, n: number) => s === 'flight-zh-phone' && n % 40 === 39 }) as Run;
    expect(r.errors).toEqual([]);
    expect(fake.problems).toEqual([]);
    expect(Object.keys(r.summary).sort()).toEqual(['out/summary.json', 'stdout']);
    const s = JSON.parse(r.summary['out/summary.json']) as LoadSummary;
    expect(summaryIssues(s)).toEqual([]);
    expect(s).toMatchObject({ format: SUMMARY_FORMAT, tool: 'k6', scenario: cfg.name, by: 'type', speed: 60, horizon: cfg.horizon, threshold: cfg.threshold, seed: cfg.seed, target: base });
    expect(s.wallSeconds).toBeCloseTo(r.durationMs / 1000, 6);
    expect(Date.parse(s.startedAt)).toBe(1_700_000_000_000);

    const plan = planOf(SMALL);
    expect(Object.keys(s.groups)).toEqual(plan.groups.map((g) => g.key));
    const totals = emptyCounts();
    for (const g of plan.groups) {
      const want = { ...(fake.truth.get(g.key) ?? emptyCounts()), dropped: r.dropped[g.key] ?? 0 };
      expect(s.groups[g.key], g.key).toEqual(want);
      addInto(totals, want);
    }
    expect(s.totals).toEqual(totals);
    // every outcome is there, the failures, the polls that never saw one, the drops
    for (const k of COUNT_FIELDS) expect(s.totals[k], k).toBeGreaterThan(0);
    expect(s.totals.sent + s.totals.dropped).toBe(r.iterations);
    expect(s.totals.sent).toBe(s.totals.failed + s.totals.blocked + s.totals.deflected + s.totals.ivrHangup + s.totals.answered + s.totals.abandoned + s.totals.lost + s.totals.unfinished + s.totals.noOutcome);

    // the k6 metrics say the same: the service level and abandonment over offered contacts
    const k = loadKpis(s.totals);
    expect(r.data.metrics.cctwin_answered_within.values.rate).toBeCloseTo(k.serviceLevel!, 12);
    expect(r.data.metrics.cctwin_abandoned.values.rate).toBeCloseTo(k.abandonRate!, 12);
    expect(r.data.metrics.cctwin_wait.values.avg).toBeCloseTo(k.asa!, 12);
    // the phone SLA thresholds are judged on the phone submetrics
    const phone = loadKpis(addInto(addInto(emptyCounts(), s.groups['flight-zh-phone']), s.groups['flight-en-phone']));
    const sl = r.data.metrics['cctwin_answered_within{channel:phone}'];
    expect(sl.values.rate).toBeCloseTo(phone.serviceLevel!, 12);
    expect(sl.thresholds).toEqual({ 'rate>=0.95': { ok: false } });
    expect(r.data.metrics['dropped_iterations{scenario:flight-zh-phone}'].values.count).toBe(r.dropped['flight-zh-phone']);
    expect(r.summary.stdout).toMatch(/thresholds failed: .*cctwin_answered_within\{channel:phone\} rate>=0.95/);
    expect(r.summary.stdout).toMatch(/summary: out\/summary.json/);
    expect(s as unknown as { thresholds: Record<string, Record<string, boolean>> }).toHaveProperty(['thresholds', 'http_req_failed']);
  });

  it('by channel (baseline-day, 6 h): each type is sent in the plan\'s shares, counted under its channel', async () => {
    const base = 'http://127.0.0.1:8080';
    const plan = planOf(scenario('baseline-day.yaml'), { by: 'channel', horizon: 6 * 3600 });
    const { text } = await writeScript(tmp.dir, 'channel.js', scenario('baseline-day.yaml'), '--by', 'channel', '--horizon', '6h', '--speed', '120');
    const { mod } = await load(text, tmp.dir);
    const byType = planOf(scenario('baseline-day.yaml'), { horizon: 6 * 3600 });
    const channelOf = new Map(byType.groups.map((g) => [g.key, g.channel as string]));
    const fake = fakeTarget({ base, threshold: plan.threshold, groupOf: (t) => channelOf.get(t)!, clock: Date.now });
    const r = runLoad(mod, { target: fake.handle }) as Run;
    expect(r.errors).toEqual([]);
    expect(fake.problems).toEqual([]);
    const s = JSON.parse(r.summary['cctwin-summary.json']) as LoadSummary;
    expect(summaryIssues(s)).toEqual([]);
    expect(s.by).toBe('channel');
    expect(Object.keys(s.groups)).toEqual(['phone', 'im', 'email', 'fax']);
    for (const g of plan.groups) {
      expect(s.groups[g.key]).toEqual({ ...fake.truth.get(g.key), dropped: 0 });
      expect(Math.abs(s.groups[g.key].sent - g.expected), g.key).toBeLessThan(2);
    }
    // the types within a channel, as by type (each within 1%, or 3 contacts for the smallest)
    for (const g of byType.groups) {
      const sent = fake.typesSent.get(g.key) ?? 0;
      expect(Math.abs(sent - g.expected), `${g.key}: ${sent} sent, ${g.expected} expected`).toBeLessThanOrEqual(Math.max(3, 0.01 * g.expected));
    }
  });

  it('by type, names that are not k6 names (mixed.yaml): counted under the type\'s own name; a type without arrivals has zeros', async () => {
    const file = fixture('mixed.yaml');
    const plan = planOf(file);
    const { text } = await writeScript(tmp.dir, 'mixed-type.js', file);
    const { mod, options } = await load(text, tmp.dir);
    expect(Object.keys(options.scenarios)).toEqual(['flight_zh_phone', 'flight_en_phone', 'chat__zh____', 'mail_zh']);
    const fake = fakeTarget({ base: 'http://127.0.0.1:8080', threshold: plan.threshold, groupOf: (t) => t, clock: Date.now });
    const r = runLoad(mod, { target: fake.handle }) as Run;
    expect(r.errors).toEqual([]);
    expect(fake.problems).toEqual([]);
    const s = JSON.parse(r.summary['cctwin-summary.json']) as LoadSummary;
    expect(summaryIssues(s)).toEqual([]);
    expect(Object.keys(s.groups)).toEqual(['flight zh/phone', 'flight.en.phone', 'chat "zh" $&', 'mail.zh', 'mail-zh']);
    for (const g of plan.groups) {
      expect(s.groups[g.key], g.key).toEqual({ ...(fake.truth.get(g.key) ?? emptyCounts()), dropped: 0 });
      expect(Math.abs(s.groups[g.key].sent - g.expected), g.key).toBeLessThan(2);
    }
    expect(s.groups['mail-zh']).toEqual(emptyCounts());
    // replies within the deadline: answered email contacts, all within 2 h here
    expect(r.data.metrics['cctwin_reply_on_time{channel:email}'].values.rate).toBe(1);
  });

  it('by channel, shares that change through the day (mixed.yaml): each interval sends each type in that interval\'s share', async () => {
    const file = fixture('mixed.yaml');
    const speed = 30;
    const plan = planOf(file, { by: 'channel' });
    const { text } = await writeScript(tmp.dir, 'mixed-channel.js', file, '--by', 'channel', '--speed', String(speed));
    const { mod } = await load(text, tmp.dir);
    const channelOf = new Map(compiled(file).types.map((t) => [t.name, t.channel as string]));
    const fake = fakeTarget({ base: 'http://127.0.0.1:8080', threshold: plan.threshold, groupOf: (t) => channelOf.get(t)!, clock: Date.now });
    const start = 1_700_000_000_000;
    const r = runLoad(mod, { target: fake.handle, startMs: start }) as Run;
    expect(r.errors).toEqual([]);
    const phone = plan.groups.find((g) => g.key === 'phone')!;
    const wallInterval = (plan.intervalLength / speed) * 1000;
    let moved = 0;
    for (let i = 0; i < plan.nIntervals; i++) {
      const inI = fake.posts.filter((p) => channelOf.get(p.type) === 'phone' && Math.floor((p.at - start) / wallInterval) === i);
      phone.typeNames.forEach((t, k) => {
        const want = phone.typeShares[i][k] * inI.length;
        const got = inI.filter((p) => p.type === t).length;
        expect(Math.abs(got - want), `interval ${i}, ${t}: ${got} of ${inI.length}, share ${phone.typeShares[i][k]}`).toBeLessThanOrEqual(2);
      });
      moved = Math.max(moved, Math.abs(phone.typeShares[i][0] - phone.typeShares[0][0]));
    }
    expect(moved).toBeGreaterThan(0.3); // the shares do change
    const s = JSON.parse(r.summary['cctwin-summary.json']) as LoadSummary;
    expect(summaryIssues(s)).toEqual([]);
    for (const g of plan.groups) expect(s.groups[g.key]).toEqual({ ...(fake.truth.get(g.key) ?? emptyCounts()), dropped: 0 });
  });
});
