import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { SimError, type Issue } from '../errors.ts';
import { ScenarioSchema, type ScenarioInput } from './schema.ts';
import { MAX_SCHEMA_ERRORS, validateAgainst } from './validate.ts';
import { compileScenario, semanticIssues } from './compile.ts';
import { withDefaults } from './defaults.ts';
import type { ModelConfig } from './model-config.ts';
import { readScenarioFile } from './read.ts';

/** How many alias expansions a scenario file may make (the yaml package's guard against alias bombs). */
const MAX_ALIAS_COUNT = 1000;
/** How many problems of one file are listed (sorted by line); the count of the rest is said. */
export const MAX_ISSUES_SHOWN = 100;

/** `a.b[2].c` -> `a.b[2]`; `a` -> `` */
function parentPath(p: string): string {
  const m = /(\.[^.[\]]+|\[\d+\])$/.exec(p);
  return m ? p.slice(0, m.index) : '';
}

/**
 * The line of every node of the document by its path (`a.b[0].c`, as the issues name
 * them), in one walk: looking each issue's path up in the document instead scans a
 * mapping's keys once per issue, quadratic in a file with many unknown keys.
 */
function lineIndex(doc: Document, lc: LineCounter, duplicates: Issue[]): Map<string, number> {
  const lines = new Map<string, number>();
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      const keys = new Map<string, number | undefined>();
      for (const item of node.items) {
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        const p = path === '' ? key : `${path}.${key}`;
        const keyAt = (item.key as { range?: number[] } | null)?.range;
        const keyLine = keyAt ? lc.linePos(keyAt[0]).line : undefined;
        if (keys.has(key)) {
          const first = keys.get(key);
          duplicates.push({ path: p, line: keyLine, message: `YAML syntax: the key ${JSON.stringify(key)} appears twice in one mapping${first === undefined ? '' : ` (first on line ${first})`}; keys must be unique` });
          continue;
        }
        keys.set(key, keyLine);
        const at = (item.value as { range?: number[] } | null)?.range ?? keyAt;
        if (at) lines.set(p, lc.linePos(at[0]).line);
        walk(item.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const p = `${path}[${i}]`;
        const at = (item as { range?: number[] } | null)?.range;
        if (at) lines.set(p, lc.linePos(at[0]).line);
        walk(item, p);
      });
    }
  };
  const root = doc.contents as { range?: number[] } | null;
  if (root?.range) lines.set('', lc.linePos(root.range[0]).line);
  walk(doc.contents, '');
  return lines;
}

/** Aliases inside the value they name (`a: &x [*x]`): a value that contains itself. */
export function selfContainingAliases(doc: Document, lc?: LineCounter): Issue[] {
  const out: Issue[] = [];
  visit(doc, {
    Alias(_, node, path) {
      const target = node.resolve(doc);
      if (target && path.includes(target as never)) {
        out.push({ path: '', line: node.range && lc ? lc.linePos(node.range[0]).line : undefined, message: `YAML: the alias *${node.source} is inside the value it names (a value cannot contain itself)` });
      }
    },
  });
  return out;
}

/**
 * The document as plain values, refusing an alias bomb (aliases of aliases expanding
 * past MAX_ALIAS_COUNT copies) with the line of its first alias.
 */
export function aliasSafeJs(doc: Document, lc: LineCounter | undefined, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml package's guard: a ReferenceError with no position.
    if (!(e instanceof ReferenceError)) throw e;
    let line: number | undefined;
    visit(doc, { Alias(_, node) { if (line === undefined && node.range && lc) line = lc.linePos(node.range[0]).line; } });
    throw new SimError('SIM_ERR_SCENARIO_INVALID', `${source} expands its YAML aliases too far`, [
      { path: '', line, message: `uses YAML aliases (*name) that expand to more than ${MAX_ALIAS_COUNT} copies (an alias bomb); write the repeated parts out or use fewer nested aliases` },
    ]);
  }
}

/**
 * The line of each field of a scenario text, for issues found in an edited copy of it
 * (`--set`): a field the file has gets its line in the file; a field only the edit
 * created gets none (the issue names the edit instead). Null when the text is not YAML.
 */
export function fileLines(text: string): ((path: string) => number | undefined) | null {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, logLevel: 'error', merge: true });
  if (doc.errors.length > 0) return null;
  const lines = lineIndex(doc, lc, []);
  return (path) => lines.get(path);
}

/**
 * The edge of the system: text in, frozen ModelConfig out, or one SimError that
 * lists every problem (schema and meaning) with its field, value, line and what is
 * expected. Nothing past this point validates again, and nothing defaults again:
 * the schema's defaults are filled in here, before the checks.
 */
export function parseScenarioText(text: string, source = 'scenario'): ScenarioInput {
  const lc = new LineCounter();
  // Duplicate keys are found by lineIndex below: the yaml package's own check
  // (uniqueKeys) compares every key with every other, quadratic in a mapping's size.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, logLevel: 'error', merge: true });
  const syntax: Issue[] = doc.errors.map((e) => ({
    path: '',
    message: /Maximum call stack/.test(e.message) ? 'YAML: nested too deeply (lists and mappings inside each other, hundreds of levels down)' : `YAML syntax: ${e.message.split('\n')[0]}`,
    line: e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : undefined),
  }));
  // A tag the YAML reader does not know (`!foo`) would be dropped without a word.
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') {
      syntax.push({ path: '', line: w.linePos?.[0]?.line ?? (w.pos ? lc.linePos(w.pos[0]).line : undefined), message: `YAML: ${w.message.split('\n')[0]}; scenario files use plain YAML values (no tags)` });
    }
  }
  const duplicates: Issue[] = [];
  const lines = syntax.length > 0 ? new Map<string, number>() : lineIndex(doc, lc, duplicates);
  syntax.push(...duplicates);
  if (syntax.length === 0) syntax.push(...selfContainingAliases(doc, lc));
  if (syntax.length > 0) {
    const shown = syntax.slice(0, MAX_ISSUES_SHOWN);
    if (syntax.length > MAX_ISSUES_SHOWN) shown.push({ path: '', message: `${syntax.length - MAX_ISSUES_SHOWN} more problems are not listed: the first ${MAX_ISSUES_SHOWN} are above` });
    throw new SimError('SIM_ERR_SCENARIO_INVALID', `${source} is not valid YAML`, shown);
  }
  const raw = aliasSafeJs(doc, lc, source);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SimError('SIM_ERR_SCENARIO_INVALID', `${source} is not a scenario`, [
      { path: '', value: raw, message: 'must be a mapping of scenario fields (name, horizon, arrivals, ...)' },
    ]);
  }
  // Defaults first: they are valid by construction, and the checks of meaning see the
  // values the model will run with (the interval a file leaves out, for instance).
  const value = withDefaults(raw as ScenarioInput);
  const lineOf = (path: string): number | undefined => {
    // The nearest node that exists: a missing field points at its parent.
    for (let p = path; ; p = parentPath(p)) {
      const line = lines.get(p);
      if (line !== undefined || p === '') return line;
    }
  };
  // Schema issues and issues of meaning together; a path reported by both keeps the schema's words.
  const issues = validateAgainst(ScenarioSchema, value);
  const seen = new Set(issues.map((i) => i.path));
  // The checks of meaning read the shapes the schema promises; where the schema found a
  // field of the wrong shape they may stumble on it, and the schema's issues are the answer.
  let meaning: Issue[] = [];
  try {
    meaning = semanticIssues(value as ScenarioInput, new Set(Object.keys(raw)));
  } catch (e) {
    if (issues.length === 0) throw e;
  }
  for (const i of meaning) if (!seen.has(i.path)) issues.push(i);
  if (issues.length > 0) {
    const withLines: Issue[] = issues.map((i) => ({ ...i, line: lineOf(i.path) }));
    withLines.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const n = issues.length;
    const many = n >= MAX_SCHEMA_ERRORS ? `${MAX_SCHEMA_ERRORS.toLocaleString('en-US')} or more problems` : `${n.toLocaleString('en-US')} problem${n === 1 ? '' : 's'}`;
    const shown = withLines.slice(0, MAX_ISSUES_SHOWN);
    if (n > MAX_ISSUES_SHOWN) {
      const rest = n >= MAX_SCHEMA_ERRORS ? 'the other problems are' : `${(n - MAX_ISSUES_SHOWN).toLocaleString('en-US')} more problem${n - MAX_ISSUES_SHOWN === 1 ? ' is' : 's are'}`;
      shown.push({ path: '', message: `${rest} not listed: the first ${MAX_ISSUES_SHOWN} by line are above` });
    }
    throw new SimError('SIM_ERR_SCENARIO_INVALID', `${source} has ${many}`, shown);
  }
  return value as ScenarioInput;
}

/** Reads, validates and compiles a scenario file. */
export function loadScenario(file: string): ModelConfig {
  return compileScenario(parseScenarioText(readScenarioFile(file), file), { baseDir: dirname(resolve(file)) });
}
