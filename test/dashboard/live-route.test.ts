import { describe, expect, it } from 'vitest';
import type { LiveMetrics, TwinState } from '../../dashboard/src/api.ts';
import { agentsBySite, channelOfType, downWindows, eventText, LiveModel, thin, waitingByChannel, type Sample } from '../../dashboard/src/live.ts';
import { hrefOf, parseHash, runHref } from '../../dashboard/src/route.ts';

/** The URL's routes (dashboard/src/route.ts) and the live view's batching model (dashboard/src/live.ts). */

describe('hash routes: the URL holds the view and the run ids', () => {
  it('parses every view and writes it back', () => {
    const cases: [string, ReturnType<typeof parseHash>][] = [
      ['', { view: 'board', page: 1 }],
      ['#/', { view: 'board', page: 1 }],
      ['#/?page=3', { view: 'board', page: 3 }],
      ['#/run/12', { view: 'run', id: 12 }],
      ['#/run/12?from=86400&to=172800', { view: 'run', id: 12, from: 86400, to: 172800 }],
      ['#/compare/4', { view: 'compare', id: 4 }],
      ['#/compare/1/2', { view: 'compare2', a: 1, b: 2 }],
      ['#/live', { view: 'live' }],
    ];
    for (const [hash, route] of cases) {
      expect(parseHash(hash), hash).toEqual(route);
      if (hash.startsWith('#/')) expect(hrefOf(route)).toBe(hash);
    }
  });

  it('bad ids, windows and pages: an unknown route or the default, never a crash', () => {
    expect(parseHash('#/run/0')).toEqual({ view: 'unknown', hash: '#/run/0' });
    expect(parseHash('#/run/abc')).toEqual({ view: 'unknown', hash: '#/run/abc' });
    expect(parseHash('#/run/1/2')).toEqual({ view: 'unknown', hash: '#/run/1/2' });
    expect(parseHash('#/nowhere')).toEqual({ view: 'unknown', hash: '#/nowhere' });
    expect(parseHash('#/run/5?from=100&to=50')).toEqual({ view: 'run', id: 5 }); // an empty window is no window
    expect(parseHash('#/run/5?from=x&to=50')).toEqual({ view: 'run', id: 5 });
    expect(parseHash('#/?page=-2')).toEqual({ view: 'board', page: 1 });
    expect(parseHash('#/?page=1.5')).toEqual({ view: 'board', page: 1 });
    expect(runHref({ id: 7, kind: 'compare' })).toBe('#/compare/7');
    expect(runHref({ id: 7, kind: 'run' })).toBe('#/run/7');
  });
});

const state = (clock: number, over: Partial<TwinState> = {}): TwinState => ({
  scenario: 'x', clock, day: 0, horizon: 86400, target: clock, speed: 600, paused: false, finished: false, dayOver: false, failure: null, lag: 0,
  arrivals: 'both', inSystem: 10, counters: {},
  queues: [
    { type: 'flight-zh-phone', site: 'shanghai', waiting: 3, oldestWait: 5, inService: 9 },
    { type: 'flight-zh-phone', site: 'nantong', waiting: 2, oldestWait: 4, inService: 8 },
    { type: 'flight-zh-email', site: 'nantong', waiting: 40, oldestWait: 900, inService: 1 },
  ],
  groups: [
    { group: 'flight-shanghai', site: 'shanghai', off: 1, idle: 2, busy: 10, onDuty: 12, leaving: 0 },
    { group: 'flight-nantong', site: 'nantong', off: 0, idle: 1, busy: 20, onDuty: 21, leaving: 0 },
    { group: 'hotel-nantong', site: 'nantong', off: 0, idle: 0, busy: 5, onDuty: 5, leaving: 0 },
  ],
  sites: [{ site: 'shanghai', up: true, inSystem: 4, lines: 4 }, { site: 'nantong', up: true, inSystem: 6, lines: 6 }],
  ...over,
});

describe('the live view\'s model', () => {
  it('agents on duty and busy per site; contacts waiting per channel', () => {
    expect(agentsBySite(state(0))).toEqual({ shanghai: { onDuty: 12, busy: 10 }, nantong: { onDuty: 26, busy: 25 } });
    expect(waitingByChannel(state(0))).toEqual({ phone: 5, email: 40 });
    expect(channelOfType('a-b-im')).toBe('im');
    expect(channelOfType('vip', { vip: 'phone' })).toBe('phone');
  });

  it('events are queued and applied in one batch at the flush: one snapshot for many events', () => {
    const m = new LiveModel();
    const before = m.snapshot;
    for (let i = 1; i <= 100; i++) m.push({ id: i, kind: 'contact', data: { outcome: 'completed' } });
    m.push({ id: 101, kind: 'site', data: { site: 'nantong', up: false, clock: 36000, cause: 'control' } });
    m.push({ id: 102, kind: 'interval', data: { start: 36000, end: 37800, byChannel: { phone: { serviceLevel: 0.5, offered: 100 } } } });
    expect(m.snapshot).toBe(before); // nothing applied until the flush
    expect(m.queued).toBe(102);
    m.needMetrics = false;
    expect(m.flush()).toBe(true);
    const s = m.snapshot;
    expect(s).not.toBe(before);
    expect([s.events, s.batches, s.lastEventId]).toEqual([102, 1, 102]);
    expect(s.sites).toEqual({ nantong: false });
    expect(s.downs).toEqual([{ site: 'nantong', start: 36000, end: null }]);
    expect(s.log.map((l) => l.text)).toEqual(['interval 10:00 closed: phone 50.0% of 100 offered', 'nantong down (control)']); // newest first; contacts not logged
    expect(m.needMetrics).toBe(true); // an interval closed: re-read the metrics
    expect(m.flush()).toBe(false); // nothing queued: no new snapshot
    expect(m.snapshot).toBe(s);
    m.push({ id: 103, kind: 'site', data: { site: 'nantong', up: true, clock: 39600, cause: 'control' } });
    m.flush();
    expect(m.snapshot.downs).toEqual([{ site: 'nantong', start: 36000, end: 39600 }]);
    expect(downWindows([{ site: 'a', start: 10, end: null }], 50)).toEqual([{ site: 'a', start: 10, end: 50 }]);
  });

  it('state polls add one sample per clock value; the site flags follow the state; the day closes', () => {
    const m = new LiveModel();
    m.applyState(state(100));
    m.applyState(state(100)); // paused: same clock, no new sample
    m.applyState(state(160, { sites: [{ site: 'shanghai', up: true, inSystem: 0, lines: 0 }, { site: 'nantong', up: false, inSystem: 0, lines: 0 }], groups: [{ group: 'flight-nantong', site: 'nantong', off: 26, idle: 0, busy: 0, onDuty: 0, leaving: 0 }] }));
    const s = m.snapshot;
    expect(s.samples).toEqual([
      { clock: 100, shanghai: 12, shanghaiBusy: 10, nantong: 26, nantongBusy: 25, wait_phone: 5, wait_email: 40 },
      { clock: 160, shanghai: 0, shanghaiBusy: 0, nantong: 0, nantongBusy: 0, wait_phone: 5, wait_email: 40 },
    ]);
    expect(s.sites).toEqual({ shanghai: true, nantong: false });
    expect(s.dayClosed).toBe(false);
    m.applyMetrics({ live: { closed: true } } as LiveMetrics);
    expect(m.snapshot.dayClosed).toBe(true);
    expect(m.needMetrics).toBe(false);
  });

  it('a long day keeps every part of it: past the cap the samples are thinned, first and last kept', () => {
    const xs: Sample[] = [0, 1, 2, 3, 4, 5].map((c) => ({ clock: c }));
    expect(thin(xs).map((x) => x.clock)).toEqual([0, 2, 4, 5]);
    expect(thin(xs.slice(0, 5)).map((x) => x.clock)).toEqual([0, 2, 4]);
    const m = new LiveModel(10);
    for (let c = 1; c <= 25; c++) m.applyState(state(c * 60));
    const cl = m.snapshot.samples.map((x) => x.clock);
    expect(cl.length).toBeLessThanOrEqual(10);
    expect(cl[0]).toBe(60);
    expect(cl.at(-1)).toBe(1500);
    expect([...cl].sort((a, b) => a - b)).toEqual(cl);
  });

  it('events as text on the scenario clock', () => {
    expect(eventText({ id: 1, kind: 'control', data: { action: 'speed', speed: 600 } })).toBe('speed 600×');
    expect(eventText({ id: 1, kind: 'control', data: { action: 'pause' } })).toBe('paused');
    expect(eventText({ id: 1, kind: 'site', data: { site: 'nantong', up: true, cause: 'scenario' } })).toBe('nantong back up (scenario)');
    expect(eventText({ id: 1, kind: 'day', data: { cut: false } })).toBe('the simulated day is over');
    expect(eventText({ id: 1, kind: 'interval', data: { start: 86400 + 1800, byChannel: {} } })).toBe('interval day 2 00:30 closed');
  });
});
