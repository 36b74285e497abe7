import { afterAll, describe, expect, it } from 'vitest';
import { planOf, scenario, SMALL, tempDir, writeScript, load } from './helpers.ts';
// @ts-expect-error: plain JavaScript (the shim of k6's modules)
import { countAll } from './shim/run.js';
// @ts-expect-error: plain JavaScript
import { countIterations, iterationTimes, parseK6Duration } from './shim/executor.js';

/**
 * The load the scripts make, counted the way k6's ramping-arrival-rate starts iterations
 * (the shim plays each scenario's stages): per contact type it is the scenario's expected
 * first-attempt contacts, whatever the speed compression, the horizon or the seed.
 */

const tmp = tempDir();
afterAll(() => tmp.done());

const within = (got: number, want: number, rel: number) => Math.abs(got - want) <= rel * want + 1;

describe('the shim plays ramping-arrival-rate as k6 documents it', () => {
  it('reads durations as Go and k6 do', () => {
    expect(parseK6Duration('30s')).toBe(30_000_000_000n);
    expect(parseK6Duration('1h30m')).toBe(5_400_000_000_000n);
    expect(parseK6Duration('1.5s')).toBe(1_500_000_000n);
    expect(parseK6Duration('250us')).toBe(250_000n);
    expect(parseK6Duration('0s')).toBe(0n);
    expect(parseK6Duration('1d2h')).toBe(93_600_000_000_000n);
    expect(parseK6Duration('1500')).toBe(1_500_000_000n); // a bare number is milliseconds
    expect(() => parseK6Duration('30 s')).toThrow();
  });

  it('counts the integral of a linear ramp and of a hold, and starts iteration n where the integral reaches n', () => {
    // k6's docs example: 0 -> 10 per second over 10 s (50), then 10 per second for 10 s (100)
    const c = { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 1, stages: [{ duration: '10s', target: 10 }, { duration: '10s', target: 10 }] };
    expect(countIterations(c)).toBe(150);
    const t = [...iterationTimes(c)] as number[];
    expect(t.length).toBe(150);
    // the integral of 0 -> 10/s over 10 s is t^2/2: iteration 2 starts at 2 s, the 50th at 10 s
    expect(t[1]).toBeCloseTo(2000, 6);
    expect(t[49]).toBeCloseTo(10_000, 6);
    expect(t[50]).toBeCloseTo(10_100, 6);
    // a 0-duration stage is an instant jump: 2 per minute, then 60 per minute at once
    const jump = { executor: 'ramping-arrival-rate', startRate: 2, timeUnit: '1m', preAllocatedVUs: 1, stages: [{ duration: '1m', target: 2 }, { duration: '0s', target: 60 }, { duration: '30s', target: 60 }] };
    expect(countIterations(jump)).toBe(32);
  });
});

describe('cctwin k6: the iterations per contact type are the scenario\'s expected contacts', () => {
  it('spring-festival.yaml --out load.js: every type within 1% (speed 60, and speed 7 whose intervals are not whole milliseconds)', async () => {
    const plan = planOf(scenario('spring-festival.yaml'));
    for (const speed of ['60', '7']) {
      const { text } = await writeScript(tmp.dir, `load-${speed}.js`, scenario('spring-festival.yaml'), '--speed', speed);
      const { options } = await load(text, tmp.dir);
      const counted = countAll(options) as Record<string, number>;
      expect(Object.keys(counted).sort()).toEqual(plan.groups.map((g) => g.key).sort());
      for (const g of plan.groups) {
        expect(within(counted[g.key], g.expected, 0.01), `${g.key}: ${counted[g.key]} iterations, ${g.expected} expected`).toBe(true);
        // the construction is exact to a contact or so, not merely to 1%
        expect(Math.abs(counted[g.key] - g.expected)).toBeLessThan(2);
      }
      // compressed: 24 simulated hours in 24 wall minutes at speed 60
      const wallNs = Object.values(options.scenarios).map((c) => (c.stages as { duration: string }[]).reduce((s, x) => s + parseK6Duration(x.duration), 0n));
      for (const ns of wallNs) expect(Number(ns) / 1e9).toBeCloseTo(86_400 / Number(speed), 3);
    }
  });

  it('--by channel: one scenario per channel, the channel\'s contacts', async () => {
    const plan = planOf(scenario('baseline-day.yaml'), { by: 'channel' });
    const { text } = await writeScript(tmp.dir, 'channel.js', scenario('baseline-day.yaml'), '--by', 'channel');
    const counted = countAll((await load(text, tmp.dir)).options) as Record<string, number>;
    expect(Object.keys(counted)).toEqual(['phone', 'im', 'email', 'fax']);
    for (const g of plan.groups) expect(Math.abs(counted[g.key] - g.expected), g.key).toBeLessThan(2);
  });

  it('--horizon: the first hours only, the last interval cut where the horizon falls', async () => {
    for (const h of ['4h', '250m']) {
      const plan = planOf(scenario('spring-festival.yaml'), { horizon: h === '4h' ? 14_400 : 15_000 });
      const { text } = await writeScript(tmp.dir, `h-${h}.js`, scenario('spring-festival.yaml'), '--horizon', h);
      const { options } = await load(text, tmp.dir);
      const counted = countAll(options) as Record<string, number>;
      for (const g of plan.groups) expect(Math.abs(counted[g.key] - g.expected), `${h} ${g.key}`).toBeLessThan(2);
      const c = options.scenarios['flight-zh-phone'];
      const ns = (c.stages as { duration: string }[]).reduce((s, x) => s + parseK6Duration(x.duration), 0n);
      expect(Number(ns) / 1e9).toBeCloseTo(plan.horizon / 60, 6);
      expect(plan.expected).toBeLessThan(planOf(scenario('spring-festival.yaml')).expected / 4);
    }
  });

  it('overdispersion: the same seed writes the same script, another seed other rates (and the plan\'s)', async () => {
    const a = await writeScript(tmp.dir, 's1.js', scenario('spring-festival.yaml'), '--seed', '1');
    const b = await writeScript(tmp.dir, 's1-again.js', scenario('spring-festival.yaml'), '--seed', '1');
    const c = await writeScript(tmp.dir, 's2.js', scenario('spring-festival.yaml'), '--seed', '2');
    expect(a.text).toBe(b.text);
    expect(c.text).not.toBe(a.text);
    const ca = countAll((await load(a.text, tmp.dir)).options) as Record<string, number>;
    const cc = countAll((await load(c.text, tmp.dir)).options) as Record<string, number>;
    expect(ca['flight-zh-phone']).not.toBe(cc['flight-zh-phone']);
    for (const [seed, counted] of [[1, ca], [2, cc]] as const) {
      const plan = planOf(scenario('spring-festival.yaml'), { seed });
      expect(plan.drawn).toBe(true);
      for (const g of plan.groups) expect(Math.abs(counted[g.key] - g.expected), `seed ${seed} ${g.key}`).toBeLessThan(2);
    }
    // a scenario without overdispersion: the seed changes nothing in the load
    const d = await writeScript(tmp.dir, 'small-1.js', SMALL, '--seed', '1');
    const e = await writeScript(tmp.dir, 'small-2.js', SMALL, '--seed', '2');
    expect(d.text.replace(/seed \d+|SEED = \d+;|--seed \d+/g, '')).toBe(e.text.replace(/seed \d+|SEED = \d+;|--seed \d+/g, ''));
  });
});
