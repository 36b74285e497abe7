// Child of bench/package.ts: how far this machine's cores scale on work that shares
// nothing, the reference for the pool figures. The same loop of integer arithmetic
// (no memory beyond registers, nothing allocated, no JIT work after the first
// milliseconds) on one worker thread, then on two at once;
// prints { oneSeconds, twoSeconds } (wall time of the whole batch) as JSON. Two cores
// that share nothing give twoSeconds = oneSeconds (a speed-up of 2x); less means the
// cores themselves, not the simulator, lose time when both run (a busy host, a shared
// physical core). bench/package.ts takes the median of the rounds' speed-ups.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

const CALLS = 400, ITERATIONS = 1e6;

/** n steps of a 32-bit xorshift generator: integer arithmetic on registers only. */
function chunk(n, x) {
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x = Math.imul(x, 0x9e3779b1) | 0; }
  return x;
}

// Many calls of a short loop, not one long one: a function called often is optimized
// as a whole within milliseconds; one long loop waits for on-stack replacement, whose
// timing varied by a factor of two between otherwise identical batches.
function work() {
  let acc = 0;
  for (let k = 0; k < CALLS; k++) acc = (acc + chunk(ITERATIONS, k + 1)) | 0;
  return acc;
}

if (!isMainThread) {
  parentPort.postMessage(work());
} else {
  const batch = (threads) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    let done = 0;
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL(import.meta.url));
      w.on('error', reject);
      w.on('message', () => { if (++done === threads) resolve((performance.now() - t0) / 1000); });
    }
  });
  const oneSeconds = await batch(1);
  const twoSeconds = await batch(2);
  process.stdout.write(`${JSON.stringify({ oneSeconds, twoSeconds })}\n`);
}
