import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dayLabel, parseAnonBank, parseCallCsv, readCallLogs } from '../../sim/src/calibration/call-log.ts';
import { parseCounts, readCounts } from '../../sim/src/calibration/counts.ts';
import { SimError } from '../../sim/src/errors.ts';

/**
 * What the log readers refuse (issue 12, "Call logs"): rows the real world cannot
 * produce, the same call twice, logs without rows; and what they accept: runs of
 * spaces or tabs between the Anonymous Bank fields. `maxBadRows` skips and lists.
 */

const dir = mkdtempSync(join(tmpdir(), 'cctwin-bad-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver';
// Real rows of anonbank-1999-01.tsv.
const ANSWERED = 'AA0101\t33118\t27997683\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tMICHAL';
const ABANDONED = 'AA0101\t33116\t9664491\t2\tPS\t990101\t0:00:31\t0:00:36\t5\t0:00:36\t0:03:09\t153\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER';
// Queued at 23:59:28, answered after midnight (real row, AA0213 12511).
const PAST_MIDNIGHT = 'AA0213\t12511\t35796002\t1\tPS\t990109\t23:59:23\t23:59:23\t0\t23:59:28\t0:00:03\t35\tAGENT\t0:00:03\t0:00:55\t52\tANAT';

function errorOf(f: () => unknown): SimError {
  try { f(); } catch (e) { if (e instanceof SimError) return e; throw e; }
  throw new Error('no error');
}
const where = (e: SimError) => e.issues.map((i) => [i.line, i.path, i.value]);

describe('Anonymous Bank rows', () => {
  it('accepts runs of spaces or tabs between fields (two such rows in the real October 1999 file)', () => {
    // A tab doubled, a tab replaced by spaces, a space and a tab: the field count is not 17 tab-separated ones.
    const spaced = ANSWERED.replace('\t33118\t', '\t\t33118   ').replace('\tMICHAL', ' \t MICHAL');
    const log = parseAnonBank([HEADER, ABANDONED, spaced, '  ' + ANSWERED.replace('33118', '33119') + ' '].join('\r\n'), 'oct.tsv');
    expect(log.calls.map((c) => c.outcome)).toEqual(['abandoned', 'answered', 'answered']);
    expect(log.calls[1]).toMatchObject({ agent: 'MICHAL', customer: '27997683', answer: 6 * 3600 + 55 * 60 + 43 });
  });

  it('a missing field is still a short row, not a shifted one', () => {
    const e = errorOf(() => parseAnonBank([HEADER, ANSWERED.replace('\tPS\t', '\t\t')].join('\n'), 'x.tsv'));
    expect(where(e)).toEqual([[2, 'x.tsv (row)', '16 fields']]);
  });

  it('rejects impossible dates (990230, 990431, 990001) and keeps a real leap-less February 28', () => {
    const rows = ['990230', '990431', '990001', '990228'].map((d, i) => ANSWERED.replace('990101', d).replace('33118', String(40000 + i)));
    const e = errorOf(() => parseAnonBank([HEADER, ...rows].join('\n'), 'x.tsv'));
    expect(where(e)).toEqual([[2, 'x.tsv date', '990230'], [3, 'x.tsv date', '990431'], [4, 'x.tsv date', '990001']]);
    expect(e.issues[0].message).toMatch(/calendar date/);
  });

  it('rejects negative and absurd durations: longer than a day (86400 s)', () => {
    const rows = [
      ANSWERED.replace('\t54\tMICHAL', '\t-54\tMICHAL'),
      ANSWERED.replace('\t54\tMICHAL', '\t86401\tMICHAL').replace('33118', '1'),
      ABANDONED.replace('\t153\tHANG', '\t90000\tHANG'),
      ANSWERED.replace('\t6\t6:55:26', '\t-4000\t6:55:26').replace('33118', '2'),
      ANSWERED.replace('\t54\tMICHAL', '\t86400\tMICHAL').replace('33118', '3').replace('6:56:37', '6:55:43'),
    ];
    const e = errorOf(() => parseAnonBank([HEADER, ...rows].join('\n'), 'x.tsv'));
    expect(where(e)).toEqual([[2, 'x.tsv ser_time', '-54'], [3, 'x.tsv ser_time', '86401'], [4, 'x.tsv q_time', '90000'], [5, 'x.tsv vru_time', '-4000']]);
    expect(e.issues[1].message).toMatch(/86400/);
  });

  it('rejects q_exit (and ser_exit) before q_start (ser_start); a wait past midnight is not before', () => {
    const rows = [
      ANSWERED.replace('6:55:26\t6:55:43\t17', '6:55:26\t6:54:43\t17'),
      ANSWERED.replace('6:55:43\t6:56:37\t54', '6:55:43\t6:54:37\t54').replace('33118', '1'),
      PAST_MIDNIGHT,
    ];
    const e = errorOf(() => parseAnonBank([HEADER, ...rows].join('\n'), 'x.tsv'));
    expect(where(e)).toEqual([[2, 'x.tsv q_exit', '6:54:43'], [3, 'x.tsv ser_exit', '6:54:37']]);
    expect(e.issues[0].message).toMatch(/before q_start/);
    expect(parseAnonBank([HEADER, PAST_MIDNIGHT].join('\n')).calls[0]).toMatchObject({ queueEntry: 86368, answer: 86403 });
  });

  it('rejects the same call twice (vru+line, call_id, date), in a file and across files', () => {
    const e = errorOf(() => parseAnonBank([HEADER, ANSWERED, ABANDONED, ANSWERED].join('\n'), 'x.tsv'));
    expect(where(e)).toEqual([[4, 'x.tsv call_id', '33118']]);
    expect(e.issues[0].message).toMatch(/same call .*line 2/);
    // Another VRU line numbers its own calls: the same call_id there is another call.
    expect(parseAnonBank([HEADER, ANSWERED, ANSWERED.replace('AA0101', 'AA0105')].join('\n')).calls).toHaveLength(2);
    const a = join(dir, 'a.tsv'), b = join(dir, 'b.tsv');
    writeFileSync(a, [HEADER, ABANDONED, ANSWERED].join('\r\n'));
    writeFileSync(b, [HEADER, ANSWERED.replace('33118', '50000'), ANSWERED].join('\r\n'));
    const x = errorOf(() => readCallLogs([a, b], 'anonbank'));
    expect(where(x)).toEqual([[3, 'b.tsv call_id', '33118']]);
    expect(x.code).toBe('SIM_ERR_CALL_LOG');
  });

  it('the same log given twice is refused, not counted twice', () => {
    const a = join(dir, 'twice.tsv');
    writeFileSync(a, [HEADER, ABANDONED, ANSWERED].join('\r\n'));
    const e = errorOf(() => readCallLogs([a, a], 'anonbank'));
    expect(e.issues.map((i) => i.message)).toContainEqual(expect.stringMatching(/same content as twice.tsv/));
    // Even when bad rows may be skipped: a whole log twice is not a few bad rows.
    expect(() => readCallLogs([a, a], 'anonbank', { maxBadRows: 10 })).toThrow(SimError);
  });

  it('a header-only log is an error, not an empty fit', () => {
    const e = errorOf(() => parseAnonBank(HEADER + '\r\n', 'empty.tsv'));
    expect(where(e)).toEqual([[undefined, 'empty.tsv', undefined]]);
    expect(e.issues[0].message).toMatch(/no rows after the header/);
    expect(e.code).toBe('SIM_ERR_CALL_LOG');
  });
});

describe('maxBadRows: skip and list up to N bad rows', () => {
  const rows = [ABANDONED, ANSWERED.replace('990101', '990230'), ANSWERED.replace('33118', '1'), ANSWERED.replace('\t17\tAGENT', '\tx\tAGENT').replace('6:55:20', '6:5:20').replace('33118', '2')];
  const text = [HEADER, ...rows].join('\n');

  it('refuses by default, naming the option; lists every bad row', () => {
    const e = errorOf(() => parseAnonBank(text, 'x.tsv'));
    expect(e.message).toMatch(/x.tsv: 2 bad rows \(3 bad fields\).*--max-bad-rows/);
    expect(where(e)).toEqual([[3, 'x.tsv date', '990230'], [5, 'x.tsv vru_entry', '6:5:20'], [5, 'x.tsv q_time', 'x']]);
  });

  it('skips them when at most N, returning each with its line and problems', () => {
    const log = parseAnonBank(text, 'x.tsv', { maxBadRows: 2 });
    expect(log.calls).toHaveLength(2);
    expect(log.skippedRows).toEqual([
      { source: 'x.tsv', line: 3, problems: [{ field: 'date', value: '990230', message: expect.stringMatching(/calendar date/) }] },
      { source: 'x.tsv', line: 5, problems: [expect.objectContaining({ field: 'vru_entry' }), expect.objectContaining({ field: 'q_time' })] },
    ]);
    const e = errorOf(() => parseAnonBank(text, 'x.tsv', { maxBadRows: 1 }));
    expect(e.message).toMatch(/2 bad rows .*more than --max-bad-rows 1/);
  });

  it('counts bad rows over all the logs together', () => {
    const a = join(dir, 'm1.tsv'), b = join(dir, 'm2.tsv');
    writeFileSync(a, [HEADER, ABANDONED, ANSWERED.replace('990101', '990230')].join('\n'));
    writeFileSync(b, [HEADER, ANSWERED, ANSWERED.replace('\t54\t', '\t-1\t').replace('33118', '9')].join('\n'));
    expect(() => readCallLogs([a, b], 'anonbank', { maxBadRows: 1 })).toThrow(/2 bad rows/);
    const log = readCallLogs([a, b], 'anonbank', { maxBadRows: 2 });
    expect(log.calls).toHaveLength(2);
    expect(log.skippedRows.map((r) => [r.source, r.line])).toEqual([['m1.tsv', 3], ['m2.tsv', 3]]);
  });

  it('a header is never skipped', () => {
    expect(() => parseAnonBank('vru\tline\n' + ANSWERED, 'x.tsv', { maxBadRows: 5 })).toThrow(/Anonymous Bank header/);
  });
});

describe('generic CSV rows', () => {
  const H = 'arrival,queue_entry,answer,end,outcome,type,agent,customer';
  const ok = '2024-03-04T08:00:00,2024-03-04T08:00:10,2024-03-04T08:00:25,2024-03-04T08:03:25,answered,x,ann,42';

  it('rejects impossible dates (2024-02-30, 2023-02-29) and keeps 2024-02-29', () => {
    const e = errorOf(() => parseCallCsv([H, ok.replace(/2024-03-04/g, '2024-02-30'), '2023-02-29T08:00:00,,,,blocked,x,,', '2024-02-29T08:00:00,,,,blocked,x,,'].join('\n'), 'x.csv'));
    expect(where(e)).toEqual([[2, 'x.csv arrival', '2024-02-30T08:00:00'], [2, 'x.csv queue_entry', '2024-02-30T08:00:10'], [2, 'x.csv answer', '2024-02-30T08:00:25'], [2, 'x.csv end', '2024-02-30T08:03:25'], [3, 'x.csv arrival', '2023-02-29T08:00:00']]);
    expect(dayLabel(parseCallCsv([H, '2024-02-29T08:00:00,,,,blocked,x,,'].join('\n')).calls[0].day)).toBe('2024-02-29');
  });

  it('rejects a stage longer than a day', () => {
    const e = errorOf(() => parseCallCsv([H, ok.replace('2024-03-04T08:03:25', '2024-03-05T08:00:26'), '1000,,,90000,ivr,x,,', '1000,,,87400,ivr,x,,'].join('\n'), 'x.csv'));
    expect(where(e)).toEqual([[2, 'x.csv end', '2024-03-05T08:00:26'], [3, 'x.csv end', '90000']]);
    expect(e.issues[0].message).toMatch(/86400 s .*after answer/);
  });

  it('rejects the same identified call twice; anonymous unanswered rows may repeat', () => {
    const anon = '2024-03-04T08:00:00,,,2024-03-04T08:00:09,ivr,x,,';
    const e = errorOf(() => parseCallCsv([H, ok, anon, anon, ok].join('\n'), 'x.csv'));
    expect(where(e)).toEqual([[5, 'x.csv (row)', ok]]);
    expect(e.issues[0].message).toMatch(/same call as line 2/);
  });

  it('a header-only log (comments aside) is an error', () => {
    expect(() => parseCallCsv(`${H}\n# nothing yet\n`, 'x.csv')).toThrow(/no rows after the header/);
  });
});

describe('count series rows', () => {
  const H = 'rownames,DateTime,Calls';

  it('rejects impossible dates, negative counts and a time bin given twice; skips them with maxBadRows', () => {
    const text = [H, '1,2003-03-03T07:00:00Z,11', '2,2003-02-30T07:00:00Z,5', '3,2003-03-03T07:05:00Z,-2', '4,2003-03-03T07:00:00Z,11', '5,2003-03-03T07:05:60Z,1'].join('\n');
    const e = errorOf(() => parseCounts(text, 'c.csv'));
    expect(where(e)).toEqual([[3, 'c.csv DateTime', '2003-02-30T07:00:00Z'], [4, 'c.csv Calls', '-2'], [5, 'c.csv DateTime', '2003-03-03T07:00:00Z'], [6, 'c.csv DateTime', '2003-03-03T07:05:60Z']]);
    expect(e.issues[2].message).toMatch(/same time bin as line 2/);
    expect(parseCounts(text, 'c.csv', { maxBadRows: 4 })).toEqual([{ day: expect.any(Number), time: 7 * 3600, calls: 11 }]);
  });

  it('a bin in two files is a duplicate; a header-only series is an error', () => {
    const a = join(dir, 'c1.csv'), b = join(dir, 'c2.csv'), h = join(dir, 'c3.csv');
    writeFileSync(a, `${H}\n1,2003-03-03T07:00:00Z,11\n`);
    writeFileSync(b, `${H}\n1,2003-03-03T07:05:00Z,11\n2,2003-03-03T07:00:00Z,3\n`);
    writeFileSync(h, `${H}\n`);
    expect(where(errorOf(() => readCounts([a, b])))).toEqual([[3, 'c2.csv DateTime', '2003-03-03T07:00:00Z']]);
    expect(readCounts([a, b], { maxBadRows: 1 })).toMatchObject({ rows: [{ calls: 11 }, { calls: 11 }], skippedRows: [{ source: 'c2.csv', line: 3 }] });
    const e = errorOf(() => readCounts([a, h]));
    expect(e.issues.map((i) => i.message)).toEqual([expect.stringMatching(/no rows after the header/)]);
  });
});

describe('a log that is not UTF-8 text', () => {
  it('is refused with every line holding a bad byte, never read with a replacement character; a BOM and CRLF are fine', () => {
    const header = 'arrival,queue_entry,answer,end,outcome,type,agent';
    const row = (agent: string) => `2024-03-01T10:00:00,,2024-03-01T10:00:05,2024-03-01T10:03:00,answered,PS,${agent}`;
    const latin1 = join(dir, 'latin1.csv');
    // Jos\xe9 and Jos\xe8 (Latin-1): read leniently, both were the agent "Jos\ufffd".
    writeFileSync(latin1, Buffer.concat([Buffer.from(`${header}\n${row('ann')}\n`), Buffer.from(`${row('Jos\xe9')}\n${row('Jos\xe8')}\n`, 'latin1'), Buffer.from(`${row('J\u00f6rg')}\n`)]));
    const e = errorOf(() => readCallLogs([latin1], 'csv'));
    expect(e.code).toBe('SIM_ERR_CALL_LOG');
    expect(e.issues.map((i) => [i.line, i.path, i.value])).toEqual([
      [3, 'latin1.csv (row)', 'byte 0xE9 at column 77'],
      [4, 'latin1.csv (row)', 'byte 0xE8 at column 77'],
    ]);
    expect(e.issues[0].message).toMatch(/must be UTF-8 text/);
    const counts = join(dir, 'latin1-counts.csv');
    writeFileSync(counts, Buffer.from('DateTime,Calls\n2003-03-03T07:00:00,1\xff\n', 'latin1'));
    expect(errorOf(() => readCounts([counts])).issues.map((i) => [i.line, i.value])).toEqual([[2, 'byte 0xFF at column 22']]);
    // Valid UTF-8 (a BOM, CRLF, an umlaut) is read as before.
    const ok = join(dir, 'bom.csv');
    writeFileSync(ok, `\ufeff${header}\r\n${row('J\u00f6rg')}\r\n`);
    expect(readCallLogs([ok], 'csv').calls.map((c) => c.agent)).toEqual(['J\u00f6rg']);
  });
});
