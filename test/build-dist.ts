import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: the tests that start worker threads or the `cctwin` bin run the
 * compiled dist/ and its bundle (dist/bundle/, bin/bundle.js), so both are rebuilt here
 * whenever a source is newer than them (or they are missing): a test never runs stale
 * output. The same for the dashboard's build
 * (dist/dashboard/, from dashboard/), which the browser tests load.
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
  const markers = [join(ROOT, 'dist', 'sim', 'src', 'cli.js'), join(ROOT, 'dist', 'twin-api', 'serve.js'), join(ROOT, 'dist', 'bundle', 'meta.json')];
  const built = markers.every((m) => existsSync(m)) ? Math.min(newest(join(ROOT, 'dist', 'sim', 'src')), newest(join(ROOT, 'dist', 'twin-api')), newest(join(ROOT, 'dist', 'bundle'))) : 0;
  const sources = Math.max(newest(join(ROOT, 'sim', 'src')), newest(join(ROOT, 'twin-api')), ...['tsconfig.build.json', 'tsconfig.json', 'bin/bundle.js'].map((f) => statSync(join(ROOT, f)).mtimeMs));
  if (built < sources) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    execFileSync(process.execPath, [join(ROOT, 'bin', 'bundle.js')], { cwd: ROOT, stdio: 'inherit' });
  }
  // The dashboard (vite build into dist/dashboard/, as npm run build does): the browser tests load it.
  const page = join(ROOT, 'dist', 'dashboard', 'index.html');
  const dashBuilt = existsSync(page) ? statSync(page).mtimeMs : 0;
  if (dashBuilt >= newest(join(ROOT, 'dashboard'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'dashboard/vite.config.ts'], { cwd: ROOT, stdio: 'inherit' });
}
