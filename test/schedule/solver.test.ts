import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadShiftsFile, parseShiftsText } from '../../sim/src/config/shifts.ts';
import { prepareSchedule, scheduledScenarioText } from '../../sim/src/experiments/schedule.ts';
import { compileVariant } from '../../sim/src/experiments/overrides.ts';
import { ScheduleInfeasible, solveShifts, variableKey, type ShiftProblem } from '../../sim/src/experiments/shift-ip.ts';
import { compileShifts, type ScheduleGrid } from '../../sim/src/experiments/shifts.ts';
import { parseScenarioText } from '../../sim/src/config/load.ts';

/**
 * The shift-scheduling integer program against what it must do, with the real solver
 * (HiGHS in WebAssembly): every interval covered, the cost the solver's objective, the
 * optimum of small instances equal to brute force over every integer combination.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const HOURLY: ScheduleGrid = { intervalLength: 3600, days: 1, sites: ['s'], groups: [{ name: 'g', site: 's' }] };

/** Templates of the brute-force instances: a cap, a minimum, one break with two places, two breaks, a night shift over midnight. */
const SMALL = parseShiftsText(`
name: small
templates:
  - { name: A, length: 8h, starts: [6h, 10h, 14h], cost: 8, max: 1 }
  - { name: B, length: 4h, starts: [9h, 17h], cost: 5, min: 2 }
  - name: C
    length: 6h
    starts: [8h]
    cost: 6.5
    breaks: [{ name: m, length: 1h, window: { from: 2h, to: 4h } }]
  - name: D
    length: 10h
    starts: [7h]
    cost: 9
    breaks: [{ name: m1, length: 1h, window: { from: 2h, to: 4h } }, { name: m2, length: 1h, window: { from: 6h, to: 8h } }]
  - { name: N, length: 8h, starts: [20h], cost: 9.5 }
headcount: { sites: { s: 5 } }
`, 'small.yaml');

/** Every way an agent can work the day: a start and a place for each break. */
interface AgentType { cost: number; cover: number[]; template: string; min: number; max: number }
function agentTypes(): AgentType[] {
  const out: AgentType[] = [];
  const c = compileShifts(SMALL, HOURLY);
  for (const t of c.templates) {
    t.starts.forEach((s, si) => {
      const combos: number[][] = t.breaks.reduce<number[][]>((acc, _, k) => acc.flatMap((a) => t.placements[si][k].map((o) => [...a, o])), [[]]);
      for (const offs of combos) {
        const cover: number[] = [];
        for (let o = 0; o < t.length; o++) if (!offs.some((p, k) => o >= p && o < p + t.breaks[k].length)) cover.push((s + o) % 24);
        out.push({ cost: t.cost.s, cover, template: t.name, min: t.min, max: t.max ?? Infinity });
      }
    });
  }
  return out;
}

/** The cheapest way to cover `req` by trying every combination of 0..max(req) agents of each type (null: none). */
function bruteForce(req: number[]): number | null {
  const types = agentTypes();
  const cap = Math.max(...req);
  let best: number | null = null;
  const x = new Array<number>(types.length).fill(0);
  const cover = new Array<number>(24).fill(0);
  const walk = (k: number, cost: number, heads: number) => {
    if (best !== null && cost >= best) return;
    if (k === types.length) {
      // Per shift (template and start): the min and max apply to the agents of all its break placements.
      const perShift = new Map<string, { n: number; min: number; max: number }>();
      types.forEach((t, i) => {
        const key = `${t.template}/${t.cover[0]}`;
        const e = perShift.get(key) ?? { n: 0, min: t.min, max: t.max };
        e.n += x[i];
        perShift.set(key, e);
      });
      for (const e of perShift.values()) if (e.n > e.max || (e.n > 0 && e.n < e.min)) return;
      if (req.every((r, t) => cover[t] >= r)) best = cost;
      return;
    }
    for (let n = 0; n <= cap && heads + n <= 5; n++) {
      x[k] = n;
      for (const t of types[k].cover) cover[t] += n;
      walk(k + 1, cost + n * types[k].cost, heads + n);
      for (const t of types[k].cover) cover[t] -= n;
    }
    x[k] = 0;
  };
  walk(0, 0, 0);
  return best;
}

/** A seeded requirement of 0..2 agents (mostly 0 or 1) in the hours some shift covers (04:00-06:00 none does). */
function requirement(seed: number): number[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: 24 }, (_, h) => (h === 4 || h === 5 ? 0 : Math.floor(rnd() * 2.3)));
}

describe('the integer program', () => {
  it('finds the brute-force optimum of small instances (a max, a min, breaks, two breaks, a night over midnight, a head count)', async () => {
    const shifts = compileShifts(SMALL, HOURLY);
    let feasible = 0, infeasible = 0;
    for (const seed of [1, 2, 3, 5, 8, 13, 21]) {
      const req = requirement(seed);
      const expected = bruteForce(req);
      const problem: ShiftProblem = { grid: HOURLY, shifts, required: [req] };
      if (expected === null) {
        await expect(solveShifts(problem, { gap: 0, timeLimit: 30 })).rejects.toBeInstanceOf(ScheduleInfeasible);
        infeasible++;
        continue;
      }
      feasible++;
      const sol = await solveShifts(problem, { gap: 0, timeLimit: 30 });
      expect(sol.cost, `seed ${seed}, requirement ${req.join(' ')}`).toBeCloseTo(expected, 9);
      expect(sol.solver.objective).toBeCloseTo(sol.cost, 9);
      expect(sol.solver.gap).toBe(0);
      // Branch-and-bound nodes explored: none for the LP relaxation (HiGHS's -1 is not added).
      expect(sol.solver.stages.some((x) => /LP relaxation/.test(x.stage))).toBe(true);
      expect(Number.isInteger(sol.solver.nodes) && sol.solver.nodes >= 0, `nodes ${sol.solver.nodes}`).toBe(true);
      expect(sol.solver.stages.filter((x) => /LP relaxation/.test(x.stage)).map((x) => x.nodes)).toEqual([0]);
      expect(sol.solver.stages.every((x) => Number.isInteger(x.nodes) && x.nodes >= 0)).toBe(true);
      expect(sol.solver.nodes).toBe(sol.solver.stages.reduce((a, x) => a + x.nodes, 0));
      for (let t = 0; t < 24; t++) expect(sol.present[0][t]).toBeGreaterThanOrEqual(req[t]);
      // The rows: agents with the same shift and breaks, adding up to the cost.
      expect(sol.rows.reduce((a, r) => a + r.agents * r.cost, 0)).toBeCloseTo(sol.cost, 9);
      expect(sol.rows.reduce((a, r) => a + r.agents, 0)).toBeLessThanOrEqual(5);
      for (const r of sol.rows.filter((x) => x.template === 'D')) {
        expect(r.breaks.map((b) => b.name)).toEqual(['m1', 'm2']);
        expect(r.breaks[0].end).toBeLessThanOrEqual(r.breaks[1].start);
      }
    }
    // Both kinds were met: the instances are neither all easy nor all impossible.
    expect(feasible).toBeGreaterThanOrEqual(3);
    expect(infeasible).toBeGreaterThanOrEqual(1);
  });

  it('names the intervals no shift covers (exit 1 in the CLI), and those a head count leaves short', async () => {
    const shifts = compileShifts(SMALL, HOURLY);
    const req = new Array<number>(24).fill(0);
    req[4] = 1; req[5] = 2; req[12] = 1;
    try {
      await solveShifts({ grid: HOURLY, shifts, required: [req] });
      throw new Error('solved');
    } catch (e) {
      expect(e).toBeInstanceOf(ScheduleInfeasible);
      expect((e as Error).message).toBe('no shift covers g 04:00-06:00');
      expect((e as ScheduleInfeasible).short.map((s) => s.interval)).toEqual([4, 5]);
    }
    // Six agents needed at 12:00 and 20:00 alike, five heads a day: the LP shows the shortfall.
    const many = new Array<number>(24).fill(0);
    many[12] = 6;
    try {
      await solveShifts({ grid: HOURLY, shifts, required: [many] });
      throw new Error('solved');
    } catch (e) {
      expect(e).toBeInstanceOf(ScheduleInfeasible);
      expect((e as Error).message).toMatch(/^the shifts and head counts cannot cover g 12:00-13:00$/);
      expect((e as ScheduleInfeasible).short).toEqual([{ group: 'g', site: 's', interval: 12, required: 6, shortBy: 1 }]);
    }
  });

  it('schedules a cyclic week: a shift of the last day covers the first morning', async () => {
    const week: ScheduleGrid = { ...HOURLY, days: 7, startWeekday: 0, specialDays: [] };
    const file = parseShiftsText(`
name: week
templates:
  - { name: day, length: 8h, starts: [8h], cost: 8 }
  - { name: sunday-night, length: 8h, starts: [22h], cost: 10, days: [sun] }
`, 'week.yaml');
    const shifts = compileShifts(file, week);
    const req = new Array<number>(7 * 24).fill(0);
    req[3] = 2; // Monday 03:00: only Sunday's night shift reaches it
    req[6 * 24 + 23] = 1;
    req[2 * 24 + 9] = 1;
    const sol = await solveShifts({ grid: week, shifts, required: [req] }, { gap: 0 });
    expect(sol.rows.map((r) => [r.template, r.day, r.agents])).toEqual([['day', 2, 1], ['sunday-night', 6, 2]]);
    expect(sol.present[0][3]).toBe(2);
    expect(sol.cost).toBe(28);
  });

  it('a week of days alike starts from one day repeated; a week whose days differ from the busiest day repeated', async () => {
    const week: ScheduleGrid = { ...HOURLY, days: 7 };
    const shifts = compileShifts(SMALL, week);
    const day = requirement(3);
    const daySol = await solveShifts({ grid: HOURLY, shifts: compileShifts(SMALL, HOURLY), required: [day] }, { gap: 0 });
    const same = await solveShifts({ grid: week, shifts, required: [Array.from({ length: 7 * 24 }, (_, t) => day[t % 24])] }, { gap: 0 });
    expect(same.solver.stages[0].stage).toMatch(/^one day: /);
    // The week's LP bound is seven times the day's: the day's optimum repeated is within the day's gap of the week's.
    expect(same.solver.bound).toBeCloseTo(7 * daySol.solver.bound, 6);
    expect(same.cost).toBeLessThanOrEqual(7 * daySol.cost + 1e-9);
    const varied = Array.from({ length: 7 * 24 }, (_, t) => (t >= 5 * 24 && day[t % 24] > 0 ? day[t % 24] + 1 : day[t % 24]));
    const sol = await solveShifts({ grid: week, shifts: { ...shifts, headcount: { sites: new Map(), groups: new Map() } }, required: [varied] }, { gap: 0.01 });
    expect(sol.solver.stages[0].stage).toMatch(/^one day: /);
    varied.forEach((need, t) => expect(sol.present[0][t]).toBeGreaterThanOrEqual(need));
    expect(sol.solver.objective).toBeCloseTo(sol.cost, 9);
  });

  it('a repair keeps every agent of the schedule and adds the fewest shifts', async () => {
    const shifts = compileShifts(SMALL, HOURLY);
    const req = requirement(2);
    const first = await solveShifts({ grid: HOURLY, shifts, required: [req] }, { gap: 0 });
    // One more agent where the schedule has none to spare, in the day.
    const t = [12, 13, 11, 14, 10, 15].find((h) => first.present[0][h] === req[h])!;
    const more = [...req];
    more[t] += 1;
    const fix = await solveShifts({ grid: HOURLY, shifts: { ...shifts, headcount: { sites: new Map(), groups: new Map() } }, required: [more], keep: first.values, objective: 'shifts' }, { gap: 0 });
    for (const [k, v] of first.values) expect(fix.values.get(k) ?? 0).toBeGreaterThanOrEqual(v);
    expect(fix.agentShifts).toBe(first.agentShifts + 1);
    expect(fix.present[0][t]).toBeGreaterThanOrEqual(more[t]);
    expect(variableKey({ template: 0, day: 0, start: 6, group: 0 }, -1, 0)).toBe('0/0/6/0/-1/0');
  });
});

/** The lines of a scenario text without its agents fields (a block list, or a flow list on the line). */
function withoutAgents(text: string): string[] {
  const out: string[] = [];
  let skip: number | null = null;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (skip !== null && indent > skip && line.trimStart().startsWith('- ')) continue;
    skip = null;
    const m = /^(\s*)agents:/.exec(line);
    if (m) { skip = m[1].length; continue; }
    out.push(line);
  }
  return out;
}

describe('a whole center', () => {
  it('baseline-day on ctrip-shifts.yaml: every interval of every group covered, the cost the objective, the scenario edited only in its agents', async () => {
    const file = `${ROOT}scenarios/baseline-day.yaml`;
    const text = readFileSync(file, 'utf8');
    const prep = prepareSchedule(compileVariant(text, file, []), file, loadShiftsFile(`${ROOT}scenarios/shifts/ctrip-shifts.yaml`), {});
    const sol = await solveShifts({ grid: prep.grid, shifts: prep.shifts, required: prep.required }, { timeLimit: 60 });
    expect(prep.grid.groups).toHaveLength(14);
    prep.required.forEach((req, g) => req.forEach((need, t) => expect(sol.present[g][t]).toBeGreaterThanOrEqual(need)));
    expect(sol.solver.objective).toBeCloseTo(sol.cost, 6);
    expect(sol.rows.reduce((a, r) => a + r.agents * r.cost, 0)).toBeCloseTo(sol.cost, 6);
    expect(sol.solver.bound).toBeLessThanOrEqual(sol.cost);
    expect(sol.solver.gap).toBeLessThan(0.02);
    // The scheduled scenario: each group's agents are what the schedule puts on the phones; nothing else changed.
    const out = scheduledScenarioText(prep, sol.present).text;
    const before = parseScenarioText(text, 'a'), after = parseScenarioText(out, 'b');
    after.agentGroups!.forEach((g, i) => {
      expect(g.agents).toEqual(sol.present[i]);
      g.agents = before.agentGroups![i].agents;
    });
    expect(after).toEqual(before);
    // Line for line, but for the agents fields: comments, order and layout stay.
    expect(withoutAgents(out)).toEqual(withoutAgents(text));
    expect(withoutAgents(text).filter((l) => l.trimStart().startsWith('#')).length).toBeGreaterThan(3);
  }, 120_000);
});
