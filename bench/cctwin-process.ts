import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The package folder. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Runs the compiled `cctwin ARGS` in a child process; resolves with its exit code and what it printed (stdout and stderr). */
export function cctwinProcess(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['bin/cctwin.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    p.stderr!.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}
