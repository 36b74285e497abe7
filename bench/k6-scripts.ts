/**
 * `node bin/run-ts.js bench/k6-scripts.ts [--speed X]`: what `cctwin k6` writes for each
 * scenario of the library, by type and by channel: how close the stages' integral (the
 * iterations k6 starts) is to the plan's expected contacts, the script's size, the time
 * to write it, the VUs and the wait after the arrivals. Prints a table (docs/k6.md).
 */
import { readdirSync } from 'node:fs';
import { compileVariant, readScenarioText } from '../sim/src/experiments/overrides.ts';
import { loadPlan, type LoadBy } from '../twin-api/load/plan.ts';
import { k6Script, typeTimings } from '../twin-api/load/k6.ts';

const dir = new URL('../scenarios/', import.meta.url).pathname;
const i = process.argv.indexOf('--speed');
const speed = i > 0 ? Number(process.argv[i + 1]) : 60;
const rows: string[][] = [['scenario', 'by', 'groups', 'intervals', 'expected', 'max |iter - exp|', 'KB', 'ms', 'VUs pre', 'VUs max', 'grace s']];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
  const cfg = compileVariant(readScenarioText(dir + f), dir + f, [], undefined).cfg;
  for (const by of ['type', 'channel'] as LoadBy[]) {
    const t0 = performance.now();
    const plan = loadPlan(cfg, { by });
    const s = k6Script(plan, { speed, baseUrl: 'http://127.0.0.1:8080', timings: typeTimings(cfg) });
    const ms = performance.now() - t0;
    const err = Math.max(...s.scenarios.map((x) => Math.abs(x.iterations - x.expected)));
    rows.push([f.replace('.yaml', ''), by, String(plan.groups.length), String(plan.nIntervals), plan.expected.toFixed(0), err.toFixed(4),
      (Buffer.byteLength(s.text) / 1024).toFixed(0), ms.toFixed(0), String(s.preAllocatedVUs), String(s.maxVUs), String(s.graceSeconds)]);
  }
}
const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((x, c) => (c < 2 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  '));
