import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../sim/src/cli.ts';

/**
 * Bad and degenerate logs through the command line (issue 12, "Call logs"):
 * `--max-bad-rows`, and the errors of logs a fit cannot be made from.
 */

const dir = mkdtempSync(join(tmpdir(), 'cctwin-cal-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FIXTURE = new URL('../fixtures/calls-small.csv', import.meta.url).pathname;

async function cli(...args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await main(['node', 'cctwin', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// The example log with three bad rows appended (lines 247-249): an impossible date, an
// abandonment that ends before it arrives, a copy of line 4.
const fixture = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
const BAD = join(dir, 'bad-rows.csv');
writeFileSync(BAD, [...fixture, '2024-02-30T08:00:00,,,,blocked,PS,,', '2024-03-04T08:00:00,,,2024-03-04T07:00:00,abandoned,PS,,', fixture[3]].join('\n') + '\n');

describe('--max-bad-rows', () => {
  it('is a whole number >= 0 (exit 2 otherwise), in both commands', async () => {
    for (const v of ['-1', '1.5', 'x', '']) {
      const c = await cli('calibrate', FIXTURE, '--format', 'csv', '--out', join(dir, 'x.yaml'), '--max-bad-rows', v);
      expect(c.code).toBe(2);
      expect(c.err).toContain(`--max-bad-rows = "${v}": must be a whole number >= 0`);
    }
    const v = await cli('validate-fit', join(dir, 'none.yaml'), '--against', FIXTURE, '--max-bad-rows', '-2');
    expect(v.code).toBe(2);
    expect(v.err).toContain('--max-bad-rows = "-2": must be a whole number >= 0');
  });

  it('default 0: a log with bad rows is refused, every row listed with its line, and the flag named', async () => {
    const r = await cli('calibrate', BAD, '--format', 'csv', '--out', join(dir, 'refused.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-rows.csv: 3 bad rows \(3 bad fields\); --max-bad-rows N skips/);
    expect(r.err).toContain('line 247: bad-rows.csv arrival = "2024-02-30T08:00:00": must be a calendar date');
    expect(r.err).toContain('line 248: bad-rows.csv end = "2024-03-04T07:00:00": must not be before queue_entry');
    expect(r.err).toContain('line 249: bad-rows.csv (row)');
    expect(r.err).toContain('is the same call as line 4');
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
    const few = await cli('calibrate', BAD, '--format', 'csv', '--out', join(dir, 'refused.yaml'), '--max-bad-rows', '2');
    expect(few.code).toBe(2);
    expect(few.err).toContain('3 bad rows (3 bad fields), more than --max-bad-rows 2');
  });

  it('calibrate skips up to N, lists them on stderr and records them in the sidecar and the scenario header', async () => {
    const out = join(dir, 'skipped.yaml');
    const r = await cli('calibrate', BAD, '--format', 'csv', '--out', out, '--max-bad-rows', '3');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^skipped 3 bad rows \(--max-bad-rows 3\):\n {2}bad-rows.csv line 247: arrival = "2024-02-30T08:00:00": must be a calendar date/);
    expect(r.out).toMatch(/^245 calls .*3 bad rows skipped/);
    const side = JSON.parse(readFileSync(join(dir, 'skipped.fit.json'), 'utf8'));
    expect(side.calls).toBe(245);
    expect(side.skippedRows.map((s: { line: number }) => s.line)).toEqual([247, 248, 249]);
    expect(side.skippedRows[1]).toEqual({ source: 'bad-rows.csv', line: 248, problems: [{ field: 'end', value: '2024-03-04T07:00:00', message: 'must not be before queue_entry' }] });
    expect(readFileSync(out, 'utf8')).toMatch(/# 3 bad rows of the logs were skipped \(--max-bad-rows\): listed in skipped.fit.json, skippedRows\./);
    // A clean log writes no skippedRows (the shipped fits stay byte for byte the same).
    expect(await cli('calibrate', FIXTURE, '--format', 'csv', '--out', join(dir, 'clean.yaml'), '--max-bad-rows', '3')).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(readFileSync(join(dir, 'clean.fit.json'), 'utf8'))).not.toHaveProperty('skippedRows');
    expect(readFileSync(join(dir, 'clean.yaml'), 'utf8')).not.toMatch(/skipped/);
  });

  it('lists the first 10 on stderr, then a count', async () => {
    const many = join(dir, 'many.csv');
    writeFileSync(many, [...fixture, ...Array.from({ length: 12 }, (_, i) => `2024-02-30T08:00:${String(i).padStart(2, '0')},,,,blocked,PS,,`)].join('\n'));
    const r = await cli('calibrate', many, '--format', 'csv', '--out', join(dir, 'many.yaml'), '--max-bad-rows', '20');
    expect(r.code).toBe(0);
    const lines = r.err.split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[10]).toContain('many.csv line 256:');
    expect(lines[11]).toBe('  ... and 2 more (all in many.fit.json, skippedRows)');
  });

  it('validate-fit skips them too and reports skippedRows in its JSON', async () => {
    const scen = join(dir, 'small.yaml');
    expect((await cli('calibrate', FIXTURE, '--format', 'csv', '--out', scen)).code).toBe(0);
    const refused = await cli('validate-fit', scen, '--against', BAD, '--format', 'csv', '-r', '1');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('line 247: bad-rows.csv arrival');
    const r = await cli('validate-fit', scen, '--against', BAD, '--format', 'csv', '-r', '1', '--json', '--max-bad-rows', '3');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^skipped 3 bad rows \(--max-bad-rows 3\):/);
    const j = JSON.parse(r.out);
    expect(j.skippedRows.map((s: { line: number }) => s.line)).toEqual([247, 248, 249]);
    const clean = JSON.parse((await cli('validate-fit', scen, '--against', FIXTURE, '--format', 'csv', '-r', '1', '--json')).out);
    expect(clean).not.toHaveProperty('skippedRows');
    expect(j.days).toEqual(clean.days);
  });

  it('counts: skipped bins are listed and recorded in the sidecar', async () => {
    const c = join(dir, 'counts.csv');
    const rows = ['rownames,DateTime,Calls'];
    for (let d = 3; d <= 7; d++) for (let h = 8; h < 18; h++) rows.push(`${rows.length},2003-03-0${d}T${String(h).padStart(2, '0')}:00:00Z,${20 + d + h}`);
    rows.push(`${rows.length},2003-03-03T08:00:00Z,5`, `${rows.length + 1},2003-03-08T09:00:00Z,-1`);
    writeFileSync(c, rows.join('\n'));
    const refused = await cli('calibrate', c, '--format', 'counts', '--out', join(dir, 'counts.yaml'));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('line 52: counts.csv DateTime = "2003-03-03T08:00:00Z": is the same time bin as line 2');
    const r = await cli('calibrate', c, '--format', 'counts', '--out', join(dir, 'counts.yaml'), '--max-bad-rows', '2');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^skipped 2 bad rows/);
    expect(JSON.parse(readFileSync(join(dir, 'counts.fit.json'), 'utf8')).skippedRows).toHaveLength(2);
    expect(readFileSync(join(dir, 'counts.yaml'), 'utf8')).toMatch(/# 2 bad rows of the logs were skipped/);
  });
});
