import type { DistSpec } from '../core/distributions.ts';
import type {
  AgentGroupConfig, BotConfig, CallbackConfig, ContactTypeConfig, DemandParams, IvrConfig, ModelConfig, RedialConfig,
  RoutingConfig, SiteConfig, SiteFailureConfig, SlaTarget, QueueConfig, WorkforceConfig,
} from './model-config.ts';
import { SCHEMA_DEFAULTS } from './schema-defaults.ts';
import { SimError } from '../errors.ts';

/**
 * Models built in code (the public API, tests, `erlang --simulate`): modelConfig fills
 * every field a model leaves out with the scenario schema's defaults, read from
 * config/schema-defaults.ts (generated from the schema by `npm run schema`), so this
 * module and its callers load no TypeBox.
 */
export { SCHEMA_DEFAULTS };

const DAY = 86400;

/**
 * Site split of a type that names none: in proportion to the sites' lines when every
 * site has a line limit, else equal.
 */
export function defaultSiteSplit(sites: readonly SiteConfig[]): number[] {
  return sites.every((x) => x.lines !== null) ? sites.map((x) => x.lines!) : sites.map(() => 1);
}

type Opt<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type IvrInput = Opt<IvrConfig, 'selfService' | 'hangup' | 'misroute' | 'misrouteTime'>;
export type BotInput = Opt<BotConfig, 'summarySaving'>;
export type RedialInput = Opt<RedialConfig, 'maxAttempts'>;
export type CallbackInput = Opt<CallbackConfig, 'dialTime'>;

export interface ContactTypeInput extends Opt<Omit<ContactTypeConfig, 'ivr' | 'bot' | 'redial' | 'callback'>, 'priority' | 'siteSplit'> {
  /** @deprecated single-site shorthand for siteSplit: every arrival lands on this site */
  readonly site?: number;
  readonly ivr?: IvrInput;
  readonly bot?: BotInput;
  readonly redial?: RedialInput;
  readonly callback?: CallbackInput;
}

/** Absent: every served queue at speed 1, primary (no backup), never blended. */
export type AgentGroupInput = Opt<AgentGroupConfig, 'proficiency' | 'backup' | 'maxContacts' | 'slowdown' | 'blendBelow'>;

export type SiteFailureInput = Opt<SiteFailureConfig, 'inService' | 'waiting'>;

/** A model built in code: what a scenario file must give, plus whatever else it wants to set. */
export interface ModelInput {
  readonly schemaVersion?: 1;
  readonly name: string;
  /** default 'center' (singleQueueModel builds the other form) */
  readonly form?: ModelConfig['form'];
  readonly seed?: number;
  readonly horizon: number;
  readonly intervalLength?: number;
  /** default: horizon / intervalLength */
  readonly nIntervals?: number;
  readonly warmup?: number;
  readonly threshold?: number;
  readonly sla: readonly SlaTarget[];
  readonly types: readonly ContactTypeInput[];
  readonly queues: readonly QueueConfig[];
  readonly groups: readonly AgentGroupInput[];
  readonly sites: readonly SiteConfig[];
  readonly siteMode?: ModelConfig['siteMode'];
  readonly siteOverflowAfter?: number;
  readonly siteTransferDelay?: number;
  readonly routing?: Partial<RoutingConfig>;
  readonly failures?: readonly SiteFailureInput[];
  readonly workforce?: WorkforceConfig;
  readonly demand?: Partial<DemandParams>;
}

/**
 * A complete ModelConfig from a model built in code (the public API, tests), with
 * every field it leaves out filled from the scenario schema's defaults: the same
 * model as a scenario file that leaves the same fields out. Compile builds its
 * configs through it too, then deep-freezes them.
 *
 * The result shares the caller's arrays and parts and is not frozen (freeze it with
 * `deepFreeze` once it is final: the engine builds a frozen model's topology once,
 * an unfrozen one's for every replication, since its caller may still change it).
 */
export function modelConfig(m: ModelInput): ModelConfig {
  if (m.form === 'queue') {
    // The single-queue form has one of each; commands write its staffing back as the top-level `agents`.
    const issues = (['types', 'queues', 'groups', 'sites'] as const).filter((k) => m[k].length !== 1)
      .map((k) => ({ path: k, value: m[k].length, message: "must have one item in a model of form 'queue' (the single-queue form): a model with more is a center" }));
    if (issues.length > 0) throw new SimError('SIM_ERR_BAD_ARGUMENT', `modelConfig: ${m.name} is not a single queue`, issues);
  }
  const M = SCHEMA_DEFAULTS;
  const L = m.intervalLength ?? M.intervalLength;
  const split = defaultSiteSplit(m.sites);
  const cfg: ModelConfig = {
    schemaVersion: 1,
    name: m.name,
    form: m.form ?? 'center',
    seed: m.seed ?? M.seed,
    horizon: m.horizon,
    intervalLength: L,
    nIntervals: m.nIntervals ?? Math.round(m.horizon / L),
    warmup: m.warmup ?? M.warmup,
    threshold: m.threshold ?? M.threshold,
    sla: m.sla,
    types: m.types.map(({ site, ivr, bot, redial, callback, ...t }): ContactTypeConfig => ({
      ...t,
      priority: t.priority ?? M.priority,
      siteSplit: t.siteSplit ?? (site !== undefined ? m.sites.map((_, si) => (si === site ? 1 : 0)) : split),
      ...(ivr ? { ivr: fill(M.ivr, ivr) } : {}),
      ...(bot ? { bot: fill({ summarySaving: M.summarySaving }, bot) } : {}),
      ...(redial ? { redial: fill({ maxAttempts: M.maxAttempts }, redial) } : {}),
      ...(callback ? { callback: fill({ dialTime: M.dialTime }, callback) } : {}),
    })),
    queues: m.queues,
    groups: m.groups.map((g): AgentGroupConfig => ({
      ...g,
      proficiency: g.proficiency ?? g.queues.map(() => M.proficiency),
      backup: g.backup ?? g.queues.map(() => 0),
      maxContacts: g.maxContacts ?? M.maxContacts,
      slowdown: g.slowdown ?? M.slowdown,
      blendBelow: g.blendBelow ?? g.queues.map(() => null),
    })),
    sites: m.sites,
    siteMode: m.siteMode ?? M.siteMode,
    siteOverflowAfter: m.siteOverflowAfter ?? M.siteOverflowAfter,
    siteTransferDelay: m.siteTransferDelay ?? M.siteTransferDelay,
    routing: fill(M.routing, m.routing),
    failures: (m.failures ?? []).map((f) => fill({ inService: M.inService, waiting: M.waiting }, f)),
    demand: fill({ ...M.overdispersion, intervalsPerDay: Math.max(1, Math.round(DAY / L)) }, m.demand),
    ...(m.workforce ? { workforce: m.workforce } : {}),
  };
  return cfg;
}

/** The names of the single-queue form's one contact type, queue, agent group and site in the compiled model (reports show them). */
export const SINGLE_QUEUE = { type: 'calls', queue: 'calls', group: 'agents', site: 'center' } as const;

/** What the single-queue form gives: one phone queue, its demand and staffing per interval. */
export interface SingleQueueInput extends Omit<ModelInput, 'form' | 'types' | 'queues' | 'groups' | 'sites'> {
  /** arrivals per second, one per interval */
  readonly arrivalRates: readonly number[];
  readonly handleTime: DistSpec;
  /** null: callers never give up */
  readonly patience: DistSpec | null;
  readonly wrapUp?: DistSpec;
  /** agents, one per interval */
  readonly staffing: readonly number[];
  /** trunk lines (calls in the system at once), null: no limit */
  readonly lines: number | null;
}

/**
 * The model of the single-queue form (form 'queue'): one phone contact type, its
 * queue, one group of agents and one site, named as SINGLE_QUEUE; the rest (routing,
 * sites, demand) keeps its defaults. The scenario compiler and `erlang --simulate`
 * build it here.
 */
export function singleQueueModel(m: SingleQueueInput): ModelConfig {
  const { arrivalRates, handleTime, patience, wrapUp, staffing, lines, ...rest } = m;
  return modelConfig({
    ...rest,
    form: 'queue',
    types: [{
      name: SINGLE_QUEUE.type,
      channel: 'phone',
      arrivalRates,
      handleTime,
      patience,
      ...(wrapUp ? { wrapUp } : {}),
      queue: 0,
    }],
    queues: [{ name: SINGLE_QUEUE.queue }],
    groups: [{ name: SINGLE_QUEUE.group, site: 0, queues: [0], staffing }],
    sites: [{ name: SINGLE_QUEUE.site, lines }],
  });
}

/** `given` over `dflt`, field by field; a field given as undefined keeps its default. */
function fill<D extends object, G extends object>(dflt: D, given: G | undefined): D & G {
  const out: Record<string, unknown> = { ...(dflt as Record<string, unknown>) };
  if (given) for (const [k, v] of Object.entries(given)) if (v !== undefined) out[k] = v;
  return out as D & G;
}

