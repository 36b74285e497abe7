// Child of bench/package.ts: runs one cctwin command in this process, as the compiled
// bin does (V8 flags first, then the bundle in dist/bundle/), and prints the wall seconds of the command
// alone: JIT warm-up included, process start-up and module loading before main() not.
import '../bin/v8-flags.js';

const { main } = await import('../dist/bundle/cli.js');
const quiet = { out: () => {}, err: () => {} };
const t0 = performance.now();
const code = await main(['node', 'cctwin', ...process.argv.slice(2)], quiet);
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ code, seconds })}\n`);
