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
const dur = (v: unknown): number => parseDuration(v as number | string);

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

/** Checks of meaning that need no scenario. */
function meaningIssues(s: ShiftsInput): Issue[] {
  const out: Issue[] = [];
  const names = new Set<string>();
  s.templates.forEach((t, i) => {
    const at = `templates[${i}]`;
    if (names.has(t.name)) out.push({ path: `${at}.name`, value: t.name, message: 'must be unique among the templates' });
    names.add(t.name);
    const len = dur(t.length);
    if (!(len > 0) || len > DAY) out.push({ path: `${at}.length`, value: t.length, message: 'must be longer than 0 and at most 24h' });
    const starts = t.starts;
    if (Array.isArray(starts)) {
      starts.forEach((st, k) => {
        if (!(dur(st) < DAY)) out.push({ path: `${at}.starts[${k}]`, value: st, message: 'must be a time of day, before 24h' });
      });
    } else {
      const from = dur(starts.from), to = dur(starts.to), every = dur(starts.every);
      if (!(from < DAY)) out.push({ path: `${at}.starts.from`, value: starts.from, message: 'must be a time of day, before 24h' });
      if (!(to < DAY)) out.push({ path: `${at}.starts.to`, value: starts.to, message: 'must be a time of day, before 24h' });
      else if (!(to >= from)) out.push({ path: `${at}.starts.to`, value: starts.to, message: `must not be before starts.from (${starts.from})` });
      if (!(every > 0)) out.push({ path: `${at}.starts.every`, value: starts.every, message: 'must be longer than 0' });
    }
    if (t.max !== undefined && t.max < t.min!) out.push({ path: `${at}.max`, value: t.max, message: `must be at least min (${t.min})` });
    (t.breaks ?? []).forEach((b, k) => {
      const bp = `${at}.breaks[${k}]`;
      const bl = dur(b.length);
      if (!(bl > 0)) out.push({ path: `${bp}.length`, value: b.length, message: 'must be longer than 0' });
      else if (len > 0 && !(bl < len)) out.push({ path: `${bp}.length`, value: b.length, message: `must be shorter than the shift (${t.length})` });
      if (b.window) {
        const from = dur(b.window.from), to = dur(b.window.to);
        if (len > 0 && to > len) out.push({ path: `${bp}.window.to`, value: b.window.to, message: `must be within the shift (the shift is ${t.length} long)` });
        if (!(to > from)) out.push({ path: `${bp}.window.to`, value: b.window.to, message: `must be after window.from (${b.window.from})` });
        else if (bl > 0 && to - from < bl) out.push({ path: `${bp}.window`, value: `from ${b.window.from} to ${b.window.to}`, message: `must be at least as long as the break (${b.length})` });
      }
      (b.timesOfDay ?? []).forEach((w, j) => {
        const wp = `${bp}.timesOfDay[${j}]`;
        const from = dur(w.from), to = dur(w.to);
        if (!(to <= DAY)) out.push({ path: `${wp}.to`, value: w.to, message: 'must be a time of day, at most 24h' });
        else if (!(to > from)) out.push({ path: `${wp}.to`, value: w.to, message: `must be after from (${w.from})` });
        else if (bl > 0 && to - from < bl) out.push({ path: wp, value: `from ${w.from} to ${w.to}`, message: `must be at least as long as the break (${b.length})` });
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
  const issues = validateAgainst(ShiftsSchema, value);
  if (issues.length === 0) issues.push(...meaningIssues(value));
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
    throw new SimError(e.code, e.message.replace(/^cannot read scenario /, 'cannot read the shift file '), e.issues.map((i) => ({ ...i, path: '--shifts', message: i.message.replace('scenario file', 'shift file') })));
  }
  return parseShiftsText(text, file);
}
