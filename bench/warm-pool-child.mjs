// Child of bench/package.ts: the ceiling of the cold-pool figure. One process keeps a
// pool of 1 worker thread and one of 2 warm (each has run a replication per thread
// first), then times the same 20 baseline-day replications on each: what two threads
// gain once start-up, module loading and JIT warm-up are out of the way. Prints
// { oneSeconds, twoSeconds } as JSON. Uses the compiled library (dist/sim/src), the
// same engine code as the bundle the bin runs.
import '../bin/v8-flags.js';

const { loadScenario } = await import('../dist/sim/src/config/load.js');
const { withRunner } = await import('../dist/sim/src/engine/pool.js');
const cfg = loadScenario(new URL('../scenarios/baseline-day.yaml', import.meta.url).pathname);
const indexes = Array.from({ length: 20 }, (_, r) => r);
const timed = (workers) => withRunner({ workers, inProcess: false }, async (run) => {
  await run.run(cfg, indexes.slice(0, workers));
  const t0 = performance.now();
  await run.run(cfg, indexes);
  return (performance.now() - t0) / 1000;
});
const oneSeconds = await timed(1);
const twoSeconds = await timed(2);
process.stdout.write(`${JSON.stringify({ oneSeconds, twoSeconds })}\n`);
