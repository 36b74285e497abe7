// Child of bench/package.ts: how far this machine's cores scale on work that shares
// nothing, the reference for the pool figures. Two kinds of work, each on one worker
// thread and then on two at once (each thread doing the whole work again):
//   arithmetic  integer arithmetic on registers (four independent xorshift chains: no
//               memory, nothing allocated, no JIT work after the first milliseconds)
//   memory      random reads from the thread's own 1 MB array (it fits each core's L2
//               cache; the engine's state for baseline-day is 0.6 MB)
// Worker start-up (a few milliseconds) is inside each batch's time.
// Prints { arithmetic: { oneSeconds, twoSeconds }, memory: { ... } } as JSON (the batch of
// two threads first with the argument `two-first`). Cores that
// share nothing run two batches in the time of one (a speed-up of 2x); less means the
// cores lose time to each other when both run (shared caches, the memory bus, the
// host's other guests), whatever the program.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const CALLS = 300;

/** n rounds of four independent 32-bit xorshift generators. */
function arithmetic(n, a, b, c, d) {
  for (let i = 0; i < n; i++) {
    a ^= a << 13; a ^= a >>> 17; a ^= a << 5;
    b ^= b << 13; b ^= b >>> 17; b ^= b << 5;
    c ^= c << 13; c ^= c >>> 17; c ^= c << 5;
    d ^= d << 13; d ^= d >>> 17; d ^= d << 5;
  }
  return (a + b + c + d) | 0;
}

const table = new Float64Array(1 << 17); // 1 MB
for (let i = 0; i < table.length; i++) table[i] = i;

/** n reads at places drawn by a xorshift generator. */
function memory(n, x) {
  let acc = 0;
  const mask = table.length - 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; acc += table[(x >>> 0) & mask]; }
  return acc;
}

// Many calls of a short loop, not one long one: a function called often is optimized
// as a whole within milliseconds; one long loop waits for on-stack replacement, whose
// timing varied by a factor of two between otherwise identical batches.
function work(kind) {
  let acc = 0;
  for (let k = 0; k < CALLS; k++) acc += kind === 'memory' ? memory(1e6, k + 1) : arithmetic(1e6, k + 1, k + 2, k + 3, k + 4);
  return acc;
}

if (!isMainThread) {
  parentPort.postMessage(work(workerData));
} else {
  const batch = (kind, threads) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    let done = 0;
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL(import.meta.url), { workerData: kind });
      w.on('error', reject);
      w.on('message', () => { if (++done === threads) resolve((performance.now() - t0) / 1000); });
    }
  });
  // `two-first`: the two-thread batch before the one-thread one (bench/package.ts alternates).
  const twoFirst = process.argv.includes('two-first');
  const out = {};
  for (const kind of ['arithmetic', 'memory']) {
    if (twoFirst) { const twoSeconds = await batch(kind, 2); out[kind] = { oneSeconds: await batch(kind, 1), twoSeconds }; }
    else { const oneSeconds = await batch(kind, 1); out[kind] = { oneSeconds, twoSeconds: await batch(kind, 2) }; }
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
