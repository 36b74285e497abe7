import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../sim/src/config/load.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { decodeResult, summarize, summarizeTotals } from '../../sim/src/metrics/summary.ts';

/**
 * summarizeTotals (what `erlang --simulate` prints) is summarize()'s totals and
 * performance without the breakdowns: the same numbers, whatever order the results
 * come in, on a one-queue model and on the whole center.
 */
const scenario = (f: string) => loadScenario(fileURLToPath(new URL(`../../scenarios/${f}`, import.meta.url)));

describe('summarizeTotals', () => {
  for (const [file, replications] of [['erlang-a-day.yaml', 4], ['baseline-day.yaml', 3]] as const) {
    it(`gives summarize()'s totals and performance on ${file}`, () => {
      const cfg = scenario(file);
      const results = Array.from({ length: replications }, (_, r) => decodeResult(replicate(cfg, r), cfg));
      const whole = summarize(cfg, results, 1.5);
      const totals = summarizeTotals(cfg, [...results].reverse(), 1.5);
      expect(Object.keys(totals.totals).length).toBeGreaterThan(10);
      expect(totals.totals.offered.mean).toBeGreaterThan(0);
      expect(totals).toEqual({ totals: whole.totals, performance: whole.performance });
    });
  }
});
