/**
 * Coded errors of the simulator (Fastify's FST_ERR_* pattern): a stable `code`, a
 * message for people, and for input errors every issue at once.
 */
export type SimErrorCode =
  | 'SIM_ERR_SCENARIO_READ'
  | 'SIM_ERR_SCENARIO_INVALID'
  | 'SIM_ERR_BAD_ARGUMENT'
  | 'SIM_ERR_RESULT_LAYOUT';

/** One problem in an input: where, what was there, what is expected. */
export interface Issue {
  /** Field path, dotted with [i] for array items, e.g. `handleTime.mean`, `agents[3]`. Empty for the whole document. */
  readonly path: string;
  /** The offending value (undefined when the field is missing). */
  readonly value?: unknown;
  /** What is expected, e.g. "must be > 0 (mean, seconds)". */
  readonly message: string;
  /** 1-based line in the source file, when known. */
  readonly line?: number;
}

export class SimError extends Error {
  constructor(
    readonly code: SimErrorCode,
    message: string,
    readonly issues: readonly Issue[] = [],
  ) {
    super(message);
    this.name = 'SimError';
  }
}

/** Renders a value for an error message: short, JSON-like, never "[object Object]". */
export function showValue(v: unknown): string {
  if (v === undefined) return '(missing)';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One line per issue: `line 12: handleTime.mean = -5: must be > 0`. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues
    .map((i) => {
      const where = i.line !== undefined ? `line ${i.line}: ` : '';
      const field = i.path === '' ? '(file)' : i.path;
      const val = 'value' in i && i.value !== undefined ? ` = ${showValue(i.value)}` : '';
      return `  ${where}${field}${val}: ${i.message}`;
    })
    .join('\n');
}
