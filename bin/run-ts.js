#!/usr/bin/env node
// Development only: runs a TypeScript entry point of this package (benchmarks,
// generators) from the sources under tsx, with the engine's V8 flags.
import './v8-flags.js';
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

register();
const [file, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], file, ...rest];
await import(pathToFileURL(resolve(file)).href);
