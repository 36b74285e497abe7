import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The Ctrip figures that the default scenarios are built from
 * (calibration-data/ctrip-facts.csv). Scenario files cite a figure by its id in a
 * comment, `# facts: inbound-calls-per-day`; test/calibration/facts.test.ts checks
 * that every cited id exists.
 */

/** The five public documents the figures come from (described, not copied: see calibration-data/README.md). */
export const FACT_SOURCES = {
  'ctrip-2010-presentation': 'a 2010 company presentation on the contact center',
  'trade-article-service-system': 'a trade article on the service system',
  'cn-callcenter-ops-docs': 'a collection of Chinese call-center operations documents',
  'interview-2011-head-cs': 'a 2011 trade-press interview with the head of customer service',
  'talk-2019-vp-service': 'a 2019 conference talk by the VP of service',
} as const;
export type FactSource = keyof typeof FACT_SOURCES;

export interface Fact {
  readonly id: string;
  readonly figure: string;
  /** One number, or several ("15;18" in the file). */
  readonly values: readonly number[];
  readonly unit: string;
  readonly source: FactSource;
  readonly note: string;
}

export const FACTS_FILE = fileURLToPath(new URL('../../../calibration-data/ctrip-facts.csv', import.meta.url));
const HEADER = 'id,figure,value,unit,source,note';

/** Parses the facts file; throws with every bad line listed. Fields hold no commas (checked). */
export function parseFacts(text: string): Fact[] {
  const lines = text.replace(/\r/g, '').split('\n');
  const problems: string[] = [];
  if (lines[0] !== HEADER) problems.push(`line 1: header must be "${HEADER}"`);
  const out: Fact[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const f = lines[i].split(',');
    const where = `line ${i + 1}`;
    if (f.length !== 6) { problems.push(`${where}: has ${f.length} fields, expected 6`); continue; }
    const [id, figure, value, unit, source, note] = f;
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) problems.push(`${where}: id "${id}" must be lower-case words joined by -`);
    if (seen.has(id)) problems.push(`${where}: id "${id}" repeats`);
    seen.add(id);
    const values = value.split(';').map(Number);
    if (value === '' || values.some((v) => !Number.isFinite(v))) problems.push(`${where}: value "${value}" must be a number or numbers joined by ;`);
    if (!(source in FACT_SOURCES)) problems.push(`${where}: source "${source}" must be one of ${Object.keys(FACT_SOURCES).join(', ')}`);
    out.push({ id, figure, values, unit, source: source as FactSource, note });
  }
  if (problems.length > 0) throw new Error(`ctrip-facts.csv has ${problems.length} problem(s):\n${problems.join('\n')}`);
  return out;
}

export function loadFacts(file = FACTS_FILE): Map<string, Fact> {
  return new Map(parseFacts(readFileSync(file, 'utf8')).map((f) => [f.id, f]));
}

/** The value of a single-valued fact, for code that builds default scenarios. */
export function factValue(facts: Map<string, Fact>, id: string): number {
  const f = facts.get(id);
  if (!f) throw new Error(`no Ctrip fact with id "${id}" in ctrip-facts.csv`);
  return f.values[0];
}

/** Ids cited in YAML comments as `facts: id` (several may follow, separated by commas). */
export function citedFactIds(yamlText: string): { id: string; line: number }[] {
  const out: { id: string; line: number }[] = [];
  yamlText.split(/\r?\n/).forEach((l, i) => {
    const hash = l.indexOf('#');
    if (hash < 0) return;
    for (const m of l.slice(hash).matchAll(/\bfacts:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g)) {
      for (const id of m[1].split(',')) out.push({ id: id.trim(), line: i + 1 });
    }
  });
  return out;
}
