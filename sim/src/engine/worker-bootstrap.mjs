// Piscina loads plain JavaScript; the engine is TypeScript. This bootstrap registers
// tsx's loader in the worker thread, then loads the TypeScript worker module, so the
// same sources run under bin/cctwin.js, bench/ and vitest without a build step.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./replication-worker.ts');

export default mod.default;
