import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { SimError } from '../errors.ts';

/**
 * Reading a scenario file, with limits: a scenario is a few kilobytes of YAML (the
 * largest in scenarios/ is under 100 KB), so a file past the cap is refused before it
 * is parsed, and a device (`/dev/zero`, `/dev/urandom`) is refused before it is read.
 */
export const MAX_SCENARIO_BYTES = 8 * 1024 * 1024;

function readError(file: string, why: string, message: string): SimError {
  return new SimError('SIM_ERR_SCENARIO_READ', `cannot read scenario ${file}: ${why}`, [{ path: file, message }]);
}

/** The text of a scenario file (UTF-8), or a SIM_ERR_SCENARIO_READ naming the file and why. */
export function readScenarioFile(file: string, maxBytes = MAX_SCENARIO_BYTES): string {
  // A FIFO or a device is refused before it is opened: opening a FIFO waits for a
  // writer, reading a device may never end.
  try {
    const st = statSync(file);
    if (!st.isFile() && !st.isDirectory()) throw readError(file, 'is not a regular file', 'must be a scenario file (a device, pipe or socket is not read)');
  } catch (e) {
    if (e instanceof SimError) throw e;
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : `cannot be opened (${code ?? 'unknown error'})`;
    throw readError(file, why, `must be a readable scenario file: ${why}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw readError(file, 'is a directory', 'must be a scenario file, not a directory');
    if (!st.isFile()) throw readError(file, 'is not a regular file', 'must be a scenario file (a device, pipe or socket is not read)');
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        throw readError(file, `larger than ${maxBytes / 1024 / 1024} MB`, `must be at most ${maxBytes / 1024 / 1024} MB (a scenario is a few kilobytes of YAML)`);
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    const bytes = Buffer.concat(chunks, total);
    if (bytes.includes(0)) throw readError(file, 'is binary', 'must be YAML text (the file contains NUL bytes)');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw readError(file, 'is not UTF-8 text', 'must be YAML text in UTF-8');
    }
  } catch (e) {
    if (e instanceof SimError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'unknown error'})`;
    throw readError(file, why, `must be a readable scenario file: ${why}`);
  } finally {
    closeSync(fd);
  }
}
