import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * The web dashboard (dashboard/, built by `vite build` into dist/dashboard/ on install)
 * served at `/` with @fastify/static. It reads only over HTTP: the run store's routes
 * and, under `cctwin serve`, the live twin's. Without a build, `/` says how to make one.
 */

/**
 * The built dashboard's folder: dist/dashboard/ beside the compiled server
 * (dist/bundle/, the bin's; or dist/twin-api/), or the package's dist/dashboard/ when the server runs from its
 * sources (twin-api/*.ts: there ../dashboard/ is the dashboard's source folder, whose
 * index.html is not a build).
 */
export function dashboardDir(): string | null {
  const rel = import.meta.url.endsWith('.ts') ? '../dist/dashboard/' : '../dashboard/';
  const dir = fileURLToPath(new URL(rel, import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : null;
}

export async function registerDashboard(app: FastifyInstance): Promise<void> {
  const dir = dashboardDir();
  if (dir === null) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><title>cctwin</title><p>The dashboard is not built: run <code>npm run build</code> in the cctwin package. The API is at <a href="/docs/json">/docs/json</a>.</p>'));
    return;
  }
  await app.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: false, schemaHide: true } as Parameters<typeof fastifyStatic>[1]);
}
