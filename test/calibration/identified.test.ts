import { describe, expect, it } from 'vitest';
import { dayNumber, type CallRecord } from '../../calibration-data/call-log.ts';
import { identifiedDelaySample, patienceAfterDelay, replayClassKey, typeFamilies } from '../../calibration-data/identified.ts';
import { quantile } from '../../calibration-data/estimators.ts';
import { observeDays } from '../../calibration-data/observed-day.ts';
import { validateDays, type TypedReplay } from '../../calibration-data/replay.ts';
import { Sampler } from '../../sim/src/core/distributions.ts';
import { makeStream } from '../../sim/src/core/rng.ts';

const SUNDAY = dayNumber(1999, 1, 3);

/**
 * A synthetic log with a known identified-customer delay: Poisson arrivals, half of them
 * identified; an identified call may be taken only `delay` seconds after it entered the
 * queue (uniform 10-50 s), an anonymous one at once; each call then takes the agent free
 * first. Ten agents at about 30% occupancy: someone is nearly always idle, so the waits
 * of identified calls are their delays.
 */
function delayedLog(days: number, seed = 'delay'): CallRecord[] {
  const r = makeStream(seed, 0, 'log');
  const handle = new Sampler({ kind: 'exponential', mean: 60 });
  const out: CallRecord[] = [];
  for (let d = 0; d < days; d++) {
    const day = SUNDAY + d;
    const free = new Array<number>(10).fill(8 * 3600);
    const calls: { q: number; elig: number; id: boolean }[] = [];
    for (let t = 8 * 3600 + r.exponential(1 / 20); t < 16 * 3600; t += r.exponential(1 / 20)) {
      const id = r.next() < 0.5;
      calls.push({ q: t, elig: id ? t + 10 + 40 * r.next() : t, id });
    }
    calls.sort((a, b) => a.elig - b.elig);
    for (const c of calls) {
      let k = 0;
      for (let j = 1; j < free.length; j++) if (free[j] < free[k]) k = j;
      const start = Math.max(c.elig, free[k]);
      const h = handle.sample(r);
      free[k] = start + h;
      out.push({ day, arrival: c.q, queueEntry: c.q, answer: start, end: start + h, outcome: 'answered', type: c.id ? 'PS' : 'NW', agent: `A${k}`, customer: null, priority: c.id ? 2 : 0 });
    }
  }
  return out.sort((a, b) => a.day - b.day || a.arrival - b.arrival);
}

describe('identified customers: the structural delay', () => {
  it('is recovered from the waits of identified calls while another agent was idle (uniform 10-50 s)', () => {
    const sample = identifiedDelaySample(delayedLog(5), 600).sort((a, b) => a - b);
    expect(sample.length).toBeGreaterThan(2000);
    const m = sample.reduce((s, x) => s + x, 0) / sample.length;
    expect(m).toBeGreaterThan(28.5);
    expect(m).toBeLessThan(31.5);
    expect(quantile(sample, 0.1)).toBeGreaterThan(12.5);
    expect(quantile(sample, 0.1)).toBeLessThan(15.5);
    expect(quantile(sample, 0.9)).toBeGreaterThan(44.5);
    expect(quantile(sample, 0.9)).toBeLessThan(47.5);
    // Anonymous calls are never in the sample: none waited 10 s or more here... and all sampled waits are delays.
    expect(sample[0]).toBeGreaterThanOrEqual(10 - 1e-9);
  });

  it('patience running through the delay: hang-up share P(P < D) and the exponential residual', () => {
    // Exponential patience, mean 100 s; delay uniform 10-30 s:
    // P(P < D) = 1 - E[exp(-D/100)] = 1 - 5 (e^-0.1 - e^-0.3) = 0.1799; the residual is exponential again (mean 100).
    const a = patienceAfterDelay({ kind: 'exponential', mean: 100 }, { kind: 'uniform', min: 10, max: 30 }, 80000);
    expect(a.hangup).toBeGreaterThan(0.1799 - 0.006);
    expect(a.hangup).toBeLessThan(0.1799 + 0.006);
    const rest = new Sampler(a.rest!);
    const r = makeStream('rest', 0, 'x');
    let s = 0;
    for (let i = 0; i < 40000; i++) s += rest.sample(r);
    expect(s / 40000).toBeGreaterThan(96);
    expect(s / 40000).toBeLessThan(104);
    expect(patienceAfterDelay(null, { kind: 'uniform', min: 10, max: 30 })).toEqual({ hangup: 0, rest: null });
  });
});

describe('type families and replay classes', () => {
  const call = (type: string, priority?: number): CallRecord => ({ day: SUNDAY, arrival: 0, queueEntry: 0, answer: 0, end: 10, outcome: 'answered', type, agent: 'A', customer: null, ...(priority === undefined ? {} : { priority }) });
  it('types with enough offered calls are families, the rest is "other"', () => {
    const calls = [...Array.from({ length: 5 }, () => call('PS')), ...Array.from({ length: 3 }, () => call('NW')), call('TT'), call('PE')];
    expect(typeFamilies(calls, 3)).toEqual(['PS', 'NW', 'other']);
    expect(typeFamilies(calls, 1)).toEqual(['PS', 'NW', 'TT', 'PE']);
    expect(typeFamilies(calls, 100)).toEqual(['other']);
    const key = replayClassKey(['PS', 'NW', 'other'], true);
    expect([key(call('PS', 2)), key(call('PS', 0)), key(call('TT', 1)), key(call('NW'))]).toEqual(['PS+id', 'PS', 'other+id', 'NW']);
    // A log without priorities (generic CSV) has no identified customers.
    expect(replayClassKey(['calls'], true)(call('calls'))).toBe('calls');
  });
});

describe('staffing "present" with a session extension', () => {
  // One agent, two 60-s calls 12.5 minutes apart on a weekday: two sessions (gap 10 min).
  const c = (t: number): CallRecord => ({ day: SUNDAY, arrival: t, queueEntry: t, answer: t, end: t + 60, outcome: 'answered', type: 'PS', agent: 'A', customer: null });
  const present = (ext: number) => observeDays([c(8 * 3600), c(8 * 3600 + 810)], 900, 20, 'present', undefined, { extension: ext })[0].staffing.reduce((s, x) => s + x, 0) * 900;
  it('adds the extension before and after each session, never twice over the same idle stretch', () => {
    expect(present(0)).toBeCloseTo(120, 6);
    expect(present(60)).toBeCloseTo(120 + 4 * 60, 6);
    // 750 s between the sessions: with 400 s on each side they meet half-way, 8:07:15.
    expect(present(400)).toBeCloseTo(750 + 60 + 60 + 400 + 400, 6);
  });
});

describe('typed replay: the delay is part of the wait', () => {
  it('identified calls wait their delay even with idle agents; anonymous calls are answered at once', () => {
    const day = SUNDAY;
    // Observed: 40 anonymous and 40 identified calls, one every 90 s from 8:00, served by two agents in turn (on the floor throughout).
    const calls: CallRecord[] = [];
    for (let i = 0; i < 80; i++) {
      const t = 8 * 3600 + i * 90;
      calls.push({ day, arrival: t, queueEntry: t, answer: t, end: t + 30, outcome: 'answered', type: 'PS', agent: `A${i % 2}`, customer: null, priority: i % 2 === 0 ? 0 : 2 });
    }
    const key = replayClassKey(['PS'], true);
    const days = observeDays(calls, 900, 20, 'present', undefined, { classKey: key });
    const ht = { kind: 'uniform', min: 29, max: 31 } as const;
    expect(days[0].staffing[8 * 4 + 1]).toBeCloseTo(2, 6);
    const typed: TypedReplay = {
      delay: { kind: 'uniform', min: 25, max: 26 },
      classes: [
        { name: 'PS', identified: false, handleTime: ht, patience: null },
        { name: 'PS+id', identified: true, handleTime: ht, patience: null, hangup: 0, patienceAfterDelay: null },
      ],
    };
    const r = validateDays(days, { handleTime: ht, patience: null, typed, interval: 900, threshold: 20, replications: 4, seed: 3, arrivals: 'trace' });
    const [d] = r.days;
    expect(d.offered.simulated).toBe(80);
    expect(d.classes!.PS!.serviceLevel.simulated).toBe(1);
    expect(d.classes!['PS+id']!.serviceLevel.simulated).toBe(0);
    expect(d.classes!['PS+id']!.asa.simulated).toBeGreaterThan(25);
    expect(d.classes!['PS+id']!.asa.simulated).toBeLessThan(26);
    expect(d.serviceLevel.simulated).toBeCloseTo(0.5, 9);
    // A hang-up during the delay is an offered, abandoned call.
    const hang = validateDays(days, { handleTime: ht, patience: null, typed: { ...typed, classes: [typed.classes[0], { ...typed.classes[1], hangup: 1 }] }, interval: 900, threshold: 20, replications: 2, seed: 3, arrivals: 'trace' });
    expect(hang.days[0].offered.simulated).toBe(80);
    expect(hang.days[0].abandonRate.simulated).toBeCloseTo(0.5, 9);
  });
});
