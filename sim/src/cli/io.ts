/** Where a command writes: the terminal, or a test's buffers. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * Writes lines to a standard stream. A reader that goes away (`cctwin runs export 1
 * --format csv | head`) closes the pipe: what is left to print is dropped and the
 * command ends as it would have (its run stored, its exit code), without the stack
 * trace of an unhandled EPIPE. Any other failure to write (a full disk) is said in one
 * line on stderr and the command exits 1 whatever it would have returned: its output
 * is incomplete.
 */
function lineWriter(stream: NodeJS.WriteStream, name: string): (s: string) => void {
  let closed = false;
  let listening = false;
  return (s) => {
    if (!listening) {
      listening = true;
      stream.on('error', (e: NodeJS.ErrnoException) => {
        closed = true;
        if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
        outputFailed = true;
        process.exitCode = 1;
        if (stream !== process.stderr && !process.stderr.destroyed) process.stderr.write(`error: cannot write to ${name}: ${e.message}\n`);
      });
    }
    if (!closed && !stream.destroyed) stream.write(s.endsWith('\n') ? s : `${s}\n`);
  };
}

/** A standard stream failed other than by its reader going away: the exit code stays 1 (see setExitCode). */
let outputFailed = false;

export const stdio: Io = {
  out: lineWriter(process.stdout, 'standard output'),
  err: lineWriter(process.stderr, 'standard error'),
};

/** The exit code of a command run on stdio: its own, or 1 if its output could not be written. */
export function exitCodeOf(code: number): number {
  return outputFailed && code === 0 ? 1 : code;
}

/** Sets the process exit code of the command that ran. */
export type SetCode = (code: number) => void;

/**
 * Control characters shown as escapes (`\u001b`, `\u202e`): C0 and C1 controls but tab and
 * newline, DEL, and the Unicode bidirectional overrides that reorder what a terminal shows.
 * The escape is JSON's, so `--json` output stays valid JSON (inside a string it reads
 * back as the character itself).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(s: string): string {
  return s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
