import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { countIterations, iterationTimes, parseK6Duration, scenarioNs, scenarioProblems } from './executor.js';
import { BUILTIN, record, resetShim, shimState } from './state.js';

/**
 * Runs a k6 script in Node on the shim: its k6 imports pointed at these modules, its
 * options checked as k6 checks them, its scenarios' iterations started at the times
 * ramping-arrival-rate starts them (on a virtual clock, one after another: each
 * iteration has its own clock from its start time), and handleSummary called with data
 * shaped as k6 shapes it (metrics with samples, submetrics named by thresholds).
 */

const SHIM = {
  k6: new URL('./k6.js', import.meta.url).href,
  'k6/http': new URL('./k6/http.js', import.meta.url).href,
  'k6/metrics': new URL('./k6/metrics.js', import.meta.url).href,
  'k6/execution': new URL('./k6/execution.js', import.meta.url).href,
};

let loads = 0;

/**
 * Writes a copy of the script with its imports pointed at the shim, imports it (a fresh
 * init context) and checks its options. Throws if it imports anything but k6's modules.
 * @param {string} text @param {string} dir @param {Record<string, string>} [env] k6's __ENV
 */
export async function loadScript(text, dir, env = {}) {
  resetShim();
  /** @type {any} */ (globalThis).__ENV = Object.assign({}, env);
  /** @type {string[]} */
  const foreign = [];
  // Static imports at the start of a line (a JSDoc import('k6/options') type is a comment).
  const rewritten = text.replace(/^(import\s[^'";]*?\bfrom\s*|import\s*)(['"])([^'"]+)\2/gm, (m, pre, q, spec) => {
    const to = /** @type {Record<string, string>} */ (SHIM)[spec];
    if (to === undefined) { foreign.push(spec); return m; }
    return `${pre}${q}${to}${q}`;
  });
  if (foreign.length > 0) throw new Error(`the script imports modules k6 does not have built in: ${foreign.join(', ')}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `load-${process.pid}-${++loads}.mjs`);
  writeFileSync(file, rewritten);
  /** @type {Record<string, any>} */
  const mod = await import(/* @vite-ignore */ pathToFileURL(file).href);
  shimState().initContext = false;
  const problems = optionProblems(mod.options);
  if (problems.length > 0) throw new Error(`k6 would refuse the options:\n${problems.join('\n')}`);
  return { mod, options: mod.options, file };
}

const AGG = { counter: ['count', 'rate'], rate: ['rate'], trend: ['avg', 'min', 'max', 'med', 'p'], gauge: ['value', 'min', 'max'] };
const EXPR = /^\s*(count|rate|avg|min|max|med|value|p\(\d+(?:\.\d+)?\))\s*(<=|>=|<|>|===|==|!=)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/;

/** @param {string} key */
export function parseThresholdKey(key) {
  const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key);
  if (!m) throw new Error(`bad threshold key ${key}`);
  /** @type {Record<string, string>} */
  const tags = {};
  if (m[2] !== undefined) {
    for (const kv of m[2].split(',')) {
      if (kv === '') continue;
      const [k, ...v] = kv.split(':');
      tags[k.trim().replace(/^["']|["']$/g, '')] = v.join(':').trim().replace(/^["']|["']$/g, '');
    }
  }
  return { metric: m[1].trim(), tags, sub: m[2] !== undefined };
}

/** What k6 would refuse in the options (scenarios and thresholds). @param {any} options */
export function optionProblems(options) {
  const out = [];
  if (!options || typeof options !== 'object') return ['no options exported'];
  for (const [name, c] of Object.entries(options.scenarios || {})) out.push(...scenarioProblems(name, /** @type {any} */ (c)));
  const metrics = shimState().metrics;
  for (const [key, exprs] of Object.entries(options.thresholds || {})) {
    const { metric } = parseThresholdKey(key);
    const m = metrics.get(metric);
    if (!m) { out.push(`threshold ${key}: no metric name ${metric} found`); continue; }
    for (const e of /** @type {any[]} */ (exprs)) {
      const x = EXPR.exec(typeof e === 'string' ? e : e.threshold);
      if (!x) { out.push(`threshold ${key}: cannot parse ${JSON.stringify(e)}`); continue; }
      const agg = x[1].startsWith('p(') ? 'p' : x[1];
      if (!AGG[m.type].includes(agg)) out.push(`threshold ${key}: ${x[1]} is not an aggregation of a ${m.type} metric`);
    }
  }
  return out;
}

/** Iterations each scenario starts. @param {any} options @returns {Record<string, number>} */
export function countAll(options) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const [name, c] of Object.entries(options.scenarios || {})) out[name] = countIterations(c);
  return out;
}

/** @param {number[]} xs @param {number} p */
function percentile(xs, p) {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const i = (p / 100) * (s.length - 1);
  const lo = Math.floor(i), hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

/** @param {'counter' | 'rate' | 'trend' | 'gauge'} type @param {number[]} v @param {number} seconds */
function valuesOf(type, v, seconds) {
  if (type === 'counter') { const c = v.reduce((a, b) => a + b, 0); return { count: c, rate: seconds > 0 ? c / seconds : 0 }; }
  if (type === 'rate') { const passes = v.filter((x) => x !== 0).length; return { rate: v.length ? passes / v.length : 0, passes, fails: v.length - passes }; }
  if (type === 'gauge') return { value: v[v.length - 1], min: Math.min(...v), max: Math.max(...v) };
  const sum = v.reduce((a, b) => a + b, 0);
  return { avg: sum / v.length, min: Math.min(...v), med: percentile(v, 50), max: Math.max(...v), 'p(90)': percentile(v, 90), 'p(95)': percentile(v, 95) };
}

/** @param {string} expr @param {Record<string, number>} values */
function thresholdOk(expr, values) {
  const x = EXPR.exec(expr);
  if (!x) return false;
  const v = values[x[1]] ?? 0;
  const want = Number(x[3]);
  switch (x[2]) {
    case '<': return v < want;
    case '<=': return v <= want;
    case '>': return v > want;
    case '>=': return v >= want;
    case '!=': return v !== want;
    default: return v === want;
  }
}

/**
 * k6's end-of-test data: every metric that has samples, and each submetric a threshold
 * names (when it has samples), with its values and its thresholds' results.
 * @param {any} options @param {number} durationMs
 */
export function summaryData(options, durationMs) {
  const seconds = durationMs / 1000;
  /** @type {Record<string, any>} */
  const metrics = {};
  const state = shimState();
  for (const m of state.metrics.values()) {
    if (m.samples.length === 0) continue;
    metrics[m.name] = { type: m.type, contains: m.isTime ? 'time' : 'default', values: valuesOf(m.type, m.samples.map((s) => s.value), seconds) };
  }
  for (const [key, exprs] of Object.entries(options.thresholds || {})) {
    const { metric, tags, sub } = parseThresholdKey(key);
    const m = /** @type {import('./state.js').ShimMetric} */ (state.metrics.get(metric));
    if (sub) {
      const v = m.samples.filter((s) => Object.entries(tags).every(([k, x]) => s.tags[k] === x)).map((s) => s.value);
      if (v.length === 0) continue;
      metrics[key] = { type: m.type, contains: m.isTime ? 'time' : 'default', values: valuesOf(m.type, v, seconds) };
    }
    const entry = metrics[key];
    if (!entry) continue;
    entry.thresholds = entry.thresholds || {};
    for (const e of /** @type {any[]} */ (exprs)) {
      const expr = typeof e === 'string' ? e : e.threshold;
      entry.thresholds[expr] = { ok: thresholdOk(expr, entry.values) };
    }
  }
  return {
    metrics,
    root_group: { name: '', path: '', id: '', groups: [], checks: [] },
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: durationMs },
    setup_data: undefined,
  };
}

/**
 * Runs every iteration the scenarios start, in time order, against `target` (the fake
 * HTTP server: a function of the request), then handleSummary.
 * @param {Record<string, any>} mod the loaded script
 * @param {{ target: (req: import('./state.js').ShimRequest) => import('./state.js').ShimResponse, startMs?: number,
 *   drop?: (scenario: string, n: number) => boolean, limit?: number }} o
 */
export function runLoad(mod, o) {
  // The script reads the wall clock with Date.now(): the virtual one while it runs.
  const realNow = Date.now;
  Date.now = () => shimState().now;
  try {
    return play(mod, o);
  } finally {
    Date.now = realNow;
  }
}

/** @param {Record<string, any>} mod @param {Parameters<typeof runLoad>[1]} o */
function play(mod, o) {
  const state = shimState();
  const options = mod.options;
  const start = o.startMs ?? 1_700_000_000_000;
  state.target = o.target;
  /** @type {{ t: number, name: string }[]} */
  const starts = [];
  for (const [name, c] of Object.entries(options.scenarios)) {
    for (const t of iterationTimes(/** @type {any} */ (c))) {
      starts.push({ t, name });
      if (o.limit !== undefined && starts.length > o.limit) throw new Error(`more than ${o.limit} iterations`);
    }
  }
  starts.sort((a, b) => a.t - b.t);
  const scenarioEnd = Math.max(0, ...Object.values(options.scenarios).map((c) => Number(scenarioNs(/** @type {any} */ (c))) / 1e6));
  const grace = Math.max(0, ...Object.values(options.scenarios).map((c) => Number(parseK6Duration(/** @type {any} */ (c).gracefulStop ?? '30s')) / 1e6));
  const perScenario = new Map();
  let inTest = 0;
  let last = start + scenarioEnd;
  /** @type {string[]} */
  const errors = [];
  /** @type {Record<string, number>} */
  const dropped = {};
  for (const s of starts) {
    const n = perScenario.get(s.name) ?? 0;
    perScenario.set(s.name, n + 1);
    state.now = start + s.t;
    state.exec = {
      // k6 numbers iterations per scenario (iterationInTest: in the scenario, across instances)
      scenario: { name: s.name, executor: 'ramping-arrival-rate', startTime: start, progress: Math.min(1, s.t / scenarioEnd), iterationInInstance: n, iterationInTest: n },
      vu: { idInInstance: 1, idInTest: 1, iterationInInstance: inTest, iterationInScenario: n },
      instance: { iterationsCompleted: inTest, iterationsInterrupted: 0, vusActive: 1, vusInitialized: 1, currentTestRunDuration: s.t },
      test: {},
    };
    inTest++;
    if (o.drop && o.drop(s.name, n)) {
      record('dropped_iterations', 1, {});
      dropped[s.name] = (dropped[s.name] ?? 0) + 1;
      continue;
    }
    try {
      mod.default();
      record('iterations', 1, {});
    } catch (e) {
      errors.push(String(/** @type {Error} */ (e).stack ?? e));
    }
    if (state.now > start + scenarioEnd + grace) errors.push(`iteration ${inTest} of ${s.name} ran past gracefulStop (k6 would have interrupted it)`);
    last = Math.max(last, state.now);
  }
  state.exec = { scenario: {}, vu: {}, instance: {}, test: {} };
  const data = summaryData(options, last - start);
  state.now = last;
  const summary = mod.handleSummary ? mod.handleSummary(data) : null;
  return { data, summary, iterations: starts.length, errors, dropped, durationMs: last - start };
}

export const shimDir = fileURLToPath(new URL('.', import.meta.url));
export { BUILTIN };
