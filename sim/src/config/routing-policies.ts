/**
 * The built-in routing policies, defined once: the names a scenario may give in
 * `routing.policy`, and the integer ids the engine switches on (sim/src/model/routing.ts
 * describes what each does). Any other name is the path of a plug-in module.
 */
export const FIFO = 0;
export const PRIORITY = 1;
export const AGING = 2;
export const PLUGIN = 3;

export const BUILTIN_POLICIES: Readonly<Record<string, number>> = { fifo: FIFO, priority: PRIORITY, aging: AGING };

/** The id of a policy name: a built-in's, or PLUGIN. */
export function policyKind(name: string): number {
  return Object.hasOwn(BUILTIN_POLICIES, name) ? BUILTIN_POLICIES[name] : PLUGIN;
}

/** The file names a plug-in policy module may have: TypeScript (compiled by tsx when loaded) or JavaScript. */
export const POLICY_MODULE = /\.(m?ts|m?js)$/;
