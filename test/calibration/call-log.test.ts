import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dayLabel, parseAnonBank, parseCallCsv } from '../../sim/src/calibration/call-log.ts';
import { SimError } from '../../sim/src/errors.ts';

const HEADER = 'vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver';
// Real rows of anonbank-1999-01.tsv (lines 2-5 and 637), plus a PHANTOM row of the same file's form.
const ROWS = [
  'AA0101\t33116\t9664491\t2\tPS\t990101\t0:00:31\t0:00:36\t5\t0:00:36\t0:03:09\t153\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER',
  'AA0101\t33117\t0\t0\tPS\t990101\t0:34:12\t0:34:23\t11\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER',
  'AA0101\t33118\t27997683\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tMICHAL',
  'AA0101\t33119\t0\t0\tPS\t990101\t7:41:16\t7:41:26\t10\t0:00:00\t0:00:00\t0\tAGENT\t7:41:25\t7:44:53\t208\tBASCH',
  'AA0101\t33757\t33044546\t1\tPS\t990113\t15:46:01\t15:45:24\t-37\t15:45:24\t15:46:41\t77\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER',
  'AA0101\t33200\t0\t0\tPS\t990101\t9:00:00\t9:00:08\t8\t9:00:08\t9:00:40\t32\tPHANTOM\t0:00:00\t0:00:00\t0\tNO_SERVER',
];

describe('Anonymous Bank log', () => {
  const log = parseAnonBank([HEADER, ...ROWS].join('\r\n') + '\r\n', 'jan.tsv');

  it('reads CRLF rows, drops PHANTOM, maps outcomes', () => {
    expect(log.dropped).toBe(1);
    expect(log.calls.map((c) => c.outcome)).toEqual(['abandoned', 'ivr', 'answered', 'answered', 'abandoned']);
    expect(dayLabel(log.calls[0].day)).toBe('1999-01-01');
    expect(dayLabel(log.calls[4].day)).toBe('1999-01-13');
  });

  it('abandonment: queue entry at q_start, hang-up after q_time; NO_SERVER is no agent', () => {
    const c = log.calls[0];
    expect(c).toMatchObject({ arrival: 31, queueEntry: 36, answer: null, end: 36 + 153, agent: null, customer: '9664491', type: 'PS' });
  });

  it('VRU hang-up is not offered; unidentified customer is null', () => {
    expect(log.calls[1]).toMatchObject({ queueEntry: null, end: 34 * 60 + 12 + 11, customer: null });
  });

  it('answered after queueing; answered at once (no queue stamps) waits nothing', () => {
    const q = log.calls[2];
    const t = 6 * 3600 + 55 * 60 + 26;
    expect(q).toMatchObject({ queueEntry: t, answer: t + 17, end: t + 17 + 54, agent: 'MICHAL' });
    const z = log.calls[3];
    expect(z.answer! - z.queueEntry!).toBe(0);
    expect(z.end - z.answer!).toBe(208);
    expect(z.agent).toBe('BASCH');
  });

  it('answered without queue or service timestamps (ser_start 0:00:00): at once, not at the next midnight', () => {
    // Line 1593 of anonbank-1999-01.tsv.
    const row = 'AA0102\t28609\t0\t0\tPS\t990104\t13:39:21\t13:39:30\t9\t0:00:00\t0:00:00\t0\tAGENT\t0:00:00\t0:00:00\t0\tGILI';
    const [c] = parseAnonBank([HEADER, row].join('\r\n'), 'jan.tsv').calls;
    expect(c).toMatchObject({ outcome: 'answered', queueEntry: 13 * 3600 + 39 * 60 + 30, agent: 'GILI' });
    expect(c.answer! - c.queueEntry!).toBe(0);
    expect(c.end).toBe(c.answer);
  });

  it('no answered call of the real months waits more than the longest real wait (30 min)', () => {
    for (const m of ['01', '02']) {
      const { calls } = parseAnonBank(readFileSync(new URL(`../../calibration-data/anonbank-1999-${m}.tsv`, import.meta.url), 'utf8'));
      const waits = calls.filter((c) => c.outcome === 'answered').map((c) => c.answer! - c.queueEntry!);
      expect(Math.max(...waits)).toBeLessThanOrEqual(1800);
    }
  });

  it('keeps the negative vru_time rows of the real log (clock skew)', () => {
    expect(log.calls[4].queueEntry).toBe(15 * 3600 + 45 * 60 + 24);
  });

  it('reports every bad field with its line, column, value and what is expected', () => {
    const bad = [HEADER, ROWS[0], ROWS[2].replace('6:55:20', '6:5x:20').replace('\t17\tAGENT', '\t-3\tAGENT'), 'AA0101\t1\t2', ROWS[3].replace('AGENT', 'SERVED')].join('\r\n');
    let err: SimError | undefined;
    try { parseAnonBank(bad, 'bad.tsv'); } catch (e) { err = e as SimError; }
    expect(err).toBeInstanceOf(SimError);
    expect(err!.issues.map((i) => [i.line, i.path, i.value])).toEqual([
      [3, 'bad.tsv vru_entry', '6:5x:20'],
      [3, 'bad.tsv q_time', '-3'],
      [4, 'bad.tsv (row)', '3 fields'],
      [5, 'bad.tsv outcome', 'SERVED'],
    ]);
    expect(err!.message).toMatch(/4 bad fields/);
  });

  it('parses both real months completely', () => {
    const jan = parseAnonBank(readFileSync(new URL('../../calibration-data/anonbank-1999-01.tsv', import.meta.url), 'utf8'));
    expect(jan.calls.length + jan.dropped).toBe(31599);
  });
});

describe('generic CSV log', () => {
  it('reads ISO times and seconds, all four outcomes, optional customer', () => {
    const text = [
      'arrival,queue_entry,answer,end,outcome,type,agent,customer',
      '2024-03-03T08:00:00,2024-03-03T08:00:10,2024-03-03T08:00:25,2024-03-03T08:03:25,answered,flights,ann,42',
      '2024-03-03T08:01:00,,,2024-03-03T08:02:00,abandoned,hotels,,',
      '2024-03-03T08:02:00,,,,blocked,,,',
      '1709453000,,,1709453012,ivr,flights,,7',
    ].join('\n');
    const { calls } = parseCallCsv(text);
    expect(calls.map((c) => c.outcome)).toEqual(['answered', 'abandoned', 'blocked', 'ivr']);
    expect(calls[0]).toMatchObject({ arrival: 8 * 3600, queueEntry: 8 * 3600 + 10, answer: 8 * 3600 + 25, end: 8 * 3600 + 205, agent: 'ann', customer: '42', type: 'flights' });
    expect(calls[1]).toMatchObject({ queueEntry: 8 * 3600 + 60, end: 8 * 3600 + 120 });
    expect(calls[2]).toMatchObject({ queueEntry: null, type: 'calls' });
    expect(dayLabel(calls[3].day)).toBe('2024-03-03');
  });

  it('the shipped example file parses', () => {
    const { calls } = parseCallCsv(readFileSync(new URL('../fixtures/calls-small.csv', import.meta.url), 'utf8'));
    expect(calls.length).toBe(245);
    expect(new Set(calls.map((c) => c.outcome))).toEqual(new Set(['answered', 'abandoned', 'ivr', 'blocked']));
  });

  it('reports bad rows with line numbers, all at once', () => {
    const text = [
      'arrival,queue_entry,answer,end,outcome,type,agent',
      '2024-03-03T08:00:00,,,2024-03-03T08:00:30,hungup,x,',
      '2024-03-03T08:00:00,,2024-03-03T07:59:00,2024-03-03T08:03:25,answered,x,a',
      'yesterday,,,,blocked,x,',
      '2024-03-03T08:00:00,,,,answered,x,a',
      '1,2,3',
    ].join('\n');
    let err: SimError | undefined;
    try { parseCallCsv(text, 'x.csv'); } catch (e) { err = e as SimError; }
    expect(err!.issues.map((i) => [i.line, i.path])).toEqual([
      [2, 'x.csv outcome'],
      [3, 'x.csv answer'],
      [4, 'x.csv arrival'],
      [5, 'x.csv answer'],
      [5, 'x.csv end'],
      [6, 'x.csv (row)'],
    ]);
  });
});
