/**
 * Writes scenarios/schema.json from the TypeBox scenario schema (sim/src/config/schema.ts),
 * so editors validate and complete scenario files (`# yaml-language-server: $schema=./schema.json`).
 * The JSON file is generated, never edited: `npm run schema` after changing the schema;
 * test/sim/schema-drift.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ScenarioSchema } from '../sim/src/config/schema.ts';

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Where the generated file lives: next to this script. */
export const SCHEMA_FILE = fileURLToPath(new URL('./schema.json', import.meta.url));

/** The text of scenarios/schema.json: the dialect first, pretty-printed, one trailing newline. */
export function schemaJsonText(): string {
  // A JSON round trip drops anything that is not JSON (TypeBox keeps no symbols today,
  // but the file must hold exactly what an editor will read).
  const body = JSON.parse(JSON.stringify(ScenarioSchema)) as Record<string, unknown>;
  delete body.$schema;
  return `${JSON.stringify({ $schema: JSON_SCHEMA_DIALECT, ...body }, null, 2)}\n`;
}

const isEntryPoint = process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (isEntryPoint) {
  writeFileSync(SCHEMA_FILE, schemaJsonText());
  process.stdout.write(`wrote ${relative(process.cwd(), SCHEMA_FILE)}\n`);
}
