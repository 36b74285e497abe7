import { AsyncLocalStorage } from 'node:async_hooks';
import { SimError, type Issue } from '../errors.ts';

/**
 * Flag parsing that reports every bad flag at once (like scenario files): each
 * issue names the flag, the value given and what is expected.
 */
/**
 * One command line being run (cli.ts main): the flags it gave that its command does not
 * have (unknown-flags.ts). Every FlagChecker created while it runs, across its awaits,
 * starts with them, so the command stops at its first done() with them among its own
 * problems, before it does anything. Per command line, not per process: two main()
 * calls at once (tests, an embedding program) each see their own.
 */
const commandLine = new AsyncLocalStorage<{ unknownFlags: readonly Issue[] }>();

/** Runs `fn` as one command line. */
export function withCommandLine<T>(fn: () => T): T {
  return commandLine.run({ unknownFlags: [] }, fn);
}

/** Records the command line's unknown flags; false outside withCommandLine (they cannot be deferred then). */
export function setUnknownFlags(issues: readonly Issue[]): boolean {
  const line = commandLine.getStore();
  if (line === undefined) return false;
  line.unknownFlags = issues;
  return true;
}

export class FlagChecker {
  readonly issues: Issue[] = [...(commandLine.getStore()?.unknownFlags ?? [])];

  number(
    flag: string,
    raw: unknown,
    opts: { integer?: boolean; min?: number; exclusiveMin?: number; max?: number; exclusiveMax?: number; required?: boolean } = {},
  ): number | undefined {
    if (raw === undefined || raw === null) {
      if (opts.required) this.issues.push({ path: `--${flag}`, message: 'is required' });
      return undefined;
    }
    const s = String(raw).trim();
    // Decimal only: Number() would read `0x10` as 16 and `1e3` as 1000. A whole number
    // must also be exact in a double (a seed above 2^53 would collide with its neighbour).
    const decimal = opts.integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    const v = decimal.test(s) ? Number(s) : NaN;
    if (opts.integer && Number.isFinite(v) && !Number.isSafeInteger(v)) {
      this.issues.push({ path: `--${flag}`, value: s, message: `must be a whole number of at most ${Number.MAX_SAFE_INTEGER} (2^53 - 1)` });
      return undefined;
    }
    const kind = opts.integer ? 'a whole number' : 'a number';
    const bounds: string[] = [];
    if (opts.min !== undefined) bounds.push(`>= ${opts.min}`);
    if (opts.exclusiveMin !== undefined) bounds.push(`> ${opts.exclusiveMin}`);
    if (opts.max !== undefined) bounds.push(`<= ${opts.max}`);
    if (opts.exclusiveMax !== undefined) bounds.push(`< ${opts.exclusiveMax}`);
    const expected = `must be ${kind}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
    if (
      !Number.isFinite(v) ||
      (opts.integer && !Number.isInteger(v)) ||
      (opts.min !== undefined && v < opts.min) ||
      (opts.exclusiveMin !== undefined && v <= opts.exclusiveMin) ||
      (opts.max !== undefined && v > opts.max) ||
      (opts.exclusiveMax !== undefined && v >= opts.exclusiveMax)
    ) {
      this.issues.push({ path: `--${flag}`, value: s, message: expected });
      return undefined;
    }
    return v;
  }

  fail(flag: string, value: unknown, message: string): void {
    this.issues.push({ path: `--${flag}`, value, message });
  }

  /**
   * Runs `build` (reading and compiling a scenario) among the flags' checks: with no
   * flag problem so far, a coded error of its own is thrown as it is; with some, its
   * issues join theirs (every problem in one report, at done()) and the result is
   * undefined. Any other error is thrown.
   */
  collect<T>(build: () => T): T | undefined {
    if (this.issues.length === 0) return build();
    try {
      return build();
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      this.issues.push(...(e.issues.length > 0 ? e.issues : [{ path: '', message: e.message }]));
      return undefined;
    }
  }

  /** Throws one SimError with every issue collected so far. */
  done(command: string): void {
    if (this.issues.length > 0) {
      // Flags only: "bad options"; with a file's problems among them (a scenario that cannot be read): "problems".
      const what = this.issues.every((i) => i.path.startsWith('-') || /^[A-Z][A-Z_]*$/.test(i.path)) ? 'bad option' : 'problem'; // --flag or ID
      throw new SimError('SIM_ERR_BAD_ARGUMENT', `cctwin ${command}: ${this.issues.length} ${what}${this.issues.length === 1 ? '' : 's'}`, this.issues);
    }
  }
}

/**
 * The input files of a command that reads more than one (schedule: a scenario and a
 * shift file), each read whatever the others and the flags hold: at done(), a file's
 * problems alone are thrown as its own error; problems of several files, or of a file
 * and the flags, make one report with the flags' (every problem at once), each file's
 * tagged with the file (`templates[1].cost [shift file x.yaml]`: its lines are that
 * file's).
 */
export function readFiles<K extends string>(f: FlagChecker, files: Record<K, { what: string; file: string }>) {
  const failed: { key: K; error: SimError }[] = [];
  return {
    /** Runs `read`; a coded error is kept (under `key`, or the key chosen for it) and undefined returned. Any other error is thrown. */
    attempt<T>(key: K | ((e: SimError) => K), read: () => T): T | undefined {
      try {
        return read();
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        failed.push({ key: typeof key === 'function' ? key(e) : key, error: e });
        return undefined;
      }
    },
    /** Throws the problems found, the flags' and the files'; returns when there are none. */
    done(command: string): void {
      if (f.issues.length === 0 && failed.length === 1) throw failed[0].error;
      for (const { key, error } of failed) {
        const { what, file } = files[key];
        const issues = error.issues.length > 0 ? error.issues : [{ path: '', message: error.message }];
        // An issue of a flag (--shifts) or of the file itself (it cannot be read) names the file already.
        f.issues.push(...issues.map((i) => (i.path.startsWith('-') || i.path === file ? i : { ...i, path: `${i.path === '' ? '(file)' : i.path} [${what} ${file}]` })));
      }
      f.done(command);
    },
  };
}

