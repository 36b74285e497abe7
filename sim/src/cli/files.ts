import { accessSync, closeSync, constants, lstatSync, openSync, readlinkSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { SimError } from '../errors.ts';
import { RunStore, type StoreAccess } from '../runs/store.ts';
import type { FlagChecker } from './options.ts';

/**
 * The files a command reads and writes, checked before any work: an output must be a
 * file in a folder that exists (or that the command creates) and can be written, and
 * never one of the command's inputs, the run store or another output, whatever path
 * or link names it. A run that takes an hour must not fail at the end on its --out,
 * and no command may overwrite the scenario, the logs or the store it was given.
 */

export interface FileArg {
  /** The flag, without dashes ('' for an argument). */
  flag: string;
  /** The value given, shown in the message. */
  value: string;
  /** The file meant, when it is not the value itself (calibrate's sidecar). */
  path?: string;
  /** What it is, in a message: "the scenario file", "the run store". */
  what: string;
}

export interface OutputFile extends FileArg {
  /** The command creates missing folders on the way (the run store, calibrate's scenario). */
  makesFolder?: boolean;
  /** SQLite writes beside it (-wal, -shm): its folder must be writable even when it exists. */
  store?: boolean;
}

const pathOf = (a: FileArg) => a.path ?? a.value;

/** Files that are part of the run store: SQLite keeps its journal beside it. */
function withCompanions(a: FileArg, store: boolean): FileArg[] {
  if (!store) return [a];
  const p = pathOf(a);
  return [a, ...['-wal', '-shm', '-journal'].map((s) => ({ ...a, path: `${p}${s}`, what: `${a.what}'s ${s} file` }))];
}

/**
 * A key equal for two paths that name the same file: device and inode when it exists
 * (symbolic and hard links alike), else the real folder and the name (a dangling
 * link: where it points).
 */
function identity(path: string, depth = 0): string {
  try {
    const st = statSync(path, { bigint: true });
    return `inode:${st.dev}:${st.ino}`;
  } catch {
    // missing (or unreadable): by path
  }
  try {
    if (depth < 40 && lstatSync(path).isSymbolicLink()) {
      const target = readlinkSync(path);
      return identity(isAbsolute(target) ? target : join(dirname(path), target), depth + 1);
    }
  } catch {
    // not a link
  }
  const abs = resolve(path);
  try {
    return `path:${join(realpathSync(dirname(abs)), basename(abs))}`;
  } catch {
    return `path:${abs}`;
  }
}

const writable = (p: string) => {
  try {
    accessSync(p, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Why `o` cannot be written where it is, as "what is expected"; null when it can. */
function placeProblem(o: OutputFile): string | null {
  const path = pathOf(o);
  if (path.trim() === '') return 'must be a file path';
  const shownDir = dirname(path);
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return 'must be in a folder (a part of its path is a file)';
  }
  if (st) {
    if (st.isDirectory()) return 'must be a file, not a folder';
    try {
      accessSync(path, constants.W_OK);
    } catch {
      return 'must be writable (the file is read-only)';
    }
    if (o.store && !writable(dirname(resolve(path)))) return `must be in a writable folder (${shownDir} is not writable, and SQLite writes its journal there)`;
    return null;
  }
  // A new file: its folder, or the nearest folder that exists when the command makes the rest.
  const dir = dirname(resolve(path));
  let existing = dir;
  for (;;) {
    try {
      statSync(existing);
      break;
    } catch {
      const up = dirname(existing);
      if (up === existing) break;
      existing = up;
    }
  }
  if (existing !== dir && !o.makesFolder) return `must be in an existing folder (${shownDir} does not exist)`;
  let isDir = false;
  try {
    isDir = statSync(existing).isDirectory();
  } catch {
    // unreadable: reported as not writable below
  }
  if (!isDir) return `must be in a folder (${existing === dir ? shownDir : existing} is a file)`;
  if (!writable(existing)) {
    return existing === dir ? `must be in a writable folder (${shownDir} is not writable)` : `must be in a folder cctwin can create (${existing} is not writable)`;
  }
  // The permissions say yes; a folder that takes no new file (/proc, a read-only mount
  // for root) says no only when asked: create the file and remove it.
  if (existing === dir) {
    try {
      closeSync(openSync(path, 'wx'));
      unlinkSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EEXIST') return `must be in a folder where files can be created (${shownDir} refused one: ${code || 'unknown error'})`;
    }
  }
  return null;
}

/**
 * Adds an issue to `f` for every output that cannot be written or that is an input,
 * the run store or another output (all of them, in one report). With `store`, the
 * run store is checked too: an output to write into, or an input to read.
 */
export function checkFiles(
  f: FlagChecker,
  files: { outputs: OutputFile[]; inputs?: FileArg[]; store?: { arg: FileArg; access: StoreAccess; mustExist?: boolean } },
): void {
  const { outputs, inputs = [], store } = files;
  const seen: { arg: FileArg; key: string }[] = [];
  const known = (args: FileArg[], isStore: boolean) => {
    for (const a of args) for (const c of withCompanions(a, isStore)) seen.push({ arg: c, key: identity(pathOf(c)) });
  };
  known(inputs, false);
  if (store) {
    const { arg, access, mustExist } = store;
    const path = pathOf(arg);
    const place = access === 'write' ? placeProblem({ ...arg, makesFolder: !mustExist, store: true }) : path.trim() === '' ? 'must be a file path' : null;
    const problem = place ?? RunStore.problem(path, mustExist ? 'read' : access) ?? null;
    if (problem) f.fail(arg.flag, arg.value, problem);
    known([arg], true);
  }
  const placed = new Set<string>();
  for (const o of outputs) {
    const path = pathOf(o);
    const prefix = o.path !== undefined ? `${o.what} ${o.path} ` : '';
    const place = placeProblem(o);
    if (place) {
      // A file beside another (calibrate's sidecar) shares its folder's problem: said once.
      const key = `${o.flag}\0${o.value}\0${place}`;
      if (!placed.has(key) || !/folder/.test(place)) f.fail(o.flag, o.value, prefix + place);
      placed.add(key);
      continue;
    }
    const key = identity(path);
    const clash = seen.find((s) => s.key === key);
    if (clash) {
      const how = pathOf(clash.arg) === path ? 'the same path' : 'the same file, by another path or a link';
      const flag = clash.arg.flag === '' ? pathOf(clash.arg) : `--${clash.arg.flag} ${clash.arg.value}`;
      f.fail(o.flag, o.value, `${prefix}must not be ${clash.arg.what} (${flag}: ${how}): writing it would destroy it`);
    }
    seen.push({ arg: o, key });
  }
}

/** Opens the run store; a file that cannot be one is an input error on --db. */
export function openStore(db: string, access: StoreAccess): RunStore {
  try {
    return access === 'read' ? RunStore.openReadOnly(db) : RunStore.open(db);
  } catch (e) {
    if (!(e instanceof SimError) || e.code !== 'SIM_ERR_BAD_ARGUMENT') throw e;
    throw new SimError('SIM_ERR_BAD_ARGUMENT', e.message, e.issues.map((i) => ({ ...i, path: '--db' })));
  }
}
