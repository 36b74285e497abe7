import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SimError, type Issue } from '../errors.ts';

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
 * expected; a log with any bad row is refused (a silent skip would bias the fit).
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
}

const DAY = 86400;
const MAX_ISSUES = 50;

/** Days since 1970-01-01 of a calendar date. */
export function dayNumber(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
}

/** YYYY-MM-DD of a day number. */
export function dayLabel(day: number): string {
  return new Date(day * 86400000).toISOString().slice(0, 10);
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

class RowIssues {
  readonly issues: Issue[] = [];
  total = 0;
  constructor(private readonly source: string) {}
  add(line: number, column: string, value: unknown, message: string): void {
    this.total++;
    if (this.issues.length < MAX_ISSUES) this.issues.push({ path: `${this.source} ${column}`, value, message, line });
  }
  throwIfAny(): void {
    if (this.total === 0) return;
    const more = this.total > this.issues.length ? ` (the first ${this.issues.length} shown)` : '';
    throw new SimError('SIM_ERR_BAD_ARGUMENT', `${this.source} has ${this.total} bad field${this.total === 1 ? '' : 's'}${more}`, this.issues);
  }
}

// ---------------------------------------------------------------- Anonymous Bank

const ANON_COLUMNS = ['vru+line', 'call_id', 'customer_id', 'priority', 'type', 'date', 'vru_entry', 'vru_exit', 'vru_time',
  'q_start', 'q_exit', 'q_time', 'outcome', 'ser_start', 'ser_exit', 'ser_time', 'server'];

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

export function parseAnonBank(text: string, source = 'log'): ParsedLog {
  const lines = text.split('\n');
  const bad = new RowIssues(source);
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t');
  if (header.join('\t') !== ANON_COLUMNS.join('\t')) {
    bad.add(1, 'header', header.slice(0, 4).join('\t'), `must be the Anonymous Bank header: ${ANON_COLUMNS.join(' ')} (tab-separated)`);
    bad.throwIfAny();
  }
  const calls: CallRecord[] = [];
  let dropped = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const ln = i + 1;
    const f = raw.split('\t');
    if (f.length !== ANON_COLUMNS.length) {
      bad.add(ln, '(row)', `${f.length} fields`, `must have ${ANON_COLUMNS.length} tab-separated fields`);
      continue;
    }
    const col = (name: string) => f[ANON_COLUMNS.indexOf(name)].trim();
    const before = bad.total;
    const date = col('date');
    const dm = /^(\d\d)(\d\d)(\d\d)$/.exec(date);
    if (!dm || Number(dm[2]) < 1 || Number(dm[2]) > 12 || Number(dm[3]) < 1 || Number(dm[3]) > 31) bad.add(ln, 'date', date, 'must be a date YYMMDD');
    const times: Record<string, number> = {};
    for (const c of ['vru_entry', 'vru_exit', 'q_start', 'q_exit', 'ser_start', 'ser_exit']) {
      times[c] = clock(col(c));
      if (Number.isNaN(times[c])) bad.add(ln, c, col(c), 'must be a clock time H:MM:SS');
    }
    const secs: Record<string, number> = {};
    for (const c of ['vru_time', 'q_time', 'ser_time']) {
      secs[c] = Number(col(c));
      // The VRU and queue clocks disagree by up to a few minutes in the real log:
      // about 1 row in 1,000 has a negative vru_time, which is kept (clipped to 0 in fits).
      const min = c === 'vru_time' ? -3600 : 0;
      if (col(c) === '' || !Number.isInteger(secs[c]) || secs[c] < min) bad.add(ln, c, col(c), `must be a whole number of seconds >= ${min}`);
    }
    const outcome = col('outcome');
    if (!['AGENT', 'HANG', 'PHANTOM'].includes(outcome)) bad.add(ln, 'outcome', outcome, 'must be AGENT, HANG or PHANTOM');
    if (bad.total > before) continue;
    if (outcome === 'PHANTOM') { dropped++; continue; }
    // Two-digit years: the Anonymous Bank data are from 1999.
    const yy = Number(dm![1]);
    const day = dayNumber(yy < 70 ? 2000 + yy : 1900 + yy, Number(dm![2]), Number(dm![3]));
    const arrival = times.vru_entry;
    const vruExit = arrival + secs.vru_time;
    const queued = col('q_start') !== '0:00:00';
    const qStart = queued ? notBefore(times.q_start, arrival) : null;
    const server = col('server');
    const customer = col('customer_id');
    const base = { day, arrival, type: col('type'), customer: customer === '0' || customer === '' ? null : customer, priority: Number(col('priority')) || 0 };
    if (outcome === 'AGENT') {
      // Calls served at once have no queue timestamps: they enter the queue as they
      // leave the VRU and wait (about) nothing.
      const queueEntry = qStart ?? vruExit;
      const answer = qStart !== null ? qStart + secs.q_time : Math.max(queueEntry, notBefore(times.ser_start, arrival));
      calls.push({ ...base, queueEntry, answer, end: answer + secs.ser_time, outcome: 'answered', agent: server === 'NO_SERVER' ? null : server });
    } else if (qStart !== null) {
      calls.push({ ...base, queueEntry: qStart, answer: null, end: qStart + secs.q_time, outcome: 'abandoned', agent: null });
    } else {
      calls.push({ ...base, queueEntry: null, answer: null, end: vruExit, outcome: 'ivr', agent: null });
    }
  }
  bad.throwIfAny();
  return { calls, dropped };
}

// ---------------------------------------------------------------- generic CSV

export const CSV_COLUMNS = ['arrival', 'queue_entry', 'answer', 'end', 'outcome', 'type', 'agent'] as const;

/** ISO date-time (local, no zone needed) or seconds since an epoch -> absolute seconds; NaN if neither. */
function absTime(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d(?:\.\d+)?))?(Z|[+-]\d\d:?\d\d)?$/.exec(s);
  if (!m) return NaN;
  const [mo, d, h, mi, se] = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se >= 60) return NaN;
  return dayNumber(Number(m[1]), mo, d) * DAY + h * 3600 + mi * 60 + se;
}

export function parseCallCsv(text: string, source = 'log'): ParsedLog {
  const lines = text.split('\n');
  const bad = new RowIssues(source);
  const header = (lines[0] ?? '').replace(/\r$/, '').split(',').map((h) => h.trim().toLowerCase());
  const expected = CSV_COLUMNS.join(',');
  const hasCustomer = header.length === 8 && header[7] === 'customer';
  if (header.slice(0, 7).join(',') !== expected || (header.length !== 7 && !hasCustomer)) {
    bad.add(1, 'header', header.join(','), `must be "${expected}" or "${expected},customer"`);
    bad.throwIfAny();
  }
  const calls: CallRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const ln = i + 1;
    const f = raw.split(',').map((x) => x.trim());
    if (f.length !== header.length) {
      bad.add(ln, '(row)', `${f.length} fields`, `must have ${header.length} comma-separated fields (${header.join(',')})`);
      continue;
    }
    const before = bad.total;
    const time = (c: number, required: boolean): number | null => {
      if (f[c] === '') {
        if (required) bad.add(ln, CSV_COLUMNS[c], '', 'is required here: an ISO date-time (2024-03-01T08:00:05) or seconds');
        return null;
      }
      const t = absTime(f[c]);
      if (Number.isNaN(t)) { bad.add(ln, CSV_COLUMNS[c], f[c], 'must be an ISO date-time (2024-03-01T08:00:05) or seconds'); return null; }
      return t;
    };
    const outcome = f[4] as Outcome;
    if (!OUTCOMES.includes(outcome)) bad.add(ln, 'outcome', f[4], `must be one of ${OUTCOMES.join(', ')}`);
    const arrival = time(0, true);
    const offered = outcome === 'answered' || outcome === 'abandoned';
    const qRaw = time(1, false);
    const answer = time(2, outcome === 'answered');
    const endRaw = time(3, outcome === 'answered' || outcome === 'abandoned');
    if (bad.total > before || arrival === null) continue;
    const queueEntry = offered ? qRaw ?? arrival : null;
    const end = endRaw ?? queueEntry ?? arrival;
    const order: [string, number | null][] = [['arrival', arrival], ['queue_entry', queueEntry], ['answer', outcome === 'answered' ? answer : null], ['end', end]];
    let last = -Infinity, lastName = '';
    for (const [name, t] of order) {
      if (t === null) continue;
      if (t < last) bad.add(ln, name, f[CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number])], `must not be before ${lastName}`);
      last = t; lastName = name;
    }
    if (outcome !== 'answered' && answer !== null) bad.add(ln, 'answer', f[2], `must be empty for outcome ${outcome}`);
    if (bad.total > before) continue;
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
      customer: hasCustomer && f[7] !== '' && f[7] !== '0' ? f[7] : null,
    });
  }
  bad.throwIfAny();
  return { calls, dropped: 0 };
}

/** Reads and parses log files; every file's problems are reported together. */
export function readCallLogs(files: readonly string[], format: LogFormat): ParsedLog {
  const calls: CallRecord[] = [];
  let dropped = 0;
  const issues: Issue[] = [];
  const messages: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      issues.push({ path: 'LOG', value: file, message: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})` });
      continue;
    }
    try {
      const p = format === 'anonbank' ? parseAnonBank(text, basename(file)) : parseCallCsv(text, basename(file));
      for (const c of p.calls) calls.push(c);
      dropped += p.dropped;
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      messages.push(e.message);
      issues.push(...e.issues);
    }
  }
  if (issues.length > 0) {
    throw new SimError('SIM_ERR_BAD_ARGUMENT', messages.length > 0 ? messages.join('; ') : 'cannot read the call logs', issues);
  }
  calls.sort((a, b) => a.day - b.day || a.arrival - b.arrival);
  return { calls, dropped };
}
