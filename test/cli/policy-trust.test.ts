import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.ts';
import { resumeCommand } from '../../sim/src/cli/sweep.ts';
import { readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { sweepVariants } from '../../sim/src/runs/execute.ts';

/**
 * Issue 12 item 21: a scenario's routing.policy is code. Only the policies folder
 * beside the scenario, or a module the user names with --allow-policy, is imported;
 * everything else is refused before it is imported (its top-level code never runs).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BASELINE = join(ROOT, 'scenarios/baseline-day.yaml');
const dir = mkdtempSync(join(tmpdir(), 'cctwin-trust-'));
const db = join(dir, 'runs.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));


// A module whose top-level code leaves a mark: if it is ever imported, the mark exists.
const MARK = join(dir, 'imported.mark');
const evil = (name: string) => `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(MARK)}, ${JSON.stringify(name)});\nexport default () => ({ name: '${name}', score: () => 0 });\n`;

const site = join(dir, 'site');
mkdirSync(join(site, 'policies'), { recursive: true });
const scenario = join(site, 'center.yaml');
copyFileSync(BASELINE, scenario);
writeFileSync(join(site, 'policies', 'ok.mjs'), 'export default () => ({ name: "ok", score: (s, q, slot) => s.now - s.cArrive[slot] });\n');
writeFileSync(join(dir, 'outside.mjs'), evil('outside'));
// A module is imported once per process: the sweep test has its own.
writeFileSync(join(dir, 'outside-sweep.mjs'), evil('outside-sweep'));
symlinkSync(join(dir, 'outside.mjs'), join(site, 'policies', 'link.mjs'));
writeFileSync(join(site, 'policies', 'nan.mjs'), 'export default () => ({ name: "nan", score: () => NaN });\n');
writeFileSync(join(site, 'policies', 'throws.mjs'), 'export default () => ({ name: "throws", score: () => { throw new TypeError("boom"); } });\n');

const run = (policy: string, ...more: string[]) =>
  cli('run', scenario, '--set', `routing.policy=${policy}`, '--set', 'horizon=2h', '-r', '1', '--workers', '1', '--db', db, ...more);

describe('routing.policy trust', () => {
  it('a module in the policies folder beside the scenario runs', async () => {
    const r = await run('policies/ok.mjs');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/run \d+ saved in /);
  });

  it('refuses ../, absolute paths and symlinks out of the folder, without importing them', async () => {
    for (const [policy, why] of [
      ['../outside.mjs', 'it contains ..'],
      [join(dir, 'outside.mjs'), 'it is an absolute path'],
      ['policies/link.mjs', 'it leads out of policies/ (a symbolic link)'],
      ['./center.mjs', 'no such file'],
    ]) {
      const r = await run(policy);
      expect(r.code, policy).toBe(2);
      expect(r.err, policy).toContain(`routing.policy = ${JSON.stringify(policy)}: must be a module in the policies folder beside the scenario`);
      expect(r.err, policy).toContain(why);
    }
    expect(existsSync(MARK)).toBe(false);
  });

  it('a module named with --allow-policy is loaded from anywhere', async () => {
    const r = await run(join(dir, 'outside.mjs'), '--allow-policy', join(dir, 'outside.mjs'));
    expect(r.code).toBe(0);
    expect(existsSync(MARK)).toBe(true);
    rmSync(MARK);
  });

  it('a resumed sweep loads the stored policy only if this command line allows it', async () => {
    const args = ['sweep', scenario, '--set', `routing.policy=${join(dir, 'outside-sweep.mjs')}`, '--set', 'horizon=1h,2h', '-r', '1', '--workers', '1', '--db', db];
    const first = await cli(...args, '--allow-policy', join(dir, 'outside-sweep.mjs'));
    expect(first.code).toBe(0);
    rmSync(MARK);
    const id = /sweep (\d+) saved/.exec(first.out)![1];
    const again = await cli('sweep', '--resume', id, '--db', db);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/routing\.policy.* = .*outside-sweep\.mjs.*the scenario came from the run store, which grants no trust/);
    expect(existsSync(MARK)).toBe(false);
  });

  it('a resumed sweep with a module of the policies folder: the error names the --allow-policy that loads it, and that works', async () => {
    const first = await cli('sweep', scenario, '--set', 'routing.policy=policies/ok.mjs', '--set', 'horizon=1h,2h', '-r', '1', '--workers', '1', '--db', db);
    expect(first.code, first.err).toBe(0);
    const id = /sweep (\d+) saved/.exec(first.out)![1];
    const again = await cli('sweep', '--resume', id, '--db', db);
    expect(again.code).toBe(2);
    const module = join(site, 'policies', 'ok.mjs');
    expect(again.err).toContain(`= "policies/ok.mjs": must be allowed with --allow-policy: the scenario came from the run store, which grants no trust, not even to a policies folder (allow this module with --allow-policy ${module})`);
    const allowed = await cli('sweep', '--resume', id, '--allow-policy', module, '--db', db);
    expect(allowed.code, allowed.err).toBe(0);
    expect(allowed.out).toContain(`sweep ${id} saved`);
  });

  it('an interrupted sweep\'s "resume with" line allows again each plug-in module its grid names', () => {
    const spec = {
      text: readScenarioText(scenario), source: scenario, seed: undefined, replications: 1, precision: undefined, maxReplications: 10, options: {},
      sets: [{ path: 'routing.policy', values: ['fifo', 'policies/ok.mjs', 'policies/nan.mjs'] }], fixed: [],
    };
    const grid = sweepVariants(spec as unknown as Parameters<typeof sweepVariants>[0]);
    const ok = join(site, 'policies', 'ok.mjs'), nan = join(site, 'policies', 'nan.mjs');
    expect(grid.policies).toEqual([ok, nan]);
    expect(resumeCommand(7, 'runs/cctwin.db', grid.policies)).toBe(`cctwin sweep --resume 7 --allow-policy ${ok} --allow-policy ${nan}`);
    expect(resumeCommand(7, "my runs/it's.db", [])).toBe(`cctwin sweep --resume 7 --db 'my runs/it'\\''s.db'`);
  });

  it('a score() that returns NaN or throws stops with an error naming the policy (in-process and on workers)', async () => {
    for (const workers of ['1', '2']) {
      const nan = await cli('run', scenario, '--set', 'routing.policy=policies/nan.mjs', '--set', 'horizon=1h', '-r', '2', '--workers', workers, '--db', db);
      expect(nan.code, workers).toBe(2);
      expect(nan.err, workers).toMatch(/routing policy "nan": score\(\) returned NaN, not a finite number/);
      expect(nan.err).toContain('routing.policy');
      const threw = await cli('run', scenario, '--set', 'routing.policy=policies/throws.mjs', '--set', 'horizon=1h', '-r', '2', '--workers', workers, '--db', db);
      expect(threw.code, workers).toBe(2);
      expect(threw.err, workers).toMatch(/routing policy "throws": score\(\) threw TypeError: boom/);
    }
  });
});

describe('--allow-policy', () => {
  it('a module that does not exist is refused, naming the flag', async () => {
    const r = await cli('run', scenario, '--allow-policy', join(dir, 'nope.mjs'), '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--allow-policy = "${join(dir, 'nope.mjs')}": must be an existing routing policy module`);
  });
});

describe('trust holes found in review', () => {
  it('a policies folder that is a symbolic link is not trusted', async () => {
    const other = join(dir, 'linked-site');
    mkdirSync(other, { recursive: true });
    copyFileSync(BASELINE, join(other, 'center.yaml'));
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    writeFileSync(join(dir, 'elsewhere', 'evil.mjs'), evil('elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), join(other, 'policies'));
    const r = await cli('run', join(other, 'center.yaml'), '--set', 'routing.policy=policies/evil.mjs', '--set', 'horizon=1h', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the policies folder is a symbolic link');
    expect(existsSync(MARK)).toBe(false);
  });

  it('a factory that throws is a load error naming routing.policy (exit 2), not a bug', async () => {
    writeFileSync(join(site, 'policies', 'factory-throws.mjs'), 'export default () => { throw new RangeError("bad params"); };\n');
    for (const workers of ['1', '2']) {
      const r = await cli('run', scenario, '--set', 'routing.policy=policies/factory-throws.mjs', '--set', 'horizon=1h', '-r', '2', '--workers', workers, '--db', db);
      expect(r.code, workers).toBe(2);
      expect(r.err, workers).toMatch(/the factory threw \(RangeError: bad params\)/);
    }
  });

  it('a module that is not a policy: each case named on routing.policy, with what was found (exit 2)', async () => {
    for (const [name, text, why] of [
      ['no-default', 'export const x = 1;\n', 'must export default a function (params) => RoutingPolicy: it has no default export'],
      ['default-object', 'export default { score: () => 0 };\n', 'must export default a function (params) => RoutingPolicy: its default export is object'],
      ['no-score', 'export default () => ({ name: "x" });\n', 'its factory must return an object with score(s, queue, slot, agent): the object it returned has no score function'],
      ['async', 'export default async () => ({ name: "x", score: () => 0 });\n', 'its factory must return an object with score(s, queue, slot, agent): it returned a promise (the factory must not be async)'],
      ['nothing', 'export default () => undefined;\n', 'its factory must return an object with score(s, queue, slot, agent): it returned undefined'],
    ]) {
      writeFileSync(join(site, 'policies', `${name}.mjs`), text);
      for (const workers of ['1', '2']) {
        const r = await cli('run', scenario, '--set', `routing.policy=policies/${name}.mjs`, '--set', 'horizon=1h', '-r', '2', '--workers', workers, '--db', db);
        expect(r.code, `${name} ${workers}`).toBe(2);
        expect(r.err, `${name} ${workers}`).toMatch(new RegExp(`routing\\.policy = ".*${name}\\.mjs": ${why.replace(/[().>]/g, '\\$&')}`));
      }
    }
  });
});
