import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The code version a run is stored with: the package version, plus the git commit
 * (and "+dirty" for uncommitted changes) when the code comes from a git checkout.
 */
let cached: string | undefined;

/** The package's folder and version: the nearest package.json named cctwin above this module (in the sources or in dist/). */
function packageRoot(): { root: string; version: string } | null {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cctwin' && pkg.version) return { root: fileURLToPath(dir), version: pkg.version };
    } catch {
      // no package.json here: look one folder up
    }
    if (dir.pathname === '/') return null;
  }
}

export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const pkg = packageRoot();
  // Without a package.json keep a placeholder: a run is still worth storing.
  const version = pkg?.version ?? '0.0.0';
  const root = pkg?.root ?? fileURLToPath(new URL('.', import.meta.url));
  cached = builtCommit(root) ?? gitCommit(root);
  cached = cached ? `${version} (${cached})` : version;
  return cached;
}

/**
 * The commit the compiled code was built from: dist/build-info.json, written by the
 * build (bin/bundle.js) from git, so that a command of the compiled package does not
 * ask git (two processes, about 50 ms of every run's start-up). It describes the code
 * that runs as it was built: a build made with uncommitted changes stays "+dirty"
 * until the next build, even once those changes are committed. '' when the build found
 * no git checkout (git is not asked then either); undefined when this module runs
 * from the TypeScript sources or there is no build-info.json (git is asked).
 */
function builtCommit(root: string): string | undefined {
  if (import.meta.url.endsWith('.ts')) return undefined;
  try {
    const info = JSON.parse(readFileSync(join(root, 'dist', 'build-info.json'), 'utf8')) as { commit?: unknown };
    return typeof info.commit === 'string' ? info.commit : undefined;
  } catch {
    return undefined;
  }
}

/** The checkout's commit, with "+dirty" for uncommitted changes to sim/; '' when root is not a git checkout. */
export function gitCommit(root: string): string {
  try {
    const opts = { cwd: root, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'], timeout: 2000 };
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'sim'], opts).trim();
    return commit && dirty ? `${commit}+dirty` : commit;
  } catch {
    return '';
  }
}

let cachedCode: string | undefined;

/**
 * A hash of the simulator's built code (every .js and .cjs file of dist/bundle/, by path
 * and content; the TypeScript sources when there is no build): what the bin, its
 * worker threads and the package's library entry run (the package ships no other
 * JavaScript of the simulator). Two processes with the same code
 * hash compute the same numbers, even when their version strings cannot tell (two
 * checkouts of one commit with different uncommitted changes, both "+dirty"). The
 * Redis backend refuses to mix results of different hashes (runs/redis-jobs.ts).
 * About 10 ms, once per process.
 */
export function engineCode(): string {
  if (cachedCode !== undefined) return cachedCode;
  const root = packageRoot()?.root ?? fileURLToPath(new URL('../../../', import.meta.url));
  const built = join(root, 'dist', 'bundle');
  const [dir, code] = existsSync(built) ? [built, /\.c?js$/] : [join(root, 'sim', 'src'), /\.ts$/];
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (code.test(e.name)) files.push(p);
    }
  };
  const h = createHash('sha256');
  try {
    walk(dir);
    for (const f of files.sort()) h.update(relative(dir, f)).update('\0').update(readFileSync(f)).update('\0');
  } catch {
    h.update(`unreadable:${codeVersion()}`);
  }
  cachedCode = h.digest('hex').slice(0, 16);
  return cachedCode;
}
