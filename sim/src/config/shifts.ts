import { parseDocument, LineCounter } from 'yaml';
import { Clone, Default } from 'typebox/value';
import { SimError, type Issue } from '../errors.ts';
import { aliasSafeJs, fileLines, MAX_ISSUES_SHOWN, selfContainingAliases } from './load.ts';
import { readScenarioFile } from './read.ts';
import { parseDuration } from './duration.ts';
import { ShiftsSchema, type ShiftsInput } from './shifts-schema.ts';
import { validateAgainst } from './validate.ts';

/**
 * Reading a shift-template file (`cctwin schedule --shifts`): YAML in, the templates with
 * their defaults out, or one SimError listing every problem with its path and line,
 * like a scenario file. Only what the file says alone is checked here; what depends on
 * the scenario (the interval grid, its sites and groups) is checked when a schedule is
 * built (sim/src/experiments/shifts.ts), with the same paths and lines.
 */

const DAY = 86400;

/** A parsed shift file and the line of each of its fields. */
export interface ShiftsFile {
  readonly input: ShiftsInput;
  readonly source: string;
  /** The line of a field (`templates[0].length`), or of its nearest parent in the file. */
  readonly lineOf: (path: string) => number | undefined;
}

/** Issues with their lines, sorted, capped like a scenario's: one error. */
export function shiftsError(source: string, issues: Issue[], lineOf: (path: string) => number | undefined, what = 'has'): SimError {
  const withLines = issues.map((i) => ({ ...i, line: i.line ?? lineOf(i.path) })).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const n = issues.length;
  const shown: Issue[] = withLines.slice(0, MAX_ISSUES_SHOWN);
  if (n > MAX_ISSUES_SHOWN) shown.push({ path: '', message: `${n - MAX_ISSUES_SHOWN} more problems are not listed: the first ${MAX_ISSUES_SHOWN} by line are above` });
  return new SimError('SIM_ERR_SCENARIO_INVALID', `shift file ${source} ${what} ${n} problem${n === 1 ? '' : 's'}`, shown);
}

function nearest(lines: ((p: string) => number | undefined) | null): (path: string) => number | undefined {
  return (path) => {
    if (lines === null) return undefined;
    for (let p = path; ; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
      const l = lines(p);
      if (l !== undefined || p === '' || !/(\.[^.[\]]+|\[\d+\])$/.test(p)) return l ?? lines('');
    }
  };
}

/** Seconds of a well-formed duration (what the schema accepts), else undefined: the schema reports it. */
function seconds(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const x = parseDuration(v);
  return Number.isFinite(x) ? x : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/**
 * Checks of meaning that need no scenario. They read only the parts of the file that
 * are well-formed (a field of the wrong shape is the schema's to report, and the
 * checks that need it are skipped), so that one reading lists the schema's problems
 * and the problems of meaning together.
 */
function meaningIssues(s: unknown): Issue[] {
  const out: Issue[] = [];
  if (!isObject(s)) return out;
  const names = new Set<string>();
  list(s.templates).forEach((t, i) => {
    if (!isObject(t)) return;
    const at = `templates[${i}]`;
    if (typeof t.name === 'string') {
      if (names.has(t.name)) out.push({ path: `${at}.name`, value: t.name, message: 'must be unique among the templates' });
      names.add(t.name);
    }
    const len = seconds(t.length);
    const lenOk = len !== undefined && len > 0 && len <= DAY;
    if (len !== undefined && !lenOk) out.push({ path: `${at}.length`, value: t.length, message: 'must be longer than 0 and at most 24h' });
    const starts = t.starts;
    if (Array.isArray(starts)) {
      starts.forEach((st, k) => {
        const x = seconds(st);
        if (x !== undefined && !(x < DAY)) out.push({ path: `${at}.starts[${k}]`, value: st, message: 'must be a time of day, before 24h' });
      });
    } else if (isObject(starts)) {
      const from = seconds(starts.from), to = seconds(starts.to), every = seconds(starts.every);
      if (from !== undefined && !(from < DAY)) out.push({ path: `${at}.starts.from`, value: starts.from, message: 'must be a time of day, before 24h' });
      if (to !== undefined && !(to < DAY)) out.push({ path: `${at}.starts.to`, value: starts.to, message: 'must be a time of day, before 24h' });
      else if (to !== undefined && from !== undefined && from < DAY && !(to >= from)) out.push({ path: `${at}.starts.to`, value: starts.to, message: `must not be before starts.from (${String(starts.from)})` });
      if (every !== undefined && !(every > 0)) out.push({ path: `${at}.starts.every`, value: starts.every, message: 'must be longer than 0' });
    }
    if (isCount(t.max) && isCount(t.min) && t.max < t.min) out.push({ path: `${at}.max`, value: t.max, message: `must be at least min (${t.min})` });
    list(t.breaks).forEach((b, k) => {
      if (!isObject(b)) return;
      const bp = `${at}.breaks[${k}]`;
      const bl = seconds(b.length);
      const blOk = bl !== undefined && bl > 0;
      if (bl !== undefined && !blOk) out.push({ path: `${bp}.length`, value: b.length, message: 'must be longer than 0' });
      else if (blOk && lenOk && !(bl < len)) out.push({ path: `${bp}.length`, value: b.length, message: `must be shorter than the shift (${String(t.length)})` });
      if (isObject(b.window)) {
        const w = b.window;
        const from = seconds(w.from), to = seconds(w.to);
        if (to !== undefined && lenOk && to > len) out.push({ path: `${bp}.window.to`, value: w.to, message: `must be within the shift (the shift is ${String(t.length)} long)` });
        if (to !== undefined && from !== undefined) {
          if (!(to > from)) out.push({ path: `${bp}.window.to`, value: w.to, message: `must be after window.from (${String(w.from)})` });
          else if (blOk && to - from < bl) out.push({ path: `${bp}.window`, value: `from ${String(w.from)} to ${String(w.to)}`, message: `must be at least as long as the break (${String(b.length)})` });
        }
      }
      list(b.timesOfDay).forEach((w, j) => {
        if (!isObject(w)) return;
        const wp = `${bp}.timesOfDay[${j}]`;
        const from = seconds(w.from), to = seconds(w.to);
        if (to !== undefined && !(to <= DAY)) out.push({ path: `${wp}.to`, value: w.to, message: 'must be a time of day, at most 24h' });
        else if (to !== undefined && from !== undefined) {
          if (!(to > from)) out.push({ path: `${wp}.to`, value: w.to, message: `must be after from (${String(w.from)})` });
          else if (blOk && to - from < bl) out.push({ path: wp, value: `from ${String(w.from)} to ${String(w.to)}`, message: `must be at least as long as the break (${String(b.length)})` });
        }
      });
    });
  });
  return out;
}

/** Parses and checks a shift file's text; `source` names it in messages. */
export function parseShiftsText(text: string, source: string): ShiftsFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, logLevel: 'error', merge: true });
  const syntax: Issue[] = doc.errors.map((e) => ({
    path: '',
    line: e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : undefined),
    message: /Maximum call stack/.test(e.message) ? 'YAML: nested too deeply' : `YAML syntax: ${e.message.split('\n')[0]}`,
  }));
  if (syntax.length === 0) syntax.push(...selfContainingAliases(doc, lc));
  if (syntax.length > 0) throw new SimError('SIM_ERR_SCENARIO_INVALID', `shift file ${source} is not valid YAML`, syntax.slice(0, MAX_ISSUES_SHOWN));
  const raw = aliasSafeJs(doc, lc, `shift file ${source}`);
  const lineOf = nearest(fileLines(text));
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw shiftsError(source, [{ path: '', value: raw, message: 'must be a mapping of shift-file fields (name, templates, headcount)' }], lineOf);
  }
  const value = Default(ShiftsSchema, Clone(raw)) as ShiftsInput;
  // Schema issues and issues of meaning together; a path reported by both keeps the schema's words.
  const issues = validateAgainst(ShiftsSchema, value);
  const seen = new Set(issues.map((i) => i.path));
  for (const i of meaningIssues(value)) if (!seen.has(i.path)) issues.push(i);
  if (issues.length > 0) throw shiftsError(source, issues, lineOf);
  return { input: value, source, lineOf };
}

/** Reads a shift file (size-capped, devices refused, like a scenario file). */
export function loadShiftsFile(file: string): ShiftsFile {
  let text: string;
  try {
    text = readScenarioFile(file);
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    throw new SimError(e.code, e.message.replace(/^cannot read scenario /, 'cannot read the shift file '), e.issues.map((i) => ({ ...i, path: '--shifts', value: file, message: i.message.replace('scenario file', 'shift file') })));
  }
  return parseShiftsText(text, file);
}
