import { writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Io } from '../../sim/src/cli/io.ts';
import { FlagChecker } from '../../sim/src/cli/options.ts';
import { checkFiles } from '../../sim/src/cli/files.ts';
import { signalExitCode } from '../../sim/src/cli/execution.ts';
import { fmtKpi, table } from '../../sim/src/cli/table.ts';
import { parseDuration } from '../../sim/src/config/duration.ts';
import { compileVariant, parseDurationFlag, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import { SimError } from '../../sim/src/errors.ts';
import { MAX_SPEED } from '../twin.ts';
import { loadPlan, type LoadBy } from './plan.ts';
import { buildSchedule, httpClient, probeTarget, runReplay, TargetUnreachable, type Http, type ReplayProgress } from './replay.ts';
import { loadKpis, type LoadCounts, type LoadSummary } from './summary.ts';

/**
 * `cctwin replay FILE --against URL`: the built-in load generator (replay.ts), its flags,
 * the alignment with a twin (GET /v1/state: same speed, start at its clock), progress,
 * Ctrl-C, the summary file and the table.
 */

export interface ReplayFlags {
  against: URL;
  speed: number;
  /** simulated seconds (undefined: the scenario's horizon) */
  horizon?: number;
  concurrency: number;
  by: LoadBy;
  seed?: number;
  out: string;
  token?: string;
  json: boolean;
}

export const MAX_CONCURRENCY = 100_000;

/** Reads replay's flags; bad ones go to `f` (all reported at once by the caller). */
export function readReplayFlags(f: FlagChecker, o: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ReplayFlags {
  const rawAgainst = String(o.against ?? '').trim();
  let against: URL | undefined;
  try {
    const u = new URL(rawAgainst);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.search === '' && u.hash === '' && u.username === '' && u.password === '') against = u;
  } catch {
    // reported below
  }
  if (against === undefined) f.fail('against', rawAgainst, 'must be an http:// or https:// URL without query or credentials, e.g. http://127.0.0.1:8080');
  const rawSpeed = String(o.speed ?? '60').trim();
  let speed: number | undefined;
  if (rawSpeed === 'max') f.fail('speed', rawSpeed, `must be a number > 0 and <= ${MAX_SPEED} (a load is paced: max has no pace)`);
  else speed = f.number('speed', rawSpeed, { exclusiveMin: 0, max: MAX_SPEED });
  const h = parseDurationFlag('horizon', o.horizon, f.issues);
  const horizon = h === undefined ? undefined : parseDuration(h);
  if (horizon !== undefined && !(horizon > 0)) f.fail('horizon', String(o.horizon), 'must be a duration more than 0 (e.g. 4h)');
  const concurrency = f.number('concurrency', o.concurrency ?? '2000', { integer: true, min: 1, max: MAX_CONCURRENCY });
  const by = String(o.by ?? 'type') as LoadBy;
  if (by !== 'type' && by !== 'channel') f.fail('by', by, 'must be one of type, channel');
  const seed = f.number('seed', o.seed, { integer: true, min: 0 });
  const out = String(o.out ?? 'replay-summary.json');
  const token = (o.token as string | undefined) ?? (env.CCTWIN_TOKEN || undefined);
  if (token !== undefined && !/^[\x21-\x7e]{1,4096}$/.test(token)) {
    f.fail(o.token !== undefined ? 'token' : 'token (CCTWIN_TOKEN)', '(hidden)', 'must be visible ASCII characters, no spaces');
  }
  return { against: against!, speed: speed!, horizon, concurrency: concurrency!, by, seed, out, token, json: Boolean(o.json) };
}

const pct = (v: number | null) => fmtKpi('serviceLevel', v);

/** The table printed after a load: per group, and all groups when they share one channel. */
export function replayTable(s: LoadSummary, channels: Record<string, string>): string {
  const row = (name: string, c: LoadCounts, expected: number | undefined, kpis: boolean) => {
    const k = loadKpis(c);
    return [
      name, String(c.sent), expected === undefined ? '-' : expected.toFixed(0), String(k.offered), String(c.answered),
      kpis ? pct(k.serviceLevel) : '-', kpis ? pct(k.abandonRate) : '-', kpis ? fmtKpi('asa', k.asa) : '-',
      String(c.blocked + c.deflected + c.ivrHangup), String(c.failed), String(c.dropped), String(c.noOutcome),
    ];
  };
  const keys = Object.keys(s.groups);
  const one = new Set(keys.map((k) => channels[k])).size <= 1;
  const rows = keys.map((k) => row(k, s.groups[k], s.expected?.[k], true));
  if (keys.length > 1) {
    const exp = s.expected ? Object.values(s.expected).reduce((a, x) => a + x, 0) : undefined;
    rows.push(row(one ? 'all' : 'all (counts only: the groups are of several channels)', s.totals, exp, one));
  }
  return table(['group', 'sent', 'expected', 'offered', 'answered', 'serviceLevel', 'abandonRate', 'asa', 'no queue', 'failed', 'dropped', 'noOutcome'], rows);
}

/** Lines said after the table: what was skipped, what stopped the load, errors, lags. */
export function replayNotes(s: LoadSummary): string[] {
  const out: string[] = [];
  const start = s.start ?? 0;
  out.push(`window: simulated ${start.toFixed(0)} s to ${s.horizon.toFixed(0)} s at speed ${s.speed} (${s.wallSeconds.toFixed(1)} wall s); threshold ${s.threshold} s`);
  if ((s.skipped ?? 0) > 0) out.push(`skipped: ${s.skipped} arrivals of the plan before the twin's clock (${start.toFixed(0)} s) were not sent`);
  if (s.stopped) out.push(`STOPPED: ${s.stopped}${s.plannedHorizon !== undefined ? ` (planned to ${s.plannedHorizon} s)` : ''}`);
  const errs = Object.entries(s.errors ?? {}).sort((a, b) => b[1] - a[1]);
  if (errs.length > 0) out.push(`errors: ${errs.slice(0, 8).map(([k, v]) => `${k} x${v}`).join('; ')}${errs.length > 8 ? `; ... (${errs.length} causes)` : ''}`);
  if (s.arrivalLag) out.push(`arrival lag (the twin's arrival time minus the schedule's, simulated s): mean ${s.arrivalLag.mean.toFixed(2)}, p99 ${s.arrivalLag.p99.toFixed(2)}, max ${s.arrivalLag.max.toFixed(2)} over ${s.arrivalLag.n} contacts`);
  if (s.targetLag) out.push(`twin lag (GET /v1/state, simulated s behind its pace): mean ${s.targetLag.mean.toFixed(2)}, max ${s.targetLag.max.toFixed(2)} over ${s.targetLag.samples} samples`);
  const bad = s.totals.failed + s.totals.dropped + s.totals.noOutcome;
  if (s.totals.sent > 0 && bad / s.totals.sent > 0.01) out.push(`WARNING: ${bad} of ${s.totals.sent} contacts (${pct(bad / s.totals.sent)}) failed, were dropped or have no outcome: a comparison with the simulation is unreliable`);
  return out;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function cmdReplay(io: Io, file: string, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const x = readReplayFlags(f, o);
  checkFiles(f, { inputs: [{ flag: '', value: file, what: 'the scenario file' }], outputs: [{ flag: 'out', value: x.out, what: 'the summary file' }] });
  // The scenario's problems and the flags' in one report.
  const compiled = f.collect(() => compileVariant(readScenarioText(file), file, [], x.seed).cfg);
  if (compiled !== undefined && x.horizon !== undefined && x.horizon > compiled.horizon + 1e-9) f.fail('horizon', String(o.horizon), `must be at most the scenario's horizon (${compiled.horizon} s)`);
  f.done('replay');
  const cfg = compiled!;
  const seed = x.seed ?? cfg.seed;
  const plan = loadPlan(cfg, { by: x.by, horizon: x.horizon, seed });
  const target = x.against.href.replace(/\/$/, '');
  const http: Http = httpClient(x.against, x.token, x.concurrency + 16);
  const say = (s: string) => (x.json ? io.err : io.out)(s);
  try {
    // Is it a twin? Then its pace must be ours, and the load starts at its clock.
    let info;
    try {
      info = await probeTarget(http, target);
    } catch (e) {
      if (e instanceof TargetUnreachable) { io.err(`error: ${e.message}`); return 1; }
      throw e;
    }
    if (info.twin) {
      if (info.speed !== x.speed) {
        const why = info.speed === 'max'
          ? `the twin at ${target} runs at speed max, which has no pace to line the load up with: serve it with a number (e.g. --speed 600) and give the same here`
          : `the twin at ${target} runs at speed ${String(info.speed)}: give --speed ${String(info.speed)} (simulated times must line up)`;
        throw new SimError('SIM_ERR_BAD_ARGUMENT', `cctwin replay: ${why}`, [{ path: '--speed', value: String(x.speed), message: why }]);
      }
      if (info.dayOver) { io.err(`error: the twin at ${target} has finished its day: it takes no more contacts (restart it)`); return 1; }
      if (info.arrivals === 'internal') { io.err(`error: the twin at ${target} runs with --arrivals internal: it takes no contacts from clients (serve it with --arrivals external)`); return 1; }
      if (info.arrivals === 'both') io.err(`warning: the twin at ${target} adds the scenario's own arrivals to the load (--arrivals both): the center carries both; serve it with --arrivals external to compare with the simulation`);
      if (info.scenario !== undefined && info.scenario !== cfg.name) io.err(`warning: the twin serves scenario "${info.scenario}", the load is "${cfg.name}"`);
      if ((info.clock ?? 0) >= plan.horizon) { io.err(`error: the twin's clock (simulated ${Math.floor(info.clock ?? 0)} s) is past the load's end (--horizon: simulated ${plan.horizon} s from the start of the day): nothing to send; give a later --horizon or restart the twin`); return 1; }
    } else {
      say(`${target} is not a cctwin twin (no GET /v1/state): the load starts at simulated 0`);
    }
    const schedule = buildSchedule(plan, seed);
    // The start: the twin's clock now (after the schedule was drawn); a paused twin is resumed as the load starts.
    let start = 0;
    if (info.twin) {
      const again = await probeTarget(http, target);
      start = again.clock ?? 0;
      if (again.paused) {
        const r = await http.request('POST', '/v1/control', { action: 'resume' });
        const clock = (r.json as { clock?: unknown } | null)?.clock;
        if (r.status !== 200 || typeof clock !== 'number') { io.err(`error: the twin at ${target} is paused and refused to resume (HTTP ${r.status})`); return 1; }
        start = clock;
        say(`the twin was paused at simulated ${clock.toFixed(0)} s: resumed as the load starts`);
      }
    }
    say(`cctwin replay: ${cfg.name} -> ${target}, speed ${x.speed}, simulated ${start.toFixed(0)} s to ${plan.horizon} s, by ${plan.by}, ${schedule.times.length} arrivals planned from 0 (seed ${seed}), concurrency ${x.concurrency}`);

    // Ctrl-C (or SIGTERM, SIGHUP): stop sending, give the contacts in flight a moment, write what was measured.
    const stop = new AbortController();
    let signal: (typeof STOP_SIGNALS)[number] | null = null;
    const onSignal = (s: (typeof STOP_SIGNALS)[number]) => {
      if (signal !== null) process.exit(signalExitCode(signal));
      signal = s;
      io.err(`\ninterrupted by ${s}: stopping the load, waiting a moment for the contacts in flight (again to quit at once)`);
      stop.abort();
    };
    const handlers = STOP_SIGNALS.map((s) => [s, () => onSignal(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const bar = process.stderr.isTTY && !x.json
      ? new cliProgress.SingleBar({
        stream: process.stderr,
        format: 'replay {bar} {percentage}% | sim {sim} | sent {sent} | answered {answered} | abandoned {abandoned} | SL {sl} | in flight {inflight}',
        hideCursor: true,
        clearOnComplete: true,
      }, cliProgress.Presets.shades_classic)
      : null;
    const span = plan.horizon - start;
    bar?.start(Math.round(span), 0, { sim: '-', sent: 0, answered: 0, abandoned: 0, sl: '-', inflight: 0 });
    const onProgress = (p: ReplayProgress) => {
      const k = loadKpis(p.totals);
      bar?.update(Math.round(Math.max(0, p.clock - start)), {
        sim: `${(p.clock / 3600).toFixed(2)} h`, sent: p.totals.sent, answered: p.totals.answered, abandoned: p.totals.abandoned,
        sl: pct(k.serviceLevel), inflight: p.inFlight,
      });
    };
    let summary: LoadSummary;
    try {
      summary = await runReplay({ cfg, plan, schedule, http, target, speed: x.speed, start, concurrency: x.concurrency, seed, stop: stop.signal, onProgress, twin: info.twin, ...(info.twin && info.arrivals !== undefined ? { targetArrivals: info.arrivals } : {}) });
    } finally {
      bar?.stop();
      for (const [s, h] of handlers) process.off(s, h);
    }
    const json = JSON.stringify(summary, null, 2);
    writeFileSync(x.out, `${json}\n`);
    if (x.json) io.out(json);
    else {
      if (summary.interrupted) io.out(`INTERRUPTED: what was measured until the stop\n`);
      io.out(replayTable(summary, Object.fromEntries(plan.groups.map((g) => [g.key, g.channel]))));
      io.out('');
    }
    for (const line of replayNotes(summary)) say(line);
    say(`summary written to ${x.out} (compare it with the simulation: cctwin compare-k6 ${x.out} --scenario ${file})`);
    if (signal !== null) return signalExitCode(signal);
    if (summary.stopped !== undefined && /refused|takes no contacts/.test(summary.stopped)) return 1;
    return 0;
  } finally {
    await http.destroy().catch(() => {});
  }
}
