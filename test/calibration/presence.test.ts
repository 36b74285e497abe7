import { describe, expect, it } from 'vitest';
import { dayNumber, type CallRecord } from '../../calibration-data/call-log.ts';
import { observeDays, PRESENCE_GAP_BY_DAY_TYPE } from '../../calibration-data/observed-day.ts';

// One agent, two 60-s calls 12.5 minutes apart (08:00-08:01 and 08:13:30-08:14:30).
function twoCalls(day: number): CallRecord[] {
  const call = (t: number): CallRecord => ({ day, arrival: t, queueEntry: t, answer: t, end: t + 60, outcome: 'answered', type: 'PS', agent: 'A', customer: null });
  return [call(8 * 3600), call(8 * 3600 + 810)];
}
const presentSeconds = (calls: CallRecord[], gap?: number) => {
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
