/**
 * `node bin/run-ts.js bench/k6-arrivals.ts SCENARIO.yaml [REPLICATIONS]`: what k6's
 * evenly spaced iteration starts do to the KPIs, against Poisson arrivals at the same
 * rates. Both inject the plan's first attempts into a LiveRun (external arrivals only,
 * the same engine path, the same counting from the notices: offered = answered +
 * abandoned + lost + unfinished); the only difference is the arrival times:
 *
 *   even     ramping-arrival-rate's rule, in simulated time: the n-th contact of a type
 *            arrives when the integral of its rate reaches n
 *   poisson  exponential gaps at the interval's rate (its own random stream)
 *
 * Prints, per channel, the mean over the replications (seeds 1..R) and the 95% CI
 * half-width of the service level, the abandonment and the ASA (docs/k6.md).
 */
import { compileVariant, readScenarioText } from '../sim/src/experiments/overrides.ts';
import { LiveRun } from '../sim/src/engine/live-run.ts';
import { makeStream } from '../sim/src/core/rng.ts';
import { loadPlan } from '../twin-api/load/plan.ts';

type Mode = 'even' | 'poisson';

function arrivalTimes(rates: readonly number[], L: number, horizon: number, mode: Mode, seed: number, key: string): number[] {
  const out: number[] = [];
  if (mode === 'even') {
    let cum = 0, n = 1;
    rates.forEach((r, i) => {
      const end = cum + r * Math.min(L, horizon - i * L);
      for (; n <= end; n++) out.push(i * L + (n - cum) / r);
      cum = end;
    });
    return out;
  }
  const rng = makeStream(seed, 0, `k6-arrivals/${key}`);
  rates.forEach((r, i) => {
    const end = i * L + Math.min(L, horizon - i * L);
    if (r <= 0) return;
    for (let t = i * L - Math.log(rng.nextOpen()) / r; t < end; t -= Math.log(rng.nextOpen()) / r) out.push(t);
  });
  return out;
}

interface Seen { type: number; wait: number; outcome: string | null; answered: boolean }

function day(file: string, seed: number, mode: Mode): { cfg: ReturnType<typeof compileVariant>['cfg']; seen: Seen[] } {
  const cfg = compileVariant(readScenarioText(file), file, [], seed).cfg;
  const plan = loadPlan(cfg, { by: 'type', seed });
  const arrivals = plan.groups.flatMap((g) => arrivalTimes(g.rates, plan.intervalLength, plan.horizon, mode, seed, g.key).map((t) => ({ t, type: g.types[0] })));
  arrivals.sort((a, b) => a.t - b.t);
  const run = new LiveRun(cfg, { arrivals: 'external', notifications: 1 << 16 });
  const seen: Seen[] = [];
  const drain = () => run.drainNotifications((n) => {
    const r = seen[n.externalId];
    if (n.kind === 'answered') { r.answered = true; r.wait = n.wait; } else { r.outcome = n.outcome; if (!r.answered) r.wait = n.wait; }
  });
  arrivals.forEach((a, i) => {
    while (run.advanceTo(a.t) !== 'reached') drain();
    drain();
    seen[i] = { type: a.type, wait: -1, outcome: null, answered: false };
    run.inject(a.type, i, a.t);
  });
  while (run.finish() !== 'reached') drain();
  drain();
  return { cfg, seen };
}

const file = process.argv[2];
const R = Number(process.argv[3] ?? 5);
if (!file) throw new Error('usage: bench/k6-arrivals.ts SCENARIO.yaml [REPLICATIONS]');
const t975: Record<number, number> = { 2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 10: 2.262, 20: 2.093 };
const show = (xs: number[], d: number) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  return `${m.toFixed(d)} ± ${((t975[xs.length] ?? 2) * sd / Math.sqrt(xs.length)).toFixed(d)}`;
};
for (const mode of ['even', 'poisson'] as Mode[]) {
  const kpis = new Map<string, number[]>();
  for (let seed = 1; seed <= R; seed++) {
    const { cfg, seen } = day(file, seed, mode);
    for (const ch of new Set(cfg.types.map((t) => t.channel))) {
      let offered = 0, within = 0, abandoned = 0, answered = 0, waits = 0;
      for (const r of seen) {
        if (cfg.types[r.type].channel !== ch) continue;
        if (r.answered) { offered++; answered++; waits += r.wait; if (r.wait <= cfg.threshold) within++; }
        else if (r.outcome === 'abandoned' || r.outcome === 'lost' || r.outcome === 'unfinished') { offered++; if (r.outcome === 'abandoned') abandoned++; }
      }
      if (offered === 0) continue;
      for (const [k, v] of [['SL %', (100 * within) / offered], ['abandon %', (100 * abandoned) / offered], ['ASA s', waits / Math.max(1, answered)]] as const) {
        const key = `${ch} ${k}`;
        kpis.set(key, [...(kpis.get(key) ?? []), v]);
      }
    }
  }
  console.log(`${file} ${mode} (${R} replications): ${[...kpis].map(([k, v]) => `${k} ${show(v, 2)}`).join(' | ')}`);
}
