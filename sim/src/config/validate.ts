import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import type { Issue } from '../errors.ts';

/**
 * JSON-Schema validation that reports every problem at once, in words a scenario
 * author understands. TypeBox reports each branch of a union separately; we keep the
 * branch the value meant (by its `kind`, or by its JSON type) and drop the others.
 */

/** TypeBox stops at 8 errors by default; a file with many mistakes gets them all, up to this many. */
export const MAX_SCHEMA_ERRORS = 10_000;
Settings.Set({ maxErrors: MAX_SCHEMA_ERRORS });

interface RawError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
}

type Json = unknown;

function decodePointer(p: string): string[] {
  return p.replace(/^#/, '').split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function at(root: Json, pointer: string): Json {
  let v: any = root;
  for (const k of decodePointer(pointer)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[k];
  }
  return v;
}

/** `/a/b/0/c` -> `a.b[0].c` */
export function pathOf(instancePath: string, extra?: string): string {
  const parts = decodePointer('#' + instancePath);
  if (extra !== undefined) parts.push(extra);
  let s = '';
  for (const p of parts) s += /^\d+$/.test(p) ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

function jsonType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function schemaAccepts(schema: any, type: string): boolean {
  const t = schema?.type;
  if (t === undefined) return schema?.anyOf ? schema.anyOf.some((s: any) => schemaAccepts(s, type)) : false;
  const ts: string[] = Array.isArray(t) ? t : [t];
  return ts.includes(type) || (type === 'integer' && ts.includes('number'));
}

const describe = (schema: any): string => (schema && typeof schema.description === 'string' ? ` (${schema.description})` : '');

function message(e: RawError, schema: TSchema): { path: string; message: string }[] {
  const here = at(schema, e.schemaPath) as any;
  const p = e.params;
  const path = pathOf(e.instancePath);
  switch (e.keyword) {
    case 'required': {
      const props = (p.requiredProperties as string[]) ?? [];
      return props.map((k) => ({ path: pathOf(e.instancePath, k), message: `is required${describe(here?.properties?.[k])}` }));
    }
    case 'additionalProperties': {
      const extra = (p.additionalProperties as string[]) ?? [];
      const allowed = Object.keys(here?.properties ?? {}).filter((k) => k !== '$schema');
      return extra.map((k) => ({ path: pathOf(e.instancePath, k), message: `is not a known field; expected one of: ${allowed.join(', ')}` }));
    }
    case 'type': {
      const t = String(p.type);
      const article = t === 'integer' || t === 'array' || t === 'object' ? 'an' : 'a';
      return [{ path, message: `must be ${article} ${t}${describe(here)}` }];
    }
    case 'minimum': return [{ path, message: `must be >= ${p.limit}${describe(here)}` }];
    case 'exclusiveMinimum': return [{ path, message: `must be > ${p.limit}${describe(here)}` }];
    case 'maximum': return [{ path, message: `must be <= ${p.limit}${describe(here)}` }];
    case 'exclusiveMaximum': return [{ path, message: `must be < ${p.limit}${describe(here)}` }];
    case 'minItems': return [{ path, message: `must have at least ${p.limit ?? here?.minItems} item(s)` }];
    case 'maxItems': return [{ path, message: `must have at most ${p.limit ?? here?.maxItems} items` }];
    case 'maxProperties': return [{ path, message: `must have at most ${p.limit ?? here?.maxProperties} entries` }];
    case 'minLength': return [{ path, message: `must not be empty` }];
    case 'const': return [{ path, message: `must be ${JSON.stringify(p.allowedValue)}` }];
    case 'enum': return [{ path, message: `must be one of ${JSON.stringify(p.allowedValues)}` }];
    case 'pattern': return [{ path, message: `must be${describe(here) || ` a string matching ${p.pattern}`}`.replace('must be (', 'must be ').replace(/\)$/, '') }];
    case 'anyOf': return [{ path, message: `must be ${here?.description ?? 'one of the allowed forms'}` }];
    default: return [{ path, message: `is not valid (${e.keyword})` }];
  }
}

/** Keeps, for each union, the errors of the branch the value was meant to match. */
function pruneUnions(errors: RawError[], schema: TSchema, value: Json): RawError[] {
  let rest = errors.filter((e) => e.keyword !== 'boolean');
  const unions = rest.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const u of unions) {
    if (!rest.includes(u)) continue;
    const prefix = `${u.schemaPath}/anyOf/`;
    const inner = rest.filter((e) => e.schemaPath.startsWith(prefix));
    rest = rest.filter((e) => e !== u && !e.schemaPath.startsWith(prefix));
    const branches: any[] = ((at(schema, u.schemaPath) as any)?.anyOf ?? []) as any[];
    const v = at(value, '#' + u.instancePath) as any;
    let chosen = -1;
    const keyed = branches.some((b) => b?.properties?.kind?.const !== undefined);
    if (keyed && v && typeof v === 'object' && !Array.isArray(v) && 'kind' in v) {
      chosen = branches.findIndex((b) => b?.properties?.kind?.const === v.kind);
      if (chosen < 0) {
        const kinds = branches.map((b) => b?.properties?.kind?.const).filter((k) => k !== undefined);
        rest.push({ keyword: 'enum', schemaPath: u.schemaPath, instancePath: `${u.instancePath}/kind`, params: { allowedValues: kinds } });
        continue;
      }
    } else {
      const t = jsonType(v);
      const matching = branches.map((b, i) => (schemaAccepts(b, t) ? i : -1)).filter((i) => i >= 0);
      if (matching.length === 1) chosen = matching[0];
    }
    if (chosen >= 0) {
      const pre = `${prefix}${chosen}`;
      rest.push(...inner.filter((e) => e.schemaPath === pre || e.schemaPath.startsWith(`${pre}/`)));
    } else {
      rest.push(u);
    }
  }
  return rest;
}

/**
 * TypeBox reports an unknown field twice: once per field (a `boolean` error at the
 * schema's `additionalProperties: false`) and once for the object with the list of
 * them, last. The list is lost when the error count reaches maxErrors, so each
 * field's own error is read as an unknown field (the list then repeats them; the
 * repeats are dropped as duplicates).
 */
function unknownField(e: RawError): RawError {
  if (e.keyword !== 'boolean' || !e.schemaPath.endsWith('/additionalProperties')) return e;
  const cut = e.instancePath.lastIndexOf('/');
  const key = decodePointer('#' + e.instancePath.slice(cut)).pop() ?? '';
  return {
    keyword: 'additionalProperties',
    schemaPath: e.schemaPath.slice(0, -'/additionalProperties'.length) || '#',
    instancePath: e.instancePath.slice(0, cut),
    params: { additionalProperties: [key] },
  };
}

/** Each schema compiled once (a scenario's takes 25-40 ms: a sweep or compare validates many variants). */
const COMPILED = new WeakMap<TSchema, ReturnType<typeof Compile>>();
function compiledOf(schema: TSchema): ReturnType<typeof Compile> {
  let c = COMPILED.get(schema);
  if (c === undefined) {
    c = Compile(schema);
    COMPILED.set(schema, c);
  }
  return c;
}

/**
 * Checks of each schema by TypeBox's interpreter before it is compiled: a command that
 * loads one scenario checks it in about 10 ms that way, against 35-45 ms to compile the
 * checker first (measured from the bundle, cold). Compiling pays from a few checks on
 * (the variants of a sweep, a compare), and the errors of a value that fails come from
 * the compiled checker, the one place they are read from.
 */
const INTERPRETED_CHECKS = 2;
const checks = new WeakMap<TSchema, number>();

/** Validates `value` against `schema` and returns every issue (empty when valid). */
export function validateAgainst(schema: TSchema, value: Json): Issue[] {
  const n = checks.get(schema) ?? 0;
  checks.set(schema, n + 1);
  if (n < INTERPRETED_CHECKS && !COMPILED.has(schema) && Value.Check(schema, value)) return [];
  const compiled = compiledOf(schema);
  if (compiled.Check(value)) return [];
  const raw = ([...compiled.Errors(value)] as unknown as RawError[]).map(unknownField);
  const pruned = pruneUnions(raw, schema, value);
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const e of pruned) {
    for (const m of message(e, schema)) {
      const key = `${m.path}|${m.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const segs = pathSegments(m.path);
      let v: any = value;
      for (const s of segs) v = v === null || typeof v !== 'object' ? undefined : v[s];
      issues.push({ path: m.path, value: v, message: m.message });
    }
  }
  if (issues.length === 0) issues.push({ path: '', message: 'does not match the scenario schema (no field could be named)' });
  return issues;
}
