import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compileVariant, parseDurationFlag, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { parseDuration } from '../../sim/src/config/duration.ts';
import { FlagChecker } from '../../sim/src/cli/options.ts';
import { checkFiles } from '../../sim/src/cli/files.ts';
import type { Io } from '../../sim/src/cli/io.ts';
import { MAX_SPEED } from '../twin.ts';
import { loadPlan, type LoadBy } from './plan.ts';
import { k6Script, typeTimings } from './k6.ts';

/**
 * `cctwin k6 FILE`: writes a k6 script whose load is the scenario's arrival process
 * (k6.ts builds it; docs/k6.md). The command is defined in sim/src/cli/program.ts;
 * bin/cctwin.js hands this module in. Without --out the script goes to stdout.
 */

const BY: readonly LoadBy[] = ['type', 'channel'];
/** slower than this, a long scenario's load would outlast what k6 can time (Go durations: 292 years) */
export const MIN_SPEED = 0.01;

export interface K6Flags {
  speed: number;
  baseUrl: string;
  by: LoadBy;
  /** simulated seconds, when given */
  horizon?: number;
  seed?: number;
  out?: string;
}

/** Reads the flags into `f` (every problem collected, nothing thrown). */
export function readK6Flags(f: FlagChecker, o: Record<string, unknown>): Partial<K6Flags> {
  const speed = f.number('speed', o.speed ?? '60', { min: MIN_SPEED, max: MAX_SPEED });
  const baseUrl = String(o.baseUrl ?? 'http://127.0.0.1:8080').trim();
  let url: URL | null = null;
  try {
    url = new URL(baseUrl);
  } catch {
    // reported below
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    f.fail('base-url', baseUrl, 'must be an http:// or https:// URL with a host, and no query, fragment or credentials (e.g. http://127.0.0.1:8080)');
  }
  const by = String(o.by ?? 'type') as LoadBy;
  if (!BY.includes(by)) f.fail('by', by, `must be one of ${BY.join(', ')}`);
  const rawHorizon = parseDurationFlag('horizon', o.horizon, f.issues);
  const horizon = rawHorizon === undefined ? undefined : parseDuration(rawHorizon);
  if (horizon !== undefined && !(horizon > 0)) f.fail('horizon', String(o.horizon).trim(), 'must be a duration more than 0 (e.g. 4h)');
  const seed = f.number('seed', o.seed, { integer: true, min: 0 });
  const out = o.out === undefined ? undefined : String(o.out);
  return { speed, baseUrl: baseUrl.replace(/\/+$/, ''), by, horizon: horizon !== undefined && horizon > 0 ? horizon : undefined, seed, out };
}

export async function cmdK6(io: Io, file: string, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const flags = readK6Flags(f, o);
  if (flags.out !== undefined) {
    checkFiles(f, { outputs: [{ flag: 'out', value: flags.out, what: 'the k6 script' }], inputs: [{ flag: '', value: file, what: 'the scenario file' }] });
  }
  // The scenario is read before the flags are judged, so that a --horizon past its horizon
  // is reported with the other flags, and the scenario's own problems with them.
  const compiled = f.collect(() => compileVariant(readScenarioText(file), file, [], f.issues.some((i) => i.path === '--seed') ? undefined : flags.seed).cfg);
  if (compiled !== undefined && flags.horizon !== undefined && flags.horizon > compiled.horizon) {
    f.fail('horizon', String(o.horizon).trim(), `must be at most the scenario's horizon (${compiled.horizon} s = ${+(compiled.horizon / 3600).toFixed(3)} h)`);
  }
  f.done('k6');
  const cfg = compiled!;

  const plan = loadPlan(cfg, { by: flags.by!, horizon: flags.horizon, seed: flags.seed });
  const command = ['cctwin k6', basename(file), `--speed ${flags.speed}`, `--by ${plan.by}`,
    ...(flags.horizon !== undefined ? [`--horizon ${plan.horizon}s`] : []), ...(flags.seed !== undefined ? [`--seed ${flags.seed}`] : [])].join(' ');
  const script = k6Script(plan, { speed: flags.speed!, baseUrl: flags.baseUrl!, timings: typeTimings(cfg), command });
  if (flags.out === undefined) {
    io.out(script.text);
    return 0;
  }
  writeFileSync(flags.out, script.text);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const active = script.scenarios.filter((s) => s.startRate !== null).length;
  const wall = (s: number) => (s >= 3600 ? `${+(s / 3600).toFixed(2)} h` : s >= 60 ? `${+(s / 60).toFixed(1)} min` : `${+s.toFixed(1)} s`);
  io.out(`wrote ${flags.out}: ${active} k6 scenario${active === 1 ? '' : 's'} (one per ${plan.by === 'type' ? 'contact type' : 'channel'}), ${n(script.iterations)} expected iterations `
    + `over ${wall(script.loadSeconds)} of wall time (${+(plan.horizon / 3600).toFixed(2)} simulated hours at speed ${flags.speed}), then up to ${wall(script.graceSeconds)} for the last outcomes; `
    + `VUs: ${n(script.preAllocatedVUs)} pre-allocated, at most ${n(script.maxVUs)}`);
  return 0;
}
