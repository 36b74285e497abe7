#!/usr/bin/env node
// The `cctwin` command: the bundled JavaScript in dist/bundle/ (built by `npm install`,
// or `npm run build` after a change to the sources; bin/bundle.js says why a bundle).
// The live twin and the load tools (`cctwin serve`, `k6`, `replay`, `compare-k6`) live
// in twin-api/, which the simulator never imports: their loader is handed in here.
import './v8-flags.js';

let cli;
try {
  cli = await import('../dist/bundle/cli.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist')) throw e;
  process.stderr.write('error: cctwin is not built (dist/ is missing): run `npm install` or `npm run build` in the package folder\n');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv, undefined, { twin: async () => (await import('../dist/bundle/twin.js')).twinCommands });
