import { describe, expect, it } from 'vitest';
import { dayNumber, type CallRecord } from '../../sim/src/calibration/call-log.ts';
import { ADAPTIVE_GAP_MIN_GAPS, observeDays, presenceGapByHour, PRESENCE_GAP_BY_DAY_TYPE, type PresenceGap } from '../../sim/src/calibration/observed-day.ts';

// One agent, two 60-s calls 12.5 minutes apart (08:00-08:01 and 08:13:30-08:14:30).
function twoCalls(day: number): CallRecord[] {
  const call = (t: number): CallRecord => ({ day, arrival: t, queueEntry: t, answer: t, end: t + 60, outcome: 'answered', type: 'PS', agent: 'A', customer: null });
  return [call(8 * 3600), call(8 * 3600 + 810)];
}
const presentSeconds = (calls: CallRecord[], gap?: PresenceGap) => {
  const [d] = gap === undefined ? observeDays(calls, 900, 20, 'present') : observeDays(calls, 900, 20, 'present', gap);
  return d.staffing.reduce((s, x) => s + x, 0) * 900;
};

describe('staffing "present": the presence gap by day type (chosen on January)', () => {
  const sunday = dayNumber(1999, 1, 3), friday = dayNumber(1999, 1, 8), saturday = dayNumber(1999, 1, 9);
  it('is 10 minutes on weekdays and 15 on Friday and Saturday', () => {
    expect(PRESENCE_GAP_BY_DAY_TYPE).toEqual({ weekday: 600, friday: 900, saturday: 900 });
  });
  it('a 12.5-minute idle stretch ends the session on a weekday but not on a quiet day', () => {
    expect(presentSeconds(twoCalls(sunday))).toBeCloseTo(120, 6);
    expect(presentSeconds(twoCalls(friday))).toBeCloseTo(870, 6);
    expect(presentSeconds(twoCalls(saturday))).toBeCloseTo(870, 6);
  });
  it('a single number still applies to every day', () => {
    expect(presentSeconds(twoCalls(friday), 600)).toBeCloseTo(120, 6);
    expect(presentSeconds(twoCalls(sunday), 900)).toBeCloseTo(870, 6);
  });
});

describe('staffing "present": the adaptive presence gap (the switch model\'s)', () => {
  const day = dayNumber(1999, 1, 3);
  const call = (agent: string, t: number): CallRecord => ({ day, arrival: t, queueEntry: t, answer: t, end: t + 60, outcome: 'answered', type: 'PS', agent, customer: null });
  // Agent A: 21 calls of 60 s every 90 s from 08:00 (20 gaps of 30 s, ends 08:31:00). Agent B: calls at
  // 08:00, 08:06 and 08:14 (gaps of 300 s and 420 s). The hour's 22 gaps have median 30 s.
  const calls = [
    ...Array.from({ length: 21 }, (_, k) => call('A', 8 * 3600 + 90 * k)),
    call('B', 8 * 3600), call('B', 8 * 3600 + 360), call('B', 8 * 3600 + 840),
  ];
  const A = 20 * 90 + 60;
  it('cuts a session at factor x the hour\'s median gap: 12 x 30 s = 360 s keeps B\'s 300-s gap and ends it at the 420-s one', () => {
    const th = presenceGapByHour(calls, { factor: 12, min: 200, max: 3600 });
    // Hours with fewer than ADAPTIVE_GAP_MIN_GAPS gaps take the day's median: here every hour.
    expect(ADAPTIVE_GAP_MIN_GAPS).toBe(10);
    expect(th).toEqual(new Array(24).fill(360));
    // B: 08:00-08:07, then 08:14-08:15.
    expect(presentSeconds(calls, { factor: 12, min: 200, max: 3600 })).toBeCloseTo(A + 420 + 60, 6);
    // A fixed 10-minute gap keeps B on the floor from 08:00 to 08:15.
    expect(presentSeconds(calls, 600)).toBeCloseTo(A + 900, 6);
  });
  it('within its bounds: 2 x 30 s is raised to the 200-s minimum (both of B\'s gaps cut), 100 x 30 s lowered to a 400-s maximum', () => {
    expect(presenceGapByHour(calls, { factor: 2, min: 200, max: 3600 })[8]).toBe(200);
    expect(presentSeconds(calls, { factor: 2, min: 200, max: 3600 })).toBeCloseTo(A + 3 * 60, 6);
    expect(presenceGapByHour(calls, { factor: 100, min: 200, max: 400 })[8]).toBe(400);
    expect(presentSeconds(calls, { factor: 100, min: 200, max: 400 })).toBeCloseTo(A + 420 + 60, 6);
  });
  it('an hour with enough gaps of its own uses its own median', () => {
    // Agent C works 20:00-20:33 with 11 gaps of 120 s: hour 20's median is 120 s (threshold 1440 s), hour 8 keeps 360 s.
    const late = [...calls, ...Array.from({ length: 12 }, (_, k) => call('C', 20 * 3600 + 180 * k))];
    const th = presenceGapByHour(late, { factor: 12, min: 200, max: 3600 });
    expect(th[8]).toBe(360);
    expect(th[20]).toBe(1440);
  });
});
