import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../sim/src/cli.ts';
import type { Io } from '../../sim/src/cli/io.ts';
import { MAX_ISSUES_SHOWN, parseScenarioText } from '../../sim/src/config/load.ts';
import { MAX_SCENARIO_BYTES } from '../../sim/src/config/read.ts';
import { applyAssignments, compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
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

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s) };
  const code = await main(['node', 'cctwin', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
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
