import { FlagChecker } from '../sim/src/cli/options.ts';
import { openStore } from '../sim/src/cli/files.ts';
import type { Io } from '../sim/src/cli/io.ts';
import { DEFAULT_DB } from '../sim/src/runs/location.ts';
import { baseApp, isLoopback } from './app.ts';
import { registerDashboard } from './dashboard.ts';
import { registerRunRoutes } from './runs.ts';
import { libraryDir } from './serve.ts';

/**
 * `cctwin dashboard [--db FILE] [--port P] [--host H]`: the dashboard for the run store
 * alone (no live twin): its read-only routes and the built dashboard at `/`. Runs until
 * SIGINT or SIGTERM.
 */
export async function cmdDashboard(io: Io, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const port = f.number('port', o.port ?? '8080', { integer: true, min: 0, max: 65535 });
  const host = String(o.host ?? '127.0.0.1').trim();
  if (host === '') f.fail('host', host, 'must be an IP address or a host name');
  const db = String(o.db ?? DEFAULT_DB);
  f.done('dashboard');
  const store = openStore(db, 'read');
  const app = await baseApp({ title: 'cctwin run store', description: `The runs in ${db}: read-only.` });
  registerRunRoutes(app, { store, scenarios: libraryDir() });
  await registerDashboard(app);
  app.get('/healthz', { schema: { summary: 'liveness', tags: ['meta'] } }, async () => ({ ok: true }));
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
