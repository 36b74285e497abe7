import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../sim/src/config/load.ts';
import { cli } from '../fixtures/cli.ts';

/**
 * `cctwin schedule` end to end, in this process (one worker: no pool): a small day
 * scheduled, checked by simulation, written with --out and run; --json, --csv, --repair,
 * a week; and every bad input refused before anything is written.
 */

const FIX = fileURLToPath(new URL('./fixtures/', import.meta.url));
const DAY = `${FIX}small-day.yaml`;
const CENTER = `${FIX}small-center.yaml`;
const SHIFTS = `${FIX}test-shifts.yaml`;
const dir = mkdtempSync(join(tmpdir(), 'cctwin-schedule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const requirement = (file: string) => parseScenarioText(readFileSync(file, 'utf8'), file).agents as number[];

describe('cctwin schedule', () => {
  it('schedule -> --out -> run: the scheduled scenario is the input with its agents from the shifts, and runs', async () => {
    const out = join(dir, 'scheduled.yaml');
    const r = await cli('schedule', DAY, '--shifts', SHIFTS, '-r', '2', '-w', '1', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/solver: HiGHS \(WebAssembly, npm highs\), within the 0\.50% asked: gap 0\.00%/);
    expect(r.out).toMatch(/check by simulation \(2 replications, the scenario's SLA targets\)/);
    expect(r.out).toMatch(/over-coverage by interval/);
    expect(r.out).toContain(`wrote ${out}`);
    const before = parseScenarioText(readFileSync(DAY, 'utf8'), 'a'), after = parseScenarioText(readFileSync(out, 'utf8'), 'b');
    const agents = after.agents as number[];
    expect(agents).toHaveLength(48);
    requirement(DAY).forEach((need, t) => expect(agents[t]).toBeGreaterThanOrEqual(need));
    expect({ ...after, agents: before.agents }).toEqual(before);
    // Comments and layout stay: only the agents line differs, if anything.
    const a = readFileSync(DAY, 'utf8').split('\n'), b = readFileSync(out, 'utf8').split('\n');
    expect(b).toHaveLength(a.length);
    expect(a.filter((l, i) => l !== b[i]).every((l) => l.startsWith('agents:'))).toBe(true);
    const run = await cli('run', out, '-r', '1', '-w', '1', '--db', join(dir, 'runs.db'));
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^SLA/m);
  });

  it('--json: the result object, the cost equal to the solver\'s objective, every interval covered', async () => {
    const r = await cli('schedule', DAY, '--shifts', SHIFTS, '-r', '1', '-w', '1', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.solver.status).toBe('optimal');
    expect(j.cost).toBeCloseTo(j.solver.objective, 9);
    expect(j.solver.gap).toBeLessThanOrEqual(j.solver.gapAsked);
    expect(j.shifts.reduce((s: number, x: { agents: number; cost: number }) => s + x.agents * x.cost, 0)).toBeCloseTo(j.cost, 9);
    for (const c of j.coverage) {
      expect(c.scheduled).toBeGreaterThanOrEqual(c.required);
      expect(c.over).toBe(c.scheduled - c.required);
    }
    expect(j.check.replications).toBe(1);
    expect(j.check.targets.map((t: { kpi: string }) => t.kpi)).toEqual(['serviceLevel', 'abandonRate']);
    expect(j.out).toBeNull();
    expect(j.scheduledText).toBeUndefined();
  });

  it('--csv: one line per set of agents with the same shift and breaks', async () => {
    const r = await cli('schedule', DAY, '--shifts', SHIFTS, '-r', '0', '--csv');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('template,site,group,agents,start_day,start,end_day,end,breaks,cost_per_agent');
    const full = lines.filter((l) => l.startsWith('full-8h,'));
    expect(full.length).toBeGreaterThan(0);
    for (const l of full) expect(l).toMatch(/^full-8h,center,agents,\d+,0,\d\d:00,[01],\d\d:00,meal \d\d:00-\d\d:00,8$/);
    expect(lines.filter((l) => l.startsWith('part-4h,')).every((l) => l.endsWith(',,4.5'))).toBe(true);
  });

  it('--repair adds shifts where the simulation misses, re-solved with the measured requirement', async () => {
    const r = await cli('schedule', DAY, '--shifts', SHIFTS, '-r', '3', '-w', '1', '--repair', '--max-rounds', '2', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    // Per-interval Erlang staffing ignores the time variation: the simulation finds misses.
    expect(j.checks[0].met).toBe(false);
    expect(j.checks[0].missed.length).toBeGreaterThan(0);
    expect(j.repairs.length).toBeGreaterThanOrEqual(1);
    expect(j.repairs[0].addedShifts).toBeGreaterThan(0);
    expect(j.checks).toHaveLength(j.repairs.length + 1);
    expect(j.checks[j.checks.length - 1].missed.length).toBeLessThan(j.checks[0].missed.length);
    expect(j.cost).toBeCloseTo(j.solver.objective + j.repairs.reduce((s: number, x: { addedCost: number }) => s + x.addedCost, 0), 9);
  });

  it('a center: groups on shifts get agents per interval; a week of a one-day scenario sets the horizon to 7d', async () => {
    const out = join(dir, 'week.yaml');
    const r = await cli('schedule', CENTER, '--shifts', SHIFTS, '--horizon', '7d', '-r', '0', '--time-limit', '5', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/7 days \(the week repeats\)/);
    expect(r.out).toMatch(/note: horizon set to 7d in the scheduled scenario/);
    expect(r.out).toMatch(/note: groups given as shifts in the scenario get agents per interval/);
    const s = parseScenarioText(readFileSync(out, 'utf8'), out);
    expect(s.horizon).toBe('7d');
    for (const g of s.agentGroups!) {
      expect(g.shifts).toBeUndefined();
      expect(g.agents).toHaveLength(7 * 48);
    }
    // The anchor and its alias, the comments: untouched.
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('handleTime: &ht { kind: exponential, mean: 150 }');
    expect(text).toContain('handleTime: *ht');
    expect(text).toContain('- name: flight-nantong   # per half hour');
  });

  it('a week of a scenario shorter than a day keeps its horizon: no week of arrivals without agents', async () => {
    // Six hours: nothing is required after them, so a 7d horizon would simulate six and a
    // half days of calls with nobody on the phones.
    const short = join(dir, 'six-hours.yaml');
    writeFileSync(short, readFileSync(DAY, 'utf8').replace(/^horizon: 24h$/m, 'horizon: 6h'));
    const out = join(dir, 'six-hours-week.yaml');
    const r = await cli('schedule', short, '--shifts', SHIFTS, '--horizon', '7d', '-r', '1', '-w', '1', '--time-limit', '5', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/note: the scenario's horizon \(6 h\) is shorter than a day: nothing is required after it, and the scheduled scenario keeps that horizon/);
    expect(r.out).not.toMatch(/horizon set to 7d/);
    expect(parseScenarioText(readFileSync(out, 'utf8'), out).horizon).toBe('6h');
    expect(r.out).toMatch(/the waiting targets hold in every interval|the waiting targets miss in [1-9] intervals?:/);
  });
});

describe('cctwin schedule: bad input, nothing written', () => {
  const out = join(dir, 'never.yaml');
  const bad = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it.each([
    ['--time-limit 0', ['--time-limit', '0'], /--time-limit = "0": must be a number > 0/],
    ['--horizon 3d', ['--horizon', '3d'], /--horizon = "3d": must be 1d \(a day that repeats\) or 7d/],
    ['--json --csv', ['--json', '--csv'], /--csv = true: choose one of --json and --csv/],
    ['--repair without a check', ['--repair', '-r', '0'], /--repair = true: needs the check by simulation/],
    ['--out onto the scenario', ['--out', DAY], /--out = .*must not be the scenario file/],
  ])('%s: exit 2', async (_name, flags, message) => {
    const r = await cli('schedule', DAY, '--shifts', SHIFTS, '--out', out, ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a bad shift file: every problem with its line (exit 2)', async () => {
    const f = bad('bad-shifts.yaml', 'name: bad\ntemplates:\n  - name: x\n    length: 8h\n    starts: [8h]\n    cost: -1\n    breaks: [{ length: 9h }]\n  - name: y\n');
    const r = await cli('schedule', DAY, '--shifts', f, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error: shift file .*bad-shifts\.yaml has 5 problems/);
    expect(r.err).toMatch(/line 6: templates\[0\]\.cost = -1: must be > 0/);
    expect(r.err).toMatch(/line 7: templates\[0\]\.breaks\[0\]\.length = "9h": must be shorter than the shift \(8h\)/);
    expect(r.err).toMatch(/line 8: templates\[1\]\.length: is required/);
    expect(r.err).toMatch(/line 8: templates\[1\]\.starts: is required/);
    expect(r.err).toMatch(/line 8: templates\[1\]\.cost: is required/);
    expect(existsSync(out)).toBe(false);
  });

  it('bad flags, a bad shift file and a bad scenario: every problem in one report, each file\'s tagged with its file (exit 2)', async () => {
    const shifts = bad('all-at-once.yaml', [
      'name: bad',
      'templates:',
      '  - name: a',
      '    length: 8h',
      '    starts: { from: 8h, to: 25h, every: 0m }',
      '    cost: 5',
      '    breaks: [{ length: 30m, window: { from: 4h, to: 2h } }]',
      '  - name: a',
      '    length: 8h',
      '    starts: [8h]',
      '    cost: x',
    ].join('\n'));
    const r = await cli('schedule', DAY, '--shifts', shifts, '--time-limit', '0', '--out', out);
    expect(r.code).toBe(2);
    const tag = `[shift file ${shifts}]`;
    expect(r.err).toMatch(/error: cctwin schedule: 6 problems/);
    for (const line of [
      '--time-limit = "0": must be a number > 0',
      `line 5: templates[0].starts.to ${tag} = "25h": must be a time of day, before 24h`,
      `line 5: templates[0].starts.every ${tag} = "0m": must be longer than 0`,
      `line 7: templates[0].breaks[0].window.to ${tag} = "2h": must be after window.from (4h)`,
      `line 8: templates[1].name ${tag} = "a": must be unique among the templates`,
      `line 11: templates[1].cost ${tag} = "x": must be a number`,
    ]) expect(r.err).toContain(line);
    // A bad scenario too: its problems join them, tagged with the scenario.
    const scenario = bad('bad-scenario.yaml', readFileSync(DAY, 'utf8').replace(/^horizon: .*$/m, 'horizon: -1'));
    const both = await cli('schedule', scenario, '--shifts', shifts, '--time-limit', '0', '--out', out);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/error: cctwin schedule: 7 problems/);
    expect(both.err).toContain(`horizon [scenario ${scenario}] = -1: must be >= 0`);
    expect(both.err).toContain(`templates[1].cost ${tag} = "x"`);
    // A shift file off the grid of a good scenario, with a bad flag: both.
    const grid = await cli('schedule', DAY, '--shifts', bad('grid2.yaml', 'name: g\ntemplates:\n  - { name: odd, length: 7.75h, starts: [8h], cost: 1 }\n'), '--json', '--csv');
    expect(grid.code).toBe(2);
    expect(grid.err).toMatch(/--csv = true: choose one of --json and --csv/);
    expect(grid.err).toMatch(/line 3: templates\[0\]\.length \[shift file .*grid2\.yaml\] = "7\.75h": must be a whole number of intervals/);
    expect(existsSync(out)).toBe(false);
  });

  it('an empty shift set, a missing shift file, a shift file off the grid (exit 2)', async () => {
    const empty = await cli('schedule', DAY, '--shifts', bad('empty.yaml', 'name: none\ntemplates: []\n'), '--out', out);
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/line 2: templates = \[\]: must have at least 1 item/);
    const missing = await cli('schedule', DAY, '--shifts', join(dir, 'nope.yaml'), '--out', out);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read the shift file .*nope\.yaml: no such file/);
    const grid = await cli('schedule', DAY, '--shifts', bad('grid.yaml', 'name: g\ntemplates:\n  - { name: odd, length: 7.75h, starts: [8.25h], cost: 1 }\n'), '--out', out);
    expect(grid.code).toBe(2);
    expect(grid.err).toMatch(/does not fit the scenario's 30-minute interval grid/);
    expect(grid.err).toMatch(/line 3: templates\[0\]\.length = "7\.75h": must be a whole number of intervals/);
    expect(grid.err).toMatch(/line 3: templates\[0\]\.starts\[0\] = "8\.25h": must lie on/);
    expect(existsSync(out)).toBe(false);
  });

  it('shifts that cannot cover an interval: "infeasible: ..." with the intervals (exit 1)', async () => {
    const f = bad('day-only.yaml', 'name: day only\ntemplates:\n  - { name: day, length: 8h, starts: [6h, 8h, 10h, 12h, 14h], cost: 8 }\n');
    const r = await cli('schedule', DAY, '--shifts', f, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^infeasible: no shift covers agents 00:00-06:00, 22:00-24:00$/m);
    expect(r.err).toMatch(/nothing written/);
    expect(existsSync(out)).toBe(false);
  });

  it('head counts too small: "infeasible: ..." naming the intervals the agents available cannot reach (exit 1)', async () => {
    const f = bad('few.yaml', 'name: few\ntemplates:\n  - { name: s, length: 8h, starts: { from: 0h, to: 23h, every: 1h }, cost: 8 }\nheadcount: { sites: { center: 40 } }\n');
    const r = await cli('schedule', DAY, '--shifts', f, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^infeasible: the shifts and head counts cannot cover agents /m);
    expect(existsSync(out)).toBe(false);
  });
});
