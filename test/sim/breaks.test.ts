import { describe, expect, it } from 'vitest';
import { shiftStaffing, staggerPlan } from '../../sim/src/config/compile-center.ts';
import { compileScenario } from '../../sim/src/config/compile.ts';
import { parseScenarioText } from '../../sim/src/config/load.ts';
import { simErrorOf } from '../fixtures/sim-error.ts';

/**
 * Staggered breaks (issue 12 item 9): a shift's break spread over a window across the
 * shift's agents, in whole intervals (staffing is per interval). Hand-worked staffing
 * per interval; the agent-time on break is agents x break length; `together` (the
 * default) is today's behaviour.
 */

type Shifts = Parameters<typeof shiftStaffing>[0];
const M15 = 900;
const DAY = 96; // 15-minute intervals in a day

/** Agents off duty for a break in each interval: the shift's agents on duty minus the staffing, over the shift's intervals. */
function breakTime(staffing: number[], agents: number, fromI: number, toI: number, L: number): number {
  let s = 0;
  for (let i = fromI; i < toI; i++) s += (agents - staffing[i]) * L;
  return s;
}

describe('staggered breaks: staffing per interval', () => {
  it('12 agents, a 1 h break staggered over a 3 h window, 15-minute intervals: 4 agents off in each of the 12 intervals', () => {
    // Shift 08:00-17:00, window 3h-6h into it (11:00-14:00). A break takes 4 intervals; 3
    // fit one after another (11:00, 12:00, 13:00); 12 agents make 4 such rows: each
    // interval of the window has 4 agents off, 8 on duty.
    const shifts: Shifts = [{ start: '8h', length: '9h', agents: 12, breaks: [{ length: '1h', spread: 'staggered', window: { from: '3h', to: '6h' } }] }];
    const staffing = shiftStaffing(shifts, DAY, M15);
    const expected = Array.from({ length: DAY }, (_, i) => (i < 32 || i >= 68 ? 0 : i >= 44 && i < 56 ? 8 : 12));
    expect(staffing).toEqual(expected);
    expect(breakTime(staffing, 12, 32, 68, M15)).toBe(12 * 3600);
    expect(staggerPlan(shifts[0], shifts[0].breaks![0], M15)).toEqual({ from: 3 * 3600, to: 6 * 3600, slots: 12, span: 4, off: new Array(12).fill(4) });
  });

  it('10 agents, 30 min breaks over 2 h: rows of 4, the last row of 2 spread across it', () => {
    // 8 intervals, a break takes 2: rows of 4 breaks (starts 0, 2, 4, 6). Rows 1 and 2 are
    // full (2 off everywhere); row 3 has 2 agents, placed at 0 and 4: off = 3,3,2,2,3,3,2,2.
    const shifts: Shifts = [{ start: '8h', length: '8h', agents: 10, breaks: [{ length: '30m', spread: 'staggered', window: { from: '1h', to: '3h' } }] }];
    const staffing = shiftStaffing(shifts, DAY, M15);
    const off = [3, 3, 2, 2, 3, 3, 2, 2];
    expect(staffing.slice(36, 44)).toEqual(off.map((o) => 10 - o));
    expect(staffing.slice(32, 36)).toEqual([10, 10, 10, 10]);
    expect(staffing.slice(44, 64)).toEqual(new Array(20).fill(10));
    expect(breakTime(staffing, 10, 32, 64, M15)).toBe(10 * 1800);
  });

  it('slack in the window: rows shifted to spread it; every agent still gets the whole break within the window', () => {
    // 10 intervals, a break of 4: rows of 2 (slack 2). 5 agents: rows shifted by 0, 1, 2
    // intervals: starts 0, 4 | 1, 5 | 2 (the last row, 1 agent).
    const shifts: Shifts = [{ start: '8h', length: '8h', agents: 5, breaks: [{ length: '1h', spread: 'staggered', window: { from: '2h', to: '270m' } }] }];
    const plan = staggerPlan(shifts[0], shifts[0].breaks![0], M15);
    expect(plan).toMatchObject({ slots: 10, span: 4 });
    expect(plan.off).toEqual([1, 2, 3, 3, 3, 3, 2, 2, 1, 0]);
    const staffing = shiftStaffing(shifts, DAY, M15);
    expect(staffing.slice(40, 50)).toEqual(plan.off.map((o) => 5 - o));
    expect(breakTime(staffing, 5, 32, 64, M15)).toBe(5 * 3600);
  });

  it('a shift not on the interval grid: the window\'s intervals are those whose midpoint lies in it', () => {
    // Shift from 08:10, window 1h-4h (09:10-12:10): midpoints 09:22:30 .. 12:07:30 are in it,
    // 12 intervals (09:15-12:15); 12 agents, 4 off in each.
    const shifts: Shifts = [{ start: '490m', length: '8h', agents: 12, breaks: [{ length: '1h', spread: 'staggered', window: { from: '1h', to: '4h' } }] }];
    const staffing = shiftStaffing(shifts, DAY, M15);
    // On duty from the interval 08:00-08:15? Its midpoint 08:07:30 is before 08:10: no. 08:15 (i 33) to 16:00 (i 64, midpoint 16:07:30 < 16:10).
    const expected = Array.from({ length: DAY }, (_, i) => (i < 33 || i > 64 ? 0 : i >= 37 && i < 49 ? 8 : 12));
    expect(staffing).toEqual(expected);
    expect(breakTime(staffing, 12, 33, 65, M15)).toBe(12 * 3600);
  });

  it('the pattern repeats daily, a night shift\'s window across midnight included', () => {
    const shifts: Shifts = [{ start: '20h', length: '12h', agents: 6, breaks: [{ length: '1h', spread: 'staggered', window: { from: '3h', to: '6h' } }] }];
    const staffing = shiftStaffing(shifts, 96, 1800);
    // 30-minute intervals: window 23:00-02:00 is 6 intervals, a break takes 2, rows of 3: 6 agents = 2 rows, 2 off each.
    const day = Array.from({ length: 48 }, (_, i) => (i >= 16 && i < 40 ? 0 : (i >= 46 || i < 4) ? 4 : 6));
    expect(staffing).toEqual([...day, ...day]);
  });

  it('spread: together is today\'s behaviour: all the shift\'s agents off at `after`', () => {
    const base: Shifts = [{ start: '20h', length: '12h', agents: 3, breaks: [{ after: '4h', length: '1h' }] }, { start: '8h', length: '12h', agents: 2 }];
    const together: Shifts = [{ start: '20h', length: '12h', agents: 3, breaks: [{ after: '4h', length: '1h', spread: 'together' }] }, { start: '8h', length: '12h', agents: 2 }];
    const expected = Array.from({ length: 24 }, (_, h) => (h === 0 ? 0 : h < 8 ? 3 : h < 20 ? 2 : 3));
    expect(shiftStaffing(base, 24, 3600)).toEqual(expected);
    expect(shiftStaffing(together, 24, 3600)).toEqual(expected);
  });
});

describe('staggered breaks in a scenario file', () => {
  const CENTER = (breaks: string) => `
name: breaks
horizon: 24h
interval: 15m
sites:
  a: {}
contactTypes:
  - name: calls
    product: flight
    language: zh
    channel: phone
    perDay: 1000
    handleTime: { kind: exponential, mean: 60 }
agentGroups:
  - name: g
    site: a
    skills: { flight-zh: 1 }
    shifts:
      - start: 8h
        length: 9h
        agents: 12
        breaks: [${breaks}]
`;
  const compile = (breaks: string) => compileScenario(parseScenarioText(CENTER(breaks), 'test.yaml'), { baseDir: '.' });
  const issues = (breaks: string) => simErrorOf(() => compile(breaks)).issues.map((i) => `${i.path} = ${JSON.stringify(i.value)}: ${i.message}`);
  const P = 'agentGroups[0].shifts[0].breaks[0]';

  it('compiles to the staffing worked out above; a break without spread is together', () => {
    const staggered = compile('{ length: 1h, spread: staggered, window: { from: 3h, to: 6h } }').groups[0].staffing;
    expect(staggered).toEqual(Array.from({ length: DAY }, (_, i) => (i < 32 || i >= 68 ? 0 : i >= 44 && i < 56 ? 8 : 12)));
    const plain = compile('{ after: 4h, length: 1h }').groups[0].staffing;
    expect(plain).toEqual(compile('{ after: 4h, length: 1h, spread: together }').groups[0].staffing);
    expect(plain).toEqual(Array.from({ length: DAY }, (_, i) => (i < 32 || i >= 68 ? 0 : i >= 48 && i < 52 ? 0 : 12)));
  });

  it('refuses a window outside the shift, shorter than the break, backwards, or missing; after and window in the wrong mode', () => {
    expect(issues('{ length: 1h, spread: staggered, window: { from: 7h, to: 10h } }')).toEqual([
      `${P}.window.to = "10h": must be within the shift (the shift is 9h long)`,
    ]);
    expect(issues('{ length: 2h, spread: staggered, window: { from: 3h, to: 4h } }')).toEqual([
      `${P}.window = "from 3h to 4h": must be at least as long as the break (2h)`,
    ]);
    expect(issues('{ length: 1h, spread: staggered, window: { from: 5h, to: 3h } }')).toEqual([
      `${P}.window.to = "3h": must be after window.from (5h)`,
    ]);
    expect(issues('{ length: 1h, spread: staggered }')[0]).toMatch(new RegExp(`^${P.replace(/[[\]]/g, '\\$&')}\\.window = undefined: is required with spread: staggered`));
    expect(issues('{ after: 2h, length: 1h, spread: staggered, window: { from: 3h, to: 6h } }')).toEqual([
      `${P}.after = "2h": is for spread: together; a staggered break is placed within its window: remove after`,
    ]);
    expect(issues('{ after: 2h, length: 1h, window: { from: 3h, to: 6h } }')[0]).toMatch(/\.window = .*: is for spread: staggered/);
    expect(issues('{ length: 1h }')[0]).toMatch(/breaks\[0\]\.after = undefined: is required with spread: together/);
    expect(issues('{ length: 1h, spread: sometimes, window: { from: 3h, to: 6h } }').join('\n')).toMatch(/spread/);
  });
});
