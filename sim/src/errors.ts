/**
 * Coded errors of the simulator (Fastify's FST_ERR_* pattern): a stable `code`, a
 * message for people, and for input errors every issue at once.
 *
 * Every code is listed once, in ERROR_CODES, with what it means for a caller: `input`
 * (the user's scenario, flag, body or log is wrong: the CLI exits 2, the twin answers
 * 4xx) or not (a failure while running: exit 1, HTTP 5xx or the status given). The
 * engine and model throw `EngineError`; a plain `Error` or `RangeError` that escapes is a
 * programming bug and never looks like bad input.
 */
export const ERROR_CODES = {
  /** A scenario, log or policy file cannot be read. */
  SIM_ERR_SCENARIO_READ: { input: true, status: 400 },
  /** A scenario does not validate: `issues` lists every problem. */
  SIM_ERR_SCENARIO_INVALID: { input: true, status: 422 },
  /** A flag or argument is out of its domain. */
  SIM_ERR_BAD_ARGUMENT: { input: true, status: 400 },
  /**
   * A call log or count series cannot be used: unreadable, a bad header, no rows, bad rows
   * (more than `--max-bad-rows`), or too little in it for a fit (no abandonments, ...).
   */
  SIM_ERR_CALL_LOG: { input: true, status: 422 },
  /** The run store could not be written while running (disk full, the file locked or gone read-only). */
  SIM_ERR_RUN_STORE: { input: false, status: 500 },
  /**
   * The Redis backend failed: Redis cannot be reached (or was lost for too long while
   * running), or the workers refused a job (another engine version, a scenario they
   * cannot compile).
   */
  SIM_ERR_BACKEND: { input: false, status: 503 },
  /** A result buffer of another layout or version. */
  SIM_ERR_RESULT_LAYOUT: { input: false, status: 500 },
  /** `inject` or a live control named a contact type, site or group the model does not have. */
  ENGINE_ERR_UNKNOWN_ID: { input: true, status: 422 },
  /** `inject` or `advanceTo` asked for a time before the simulation clock: the engine never rewrites history. */
  ENGINE_ERR_TIME_IN_PAST: { input: true, status: 409 },
  /** A live-run operation that its state does not allow (a finished run, a site already down, an open-ended run asked to run to the end). */
  ENGINE_ERR_STATE: { input: true, status: 409 },
  /** A live-run argument of the right kind but a wrong value (a non-finite time or id, a staffing above the group's size, an unknown failure mode). */
  ENGINE_ERR_BAD_VALUE: { input: true, status: 422 },
  /** `inject` was given an external id that a contact of the live run still holds (not yet ended and drained). */
  ENGINE_ERR_DUPLICATE_ID: { input: true, status: 409 },
  /** A plug-in routing policy was not loaded on this thread before the replication was built. */
  ENGINE_ERR_POLICY_NOT_LOADED: { input: false, status: 500 },
  /** A plug-in routing policy cannot be loaded or does not have the expected shape. */
  ENGINE_ERR_POLICY_LOAD: { input: true, status: 422 },
  /** A plug-in routing policy's score() threw or returned something other than a finite number. */
  ENGINE_ERR_POLICY_RESULT: { input: true, status: 422 },
  /** A limit of the engine was reached while running (events, memory). */
  ENGINE_ERR_LIMIT: { input: false, status: 507 },
} as const satisfies Record<string, { input: boolean; status: number }>;

export type SimErrorCode = keyof typeof ERROR_CODES;

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

  /** True when the caller's input is at fault (CLI exit 2, HTTP 4xx). */
  get isInput(): boolean {
    return ERROR_CODES[this.code].input;
  }

  /** The HTTP status the twin answers with. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** Errors raised by the engine and the model while building or running a replication. */
export class EngineError extends SimError {
  constructor(code: SimErrorCode, message: string, issues: readonly Issue[] = []) {
    super(code, message, issues);
    this.name = 'EngineError';
  }
}

/** A bad argument to a library function (analytic formulas, engine calls): an input error. */
export function badArgument(message: string, path = '', value?: unknown): SimError {
  return new SimError('SIM_ERR_BAD_ARGUMENT', message, path === '' ? [] : [{ path, value, message }]);
}

/** True for an error the caller's input caused (exit 2). */
export function isInputError(e: unknown): e is SimError {
  return e instanceof SimError && e.isInput;
}

/** Renders a value for an error message: short, JSON-like, never "[object Object]". */
export function showValue(v: unknown): string {
  if (v === undefined) return '(missing)';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  let s: string;
  try {
    // NaN and Infinity inside a list or object too: JSON would print them as null.
    s = JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `${x}` : x)) ?? String(v);
    s = s.replace(/"(NaN|-?Infinity)"/g, '$1');
  } catch {
    s = String(v);
  }
  if (s.length <= 60) return s;
  // A long string keeps its closing quote, so that the message after it reads as the message.
  return typeof v === 'string' ? `${s.slice(0, 56)}..."` : `${s.slice(0, 57)}...`;
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

const WIRE = 'cctwin-sim-error:';

/**
 * A SimError as text, to cross a thread boundary (a worker's thrown error reaches the
 * pool as a plain Error with its message only); `fromWire` turns it back, code and
 * issues included.
 */
export function toWire(e: SimError): string {
  return WIRE + JSON.stringify({ code: e.code, message: e.message, issues: e.issues });
}

export function fromWire(message: string): SimError | null {
  const at = message.indexOf(WIRE);
  if (at < 0) return null;
  try {
    const o = JSON.parse(message.slice(at + WIRE.length)) as { code: SimErrorCode; message: string; issues: Issue[] };
    if (!(o.code in ERROR_CODES)) return null;
    return new SimError(o.code, o.message, o.issues);
  } catch {
    return null;
  }
}
