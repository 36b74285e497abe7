import { readFileSync, readdirSync } from 'node:fs';
import { parseDuration } from '../../sim/src/config/duration.ts';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { shiftStaffing } from '../../sim/src/config/compile-center.ts';
import { compileScenario } from '../../sim/src/config/compile.ts';
import { parseScenarioText } from '../../sim/src/config/load.ts';
import type { ModelConfig, SiteFailureConfig } from '../../sim/src/config/model-config.ts';
import { Replication, replicate } from '../../sim/src/engine/replicate.ts';
import { decodeResult, summarize } from '../../sim/src/metrics/summary.ts';
import { AGENT_OFF, AGENT_ON } from '../../sim/src/model/state.ts';
import { centerModel, row, serving, slotOf, statusOf, total, totals, type CenterSpec } from '../fixtures/center/model.ts';

function run(spec: CenterSpec, arrivals: [type: number, time: number][]): Replication {
  const r = new Replication(centerModel(spec), 0);
  for (const [type, t] of arrivals) r.inject(type, t);
  return r;
}

describe('trunk lines per site', () => {
  it('2 lines, 1 agent: the third simultaneous call is blocked (counted blocked, not offered)', () => {
    const r = run({ types: [{ handle: 10 }], groups: [{ queues: [0], staffing: 1 }], sites: [2] }, [[0, 0], [0, 0], [0, 0]]);
    r.advanceTo(0);
    expect(r.state.siteInSystem[0]).toBe(2);
    const b = r.run();
    expect(totals(b, ['arrivals', 'blocked', 'offered', 'answered', 'waitAnswered'])).toEqual({
      arrivals: 3, blocked: 1, offered: 2, answered: 2, waitAnswered: 10,
    });
    expect(r.state.siteInSystem[0]).toBe(0);
  });

  it('a line frees when the call ends: a call at the completion instant gets it', () => {
    // lines 1: call at 0 served 0-10; a call at 5 is blocked; a call at 10 gets the line.
    const b = run({ types: [{ handle: 10 }], groups: [{ queues: [0], staffing: 1 }], sites: [1] }, [[0, 0], [0, 5], [0, 10]]).run();
    expect(totals(b, ['arrivals', 'blocked', 'answered'])).toEqual({ arrivals: 3, blocked: 1, answered: 2 });
  });

  it('virtual mode, two sites: a call finding its landing site full takes the other site\'s line', () => {
    // All calls land on site 0 (1 line); site 1 has 1 line. One agent at site 0.
    const spec: CenterSpec = { types: [{ handle: 10 }], groups: [{ queues: [0], staffing: 1 }], sites: [1, 1] };
    const r = run(spec, [[0, 0], [0, 1], [0, 2]]);
    r.advanceTo(1);
    const second = slotOf(r, 1);
    expect(r.state.cLine[second]).toBe(1);
    expect([...r.state.siteInSystem]).toEqual([1, 1]);
    const b = r.run();
    // The third finds both full: blocked. The second is served from the one queue at 10.
    expect(totals(b, ['arrivals', 'blocked', 'offered', 'answered', 'waitAnswered'])).toEqual({
      arrivals: 3, blocked: 1, offered: 2, answered: 2, waitAnswered: 9,
    });
    // Counts belong to the site that took the call: the second is site 1's (its line);
    // the third, blocked at both, counts at the site it called (site 0).
    const d = decodeResult(b, r.cfg);
    const s = summarize(r.cfg, [d], 0);
    expect(s.bySite.s0.arrivals.mean).toBe(2);
    expect(s.bySite.s0.blocked.mean).toBe(1);
    expect(s.bySite.s1.arrivals.mean).toBe(1);
    expect(s.bySite.s1.answered.mean).toBe(1);
  });
});

describe('site failure (virtual mode, two sites)', () => {
  // Group 0: 1 agent at site 0 (agent 0); group 1: 1 agent at site 1 (agent 1); both serve
  // queue 0. Calls land on site 0 (5 lines each) and hold its lines wherever they are
  // served. Handle 100. c1@0 -> agent 0 (0-100), c2@0.5 -> agent 1 (0.5-100.5), c3@10 waits
  // holding a site-0 line. Site 0 fails 50-200.
  const spec = (f: Partial<SiteFailureConfig>): CenterSpec => ({
    types: [{ handle: 100 }],
    groups: [{ site: 0, queues: [0], staffing: 1 }, { site: 1, queues: [0], staffing: 1 }],
    sites: [5, 5],
    failures: [{ site: 0, start: 50, end: 200, inService: 'drop', waiting: 'move', ...f }],
  });
  const calls: [number, number][] = [[0, 0], [0, 0.5], [0, 10]];

  it('drop + move: calls on the failed site\'s agents or lines are dropped, its agents gone; the waiting call moves lines and is served at site 1 at once; staffing returns', () => {
    const r = run(spec({}), calls);
    r.advanceTo(10);
    expect(serving(r)).toEqual([[0, 0], [1, 0.5]]);
    expect([...r.state.siteInSystem]).toEqual([3, 0]);
    r.advanceTo(50);
    expect(statusOf(r, 0)).toBe('gone');
    expect(r.state.aState[0]).toBe(AGENT_OFF);
    expect(r.state.staffed).toBe(1);
    // c1 (agent at site 0) and c2 (agent at site 1, but on a site-0 trunk line) are cut
    // off; c3 moves to a site-1 line and agent 1, freed by the drop, takes it at 50.
    expect(r.state.cLine[slotOf(r, 10)]).toBe(1);
    expect([...r.state.siteInSystem]).toEqual([0, 1]);
    expect(serving(r)).toEqual([[1, 10]]);
    expect(total(r.result(), 'dropped')).toBe(2);
    r.advanceTo(199.999);
    expect(r.state.aState[0]).toBe(AGENT_OFF);
    r.advanceTo(200);
    expect(r.state.aState[0]).toBe(AGENT_ON);
    expect(r.state.staffed).toBe(2);
    expect(r.state.onDuty[0]).toBe(1);
    const b = r.run();
    expect(totals(b, ['arrivals', 'answered', 'dropped', 'completed', 'lost', 'unfinished', 'waitAnswered', 'handleTime'])).toEqual({
      arrivals: 3, answered: 3, dropped: 2, completed: 1, lost: 0, unfinished: 0, waitAnswered: 40, handleTime: 100,
    });
    // Agent time: site 0 staffed 0-50 and 200-1000 (horizon), site 1 the whole 1000 s.
    expect(row(b, 0, 'staffedTime')).toBe(50 + 800 + 1000);
  });

  it('an arrival while site 0 is down lands on site 1\'s lines, and is counted at site 1', () => {
    const r = run(spec({}), [[0, 60]]);
    r.advanceTo(60);
    expect(r.state.cLine[slotOf(r, 60)]).toBe(1);
    expect(serving(r)).toEqual([[1, 60]]);
    const s = summarize(r.cfg, [decodeResult(r.run(), r.cfg)], 0);
    expect([s.bySite.s0.arrivals.mean, s.bySite.s1.arrivals.mean]).toEqual([0, 1]);
  });

  it('waiting: lose: the waiting call is counted lost', () => {
    const r = run(spec({ waiting: 'lose' }), calls);
    r.advanceTo(50);
    expect(statusOf(r, 10)).toBe('gone');
    // c2, served at site 1 on a site-0 line, is cut off with the site's lines.
    expect([...r.state.siteInSystem]).toEqual([0, 0]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'answered', 'dropped', 'completed', 'lost', 'unfinished'])).toEqual({
      arrivals: 3, answered: 2, dropped: 2, completed: 0, lost: 1, unfinished: 0,
    });
  });

  // Deferred work and complaint cases are records in a queue: a failure never loses them (issue 12).
  it('waiting: lose: an email waiting for the failed site moves to the other site and is answered, never lost', () => {
    const emailSpec = (f: Partial<SiteFailureConfig>): CenterSpec => ({
      types: [{ handle: 100, channel: 'email', deadline: 3600 }],
      groups: [{ site: 0, queues: [0], staffing: 1 }, { site: 1, queues: [0], staffing: 1 }],
      sites: [null, null],
      siteMode: 'local',
      siteOverflowAfter: 1e9,
      failures: [{ site: 0, start: 50, end: 200, inService: 'finish', waiting: 'lose', ...f }],
    });
    // Two emails land on site 0 at 0 and 10: the first is answered at once, the second waits for site 0's agent.
    const r = run({ ...emailSpec({}), types: [{ handle: 100, channel: 'email', deadline: 3600, siteSplit: [1, 0] }] }, [[0, 0], [0, 10]]);
    const b = r.run();
    expect(totals(b, ['arrivals', 'answered', 'completed', 'lost', 'unfinished'])).toEqual({ arrivals: 2, answered: 2, completed: 2, lost: 0, unfinished: 0 });
    // A call in the same place is lost.
    const c = run({ ...emailSpec({}), types: [{ handle: 100, siteSplit: [1, 0] }] }, [[0, 0], [0, 10]]).run();
    expect(totals(c, ['arrivals', 'answered', 'lost'])).toEqual({ arrivals: 2, answered: 1, lost: 1 });
  });

  // A waiting call lost at a site failure ends the customer's contact: customersLost.
  it('waiting: lose: the lost caller is a lost customer (customersLost)', () => {
    const b = run(spec({ waiting: 'lose' }), calls).run();
    expect(totals(b, ['lost', 'customersLost'])).toEqual({ lost: 1, customersLost: 1 });
  });

  it('inService: finish: the call completes, then its agent leaves until the site is back', () => {
    const r = run(spec({ inService: 'finish' }), calls);
    r.advanceTo(50);
    expect(serving(r)).toEqual([[0, 0], [1, 0.5]]);
    expect(r.state.aLeaving[0]).toBe(1);
    r.advanceTo(100);
    // c1 completed; agent 0 logged off without taking c3 (moved), which agent 1 takes at 100.5.
    expect(statusOf(r, 0)).toBe('gone');
    expect(r.state.aState[0]).toBe(AGENT_OFF);
    expect(statusOf(r, 10)).toBe('waiting');
    r.advanceTo(100.5);
    expect(serving(r)).toEqual([[1, 10]]);
    r.advanceTo(200);
    expect(r.state.aState[0]).toBe(AGENT_ON);
    const b = r.run();
    expect(totals(b, ['answered', 'dropped', 'completed', 'lost', 'handleTime'])).toEqual({
      answered: 3, dropped: 0, completed: 3, lost: 0, handleTime: 300,
    });
  });
});

describe('local site mode', () => {
  // Calls land on site 0. Group 0 at site 0 (agent 0), group 1 at site 1 (agent 1).
  // siteOverflowAfter 30, siteTransferDelay 5, handle 100.
  const spec: CenterSpec = {
    types: [{ handle: 100 }],
    groups: [{ site: 0, queues: [0], staffing: 1 }, { site: 1, queues: [0], staffing: 1 }],
    sites: [null, null], siteMode: 'local', siteOverflowAfter: 30, siteTransferDelay: 5,
  };

  it('site 1 takes a site-0 call only after 30 s, and then with 5 s of transfer added', () => {
    const r = run(spec, [[0, 0], [0, 10]]);
    r.advanceTo(39.999);
    expect(statusOf(r, 10)).toBe('waiting');
    expect(serving(r)).toEqual([[0, 0]]);
    r.advanceTo(40);
    expect(serving(r)).toEqual([[0, 0], [1, 10]]);
    r.advanceTo(144.999);
    expect(statusOf(r, 10)).toBe('service');
    r.advanceTo(145);
    expect(statusOf(r, 10)).toBe('gone');
    const b = r.run();
    expect(totals(b, ['answered', 'transfers', 'handleTime', 'waitAnswered'])).toEqual({
      answered: 2, transfers: 1, handleTime: 205, waitAnswered: 30,
    });
  });

  it('the idle local agent is preferred at once: no transfer', () => {
    const b = run(spec, [[0, 0]]).run();
    expect(totals(b, ['answered', 'transfers', 'handleTime', 'waitAnswered'])).toEqual({ answered: 1, transfers: 0, handleTime: 100, waitAnswered: 0 });
  });

  it('a site-0 agent freed before the overflow delay takes the call itself: no transfer', () => {
    // Handle 20 for the first call: agent 0 frees at 20, before the call at 10 overflows (40).
    const r = run({ ...spec, types: [{ handle: 20 }] }, [[0, 0], [0, 10]]);
    r.advanceTo(20);
    expect(serving(r)).toEqual([[0, 10]]);
    const b = r.run();
    expect(totals(b, ['transfers', 'handleTime'])).toEqual({ transfers: 0, handleTime: 40 });
  });
});

describe('shifts', () => {
  it('shiftStaffing: a 12 h shift from 20h wraps midnight; its break (after 4 h, 1 h) is 00-01', () => {
    const staffing = shiftStaffing([
      { start: '20h', length: '12h', agents: 3, breaks: [{ after: '4h', length: '1h' }] },
      { start: '8h', length: '12h', agents: 2 },
    ] as Parameters<typeof shiftStaffing>[0], 24, 3600);
    const expected = Array.from({ length: 24 }, (_, h) => (h === 0 ? 0 : h < 8 ? 3 : h < 20 ? 2 : 3));
    expect(staffing).toEqual(expected);
  });

  it('shiftStaffing over two days with 30 min intervals: the same pattern each day', () => {
    const staffing = shiftStaffing([{ start: '20h', length: '12h', agents: 1, breaks: [{ after: '4h', length: '30m' }] }] as Parameters<typeof shiftStaffing>[0], 96, 1800);
    const day = Array.from({ length: 48 }, (_, i) => (i === 0 ? 0 : i < 16 || i >= 40 ? 1 : 0));
    expect(staffing).toEqual([...day, ...day]);
  });

  it('staffing dropping to 0 mid-call: the agent finishes it and takes no new one', () => {
    // Intervals of 100 s, staffing [1, 0]. Call at 50 (handle 100) ends at 150; the call at 120 is never served.
    const r = run({ types: [{ handle: 100 }], groups: [{ queues: [0], staffing: [1, 0] }], nIntervals: 2, intervalLength: 100 }, [[0, 50], [0, 120]]);
    r.advanceTo(100);
    expect(r.state.aLeaving[0]).toBe(1);
    expect(serving(r)).toEqual([[0, 50]]);
    r.advanceTo(150);
    expect(r.state.aState[0]).toBe(AGENT_OFF);
    expect(statusOf(r, 120)).toBe('waiting');
    const b = r.run();
    expect(totals(b, ['arrivals', 'answered', 'completed', 'unfinished'])).toEqual({ arrivals: 2, answered: 1, completed: 1, unfinished: 1 });
    expect([row(b, 0, 'staffedTime'), row(b, 1, 'staffedTime'), row(b, 0, 'busyTime'), row(b, 1, 'busyTime')]).toEqual([100, 50, 50, 50]);
  });
});

// ---------------------------------------------------------------- scenario files

const scenarioDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const centerFiles = readdirSync(scenarioDir).filter((f) => f.endsWith('.yaml'))
  .filter((f) => /^contactTypes:/m.test(readFileSync(scenarioDir + f, 'utf8')));

function compileFile(f: string): ModelConfig {
  const doc = parseScenarioText(readFileSync(scenarioDir + f, 'utf8'), f);
  // Conservation does not depend on the length of the run: multi-week scenarios run one week here.
  if (parseDuration(doc.horizon as number | string) > 7 * 86400) doc.horizon = '7d';
  return compileScenario(doc, { baseDir: scenarioDir });
}

const OUTCOMES = ['blocked', 'deflected', 'ivrHangup', 'answered', 'abandoned', 'lost', 'unfinished'] as const;
const COUNTS = ['arrivals', 'offered', 'answered', 'abandoned', 'blocked', 'deflected', 'ivrHangup', 'unfinished', 'lost', 'dropped', 'transfers', 'retries', 'customersLost', 'callbacks'] as const;

describe('conservation in every center-form scenario', () => {
  it('finds the center-form scenarios', () => {
    expect(centerFiles).toEqual(expect.arrayContaining(['baseline-day.yaml', 'nantong-failover.yaml']));
  });

  it.each(centerFiles)('%s: every arrival ends in one outcome, in totals and per type; breakdowns add up', (f) => {
    const cfg = compileFile(f);
    const buf = replicate(cfg, 0);
    const s = summarize(cfg, [decodeResult(buf, cfg)], 0);
    const mean = (e: { mean: number | null }) => e.mean ?? 0;
    const outcomeSum = (k: Record<string, { mean: number | null }>) => OUTCOMES.reduce((a, o) => a + mean(k[o]), 0);
    expect(mean(s.totals.arrivals)).toBeGreaterThan(1000);
    expect(outcomeSum(s.totals)).toBe(mean(s.totals.arrivals));
    for (const [name, t] of Object.entries(s.byType)) {
      expect(outcomeSum(t), name).toBe(mean(t.arrivals));
    }
    expect(total(buf, 'dropped')).toBeLessThanOrEqual(total(buf, 'answered'));
    for (const k of COUNTS) {
      const sum = (g: Record<string, Record<string, { mean: number | null }>>) => Object.values(g).reduce((a, e) => a + mean(e[k]), 0);
      expect(sum(s.byType), `byType ${k}`).toBe(mean(s.totals[k]));
      expect(sum(s.bySite), `bySite ${k}`).toBe(mean(s.totals[k]));
      expect(sum(s.byChannel), `byChannel ${k}`).toBe(mean(s.totals[k]));
    }
    expect(s.totals.unfinished.mean).toBe(total(buf, 'unfinished'));
  });
});

describe('nantong-failover', () => {
  it('phone service level dips while Nantong is down (10:00-12:00) and recovers after 13:00', () => {
    const cfg = compileFile('nantong-failover.yaml');
    const down = cfg.failures![0];
    expect([down.start, down.end]).toEqual([10 * 3600, 12 * 3600]);
    const results = [0, 1].map((i) => decodeResult(replicate(cfg, i), cfg));
    const s = summarize(cfg, results, 0);
    const phoneSl = (from: number, to: number) => {
      const iv = s.intervals.filter((x) => x.start >= from * 3600 && x.end <= to * 3600);
      const vals = iv.map((x) => x.byChannel!.phone.serviceLevel.mean!);
      return vals.reduce((a, v) => a + v, 0) / vals.length;
    };
    const before = phoneSl(8, 10), during = phoneSl(10, 12), after = phoneSl(13, 16);
    expect(during).toBeLessThan(before - 0.05);
    expect(after).toBeGreaterThan(during + 0.05);
    expect(after).toBeGreaterThan(before - 0.1);
    expect(s.totals.dropped.mean!).toBeGreaterThan(0);
    // While Nantong is down its share of the calls is Shanghai's: none counted at Nantong.
    const at = (site: string, from: number, to: number) => s.intervals.filter((x) => x.start >= from * 3600 && x.end <= to * 3600).map((x) => x.bySite![site].arrivals.mean!);
    expect(at('nantong', 10, 12).every((v) => v === 0)).toBe(true);
    expect(at('nantong', 8, 10).every((v) => v > 0)).toBe(true);
    expect(Math.min(...at('shanghai', 10, 12))).toBeGreaterThan(Math.max(...at('shanghai', 8, 10)));
  });
});
