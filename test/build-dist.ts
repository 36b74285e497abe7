import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: the tests that start worker threads or the `cctwin` bin run the
 * compiled dist/, so it is rebuilt here whenever a source is newer than it (or it is
 * missing): a test never runs stale output.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const marker = join(ROOT, 'dist', 'sim', 'src', 'cli.js');
  const twinMarker = join(ROOT, 'dist', 'twin-api', 'serve.js');
  const built = existsSync(marker) && existsSync(twinMarker) ? Math.min(newest(join(ROOT, 'dist', 'sim', 'src')), newest(join(ROOT, 'dist', 'twin-api'))) : 0;
  const sources = Math.max(newest(join(ROOT, 'sim', 'src')), newest(join(ROOT, 'twin-api')), statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs, statSync(join(ROOT, 'tsconfig.json')).mtimeMs);
  if (built >= sources) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}
