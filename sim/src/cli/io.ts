/** Where a command writes: the terminal, or a test's buffers. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * Writes lines to a standard stream. A reader that goes away (`cctwin runs export 1
 * --format csv | head`) closes the pipe: what is left to print is dropped and the
 * command ends as it would have (its run stored, its exit code), without the stack
 * trace of an unhandled EPIPE.
 */
function lineWriter(stream: NodeJS.WriteStream): (s: string) => void {
  let closed = false;
  let listening = false;
  return (s) => {
    if (!listening) {
      listening = true;
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
        closed = true;
      });
    }
    if (!closed && !stream.destroyed) stream.write(s.endsWith('\n') ? s : `${s}\n`);
  };
}

export const stdio: Io = {
  out: lineWriter(process.stdout),
  err: lineWriter(process.stderr),
};

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
