import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import { ScenarioSchema } from '../../sim/src/config/schema.ts';
import { ShiftsSchema } from '../../sim/src/config/shifts-schema.ts';

/**
 * validateAgainst (config/validate.ts) checks a value with TypeBox's interpreter
 * (Value.Check) until it has checked a schema twice, then with the compiled checker:
 * both must accept exactly the same values. Every file of the scenario library and the
 * shift library, and many broken copies of them, checked both ways.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const yamlIn = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.yaml')).map((f) => parse(readFileSync(join(ROOT, dir, f), 'utf8'), { merge: true }) as unknown);
const scenarios = [...yamlIn('scenarios'), ...yamlIn('scenarios/fitted')];
const shifts = yamlIn('scenarios/shifts');

/** The paths of every value in a JSON-like tree. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [at];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [at, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...at, k]))];
}

/** A copy of `doc` with the value at `path` replaced (or deleted, when `value` is the symbol). */
const DELETE = Symbol('delete');
function edited(doc: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return value === DELETE ? undefined : value;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === DELETE) {
    if (Array.isArray(o)) o.splice(Number(last), 1);
    else delete o[last];
  } else o[last] = value;
  return copy;
}

function agree(schema: TSchema, docs: unknown[], runs: number): void {
  const compiled = Compile(schema);
  for (const d of docs) {
    expect(Value.Check(schema, d)).toBe(true);
    expect(compiled.Check(d)).toBe(true);
  }
  const replacement = fc.oneof(
    fc.constant(DELETE), fc.constant(null), fc.integer({ min: -5, max: 100_000 }), fc.double({ noNaN: false }),
    fc.string({ maxLength: 12 }), fc.boolean(), fc.constant([]), fc.constant({}), fc.constant({ unknownField: 1 }),
  );
  let rejected = 0;
  fc.assert(fc.property(fc.integer({ min: 0, max: docs.length - 1 }), fc.nat(), replacement, (i, k, value) => {
    const ps = paths(docs[i]);
    const broken = edited(docs[i], ps[k % ps.length], value);
    const byValue = Value.Check(schema, broken);
    if (!byValue) rejected++;
    expect(byValue).toBe(compiled.Check(broken));
  }), { numRuns: runs, seed: 11 });
  expect(rejected).toBeGreaterThan(runs / 4); // the edits do break documents: both checkers are tested on bad ones
}

describe('the interpreted and the compiled checker agree', () => {
  it('on every scenario of the library and 1,500 broken copies', () => agree(ScenarioSchema, scenarios, 1500));
  it('on every shift file of the library and 300 broken copies', () => agree(ShiftsSchema, shifts, 300));
});
