import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { cli } from '../fixtures/cli.ts';
import { RunStore } from '../../sim/src/runs/store.ts';
import { compileVariant } from '../../sim/src/experiments/overrides.ts';
import { StaffingSearch } from '../../sim/src/experiments/staffing-search.ts';
import { parseTargets } from '../../sim/src/experiments/staffing-targets.ts';
import type { Issue } from '../../sim/src/errors.ts';

/**
 * `cctwin staff` end to end: the flags, --out (the input scenario with its staffing
 * changed and nothing else), bad input (every problem at once, exit 2; targets no
 * staffing can meet: "infeasible: ..."), the run store's entry, --json, Ctrl-C, and the
 * choice among groups (the cheapest group whose agents reach the calls in time).
 */

const CENTER = fileURLToPath(new URL('../fixtures/staff-center.yaml', import.meta.url));
const SMALL = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let dir = '';
let db = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'cctwin-staff-')); db = join(dir, 'runs.db'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A scenario without its staffing: agents and shifts of every group (and the single queue's agents) taken out. */
function withoutStaffing(text: string): unknown {
  const o = parse(text) as Record<string, any>;
  delete o.agents;
  for (const g of o.agentGroups ?? []) { delete g.agents; delete g.shifts; }
  return o;
}

describe('cctwin staff', () => {
  it('staffs a small center, writes the scenario with only its staffing changed, and stores the search as one run', async () => {
    const out = join(dir, 'staffed.yaml');
    const r = await cli('staff', CENTER, '--out', out, '--db', db, '--workers', '2');
    expect(r.code, r.err).toBe(0);
    // Each step on stderr, the result on stdout.
    expect(r.err).toMatch(/step 1: exact formulas/);
    expect(r.err).toMatch(/iteration 1 \(exact start\)/);
    expect(r.out).toMatch(/^result: every target met with the confidence asked/m);
    expect(r.out).toMatch(/^cost: [\d,]+ RMB for the groups staffed/m);
    expect(r.out).toMatch(/interval\s+flight-shanghai \(shanghai\)\s+flight-nantong \(nantong\)\s+hotel-remote \(remote\)/);
    expect(r.out).toMatch(/not a staffing target: accuracy/);
    expect(r.out).toMatch(new RegExp(`scenario with this staffing written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // Identical but for the staffing: every other field, and the comments.
    const before = readFileSync(CENTER, 'utf8'), after = readFileSync(out, 'utf8');
    expect(withoutStaffing(after)).toEqual(withoutStaffing(before));
    const comments = (t: string) => t.split('\n').filter((l) => l.trimStart().startsWith('#') || l.includes(' # '));
    expect(comments(after)).toEqual(comments(before));
    // Byte for byte apart from the staffing lines: layout, flow mappings, order kept.
    const rest = (t: string) => t.split('\n').filter((l) => !/^ {4}(agents|shifts):/.test(l) && !/^ {6}- \{ start:/.test(l));
    expect(rest(after)).toEqual(rest(before));
    const staffed = parse(after) as { agentGroups: { name: string; agents?: unknown; shifts?: unknown }[] };
    for (const g of staffed.agentGroups) expect(g.shifts).toBeUndefined();
    // The flight calls are the cheapest site's (Nantong 50 against Shanghai 75): the
    // hotel group's backup skill waits 30 s, past the 20 s of the service level.
    const flightShanghai = staffed.agentGroups[0].agents as number[] | number;
    expect([flightShanghai].flat().every((n) => n === 0)).toBe(true);
    expect([staffed.agentGroups[1].agents].flat().every((n) => (n as number) > 0)).toBe(true);
    // cctwin run takes the staffed file at once.
    const run = await cli('run', out, '-r', '4', '--workers', '1', '--db', db);
    expect(run.code, run.err).toBe(0);
    // The store: one run entry with the search.
    const id = Number(/staffing search (\d+) saved/.exec(r.out)![1]);
    const store = RunStore.openReadOnly(db);
    try {
      const rec = store.getRun(id)!;
      expect(rec.kind).toBe('run');
      expect(rec.status).toBe('done');
      expect(rec.scenario).toBe(after);
      expect((rec.options as any).staffing.per).toBe('interval');
      const res = rec.result as any;
      expect(res.staffing.targetsMet).toBe(true);
      expect(res.staffing.iterations.length).toBeGreaterThanOrEqual(2);
      expect(res.staffing.cost).toBeGreaterThan(0);
      expect(res.staffing.staffing['flight-nantong']).toHaveLength(8);
      expect(store.replicationBuffers(id).size).toBe(10);
      expect(store.armConfigs(id)[0].config.groups[1].staffing[0]).toBe((staffed.agentGroups[1].agents as number));
    } finally {
      store.close();
    }
    const list = await cli('runs', 'list', '--db', db);
    expect(list.out).toMatch(new RegExp(`^${id}\\s+run \\(staff\\)\\s+staff-center\\s+done\\s+10`, 'm'));
  });

  it('--json: the staffing, the targets per interval with their bounds, the iterations', async () => {
    const r = await cli('staff', SMALL, '--target', 'serviceLevel>=80%', '--target', 'abandonRate<=0.05', '--replications', '6', '--per', 'day', '--json', '--db', db, '--workers', '1');
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.status).toBe('met');
    expect(o.targets.map((t: any) => t.name)).toEqual(['serviceLevel >= 80%', 'abandonRate <= 5%']);
    expect(o.per).toBe('day');
    expect(o.staffing.agents).toHaveLength(8);
    expect(o.report[0].rows).toHaveLength(1);
    expect(o.report[0].rows[0].bound).toBeGreaterThanOrEqual(0.8);
    expect(o.iterations[0].phase).toBe('exact');
    expect(r.err).toMatch(/staffing search \d+ saved/);
  });

  it('labels the misses by what they count: (target, contact type, interval), or with --per day the day\'s totals', async () => {
    const day = await cli('staff', SMALL, '--target', 'serviceLevel>=80%', '--replications', '6', '--per', 'day', '--db', db, '--workers', '1');
    expect(day.code, day.err).toBe(0);
    expect(day.out).toMatch(/misses: \(target, contact type\) pairs whose day's total misses the target's bound;/);
    expect(day.out).not.toMatch(/interval\) pairs/);
    expect(day.err).toMatch(/iteration \d+ \(removal\): 1 miss \(target, contact type: the day's totals\)/);
    const each = await cli('staff', SMALL, '--target', 'serviceLevel>=80%', '--replications', '6', '--db', db, '--workers', '1');
    expect(each.code, each.err).toBe(0);
    expect(each.out).toMatch(/misses: \(target, contact type, interval\) triples that miss the target's bound;/);
    expect(each.err).toMatch(/iteration \d+ \(removal\): \d+ miss(es)? \(target, contact type, interval\)/);
  });

  it('--groups: only those groups change, and the targets are held by the types they serve', async () => {
    const r = await cli('staff', CENTER, '--groups', 'flight-nantong', '--replications', '4', '--json', '--db', db, '--workers', '1');
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.groups).toEqual(['flight-nantong']);
    expect(o.keptGroups).toEqual(['flight-shanghai', 'hotel-remote']);
    expect(o.typesLeftOut).toEqual(['hotel']);
    expect(Object.keys(o.staffing)).toEqual(['flight-nantong']);
    const bad = await cli('staff', CENTER, '--groups', 'hotel-remote', '--target', 'byType.flight.serviceLevel>=0.9', '--db', db);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--groups = "hotel-remote": serves no contact type with a target as a primary skill \(it serves hotel\)/);
  });

  it('reports every bad flag and target at once (exit 2), and writes nothing', async () => {
    const out = join(dir, 'never.yaml');
    const r = await cli('staff', CENTER, '--target', 'serviceLevel>0.9', '--target', 'speed>=3', '--target', 'aht<=180',
      '--target', 'abandonRate>=0.1', '--target', 'serviceLevel>=120%', '--target', 'byChannel.email.asa<=10',
      '--groups', 'flight-nantong,nobody', '--confidence', '1', '--replications', '1', '--per', 'week', '--max-iterations', '0',
      '--out', out, '--db', db);
    expect(r.code).toBe(2);
    for (const s of [
      /--target = "serviceLevel>0.9": use >=/,
      /--target = "speed>=3": unknown KPI speed/,
      /--target = "aht<=180": aht is not changed by staffing/,
      /--target = "abandonRate>=0.1": abandonRate falls with more agents/,
      /--target = "serviceLevel>=120%": serviceLevel is a share/,
      /--target = "byChannel.email.asa<=10": byChannel.email: the scenario has no email contact types/,
      /--groups = "nobody": unknown agent group/,
      /--confidence = "1": must be a number > 0 and < 1/,
      /--replications = "1": must be a whole number >= 2/,
      /--per = "week": must be interval/,
      /--max-iterations = "0"/,
    ]) expect(r.err).toMatch(s);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    const input = await cli('staff', CENTER, '--out', CENTER, '--db', db);
    expect(input.code).toBe(2);
    // (a long path is shortened in the value, and named whole in the message)
    expect(input.err).toMatch(/--out = "[^"]*": must not be the scenario file \(\S*staff-center\.yaml: the same path\)/);
  });

  it('with a --target refused, --groups is not judged by the targets left (its "serves no contact type with a target" would follow from the typo)', async () => {
    const r = await cli('staff', CENTER, '--target', 'serviceLevl>=0.9', '--groups', 'flight-shanghai,nobody', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--target = "serviceLevl>=0\.9": unknown KPI serviceLevl/);
    expect(r.err).toMatch(/--groups = "nobody": unknown agent group/);
    expect(r.err).not.toMatch(/serves no contact type/);
    expect(r.err).toMatch(/cctwin staff: 2 problems/);
    // One good target and one bad: still not judged (the bad one may have been on its types).
    const some = await cli('staff', CENTER, '--target', 'byType.hotel.serviceLevel>=0.9', '--target', 'byType.flight.serviceLevl>=0.9', '--groups', 'flight-shanghai', '--db', db);
    expect(some.code).toBe(2);
    expect(some.err).not.toMatch(/serves no contact type/);
  });

  it('says "infeasible" naming the targets no staffing can meet (exit 2), before anything runs', async () => {
    const strict = await cli('staff', SMALL, '--target', 'abandonRate<=0', '--target', 'serviceLevel>=1', '--db', db);
    expect(strict.code).toBe(2);
    expect(strict.err).toMatch(/^error: infeasible: 2 targets no staffing can meet/m);
    expect(strict.err).toMatch(/infeasible: abandonRate <= 0% : callers of calls have a patience|infeasible: abandonRate <= 0%: callers of calls have a patience/);
    expect(strict.err).toMatch(/infeasible: serviceLevel >= 100% asks for every contact answered within the threshold/);
    // A site down for whole intervals: nobody can answer those calls.
    const down = join(dir, 'down.yaml');
    writeFileSync(down, `${readFileSync(CENTER, 'utf8')}failures:\n  - { site: remote, start: 1h, duration: 1h, waiting: lose }\n`);
    const r = await cli('staff', down, '--target', 'byType.hotel.serviceLevel>=0.8', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/infeasible: hotel has arrivals in 2 intervals \(01:00, 01:30\) while every site of the groups that serve it is down/);
  });

  it('does not write --out when the targets are not met (exit 1)', async () => {
    const out = join(dir, 'unmet.yaml');
    const r = await cli('staff', CENTER, '--max-iterations', '1', '--target', 'serviceLevel>=0.99', '--out', out, '--db', db, '--workers', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^result: targets NOT met: --max-iterations 1 reached/m);
    expect(r.out).toMatch(/unmet.yaml not written: the targets are not met/);
    expect(existsSync(out)).toBe(false);
  });

  it('chooses the cheapest group whose agents reach the calls in time (a backup skill after 30 s: not for 20 s)', async () => {
    const text = readFileSync(CENTER, 'utf8');
    const cfg = compileVariant(text, CENTER, []).cfg;
    const issues: Issue[] = [];
    const targets = parseTargets(cfg, ['byType.flight.serviceLevel>=0.9', 'byType.flight.abandonRate<=0.02', 'byType.hotel.serviceLevel>=0.8'], issues, issues);
    expect(issues).toEqual([]);
    const search = new StaffingSearch({ text, source: CENTER, cfg, targets, per: 'interval', groups: [0, 1, 2], replications: 2, confidence: 0.9, maxIterations: 1 }, { runner: null as never });
    const flight = cfg.types.findIndex((t) => t.name === 'flight');
    const names = (p: { groups: number[] }) => p.groups.map((g) => cfg.groups[g].name).join(',');
    // 95/20: the remote hotel agents (40 an hour) take flight calls only after 30 s.
    expect(names(search.fixer(flight, targets[0])!.p)).toBe('flight-shanghai,flight-nantong');
    // Abandonment: 90% of the callers are still there at 30 s, so a remote agent is worth
    // 40 / 0.905 = 44 an hour against Nantong's 50.
    expect(names(search.fixer(flight, targets[1])!.p)).toBe('hotel-remote');
    expect(search.fixer(flight, targets[1])!.e).toBeCloseTo(Math.exp(-30 / 300), 6);
  });
});

describe('cctwin staff stopped by Ctrl-C', () => {
  it('stops, prints the best staffing so far, stores the search as interrupted (exit 130), writes no --out', async () => {
    const out = join(dir, 'stopped.yaml');
    const file = join(dir, 'erlang-a-day.yaml');
    copyFileSync(join(ROOT, 'scenarios/erlang-a-day.yaml'), file);
    const child = spawn(process.execPath, [join(ROOT, 'bin/cctwin.js'), 'staff', file, '--db', db, '--workers', '2', '--out', out], { cwd: ROOT });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const sent = new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/iteration 1 \(exact start\)/.test(stderr) && !child.killed) { child.kill('SIGINT'); resolve(); }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    await sent;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted by Ctrl-C \(SIGINT\)/);
    expect(stdout).toMatch(/^result: INTERRUPTED: the best staffing simulated so far/m);
    expect(stdout).toMatch(/staffing \(agents on duty per interval/);
    expect(existsSync(out)).toBe(false);
    const id = Number(/staffing search (\d+) saved/.exec(stdout)![1]);
    const store = RunStore.openReadOnly(db);
    try {
      expect(store.getRun(id)!.status).toBe('interrupted');
    } finally {
      store.close();
    }
  });
});

describe('the staffed file', () => {
  it('keeps a library scenario byte for byte but for its staffed groups\' agents: anchors, aliases and comments stay (baseline-day)', async () => {
    const { readScenarioText } = await import('../../sim/src/experiments/overrides.ts');
    const { scenarioTargets } = await import('../../sim/src/experiments/staffing-targets.ts');
    const file = join(ROOT, 'scenarios/baseline-day.yaml');
    const text = readScenarioText(file);
    const cfg = compileVariant(text, file, []).cfg;
    const issues: Issue[] = [];
    const { targets } = scenarioTargets(cfg, issues);
    const groups = cfg.groups.map((_, g) => g).filter((g) => targets.some((k) => k.types.some((t) => cfg.groups[g].queues.includes(cfg.types[t].queue))));
    const search = new StaffingSearch({ text, source: file, cfg, targets, per: 'interval', groups, replications: 2, confidence: 0.9, maxIterations: 1 }, { runner: null as never });
    const x = cfg.groups.map((g, i) => (groups.includes(i) ? Array.from({ length: cfg.nIntervals }, (_, t) => 10 + i + (t % 3)) : [...g.staffing]));
    const out = search.fileText(x);
    // Every line that is not a staffed group's agents (or the shifts it replaces) is unchanged, in order.
    const isStaffing = (l: string) => /^ {4}(agents|shifts):/.test(l) || /^ {6}- /.test(l);
    expect(out.split('\n').filter((l) => !isStaffing(l))).toEqual(text.split('\n').filter((l) => !isStaffing(l)));
    expect(text).toMatch(/\*\w+/); // the library file uses aliases, and they are still there
    // The file compiles to the staffing asked, the rest of the model as before.
    const staffed = compileVariant(out, file, []).cfg;
    for (const g of groups) expect([...staffed.groups[g].staffing]).toEqual(x[g]);
    expect(staffed.types).toEqual(cfg.types);
  });
});
