import { describe, expect, it } from 'vitest';
import type { IntervalRow, RunSummary, SlaResult } from '../../dashboard/src/api.ts';
import { boardNumbers, headlineChannel, slaSummary } from '../../dashboard/src/board.ts';
import {
  agentRows, band, channelsOf, daysOf, domainOf, failureWindows, independentDiffs, maxPointsFor, mergeRanges, missedBy, missRanges, misses,
  overlayRows, pairedDiffs, serviceLevelRows, serviceTarget, siteRows, timeTicks, volumeRows, waitRows, weekLines, zoomWindows, hasChannelDetail, slaMisses,
} from '../../dashboard/src/series.ts';
import { tileSpecs } from '../../dashboard/src/tiles.ts';

/**
 * The data shaping behind the charts (dashboard/src/series.ts, tiles.ts, board.ts) on a
 * hand-made run: four 30-minute intervals from 10:00, two channels (phone, email), two
 * sites, nantong down 10:30-11:30.
 */

const E = (mean: number | null, ci95: number | null = null) => ({ mean, ci95 });
const iv = (i: number, phone: { sl: number | null; ci?: number; off: number; ans: number; ab: number; asa: number | null; backlog: number }, occ: [number | null, number]): IntervalRow => ({
  start: 36000 + i * 1800,
  end: 36000 + (i + 1) * 1800,
  warmup: i === 0 && false,
  occupancy: E(0.8),
  defectRate: E(0.001 * i),
  complaints: E(i),
  byChannel: {
    phone: { serviceLevel: E(phone.sl, phone.ci ?? null), offered: E(phone.off), answered: E(phone.ans), abandoned: E(phone.ab), asa: E(phone.asa, phone.asa === null ? null : 2), backlog: E(phone.backlog) },
    email: { serviceLevel: E(0.1), backlog: E(40 - i), overdue: E(0), replyOnTime: E(1) },
  },
  bySite: { shanghai: { occupancy: E(occ[1]), answered: E(300) }, nantong: { occupancy: E(occ[0]), answered: E(occ[0] === null ? 0 : 200) } },
});

const SLA: SlaResult[] = [
  { name: 'service level (20 s), phone', kpi: 'serviceLevel', scope: 'byChannel.phone', target: 0.95, direction: 'min', value: 0.71, met: false, margin: -0.24, missedIntervals: [37800, 39600] },
  { name: 'abandon rate, phone', kpi: 'abandonRate', scope: 'byChannel.phone', target: 0.1, direction: 'max', value: 0.05, met: true, margin: 0.05, missedIntervals: [] },
  { name: 'average handle time, phone', kpi: 'aht', scope: 'byChannel.phone', target: 180, direction: 'max', value: 181, met: false, margin: -1, missedIntervals: [36000, 39600] },
];

function run(): RunSummary {
  return {
    scenario: 'Hand-made', seed: 1, replications: 3, threshold: 20, horizon: 86400, intervalLength: 1800, warmup: 0, warmupEffective: 0,
    totals: { occupancy: E(0.82, 0.02), accuracy: E(1, 0), cost: E(0, 0), complaintReplyOnTime: E(null, null), defects: E(0), complaints: E(0) },
    byChannel: {
      email: { replyOnTime: E(1, 0), serviceLevel: E(0.1) },
      phone: { serviceLevel: E(0.71, 0.012), abandonRate: E(0.05, 0.004), asa: E(40, 3), aht: E(181, 0.5), offered: E(4000) },
    },
    bySite: { shanghai: { occupancy: E(0.85) }, nantong: { occupancy: E(0.8) } },
    intervals: [
      iv(0, { sl: 0.98, ci: 0.03, off: 1000, ans: 990, ab: 10, asa: 4, backlog: 0 }, [0.8, 0.85]),
      iv(1, { sl: 0.2, ci: 0.1, off: 1200, ans: 700, ab: 500, asa: 300, backlog: 400 }, [null, 0.99]),
      iv(2, { sl: 0.05, ci: 0.08, off: 1100, ans: 600, ab: 500, asa: 420, backlog: 380 }, [null, 0.99]),
      iv(3, { sl: 0.99, off: 900, ans: 899, ab: 1, asa: null, backlog: 0 }, [0.85, 0.8]),
    ],
    weeks: [],
    sla: SLA,
    resolution: { intervalLength: 1800, original: 1800, aggregated: 1, from: 36000, to: 43200, points: 4, totalIntervals: 48 },
    failures: [{ site: 'nantong', start: 37800, end: 41400 }],
    requirement: { phoneAgents: [120, null, 150, 100], basis: '' },
    agents: {
      staffed: [E(300), E(180), E(180), E(310)],
      busy: [E(240), E(179), E(179), E(250)],
      bySite: { shanghai: { staffed: [E(120), E(180), E(180), E(125)], busy: [] }, nantong: { staffed: [E(180), E(0), E(0), E(185)], busy: [] } },
    },
  };
}

describe('series per channel, phone first', () => {
  it('channels in the order phone, IM, email, fax whatever the answer\'s order', () => {
    expect(channelsOf(run())).toEqual(['phone', 'email']);
    expect(channelsOf({ byChannel: { fax: {}, im: {}, phone: {}, other: {} } })).toEqual(['phone', 'im', 'fax', 'other']);
  });

  it('service level per interval with its 95% band clamped to 0..1, for the channels without a reply deadline only', () => {
    const rows = serviceLevelRows(run());
    expect(rows.map((r) => r.t)).toEqual([36000, 37800, 39600, 41400]);
    expect(rows.map((r) => r.phone)).toEqual([0.98, 0.2, 0.05, 0.99]);
    expect(rows[0].phoneBand).toEqual([0.95, 1]); // 0.98 ± 0.03 -> [0.95, 1.01] clamped
    const b1 = rows[1].phoneBand as [number, number];
    expect(b1[0]).toBeCloseTo(0.1, 12);
    expect(b1[1]).toBeCloseTo(0.3, 12);
    expect(rows[2].phoneBand).toEqual([0, 0.13]); // 0.05 ± 0.08: clamped at 0
    expect(rows[3].phoneBand).toBeNull(); // no CI
    expect('email' in rows[0]).toBe(false); // email is read as replies on time, not a 20 s service level
    expect(band({ mean: 0.5, ci95: null })).toBeNull();
    expect(band({ mean: null, ci95: 0.1 })).toBeNull();
  });

  it('volumes, ASA and the queue of a channel; a missing mean stays a gap (null), not 0', () => {
    expect(volumeRows(run(), 'phone').map((r) => [r.offered, r.answered, r.abandoned])).toEqual([[1000, 990, 10], [1200, 700, 500], [1100, 600, 500], [900, 899, 1]]);
    const w = waitRows(run(), 'phone');
    expect(w.map((r) => r.asa)).toEqual([4, 300, 420, null]);
    expect(w.map((r) => r.queue)).toEqual([0, 400, 380, 0]);
    expect(w[1].asaBand).toEqual([298, 302]);
    expect(volumeRows(run(), 'fax').every((r) => r.offered === null)).toBe(true);
  });

  it('agents on duty against the Erlang requirement, per interval; per site the failed site at 0 and its occupancy a gap', () => {
    expect(agentRows(run()).map((r) => [r.staffed, r.busy, r.required])).toEqual([[300, 240, 120], [180, 179, null], [180, 179, 150], [310, 250, 100]]);
    const s = siteRows(run());
    expect(s.map((r) => r.nantong)).toEqual([180, 0, 0, 185]);
    expect(s.map((r) => r.nantongOcc)).toEqual([0.8, null, null, 0.85]);
    expect(s.map((r) => r.shanghai)).toEqual([120, 180, 180, 125]);
  });
});

describe('the SLA on the charts', () => {
  it('consecutive missed intervals merge into one range', () => {
    expect(mergeRanges([36000, 37800, 45000], 1800)).toEqual([{ start: 36000, end: 39600 }, { start: 45000, end: 46800 }]);
    expect(mergeRanges([39600, 36000, 37800], 1800)).toEqual([{ start: 36000, end: 41400 }]);
    expect(mergeRanges([], 1800)).toEqual([]);
  });

  it('misses from the interval means: below a min target, above a max target, warm-up and undefined values left out', () => {
    const r = run();
    expect(missedBy(r.intervals, SLA[0])).toEqual([37800, 39600]); // 0.2 and 0.05 < 0.95; 0.98 and 0.99 meet it
    expect(missedBy(r.intervals, { kpi: 'abandonRate', scope: 'byChannel.phone', target: 0.1, direction: 'max' })).toEqual([]); // no abandonRate per interval here: nothing to miss
    expect(missedBy(r.intervals, { kpi: 'asa', scope: 'byChannel.phone', target: 20, direction: 'max' })).toEqual([37800, 39600]); // 300 and 420 s; the null is not a miss
    expect(missedBy(r.intervals, { kpi: 'occupancy', scope: 'bySite.nantong', target: 0.82, direction: 'max' })).toEqual([41400]);
    const warm = r.intervals.map((x, i) => ({ ...x, warmup: i < 2 }));
    expect(missedBy(warm, SLA[0])).toEqual([39600]);
    expect(missedBy(r.intervals, { kpi: 'occupancy', scope: 'totals', target: 0.9, direction: 'min' })).toEqual([36000, 37800, 39600, 41400]);
  });

  it('the missed intervals listed with their values, and merged per target with the worst value', () => {
    const m = misses(run());
    expect(m.map((x) => [x.start, x.kpi, x.value])).toEqual([[36000, 'aht', null], [37800, 'serviceLevel', 0.2], [39600, 'aht', null], [39600, 'serviceLevel', 0.05]]);
    const ranges = missRanges(run());
    expect(ranges.map((x) => [x.sla.kpi, x.start, x.end, x.intervals, x.worst])).toEqual([
      ['serviceLevel', 37800, 41400, 2, 0.05],
      ['aht', 36000, 37800, 1, null],
      ['aht', 39600, 41400, 1, null],
    ]);
    // Coarsened intervals: the misses are the run's own intervals, their values are not among the served ones.
    const coarse = { ...run(), resolution: { ...run().resolution!, aggregated: 2, intervalLength: 3600 } };
    expect(misses(coarse).every((x) => x.value === null)).toBe(true);
  });

  it('a run longer than two weeks: a channel target the run JSON could not check per interval is checked on the served intervals', () => {
    const long = { ...run(), horizon: 28 * 86400, resolution: { ...run().resolution!, intervalLength: 5400, aggregated: 3 }, sla: [{ ...SLA[0], missedIntervals: [] }, SLA[2]] };
    const m = slaMisses(long);
    expect(m.map((x) => [x.sla.kpi, x.starts, x.length, x.fromServed])).toEqual([
      ['serviceLevel', [37800, 39600], 5400, true], // from the served intervals' phone service level, each 90 min long
      ['aht', [36000, 39600], 1800, false], // the run's own list
    ]);
    const ranges = missRanges(long);
    expect(ranges[0]).toMatchObject({ start: 37800, end: 45000, intervals: 2, worst: 0.05, fromServed: true });
    // Up to two weeks, or a target met, or on the totals: the run's own list as it is.
    expect(slaMisses({ ...long, horizon: 86400 })[0].fromServed).toBe(false);
    expect(slaMisses({ ...long, sla: [{ ...SLA[0], missedIntervals: [], met: true }] })[0].starts).toEqual([]);
  });

  it('the service-level target drawn: phone\'s, else the first service-level target, else 95%', () => {
    expect(serviceTarget(SLA)).toEqual({ target: 0.95, scope: 'byChannel.phone', fromSla: true });
    expect(serviceTarget([{ ...SLA[0], scope: 'byChannel.im', target: 0.8 }])).toEqual({ target: 0.8, scope: 'byChannel.im', fromSla: true });
    expect(serviceTarget([])).toEqual({ target: 0.95, scope: 'byChannel.phone', fromSla: false });
  });

  it('failover windows clipped to the time shown; the axis and its ticks', () => {
    expect(failureWindows(run(), 36000, 43200)).toEqual([{ site: 'nantong', start: 37800, end: 41400 }]);
    expect(failureWindows(run(), 39600, 86400)).toEqual([{ site: 'nantong', start: 39600, end: 41400 }]);
    expect(failureWindows(run(), 0, 36000)).toEqual([]);
    expect(domainOf(run().intervals)).toEqual([36000, 43200]);
    expect(domainOf([])).toEqual([0, 1]);
    expect(timeTicks(0, 86400)).toEqual([0, 7200, 14400, 21600, 28800, 36000, 43200, 50400, 57600, 64800, 72000, 79200, 86400]);
    expect(timeTicks(36000, 43200)).toEqual([36000, 36900, 37800, 38700, 39600, 40500, 41400, 42300, 43200]); // 2 h / 15 min = 8 steps <= 12
    expect(timeTicks(36000, 43200, 4)).toEqual([36000, 37800, 39600, 41400, 43200]);
    expect(timeTicks(0, 7 * 86400)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((d) => d * 86400));
    expect(timeTicks(1000, 8000, 4)).toEqual([1800, 3600, 5400, 7200]); // 7,000 s / 30 min = 3.9 steps: aligned to 30 min
  });

  it('points asked of the server from the chart width; days to zoom to', () => {
    expect(maxPointsFor(1216)).toBe(972);
    expect(maxPointsFor(1600)).toBe(1000);
    expect(maxPointsFor(100)).toBe(200);
    expect(daysOf(86400)).toEqual([]);
    expect(daysOf(7 * 86400)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(daysOf(2.5 * 86400)).toEqual([0, 1, 2]);
    expect(zoomWindows(86400)).toEqual([]);
    expect(zoomWindows(1.5 * 86400)).toEqual([{ label: 'day 1', from: 0, to: 86400 }, { label: 'day 2', from: 86400, to: 129600 }]);
    expect(zoomWindows(14 * 86400)).toHaveLength(14);
    expect(zoomWindows(56 * 86400).map((w) => w.label)).toEqual(['week 1', 'week 2', 'week 3', 'week 4', 'week 5', 'week 6', 'week 7', 'week 8']);
    expect(zoomWindows(17 * 86400).at(-1)).toEqual({ label: 'week 3', from: 1209600, to: 1468800 });
    expect(zoomWindows(400 * 86400)).toEqual([]);
    expect(hasChannelDetail(run())).toBe(true);
    expect(hasChannelDetail({ intervals: run().intervals.map(({ byChannel: _b, ...rest }) => rest as IntervalRow) })).toBe(false);
  });
});

describe('KPI tiles and the board', () => {
  it('tiles: phone first, targets attached, unmeasured KPIs left out unless a target names them', () => {
    const t = tileSpecs(run());
    expect(t.map((x) => x.id)).toEqual(['tile-phone-serviceLevel', 'tile-phone-abandonRate', 'tile-phone-asa', 'tile-phone-aht', 'tile-email-replyOnTime', 'tile-center-occupancy', 'tile-center-accuracy']);
    const sl = t[0];
    expect([sl.value, sl.ci, sl.target, sl.sla?.met]).toEqual(['71.0%', '± 1.2 pp', '≥ 95.0%', false]);
    expect([t[3].value, t[3].ci, t[3].target]).toEqual(['181.0 s', '± 0.5 s', '≤ 180.0 s']);
    expect(t[5].target).toBeUndefined();
    // cost 0 (not costed) and complaints replied on time null are left out; a target on an unlisted KPI gets its tile
    const extra = { ...run(), sla: [...SLA, { ...SLA[1], name: 'fax', kpi: 'replyOnTime', scope: 'byChannel.fax', missedIntervals: [] }] };
    expect(tileSpecs(extra).map((x) => x.id).at(-1)).toBe('tile-fax-replyOnTime');
    expect(tileSpecs(extra).at(-1)!.value).toBe('—');
    // One channel: a target on the totals is the channel's tile's, not a tile of its own.
    const single = { ...run(), byChannel: { phone: run().byChannel.phone }, sla: [{ ...SLA[0], scope: 'totals' }] };
    const st = tileSpecs(single);
    expect(st.filter((x) => x.kpi === 'serviceLevel').map((x) => [x.id, x.target])).toEqual([['tile-phone-serviceLevel', '≥ 95.0%']]);
  });

  it('the board\'s numbers: phone\'s service level, abandonment and AHT, the center\'s others, each with its unit', () => {
    const item = {
      sla: SLA,
      headline: {
        byChannel: { phone: { offered: 196822, serviceLevel: 0.7562982111658019, abandonRate: 0.14268908460073085, asa: 39.8, aht: 178.62724877214077, replyOnTime: 1 }, email: { offered: 4000, serviceLevel: 0.4, abandonRate: 0, asa: 5000, aht: 340, replyOnTime: 1 } },
        center: { arrivals: 222253, occupancy: 0.8255851806538764, accuracy: 1, complaintReplyOnTime: null, cost: 0 },
      },
    };
    expect(boardNumbers(item).map((n) => `${n.label}: ${n.value}`)).toEqual([
      'service level (phone): 75.6%', 'abandonment (phone): 14.3%', 'AHT (phone): 178.6 s', 'occupancy: 82.6%', 'accuracy: 100.00%',
      'complaints replied on time: —', 'cost: not costed',
    ]);
    expect(boardNumbers({ ...item, headline: { ...item.headline, center: { ...item.headline.center, cost: 791851.4 } } }).at(-1)!.value).toBe('RMB 791,851');
    // no phone: the channel of the service-level target
    const noPhone = { sla: [{ ...SLA[0], scope: 'byChannel.im' }], headline: { byChannel: { email: item.headline.byChannel.email, im: item.headline.byChannel.email }, center: item.headline.center } };
    expect(headlineChannel(noPhone)).toBe('im');
    expect(boardNumbers({ sla: null, headline: null })).toEqual([]);
    expect(slaSummary(SLA)).toEqual({ met: 1, total: 3, text: '1 of 3 met' });
    expect(slaSummary(null).text).toBe('no SLA targets');
  });
});

describe('compare', () => {
  it('two runs overlaid on the interval start; B - A of two independent runs without a paired CI', () => {
    const a = run();
    const b = { ...run(), intervals: run().intervals.slice(1).map((x) => ({ ...x, byChannel: { phone: { serviceLevel: { mean: 0.5, ci95: null } } } })), byChannel: { phone: { ...run().byChannel.phone, serviceLevel: { mean: 0.9, ci95: 0.01 } } } };
    expect(overlayRows(a, b, 'phone').map((r) => [r.t, r.a, r.b])).toEqual([[36000, 0.98, null], [37800, 0.2, 0.5], [39600, 0.05, 0.5], [41400, 0.99, 0.5]]);
    const d = independentDiffs(a, b);
    const sl = d.find((x) => x.kpi === 'serviceLevel' && x.scope === 'byChannel.phone')!;
    expect(sl.a).toBe(0.71);
    expect(sl.b).toBe(0.9);
    expect(sl.difference).toBeCloseTo(0.19, 12);
    expect([sl.ci95, sl.significant, sl.paired]).toEqual([null, null, false]);
    expect(d.some((x) => x.kpi === 'cost')).toBe(false); // neither run costed
  });

  it('a compare run\'s paired differences: the first variant against the baseline, the corrected CI when there is one', () => {
    const p = (meanA: number, meanB: number, ci95: number, significant: boolean, ciAdjusted?: number) => ({ meanA, meanB, difference: meanB - meanA, ci95, significant, ...(ciAdjusted === undefined ? {} : { ciAdjusted }) });
    const rows = pairedDiffs({
      paired: null,
      comparisons: [{
        totals: { occupancy: p(0.808, 0.826, 0.0055, true), cost: p(0, 0, 0, false) },
        byChannel: { phone: { serviceLevel: p(0.9938, 0.7563, 0.002, true, 0.003), aht: p(178.3, 178.6, 0.6, false) } },
      }],
    });
    expect(rows.map((r) => [r.scope, r.kpi, r.ci95, r.significant])).toEqual([
      ['byChannel.phone', 'serviceLevel', 0.003, true],
      ['byChannel.phone', 'aht', 0.6, false],
      ['totals', 'occupancy', 0.0055, true],
    ]);
    expect(rows[0].difference).toBeCloseTo(-0.2375, 12);
    expect(pairedDiffs({ paired: null, comparisons: null })).toEqual([]);
  });
});

describe('weeks', () => {
  it('one line per week: phone\'s rates, the center\'s occupancy and the headcount', () => {
    const r = { ...run(), weeks: [
      { start: 0, end: 604800, occupancy: E(0.8), defectRate: E(0.002), byChannel: { phone: { serviceLevel: E(0.93), abandonRate: E(0.02), aht: E(190), offered: E(1e6) } }, headcount: { total: E(1200) } },
      { start: 604800, end: 1209600, occupancy: E(0.82), defectRate: E(0.001), byChannel: { phone: { serviceLevel: E(0.97), abandonRate: E(0.01), aht: E(180), offered: E(1.1e6) } } },
    ] };
    expect(weekLines(r)).toEqual([
      { week: 1, start: 0, end: 604800, phoneSL: 0.93, phoneAbandon: 0.02, phoneAht: 190, offered: 1e6, occupancy: 0.8, defectRate: 0.002, headcount: 1200 },
      { week: 2, start: 604800, end: 1209600, phoneSL: 0.97, phoneAbandon: 0.01, phoneAht: 180, offered: 1.1e6, occupancy: 0.82, defectRate: 0.001, headcount: null },
    ]);
  });
});
