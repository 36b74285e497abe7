/**
 * The shim's shared state: the virtual wall clock, the execution context of the running
 * iteration, the fake target and the metric samples. Kept on globalThis so that every copy
 * of these modules (the test's, a script's) sees the same one.
 */

/**
 * @typedef {{ name: string, type: 'counter' | 'rate' | 'trend' | 'gauge', isTime: boolean, samples: { value: number, tags: Record<string, string> }[] }} ShimMetric
 * @typedef {{ method: string, url: string, body: string | null, params: Record<string, any> }} ShimRequest
 * @typedef {{ status: number, body?: string | null, error?: string, ms?: number }} ShimResponse
 * @typedef {{
 *   now: number,
 *   exec: { scenario: Record<string, any>, vu: Record<string, any>, instance: Record<string, any>, test: Record<string, any> },
 *   target: ((req: ShimRequest) => ShimResponse) | null,
 *   metrics: Map<string, ShimMetric>,
 *   initContext: boolean,
 * }} ShimState
 */

const KEY = '__cctwinK6Shim';

/** @returns {ShimState} */
export function shimState() {
  const g = /** @type {Record<string, any>} */ (globalThis);
  if (!g[KEY]) {
    g[KEY] = {
      now: 0,
      exec: { scenario: {}, vu: {}, instance: {}, test: {} },
      target: null,
      metrics: new Map(),
      initContext: true,
    };
  }
  return g[KEY];
}

/** k6's own metrics the shim records (the rest of k6's built-in metrics are not emulated). */
export const BUILTIN = {
  http_reqs: 'counter',
  http_req_failed: 'rate',
  http_req_duration: 'trend',
  iterations: 'counter',
  dropped_iterations: 'counter',
  checks: 'rate',
};

/** Forgets every metric and sample, and starts a new init context. */
export function resetShim() {
  const s = shimState();
  s.now = 0;
  s.exec = { scenario: {}, vu: {}, instance: {}, test: {} };
  s.target = null;
  s.metrics = new Map();
  s.initContext = true;
  for (const [name, type] of Object.entries(BUILTIN)) {
    s.metrics.set(name, { name, type: /** @type {any} */ (type), isTime: name === 'http_req_duration', samples: [] });
  }
}

/**
 * Records a sample (k6 adds the scenario's name as a system tag).
 * @param {string} name @param {number} value @param {Record<string, string> | undefined} tags
 */
export function record(name, value, tags) {
  const s = shimState();
  const m = s.metrics.get(name);
  if (!m) throw new Error(`k6 shim: no metric ${name}`);
  const t = Object.assign({}, tags || {});
  if (s.exec.scenario.name !== undefined && t.scenario === undefined) t.scenario = s.exec.scenario.name;
  for (const [k, v] of Object.entries(t)) if (typeof v !== 'string') throw new Error(`k6 shim: tag ${k} of ${name} is ${typeof v}, k6 wants strings`);
  m.samples.push({ value, tags: t });
}
