import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import { SimError } from '../sim/src/errors.ts';
import { compileVariant, readScenarioText } from '../sim/src/experiments/overrides.ts';
import { FlagChecker } from '../sim/src/cli/options.ts';
import type { Io } from '../sim/src/cli/io.ts';
import { buildTwin } from './app.ts';
import { checkFiles, openStore } from '../sim/src/cli/files.ts';
import { DEFAULT_DB } from '../sim/src/runs/location.ts';
import { LiveRunRecord } from './live-store.ts';
import { simClock } from '../sim/src/metrics/clock.ts';
import { MAX_SPEED, type Arrivals, type Speed } from './twin.ts';

/**
 * `cctwin serve [FILE]`: the live twin on a port. The command is defined with the
 * others in sim/src/cli/program.ts; bin/cctwin.js hands this module in (sim/ never
 * imports twin-api/). Runs until SIGINT or SIGTERM, then closes the server and the
 * simulated day (contacts still waiting end as unfinished).
 */

const ARRIVALS: readonly Arrivals[] = ['internal', 'external', 'both'];

/** The scenario served when no file is given: the packaged baseline day (found upwards from this module, in the sources or in dist/). */
export function defaultScenario(): string | null {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string };
      const file = new URL('scenarios/baseline-day.yaml', dir);
      if (pkg.name === 'cctwin' && existsSync(file)) return decodeURIComponent(file.pathname);
    } catch {
      // no package.json here: look one folder up
    }
    if (dir.pathname === '/') return null;
  }
}

/** The packaged scenario library's folder (GET /v1/scenarios), or null. */
export function libraryDir(): string | null {
  const f = defaultScenario();
  return f === null ? null : dirname(f);
}

export interface ServeFlags {
  speed: Speed;
  port: number;
  host: string;
  arrivals: Arrivals;
  seed?: number;
  token?: string;
  db: string;
}

/** --host (serve, dashboard): an IP address or a host name, else a problem in `f`. */
export function checkHost(f: FlagChecker, host: string): void {
  if (!(isIP(host.replace(/^\[|\]$/g, '')) || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host))) {
    f.fail('host', host, 'must be an IP address or a host name');
  }
}

/** Reads and checks serve's flags; throws one SimError naming every bad flag (exit 2). */
export function readServeFlags(o: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ServeFlags {
  const f = new FlagChecker();
  const flags = checkServeFlags(f, o, env);
  f.done('serve');
  return flags;
}

/** serve's flags, their problems left in `f` (the command adds the scenario's and the run store's). */
function checkServeFlags(f: FlagChecker, o: Record<string, unknown>, env: NodeJS.ProcessEnv): ServeFlags {
  const rawSpeed = String(o.speed ?? '60').trim();
  const speed: Speed | undefined = rawSpeed === 'max' ? 'max' : f.number('speed', rawSpeed, { exclusiveMin: 0, max: MAX_SPEED });
  if (rawSpeed !== 'max' && speed === undefined) f.issues[f.issues.length - 1] = { ...f.issues[f.issues.length - 1], message: `${f.issues[f.issues.length - 1].message}, or max` };
  const port = f.number('port', o.port ?? '8080', { integer: true, min: 0, max: 65535 });
  const host = String(o.host ?? '127.0.0.1').trim();
  checkHost(f, host);
  const arrivals = String(o.arrivals ?? 'both') as Arrivals;
  if (!ARRIVALS.includes(arrivals)) f.fail('arrivals', arrivals, `must be one of ${ARRIVALS.join(', ')}`);
  const seed = f.number('seed', o.seed, { integer: true, min: 0 });
  const token = (o.token as string | undefined) ?? (env.CCTWIN_TOKEN || undefined);
  if (token !== undefined && !/^[\x21-\x7e]{16,256}$/.test(token)) {
    f.fail(o.token !== undefined ? 'token' : 'token (CCTWIN_TOKEN)', '(hidden)', 'must be 16 to 256 visible ASCII characters, no spaces');
  }
  const db = String(o.db ?? DEFAULT_DB);
  if (db.trim() === '') f.fail('db', db, 'must be a file name (the run store)');
  return { speed: speed!, port: port!, host, arrivals, seed, token, db };
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => { process.off('SIGINT', on); process.off('SIGTERM', on); resolve(s); };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function cmdServe(io: Io, file: string | undefined, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const flags = checkServeFlags(f, o, process.env);
  if (flags.db.trim() !== '') checkFiles(f, { outputs: [], store: { arg: { flag: 'db', value: flags.db, what: 'the run store' }, access: 'write' } });
  const path = file ?? defaultScenario();
  if (path === null) throw new SimError('SIM_ERR_SCENARIO_READ', 'no scenario file given, and the packaged scenarios/baseline-day.yaml was not found');
  // The scenario's problems and the flags' in one report.
  const variant = f.collect(() => compileVariant(readScenarioText(path), path, [], f.issues.some((i) => i.path === '--seed') ? undefined : flags.seed));
  f.done('serve');
  const compiled = variant!;
  const cfg = compiled.cfg;
  const store = openStore(flags.db, 'write');
  let app: Awaited<ReturnType<typeof buildTwin>>;
  try {
    app = await buildTwin({ cfg, speed: flags.speed, arrivals: flags.arrivals, token: flags.token, host: flags.host, runStore: store, scenarios: libraryDir() });
  } catch (e) {
    store.close();
    throw e;
  }
  const stopped = stopSignal();
  let address: string;
  try {
    address = await app.listen({ port: flags.port, host: flags.host });
  } catch (e) {
    await app.close();
    store.close();
    const err = e as NodeJS.ErrnoException;
    io.err(`error: cannot listen on ${flags.host}:${flags.port}: ${err.code ?? err.message}`);
    return 1;
  }
  const twin = app.twin;
  const record = LiveRunRecord.create(store, twin, { text: compiled.text, options: { speed: flags.speed, arrivals: flags.arrivals, seed: cfg.seed, host: flags.host, address } });
  let why = 'the horizon reached';
  let storeFailure: string | null = null;
  twin.onDayEnd(() => {
    try {
      record.finish(why);
      if (why === 'the horizon reached') io.out(`the simulated day is over: stored as run ${record.runId} in ${store.file} (cctwin runs show ${record.runId}); still serving reads, Ctrl-C to stop`);
    } catch (e) {
      storeFailure = e instanceof Error ? e.message : String(e);
      io.err(`error: the day could not be stored in ${store.file}: ${storeFailure}`);
    }
  });
  const auth = app.twinAuth;
  io.out(`cctwin serve: ${cfg.name}, speed ${flags.speed}, arrivals ${flags.arrivals}, horizon ${(twin.horizon / 3600).toFixed(2)} h, run ${record.runId} in ${store.file}`);
  // A wildcard host listens on every interface; Fastify's address is the loopback one of them.
  const everywhere = flags.host === '0.0.0.0' || flags.host === '::';
  io.out(`  listening on ${everywhere ? `every interface (--host ${flags.host}), port ${new URL(address).port}; on this machine ${address}` : address}`);
  io.out(`  dashboard ${address}/ (the live view; ${address}/#/ the scenarios and stored runs)`);
  io.out(`  docs (OpenAPI JSON) ${address}/docs/json`);
  if (auth.required) io.out(auth.generated ? `  token (generated; mutating routes need Authorization: Bearer <token>): ${auth.token}` : '  mutating routes need Authorization: Bearer <the token given>');
  io.out('  Ctrl-C stops the twin (the day is cut at the clock: contacts still waiting end as unfinished; the run is stored)');
  const signal = await stopped;
  io.err(`\n${signal}: closing the twin`);
  if (!twin.dayOver || twin.finalResult === null) why = signal;
  await app.close();
  store.close();
  const x = twin.external;
  const ended = Object.values(x.outcomes).reduce((a, b) => a + b, 0);
  const cut = twin.run.stoppedAt;
  io.out(`stopped at simulated ${simClock(twin.run.now, true)}${cut === null ? '' : ' (the day cut there)'}: ${x.created} contacts created by clients, ${ended} ended${x.created > ended ? `, ${x.created - ended} in service when the day was cut` : ''}`);
  if (storeFailure !== null) return 1;
  io.out(`stored as run ${record.runId} in ${store.file} (cctwin runs show ${record.runId})`);
  return 0;
}
