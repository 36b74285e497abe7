// V8 tuning for the simulation's hot loop, set before any project code is compiled.
// The event handlers are large functions; with V8's default inlining limits (920
// bytes of bytecode inlined per function in all, 460 for any one callee) the small
// helpers they call (random draws, samplers) are not inlined, so every double they
// return is boxed on the heap, and the calendar's pop stays a call from the event
// loop. A cumulative budget of 2000 bought about 10% (bench/); 3000, with callees of
// up to 700 bytes, also inlines pop into the loop: about 4% more on the Erlang-A day
// (engine / hand-tight loop 1.90-1.98 against 1.97-2.06, alternating processes),
// neutral on the whole-center scenarios; larger limits were no better. The flags are
// process-wide, so worker threads started later share them.
import v8 from 'node:v8';

v8.setFlagsFromString('--max-inlined-bytecode-size-cumulative=3000 --max-inlined-bytecode-size=700');
