import seedrandom from 'seedrandom';

/**
 * Seeded random streams. There is no global generator (SimPy's "defense of design"
 * makes the same choice): every source of randomness in a model owns one stream,
 * derived from (scenario seed, replication index, stream name). Adding a stream, or
 * drawing more from one, leaves every other stream's numbers unchanged, which is
 * what common random numbers between two variants of a scenario need.
 *
 * The generator is seedrandom's Alea (fast, 2^116 period, good statistical quality
 * for simulation use); `next()` returns a double in [0, 1) with 53 random bits.
 */
export class Stream {
  // Alea's state. seedrandom seeds it (Baagoe's Mash of the key); the recurrence
  // then runs here, on plain fields, so the hot loop can inline it: the numbers are
  // exactly those of seedrandom.alea(key).double() (a test checks it).
  private s0: number;
  private s1: number;
  private s2: number;
  private c: number;
  /** Cached second normal deviate of the polar method (avoids an allocation). */
  private spare = 0;
  private hasSpare = false;

  constructor(readonly key: string) {
    const st = seedrandom.alea(key, { state: true }).state();
    this.s0 = st.s0;
    this.s1 = st.s1;
    this.s2 = st.s2;
    this.c = st.c;
  }

  /** Alea's step: a uniform double in [0, 1) with 32 random bits. */
  private step(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  /** Uniform double in [0, 1) with 53 random bits (seedrandom's prng.double()). */
  next(): number {
    return this.step() + ((this.step() * 0x200000) | 0) * 1.1102230246251565e-16; // 2^-53
  }

  /** Uniform double in (0, 1]: safe under log(). */
  nextOpen(): number {
    return 1 - this.next();
  }

  /** Standard normal deviate (Marsaglia polar method, one spare cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0, v = 0, s = 0;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }

  /** Exponential deviate with the given rate (per unit time). */
  exponential(rate: number): number {
    return -Math.log(this.nextOpen()) / rate;
  }
}

/** The key a stream is seeded from. Exported so tests can show the derivation. */
export function streamKey(seed: number | string, replication: number, name: string): string {
  return `cctwin/${seed}/${replication}/${name}`;
}

export function makeStream(seed: number | string, replication: number, name: string): Stream {
  return new Stream(streamKey(seed, replication, name));
}
