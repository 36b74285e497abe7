// seedrandom's Alea generator on its own (core/rng.ts): the package's index also
// loads its other generators and node:crypto (to autoseed), which the engine never
// uses; a command that simulates paid for them in its start-up.
declare module 'seedrandom/lib/alea.js' {
  import type seedrandom from 'seedrandom';
  const alea: typeof seedrandom.alea;
  export default alea;
}
