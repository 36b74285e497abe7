/**
 * Which flags each `cctwin erlang` model reads: erlang.ts refuses a flag given to a
 * model that does not read it, and program.ts's --help says which models read each
 * (a module of its own: the help loads it without the analytic formulas).
 */
export const ERLANG_MODELS = ['b', 'c', 'a', 'staff'] as const;

const SIMULATION_FLAGS = ['simulate', 'hours', 'replications', 'seed', 'warmup', 'workers'];

export const MODEL_FLAGS: Readonly<Record<string, readonly string[]>> = {
  b: ['erlangs', 'arrivals-per-hour', 'aht', 'agents', 'lines', 'json'],
  c: ['arrivals-per-hour', 'aht', 'agents', 'lines', 'threshold', ...SIMULATION_FLAGS, 'json'],
  a: ['arrivals-per-hour', 'aht', 'agents', 'patience', 'lines', 'threshold', ...SIMULATION_FLAGS, 'json'],
  staff: ['arrivals-per-hour', 'aht', 'patience', 'lines', 'threshold', 'target', 'convention', 'max-abandon', 'max-asa', 'json'],
};

/** Flags of the simulation alone: without --simulate nothing reads them (--hours and --warmup also set the analytic totals of --json). */
export const ONLY_SIMULATED: readonly string[] = ['replications', 'seed', 'workers'];

/** The models that read `flag`, as --help says it: ": erlang c, a" (nothing when every model does). */
export function readBy(flag: string): string {
  const models = ERLANG_MODELS.filter((m) => MODEL_FLAGS[m].includes(flag));
  return models.length === ERLANG_MODELS.length ? '' : `: erlang ${models.join(', ')}`;
}
