import { Clone, Default } from 'typebox/value';
import { parseDuration } from './duration.ts';
import type { RoutingConfig } from './model-config.ts';
import { ScenarioSchema, type ScenarioInput } from './schema.ts';
import { deepFreeze } from './freeze.ts';

/**
 * Defaults, applied once. Every default of a scenario field is the `default` of its
 * schema (sim/src/config/schema.ts and the *-schema.ts files); `withDefaults` fills
 * them in when a file is loaded, and `modelConfig` fills the same values into a
 * model built in code. Nothing downstream (compile, the engine) defaults again.
 */

const DAY = 86400;

/**
 * The scenario with every schema default filled in (TypeBox's Value.Default: only
 * missing fields, recursively). A copy: the input is not touched. Idempotent, and
 * tolerant of input with schema errors (a value of the wrong type is left alone),
 * so it can run before validation and the checks of meaning.
 */
export function withDefaults(input: ScenarioInput): ScenarioInput {
  return Default(ScenarioSchema, Clone(input)) as ScenarioInput;
}

/**
 * The defaults of a file that gives nothing, read off the schema by filling an empty
 * skeleton (one of each list item, and each optional part that has defaults inside).
 */
const D = withDefaults({
  contactTypes: [{ ivr: {}, bot: {}, redial: {}, callback: {} }],
  agentGroups: [{}],
  failures: [{}],
} as unknown as ScenarioInput);
const DT = D.contactTypes![0];
const DG = D.agentGroups![0];

/**
 * The schema's defaults in the model's units: what a hand-built model gets for a field
 * it leaves out. `npm run schema` writes them to config/schema-defaults.ts, which
 * modelConfig reads, so that a model built in code loads no TypeBox (about 200 ms);
 * test/sim/schema-drift.test.ts checks the two agree.
 */
export const SCHEMA_DEFAULTS_FROM_SCHEMA = deepFreeze({
  seed: D.seed!,
  intervalLength: parseDuration(D.interval!),
  warmup: parseDuration(D.warmup!),
  threshold: parseDuration(D.serviceLevel!.threshold!),
  siteMode: D.siteMode!,
  siteOverflowAfter: parseDuration(D.siteOverflow!.after!),
  siteTransferDelay: parseDuration(D.siteOverflow!.transferDelay!),
  routing: {
    policy: D.routing!.policy!,
    agingRate: D.routing!.agingRate!,
    overflowAfter: parseDuration(D.routing!.overflowAfter!),
    params: D.routing!.params!,
  } satisfies RoutingConfig,
  overdispersion: { dayCv: D.overdispersion!.dayCv!, intervalCv: D.overdispersion!.intervalCv! },
  priority: DT.priority!,
  ivr: {
    selfService: DT.ivr!.selfService!,
    hangup: DT.ivr!.hangup!,
    misroute: DT.ivr!.misroute!,
    misrouteTime: parseDuration(DT.ivr!.misrouteTime!),
  },
  summarySaving: DT.bot!.summarySaving!,
  maxAttempts: DT.redial!.maxAttempts!,
  dialTime: parseDuration(DT.callback!.dialTime!),
  maxContacts: DG.maxContacts!,
  slowdown: DG.slowdown!,
  inService: D.failures![0].inService!,
  waiting: D.failures![0].waiting!,
  /** A skill without a stated speed is worked at the standard speed (the file always states one). */
  proficiency: 1,
});

/** The type of SCHEMA_DEFAULTS (config/schema-defaults.ts, generated from the value above). */
export type SchemaDefaults = typeof SCHEMA_DEFAULTS_FROM_SCHEMA;

export { deepFreeze } from './freeze.ts';
export { defaultSiteSplit, modelConfig, SCHEMA_DEFAULTS, SINGLE_QUEUE, singleQueueModel, type SingleQueueInput } from './model-defaults.ts';
export type {
  AgentGroupInput, BotInput, CallbackInput, ContactTypeInput, IvrInput, ModelInput, RedialInput, SiteFailureInput,
} from './model-defaults.ts';
