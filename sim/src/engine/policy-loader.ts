import { pathToFileURL } from 'node:url';
import type { ModelConfig } from '../config/model-config.ts';
import { EngineError } from '../errors.ts';
import { PLUGIN, policyKind } from '../config/routing-policies.ts';
import type { PolicyFactory, RoutingPolicy } from '../model/routing.ts';

/**
 * Plug-in routing policies: a scenario names a module (`routing.policy:
 * ./policies/shortest-queue.ts`, resolved against the scenario file when it is
 * loaded); its default export is a `PolicyFactory`. Modules are imported once per
 * thread, before any replication runs (`await loadPolicy(cfg)`), then found here by
 * the synchronous engine: no await in the hot loop.
 */
const loaded = new Map<string, RoutingPolicy>();

function key(cfg: ModelConfig): string {
  return `${cfg.routing.policy}\u0000${JSON.stringify(cfg.routing.params)}`;
}

export function isPluginPolicy(cfg: ModelConfig): boolean {
  return policyKind(cfg.routing.policy) === PLUGIN;
}

/**
 * A policy written in TypeScript is compiled on import by tsx, a development
 * dependency loaded only then (the engine itself is compiled JavaScript); a policy
 * in JavaScript is imported as it is.
 */
async function importModule(file: string): Promise<{ default?: PolicyFactory }> {
  const url = pathToFileURL(file).href;
  if (!/\.(c|m)?ts$/.test(file)) return (await import(url)) as { default?: PolicyFactory };
  let tsx: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  try {
    tsx = (await import('tsx/esm/api')) as typeof tsx;
  } catch {
    throw new EngineError('ENGINE_ERR_POLICY_LOAD', `routing policy module ${file} is TypeScript, which needs the package tsx (npm install --save-dev tsx), or compile the policy to JavaScript`, [
      { path: 'routing.policy', value: file, message: 'is a TypeScript module: install tsx, or give a .js module' },
    ]);
  }
  return (await tsx.tsImport(url, import.meta.url)) as { default?: PolicyFactory };
}

/** Imports the model's plug-in policy, if it has one. Idempotent. */
export async function loadPolicy(cfg: ModelConfig): Promise<RoutingPolicy | null> {
  if (!isPluginPolicy(cfg)) return null;
  const k = key(cfg);
  const have = loaded.get(k);
  if (have) return have;
  let mod: { default?: PolicyFactory };
  try {
    mod = await importModule(cfg.routing.policy);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    const why = (e as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND' ? 'no such module' : String((e as Error)?.message ?? e).split('\n')[0];
    throw new EngineError('ENGINE_ERR_POLICY_LOAD', `routing policy module ${cfg.routing.policy} cannot be loaded: ${why}`, [
      { path: 'routing.policy', value: cfg.routing.policy, message: `cannot be loaded: ${why}` },
    ]);
  }
  if (typeof mod.default !== 'function') {
    const has = mod.default === undefined ? 'it has no default export' : `its default export is ${mod.default === null ? 'null' : typeof mod.default}`;
    throw new EngineError('ENGINE_ERR_POLICY_LOAD', `routing policy module ${cfg.routing.policy} must export default a function (params) => RoutingPolicy`, [
      { path: 'routing.policy', value: cfg.routing.policy, message: `must export default a function (params) => RoutingPolicy: ${has}` },
    ]);
  }
  let policy: RoutingPolicy;
  try {
    policy = mod.default(cfg.routing.params);
  } catch (e) {
    const why = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : 'it threw a value that is not an Error';
    throw new EngineError('ENGINE_ERR_POLICY_LOAD', `routing policy module ${cfg.routing.policy}: the factory threw (${why})`, [
      { path: 'routing.policy', value: cfg.routing.policy, message: `its factory threw ${why}` },
    ]);
  }
  if (!policy || typeof policy.score !== 'function') {
    const got = policy instanceof Promise || typeof (policy as { then?: unknown } | null)?.then === 'function'
      ? 'it returned a promise (the factory must not be async)'
      : policy === null || typeof policy !== 'object' ? `it returned ${policy === null ? 'null' : typeof policy}` : 'the object it returned has no score function';
    throw new EngineError('ENGINE_ERR_POLICY_LOAD', `routing policy module ${cfg.routing.policy}: the factory must return an object with score(s, queue, slot, agent)`, [
      { path: 'routing.policy', value: cfg.routing.policy, message: `its factory must return an object with score(s, queue, slot, agent): ${got}` },
    ]);
  }
  loaded.set(k, policy);
  return policy;
}

/** The policy loadPolicy() loaded for this model, or null. */
export function loadedPolicy(cfg: ModelConfig): RoutingPolicy | null {
  return isPluginPolicy(cfg) ? loaded.get(key(cfg)) ?? null : null;
}
