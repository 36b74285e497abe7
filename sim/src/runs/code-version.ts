import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The code version a run is stored with: the package version, plus the git commit
 * (and "+dirty" for uncommitted changes) when the sources are a git checkout.
 */
let cached: string | undefined;

export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;
  } catch {
    // keep the placeholder: a run is still worth storing
  }
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
