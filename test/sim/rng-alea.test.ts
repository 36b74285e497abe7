import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Stream, streamKey } from '../../sim/src/core/rng.ts';

describe('Stream runs Alea itself', () => {
  it('draws exactly the numbers of seedrandom.alea(key).double()', () => {
    for (const key of [streamKey(1, 0, 'arrivals/calls'), streamKey(20100501, 7, 'handle/flight-zh-phone'), 'x']) {
      const ref = seedrandom.alea(key);
      const s = new Stream(key);
      for (let i = 0; i < 50_000; i++) expect(s.next()).toBe(ref.double());
    }
  });
});
