import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The code version a run is stored with: the package version, plus the git commit
 * (and "+dirty" for uncommitted changes) when the sources are a git checkout.
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
  let commit = '';
  try {
    const opts = { cwd: root, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'], timeout: 2000 };
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'sim'], opts).trim();
    if (commit && dirty) commit += '+dirty';
  } catch {
    commit = '';
  }
  cached = commit ? `${version} (${commit})` : version;
  return cached;
}
