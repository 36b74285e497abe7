#!/usr/bin/env node
// Build step (run by `npm run build` after tsc): the `cctwin` command, its worker
// threads and the library entry as esbuild bundles in dist/bundle/. The package ships
// these and the .d.ts files of tsc's output (dist/sim/src); the tests and benchmarks
// that run the sources use tsc's JavaScript, which is not published. Bundles, because
// loading a few files starts a command several times faster than loading hundreds:
// `import 'typebox'` alone is about 700 files and 170-270 ms, `effect`'s modules 360
// more (docs/start-up.md has the measurements).
//
//   dist/bundle/cli.js, twin.js      the CLI and the twin's commands (ESM), split
//                                    into shared chunks: each command still loads
//                                    only what it imports (`await import()` in
//                                    cli/program.ts stays a separate chunk)
//   dist/bundle/index.js             the library (sim/src/index.ts: package.json's
//                                    exports), sharing those chunks
//   dist/bundle/replication-worker-entry.cjs
//                                    a pool thread's module (engine/pool.ts), one
//                                    CommonJS file (replication-worker-entry.cts
//                                    says why CommonJS)
//   dist/bundle/predict-worker.js    a thread of the load predictor (twin-api/load)
//   dist/bundle/meta.json            which sources went into which file (the
//                                    package test reads it)
//   dist/build-info.json             the git commit built (runs/code-version.ts:
//                                    a command then need not ask git at start-up)
//
// Bundled: the project's code and the pure-JavaScript libraries a command starts
// with (BUNDLED below), with everything those libraries import (cli-progress's
// string-width, for one: left as an import, it would resolve from dist/bundle/, not
// from cli-progress's folder). Left as imports of node_modules: the other packages the
// project's code imports (all of them dependencies in package.json): native modules,
// libraries that start threads or read files of their own package, and those only a
// few commands use, whose start-up does not matter.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = `${ROOT}dist/bundle`;
const BUNDLED = new Set(['typebox', 'effect', 'yaml', 'seedrandom', 'commander', 'cli-progress']);

/**
 * The project's bare imports of packages not in BUNDLED stay imports (resolved from
 * node_modules at run time); a bundled library's own imports are bundled with it
 * (esbuild leaves Node's built-in modules as imports on the node platform).
 */
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      if (args.importer.includes('/node_modules/')) return undefined;
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  plugins: [externals],
  // The bundled CommonJS libraries (seedrandom, commander, cli-progress) require() Node's
  // modules: an ES module bundle gives them a require of its own.
  logLevel: 'warning',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
};
const esmBanner = { js: "import { createRequire as __cctwinRequire } from 'node:module'; const require = __cctwinRequire(import.meta.url);" };

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const results = await Promise.all([
  build({
    ...common,
    entryPoints: { cli: `${ROOT}sim/src/cli.ts`, twin: `${ROOT}twin-api/commands.ts`, index: `${ROOT}sim/src/index.ts` },
    outdir: OUT,
    format: 'esm',
    splitting: true,
    chunkNames: '[name]-[hash]',
    banner: esmBanner,
    metafile: true,
  }),
  build({
    ...common,
    entryPoints: { 'replication-worker-entry': `${ROOT}sim/src/engine/replication-worker.ts` },
    outdir: OUT,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // A plug-in policy in TypeScript is loaded with tsx relative to this module's URL.
    define: { 'import.meta.url': '__cctwinUrl' },
    banner: { js: "const __cctwinUrl = require('node:url').pathToFileURL(__filename).href;" },
    metafile: true,
  }),
  build({
    ...common,
    entryPoints: { 'predict-worker': `${ROOT}twin-api/load/predict-worker.ts` },
    outdir: OUT,
    format: 'esm',
    banner: esmBanner,
    metafile: true,
  }),
]);
const { gitCommit } = await import('../dist/sim/src/runs/code-version.js');
writeFileSync(`${ROOT}dist/build-info.json`, `${JSON.stringify({ commit: gitCommit(ROOT) })}\n`);
const outputs = Object.assign({}, ...results.map((r) => r.metafile.outputs));
writeFileSync(`${OUT}/meta.json`, `${JSON.stringify({ outputs: Object.fromEntries(Object.entries(outputs).map(([f, o]) => [f, Object.keys(o.inputs)])) })}\n`);
