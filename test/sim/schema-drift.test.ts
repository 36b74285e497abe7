import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/src/config/load.ts';
import { ScenarioSchema } from '../../sim/src/config/schema.ts';
import { DEFAULTS_FILE, defaultsModuleText, JSON_SCHEMA_DIALECT, SCHEMA_FILE, schemaJsonText } from '../../scenarios/write-schema.ts';
import { SCHEMA_DEFAULTS } from '../../sim/src/config/schema-defaults.ts';
import { SCHEMA_DEFAULTS_FROM_SCHEMA } from '../../sim/src/config/defaults.ts';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

describe('scenarios/schema.json', () => {
  it('is what `npm run schema` generates from sim/src/config/schema.ts', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== schemaJsonText()) {
      throw new Error('scenarios/schema.json is stale: it differs from sim/src/config/schema.ts. Run `npm run schema` and commit the result.');
    }
  });

  it('sim/src/config/schema-defaults.ts is what `npm run schema` generates, and holds the schema\'s defaults', () => {
    if (readFileSync(DEFAULTS_FILE, 'utf8') !== defaultsModuleText()) {
      throw new Error('sim/src/config/schema-defaults.ts is stale: run `npm run schema` and commit the result.');
    }
    expect(SCHEMA_DEFAULTS).toEqual(SCHEMA_DEFAULTS_FROM_SCHEMA);
  });

  it('declares draft 2020-12 and describes the scenario fields', () => {
    const json = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(Object.keys(json)[0]).toBe('$schema');
    expect(json.$schema).toBe(JSON_SCHEMA_DIALECT);
    expect(Object.keys(json.properties).sort()).toEqual(Object.keys(ScenarioSchema.properties).sort());
    expect([...json.required].sort()).toEqual([...ScenarioSchema.required!].sort());
    expect(json.additionalProperties).toBe(false);
  });

  it('ends with exactly one newline', () => {
    const text = schemaJsonText();
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
  });
});

describe('scenario files', () => {
  // Every scenario file, including generated ones in subfolders (scenarios/fitted/);
  // scenarios/shifts/ holds shift templates, not scenarios (test/schedule/shifts-schema.test.ts).
  const files = readdirSync(SCENARIOS, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('shifts/')).sort();

  it('there is at least one to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('scenarios/%s validates and compiles', (file) => {
    const cfg = loadScenario(`${SCENARIOS}${file}`);
    expect(cfg.nIntervals).toBeGreaterThan(0);
    expect(cfg.types.length).toBeGreaterThan(0);
    for (const t of cfg.types) expect(t.arrivalRates).toHaveLength(cfg.nIntervals);
    for (const g of cfg.groups) expect(g.staffing).toHaveLength(cfg.nIntervals);
  });
});
