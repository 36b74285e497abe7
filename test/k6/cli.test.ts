import { copyFileSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.ts';
import { tmpdir } from 'node:os';
import { planOf, ROOT, scenario, SMALL, tempDir } from './helpers.ts';

/** `cctwin k6` on the command line: its flags, its output file, its report. */

const tmp = tempDir();
afterAll(() => tmp.done());

describe('cctwin k6: flags', () => {
  it('reports every bad flag at once, naming the flag, the value and what is expected (exit 2)', async () => {
    const r = await cli('k6', SMALL, '--speed', '0', '--by', 'skill', '--base-url', 'ftp://example.com', '--horizon', 'soon', '--seed', '-3');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cctwin k6: 5 bad options/);
    expect(r.err).toMatch(/--speed = "0": must be a number >= 0.01 and <= 1000000/);
    expect(r.err).toMatch(/--by = "skill": must be one of type, channel/);
    expect(r.err).toMatch(/--base-url = "ftp:\/\/example.com": must be an http:\/\/ or https:\/\/ URL/);
    expect(r.err).toMatch(/--horizon = "soon": must be a duration/);
    expect(r.err).toMatch(/--seed = "-3": must be a whole number >= 0/);
    expect(r.out).toBe('');
  });

  it('a --horizon past the scenario\'s is named with its horizon, beside the other bad flags', async () => {
    const r = await cli('k6', SMALL, '--horizon', '5h', '--base-url', 'http://user:pw@host:1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--horizon = "5h": must be at most the scenario's horizon \(14400 s = 4 h\)/);
    expect(r.err).toMatch(/--base-url = "http:\/\/user:pw@host:1": .*no query, fragment or credentials/);
    expect((await cli('k6', SMALL, '--horizon', '0')).err).toMatch(/--horizon = "0": must be a duration more than 0/);
  });

  it('a bad scenario file is an input error (exit 2)', async () => {
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nhorizon: -1\n');
    const r = await cli('k6', bad);
    expect(r.code).toBe(2);
    expect((await cli('k6', join(tmp.dir, 'missing.yaml'))).code).toBe(2);
  });

  it('a bad scenario file and bad flags are reported together (exit 2)', async () => {
    const bad = join(tmp.dir, 'bad-too.yaml');
    writeFileSync(bad, 'name: x\nhorizon: 4h\nbogus: 1\n');
    const r = await cli('k6', bad, '--by', 'skill');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--by = "skill"/);
    expect(r.err).toMatch(/bogus = 1: is not a known field/);
    const missing = await cli('k6', join(tmp.dir, 'missing.yaml'), '--speed', '0');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--speed = "0"/);
    expect(missing.err).toMatch(/missing\.yaml: must be a readable scenario file/);
  });
});

describe('cctwin k6: the script', () => {
  it('without --out prints the script', async () => {
    const r = await cli('k6', SMALL, '--horizon', '1h');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\/\/ k6 load of the cctwin scenario "twin-small"/);
    expect(r.out).toMatch(/export const options = \{/);
    expect(r.out).toMatch(/export function handleSummary\(data\)/);
    expect(r.out).toMatch(/Written by cctwin k6 twin-small\.yaml --speed 60 --by type --horizon 3600s;/);
    expect(r.out).not.toContain(ROOT); // no machine paths: the scenario by its file name only
    expect(r.out).not.toContain(tmpdir());
  });

  it('--out writes the file and says what it holds', async () => {
    const out = join(tmp.dir, 'load.js');
    const r = await cli('k6', scenario('spring-festival.yaml'), '--out', out, '--base-url', 'https://twin.example.com:8443/');
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/const BASE_URL = \(__ENV.CCTWIN_BASE_URL \|\| "https:\/\/twin.example.com:8443"\)/);
    const plan = planOf(scenario('spring-festival.yaml'));
    const n = Math.round(plan.expected).toLocaleString('en-US');
    expect(r.out).toMatch(new RegExp(`^wrote .*load\\.js: 12 k6 scenarios \\(one per contact type\\), ${n} expected iterations over 24 min of wall time \\(24 simulated hours at speed 60\\), then up to 24 min for the last outcomes; VUs: [\\d,]+ pre-allocated, at most [\\d,]+$`));
  });

  it('never overwrites the scenario: --out naming it (or a link to it) is refused, and it is left as it was', async () => {
    const file = join(tmp.dir, 'scenario.yaml');
    copyFileSync(SMALL, file);
    const before = readFileSync(file, 'utf8');
    const mtime = statSync(file).mtimeMs;
    const r = await cli('k6', file, '--out', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out = ".*scenario\.yaml": must not be the scenario file \(.*: the same path\): writing it would destroy it/);
    const link = join(tmp.dir, 'link.js');
    symlinkSync(file, link);
    const l = await cli('k6', file, '--out', link);
    expect(l.code).toBe(2);
    expect(l.err).toMatch(/must not be the scenario file .*the same file, by another path or a link/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('--out in a folder that does not exist is refused before anything is written', async () => {
    const out = join(tmp.dir, 'no-such-folder', 'load.js');
    const r = await cli('k6', SMALL, '--out', out, '--by', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out = .*: must be in an existing folder/);
    expect(r.err).toMatch(/--by = "nope"/);
    expect(existsSync(out)).toBe(false);
  });
});
