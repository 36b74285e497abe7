import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../sim/src/cli.ts';
import type { Io } from '../../sim/src/cli/io.ts';
import { withSeed } from '../../sim/src/config/compile.ts';
import { loadScenario, parseScenarioText } from '../../sim/src/config/load.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { SimError, type Issue } from '../../sim/src/errors.ts';
import { simErrorOf } from '../fixtures/sim-error.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cctwin-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}


function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [], stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

const cli = async (...args: string[]) => {
  const io = capture();
  const code = await main(['node', 'cctwin', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
};

// Line numbers matter: the tests check each issue's line.
const BROKEN_A = [
  '# A scenario with many mistakes (name is missing).', // 1
  'horizon: 24 hours', //                                   2  not a duration
  'interval: 15m', //                                       3
  'colour: blue', //                                        4  unknown field
  'arrivals:', //                                           5
  '  perHour: 1000', //                                     6
  'handleTime:', //                                         7
  '  kind: exponential', //                                 8
  '  mean: -5', //                                          9  negative mean
  'patience:', //                                           10
  '  kind: normal', //                                      11 not a distribution kind
  '  mean: 300', //                                         12
  'agents: 12.5', //                                        13 not a whole number
  '',
].join('\n');

// The length of a per-interval series can only be checked against a valid horizon,
// so the wrong-length array has a file of its own.
const BROKEN_B = [
  'name: Short day', //                 1
  'horizon: 1h', //                     2
  'interval: 15m', //                   3
  'arrivals:', //                       4
  '  perInterval: [10, 20, 30]', //     5  3 values for 4 intervals
  'patience:', //                       6
  '  kind: lognormal', //               7
  '  mean: -1', //                      8  negative mean
  '  cv: 0.5', //                       9
  'agents: [3, 4, 5, 6.5]', //          10 non-integer agents
  'lines: 0', //                        11 below 1
  '', // handleTime is missing
].join('\n');

const VALID = `
name: Two days
horizon: 2d
interval: 6h
warmup: 6h
seed: 99
arrivals:
  perInterval: [600, 1200, 2400, 1200]
handleTime: { kind: gamma, mean: 200, cv: 0.8 }
agents: [10, 20, 40, 20]
lines: 80
serviceLevel: { threshold: 30, target: 0.8 }
targets: { maxAsa: 25 }
`;

const shape = (i: Issue) => ({ path: i.path, value: i.value, line: i.line });

describe('scenario validation: every issue at once', () => {
  it('a file with six mistakes gets one SimError listing all six, with field, value, line and what is expected', () => {
    const e = simErrorOf(() => loadScenario(file('a.yaml', BROKEN_A)));
    expect(e.code).toBe('SIM_ERR_SCENARIO_INVALID');
    expect(e.message).toMatch(/6 problems/);
    expect(e.issues.map(shape)).toEqual([
      { path: 'name', value: undefined, line: 2 }, // missing: points at the mapping that lacks it
      { path: 'horizon', value: '24 hours', line: 2 },
      { path: 'colour', value: 'blue', line: 4 },
      { path: 'handleTime.mean', value: -5, line: 9 },
      { path: 'patience.kind', value: 'normal', line: 11 },
      { path: 'agents', value: 12.5, line: 13 },
    ]);
    const msg = Object.fromEntries(e.issues.map((i) => [i.path, i.message]));
    expect(msg.name).toMatch(/required/);
    expect(msg.horizon).toMatch(/unit.*"15m"/);
    expect(msg.colour).toMatch(/not a known field.*arrivals/);
    expect(msg['handleTime.mean']).toMatch(/> 0/);
    expect(msg['patience.kind']).toMatch(/exponential.*lognormal.*mixture/);
    expect(msg.agents).toMatch(/whole number/);
  });

  it('a second file: wrong series length, negative mean, non-integer agents, bad lines, missing handleTime', () => {
    const e = simErrorOf(() => loadScenario(file('b.yaml', BROKEN_B)));
    expect(e.code).toBe('SIM_ERR_SCENARIO_INVALID');
    expect(e.issues.map(shape)).toEqual([
      { path: 'handleTime', value: undefined, line: 1 },
      { path: 'arrivals.perInterval', value: [10, 20, 30], line: 5 },
      { path: 'patience.mean', value: -1, line: 8 },
      { path: 'agents[3]', value: 6.5, line: 10 },
      { path: 'lines', value: 0, line: 11 },
    ]);
    const msg = Object.fromEntries(e.issues.map((i) => [i.path, i.message]));
    expect(msg.handleTime).toMatch(/required/);
    expect(msg['arrivals.perInterval']).toBe('has 3 values: must have one per interval, 4 (the horizon) or 96 (one day, repeated)');
    expect(msg['agents[3]']).toMatch(/integer/);
    expect(msg.lines).toMatch(/>= 1/);
  });

  it('meaning checks: exactly one arrival form, horizon a whole number of intervals, warm-up shorter than the horizon', () => {
    const e = simErrorOf(() => parseScenarioText([
      'name: x',
      'horizon: 50m',
      'interval: 15m',
      'warmup: 2h',
      'arrivals: { perDay: 100, perHour: 5 }',
      'handleTime: { kind: uniform, min: 60, max: 30 }',
      'agents: 3',
    ].join('\n')));
    const paths = e.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['arrivals', 'handleTime.max', 'horizon', 'warmup']);
    const msg = Object.fromEntries(e.issues.map((i) => [i.path, i.message]));
    expect(msg.horizon).toMatch(/whole number of intervals \(interval is 900 s\)/);
    expect(msg.warmup).toMatch(/shorter than the horizon \(3000 s\)/);
    expect(msg.arrivals).toMatch(/exactly one of/);
    expect(msg['handleTime.max']).toMatch(/at least min \(60\)/);
    const w = simErrorOf(() => parseScenarioText('name: x\nhorizon: 1h\nwarmup: 2h\narrivals: { perHour: 5 }\nhandleTime: { kind: exponential, mean: 1 }\nagents: 1\n'));
    expect(w.issues.map(shape)).toEqual([{ path: 'warmup', value: '2h', line: 3 }]);
  });

  it('a YAML syntax error is one clear issue, not a stack trace', () => {
    const e = simErrorOf(() => loadScenario(file('syntax.yaml', 'name: x\nhorizon: 1h\narrivals:\n  perHour: [1, 2\nhandleTime: {kind: exponential, mean: 3}\n')));
    expect(e.code).toBe('SIM_ERR_SCENARIO_INVALID');
    expect(e.message).toMatch(/not valid YAML/);
    expect(e.issues.length).toBeGreaterThanOrEqual(1);
    expect(e.issues[0].message).toMatch(/^YAML syntax: /);
  });

  // The yaml package fills linePos only with prettyErrors; load.ts falls back to the
  // error's offset through the line counter.
  it('a YAML syntax error carries its line', () => {
    const e = simErrorOf(() => parseScenarioText('name: x\nhorizon: 1h\narrivals:\n  perHour: [1, 2\nhandleTime: {kind: exponential, mean: 3}\n'));
    expect(e.issues[0].line).toBeGreaterThanOrEqual(4);
  });

  it('duplicate keys and non-mapping documents are refused', () => {
    const dup = simErrorOf(() => parseScenarioText('name: x\nname: y\n'));
    expect(dup.issues[0].message).toMatch(/YAML syntax/);
    const list = simErrorOf(() => parseScenarioText('- 1\n- 2\n'));
    expect(list.issues[0].message).toMatch(/mapping of scenario fields/);
  });

  it('a file that does not exist is a read error naming the file', () => {
    const e = simErrorOf(() => loadScenario(join(dir, 'missing.yaml')));
    expect(e.code).toBe('SIM_ERR_SCENARIO_READ');
    expect(e.message).toMatch(/missing\.yaml: no such file/);
  });
});

describe('compiled model', () => {
  const cfg = loadScenario(file('valid.yaml', VALID));

  it('is in seconds and intervals, with one day of values repeated over the horizon', () => {
    expect(cfg.horizon).toBe(2 * 86400);
    expect(cfg.intervalLength).toBe(6 * 3600);
    expect(cfg.nIntervals).toBe(8);
    expect(cfg.warmup).toBe(6 * 3600);
    expect(cfg.seed).toBe(99);
    expect(cfg.threshold).toBe(30);
    const L = 6 * 3600;
    expect(cfg.types[0].arrivalRates).toEqual([600, 1200, 2400, 1200, 600, 1200, 2400, 1200].map((c) => c / L));
    expect(cfg.groups[0].staffing).toEqual([10, 20, 40, 20, 10, 20, 40, 20]);
    expect(cfg.types[0].handleTime).toEqual({ kind: 'gamma', mean: 200, cv: 0.8 });
    expect(cfg.types[0].patience).toBeNull();
    expect(cfg.sites[0].lines).toBe(80);
    // A single queue is judged on service level and abandonment (and what its targets add); AHT only when asked.
    expect(cfg.sla.map((s) => [s.kpi, s.target, s.direction])).toEqual([
      ['serviceLevel', 0.8, 'min'], ['abandonRate', 0.1, 'max'], ['asa', 25, 'max'],
    ]);
  });

  it('is deep-frozen, and so is a copy with another seed', () => {
    const unfrozen = (o: unknown, path: string, out: string[]) => {
      if (o === null || typeof o !== 'object') return out;
      if (!Object.isFrozen(o)) out.push(path || '(root)');
      for (const [k, v] of Object.entries(o)) unfrozen(v, `${path}.${k}`, out);
      return out;
    };
    expect(unfrozen(cfg, '', [])).toEqual([]);
    const other = withSeed(cfg, 5);
    expect(other.seed).toBe(5);
    expect(unfrozen(other, '', [])).toEqual([]);
    // ESM code is strict: writes throw instead of passing silently.
    expect(() => { (cfg as { seed: number }).seed = 1; }).toThrow(TypeError);
    expect(() => { (cfg.types[0].arrivalRates as number[])[0] = 0; }).toThrow(TypeError);
    expect(() => { (cfg.groups[0].staffing as number[]).push(1); }).toThrow(TypeError);
    expect(cfg.seed).toBe(99);
  });

  it('survives structured cloning unchanged (it crosses to worker threads)', () => {
    expect(structuredClone(cfg)).toEqual(cfg as ModelConfig);
  });
});

describe('cctwin run on bad input (in process)', () => {
  it('a malformed scenario: exit 2, every issue on stderr with its line, no stack trace, nothing on stdout', async () => {
    const r = await cli('run', file('a-cli.yaml', BROKEN_A));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/has 6 problems/);
    for (const line of [
      'line 2: name: is required',
      'line 2: horizon = "24 hours": must be',
      'line 4: colour = "blue": is not a known field',
      'line 9: handleTime.mean = -5: must be > 0',
      'line 11: patience.kind = "normal": must be one of',
      'line 13: agents = 12.5: must be',
    ]) expect(r.err).toContain(line);
    expect(r.err).not.toContain('    at ');
  });

  it('a YAML syntax error: exit 2, no stack trace', async () => {
    const r = await cli('run', file('syntax-cli.yaml', 'name: [unclosed\n'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not valid YAML/);
    expect(r.err).not.toContain('    at ');
  });

  it('a file that does not exist: exit 2 and a message naming it', async () => {
    const r = await cli('run', join(dir, 'nope.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read scenario .*nope\.yaml: no such file/);
    expect(r.err).not.toContain('    at ');
  });

  it('bad flags are all reported at once: exit 2', async () => {
    const r = await cli('run', file('ok.yaml', VALID), '--replications', '0', '--seed', '-3');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--replications = "0"');
    expect(r.err).toContain('--seed = "-3"');
  });
});

describe('bin/cctwin.js end to end', () => {
  it('a real process on a malformed file exits 2 with the issues on stderr and no stack trace', () => {
    const p = spawnSync(process.execPath, ['bin/cctwin.js', 'run', file('a-bin.yaml', BROKEN_A)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(p.status).toBe(2);
    expect(p.stdout).toBe('');
    expect(p.stderr).toContain('line 9: handleTime.mean = -5: must be > 0');
    expect(p.stderr).toContain('line 4: colour = "blue"');
    expect(p.stderr).not.toContain('    at ');
  });
});
