/**
 * A scenario field's default, written once: the schema carries it as the JSON Schema
 * `default` (load applies it with TypeBox's Value.Default, editors show it from
 * scenarios/schema.json), and the description's "(default ...)" is generated from
 * the same value, so the words and the number cannot disagree.
 *
 * Kept apart from schema.ts so that demand-schema.ts and workforce-schema.ts, which
 * schema.ts imports, can use it without an import cycle.
 */

/** How a default reads in a description: strings as they are, distributions by kind and parameters. */
export function defaultText(value: unknown, unit = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return unit === '' ? String(value) : `${value} ${unit}`;
  if (value && typeof value === 'object' && 'kind' in value) {
    const { kind, ...params } = value as Record<string, unknown>;
    return [String(kind), ...Object.entries(params).map(([k, v]) => `${k} ${v}`)].join(', ');
  }
  return JSON.stringify(value);
}

/**
 * Schema options of a field with a default: `Type.Number({ minimum: 0, ...withDefault(0, 'seconds') })`.
 * `unit` is appended to a number in the text ("(default 30 s)"); durations given as
 * strings ("15m") carry their own.
 */
export function withDefault<V>(value: V, description: string, unit = ''): { default: V; description: string } {
  return { default: value, description: `${description} (default ${defaultText(value, unit)})` };
}
