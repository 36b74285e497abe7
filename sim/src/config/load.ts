import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { SimError, type Issue } from '../errors.ts';
import { ScenarioSchema, type ScenarioInput } from './schema.ts';
import { pathSegments, validateAgainst } from './validate.ts';
import { compileScenario, semanticIssues } from './compile.ts';
import { withDefaults } from './defaults.ts';
import type { ModelConfig } from './model-config.ts';

/**
 * The edge of the system: text in, frozen ModelConfig out, or one SimError that
 * lists every problem (schema and meaning) with its field, value, line and what is
 * expected. Nothing past this point validates again, and nothing defaults again:
 * the schema's defaults are filled in here, before the checks.
 */
export function parseScenarioText(text: string, source = 'scenario'): ScenarioInput {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: Issue[] = doc.errors.map((e) => ({
      path: '',
      message: `YAML syntax: ${e.message.split('\n')[0]}`,
      line: e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : undefined),
    }));
    throw new SimError('SIM_ERR_SCENARIO_INVALID', `${source} is not valid YAML`, issues);
  }
  const raw = doc.toJS({ maxAliasCount: 1000 }) as unknown;
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
    const segs = pathSegments(path);
    for (let n = segs.length; n >= 0; n--) {
      const node = doc.getIn(segs.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && node.range) return lc.linePos(node.range[0]).line;
    }
    return undefined;
  };
  // Schema issues and issues of meaning together; a path reported by both keeps the schema's words.
  const issues = validateAgainst(ScenarioSchema, value);
  const seen = new Set(issues.map((i) => i.path));
  for (const i of semanticIssues(value as ScenarioInput)) if (!seen.has(i.path)) issues.push(i);
  if (issues.length > 0) {
    const withLines = issues.map((i) => ({ ...i, line: lineOf(i.path) }));
    withLines.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new SimError(
      'SIM_ERR_SCENARIO_INVALID',
      `${source} has ${issues.length} problem${issues.length === 1 ? '' : 's'}`,
      withLines,
    );
  }
  return value as ScenarioInput;
}

/** Reads, validates and compiles a scenario file. */
export function loadScenario(file: string): ModelConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new SimError('SIM_ERR_SCENARIO_READ', `cannot read scenario ${file}: ${why}`);
  }
  return compileScenario(parseScenarioText(text, file), { baseDir: dirname(resolve(file)) });
}
