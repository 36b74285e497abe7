import { basename } from 'node:path';
import { BadRows, isCalendarDate, readLog, MAX_CLOCK_SKEW, MAX_DURATION, type ReadOptions, type SkippedRow } from './bad-rows.ts';

/**
 * Call-by-call logs, read into one normalised record per call. Two formats:
 *
 * - `anonbank`: the Anonymous Bank log (tab-separated, CRLF, header row; columns in
 *   calibration-data/README.md). PHANTOM rows are dropped; HANG with a queue start is
 *   an abandonment, HANG without one a hang-up in the VRU (not offered).
 * - `csv`: the generic format `arrival,queue_entry,answer,end,outcome,type,agent[,customer]`
 *   with ISO date-times (local time, no zone) or seconds, outcome one of
 *   answered|abandoned|blocked|ivr (calibration-data/README.md gives the rules).
 *
 * Every bad row is reported at once, with its file, line, column, value and what is
 * expected; a log with any bad row is refused (a silent skip would bias the fit), unless
 * the caller allows some to be skipped (`--max-bad-rows`), and they are then listed
 * (bad-rows.ts has the bounds and the collector).
 */

export type Outcome = 'answered' | 'abandoned' | 'blocked' | 'ivr';
export const OUTCOMES: readonly Outcome[] = ['answered', 'abandoned', 'blocked', 'ivr'];

export interface CallRecord {
  /** Calendar day of the arrival: days since 1970-01-01. */
  day: number;
  /** Seconds since the start of `day` (later times may exceed 86400 past midnight). */
  arrival: number;
  /** Entry to the agent queue; null when the call never reached it (blocked, IVR hang-up). */
  queueEntry: number | null;
  /** Connection to an agent (answered calls only). */
  answer: number | null;
  /** Hang-up or end of service. */
  end: number;
  outcome: Outcome;
  type: string;
  agent: string | null;
  /** Identified customer (anonymised id), or null. */
  customer: string | null;
  /** Customer priority when the log has one (Anonymous Bank: 0 unidentified, 1 regular, 2 priority). */
  priority?: number;
}

/** The customer classes the replay models: priority customers (advanced in the queue) and the rest. */
export type CallClass = 'regular' | 'priority';
export const CALL_CLASSES: readonly CallClass[] = ['regular', 'priority'];
/** Anonymous Bank priority 2 is a priority customer; 0 (unidentified), 1 and logs without priorities are regular. */
export const classOf = (c: CallRecord): CallClass => (c.priority === 2 ? 'priority' : 'regular');

import type { LogFormat } from './options.ts';

export { LOG_FORMATS, type LogFormat } from './options.ts';

export interface ParsedLog {
  calls: CallRecord[];
  /** Rows dropped on purpose (PHANTOM calls). */
  dropped: number;
  /** Bad rows skipped (`ReadOptions.maxBadRows`), in the order read; empty unless asked for. */
  skippedRows: SkippedRow[];
}

export type { ReadOptions, SkippedRow } from './bad-rows.ts';

const DAY = 86400;

/** Days since 1970-01-01 of a calendar date. */
export function dayNumber(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
}

/** YYYY-MM-DD of a day number. */
export function dayLabel(day: number): string {
  const d = new Date(day * 86400000);
  // A day outside what Date can show (a log's absurd year) is named by its number, never "Invalid time value".
  return Number.isNaN(d.getTime()) ? `day ${day}` : d.toISOString().slice(0, 10);
}

/** The records of each calendar day, in log order. */
export function callsByDay(calls: readonly CallRecord[]): Map<number, CallRecord[]> {
  const byDay = new Map<number, CallRecord[]>();
  for (const c of calls) {
    const l = byDay.get(c.day);
    if (l) l.push(c);
    else byDay.set(c.day, [c]);
  }
  return byDay;
}

/** Answered calls with an agent, grouped by agent, each agent's calls in order of answer. */
export function servedByAgent(calls: readonly CallRecord[]): Map<string, CallRecord[]> {
  const byAgent = new Map<string, CallRecord[]>();
  for (const c of calls) {
    if (c.outcome !== 'answered' || c.agent === null || c.answer === null) continue;
    const l = byAgent.get(c.agent);
    if (l) l.push(c);
    else byAgent.set(c.agent, [c]);
  }
  for (const l of byAgent.values()) l.sort((x, y) => x.answer! - y.answer!);
  return byAgent;
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(day: number): number {
  return new Date(day * 86400000).getUTCDay();
}

// ---------------------------------------------------------------- Anonymous Bank

const ANON_COLUMNS = ['vru+line', 'call_id', 'customer_id', 'priority', 'type', 'date', 'vru_entry', 'vru_exit', 'vru_time',
  'q_start', 'q_exit', 'q_time', 'outcome', 'ser_start', 'ser_exit', 'ser_time', 'server'];
/** Fields are tab-separated; a few real rows (October 1999) have runs of spaces or tabs instead. No field is ever empty or holds a space. */
const ANON_SEPARATOR = /[ \t]+/;

function clock(s: string): number {
  const m = /^(\d{1,2}):(\d\d):(\d\d)$/.exec(s);
  if (!m) return NaN;
  const [h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mi < 60 && se < 60 && h < 24 ? h * 3600 + mi * 60 + se : NaN;
}

/** A clock time that may have passed midnight since `after`. */
function notBefore(t: number, after: number): number {
  return t < after - 600 ? t + DAY : t;
}

export function parseAnonBank(text: string, source = 'log', o: ReadOptions = {}): ParsedLog {
  const bad = new BadRows(o.maxBadRows ?? 0);
  const calls: CallRecord[] = [];
  const dropped = readAnonBank(text, source, bad, calls);
  return { calls, dropped, skippedRows: bad.settle(source) };
}

/** Reads one Anonymous Bank log into `calls`, its problems into `bad`; returns the PHANTOM rows dropped. */
function readAnonBank(text: string, source: string, bad: BadRows, calls: CallRecord[]): number {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(ANON_SEPARATOR);
  if (header.join('\t') !== ANON_COLUMNS.join('\t')) {
    bad.file(source, header.slice(0, 4).join('\t'), `must be the Anonymous Bank header: ${ANON_COLUMNS.join(' ')} (tab-separated)`, 1, 'header');
    return 0;
  }
  let dropped = 0, rows = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    rows++;
    const ln = i + 1;
    const add = (field: string, value: string, message: string) => bad.row(source, ln, field, value, message);
    const f = raw.split(ANON_SEPARATOR);
    if (f.length !== ANON_COLUMNS.length) {
      add('(row)', `${f.length} fields`, `must have ${ANON_COLUMNS.length} fields separated by tabs (or spaces)`);
      continue;
    }
    const col = (name: string) => f[ANON_COLUMNS.indexOf(name)];
    const before = bad.problems;
    const date = col('date');
    const dm = /^(\d\d)(\d\d)(\d\d)$/.exec(date);
    // Two-digit years: the Anonymous Bank data are from 1999.
    const year = dm ? (Number(dm[1]) < 70 ? 2000 : 1900) + Number(dm[1]) : NaN;
    if (!dm) add('date', date, 'must be a date YYMMDD');
    else if (!isCalendarDate(year, Number(dm[2]), Number(dm[3]))) add('date', date, 'must be a calendar date YYMMDD (no such day)');
    const times: Record<string, number> = {};
    for (const c of ['vru_entry', 'vru_exit', 'q_start', 'q_exit', 'ser_start', 'ser_exit']) {
      times[c] = clock(col(c));
      if (Number.isNaN(times[c])) add(c, col(c), 'must be a clock time H:MM:SS');
    }
    const secs: Record<string, number> = {};
    for (const c of ['vru_time', 'q_time', 'ser_time']) {
      secs[c] = Number(col(c));
      // The VRU and queue clocks disagree by up to a few minutes in the real log:
      // about 1 row in 1,000 has a negative vru_time, which is kept (clipped to 0 in fits).
      const min = c === 'vru_time' ? -MAX_CLOCK_SKEW : 0;
      if (!Number.isInteger(secs[c]) || secs[c] < min || secs[c] > MAX_DURATION) add(c, col(c), `must be a whole number of seconds from ${min} to ${MAX_DURATION} (a day)`);
    }
    const outcome = col('outcome');
    if (!['AGENT', 'HANG', 'PHANTOM'].includes(outcome)) add('outcome', outcome, 'must be AGENT, HANG or PHANTOM');
    if (bad.problems > before) continue;
    // The queue and the service each end after they start; an exit that reads earlier is
    // on the next day only when the start plus the duration passes midnight.
    for (const [start, exit, length] of [['q_start', 'q_exit', 'q_time'], ['ser_start', 'ser_exit', 'ser_time']]) {
      if (col(start) === '0:00:00') continue;
      const end = times[exit] + (times[start] + secs[length] >= DAY ? DAY : 0);
      if (end < times[start]) add(exit, col(exit), `must not be before ${start} (${col(start)})`);
    }
    if (bad.problems > before) continue;
    // Each VRU line numbers its own calls.
    const at = bad.seenAt(`${col('vru+line')}|${col('call_id')}|${date}`, source, ln);
    if (at !== null) {
      add('call_id', col('call_id'), `is the same call (vru+line ${col('vru+line')}, call_id ${col('call_id')}, date ${date}) as ${at}: a call counts once`);
      continue;
    }
    if (outcome === 'PHANTOM') { dropped++; continue; }
    const day = dayNumber(year, Number(dm![2]), Number(dm![3]));
    const arrival = times.vru_entry;
    const vruExit = arrival + secs.vru_time;
    const queued = col('q_start') !== '0:00:00';
    const qStart = queued ? notBefore(times.q_start, arrival) : null;
    const server = col('server');
    const customer = col('customer_id');
    const base = { day, arrival, type: col('type'), customer: customer === '0' || customer === '' ? null : customer, priority: Number(col('priority')) || 0 };
    if (outcome === 'AGENT') {
      // Calls served at once have no queue timestamps: they enter the queue as they
      // leave the VRU and wait (about) nothing. A few answered rows have no service
      // timestamps either (ser_start 0:00:00, 19 in January): they are answered at once
      // too, not at the next midnight (which read as waits of up to 20 hours).
      const queueEntry = qStart ?? vruExit;
      const served = col('ser_start') !== '0:00:00';
      const answer = qStart !== null ? qStart + secs.q_time : served ? Math.max(queueEntry, notBefore(times.ser_start, arrival)) : queueEntry;
      calls.push({ ...base, queueEntry, answer, end: answer + secs.ser_time, outcome: 'answered', agent: server === 'NO_SERVER' ? null : server });
    } else if (qStart !== null) {
      calls.push({ ...base, queueEntry: qStart, answer: null, end: qStart + secs.q_time, outcome: 'abandoned', agent: null });
    } else {
      calls.push({ ...base, queueEntry: null, answer: null, end: vruExit, outcome: 'ivr', agent: null });
    }
  }
  if (rows === 0) bad.file(source, undefined, 'has no rows after the header: a log must hold at least one call');
  return dropped;
}

// ---------------------------------------------------------------- generic CSV

export const CSV_COLUMNS = ['arrival', 'queue_entry', 'answer', 'end', 'outcome', 'type', 'agent'] as const;
const TIME_EXPECTED = 'must be an ISO date-time (2024-03-01T08:00:05) or seconds';

/** ISO date-time (local, no zone needed) or seconds since an epoch -> absolute seconds; else what is expected. */
function absTime(s: string): number | string {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d(?:\.\d+)?))?(Z|[+-]\d\d:?\d\d)?$/.exec(s);
  if (!m) return TIME_EXPECTED;
  const [y, mo, d, h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || se >= 60) return TIME_EXPECTED;
  if (!isCalendarDate(y, mo, d)) return 'must be a calendar date (no such day)';
  return dayNumber(y, mo, d) * DAY + h * 3600 + mi * 60 + se;
}

export function parseCallCsv(text: string, source = 'log', o: ReadOptions = {}): ParsedLog {
  const bad = new BadRows(o.maxBadRows ?? 0);
  const calls: CallRecord[] = [];
  readCallCsv(text, source, bad, calls);
  return { calls, dropped: 0, skippedRows: bad.settle(source) };
}

/** Reads one generic CSV log into `calls`, its problems into `bad`. */
function readCallCsv(text: string, source: string, bad: BadRows, calls: CallRecord[]): void {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split(',').map((h) => h.trim().toLowerCase());
  const expected = CSV_COLUMNS.join(',');
  const hasCustomer = header.length === 8 && header[7] === 'customer';
  if (header.slice(0, 7).join(',') !== expected || (header.length !== 7 && !hasCustomer)) {
    bad.file(source, header.join(','), `must be "${expected}" or "${expected},customer"`, 1, 'header');
    return;
  }
  let rows = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    rows++;
    const ln = i + 1;
    const add = (field: string, value: string, message: string) => bad.row(source, ln, field, value, message);
    const f = raw.split(',').map((x) => x.trim());
    if (f.length !== header.length) {
      add('(row)', `${f.length} fields`, `must have ${header.length} comma-separated fields (${header.join(',')})`);
      continue;
    }
    const before = bad.problems;
    const time = (c: number, required: boolean): number | null => {
      if (f[c] === '') {
        if (required) add(CSV_COLUMNS[c], '', 'is required here: an ISO date-time (2024-03-01T08:00:05) or seconds');
        return null;
      }
      const t = absTime(f[c]);
      if (typeof t === 'string') { add(CSV_COLUMNS[c], f[c], t); return null; }
      return t;
    };
    const outcome = f[4] as Outcome;
    if (!OUTCOMES.includes(outcome)) add('outcome', f[4], `must be one of ${OUTCOMES.join(', ')}`);
    const arrival = time(0, true);
    const offered = outcome === 'answered' || outcome === 'abandoned';
    const qRaw = time(1, false);
    const answer = time(2, outcome === 'answered');
    const endRaw = time(3, outcome === 'answered' || outcome === 'abandoned');
    if (bad.problems > before || arrival === null) continue;
    const queueEntry = offered ? qRaw ?? arrival : null;
    const end = endRaw ?? queueEntry ?? arrival;
    // Each stage (IVR, wait, service) takes from 0 to MAX_DURATION seconds.
    const order: [string, number | null][] = [['arrival', arrival], ['queue_entry', queueEntry], ['answer', outcome === 'answered' ? answer : null], ['end', end]];
    let last = -Infinity, lastName = '';
    for (const [name, t] of order) {
      if (t === null) continue;
      const value = f[CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number])];
      if (t < last) add(name, value, `must not be before ${lastName}`);
      else if (lastName !== '' && t - last > MAX_DURATION) add(name, value, `must be at most ${MAX_DURATION} s (a day) after ${lastName}`);
      last = t; lastName = name;
    }
    if (outcome !== 'answered' && answer !== null) add('answer', f[2], `must be empty for outcome ${outcome}`);
    if (bad.problems > before) continue;
    // A row naming an agent or a customer is one call: the same row twice is the same
    // call twice. Anonymous unanswered rows may repeat (two callers in the same second).
    const customer = hasCustomer && f[7] !== '' && f[7] !== '0' ? f[7] : null;
    if (f[6] !== '' || customer !== null) {
      const at = bad.seenAt(f.join(','), source, ln);
      if (at !== null) { add('(row)', f.join(','), `is the same call as ${at} (the same times, agent and customer): a call counts once`); continue; }
    }
    const day = Math.floor(arrival / DAY);
    const rel = (t: number | null) => (t === null ? null : t - day * DAY);
    calls.push({
      day,
      arrival: arrival - day * DAY,
      queueEntry: rel(queueEntry),
      answer: outcome === 'answered' ? rel(answer) : null,
      end: end - day * DAY,
      outcome,
      type: f[5] === '' ? 'calls' : f[5],
      agent: f[6] === '' ? null : f[6],
      customer,
    });
  }
  if (rows === 0) bad.file(source, undefined, 'has no rows after the header: a log must hold at least one call');
}

/**
 * Reads and parses log files; every file's problems are reported together. Bad rows
 * are counted over all files: up to `maxBadRows` are skipped (and returned), more
 * refuse the logs. The same call twice (within a file or across files) is a bad row;
 * the same file twice is refused.
 */
export function readCallLogs(files: readonly string[], format: LogFormat, o: ReadOptions = {}): ParsedLog {
  const bad = new BadRows(o.maxBadRows ?? 0);
  const calls: CallRecord[] = [];
  let dropped = 0;
  for (const file of files) {
    const text = readLog(file, bad);
    if (text === null) continue;
    dropped += format === 'anonbank' ? readAnonBank(text, basename(file), bad, calls) : (readCallCsv(text, basename(file), bad, calls), 0);
  }
  const skippedRows = bad.settle(files.length === 1 ? basename(files[0]) : 'the call logs');
  calls.sort((a, b) => a.day - b.day || a.arrival - b.arrival);
  return { calls, dropped, skippedRows };
}
