import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { SimError, formatIssues } from './errors.ts';
import { exitCodeOf, printable, stdio, type Io, type SetCode } from './cli/io.ts';
import { defineCommands, type CommandHooks } from './cli/program.ts';
import { setUnknownFlags, withCommandLine } from './cli/options.ts';
import { deferUnknownFlags } from './cli/unknown-flags.ts';

/**
 * The `cctwin` command line. cli/program.ts defines the commands; each lives in
 * sim/src/cli/<command>.ts, imported when it runs. Exit codes: 0 success, 1 failure while running, 2 bad
 * input (scenario file, flags, output files), 128 + the signal that stopped a run (130 Ctrl-C, 143 SIGTERM,
 * 129 SIGHUP).
 */

// ---------------------------------------------------------------- main

/** The version in the package's own package.json (found upwards from this module, in the sources or in dist/). */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cctwin' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look one folder up
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

export function buildProgram(io: Io, setCode: SetCode, hooks: CommandHooks = {}): Command {
  const program = new Command('cctwin')
    .description('Discrete-event simulator and digital twin of a large customer contact center')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showHelpAfterError('(run with --help for usage)');

  defineCommands(program, io, setCode, hooks);
  deferUnknownFlags(program, setUnknownFlags);
  return program;
}

/** Runs the CLI; returns the exit code. Never prints a stack trace for bad input. */
export async function main(argv: string[], raw: Io = stdio, hooks: CommandHooks = {}): Promise<number> {
  // Whatever a scenario, a log or a flag carries reaches the terminal as text, never as
  // a control sequence (a name with ESC codes could rewrite the screen or the title).
  const io: Io = { out: (s) => raw.out(printable(s)), err: (s) => raw.err(printable(s)) };
  let code = 0;
  const program = buildProgram(io, (c) => { code = c; }, hooks);
  try {
    await withCommandLine(() => program.parseAsync(argv));
    return raw === stdio ? exitCodeOf(code) : code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof SimError) {
      io.err(`error: ${e.message}`);
      if (e.issues.length > 0) io.err(formatIssues(e.issues));
      return e.isInput ? 2 : 1;
    }
    // A file the system would not read or write after the checks passed (the disk filled,
    // a folder removed meanwhile): the system's word for it, not a bug (exit 1).
    const sys = e as NodeJS.ErrnoException;
    if (typeof sys?.code === 'string' && /^E[A-Z]+$/.test(sys.code) && typeof sys.path === 'string' && typeof sys.syscall === 'string') {
      io.err(`error: cannot ${sys.syscall} ${sys.path}: ${sys.code}`);
      return 1;
    }
    // Not an error cctwin foresaw: a bug, said as such (exit 1), with the stack only on request.
    const err = e as Error;
    io.err(`error: cctwin failed unexpectedly (a bug, please report it): ${String(err?.message ?? e).split('\n')[0]}`);
    if (process.env.CCTWIN_DEBUG) io.err(err?.stack ?? '');
    else io.err('(set CCTWIN_DEBUG=1 to print the stack trace)');
    return 1;
  }
}
