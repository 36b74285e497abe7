import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SimError, type Issue } from '../errors.ts';

/**
 * What every log reader (call-log.ts, counts.ts) checks the same way: the bounds of a
 * plausible row, calendar dates, and the collector of bad rows, which refuses a log
 * with one, or skips up to `--max-bad-rows` of them and lists them
 * (calibration-data/README.md, "Bad rows").
 */

/**
 * The longest plausible duration of one stage of a call, seconds: an IVR time, a wait
 * or a service longer than a day is a broken row, not a call (the Anonymous Bank's
 * longest are 31 min in the VRU, 30 min waiting and 88 min in service).
 */
export const MAX_DURATION = 86400;
/**
 * The Anonymous Bank's VRU and queue clocks disagree by up to about 2 minutes: a
 * negative `vru_time` down to minus this many seconds is clock skew and the row is kept.
 */
export const MAX_CLOCK_SKEW = 3600;
/** An error lists at most this many problems (and says how many there are). */
const MAX_ISSUES = 50;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for a date of the calendar (no 30 February; 29 February in leap years only). */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : MONTH_DAYS[m - 1]);
}

export interface RowProblem {
  /** The column, or `(row)` for the row as a whole. */
  field: string;
  value: string;
  message: string;
}

/** A bad row that was skipped (`--max-bad-rows`): where, and every problem in it. */
export interface SkippedRow {
  source: string;
  /** 1-based line in its file. */
  line: number;
  problems: RowProblem[];
}

export interface ReadOptions {
  /** Bad rows to skip (over all files together) instead of refusing the logs; default 0. */
  maxBadRows?: number;
}

/**
 * Collects the problems of one reading (one or several files). Problems of a row are
 * added one by one (`row`), consecutively; problems of a file as a whole (`file`: a
 * header, no rows, the same log twice) are never skipped. `settle` then refuses or
 * returns the rows to skip.
 */
export class BadRows {
  /** Bad rows, in order, their problems kept for the first `limit + MAX_ISSUES`. */
  private readonly rows: SkippedRow[] = [];
  private readonly fileIssues: Issue[] = [];
  private rowCount = 0;
  /** The first file problem in a sentence, for the message when it is the only problem. */
  private fileSummary = '';
  private fileSummaryLog: { file: string; message: string } | null = null;
  private lastSource = '';
  private lastLine = -1;
  /** Every row problem so far; a reader compares it before and after a row to see if the row is bad. */
  problems = 0;
  private readonly contents = new Map<string, string>();
  private readonly keys = new Map<string, { source: string; line: number }>();

  constructor(readonly limit = 0) {}

  row(source: string, line: number, field: string, value: string, message: string): void {
    this.problems++;
    const problem = { field, value, message };
    if (source === this.lastSource && line === this.lastLine) {
      const last = this.rows[this.rows.length - 1];
      if (last && last.source === source && last.line === line) last.problems.push(problem);
      return;
    }
    this.lastSource = source;
    this.lastLine = line;
    this.rowCount++;
    if (this.rows.length < this.limit + MAX_ISSUES) this.rows.push({ source, line, problems: [problem] });
  }

  file(source: string, value: unknown, message: string, line?: number, field?: string): void {
    if (this.fileIssues.length === 0) {
      this.fileSummary = source === 'LOG' ? `${String(value)}: ${message}` : `${field ? `${field} ` : ''}${message}`;
      this.fileSummaryLog = source === 'LOG' ? { file: String(value), message } : null;
    }
    this.fileIssues.push({ path: field ? `${source} ${field}` : source, value, message, ...(line !== undefined ? { line } : {}) });
  }

  /** Where a row of the same key (the same call, the same time bin) was read before, or null (and it is recorded). */
  seenAt(key: string, source: string, line: number): string | null {
    const before = this.keys.get(key);
    if (before === undefined) this.keys.set(key, { source, line });
    return before === undefined ? null : before.source === source ? `line ${before.line}` : `line ${before.line} of ${before.source}`;
  }

  /** The file whose text is the same as this one's, if one was read before (the same log given twice). */
  sameAs(source: string, text: string): string | null {
    const h = createHash('sha1').update(text).digest('hex');
    const before = this.contents.get(h);
    if (before === undefined) this.contents.set(h, source);
    return before ?? null;
  }

  /**
   * Throws one coded error listing the problems (file problems first, then the rows,
   * at most MAX_ISSUES) when there is a file problem or more bad rows than the limit;
   * else returns the bad rows, to be skipped.
   */
  settle(what: string): SkippedRow[] {
    const tooMany = this.rowCount > this.limit;
    if (this.fileIssues.length === 0 && !tooMany) return this.rows;
    const issues: Issue[] = [...this.fileIssues];
    if (tooMany) {
      for (const r of this.rows) {
        for (const p of r.problems) {
          if (issues.length < MAX_ISSUES) issues.push({ path: `${r.source} ${p.field}`, value: p.value, message: p.message, line: r.line });
        }
      }
    }
    const total = this.fileIssues.length + (tooMany ? this.problems : 0);
    const parts: string[] = [];
    // One log that cannot be read, named by the heading already (`nope.tsv: no such file`, not `nope.tsv: nope.tsv ...`).
    const log = this.fileSummaryLog;
    const named = log !== null && (what === log.file || what === basename(log.file));
    if (this.fileIssues.length === 1 && !tooMany) parts.push(named ? log.message : this.fileSummary);
    else if (this.fileIssues.length > 0) parts.push(`${plural(this.fileIssues.length, 'problem')} with the file${this.fileIssues.length === 1 ? '' : 's'}`);
    if (tooMany) {
      parts.push(`${plural(this.rowCount, 'bad row')} (${plural(this.problems, 'bad field')})` +
        (this.limit > 0 ? `, more than --max-bad-rows ${this.limit}` : '; --max-bad-rows N skips up to N bad rows and lists them'));
    }
    const shown = total > issues.length ? ` (the first ${issues.length} shown)` : '';
    throw new SimError('SIM_ERR_CALL_LOG', `${what}: ${parts.join('; ')}${shown}`, issues);
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** One line per skipped row, e.g. `jan.tsv line 17: q_exit = "9:59:00": must not be before q_start`. */
export function describeSkipped(r: SkippedRow): string {
  return `${r.source} line ${r.line}: ${r.problems.map((p) => `${p.field} = ${JSON.stringify(p.value)}: ${p.message}`).join('; ')}`;
}

/** The text of a log file, or null with the reason in `bad` (unreadable, or the same content as a file read before). */
export function readLog(file: string, bad: BadRows): string | null {
  let text: string;
  try {
    const bytes = readFileSync(file);
    // Not decoded leniently: a Latin-1 name would become U+FFFD and two agents one.
    const t = utf8(bytes);
    if (t === null) {
      notUtf8(basename(file), bytes, bad);
      return null;
    }
    text = t;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    bad.file('LOG', file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`);
    return null;
  }
  const twin = bad.sameAs(basename(file), text);
  if (twin !== null) {
    bad.file('LOG', file, `has the same content as ${twin}: the same log given twice would count every call twice`);
    return null;
  }
  return text;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Lists the lines of a log that are not UTF-8 text (the first MAX_ISSUES), each with its first bad byte. */
function notUtf8(source: string, bytes: Uint8Array, bad: BadRows): void {
  let start = 0, line = 1, listed = 0, lines = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const row = bytes.subarray(start, end);
    if (utf8(row) === null) {
      lines++;
      if (listed < MAX_ISSUES) {
        listed++;
        const at = firstBadByte(row);
        bad.file(source, `byte 0x${row[at].toString(16).toUpperCase().padStart(2, '0')} at column ${at + 1}`, 'must be UTF-8 text: save the log as UTF-8 (read as Latin-1, a name would turn into another)', line, '(row)');
      }
    }
    start = end + 1;
    line++;
  }
  if (lines > listed) bad.file(source, `${lines} lines`, `are not UTF-8 text (the first ${listed} listed)`);
}

/** Where a line stops being UTF-8: the lead byte of the first sequence that is not a character. */
function firstBadByte(row: Uint8Array): number {
  for (let i = 0; i < row.length;) {
    const b = row[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > row.length || utf8(row.subarray(i, i + n)) === null) return i;
    i += n;
  }
  return 0;
}
