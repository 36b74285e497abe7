// V8 tuning for the simulation's hot loop, set before any project code is compiled.
// The event handlers are large functions; with V8's default cumulative inlining
// budget (920 bytes of bytecode) the small helpers they call (random draws,
// samplers) are not inlined, so every double they return is boxed on the heap.
// A larger budget inlines them: about 10% faster and half the garbage (bench/).
// The flags are process-wide, so worker threads started later share them.
import v8 from 'node:v8';

v8.setFlagsFromString('--max-inlined-bytecode-size-cumulative=2000');
