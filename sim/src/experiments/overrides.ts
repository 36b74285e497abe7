import { dirname, resolve } from 'node:path';
import { isMap, isSeq, parse as parseYaml, parseDocument, visit } from 'yaml';
import { aliasSafeJs, fileLines, MAX_ISSUES_SHOWN, parseScenarioText, selfContainingAliases } from '../config/load.ts';
import { readScenarioFile } from '../config/read.ts';
import { compileScenario, withSeed } from '../config/compile.ts';
import { parseDuration } from '../config/duration.ts';
import { pathSegments } from '../config/validate.ts';
import { isSingleQueue, type ModelConfig } from '../config/model-config.ts';
import type { ScenarioInput } from '../config/schema.ts';
import { modelLimitIssues } from '../engine/limits.ts';
import { showValue, SimError, type Issue } from '../errors.ts';

/**
 * `--set path=value` edits of a scenario document, applied before validation so that
 * a variant is checked like a file (every issue at once, with field and line). The
 * YAML document is edited in place, so comments and line numbers of the untouched
 * fields survive, and the edited text is "the scenario as run" that the run store keeps.
 */

/** One field and the values it takes (one value for run/compare, a list for sweep). */
export interface SetSpec {
  readonly path: string;
  readonly values: readonly unknown[];
}

export interface Assignment {
  readonly path: string;
  /** undefined: remove the field (used by cctwin staff; --set always gives a value) */
  readonly value: unknown;
}

// Keys may hold hyphens (skill and type names such as flight-zh): agentGroups[0].skills.flight-zh=0.5
const PATH = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*|\[\d+\])*$/;

/** Splits on commas that are not inside brackets or braces: `1,[2,3],4` -> 3 values. */
function splitValues(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
  }
  out.push(s.slice(start));
  return out.map((v) => v.trim());
}

/** A value as YAML reads it: `360` is a number, `24h` a string, `[1,2]` a list. */
function scalar(v: string): unknown {
  try {
    return parseYaml(v, { logLevel: 'error' });
  } catch {
    return v;
  }
}

/**
 * Parses `--set` flags. Problems are pushed onto `issues` (flag, value, expectation);
 * `maxValues` limits how many comma-separated values one flag may give.
 */
export function parseSets(raw: readonly string[], issues: Issue[], maxValues = Infinity, flag = 'set'): SetSpec[] {
  const out: SetSpec[] = [];
  const seen = new Set<string>();
  for (const r of raw) {
    const eq = r.indexOf('=');
    const path = eq < 0 ? '' : r.slice(0, eq).trim();
    const rest = eq < 0 ? '' : r.slice(eq + 1);
    if (eq < 0 || !PATH.test(path)) {
      issues.push({ path: `--${flag}`, value: r, message: 'must be path=value with a dotted field path, e.g. agents=360 or handleTime.mean=200' });
      continue;
    }
    const parts = splitValues(rest);
    if (parts.some((p) => p === '')) {
      issues.push({ path: `--${flag}`, value: r, message: 'every value must be non-empty (values are separated by commas)' });
      continue;
    }
    if (parts.length > maxValues) {
      issues.push({ path: `--${flag}`, value: r, message: `must give at most ${maxValues} value${maxValues === 1 ? '' : 's'} here` });
      continue;
    }
    if (seen.has(path)) {
      issues.push({ path: `--${flag}`, value: r, message: `sets ${path} twice; give each field once` });
      continue;
    }
    seen.add(path);
    out.push({ path, values: parts.map(scalar) });
  }
  return out;
}

/** Parses a duration flag (`--warmup 2h`, `--warmup 7200`) or records an issue. */
export function parseDurationFlag(flag: string, raw: unknown, issues: Issue[]): string | number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const s = String(raw).trim();
  const v: string | number = /^\d+(\.\d+)?$/.test(s) ? Number(s) : s;
  if (!(parseDuration(v) >= 0)) {
    issues.push({ path: `--${flag}`, value: s, message: 'must be a duration: seconds, or a number with s, m, h, d or w (e.g. 2h)' });
    return undefined;
  }
  return v;
}

/** Points of the grid of `specs`: the product of their value counts. */
export function gridSize(specs: readonly SetSpec[]): number {
  return specs.reduce((n, s) => n * s.values.length, 1);
}

/** Point `i` of the grid (the first flag varies slowest), without building the others. */
export function gridPoint(specs: readonly SetSpec[], i: number): Assignment[] {
  const out: Assignment[] = new Array(specs.length);
  for (let k = specs.length - 1; k >= 0; k--) {
    const n = specs[k].values.length;
    out[k] = { path: specs[k].path, value: specs[k].values[i % n] };
    i = Math.floor(i / n);
  }
  return out;
}

/** Every combination of the values (the first flag varies slowest), in a fixed order. */
export function grid(specs: readonly SetSpec[]): Assignment[][] {
  let points: Assignment[][] = [[]];
  for (const s of specs) {
    const next: Assignment[][] = [];
    for (const p of points) for (const v of s.values) next.push([...p, { path: s.path, value: v }]);
    points = next;
  }
  return points;
}

/** `agents=360, handleTime.mean=200` */
export function describeAssignments(a: readonly Assignment[]): string {
  return a.length === 0 ? '(as in the file)' : a.map((x) => `${x.path}=${typeof x.value === 'string' ? x.value : showValue(x.value)}`).join(', ');
}

/**
 * Applies the assignments to a scenario's YAML text; returns the edited text. An
 * assignment without a value (undefined: not something --set can give) removes the field.
 */
export function applyAssignments(text: string, assignments: readonly Assignment[]): string {
  if (assignments.length === 0) return text;
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error', merge: true }); // duplicate keys: reported by parseScenarioText
  if (doc.errors.length > 0) return text; // the validator reports the syntax error with its line
  // An alias (`ivr: *a1`) shares its anchor's node: an edit through one would change
  // every part that uses the anchor. Each alias becomes its own copy first, so an
  // assignment changes the one field it names. A file whose aliases contain themselves
  // or expand too far is left as it is: parseScenarioText reports it with its line.
  if (selfContainingAliases(doc).length > 0) return text;
  try {
    aliasSafeJs(doc, undefined, 'scenario');
  } catch {
    return text;
  }
  expandAliases(doc);
  const issues: Issue[] = [];
  for (const a of assignments) {
    const segs = pathSegments(a.path);
    // No value: the field goes (a staffing written as agents replaces the group's shifts).
    if (a.value === undefined) {
      if (doc.hasIn(segs)) doc.deleteIn(segs);
      continue;
    }
    const why = unreachable(doc, segs);
    if (why !== null) issues.push({ path: '--set', value: `${a.path}=${typeof a.value === 'string' ? a.value : JSON.stringify(a.value)}`, message: why });
    else {
      const node = doc.createNode(a.value);
      // A list written on one line ([1, 2, 3]) stays on one line.
      const was = doc.getIn(segs, true);
      if (isSeq(node) && isSeq(was) && was.flow) node.flow = true;
      doc.setIn(segs, node);
    }
  }
  if (issues.length > 0) throw new SimError('SIM_ERR_BAD_ARGUMENT', `${issues.length} --set edit${issues.length === 1 ? '' : 's'} cannot be applied`, issues);
  return doc.toString();
}

/** Replaces each alias of the document by its own copy of the anchored node: an edit through one then changes only that place. */
export function expandAliases(doc: ReturnType<typeof parseDocument>): void {
  visit(doc, {
    Alias(_, node) {
      const source = node.resolve(doc);
      if (!source) return undefined;
      const copy = source.clone() as typeof source;
      copy.anchor = undefined;
      return copy;
    },
  });
}

/**
 * Why a path cannot be set in the document, or null: an index past the end of a list
 * (it would leave empty items), an index into a mapping, a field of a list, or a
 * field below a plain value, an item of a list the file does not have. Missing mappings
 * on the way are created by the edit.
 */
function unreachable(doc: ReturnType<typeof parseDocument>, segs: (string | number)[]): string | null {
  let node: unknown = doc.contents;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const here = segs.slice(0, i).map((x) => (typeof x === 'number' ? `[${x}]` : `.${x}`)).join('').replace(/^\./, '') || 'the file';
    if (node === null || node === undefined) {
      // Missing mappings are created by the edit, and a missing list with its first item
      // ([0]); a later index would leave the items before it empty.
      const index = segs.slice(i).find((x) => typeof x === 'number' && x > 0);
      return index === undefined ? null : `${here} is not in the file: [${index}] would leave the items before it empty in a new list (start a new list at [0])`;
    }
    if (typeof seg === 'number') {
      if (!isSeq(node)) return `${here} is not a list: [${seg}] cannot be set`;
      if (seg >= node.items.length) return `${here} has ${node.items.length} item${node.items.length === 1 ? '' : 's'}: [${seg}] is past its end (an edit changes an existing item)`;
      node = node.items[seg];
    } else {
      if (isSeq(node)) return `${here} is a list: give an index, e.g. ${here}[0].${seg}`;
      if (!isMap(node)) return `${here} is a single value, not a mapping: .${seg} cannot be set below it`;
      node = node.get(seg, true);
    }
  }
  return null;
}

/** A scenario ready to run: its compiled model and the text it came from. */
export interface Variant {
  readonly cfg: ModelConfig;
  /** The scenario as run (the file with the assignments applied). */
  readonly text: string;
  /** That text parsed and checked, its defaults filled in (what cfg was compiled from). */
  readonly input: ScenarioInput;
  readonly assignments: readonly Assignment[];
}

/** A scenario file's text (size-capped, devices refused: config/read.ts). */
export function readScenarioText(file: string): string {
  return readScenarioFile(file);
}

/**
 * Validates and compiles a scenario text with assignments (and an optional seed).
 * Throws one SimError listing every problem; `source` names the file and the edits.
 */
export function compileVariant(text: string, source: string, assignments: readonly Assignment[], seed?: number, allowPolicies?: readonly string[], trustFolder = true): Variant {
  const edited = applyAssignments(text, assignments);
  const label = assignments.length ? `${source} with ${describeAssignments(assignments)}` : source;
  let input: ReturnType<typeof parseScenarioText>;
  try {
    input = parseScenarioText(edited, label);
  } catch (e) {
    // The edited text is re-serialised: its lines are not the file's. Each issue gets
    // the line of its field in the file, or none when only the edit made the field.
    const lineIn = assignments.length > 0 && e instanceof SimError ? fileLines(text) : null;
    if (lineIn === null) throw e;
    const err = e as SimError;
    throw new SimError(err.code, err.message, err.issues.map((i) => ({ ...i, line: i.path === '' ? undefined : lineIn(i.path) })));
  }
  // A plug-in routing policy's path is relative to the scenario file.
  let cfg = compileScenario(input, { baseDir: dirname(resolve(source)), allowPolicies, trustFolder });
  const past = modelLimitIssues(cfg, !isSingleQueue(cfg));
  if (past.length > 0) throw new SimError('SIM_ERR_SCENARIO_INVALID', `${label} is past the simulator's limits`, past);
  if (seed !== undefined) cfg = withSeed(cfg, seed);
  return { cfg, text: edited, input, assignments };
}

/**
 * Compiles every variant and reports the problems of all of them in one error
 * (each issue's path followed by the variant it belongs to: its file, when the variants
 * come from several, and its assignments).
 */
export function compileVariants(items: readonly { text: string; source: string; assignments: readonly Assignment[]; seed?: number; allowPolicies?: readonly string[]; trustFolder?: boolean }[]): Variant[] {
  const out: Variant[] = [];
  const issues: Issue[] = [];
  let first: SimError | null = null;
  let checked = 0;
  // Variants of several files (compare A.yaml B.yaml) name their file: a line number is a line of it.
  const named = new Set(items.map((it) => it.source)).size > 1;
  // Each variant's problems. A problem several variants share is listed once: for every
  // variant, or every variant with the values they have in common (a fixed edit, the
  // file itself, one bad value of a --set), when the variants checked show it is so.
  const found: { issue: Issue; variant: number; key: string }[] = [];
  const tagsOf: string[][] = []; // per checked variant: each assignment (path=value)
  const whereOf: string[] = []; // per checked variant: as its problems name it, file path=value, ...
  const failed = new Set<number>();
  const keyOf = (i: Issue) => JSON.stringify([i.path, i.value, i.message, i.line ?? null]);
  const distinct = new Set<string>();
  for (const it of items) {
    // Past MAX_ISSUES_SHOWN different problems (or many more repeated ones) the rest are
    // not compiled: a grid with a bad value would otherwise take minutes to list them.
    if (distinct.size >= MAX_ISSUES_SHOWN || found.length >= 10 * MAX_ISSUES_SHOWN) break;
    const v = checked++;
    tagsOf.push(it.assignments.map((a) => describeAssignments([a])));
    const tags = [...(named ? [it.source] : []), ...(it.assignments.length ? [describeAssignments(it.assignments)] : [])];
    whereOf.push(tags.join(' '));
    try {
      out.push(compileVariant(it.text, it.source, it.assignments, it.seed, it.allowPolicies, it.trustFolder));
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      first ??= e;
      failed.add(v);
      const own = e.issues.length > 0 ? e.issues : [{ path: '', message: e.message }];
      for (const i of new Map(own.map((x) => [keyOf(x), x])).values()) { found.push({ issue: i, variant: v, key: keyOf(i) }); distinct.add(keyOf(i)); }
    }
  }
  const having = new Map<string, number[]>();
  for (const f of found) having.set(f.key, [...(having.get(f.key) ?? []), f.variant]);
  const all = checked === items.length;
  const tagOf = (key: string, variant: number): string => {
    const vs = having.get(key)!;
    if (vs.length === 1 || named) return whereOf[variant] ? ` [${whereOf[variant]}]` : '';
    if (all && vs.length === checked) return ' [every variant]';
    const common = tagsOf[variant].filter((t) => vs.every((w) => tagsOf[w].includes(t)));
    // "every variant with X": each variant checked that has X has the problem.
    if (common.length > 0 && tagsOf.every((t, w) => !common.every((c) => t.includes(c)) || vs.includes(w))) {
      return all ? ` [every variant with ${common.join(', ')}]` : ` [the ${vs.length} variants checked with ${common.join(', ')}]`;
    }
    return ` [${vs.length} of the ${checked} variants checked, e.g. ${whereOf[variant]}]`;
  };
  const listed = new Set<string>();
  for (const f of found) {
    const merged = !named && having.get(f.key)!.length > 1;
    if (merged && listed.has(f.key)) continue;
    listed.add(f.key);
    issues.push({ ...f.issue, path: `${f.issue.path}${tagOf(f.key, f.variant)}` });
  }
  if (first) {
    if (items.length === 1) throw first;
    const n = issues.length;
    const shown = issues.slice(0, MAX_ISSUES_SHOWN);
    if (n > MAX_ISSUES_SHOWN) shown.push({ path: '', message: `${(n - MAX_ISSUES_SHOWN).toLocaleString('en-US')} more problem${n - MAX_ISSUES_SHOWN === 1 ? ' is' : 's are'} not listed: the first ${MAX_ISSUES_SHOWN} are above` });
    if (checked < items.length) shown.push({ path: '', message: `${(items.length - checked).toLocaleString('en-US')} of ${items.length.toLocaleString('en-US')} variants were not checked once ${MAX_ISSUES_SHOWN} problems were found: fix these and run again` });
    throw new SimError(first.code, `${n}${checked < items.length ? '+' : ''} problem${n === 1 ? '' : 's'} in the scenario variants`, shown);
  }
  return out;
}
