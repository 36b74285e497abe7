import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../sim/src/cli.ts';
import { nearestFlag, splitUnknown } from '../../sim/src/cli/unknown-flags.ts';
import { FlagChecker } from '../../sim/src/cli/options.ts';
import { cli } from '../fixtures/cli.ts';

/**
 * A flag a command does not have is reported with the command's other problems, and
 * the command does not run: every command is tried with otherwise valid input.
 */

const FIXTURE = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const CALLS = fileURLToPath(new URL('../fixtures/calls-small.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cctwin-unknown-'));
const db = join(dir, 'runs.db'); // holds run 1 (beforeAll)
const fresh = join(dir, 'fresh'); // where a command that ran would have written: must stay empty
const fitted = join(dir, 'fitted.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  expect((await cli('run', FIXTURE, '-r', '1', '--workers', '1', '--db', db)).code).toBe(0);
  expect((await cli('calibrate', CALLS, '--format', 'csv', '--out', fitted)).code).toBe(0);
}, 60_000);

/** Each command with input it would run on (a run store, a scenario, a fitted scenario), and where it would write. */
const VALID: Record<string, string[]> = {
  run: [FIXTURE, '-r', '1', '--workers', '1', '--db', join(fresh, 'a.db'), '--out', join(fresh, 'a.json')],
  erlang: ['c', '--arrivals-per-hour', '100', '--aht', '60', '--agents', '3'],
  calibrate: [CALLS, '--format', 'csv', '--out', join(fresh, 'fit.yaml')],
  'validate-fit': [fitted, '--against', CALLS, '--format', 'csv', '-r', '1'],
  compare: [FIXTURE, FIXTURE, '-r', '2', '--workers', '1', '--db', join(fresh, 'b.db')],
  staff: [FIXTURE, '-r', '2', '--out', join(fresh, 'staffed.yaml')],
  schedule: [FIXTURE, '--out', join(fresh, 'shifts.yaml')],
  sweep: [FIXTURE, '--set', 'agents=10,12', '-r', '2', '--workers', '1', '--db', join(fresh, 'c.db')],
  serve: [FIXTURE, '--port', '0', '--db', join(fresh, 'd.db')],
  dashboard: ['--port', '0', '--db', db],
  k6: [FIXTURE, '--out', join(fresh, 'load.js')],
  replay: [FIXTURE, '--against', 'http://127.0.0.1:9', '--out', join(fresh, 'summary.json')],
  // No summary exists without a load run: the missing file is named with the flag.
  'compare-k6': [join(dir, 'summary.json'), '--scenario', FIXTURE],
  worker: ['--backend', 'redis://127.0.0.1:9'],
  'runs list': ['--db', db],
  'runs show': ['1', '--db', db],
  'runs export': ['1', '--format', 'csv', '--db', db],
};

function leafPaths(c: Command, prefix = ''): string[] {
  return c.commands.flatMap((s) => (s.commands.length > 0 ? leafPaths(s, `${prefix}${s.name()} `) : [`${prefix}${s.name()}`]));
}

describe('a flag the command does not have', () => {
  it('every command is tried below', () => {
    const program = buildProgram({ out: () => {}, err: () => {} }, () => {});
    expect(leafPaths(program).sort()).toEqual(Object.keys(VALID).sort());
  });

  for (const [command, args] of Object.entries(VALID)) {
    it(`cctwin ${command}: refused with exit 2, named beside a bad value, and nothing runs`, async () => {
      const words = command.split(' ');
      const r = await cli(...words, ...args, '--no-such-flag', '7', '--json-out');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--no-such-flag = "7": is not an option of cctwin ${command}`);
      expect(r.err).toMatch(new RegExp(`--json-out: is not an option of cctwin ${command}`));
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.out).toBe('');
      expect(existsSync(fresh) ? readdirSync(fresh) : []).toEqual([]);
    }, 30_000);
  }

  it('--help and -h still print each command\'s help, with an unknown flag or a missing operand beside them', async () => {
    for (const command of Object.keys(VALID)) {
      for (const help of ['--help', '-h']) {
        const r = await cli(...command.split(' '), '--no-such-flag', help);
        expect(r.code, `${command} ${help}: ${r.err}`).toBe(0);
        expect(r.out).toMatch(new RegExp(`^Usage: cctwin ${command} `));
      }
    }
    const after = await cli('run', FIXTURE, '--db', join(fresh, 'g.db'), '--', '--help');
    expect(after.code).toBe(2); // after `--`, --help is an operand: one too many
    expect(existsSync(fresh) ? readdirSync(fresh) : []).toEqual([]);
  });

  it('is listed with the other bad flags and a bad scenario, all at once, with a suggestion', async () => {
    const r = await cli('run', FIXTURE, '--replicatons', '5', '--seed', '-1', '--set', 'agents=-3', '--db', join(fresh, 'e.db'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--replicatons = "5": is not an option of cctwin run (did you mean --replications?)');
    expect(r.err).toContain('--seed = "-1": must be a whole number >= 0');
    expect(r.err).toMatch(/agents = -3: must be >= 0/);
    expect(existsSync(fresh) ? readdirSync(fresh) : []).toEqual([]);
  });

  it('belongs to its own command line: two at once in one process, either order, and nothing left after', async () => {
    const erlang = ['erlang', 'c', '--arrivals-per-hour', '100', '--aht', '60', '--agents', '3'];
    for (const order of [0, 1]) {
      const calls = [cli(...erlang, '--no-such-flag'), cli(...erlang)];
      const [bad, good] = await Promise.all(order === 0 ? calls : calls.reverse()).then((r) => (order === 0 ? r : r.reverse()));
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('--no-such-flag: is not an option of cctwin erlang');
      expect(bad.out).toBe('');
      expect(good.code, good.err).toBe(0);
      expect(good.out).toMatch(/P\(wait\)/);
    }
    expect(new FlagChecker().issues).toEqual([]);
  });

  it('before the operand: the operand is still the file', async () => {
    const r = await cli('run', '--bogus', FIXTURE, '--seed', 'x', '--db', join(fresh, 'f.db'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--bogus: is not an option of cctwin run');
    expect(r.err).toContain('--seed = "x": must be a whole number >= 0');
    expect(r.err).not.toMatch(/missing required argument/);
  });
});

describe('splitUnknown', () => {
  const known = ['--replications', '--seed', '--out'];
  it('a value after an unknown flag is its value when the operands are complete without it', () => {
    expect(splitUnknown('run', known, 1, 1, ['a.yaml'], ['--bogus', '3'])).toEqual({
      operands: ['a.yaml'],
      issues: [{ path: '--bogus', value: '3', message: 'is not an option of cctwin run' }],
    });
    expect(splitUnknown('run', known, 1, 1, [], ['--bogus', '3', 'a.yaml']).operands).toEqual(['a.yaml']);
    expect(splitUnknown('run', known, 1, 1, [], ['--bogus', 'a.yaml'])).toEqual({
      operands: ['a.yaml'],
      issues: [{ path: '--bogus', value: undefined, message: 'is not an option of cctwin run' }],
    });
    expect(splitUnknown('compare', known, 1, Infinity, ['a.yaml'], ['--x', 'b.yaml', 'c.yaml']).operands).toEqual(['a.yaml', 'c.yaml']);
    expect(splitUnknown('compare', known, 1, Infinity, [], ['--x', 'a.yaml', 'b.yaml']).operands).toEqual(['b.yaml']); // a.yaml taken for --x's value: the command has its operand without it
    expect(splitUnknown('compare', known, 1, Infinity, [], ['--x', 'a.yaml'])).toEqual({ operands: ['a.yaml'], issues: [{ path: '--x', value: undefined, message: 'is not an option of cctwin compare' }] });
  });
  it('--name=value, short flags, `--`, negative numbers and a word too many', () => {
    const r = splitUnknown('run', known, 1, 1, [], ['--seeed=4', '-z', '--', '-5']);
    expect(r.operands).toEqual(['-5']);
    expect(r.issues).toEqual([
      { path: '--seeed', value: '4', message: 'is not an option of cctwin run (did you mean --seed?)' },
      { path: '-z', value: undefined, message: 'is not an option of cctwin run' },
    ]);
    expect(splitUnknown('run', known, 1, 1, ['a.yaml'], ['--x', 'v', 'extra']).issues[1]).toEqual({ path: 'extra', message: 'is one argument too many for cctwin run' });
  });
  it('suggests only a near flag', () => {
    expect(nearestFlag('--replicatons', known)).toBe('--replications');
    expect(nearestFlag('--ot', known)).toBe('--out');
    expect(nearestFlag('--colour', known)).toBeUndefined();
  });
});
