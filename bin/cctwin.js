#!/usr/bin/env node
// The `cctwin` command. The sources are TypeScript; tsx compiles them on load (esbuild,
// cached), so a checkout runs without a build step and never runs stale output.
import './v8-flags.js';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sim/src/cli.ts');
process.exitCode = await main(process.argv);
