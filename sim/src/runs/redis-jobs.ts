import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { LIMITS } from '../config/limits.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { MAX_SCENARIO_BYTES } from '../config/read.ts';
import { expectedArrivals, resultBytes } from '../engine/limits.ts';
import { HEADER_LENGTH, RESULT_MAGIC } from '../model/layout.ts';

/**
 * What the coordinator and the workers of the Redis backend say to each other: the
 * job (a batch of replications of one compiled scenario), where its results go, and
 * the rules both sides check. docs/distributed.md explains the choices.
 *
 * A job carries the scenario text as run (the file with every --set applied), the seed
 * and a range of replication indexes, the hash of the model the coordinator compiled
 * from that text, and the hash of the coordinator's code. A worker compiles the text
 * itself (the scenario schema is the payload's validator), refuses the job when its
 * own code or its compiled model differ, runs the replications, and writes each
 * result buffer, compressed, to a Redis hash keyed by replication index. A result is
 * what replication r of that model gives, whoever computes it and however often: a
 * job retried or done twice writes the same bytes into the same field, and the
 * coordinator stores replication r once (the run store's key is the index too).
 */

export const JOB_NAME = 'replications';
export const JOB_FORMAT = 1;
/** The most replications one job may carry (a bound for a payload put on the queue by hand). */
export const MAX_BATCH = 256;
/** Bytes of uncompressed results one job may write at once (a batch of a very large model shrinks to fit). */
const MAX_BATCH_BYTES = 64 * 1024 * 1024;
/** Results not collected (their coordinator was killed) expire after this long; a resume within it picks them up. */
export const RESULTS_TTL_SECONDS = 7 * 86400;
/** Redis keys of results: `${RESULTS_PREFIX}:${queue}:${tag}`, apart from BullMQ's keys (`cctwin:${queue}:...`). */
export const RESULTS_PREFIX = 'cctwin-results';

export interface ReplicationJob {
  kind: typeof JOB_NAME;
  format: typeof JOB_FORMAT;
  /** The coordinator's cctwin: its version (for messages) and code hash (runs/code-version.ts engineCode: the check). */
  engine: { version: string; code: string };
  /** modelHash() of the model the coordinator compiled from `scenario` and `seed`. */
  model: string;
  /** The scenario as run: YAML or JSON text with every edit applied. */
  scenario: string;
  seed: number;
  /** Replications from..to-1. */
  from: number;
  to: number;
  /** Where the results go: the hash `${RESULTS_PREFIX}:${queue}:${results}`. */
  results: string;
  /** Each result with the per contact type and interval block appended (engine/type-intervals.ts: the staffing search's figures). */
  typeIntervals?: true;
}

export interface JobReturn {
  replications: number;
  worker: string;
  seconds: number;
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/**
 * Everything wrong with a job's payload (empty when it can run). The payload may have
 * been put on the queue by anyone who can write to Redis: every field is checked for
 * type and range, unknown fields are refused, and nothing in it names code to load or
 * a key outside the results of its own tag.
 */
export function jobProblems(data: unknown): string[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return ['the payload must be an object'];
  const d = data as Record<string, unknown>;
  const out: string[] = [];
  const known = ['kind', 'format', 'engine', 'model', 'scenario', 'seed', 'from', 'to', 'results', 'typeIntervals'];
  const extra = Object.keys(d).filter((k) => !known.includes(k));
  if (extra.length > 0) out.push(`unknown field${extra.length === 1 ? '' : 's'} ${extra.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`);
  if (d.kind !== JOB_NAME) out.push(`kind must be "${JOB_NAME}"`);
  if (d.format !== JOB_FORMAT) out.push(`format must be ${JOB_FORMAT} (this worker's job format)`);
  const e = d.engine as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null || typeof e.version !== 'string' || e.version.length > 200 || typeof e.code !== 'string' || !HEX16.test(e.code) || Object.keys(e).length !== 2) {
    out.push('engine must be { version, code } (a version string and a 16-digit hex code hash)');
  }
  if (typeof d.model !== 'string' || !HEX64.test(d.model)) out.push('model must be a 64-digit hex hash');
  if (typeof d.scenario !== 'string' || d.scenario.length === 0 || Buffer.byteLength(d.scenario) > MAX_SCENARIO_BYTES) out.push(`scenario must be the scenario text (at most ${MAX_SCENARIO_BYTES} bytes)`);
  if (!Number.isSafeInteger(d.seed) || (d.seed as number) < 0) out.push('seed must be a whole number >= 0');
  const from = d.from, to = d.to;
  if (!Number.isSafeInteger(from) || (from as number) < 0 || !Number.isSafeInteger(to) || (to as number) <= (from as number) || (to as number) > LIMITS.replications || (to as number) - (from as number) > MAX_BATCH) {
    out.push(`from and to must be whole numbers with 0 <= from < to <= ${LIMITS.replications} and at most ${MAX_BATCH} replications`);
  }
  if (typeof d.results !== 'string' || !TAG.test(d.results)) out.push('results must be a tag of letters, digits, ".", "_" and "-"');
  if (d.typeIntervals !== undefined && d.typeIntervals !== true) out.push('typeIntervals must be true when given');
  return out;
}

/**
 * A hash of a compiled model's content: JSON with the numbers JSON cannot hold
 * (Infinity, NaN, -0) spelled out. The compiler builds every object in a fixed order,
 * so the same scenario text, seed and code give the same hash in any process.
 */
export function modelHash(cfg: ModelConfig): string {
  let h = hashes.get(cfg);
  if (h === undefined) {
    const text = JSON.stringify(cfg, (_k, v: unknown) => (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? `#${Object.is(v, -0) ? '-0' : String(v)}` : v));
    h = createHash('sha256').update(text).digest('hex');
    if (Object.isFrozen(cfg)) hashes.set(cfg, h);
  }
  return h;
}
const hashes = new WeakMap<ModelConfig, string>();

/**
 * The tag of one arm's replications: the run that stores them (its id in the run
 * store, the sweep point), the arm, and a hash of the code and the model. Two
 * coordinators with different stores may both have a run 12; their tags still differ
 * unless they run the same model with the same code, and then their results are the
 * same numbers.
 */
export function resultsTag(o: { run: string; point?: number; arm: number; code: string; model: string; typeIntervals?: boolean }): string {
  const h = createHash('sha256').update(`${o.code}\0${o.model}`).digest('hex').slice(0, 16);
  return `${o.run}${o.point !== undefined ? `.p${o.point}` : ''}.a${o.arm}${o.typeIntervals ? '.ti' : ''}.${h}`;
}

/** The id of the job of replications from..to-1: the same batch always gets the same id, so adding it twice adds it once. */
export function jobId(tag: string, from: number, to: number): string {
  return `${tag}.${from}-${to}`;
}

export function resultsKey(queue: string, tag: string): string {
  return `${RESULTS_PREFIX}:${queue}:${tag}`;
}

/** A result buffer as stored in Redis: raw deflate of its bytes (about 8:1 on a day's result; a millisecond). */
export function encodeResult(buf: Float64Array): Buffer {
  return deflateRawSync(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), { level: 1 });
}

/** A stored result back as a buffer; null when it is not the result of replication `r` (damaged, or not a result at all). */
export function decodeStoredResult(b: Buffer, r: number, maxBytes: number): Float64Array | null {
  let raw: Buffer;
  try {
    raw = inflateRawSync(b, { maxOutputLength: maxBytes });
  } catch {
    return null;
  }
  if (raw.byteLength % 8 !== 0 || raw.byteLength < HEADER_LENGTH * 8) return null;
  const out = new Float64Array(raw.byteLength / 8);
  new Uint8Array(out.buffer).set(raw);
  return out[0] === RESULT_MAGIC && out[6] === r ? out : null;
}

/**
 * Replications per job. Measured (bench/redis.ts, docs/distributed.md): a job costs
 * about 2.5 ms of CPU in all (coordinator, the worker's main thread, Redis: adding it,
 * taking it, writing and reading its results, its events) and a few ms of latency on
 * a worker between two jobs, whatever its size. So a job should carry a few hundred
 * milliseconds of simulation at least: here enough replications for about a million
 * expected arrivals (0.4 s of engine time on erlang-a-day, 6 replications; 1 s on
 * baseline-day, 5), which keeps the queue's cost under 1%. But the last jobs of a
 * point keep only some workers busy while the others wait for the next point, so a
 * point is cut into at least 16 jobs when it has 16 replications or more; and a job
 * carries at most 16 replications (a tiny model's jobs stay short enough to spread),
 * and at most 64 MB of results.
 */
export function batchSize(cfg: ModelConfig, planned: number): number {
  const arrivals = Math.max(1, expectedArrivals(cfg));
  const byCost = Math.max(1, Math.floor(1_000_000 / arrivals));
  const bySpread = Math.max(1, Math.floor(planned / 16));
  const byBytes = Math.max(1, Math.floor(MAX_BATCH_BYTES / Math.max(1, resultBytes(cfg))));
  return Math.min(16, byCost, bySpread, byBytes);
}

/**
 * The jobs of a set of replication indexes: runs of consecutive indexes, cut at the
 * multiples of `size`. Cutting at fixed multiples (not at every `size`-th index of
 * the set) lets a resumed coordinator, whose missing set is the original one minus
 * whole jobs, make the same jobs (the same ids) as the coordinator it replaces.
 */
export function batches(indexes: readonly number[], size: number): { from: number; to: number }[] {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const out: { from: number; to: number }[] = [];
  for (let i = 0; i < sorted.length;) {
    const from = sorted[i];
    let to = from + 1;
    i++;
    while (i < sorted.length && sorted[i] === to && to % size !== 0) { to++; i++; }
    out.push({ from, to });
  }
  return out;
}
