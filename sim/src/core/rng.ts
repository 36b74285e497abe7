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
  private readonly prng: seedrandom.PRNG;
  /** Cached second normal deviate of the polar method (avoids an allocation). */
  private spare = 0;
  private hasSpare = false;

  constructor(readonly key: string) {
    this.prng = seedrandom.alea(key);
  }

  /** Uniform double in [0, 1). */
  next(): number {
    return this.prng.double();
  }

  /** Uniform double in (0, 1]: safe under log(). */
  nextOpen(): number {
    return 1 - this.prng.double();
  }

  /** Standard normal deviate (Marsaglia polar method, one spare cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0, v = 0, s = 0;
    do {
      u = 2 * this.prng.double() - 1;
      v = 2 * this.prng.double() - 1;
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
