/**
 * k6's ramping-arrival-rate executor, played on paper: the config checked as k6 checks it
 * (lib/executor/ramping_arrival_rate.go, base_config.go, helpers.go: names, integer targets
 * and rates, durations, VUs), and the iterations it starts, from its documented semantics:
 * the rate goes linearly from one stage's target to the next (startRate first), in
 * iterations per timeUnit, and iteration n starts when the integral of the rate reaches n.
 * Counting is exact (BigInt nanoseconds); start times are floating point.
 */

const NS = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/**
 * A Go duration as time.ParseDuration reads it, or k6's extensions (a bare number is
 * milliseconds; a leading "<n>d" is days): nanoseconds, or throws.
 * @param {string | number} v
 * @returns {bigint}
 */
export function parseK6Duration(v) {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`bad duration ${v}`);
    return BigInt(Math.trunc(v * 1e6)); // milliseconds
  }
  const s = String(v);
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return BigInt(Math.trunc(Number(s) * 1e6));
  const d = /^(\d+)d(.*)$/.exec(s);
  if (d) return BigInt(d[1]) * 24n * NS.h + (d[2] === '' ? 0n : parseGo(d[2]));
  return parseGo(s);
}

/** @param {string} s */
function parseGo(s) {
  let rest = s;
  let sign = 1n;
  if (rest[0] === '-' || rest[0] === '+') { if (rest[0] === '-') sign = -1n; rest = rest.slice(1); }
  if (rest === '0') return 0n;
  if (rest === '') throw new Error(`invalid duration "${s}"`);
  let total = 0n;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) throw new Error(`invalid duration "${s}"`);
    const unit = NS[/** @type {keyof typeof NS} */ (m[3])];
    total += BigInt(m[1] || '0') * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

const SCENARIO_NAME = /^[0-9a-zA-Z_-]+$/;
const FIELDS = new Set(['executor', 'startTime', 'gracefulStop', 'env', 'exec', 'tags', 'options', 'startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs']);

/** @param {unknown} v */
const isInt64 = (v) => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * The problems k6 would refuse a ramping-arrival-rate scenario for (empty: none).
 * @param {string} name @param {Record<string, any>} c
 * @returns {string[]}
 */
export function scenarioProblems(name, c) {
  const out = [];
  if (!SCENARIO_NAME.test(name)) out.push(`${name}: the executor name should contain only numbers, latin letters, underscores, and dashes`);
  if (c.executor !== 'ramping-arrival-rate') out.push(`${name}: executor ${c.executor} is not emulated`);
  for (const k of Object.keys(c)) if (!FIELDS.has(k)) out.push(`${name}: json: unknown field "${k}"`);
  if (c.startRate !== undefined && !(isInt64(c.startRate) && c.startRate >= 0)) out.push(`${name}: startRate ${c.startRate} is not a whole number >= 0 (k6 reads an int64)`);
  const tu = c.timeUnit === undefined ? NS.s : parseK6Duration(c.timeUnit);
  if (tu <= 0n) out.push(`${name}: the timeUnit must be more than 0`);
  if (!Array.isArray(c.stages) || c.stages.length === 0) out.push(`${name}: at least one stage has to be specified`);
  else {
    c.stages.forEach((/** @type {any} */ s, /** @type {number} */ i) => {
      for (const k of Object.keys(s)) if (k !== 'duration' && k !== 'target') out.push(`${name}: stage ${i + 1}: json: unknown field "${k}"`);
      let d = -1n;
      try { d = parseK6Duration(s.duration); } catch (e) { out.push(`${name}: stage ${i + 1}: ${/** @type {Error} */ (e).message}`); }
      if (s.duration === undefined) out.push(`${name}: stage ${i + 1} doesn't have a duration`);
      else if (d < 0n) out.push(`${name}: the duration for stage ${i + 1} can't be negative`);
      if (!(isInt64(s.target) && s.target >= 0)) out.push(`${name}: stage ${i + 1}: target ${s.target} is not a whole number >= 0 (k6 reads an int64)`);
    });
  }
  if (!isInt64(c.preAllocatedVUs) || c.preAllocatedVUs < 0) out.push(`${name}: the number of preAllocatedVUs isn't specified or is negative`);
  if (c.maxVUs !== undefined && (!isInt64(c.maxVUs) || c.maxVUs < c.preAllocatedVUs)) out.push(`${name}: maxVUs can't be less than preAllocatedVUs`);
  if (c.gracefulStop !== undefined && parseK6Duration(c.gracefulStop) < 0n) out.push(`${name}: the gracefulStop timeout can't be negative`);
  return out;
}

/**
 * The scenario's rate segments: [from, to] in iterations per timeUnit over `ns` nanoseconds.
 * @param {Record<string, any>} c
 */
export function segments(c) {
  const unit = c.timeUnit === undefined ? NS.s : parseK6Duration(c.timeUnit);
  let from = BigInt(c.startRate || 0);
  /** @type {{ from: bigint, to: bigint, ns: bigint }[]} */
  const segs = [];
  for (const s of c.stages) {
    const to = BigInt(s.target);
    segs.push({ from, to, ns: parseK6Duration(s.duration) });
    from = to;
  }
  return { unit, segs };
}

/**
 * The iterations the scenario starts: floor of the integral of its rate, exactly.
 * @param {Record<string, any>} c
 */
export function countIterations(c) {
  const { unit, segs } = segments(c);
  // integral = sum (from + to) / 2 * ns / unit
  let twice = 0n;
  for (const s of segs) twice += (s.from + s.to) * s.ns;
  return Number(twice / (2n * unit));
}

/** The scenario's length in nanoseconds (its stages). @param {Record<string, any>} c */
export function scenarioNs(c) {
  return c.stages.reduce((/** @type {bigint} */ s, /** @type {any} */ x) => s + parseK6Duration(x.duration), 0n);
}

/**
 * The start time of each iteration, milliseconds from the scenario's start (ascending).
 * @param {Record<string, any>} c
 * @returns {Generator<number>}
 */
export function* iterationTimes(c) {
  const { unit, segs } = segments(c);
  const total = countIterations(c);
  const u = Number(unit) / 1e6; // ms per timeUnit
  let done = 0; // iterations' worth of area before this segment
  let t0 = 0; // ms
  let n = 1;
  for (const s of segs) {
    const dur = Number(s.ns) / 1e6;
    const a = Number(s.from) / u, b = Number(s.to) / u; // iterations per ms at the segment's ends
    const area = ((a + b) / 2) * dur;
    const end = done + area;
    for (; n <= total && n <= end + 1e-9; n++) {
      const x = n - done;
      let t;
      if (a === b) t = x / a;
      else {
        // a t + (b - a) t^2 / (2 dur) = x
        const k = (b - a) / dur;
        t = k === 0 ? x / a : (-a + Math.sqrt(Math.max(0, a * a + 2 * k * x))) / k;
      }
      yield t0 + Math.min(dur, Math.max(0, t));
    }
    done = end;
    t0 += dur;
  }
  for (; n <= total; n++) yield t0; // rounding: the last ones at the end
}
