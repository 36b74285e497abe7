import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { distMean, Sampler, type DistSpec } from '../../sim/src/core/distributions.ts';
import { makeStream } from '../../sim/src/core/rng.ts';
import type { LoadPlan } from './plan.ts';
import { COUNT_FIELDS, SUMMARY_FORMAT } from './summary.ts';

/**
 * `cctwin k6`'s generator: a load plan (plan.ts) and a few options in, the text of a
 * k6 script out (plain JavaScript, k6's own modules only). Pure: the same plan and
 * options give the same text. Design and figures: docs/k6.md.
 *
 * The load is the plan's arrival process, compressed by `speed`: an interval of L
 * simulated seconds lasts L / speed wall seconds, at rate * speed iterations per wall
 * second, so it starts the same number of contacts. Each group (contact type or
 * channel) is one k6 scenario with the ramping-arrival-rate executor:
 *
 * - k6 interpolates linearly between stage targets, and starts iteration n when the
 *   integral of the rate reaches n. A piecewise-constant rate is written exactly as a
 *   0-duration stage to each interval's level (an instant jump, documented by k6) and a
 *   stage holding it for the interval.
 * - Stage targets and startRate are integers (k6 reads them as int64 and refuses 2.5).
 *   The timeUnit is 1000 intervals of wall time, so a target is the interval's expected
 *   contacts in thousandths: 123456 = 123.456 contacts per interval, rounded by at most
 *   0.0005 contacts per interval. Durations are whole microseconds (Go durations), the
 *   interval boundaries rounded from the start so that no error accumulates.
 */

/** simulated seconds a contact that never abandons and has no deadline is waited for (an assumption) */
export const NO_PATIENCE_WAIT = 3600;
/** wall seconds of HTTP per iteration (the create and the poll's own time), for the VU sizing */
export const HTTP_SECONDS = 0.25;
/** wall seconds gracefulStop adds after the script's own deadline (the last poll's request finishing) */
export const STOP_SLACK = 30;
/** the timeUnit, in intervals: targets are thousandths of a contact per interval (fewer digits only where the timeUnit would not fit) */
export const TARGET_SCALE = 1000;
/** the longest duration written, microseconds: a JavaScript integer, and Go's int64 nanoseconds (292 years) */
const MAX_US = 9e15;
/** the quantile of IVR time and patience taken as "the longest expected" for the deadline */
export const HOLD_QUANTILE = 0.999;
/** the iteration time's margin in the VU sizing: VUs = ceil(MARGIN * L + 3 sqrt(L)) + 1 */
export const VU_MARGIN = 1.2;

/** What the script needs of each contact type beside the plan: its times, simulated seconds. */
export interface TypeTiming {
  name: string;
  channel: string;
  /** IVR time (mean and the HOLD_QUANTILE quantile); 0 without an IVR */
  ivrMean: number;
  ivrHigh: number;
  /** patience (mean and quantile); null: never abandons */
  patienceMean: number | null;
  patienceHigh: number | null;
  /** reply deadline (email, fax); null: none */
  deadline: number | null;
}

const QUANTILE_DRAWS = 20_000;

/** The HOLD_QUANTILE quantile of a distribution, from a fixed stream of draws (deterministic). */
function highQuantile(d: DistSpec, key: string): number {
  if (d.kind === 'deterministic') return d.value;
  if (d.kind === 'exponential') return -Math.log(1 - HOLD_QUANTILE) * d.mean;
  const s = new Sampler(d);
  const r = makeStream(1, 0, `k6-quantile/${key}`);
  const xs = new Float64Array(QUANTILE_DRAWS);
  for (let i = 0; i < QUANTILE_DRAWS; i++) xs[i] = s.sample(r);
  xs.sort();
  return xs[Math.min(QUANTILE_DRAWS - 1, Math.ceil(HOLD_QUANTILE * QUANTILE_DRAWS) - 1)];
}

/** Each contact type's IVR time, patience and deadline, as the script's sizing and deadline use them. */
export function typeTimings(cfg: ModelConfig): TypeTiming[] {
  return cfg.types.map((t) => ({
    name: t.name,
    channel: t.channel,
    ivrMean: t.ivr ? distMean(t.ivr.time) : 0,
    ivrHigh: t.ivr ? highQuantile(t.ivr.time, `ivr/${t.name}`) : 0,
    patienceMean: t.patience ? distMean(t.patience) : null,
    patienceHigh: t.patience ? highQuantile(t.patience, `patience/${t.name}`) : null,
    deadline: t.deadline ?? null,
  }));
}

/** Simulated seconds a contact of this type is expected to be held (arrival to answer or end): for Little's law. */
function holdMean(t: TypeTiming, wait: number): number {
  return t.ivrMean + Math.min(wait, t.patienceMean ?? Infinity, t.deadline ?? Infinity);
}

/** The longest expected hold: IVR and patience at their high quantile, or the deadline. */
function holdLongest(t: TypeTiming): number {
  const q = Math.min(t.patienceHigh ?? Infinity, t.deadline ?? Infinity);
  return t.ivrHigh + (Number.isFinite(q) ? q : NO_PATIENCE_WAIT);
}

/** The waiting time bound for maxVUs: the mean patience, or the deadline, or NO_PATIENCE_WAIT. */
function waitBound(t: TypeTiming): number {
  const b = Math.min(t.patienceMean ?? Infinity, t.deadline ?? Infinity);
  return Number.isFinite(b) ? b : NO_PATIENCE_WAIT;
}

export interface K6Options {
  /** simulated seconds per wall second */
  speed: number;
  /** the target's base URL (the script's default; CCTWIN_BASE_URL overrides it) */
  baseUrl: string;
  /** typeTimings(cfg) of the plan's scenario */
  timings: readonly TypeTiming[];
  /** the command that wrote the script, for its header (no machine paths) */
  command?: string;
}

export interface K6Scenario {
  /** the group's key (type or channel) and its k6 scenario name ([0-9A-Za-z_-]) */
  key: string;
  name: string;
  /** null: no arrivals over the horizon, no k6 scenario (the group is still in the summary) */
  startRate: number | null;
  targets: number[];
  /** expected iterations (the integral of the stages' rate) and the plan's expected contacts */
  iterations: number;
  expected: number;
  /** concurrency by Little's law at the busiest interval: expected (with the waits at the threshold) and bound (waits at the patience) */
  concurrency: number;
  concurrencyBound: number;
  preAllocatedVUs: number;
  maxVUs: number;
}

export interface K6Script {
  text: string;
  scenarios: K6Scenario[];
  /** wall seconds of arrivals (the stages), and the wait for the last contacts' outcomes after them */
  loadSeconds: number;
  graceSeconds: number;
  gracefulStop: string;
  timeUnit: string;
  /** stage durations, one per interval (Go duration strings) */
  durations: string[];
  /** a target is the interval's expected contacts times this (1000 unless the timeUnit would be too long to write) */
  targetScale: number;
  iterations: number;
  preAllocatedVUs: number;
  maxVUs: number;
}

/** A duration of whole microseconds as Go writes it for k6: 30s, 1500ms, 250us, 2h, 0s. */
export function goDuration(us: number): string {
  if (!Number.isSafeInteger(us) || us < 0) throw new RangeError(`goDuration: ${us} is not a whole number of microseconds >= 0`);
  if (us === 0) return '0s';
  if (us % 3_600_000_000 === 0) return `${us / 3_600_000_000}h`;
  if (us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1000 === 0) return `${us / 1000}ms`;
  return `${us}us`;
}

/** Unique names of the given characters, from the keys (the index appended where two would collide). */
function uniqueNames(keys: readonly string[], bad: RegExp, max: number): string[] {
  const used = new Set<string>();
  return keys.map((k, i) => {
    let n = k.replace(bad, '_').slice(0, max) || 'group';
    if (used.has(n.toLowerCase())) n = `${n.slice(0, max - 6)}_${i}`;
    used.add(n.toLowerCase());
    return n;
  });
}

const SCALE_WORDS: Record<number, string> = { 1000: 'thousandths of a contact', 100: 'hundredths of a contact', 10: 'tenths of a contact', 1: 'contacts' };
const ceilVUs = (l: number) => (l > 0 ? Math.ceil(VU_MARGIN * l + 3 * Math.sqrt(l)) + 1 : 1);
const js = (v: unknown) => JSON.stringify(v);
/** Text for a // comment: line breaks (and other controls) as spaces. */
const comment = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** The thresholds the scenario's SLA targets give, and the kpis a load cannot measure. */
function slaThresholds(plan: LoadPlan): { thresholds: [string, string, string][]; skipped: string[] } {
  const thresholds: [string, string, string][] = [];
  const skipped: string[] = [];
  const metricOf: Record<string, { metric: string; agg: string }> = {
    serviceLevel: { metric: 'cctwin_answered_within', agg: 'rate' },
    abandonRate: { metric: 'cctwin_abandoned', agg: 'rate' },
    asa: { metric: 'cctwin_wait', agg: 'avg' },
    replyOnTime: { metric: 'cctwin_reply_on_time', agg: 'rate' },
  };
  for (const s of plan.sla) {
    const m = /^(?:byChannel\.([a-z]+)\.)?([A-Za-z]+)$/.exec(s.kpi);
    const to = m ? metricOf[m[2]] : undefined;
    if (!m || !to) { skipped.push(`${s.kpi} (${s.name})`); continue; }
    const key = m[1] ? `${to.metric}{channel:${m[1]}}` : to.metric;
    thresholds.push([key, `${to.agg}${s.direction === 'min' ? '>=' : '<='}${s.target}`, s.name]);
  }
  return { thresholds, skipped };
}

export function k6Script(plan: LoadPlan, o: K6Options): K6Script {
  const speed = o.speed;
  if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`k6Script: speed must be more than 0 (got ${speed})`);
  const L = plan.intervalLength;
  const nI = plan.nIntervals;
  const timing = new Map(o.timings.map((t) => [t.name, t]));
  const timingOf = (name: string) => {
    const t = timing.get(name);
    if (!t) throw new RangeError(`k6Script: no timing for contact type ${name}`);
    return t;
  };

  // Interval boundaries in whole microseconds of wall time, rounded from the start.
  const bound = (sim: number) => Math.round((sim * 1e6) / speed);
  const edges = Array.from({ length: nI + 1 }, (_, i) => bound(Math.min(i * L, plan.horizon)));
  const durUs = edges.slice(1).map((e, i) => e - edges[i]);
  if (durUs.some((d) => d <= 0)) throw new RangeError(`k6Script: speed ${speed} makes an interval shorter than a microsecond`);
  let scale = TARGET_SCALE;
  while (scale > 1 && bound(L * scale) > MAX_US) scale /= 10;
  const unitUs = bound(L * scale);
  if (unitUs > MAX_US || edges[nI] > MAX_US) throw new RangeError(`k6Script: speed ${speed} makes the load longer than k6 can time`);
  const durations = durUs.map(goDuration);
  const timeUnit = goDuration(unitUs);
  const loadUs = edges[nI];

  const names = uniqueNames(plan.groups.map((g) => g.key), /[^0-9A-Za-z_-]/g, 100);
  const metricNames = uniqueNames(plan.groups.map((g) => g.key), /[^0-9A-Za-z_]/g, 90);

  let longest = 0;
  const scenarios: K6Scenario[] = plan.groups.map((g, gi) => {
    const targets = g.rates.map((r) => Math.round(r * L * scale));
    const iterations = targets.reduce((s, t, i) => s + (t * durUs[i]) / unitUs, 0);
    const ts = g.typeNames.map(timingOf);
    // Little's law per interval: contacts in flight = sum over types of (iterations per wall second * wall seconds held).
    let concurrency = 0, concurrencyBound = 0;
    g.rates.forEach((r, i) => {
      let c = 0, cb = 0;
      ts.forEach((t, k) => {
        const lambda = r * g.typeShares[i][k] * speed;
        c += lambda * (holdMean(t, plan.threshold) / speed + HTTP_SECONDS);
        cb += lambda * (holdMean(t, waitBound(t)) / speed + HTTP_SECONDS);
      });
      concurrency = Math.max(concurrency, c);
      concurrencyBound = Math.max(concurrencyBound, cb);
    });
    const active = targets.some((t) => t > 0);
    if (active) for (const t of ts) longest = Math.max(longest, holdLongest(t));
    const preAllocatedVUs = ceilVUs(concurrency);
    return {
      key: g.key,
      name: names[gi],
      startRate: active ? targets[0] : null,
      targets,
      iterations,
      expected: g.expected,
      concurrency,
      concurrencyBound,
      preAllocatedVUs,
      maxVUs: Math.max(preAllocatedVUs, ceilVUs(concurrencyBound)),
    };
  });
  const graceSeconds = Math.ceil(longest / speed + HTTP_SECONDS);
  const gracefulStop = goDuration((graceSeconds + STOP_SLACK) * 1e6);
  const active = scenarios.filter((s) => s.startRate !== null);
  const iterations = scenarios.reduce((s, x) => s + x.iterations, 0);
  const expected = plan.expected;
  const dropAllowance = Math.max(1, Math.floor(0.01 * expected));
  const { thresholds: sla, skipped } = slaThresholds(plan);
  const deferredTypes = o.timings.filter((t) => t.deadline !== null);
  const replyOnTime = sla.some(([k]) => k.startsWith('cctwin_reply_on_time')) || deferredTypes.length > 0;

  const groups = plan.groups.map((g, gi) => ({
    key: g.key,
    scenario: names[gi],
    metric: metricNames[gi],
    channel: g.channel,
    types: g.typeNames,
    // cumulative shares per interval (the last is 1 and left out), 6 decimals; null for one type
    cum: g.typeNames.length > 1
      ? g.typeShares.map((sh) => { let c = 0; return sh.slice(0, -1).map((x) => { c += x; return Number(c.toFixed(6)); }); })
      : null,
    // the reply deadline of each type, simulated seconds (null: none); null when no type has one
    deadlines: g.typeNames.some((n) => timingOf(n).deadline !== null) ? g.typeNames.map((n) => timingOf(n).deadline) : null,
    expected: Number(g.expected.toFixed(3)),
  }));

  const thresholdLines: string[] = [
    `    // every request answered with 2xx/3xx (a long-poll that times out is a 200)`,
    `    http_req_failed: ['rate<0.01'],`,
    `    // iterations k6 could not start for want of a free VU: at most 1% of the expected contacts`,
    `    dropped_iterations: ['count<=${dropAllowance}'],`,
  ];
  for (const s of active) {
    thresholdLines.push(`    '${`dropped_iterations{scenario:${s.name}}`}': ['count<=${Math.max(1, Math.floor(0.01 * s.expected))}'],`);
  }
  if (sla.length > 0) thresholdLines.push(`    // the scenario's SLA targets (a scoped target on its channel's submetric)`);
  const byKey = new Map<string, { exprs: string[]; names: string[] }>();
  for (const [key, expr, name] of sla) {
    const k = byKey.get(key) ?? { exprs: [], names: [] };
    k.exprs.push(`'${expr}'`);
    k.names.push(name);
    byKey.set(key, k);
  }
  for (const [key, k] of byKey) thresholdLines.push(`    '${key}': [${k.exprs.join(', ')}], // ${comment(k.names.join('; '))}`);
  if (skipped.length > 0) thresholdLines.push(`    // not measured by a load generator (the twin's own results have them): ${comment(skipped.join('; '))}`);

  const scenarioLines = active.map((s) => [
    `    ${js(s.name)}: {`,
    `      executor: 'ramping-arrival-rate',`,
    `      startRate: ${s.startRate},`,
    `      timeUnit: TIME_UNIT,`,
    `      stages: stages(${scenarios.indexOf(s)}),`,
    `      preAllocatedVUs: ${s.preAllocatedVUs}, // Little's law: ${fmt(s.concurrency, 1)} contacts in flight at the busiest interval`,
    `      maxVUs: ${s.maxVUs}, // ${fmt(s.concurrencyBound, 1)} if every contact waited its mean patience (or deadline)`,
    `      gracefulStop: GRACEFUL_STOP,`,
    `    },`,
  ].join('\n'));

  const inactive = scenarios.filter((s) => s.startRate === null).map((s) => s.key);
  const fills: Record<string, string> = {
    HEADER: [
      `// k6 load of the cctwin scenario ${comment(js(plan.scenario))}: its arrival process as k6 scenarios.`,
      `// Written by ${comment(o.command ?? 'cctwin k6')}; regenerate it rather than edit the rates.`,
      `//`,
      `// ${plan.by === 'type' ? 'One k6 scenario per contact type' : 'One k6 scenario per channel (each contact\'s type drawn with the interval\'s shares)'}, speed ${speed}: ${fmt(plan.horizon / 3600, 2)} simulated hours`,
      `// of arrivals in ${fmt(loadUs / 1e6, 1)} wall seconds, ${fmt(iterations)} contacts expected (${fmt(expected, 1)} in the plan)${plan.drawn ? `, the demand's overdispersion drawn with seed ${plan.seed}` : ''}.`,
    ].join('\n'),
    SCENARIO: js(plan.scenario),
    BY: js(plan.by),
    SPEED: String(speed),
    HORIZON: String(plan.horizon),
    INTERVAL: String(L),
    THRESHOLD: String(plan.threshold),
    SEED: String(plan.seed),
    BASE_URL: js(o.baseUrl),
    FORMAT: js(SUMMARY_FORMAT),
    FIELDS: js(COUNT_FIELDS.filter((f) => f !== 'dropped')),
    ALL_FIELDS: js(COUNT_FIELDS),
    TIME_UNIT: `${js(timeUnit)}; // ${scale} interval${scale === 1 ? '' : 's'} of wall time (${goDuration(bound(L))} each): targets are ${SCALE_WORDS[scale]} per interval`,
    SCALE: String(scale),
    LOAD_MS: `${loadUs / 1000}; // ${goDuration(loadUs)}`,
    GRACE_MS: `${graceSeconds * 1000}; // ${goDuration(graceSeconds * 1e6)}`,
    GRACEFUL_STOP: js(gracefulStop),
    DURATIONS: js(durations),
    TARGETS: `[\n${scenarios.map((s) => `  ${s.startRate === null ? 'null' : js(s.targets)}, // ${comment(s.key)}`).join('\n')}\n]`,
    GROUPS: `[\n${groups.map((g) => `  ${js(g)},`).join('\n')}\n]`,
    REPLY_METRIC: replyOnTime ? `\n// answered contacts of a type with a reply deadline (email, fax): 1 if answered within it\nconst replyOnTime = new Rate('cctwin_reply_on_time');` : '',
    REPLY_ADD: replyOnTime ? `\n    const deadline = group.deadlines === null ? null : group.deadlines[k];\n    if (deadline !== null) replyOnTime.add(w <= deadline, tags);` : '',
    INACTIVE: inactive.length ? `\n    // no arrivals over the horizon, no k6 scenario: ${comment(inactive.join(', '))}` : '',
    SCENARIOS: scenarioLines.join('\n'),
    THRESHOLDS: thresholdLines.join('\n'),
  };
  // A function replacer: a $ in a scenario's name stays a $.
  const text = TEMPLATE.replace(/%([A-Z_]+)%/g, (m, k: string) => {
    if (!(k in fills)) throw new Error(`k6Script: no value for ${m}`);
    return fills[k];
  });

  return {
    text,
    scenarios,
    loadSeconds: loadUs / 1e6,
    graceSeconds,
    gracefulStop,
    timeUnit,
    durations,
    iterations,
    targetScale: scale,
    preAllocatedVUs: active.reduce((s, x) => s + x.preAllocatedVUs, 0),
    maxVUs: active.reduce((s, x) => s + x.maxVUs, 0),
  };
}

// The script. %NAME% marks are filled in by k6Script; everything else is the same in every script.
const TEMPLATE = `%HEADER%
//
// Run it:   k6 run load.js
//   CCTWIN_BASE_URL  the target (default below); CCTWIN_TOKEN  a bearer token, sent when set;
//   CCTWIN_SUMMARY   where handleSummary writes the cctwin-load-summary/1 file (default cctwin-summary.json),
//                    which \`cctwin compare-k6 FILE --scenario SCENARIO.yaml\` compares with the simulation.
// Against the live twin, start it with the same speed and only the load's contacts, then k6 at once
// (the load's clock starts with k6, the twin's when it starts serving):
//   cctwin serve SCENARIO.yaml --speed SPEED --arrivals external
//
// How the load is built (docs/k6.md):
// - Arrivals: each k6 scenario's stages are the plan's expected first-attempt arrivals per interval
//   (demand profile, day of week, shocks and the overdispersion draw included; redials, rework and
//   complaints are the center's own). An interval of L simulated seconds lasts L / speed wall seconds
//   at rate * speed iterations per wall second: the same number of contacts. ramping-arrival-rate
//   interpolates linearly between targets, so each interval is a 0-duration stage (an instant jump)
//   to its level and a stage holding it; k6 starts iteration n when the integral of the rate reaches n
//   (evenly spaced starts, not Poisson ones). Targets are integers for k6: TIME_UNIT makes them
//   fractions of a contact per interval (thousandths; see TIME_UNIT).
// - VUs, by Little's law at the busiest interval: contacts in flight = iterations per wall second x wall
//   seconds an iteration lasts, the latter (IVR + wait) / speed + ${HTTP_SECONDS} s of HTTP, the wait
//   taken as the service-level threshold (a center meeting its target answers most within it), at most
//   the mean patience; preAllocatedVUs = ceil(${VU_MARGIN} x that + 3 sqrt(that)) + 1. maxVUs: the same with
//   every contact waiting its mean patience (or deadline; ${NO_PATIENCE_WAIT} s if it has neither).
// - Each iteration creates one contact and long-polls it until it is answered or ended. Contacts still
//   waiting when the arrivals end are followed until GRACE_MS after them: the longest expected hold
//   (IVR and patience at their ${HOLD_QUANTILE * 100}% quantile, or the reply deadline) / speed. No outcome by then:
//   counted noOutcome. gracefulStop is that plus ${STOP_SLACK} s, so iterations end on their own.
// - Metrics: cctwin_wait (Trend, simulated seconds, answered contacts), cctwin_answered_within (Rate
//   over offered contacts: 1 if answered within THRESHOLD: the service level), cctwin_abandoned (Rate
//   over offered contacts), tagged with type and channel; per-group counters cctwin_n_<field>_<group>
//   for the summary's counts.

import http from 'k6/http';
import { sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';

// ----------------------------------------------------------------------- the target's routes
// Every request the load makes, in one place: map them onto your own API here. create(type) must
// answer 2xx with JSON { id, status }; poll(id, timeoutS) must answer 200 with JSON { status,
// ended, wait, timedOut? } once the contact is answered or ended, or after timeoutS wall seconds
// (timedOut: true; the script polls again). status: ivr, queued, answered, completed, abandoned,
// blocked, deflected, ivrHangup, lost, dropped, unfinished (accepted while paused); wait: simulated
// seconds from queue entry (final once answered).
const ROUTES = {
  create: {
    method: 'POST',
    /** @param {string} type */
    url: (type) => BASE_URL + '/v1/contacts',
    /** @param {string} type */
    body: (type) => JSON.stringify({ type: type }),
    name: 'POST /v1/contacts',
  },
  poll: {
    method: 'GET',
    /** @param {string} id @param {number} timeoutS */
    url: (id, timeoutS) => BASE_URL + '/v1/contacts/' + encodeURIComponent(id) + '?wait=answered&timeout=' + timeoutS,
    name: 'GET /v1/contacts/{id}',
  },
};

// ----------------------------------------------------------------------- the scenario
const SCENARIO = %SCENARIO%;
const BY = %BY%;
/** simulated seconds per wall second */
const SPEED = %SPEED%;
/** simulated seconds of arrivals, and of one interval */
const HORIZON = %HORIZON%;
const INTERVAL = %INTERVAL%;
/** the service-level threshold, simulated seconds (a wait equal to it is within) */
const THRESHOLD = %THRESHOLD%;
/** the seed of the plan's overdispersion draw */
const SEED = %SEED%;
const BASE_URL = (__ENV.CCTWIN_BASE_URL || %BASE_URL%).replace(/\\/+$/, '');
const TOKEN = __ENV.CCTWIN_TOKEN || '';
const SUMMARY_PATH = __ENV.CCTWIN_SUMMARY || 'cctwin-summary.json';
const TIME_UNIT = %TIME_UNIT%
/** wall milliseconds of arrivals (the stages) */
const LOAD_MS = %LOAD_MS%
/** wall milliseconds after the arrivals during which contacts are still followed */
const GRACE_MS = %GRACE_MS%
const GRACEFUL_STOP = %GRACEFUL_STOP%;
/** the longest a poll may hold, wall seconds (the twin's limit) */
const POLL_MAX_S = 300;

/** the wall length of each interval's stage (the last one cut at the horizon) */
const DURATIONS = %DURATIONS%;

/** per group (GROUPS' order), each interval's target: expected contacts x %SCALE%; null: no k6 scenario */
/** @type {(number[] | null)[]} */
const TARGETS = %TARGETS%;

/**
 * The groups the counts are kept by (contact types or channels): the k6 scenario, the metric
 * names' suffix, the channel, the types sent, with more than one type the cumulative shares of
 * the types per interval (the last type takes the rest), the types' reply deadlines (simulated
 * seconds) and the plan's expected contacts.
 * @type {{ key: string, scenario: string, metric: string, channel: string, types: string[], cum: number[][] | null, deadlines: (number | null)[] | null, expected: number }[]}
 */
const GROUPS = %GROUPS%;

/**
 * A group's k6 stages from its interval targets: a 0-duration jump to each interval's level
 * (where it changes) and a stage holding it for the interval.
 * @param {number} g
 */
function stages(g) {
  const t = TARGETS[g] || [];
  /** @type {{ duration: string, target: number }[]} */
  const out = [];
  for (let i = 0; i < t.length; i++) {
    if (i > 0 && t[i] !== t[i - 1]) out.push({ duration: '0s', target: t[i] });
    out.push({ duration: DURATIONS[i], target: t[i] });
  }
  return out;
}

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {%INACTIVE%
%SCENARIOS%
  },
  thresholds: {
%THRESHOLDS%
  },
};

// ----------------------------------------------------------------------- metrics
// k6 puts a tagged submetric (cctwin_answered_within{channel:phone}) in handleSummary's data only
// when a threshold names it. The per-group counts are therefore metrics of their own,
// cctwin_n_<field>_<group> (k6 keeps every metric that has samples, no threshold needed); the
// dropped iterations are k6's dropped_iterations, read per scenario through the thresholds above.

/** simulated seconds from queue entry to answer, answered contacts */
const wait = new Trend('cctwin_wait');
/** offered contacts (answered, abandoned, lost, unfinished): 1 if answered within THRESHOLD */
const answeredWithin = new Rate('cctwin_answered_within');
/** offered contacts: 1 if abandoned */
const abandoned = new Rate('cctwin_abandoned');%REPLY_METRIC%

/** the summary's count fields the iterations count (dropped: k6's dropped_iterations) */
const FIELDS = %FIELDS%;
/** @type {Record<string, Counter>[]} */
const COUNTERS = GROUPS.map((g) => {
  /** @type {Record<string, Counter>} */
  const c = {};
  for (const f of FIELDS) c[f] = new Counter('cctwin_n_' + f + '_' + g.metric);
  return c;
});
/** @type {Record<string, number>} */
const GROUP_OF_SCENARIO = Object.create(null);
GROUPS.forEach((g, i) => { GROUP_OF_SCENARIO[g.scenario] = i; });

// ----------------------------------------------------------------------- an iteration
/** statuses on creation that are already the outcome (nothing to wait for) */
/** @type {Record<string, boolean>} */
const ENDED_AT_ONCE = { blocked: true, deflected: true, ivrHangup: true, abandoned: true, lost: true, unfinished: true };
/** statuses of a contact that was answered (dropped: answered, then cut off) */
/** @type {Record<string, boolean>} */
const ANSWERED = { answered: true, completed: true, dropped: true };
const PHI = 0.6180339887498949;

/**
 * The contact type of this iteration (its index in the group): the group's only type, or one
 * drawn with the current interval's shares (a golden-ratio sequence over the test's iterations:
 * the shares are met closely and the same run draws the same types).
 * @param {number} g
 */
function pickType(g) {
  const group = GROUPS[g];
  if (group.cum === null) return 0;
  const elapsed = (Date.now() - exec.scenario.startTime) / 1000;
  const i = Math.min(group.cum.length - 1, Math.max(0, Math.floor((elapsed * SPEED) / INTERVAL)));
  const u = ((exec.scenario.iterationInTest + 1) * PHI) % 1;
  const cum = group.cum[i];
  for (let k = 0; k < cum.length; k++) if (u < cum[k]) return k;
  return group.types.length - 1;
}

/**
 * The JSON body of a response, or null.
 * @param {import('k6/http').RefinedResponse<any>} res
 * @returns {Record<string, any> | null}
 */
function readJson(res) {
  try {
    const v = JSON.parse(String(res.body));
    return v !== null && typeof v === 'object' ? v : null;
  } catch (e) {
    return null;
  }
}

/**
 * Long-polls a contact until it is answered or ended (its view), or the deadline passes (null).
 * @param {string} id
 * @param {number} deadline wall ms
 * @param {Record<string, string>} headers
 * @param {Record<string, string>} tags
 */
function follow(id, deadline, headers, tags) {
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    const timeoutS = Math.max(1, Math.min(POLL_MAX_S, Math.floor(left / 1000)));
    const t0 = Date.now();
    const res = http.request(ROUTES.poll.method, ROUTES.poll.url(id, timeoutS), null, {
      headers: headers,
      tags: Object.assign({ name: ROUTES.poll.name }, tags),
      timeout: (timeoutS + 10) + 's',
    });
    if (res.status === 200) {
      const v = readJson(res);
      if (v !== null && (v.ended === true || ANSWERED[String(v.status)] === true)) return v;
      // timed out, or not yet there: poll again (at most once a second if the target does not hold)
      if (Date.now() - t0 < 1000) sleep(1);
      continue;
    }
    // too many open polls, unavailable, or a network error (status 0): try again until the deadline
    if (res.status === 429 || res.status === 503 || res.status === 0) { sleep(1); continue; }
    return null; // gone (404) or refused: no outcome
  }
}

export default function () {
  const g = GROUP_OF_SCENARIO[exec.scenario.name];
  const group = GROUPS[g];
  const count = COUNTERS[g];
  const k = pickType(g);
  const type = group.types[k];
  const tags = { type: type, channel: group.channel };
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json' };
  if (TOKEN !== '') headers.authorization = 'Bearer ' + TOKEN;
  const deadline = exec.scenario.startTime + LOAD_MS + GRACE_MS;

  count.sent.add(1, tags);
  const res = http.request(ROUTES.create.method, ROUTES.create.url(type), ROUTES.create.body(type), {
    headers: headers,
    tags: Object.assign({ name: ROUTES.create.name }, tags),
  });
  const created = res.status >= 200 && res.status < 300 ? readJson(res) : null;
  if (created === null || typeof created.id !== 'string') {
    count.failed.add(1, tags);
    return;
  }
  let status = String(created.status);
  /** @type {Record<string, any> | null} */
  let view = null;
  if (ENDED_AT_ONCE[status] !== true) {
    view = follow(created.id, deadline, headers, tags);
    if (view === null) {
      count.noOutcome.add(1, tags);
      return;
    }
    status = String(view.status);
  }
  if (ANSWERED[status] === true) {
    const w = view !== null && typeof view.wait === 'number' && view.wait > 0 ? view.wait : 0;
    count.answered.add(1, tags);
    count.waitSum.add(w, tags);
    if (w <= THRESHOLD) count.answeredWithin.add(1, tags);
    wait.add(w, tags);
    answeredWithin.add(w <= THRESHOLD, tags);
    abandoned.add(false, tags);%REPLY_ADD%
  } else if (status === 'abandoned' || status === 'lost' || status === 'unfinished') {
    count[status].add(1, tags);
    answeredWithin.add(false, tags);
    abandoned.add(status === 'abandoned', tags);
  } else if (status === 'blocked' || status === 'deflected' || status === 'ivrHangup') {
    count[status].add(1, tags);
  } else {
    count.noOutcome.add(1, tags); // a status this script does not know
  }
}

// ----------------------------------------------------------------------- the summary
const ALL_FIELDS = %ALL_FIELDS%;

/**
 * Writes the cctwin-load-summary/1 file (counts per group and in all) and a short table.
 * @param {any} data k6's end-of-test data
 */
export function handleSummary(data) {
  const metrics = data.metrics || {};
  /** @param {string} name @param {string} key */
  const value = (name, key) => {
    const m = metrics[name];
    return m && m.values && typeof m.values[key] === 'number' ? m.values[key] : 0;
  };
  /** @type {Record<string, Record<string, number>>} */
  const groups = Object.create(null);
  /** @type {Record<string, number>} */
  const totals = {};
  for (const f of ALL_FIELDS) totals[f] = 0;
  for (const g of GROUPS) {
    /** @type {Record<string, number>} */
    const c = {};
    for (const f of ALL_FIELDS) {
      const v = f === 'dropped' ? value('dropped_iterations{scenario:' + g.scenario + '}', 'count') : value('cctwin_n_' + f + '_' + g.metric, 'count');
      c[f] = f === 'waitSum' ? v : Math.round(v);
    }
    // an iteration stopped before it counted its outcome (gracefulStop, Ctrl-C) is a contact without one
    const seen = c.failed + c.blocked + c.deflected + c.ivrHangup + c.answered + c.abandoned + c.lost + c.unfinished;
    c.noOutcome = Math.max(c.noOutcome, c.sent - seen);
    groups[g.key] = c;
    for (const f of ALL_FIELDS) totals[f] += c[f];
  }
  const ms = data.state && typeof data.state.testRunDurationMs === 'number' ? data.state.testRunDurationMs : 0;
  /** @type {Record<string, Record<string, boolean>>} */
  const thresholds = {};
  const failed = [];
  for (const name of Object.keys(metrics)) {
    const t = metrics[name].thresholds;
    if (!t) continue;
    thresholds[name] = {};
    for (const expr of Object.keys(t)) {
      thresholds[name][expr] = t[expr].ok === true;
      if (t[expr].ok !== true) failed.push(name + ' ' + expr);
    }
  }
  const summary = {
    format: %FORMAT%,
    tool: 'k6',
    scenario: SCENARIO,
    by: BY,
    speed: SPEED,
    horizon: HORIZON,
    threshold: THRESHOLD,
    seed: SEED,
    target: BASE_URL,
    startedAt: new Date(Date.now() - ms).toISOString(),
    wallSeconds: ms / 1000,
    groups: groups,
    totals: totals,
    thresholds: thresholds,
  };
  /** @type {Record<string, string>} */
  const out = {};
  out[SUMMARY_PATH] = JSON.stringify(summary, null, 2);
  out.stdout = table(summary.groups, totals, ms, failed);
  return out;
}

/**
 * @param {Record<string, Record<string, number>>} groups
 * @param {Record<string, number>} totals
 * @param {number} ms
 * @param {string[]} failed
 */
function table(groups, totals, ms, failed) {
  /** @param {number | null} x @param {number} d */
  const n = (x, d) => (x === null ? '-' : x.toFixed(d));
  /** @param {Record<string, number>} c */
  const row = (c) => {
    const offered = c.answered + c.abandoned + c.lost + c.unfinished;
    return [
      String(c.sent), String(c.answered),
      n(offered > 0 ? (100 * c.answeredWithin) / offered : null, 1),
      n(offered > 0 ? (100 * c.abandoned) / offered : null, 1),
      n(c.answered > 0 ? c.waitSum / c.answered : null, 1),
      String(c.failed), String(c.dropped), String(c.noOutcome),
    ];
  };
  const head = ['sent', 'answered', 'SL %', 'aband %', 'ASA s', 'failed', 'dropped', 'noOutcome'];
  const rows = Object.keys(groups).map((k) => [k].concat(row(groups[k])));
  rows.push(['all'].concat(row(totals)));
  const w0 = Math.max(5, ...rows.map((r) => r[0].length));
  const lines = [
    'cctwin k6: ' + SCENARIO + ', by ' + BY + ', speed ' + SPEED + ', ' + (HORIZON / 3600).toFixed(2) + ' simulated hours in ' + (ms / 1000).toFixed(0) + ' wall seconds, target ' + BASE_URL,
    ''.padEnd(w0) + head.map((h) => h.padStart(10)).join(''),
  ];
  for (const r of rows) lines.push(r[0].padEnd(w0) + r.slice(1).map((x) => x.padStart(10)).join(''));
  lines.push(failed.length === 0 ? 'thresholds: all passed' : 'thresholds failed: ' + failed.join('; '));
  lines.push('summary: ' + SUMMARY_PATH);
  return lines.join('\\n') + '\\n';
}
`;
