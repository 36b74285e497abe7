import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../sim/src/cli.ts';
import { loadsOrRefuse } from '../../sim/src/cli/calibrate.ts';
import { SimError } from '../../sim/src/errors.ts';

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
    const refused = await cli('calibrate', c, '--format', 'counts', '--interval', '3600', '--out', join(dir, 'counts.yaml'));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('line 52: counts.csv DateTime = "2003-03-03T08:00:00Z": is the same time bin as line 2');
    const r = await cli('calibrate', c, '--format', 'counts', '--interval', '3600', '--out', join(dir, 'counts.yaml'), '--max-bad-rows', '2');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^skipped 2 bad rows/);
    expect(JSON.parse(readFileSync(join(dir, 'counts.fit.json'), 'utf8')).skippedRows).toHaveLength(2);
    expect(readFileSync(join(dir, 'counts.yaml'), 'utf8')).toMatch(/# 2 bad rows of the logs were skipped/);
  });
});

/** A generic CSV log: one row per call, times in seconds from Monday 2024-03-04 00:00 (local). */
const MONDAY = 19786 * 86400;
type Row = { at: number; wait: number; outcome: 'answered' | 'abandoned' | 'ivr' | 'blocked'; length?: number; agent?: string; day?: number };
function log(name: string, rows: Row[]): string {
  const t = (r: Row, x: number) => String(MONDAY + (r.day ?? 0) * 86400 + r.at + x);
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, ['arrival,queue_entry,answer,end,outcome,type,agent', ...rows.map((r) => {
    if (r.outcome === 'answered') return [t(r, 0), '', t(r, r.wait), t(r, r.wait + (r.length ?? 100)), 'answered', 'x', r.agent ?? `a${r.at % 3}`].join(',');
    if (r.outcome === 'abandoned') return [t(r, 0), '', '', t(r, r.wait), 'abandoned', 'x', ''].join(',');
    return [t(r, 0), '', '', r.outcome === 'ivr' ? t(r, 9) : '', r.outcome, 'x', ''].join(',');
  })].join('\n') + '\n');
  return file;
}
/** A busy morning: 40 calls 90 s apart, every fourth abandoned after 5-50 s, the others answered after 0-19 s by three agents. */
const morning = (day = 0, f: (r: Row, i: number) => Row = (r) => r): Row[] => Array.from({ length: 40 }, (_, i) => f(i % 4 === 0
  ? { at: 8 * 3600 + i * 90, wait: 5 + ((i * 7) % 46), outcome: 'abandoned', day }
  : { at: 8 * 3600 + i * 90, wait: (i * 3) % 20, outcome: 'answered', length: 60 + ((i * 37) % 200), day }, i));

describe('degenerate logs: an error about the log, or a fit', () => {
  async function refused(file: string, ...more: string[]) {
    const out = join(dir, 'degenerate', `${file.replace(/.*\//, '')}.yaml`);
    const r = await cli('calibrate', file, '--format', 'csv', '--out', out, ...more);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: cannot fit a scenario to \S+\.csv: it lacks what a fit needs/);
    // Never about the scenario that would have been written (issue 12: "line 50 of an output never written").
    expect(r.err).not.toMatch(/\.yaml|line \d+/);
    expect(() => readFileSync(out)).toThrow();
    return r.err;
  }

  it('one call; all waits equal; no abandonment at all: patience cannot be estimated', async () => {
    expect(await refused(log('one', [{ at: 36000, wait: 10, outcome: 'answered' }]))).toContain('LOG = "1 offered: 1 answered, 0 abandoned": no abandoned call: patience is estimated from the waits of abandoned calls');
    expect(await refused(log('same-wait', morning(0, (r) => ({ ...r, wait: 20, outcome: 'answered' }))))).toContain('no abandoned call');
  });

  it('abandonments all after the same wait (or all at once): patience has no spread', async () => {
    expect(await refused(log('same-abandon', morning(0, (r) => (r.outcome === 'abandoned' ? { ...r, wait: 30 } : r))))).toContain('LOG = "10 abandoned, all after 30 s": every abandonment comes after the same wait');
    expect(await refused(log('abandon-at-once', morning(0, (r) => (r.outcome === 'abandoned' ? { ...r, wait: 0 } : r))))).toContain('all after 0 s');
  });

  it('all calls abandoned, or none offered: what the handle time (or everything) needs', async () => {
    expect(await refused(log('all-abandoned', morning(0, (r) => ({ ...r, outcome: 'abandoned' }))))).toContain('LOG = "40 offered: 0 answered, 40 abandoned": no answered call: the handle time is fitted from answered calls');
    expect(await refused(log('unoffered', [{ at: 36000, wait: 0, outcome: 'ivr' }, { at: 36100, wait: 0, outcome: 'blocked' }]))).toContain('LOG = "2 calls: 1 hung up in the IVR, 1 blocked": no call reached the agent queue');
  });

  it('answered calls of no length; --handle lognormal with one length', async () => {
    expect(await refused(log('no-length', morning(0, (r) => ({ ...r, length: 0 }))))).toContain('every answered call lasts 0 s');
    const constant = log('one-length', [...morning(0, (r) => ({ ...r, length: 120 })), ...morning(1, (r) => ({ ...r, length: 120 }))]);
    expect(await refused(constant, '--handle', 'lognormal')).toContain('--handle lognormal is fitted to the calls of --short-call (10 s) or longer and needs two different lengths');
    // The histogram takes one length.
    expect((await cli('calibrate', constant, '--format', 'csv', '--out', join(dir, 'one-length.yaml'))).code).toBe(0);
  });

  it('no agent names on a day with answers (staffing 0); too few calls to staff any interval', async () => {
    const err = await refused(log('no-agents', [...morning(0), ...morning(1, (r) => ({ ...r, agent: '' }))]));
    expect(err).toContain('LOG = "2024-03-05": 30 answered calls and none names its agent');
    expect(err).not.toContain('2024-03-04');
    expect(await refused(log('few', [{ at: 36000, wait: 3, outcome: 'answered', agent: 'a' }, { at: 36050, wait: 4, outcome: 'answered', agent: 'a' }, { at: 36100, wait: 10, outcome: 'abandoned' }, { at: 36200, wait: 30, outcome: 'abandoned' }])))
      .toContain('rounds to 0 agents in every interval');
  });

  it('every problem at once', async () => {
    const err = await refused(log('all-wrong', morning(0, (r) => ({ ...r, outcome: 'answered', wait: 0, agent: '' }))));
    expect(err.split('\n').filter((l) => l.startsWith('  LOG'))).toHaveLength(2);
    expect(err).toContain('no abandoned call');
    expect(err).toContain('none names its agent');
  });

  it('a single day is a working fit; what needs two days says so instead of NaN', async () => {
    const out = join(dir, 'single-day.yaml');
    const r = await cli('calibrate', log('single-day', morning()), '--format', 'csv', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('day-level gamma CV not measured (needs 2 days or more)');
    expect(r.out).toContain('redial     not measured (no identified customer abandoned)');
    expect(r.out).not.toMatch(/NaN/);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toContain('#   Day-level overdispersion: not measured (needs 2 days or more of the type).');
    expect(yaml).not.toMatch(/NaN/);
    expect(JSON.parse(readFileSync(join(dir, 'single-day.fit.json'), 'utf8')).days).toBe(1);
  });

  it('count series: all counts 0 is an error; a single day fits', async () => {
    const zero = join(dir, 'zero.csv'), day = join(dir, 'day.csv');
    writeFileSync(zero, 'DateTime,Calls\n2003-03-03T08:00:00,0\n2003-03-03T08:05:00,0\n');
    writeFileSync(day, 'DateTime,Calls\n2003-03-03T08:00:00,10\n2003-03-03T08:05:00,12\n');
    const z = await cli('calibrate', zero, '--format', 'counts', '--out', join(dir, 'zero.yaml'));
    expect(z.code).toBe(2);
    expect(z.err).toContain('LOG = "2 bins, 0 calls": every count is 0');
    const d = await cli('calibrate', day, '--format', 'counts', '--out', join(dir, 'day.yaml'));
    expect(d.code).toBe(0);
    expect(d.out + readFileSync(join(dir, 'day.yaml'), 'utf8')).not.toMatch(/NaN/);
  });

  it('validate-fit: a log with nothing to replay, or a day without agent names, is an error (not "MAE over 0 days: NaN")', async () => {
    const scen = join(dir, 'replay.yaml');
    expect((await cli('calibrate', FIXTURE, '--format', 'csv', '--out', scen)).code).toBe(0);
    const none = await cli('validate-fit', scen, '--against', log('nothing', [{ at: 36000, wait: 0, outcome: 'ivr' }]), '--format', 'csv', '-r', '1');
    expect(none.code).toBe(2);
    expect(none.err).toContain('error: cannot replay nothing.csv: it lacks what a replay needs');
    expect(none.err).toContain('no call reached the agent queue');
    const header = join(dir, 'header-only.csv');
    writeFileSync(header, 'arrival,queue_entry,answer,end,outcome,type,agent\n');
    const h = await cli('validate-fit', scen, '--against', header, '--format', 'csv', '-r', '1');
    expect(h.code).toBe(2);
    expect(h.err).toContain('header-only.csv: has no rows after the header');
    expect(h.out).toBe('');
    const anon = await cli('validate-fit', scen, '--against', log('anonymous-agents', morning(0, (r) => ({ ...r, agent: '' }))), '--format', 'csv', '-r', '1');
    expect(anon.code).toBe(2);
    expect(anon.err).toContain('LOG = "2024-03-04": 30 answered calls and none names its agent');
    // One call is little, but a day to replay.
    expect((await cli('validate-fit', scen, '--against', log('one-call', [{ at: 36000, wait: 10, outcome: 'answered' }]), '--format', 'csv', '-r', '1')).code).toBe(0);
    // A day whose callers all gave up has no observed ASA: the ASA error is over no day, said so, not NaN.
    const gaveUp = await cli('validate-fit', scen, '--against', log('gave-up', [{ at: 36000, wait: 30, outcome: 'abandoned' }, { at: 36100, wait: 40, outcome: 'abandoned' }]), '--format', 'csv', '-r', '1');
    expect(gaveUp.code, gaveUp.err).toBe(0);
    expect(gaveUp.out).not.toMatch(/NaN/);
    expect(gaveUp.out).toMatch(/mean absolute error over 1 day: abandon rate [\d.]+ points, service level [\d.]+ points, ASA - \(no day has an ASA on both sides\)/);
    const j = JSON.parse((await cli('validate-fit', scen, '--against', log('gave-up-json', [{ at: 36000, wait: 30, outcome: 'abandoned' }]), '--format', 'csv', '-r', '1', '--json')).out);
    expect(j.errorDays).toEqual({ abandonRate: 1, serviceLevel: 1, asa: 0 });
    expect(j.mae.asa).toBeNull();
  });
});

describe('a fit that does not load', () => {
  it('is refused as the log\'s problem, naming the fitted field, not a line of the file never written', () => {
    const yaml = readFileSync(join(new URL('../../', import.meta.url).pathname, 'scenarios/fitted/anonbank-jan.yaml'), 'utf8');
    expect(() => loadsOrRefuse(yaml, 'out/jan.yaml', 'jan.tsv')).not.toThrow();
    let err: SimError | undefined;
    try { loadsOrRefuse(yaml.replace(/^patience:\n(  .*\n)+/m, 'patience:\n  kind: exponential\n  mean: .inf\n'), 'out/jan.yaml', 'jan.tsv'); } catch (e) { err = e as SimError; }
    expect(err).toBeInstanceOf(SimError);
    expect(err!.code).toBe('SIM_ERR_CALL_LOG');
    expect(err!.message).toMatch(/^cannot fit a scenario to jan.tsv: the values fitted to the log are not a valid scenario/);
    expect(err!.issues).toEqual([expect.objectContaining({ path: 'fitted patience.mean', value: Infinity })]);
    expect(err!.issues[0]).not.toHaveProperty('line');
  });
});
