import type { FastifyInstance } from 'fastify';
import { FlagChecker } from '../sim/src/cli/options.ts';
import { checkFiles, openStore } from '../sim/src/cli/files.ts';
import type { Io } from '../sim/src/cli/io.ts';
import { DEFAULT_DB } from '../sim/src/runs/location.ts';
import type { RunStore } from '../sim/src/runs/store.ts';
import { baseApp, isLoopback } from './app.ts';
import { registerDashboard } from './dashboard.ts';
import { registerRunRoutes } from './runs.ts';
import { checkHost, libraryDir } from './serve.ts';

/**
 * The run store's app without a twin: its read-only routes, the built dashboard at `/`
 * and `/healthz` (`{ ok: true }`, no `clock`: the dashboard reads that as "no live twin
 * here" and hides the live view, without a request that fails).
 */
export async function buildStoreApp(o: { store: RunStore; scenarios: string | null; description?: string; logger?: boolean }): Promise<FastifyInstance> {
  const app = await baseApp({ title: 'cctwin run store', description: o.description ?? 'The run store\'s runs: read-only.', logger: o.logger });
  registerRunRoutes(app, { store: o.store, scenarios: o.scenarios });
  await registerDashboard(app);
  app.get('/healthz', { schema: { summary: 'liveness', tags: ['meta'] } }, async () => ({ ok: true }));
  return app;
}

/**
 * `cctwin dashboard [--db FILE] [--port P] [--host H]`: the dashboard for the run store
 * alone (no live twin): its read-only routes and the built dashboard at `/`. Runs until
 * SIGINT or SIGTERM.
 */
export async function cmdDashboard(io: Io, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const port = f.number('port', o.port ?? '8080', { integer: true, min: 0, max: 65535 });
  const host = String(o.host ?? '127.0.0.1').trim();
  checkHost(f, host);
  const db = String(o.db ?? DEFAULT_DB);
  checkFiles(f, { outputs: [], store: { arg: { flag: 'db', value: db, what: 'the run store' }, access: 'read', mustExist: true } });
  f.done('dashboard');
  const store = openStore(db, 'read');
  const app = await buildStoreApp({ store, scenarios: libraryDir(), description: `The runs in ${db}: read-only.` });
  let address: string;
  try {
    address = await app.listen({ port: port!, host });
  } catch (e) {
    await app.close();
    store.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
      io.err(`error: cannot listen on ${host}:${port}: ${err.code}`);
      return 1;
    }
    throw e;
  }
  io.out(`cctwin dashboard: ${store.file} (read-only)`);
  io.out(`  dashboard ${address}/`);
  io.out(`  runs ${address}/v1/runs, docs ${address}/docs/json`);
  if (!isLoopback(host)) io.out('  note: the run store is readable by anyone who reaches this address');
  io.out('  Ctrl-C stops it');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => { process.off('SIGINT', on); process.off('SIGTERM', on); resolve(s); };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  io.err(`\n${signal}: stopping`);
  await app.close();
  store.close();
  return 0;
}
