import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../sim/src/cli.ts';
import { cli } from '../fixtures/cli.ts';
import { MAX_ISSUES_SHOWN, parseScenarioText } from '../../sim/src/config/load.ts';
import { MAX_SCENARIO_BYTES } from '../../sim/src/config/read.ts';
import { applyAssignments, compileVariant, parseSets, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { simErrorOf } from '../fixtures/sim-error.ts';

/**
 * Issue 12's bad-input items, each as it was seen (the comment says how): refused
 * with exit 2, a message naming the field or flag and the value, no stack trace.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cctwin-bad-'));
const db = join(dir, 'runs.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}


const SMALL = 'name: small\nhorizon: 1h\narrivals:\n  perHour: 100\nagents: 5\nhandleTime:\n  kind: exponential\n  mean: 60\n';

describe('scenario files that are not scenarios (item 13)', () => {
  it('a device is refused before it is read (`run /dev/zero` hung)', async () => {
    const r = await cli('run', '/dev/zero', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\/dev\/zero: is not a regular file/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('a file past the size cap is refused with the cap, a binary file as binary, a directory as a directory', async () => {
    const big = file('big.yaml', Buffer.alloc(MAX_SCENARIO_BYTES + 1, 0x20));
    expect((await cli('run', big, '--db', db)).err).toMatch(/larger than 8 MB/);
    expect((await cli('run', file('bin.yaml', Buffer.from([0x6e, 0x61, 0, 0x6d])), '--db', db)).err).toMatch(/is binary/);
    expect((await cli('run', dir, '--db', db)).err).toMatch(/is a directory/);
  });

  it('a YAML alias bomb exits 2 with the line of its first alias (it exited 1 with no line)', async () => {
    const bomb = file('bomb.yaml', [
      'name: bomb',
      'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n'));
    const r = await cli('run', bomb, '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 3: .*alias bomb/);
  });

  it('a file with more unknown keys than the validator lists is refused, not run (20,000 keys ran)', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `junk${i}: 1`).join('\n');
    const e = simErrorOf(() => parseScenarioText(`${SMALL}${keys}\n`));
    expect(e.code).toBe('SIM_ERR_SCENARIO_INVALID');
    expect(e.message).toMatch(/10,000 or more problems/);
    // The first ones by line, then one line saying that more were not listed.
    expect(e.issues).toHaveLength(MAX_ISSUES_SHOWN + 1);
    expect(e.issues[0]).toMatchObject({ path: 'junk0', line: 9 });
    expect(e.issues[MAX_ISSUES_SHOWN].message).toMatch(/not listed/);
  });

  it('a few hundred unknown keys: each named with its line, the count of the rest said', () => {
    const keys = Array.from({ length: 250 }, (_, i) => `junk${i}: 1`).join('\n');
    const e = simErrorOf(() => parseScenarioText(`${SMALL}${keys}\n`));
    expect(e.message).toMatch(/has 250 problems/);
    expect(e.issues.slice(0, 3).map((i) => [i.path, i.line])).toEqual([['junk0', 9], ['junk1', 10], ['junk2', 11]]);
    expect(e.issues[MAX_ISSUES_SHOWN].message).toMatch(/150 more problems are not listed/);
  });

  it('a duplicate key is named with both lines, nested too', () => {
    const e = simErrorOf(() => parseScenarioText(`${SMALL}handleTime:\n  kind: exponential\n  mean: 60\n  mean: 70\n`));
    const msgs = e.issues.map((i) => `${i.line} ${i.path}: ${i.message}`);
    expect(msgs).toContain('9 handleTime: YAML syntax: the key "handleTime" appears twice in one mapping (first on line 6); keys must be unique');
  });
});

describe('--set through a YAML anchor (item 6)', () => {
  it('changes the one type it names; the types sharing the anchor keep the file\'s value', () => {
    const text = readScenarioText(join(ROOT, 'scenarios/baseline-day.yaml'));
    expect(text).toMatch(/ivr: &a1/);
    const base = compileVariant(text, 'baseline-day.yaml', []).cfg;
    const v = compileVariant(text, 'baseline-day.yaml', [{ path: 'contactTypes[0].ivr.selfService', value: 0.3 }]).cfg;
    expect(v.types[0].ivr!.selfService).toBe(0.3);
    for (let t = 1; t < v.types.length; t++) expect(v.types[t].ivr).toEqual(base.types[t].ivr);
    expect(base.types[1].ivr!.selfService).not.toBe(0.3);
  });

  it('an alias inside an aliased part becomes a copy too', () => {
    const text = 'a: &p\n  inner: &q {x: 1}\n  again: *q\nb: *p\n';
    const edited = parseYaml(applyAssignments(text, [{ path: 'b.again.x', value: 2 }]));
    expect(edited).toEqual({ a: { inner: { x: 1 }, again: { x: 1 } }, b: { inner: { x: 1 }, again: { x: 2 } } });
  });
});

describe('counts and sizes past the limits are refused before anything runs (item 11)', () => {
  const POOL = join(ROOT, 'test/fixtures/pool-small.yaml');

  it('agents past 2^32 wrapped around (4294967296 ran with 0 agents); a billion replications aborted Node', async () => {
    const r = await cli('run', POOL, '--set', 'agents=4294967296', '-r', '1000000000', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--replications = "1000000000": must be a whole number >= 1 and <= 100000/);
    expect(r.err).toMatch(/agents = 4294967296: must be <= 1000000/);
  });

  it('a rate of 1e12, an interval of 0.0001 s, a horizon of 1e308, 8 weeks of 1-second intervals: each named', async () => {
    const cases: [string[], RegExp][] = [
      [['arrivals.perHour=1e12'], /arrivals = "4,000,000,000,000 expected arrivals": must give at most 200,000,000/],
      [['interval=0.0001'], /interval = 0\.0001: must be at least 1 s/],
      [['horizon=1e308'], /horizon = 1e\+308: must be at most 400 days/],
      [['horizon=8w', 'interval=1s'], /interval = "1s": must be long enough for at most 100,000 intervals over the horizon \(it gives 4,838,400\)/],
    ];
    for (const [sets, want] of cases) {
      const r = await cli('run', POOL, ...sets.flatMap((s) => ['--set', s]), '--db', db);
      expect(r.code, sets.join(' ')).toBe(2);
      expect(r.err, sets.join(' ')).toMatch(want);
    }
  });

  it('a run whose results would not fit in memory is refused before it is stored', async () => {
    const r = await cli('run', POOL, '--set', 'horizon=1000h', '--set', 'interval=60s', '--set', 'arrivals.perHour=10', '-r', '100', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--replications = "100": must keep the run's results within 4,096 MB/);
  });

  it('erlang --hours past the horizon limit, and arrivals past the per-replication limit', async () => {
    const r = await cli('erlang', 'a', '--arrivals-per-hour', '1e9', '--aht', '180', '--agents', '6', '--patience', '60', '--simulate', '--hours', '1000');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--arrivals-per-hour = "1e9": must give at most 200,000,000 expected arrivals/);
    expect((await cli('erlang', 'a', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--simulate', '--hours', '100000')).err).toMatch(/--hours = "100000": must be a number > 0 and <= 9600/);
  });
});

describe('smaller things (item 17)', () => {
  it('seeds: hexadecimal and unsafe integers are refused (0x10 read as 16; seeds above 2^53 collided)', async () => {
    const hex = await cli('run', join(ROOT, 'test/fixtures/pool-small.yaml'), '--seed', '0x10', '--db', db);
    expect(hex.code).toBe(2);
    expect(hex.err).toMatch(/--seed = "0x10": must be a whole number >= 0/);
    const big = await cli('erlang', 'a', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--simulate', '--seed', '9007199254740993');
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/--seed = "9007199254740993": must be a whole number of at most 9007199254740991/);
    const file = simErrorOf(() => parseScenarioText(`${SMALL}seed: 9007199254740993\n`));
    expect(file.issues[0]).toMatchObject({ path: 'seed', message: expect.stringMatching(/must be <= 9007199254740991/) });
  });

  it('a scenario name with terminal escape codes is printed as text, not as control codes', async () => {
    const evil = file('evil.yaml', SMALL.replace('name: small', 'name: "evil\\e[2J\\e]0;pwned\\a\\u202e"'));
    const r = await cli('run', evil, '--db', db);
    expect(r.code).toBe(0);
    expect(r.out).toContain('evil\\u001b[2J\\u001b]0;pwned\\u0007\\u202e');
    // --json stays valid JSON, with the name as it is
    const j = await cli('run', evil, '--db', db, '--json', '--set', 'name=ab\u007fc\u202ed');
    expect(JSON.parse(j.out).scenario).toBe('ab\u007fc\u202ed');
    // eslint-disable-next-line no-control-regex
    expect(r.out + r.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it('erlang b refuses fewer lines than agents', async () => {
    const r = await cli('erlang', 'b', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--lines', '3');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--lines = "3": must be at least --agents \(6\)/);
  });

  it('--hours 0 is one issue, with no spurious --warmup = NaN', async () => {
    const r = await cli('erlang', 'a', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--simulate', '--hours', '0');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/1 bad option\n\s+--hours = "0"/);
    expect(r.err).not.toMatch(/NaN/);
  });

  it('NaN and Infinity are printed as such in error messages, also inside a list', async () => {
    const { showValue } = await import('../../sim/src/errors.ts');
    expect(showValue(NaN)).toBe('NaN');
    expect(showValue([1, Infinity, -Infinity, NaN])).toBe('[1,Infinity,-Infinity,NaN]');
  });

  it('compare names the file of each problem when its arms come from several files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctwin-compare-files-'));
    try {
      const broken = join(dir, 'broken.yaml');
      writeFileSync(broken, 'name: x\nagents: -3\n');
      const good = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
      const r = await cli('compare', good, broken, '-r', '2', '--workers', '1', '--db', join(dir, 'runs.db'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/agents \[\S*broken\.yaml\] = -3: must be >= 0/);
      expect(r.err).toMatch(/horizon \[\S*broken\.yaml\]: is required/);
      expect(r.err).not.toMatch(/pool-small/);
      expect(existsSync(join(dir, 'runs.db'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a long value is shortened to 60 characters, a string keeping its closing quote', async () => {
    const { showValue } = await import('../../sim/src/errors.ts');
    const path = `/a/long/folder/${'x'.repeat(80)}/scenario.yaml`;
    expect(showValue(path)).toBe(`"${path.slice(0, 55)}..."`);
    expect(showValue(path)).toHaveLength(60);
    expect(showValue(Array.from({ length: 40 }, (_, i) => i))).toMatch(/^\[0,1,2,.{40,}\.\.\.$/);
    expect(showValue('short')).toBe('"short"');
  });
});

describe('fields a form does not use are refused, not ignored (item 7)', () => {
  it('the single-queue form names each center-only field it would have ignored', () => {
    const extra = 'calendar: {}\noverdispersion: {dayCv: 0.1}\nshocks: []\nrouting: {policy: priority}\nfailures: []\nworkforce: {}\n';
    const e = simErrorOf(() => parseScenarioText(`${SMALL}${extra}`));
    const paths = e.issues.map((i) => i.path);
    for (const k of ['calendar', 'overdispersion', 'shocks', 'routing', 'failures', 'workforce']) expect(paths).toContain(k);
    expect(e.issues.find((i) => i.path === 'routing')!.message).toMatch(/belongs to the center form/);
  });

  const CENTER = (failure: string, shift = 'start: 8h\n        length: 9h', breaks = '') => [
    'name: c', 'horizon: 24h', 'sites:', '  a: {}', '  b: {}',
    'contactTypes:', '  - name: calls', '    channel: phone', '    perDay: 1000', '    handleTime: {kind: exponential, mean: 60}',
    'agentGroups:', '  - name: g', '    site: a', '    skills: {calls: 1}', '    shifts:', `      - ${shift}`, '        agents: 5', breaks,
    failure,
  ].filter((l) => l !== '').join('\n');

  it('the center form refuses a failure after the horizon, a failure of no time, a shift at 25h and a break outside its shift', () => {
    const late = simErrorOf(() => parseScenarioText(CENTER('failures:\n  - {site: a, start: 30h, duration: 1h}')));
    expect(late.issues.map((i) => `${i.path}: ${i.message}`)).toContain('failures[0].start: must be before the horizon (86400 s): a failure after it never happens');
    const zero = simErrorOf(() => parseScenarioText(CENTER('failures:\n  - {site: a, start: 2h, duration: 0}')));
    expect(zero.issues.map((i) => i.path)).toContain('failures[0].duration');
    const wrap = simErrorOf(() => parseScenarioText(CENTER('', 'start: 25h\n        length: 9h')));
    expect(wrap.issues.map((i) => i.path)).toContain('agentGroups[0].shifts[0].start');
    const brk = simErrorOf(() => parseScenarioText(CENTER('', 'start: 8h\n        length: 9h', '        breaks: [{after: 8h, length: 2h}]')));
    expect(brk.issues.map((i) => `${i.path}: ${i.message}`)).toContain('agentGroups[0].shifts[0].breaks[0]: must end within its shift (the shift is 9h long)');
  });

  it('the center form refuses a hiring class after the horizon, as a failure after it (a class that never joins)', () => {
    const hire = (day: number, horizon: string) => CENTER(`workforce:\n  hiring: [{group: g, day: ${day}, agents: 4}]`)
      .replace('horizon: 24h', `horizon: ${horizon}`).replace('    channel: phone', '    product: flight\n    language: zh\n    channel: phone').replace('skills: {calls: 1}', 'skills: {flight-zh: 1}');
    const late = simErrorOf(() => parseScenarioText(hire(9, '48h')));
    expect(late.issues.map((i) => `${i.path} = ${String(i.value)}: ${i.message}`)).toContain('workforce.hiring[0].day = 9: must be before the horizon (day 1 is its last): a class hired after it never joins');
    expect(simErrorOf(() => parseScenarioText(hire(2, '48h'))).issues.map((i) => i.path)).toContain('workforce.hiring[0].day');
    expect(() => parseScenarioText(hire(1, '48h'))).not.toThrow();
    expect(() => parseScenarioText(hire(1, '36h'))).not.toThrow();
  });

  it('a contact type without its product or language: those two fields named, not a skill "undefined-undefined" no group serves', () => {
    const e = simErrorOf(() => parseScenarioText(CENTER('')));
    expect(e.issues.map((i) => i.path).sort()).toEqual(['contactTypes[0].language', 'contactTypes[0].product']);
    expect(e.issues.map((i) => `${String(i.value)} ${i.message}`).join('\n')).not.toContain('undefined-undefined');
  });
});

describe('sweep grids (item 12)', () => {
  const POOL = join(ROOT, 'test/fixtures/pool-small.yaml');
  const values = Array.from({ length: 1000 }, (_, i) => i + 1).join(',');

  it('a 1,000 x 1,000 grid is refused at once with its size (it hung compiling every point)', async () => {
    const r = await cli('sweep', POOL, '--set', `agents=${values}`, '--set', `patience.mean=${values}`, '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/must make a grid of at most 10,000 points \(it makes 1,000,000\)/);
  });

  it('a bad value anywhere in the grid is reported before any point runs, with the point that has it', async () => {
    const r = await cli('sweep', POOL, '--set', 'agents=11,12', '--set', 'patience.mean=100,-5,200', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/patience\.mean \[agents=11, patience\.mean=-5\] = -5: must be > 0/);
    expect(r.err).not.toMatch(/saved/);
  });

  it('a grid bad in thousands of points lists the first 100 problems and says what was not checked, at once', async () => {
    const bad = Array.from({ length: 2000 }, (_, i) => -(i + 1)).join(',');
    const t0 = performance.now();
    const r = await cli('sweep', POOL, '--set', 'agents=11,12,13,14,15', '--set', `patience.mean=${bad}`, '--db', db);
    const seconds = (performance.now() - t0) / 1000;
    expect(r.code).toBe(2);
    const lines = r.err.split('\n').filter((l) => /patience\.mean \[/.test(l));
    expect(lines).toHaveLength(100); // 100 different problems
    // each value of each --set is checked alone first: the first point and agents=12..15 share patience.mean=-1
    expect(lines[0]).toContain('patience.mean [the 5 variants checked with patience.mean=-1] = -1');
    expect(r.err).toMatch(/1,900 of 2,004 variants were not checked once 100 problems were found/);
    expect(r.err).not.toMatch(/saved/);
    // 10,000 points compiled one by one took minutes; a hundred take a moment (a bound, not a benchmark)
    expect(seconds).toBeLessThan(60);
  });

  it('points are compiled one at a time and give the same numbers as compiling them all', async () => {
    const { sweepVariants } = await import('../../sim/src/runs/execute.ts');
    const { compileVariant } = await import('../../sim/src/experiments/overrides.ts');
    const spec = {
      text: readScenarioText(POOL), source: POOL, sets: [{ path: 'agents', values: [11, 12] }, { path: 'patience.mean', values: [60, 120, 240] }],
      fixed: [], replications: 1, maxReplications: 2, options: {},
    };
    const pts = sweepVariants(spec);
    expect(pts.count).toBe(6);
    // The first flag varies slowest.
    expect(pts.variant(4).assignments).toEqual([{ path: 'agents', value: 12 }, { path: 'patience.mean', value: 120 }]);
    expect(pts.variant(4).cfg).toEqual(compileVariant(spec.text, POOL, pts.variant(4).assignments).cfg);
  });
});

describe('no internal text (item 14)', () => {
  const POOL = join(ROOT, 'test/fixtures/pool-small.yaml');

  it('--set past a list\'s end, below a plain value, or an index into a mapping: named, exit 2 (was "Cannot read properties of null", "Expected YAML collection")', async () => {
    const past = await cli('run', join(ROOT, 'scenarios/baseline-day.yaml'), '--set', 'contactTypes[50].perDay=100', '--db', db);
    expect(past.code).toBe(2);
    expect(past.err).toContain('--set = "contactTypes[50].perDay=100": contactTypes has 12 items: [50] is past its end');
    const r = await cli('run', POOL, '--set', 'agents.x=1', '--set', 'handleTime[0]=1', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--set = "agents.x=1": agents is a single value, not a mapping: .x cannot be set below it');
    expect(r.err).toContain('--set = "handleTime[0]=1": handleTime is not a list: [0] cannot be set');
    // A list the file does not have (a single-queue file's contactTypes): one problem,
    // not the empty items the edit would have left before [9].
    const none = await cli('sweep', POOL, '--set', 'contactTypes[9].perDay=1,2', '--set', 'x.y[2]=3', '--db', db);
    expect(none.code).toBe(2);
    expect(none.err).toContain('= "contactTypes[9].perDay=1": contactTypes is not in the file: [9] would leave the items before it empty in a new list (start a new list at [0])');
    expect(none.err).toContain('= "contactTypes[9].perDay=2": contactTypes is not in the file');
    expect(none.err).not.toMatch(/= null: must be an object/);
    // the edit every point shares: once, for every variant
    expect(none.err).toContain('--set [every variant] = "x.y[2]=3": x is not in the file: [2] would leave the items before it empty');
    expect(none.err.match(/x\.y\[2\]=3": x is not/g)).toHaveLength(1);
    expect(none.err).toMatch(/^error: 3 problems in the scenario variants/);
    // A new list from its first item is an edit like any other: the scenario then judges it.
    const first = await cli('run', POOL, '--set', 'failures[0].site=a', '--db', db);
    expect(first.err).not.toContain('would leave the items');
    expect(first.err).toMatch(/failures/);
    // A problem some variants share: once, with the values they have in common.
    const shared = await cli('sweep', POOL, '--set', 'agents=3,4,5', '--set', 'handleTime.mean=-1,60', '--db', db);
    expect(shared.code).toBe(2);
    expect(shared.err).toMatch(/handleTime\.mean \[every variant with handleTime\.mean=-1\] = -1: must be > 0/);
    expect(shared.err).toMatch(/^error: 1 problem in the scenario variants/);
  });

  it('an alias inside the value it names is a YAML error with its line (it overflowed the stack)', () => {
    const e = simErrorOf(() => parseScenarioText(`${SMALL}routing: &x [*x]\n`));
    expect(e.issues[0]).toMatchObject({ line: 9, message: expect.stringMatching(/alias \*x is inside the value it names/) });
  });

  it('an error cctwin did not foresee is called a bug (exit 1), with no stack unless CCTWIN_DEBUG is set', async () => {
    const out: string[] = [], err: string[] = [];
    // A writer that fails: the command's output cannot be written.
    const code = await main(['node', 'cctwin', 'erlang', 'c', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6'],
      { out: () => { throw new TypeError('stdout is gone'); }, err: (s) => err.push(s) });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/^error: cctwin failed unexpectedly \(a bug, please report it\): stdout is gone\n\(set CCTWIN_DEBUG=1/);
    expect(out).toEqual([]);
  });
});

describe('holes found in review', () => {
  const POOL = join(ROOT, 'test/fixtures/pool-small.yaml');
  const BOMB = ['name: bomb', 'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');

  it('an alias bomb or a self-containing alias with --set or --warmup is refused like without (it hung, or was called a bug)', async () => {
    const bomb = file('bomb2.yaml', `${BOMB}\n`);
    const r = await cli('run', bomb, '--warmup', '10m', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/alias bomb/);
    const self = file('self.yaml', `${SMALL}routing: &x [1, *x]\n`);
    const s = await cli('run', self, '--set', 'name=y', '--db', db);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/alias \*x is inside the value it names/);
  });

  it('a FIFO is refused before it is opened (it waited for a writer forever)', async () => {
    const fifo = join(dir, 'fifo.yaml');
    const { spawnSync } = await import('node:child_process');
    spawnSync('mkfifo', [fifo]);
    const r = await cli('run', fifo, '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not a regular file/);
  });

  it('many groups over many intervals are refused before compile builds them (V8 ran out of memory)', () => {
    const groups = Array.from({ length: 300 }, (_, i) => `  - {name: g${i}, site: a, skills: {calls: 1}, agents: 1}`).join('\n');
    const text = ['name: big', 'horizon: 400d', 'interval: 6m', 'sites: {a: {}}', 'contactTypes:', '  - {name: calls, channel: phone, perDay: 100, handleTime: {kind: exponential, mean: 60}}', 'agentGroups:', groups, ''].join('\n');
    const e = simErrorOf(() => parseScenarioText(text));
    expect(e.issues.map((i) => i.message).join('\n')).toMatch(/\(contact types \+ agent groups\) x intervals stays within 10,000,000 \(here 301 x 96,000/);
  });

  it('a sweep checks every value\'s run size up front, whatever the order; --precision names --max-replications', async () => {
    for (const order of ['interval=1m,30m', 'interval=30m,1m']) {
      const r = await cli('sweep', POOL, '-w', '1', '-r', '100000', '--set', order, '--set', 'horizon=60d', '--db', db);
      expect(r.code, order).toBe(2);
      expect(r.err, order).toMatch(/must keep the run's results within 4,096 MB/);
    }
    const p = await cli('run', POOL, '--set', 'horizon=50d', '--set', 'interval=20m', '--precision', 'serviceLevel=0.01', '--max-replications', '100000', '--db', db);
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/--max-replications = "100000": must keep the run's results/);
  });
});

describe('more holes found in review', () => {
  it('--set reaches keys with hyphens (skill names such as flight-zh)', () => {
    const text = readScenarioText(join(ROOT, 'scenarios/baseline-day.yaml'));
    const issues: import('../../sim/src/errors.ts').Issue[] = [];
    const sets = parseSets(['agentGroups[0].skills.flight-zh=0.5'], issues);
    expect(issues).toEqual([]);
    expect(sets[0].path).toBe('agentGroups[0].skills.flight-zh');
    expect(text).toContain('flight-zh');
  });

  it('two overlapping failures of one site are refused, naming both', () => {
    const e = simErrorOf(() => compileVariant(readScenarioText(join(ROOT, 'scenarios/nantong-failover.yaml')), 'nf.yaml',
      [{ path: 'failures', value: [{ site: 'shanghai', start: '10m', duration: '30m' }, { site: 'shanghai', start: '20m', duration: '5m' }] }]));
    expect(e.issues.map((i) => `${i.path}: ${i.message}`)).toContain('failures[1]: must not overlap failures[0] of the same site (merge them into one failure)');
  });

  it('a file nested hundreds of levels deep is named as such, not as a stack overflow', () => {
    const deep = `${SMALL}routing: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const e = simErrorOf(() => parseScenarioText(deep));
    expect(e.issues.map((i) => i.message).join('\n')).not.toMatch(/Maximum call stack/);
  });

  it('--precision refuses an infinite half-width', async () => {
    const r = await cli('run', join(ROOT, 'test/fixtures/pool-small.yaml'), '--precision', 'serviceLevel=1e999', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--precision = "serviceLevel=1e999": must be KPI=H with a finite H > 0/);
  });
});

describe('YAML merge keys', () => {
  it('<<: *anchor merges a mapping (it was read as a literal key "<<")', () => {
    const text = 'name: m\nhorizon: 1h\narrivals:\n  perHour: 100\nagents: 5\nbase: &d {kind: exponential, mean: 60}\n'.replace('base: &d', 'handleTime: &d');
    const merged = `${text}patience:\n  <<: *d\n  mean: 90\n`;
    const s = parseScenarioText(merged) as unknown as { patience: { kind: string; mean: number } };
    expect(s.patience).toEqual({ kind: 'exponential', mean: 90 });
  });
});

describe('lines after --set', () => {
  it('an issue found in an edited copy points at its line in the file, not in the re-serialised text', async () => {
    const long = Array.from({ length: 40 }, (_, i) => i + 1).join(', ');
    const f = file('lines.yaml', `name: x\nhorizon: 1h\n# a comment\narrivals: {perHour: 100}\nextra: [${long}]\nagents: 5\nhandleTime:\n  kind: exponential\n  mean: 60\npatience:\n  kind: exponential\n  mean: -5\n`);
    const plain = await cli('run', f, '--db', db);
    const edited = await cli('run', f, '--warmup', '10m', '--db', db);
    for (const r of [plain, edited]) {
      expect(r.code).toBe(2);
      expect(r.err).toContain('line 12: patience.mean = -5: must be > 0');
      expect(r.err).toContain('line 5: extra');
    }
  });
});

describe('YAML tags', () => {
  it('an unknown tag is refused with its line (it was dropped without a word)', () => {
    const e = simErrorOf(() => parseScenarioText(SMALL.replace('name: small', 'name: !foo small')));
    expect(e.issues[0]).toMatchObject({ line: 1, message: expect.stringMatching(/Unresolved tag: !foo/) });
  });
});

describe('limit issues name the form\'s fields', () => {
  it('a center-form file past the arrivals limit is told about contactTypes, not arrivals', async () => {
    const r = await cli('run', join(ROOT, 'scenarios/baseline-day.yaml'), '--set', 'contactTypes[0].perDay=1e12', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\n\s+contactTypes = "[\d,]+ expected arrivals": must give at most 200,000,000/);
  });
});

describe('found in the CLI audit', () => {
  it('compare: a bad --replications is one issue (it added "--replications = \\"1\\"", a value never given)', async () => {
    const s = file('audit-a.yaml', SMALL);
    const r = await cli('compare', s, s, '-r', 'abc', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--replications = "abc": must be a whole number');
    expect(r.err).not.toContain('"1"');
  });

  it('compare: every arm\'s problems at once (a bad arm A hid the others)', async () => {
    const s = file('audit-b.yaml', SMALL);
    const r = await cli('compare', s, '--set', 'agents=-1,-2', '-r', '2', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/agents \[agents=-1\] = -1: must be >= 0/);
    expect(r.err).toMatch(/agents \[agents=-2\] = -2: must be >= 0/);
    const bad = file('audit-bad.yaml', `${SMALL}colour: red\n`);
    const files = await cli('compare', bad, file('audit-bad2.yaml', SMALL.replace('agents: 5', 'agents: -5')), '--db', db);
    expect(files.code).toBe(2);
    expect(files.err).toMatch(/colour \[.*audit-bad\.yaml\] = "red"/);
    expect(files.err).toMatch(/agents \[.*audit-bad2\.yaml\] = -5/);
  });

  it('arguments are named as arguments, not as flags that do not exist (--model, --file)', async () => {
    const e = await cli('erlang', 'x');
    expect(e.code).toBe(2);
    expect(e.err).toContain('MODEL = "x": must be one of b, c, a, staff');
    expect(e.err).not.toContain('--model');
    const s = await cli('sweep', '--db', db);
    expect(s.code).toBe(2);
    expect(s.err).toContain('FILE: is required');
    expect(s.err).not.toContain('--file');
  });

  it('sweep: a malformed --set is not also called missing', async () => {
    const r = await cli('sweep', file('audit-c.yaml', SMALL), '--set', 'agents=', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--set = "agents=": every value must be non-empty');
    expect(r.err).not.toContain('--set: is required');
  });

  it('erlang: a flag the model does not read is an error, not ignored (it printed the figures without it, exit 0)', async () => {
    const b = await cli('erlang', 'b', '--erlangs', '10', '--agents', '12', '--simulate', '--patience', '30', '--hours', 'x');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/cctwin erlang b: 3 bad options/);
    expect(b.err).toMatch(/--patience = "30": does not apply to erlang b \(only to erlang a, erlang staff\)/);
    expect(b.err).toMatch(/--simulate: does not apply to erlang b \(only to erlang c, erlang a\)/);
    expect(b.err).toMatch(/--hours = "x": does not apply to erlang b/);
    const c = await cli('erlang', 'c', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--patience', '30', '--replications', '5');
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--patience = "30": does not apply to erlang c/);
    expect(c.err).toMatch(/--replications = "5": applies only with --simulate/);
    const staff = await cli('erlang', 'staff', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '3', '--target', '2');
    expect(staff.code).toBe(2);
    expect(staff.err).toMatch(/--agents = "3": does not apply to erlang staff/);
    expect(staff.err).toMatch(/--target = "2": must be/); // listed with the others
    const a = await cli('erlang', 'a', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--patience', '60', '--max-abandon', '0.1');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--max-abandon = "0.1": does not apply to erlang a \(only to erlang staff\)/);
    // What each model reads still runs, defaults included (--threshold, --hours, --warmup with --json set the analytic totals).
    expect((await cli('erlang', 'c', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--threshold', '30', '--hours', '2', '--warmup', '0', '--json')).code).toBe(0);
    expect((await cli('erlang', 'staff', '--arrivals-per-hour', '100', '--aht', '180', '--patience', '60', '--target', '0.8', '--convention', 'answered', '--max-asa', '30')).code).toBe(0);
  });

  it('erlang: a bad --warmup is listed with a bad --hours (it was dropped)', async () => {
    const r = await cli('erlang', 'a', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--simulate', '--hours', '-1', '--warmup', 'abc');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--hours = "-1"');
    expect(r.err).toContain('--warmup = "abc"');
  });

  it('calibrate and validate-fit list a missing log or scenario with the flags\' problems (it came only after they were fixed)', async () => {
    const c = await cli('calibrate', join(dir, 'none.tsv'), '--out', join(dir, 'fit.yaml'), '--interval', '7');
    expect(c.code).toBe(2);
    expect(c.err).toContain('--interval = "7"');
    expect(c.err).toMatch(/LOG = ".*none\.tsv": no such file/);
    const v = await cli('validate-fit', join(dir, 'none.yaml'), '--against', join(dir, 'none.tsv'), '-r', '0');
    expect(v.code).toBe(2);
    expect(v.err).toContain('--replications = "0"');
    expect(v.err).toMatch(/LOG = ".*none\.tsv": no such file/);
    expect(v.err).toMatch(/none\.yaml: must be a readable scenario file: no such file/);
  });

  it('calibrate with one log that cannot be read names it once in the heading (it said "nope.tsv: nope.tsv no such file")', async () => {
    const file = join(dir, 'nope.tsv');
    const r = await cli('calibrate', file, '--out', join(dir, 'fit.yaml'));
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('error: nope.tsv: no such file');
    expect(r.err).toContain(`LOG = "${file}": no such file`);
  });

  it.runIf(existsSync('/dev/full'))('output that cannot be written (a full disk) is said in one line, exit 1, no stack trace', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [join(ROOT, 'bin/cctwin.js'), 'erlang', 'c', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6'], { cwd: ROOT, stdio: ['ignore', full, 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d) => { err += d; });
      const code = await new Promise<number | null>((res) => child.on('close', res));
      expect(code).toBe(1);
      expect(err.trim()).toBe('error: cannot write to standard output: ENOSPC: no space left on device, write');
    } finally {
      closeSync(full);
    }
  });

  it('a reader that closes the pipe early (`| head`) ends the output without an EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/cctwin.js'), 'erlang', 'c', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6', '--json'], { cwd: ROOT });
    child.stdout.destroy(); // no reader: the child's first write fails with EPIPE
    let err = '';
    child.stderr.on('data', (d) => { err += String(d); });
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});
