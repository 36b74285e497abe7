/**
 * Child of bench/package.ts: the hand-tight loop (bench/hand-tight.ts) doing DAYS days
 * of the Erlang-A day in one fresh process, timed from the first day (JIT warm-up
 * included, process start-up not), as `erlang a --simulate --workers 1` is timed.
 */
import { handTightErlangA } from './hand-tight.ts';

const days = Number(process.argv[2] ?? 20);
const t0 = performance.now();
let events = 0;
for (let d = 0; d < days; d++) events += handTightErlangA(160000 / 86400, 180, 300, 350, 86400, 20, `day${d}`).events;
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, events })}\n`);
