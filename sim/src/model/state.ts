import { EngineError } from '../errors.ts';
import type { Sampler } from '../core/distributions.ts';
import { makeStream, type Stream } from '../core/rng.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { PLUGIN } from '../config/routing-policies.ts';
import type { ModelTopology } from '../config/topology.ts';
import { headcountLength, NCH, NM } from './layout.ts';
import { DemandSampler } from './demand.ts';
import { TimeAreas } from './areas.ts';
import type { RoutingPolicy } from './routing.ts';
import type { EventLog } from './event-log.ts';
import type { LiveState } from './live.ts';

// The parts of the state, each in its own module (see SimState); their constants are
// importable from here as before.
export {
  CALL_FREE, CALL_IN_SERVICE, CALL_IVR, CALL_RETRY, CALL_WAITING,
  FLAG_CALLBACK, FLAG_CASE, FLAG_COMPLAINT, FLAG_MISROUTED, FLAG_REPEAT, FLAG_TRANSFERRED,
} from './contacts.ts';
export { AGENT_OFF, AGENT_ON } from './agents.ts';
export { ABANDON_ARM_AFTER } from './patience.ts';

/** Tenure of agents of groups without a roster: experts. */
export const EXPERT_DAYS = 10_000;

/**
 * The sampler of a model's overdispersion, one per topology: it keeps the base rates
 * and scratch for the day multipliers, and fills a replication's rates without
 * allocating. Its scratch is used only within `fill`, which runs to its end in the
 * SimState constructor, so replications of one model can share it.
 */
const demandSamplers = new WeakMap<ModelTopology, DemandSampler>();

function demandSamplerOf(topo: ModelTopology, cfg: ModelConfig): DemandSampler {
  let d = demandSamplers.get(topo);
  if (d === undefined) {
    d = new DemandSampler({ rates: cfg.types.map((t) => t.arrivalRates as number[]), ...topo.overdispersion! }, topo.nIntervals);
    demandSamplers.set(topo, d);
  }
  return d;
}

/**
 * All mutable state of one replication, as structures of arrays indexed by integer
 * ids, beside the model's structure (config/topology.ts: built once per model, its
 * arrays shared by every replication, read only; they appear here under the same
 * names, so the handlers read one object).
 *
 * The state is built in parts, one module each, every part a class extending the one
 * before, so that every field stays a field of this one object (`s.cType[slot]`), with
 * one hidden class, and the hot loop reads it with no indirection:
 *   clock.ts      the simulated time, the events counted, the calendar
 *   contacts.ts   contact slots, recycled with generations (CALL_*, FLAG_*)
 *   queues.ts     the agent queues: FIFO rings of (slot, generation)
 *   agents.ts     agents' live state and the available rings (AGENT_*)
 *   patience.ts   the patience lane: abandonment timers armed late
 *   costs.ts      agent and telephony cost (a function advanceAreas calls)
 *   areas.ts      time-weighted levels and their areas
 *   state.ts      this class: the rest (the model's structure, demand, random
 *                 streams, the workforce, sites, routing, the count metrics)
 * Contacts live in recycled slots; a slot's generation is bumped when it is freed,
 * which makes any timer still pointing at it stale (the calendar never searches).
 * Queues and available-agent lists are rings with lazy deletion: an entry remembers
 * the generation it was pushed with and is skipped if that no longer matches.
 */
export class SimState extends TimeAreas {
  readonly cfg: ModelConfig;

  // ---- contact types (index = type id)
  readonly nTypes: number;
  /** queue of a type's contacts landing on each site: [type * nSites + site] */
  readonly typeQueue: Int32Array;
  /** cumulative site split per type: [type * nSites + site] */
  readonly typeSplit: Float64Array;
  readonly typePriority: Float64Array;
  readonly typeChannel: Int32Array;
  /** 1 if the type's contacts hold a trunk line (phone) */
  readonly typeUsesLine: Uint8Array;
  readonly typeDeadline: Float64Array;
  /** 1 if an IM bot answers the type first */
  readonly typeHasBot: Uint8Array;
  /** 1: the type's IVR is taken only by callers who cannot be connected at once (IvrConfig.onlyWhenNoAgentFree). */
  readonly typeIvrWhenBusy: Uint8Array;
  /** seconds of waiting after which a callback is offered (Infinity: never) */
  readonly typeCallbackAfter: Float64Array;
  /** seconds the wrong agent takes to transfer a misrouted call (a typed array: a number read from the config object would keep the service time tagged, boxed) */
  readonly typeMisrouteTime: Float64Array;
  /** arrivals per second, [type * nIntervals + interval] */
  readonly rates: Float64Array;
  /** per type: the interval of its last scheduled arrival, and that interval's end */
  readonly arrivalInterval: Int32Array;
  readonly arrivalEnd: Float64Array;
  readonly handle: Sampler[];
  readonly patience: (Sampler | null)[];
  /** after-call work per type, null: none */
  readonly wrapUp: (Sampler | null)[];
  readonly ivrTime: (Sampler | null)[];
  readonly redialDelay: (Sampler | null)[];
  readonly arrivalStream: Stream[];
  readonly handleStream: Stream[];
  readonly patienceStream: Stream[];
  /** wrap-up draws per type (null for types without wrap-up: no stream made) */
  readonly wrapStream: (Stream | null)[];
  /** IVR and bot outcomes, redial decisions and delays, callback acceptance: per type */
  readonly customerStream: Stream[];
  /** site choice of arrivals and misroute targets */
  readonly routingStream: Stream;

  // ---- queues (their rings: queues.ts)
  readonly queueChannel: Int32Array;
  /** site of each queue in local mode, -1 in virtual mode */
  readonly queueSite: Int32Array;
  /** groups serving each queue, and the wait after which each may take its contacts */
  readonly queueGroups: Int32Array[];
  readonly queueGroupDelay: Float64Array[];
  readonly queueGroupBlend: Float64Array[];
  /** distinct positive delays per queue: when to look again for a waiting contact */
  readonly queueDelays: Float64Array[];
  readonly transferDelay: number;
  /** service-level threshold, seconds (cfg.threshold) */
  readonly threshold: number;
  /** queues some group works only while the phone queue is short */
  readonly blendedQueues: Int32Array;

  // ---- agent groups (agents' live state and available rings: agents.ts)
  readonly groupFirst: Int32Array;
  readonly groupSize: Int32Array;
  /** 1 / groupCap: an agent's busy share per contact */
  readonly groupShare: Float64Array;
  readonly groupSlowdown: Float64Array;
  /** queues served by each group, with speed, delay and blending threshold per queue */
  readonly groupQueues: Int32Array[];
  readonly groupProf: Float64Array[];
  readonly groupDelay: Float64Array[];
  readonly groupBlend: Float64Array[];
  readonly groupSite: Int32Array;
  readonly staffing: Int32Array; // [group * nIntervals + interval]

  // ---- workforce (issue 4): people who learn, tire and quit (wf: areas.ts)
  /** tenure in days at time 0 (negative: hired later) */
  readonly aTenure0: Float64Array;
  readonly aQuit: Uint8Array;
  /** when the agent last logged on (fatigue counts from here) */
  readonly aOnSince: Float64Array;
  /** agents who can take contacts (hired, trained, not quit), per group */
  readonly groupAvail: Int32Array;
  /** agents off the phones (mentoring, coaching, breaks), [group * nIntervals + interval] */
  readonly offPhone: Int32Array;
  readonly qualityStream: Stream;
  readonly workforceStream: Stream;
  /** completed, handle time and defects by tenure band (see layout TENURE_BANDS) */
  readonly tenureRows: Float64Array;
  /** each agent's cohort: 0 the initial staff, k + 1 hiring class k */
  readonly aCohort: Int32Array;
  /** agents on the roster by day, cohort and state (the heads block of layout.ts) */
  readonly headRows: Float64Array;
  /** 1: the plans count heads (WorkforceConfig.staffing 'heads'), 0: seats */
  readonly headsMode: number;
  /** per group: the headcount its plan stands for in heads mode */
  readonly baseHeads: Int32Array;
  readonly reworkDelay: Sampler | null;
  readonly complaintDelay: Sampler | null;
  readonly supplierDelay: Sampler | null;
  readonly supervisorDelay: Sampler | null;
  readonly payFirst: Sampler | null;
  readonly priceDifference: Sampler | null;

  /** the per-contact event log, when enabled (null: off) */
  log: EventLog | null = null;
  /** what a live run keeps (injected contacts, notices, controls, open-ended modes: model/live.ts); null in a batch run */
  live: LiveState | null = null;
  /** first interval of the current day: 0, or a multiple of nIntervals once a live run's day repeats (model/live.ts) */
  dayFirst = 0;

  // ---- routing policy
  readonly policyKind: number;
  readonly policy: RoutingPolicy | null;
  readonly agingRate: number;

  // ---- sites (their live levels: areas.ts)
  readonly siteLines: Float64Array; // Infinity when unlimited
  readonly siteDown: Uint8Array;

  // ---- count metrics (see model/layout.ts; the time rows `rows` and `siteRows`: areas.ts)
  readonly subRows: Float64Array;
  /** the cells block of the result: the first nTypes * nSites rows of countCells */
  readonly cells: Float64Array;
  /**
   * The cells block and one row past it (at warmCell) where contacts that arrived in
   * the warm-up count, never read: a count writes its cell without a branch, and the
   * handlers compiled during the warm-up are not thrown away (deoptimized, then
   * compiled again) when the first contact after it is counted in a cell.
   */
  readonly countCells: Float64Array;
  /** cCell of a contact that arrived in the warm-up: the row of countCells past the cells block */
  readonly warmCell: number;
  /** doubles per row of subRows */
  readonly subStride: number;
  /** intervals before this index are the warm-up */
  readonly warmRows: number;

  /**
   * The state of replication `replication` of the model `cfg`, whose structure is
   * `topo` (topologyOf(cfg): built once per model and shared; its arrays are the
   * readonly fields below). Allocates only what a run changes, and draws what is
   * random per replication: the overdispersed rates and the roster shuffle.
   * `policy`: the model's plug-in routing policy, when it names one.
   */
  constructor(readonly topo: ModelTopology, cfg: ModelConfig, replication: number, policy: RoutingPolicy | null = null) {
    super(topo); // the parts: clock, contacts, queues, agents, patience lane, areas
    this.cfg = cfg;
    this.threshold = cfg.threshold;
    const nI = topo.nIntervals;
    const nT = (this.nTypes = topo.nTypes);
    const nS = topo.nSites;

    // ---- the model's structure, shared with every replication of the model
    this.typeQueue = topo.typeQueue;
    this.typeSplit = topo.typeSplit;
    this.typePriority = topo.typePriority;
    this.typeChannel = topo.typeChannel;
    this.typeUsesLine = topo.typeUsesLine;
    this.typeDeadline = topo.typeDeadline;
    this.typeHasBot = topo.typeHasBot;
    this.typeIvrWhenBusy = topo.typeIvrWhenBusy;
    this.typeCallbackAfter = topo.typeCallbackAfter;
    this.typeMisrouteTime = topo.typeMisrouteTime;
    this.handle = topo.handle;
    this.patience = topo.patience;
    this.wrapUp = topo.wrapUp;
    this.ivrTime = topo.ivrTime;
    this.redialDelay = topo.redialDelay;
    this.queueChannel = topo.queueChannel;
    this.queueSite = topo.queueSite;
    this.queueGroups = topo.queueGroups;
    this.queueGroupDelay = topo.queueGroupDelay;
    this.queueGroupBlend = topo.queueGroupBlend;
    this.queueDelays = topo.queueDelays;
    this.blendedQueues = topo.blendedQueues;
    this.transferDelay = topo.transferDelay;
    this.groupFirst = topo.groupFirst;
    this.groupSize = topo.groupSize;
    this.groupShare = topo.groupShare;
    this.groupSlowdown = topo.groupSlowdown;
    this.groupSite = topo.groupSite;
    this.groupQueues = topo.groupQueues;
    this.groupProf = topo.groupProf;
    this.groupDelay = topo.groupDelay;
    this.groupBlend = topo.groupBlend;
    this.staffing = topo.staffing;
    this.offPhone = topo.offPhone;
    this.reworkDelay = topo.reworkDelay;
    this.complaintDelay = topo.complaintDelay;
    this.supplierDelay = topo.supplierDelay;
    this.supervisorDelay = topo.supervisorDelay;
    this.payFirst = topo.payFirst;
    this.priceDifference = topo.priceDifference;
    this.siteLines = topo.siteLines;
    this.warmRows = topo.warmRows;
    this.policyKind = topo.policyKind;
    this.policy = topo.policyKind === PLUGIN ? policy : null;
    if (topo.policyKind === PLUGIN && policy === null) {
      throw new EngineError('ENGINE_ERR_POLICY_NOT_LOADED', `routing policy "${topo.policyName}" is a plug-in module: call loadPolicy(cfg) (sim/src/engine/policy-loader.ts) on this thread first`);
    }
    this.agingRate = topo.agingRate;

    // ---- this replication's demand: the model's rates, or drawn around them
    if (topo.overdispersion === null) {
      this.rates = topo.baseRates; // read only
    } else {
      // Overdispersion: this replication's gamma multipliers, from their own stream.
      this.rates = new Float64Array(nT * nI);
      demandSamplerOf(topo, cfg).fill(this.rates, makeStream(cfg.seed, replication, 'demand'));
    }
    this.arrivalInterval = new Int32Array(nT);
    this.arrivalEnd = new Float64Array(nT).fill(-Infinity);
    // One stream per source of randomness and per type: common random numbers hold
    // per type even when other types are added or removed.
    this.arrivalStream = cfg.types.map((t) => makeStream(cfg.seed, replication, `arrivals/${t.name}`));
    this.handleStream = cfg.types.map((t) => makeStream(cfg.seed, replication, `handle/${t.name}`));
    this.patienceStream = cfg.types.map((t) => makeStream(cfg.seed, replication, `patience/${t.name}`));
    this.wrapStream = cfg.types.map((t) => (t.wrapUp ? makeStream(cfg.seed, replication, `wrap/${t.name}`) : null));
    this.customerStream = cfg.types.map((t) => makeStream(cfg.seed, replication, `customer/${t.name}`));
    this.routingStream = makeStream(cfg.seed, replication, 'routing');

    // ---- the workforce
    const nA = topo.nAgents, nG = topo.nGroups;
    const wf = topo.wf;
    this.qualityStream = makeStream(cfg.seed, replication, 'quality');
    this.workforceStream = makeStream(cfg.seed, replication, 'workforce');
    this.aTenure0 = new Float64Array(nA).fill(EXPERT_DAYS);
    this.aQuit = new Uint8Array(nA);
    this.aOnSince = new Float64Array(nA);
    this.groupAvail = new Int32Array(nG);
    this.tenureRows = new Float64Array(3 * NM);
    this.aCohort = new Int32Array(nA);
    this.headRows = new Float64Array(headcountLength(cfg));
    this.headsMode = wf?.staffing === 'heads' ? 1 : 0;
    this.baseHeads = Int32Array.from(wf?.baseHeads ?? []);
    if (wf) {
      for (let gi = 0; gi < nG; gi++) {
        // The roster (tenures and cohorts), shuffled so that the agents on duty are a fair mix.
        const roster = wf.rosters[gi], cohorts = wf.rosterCohorts[gi];
        const order = roster.map((_, i) => i);
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(this.workforceStream.next() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        for (let k = 0; k < Math.min(order.length, this.groupSize[gi]); k++) {
          this.aTenure0[this.groupFirst[gi] + k] = roster[order[k]];
          this.aCohort[this.groupFirst[gi] + k] = cohorts[order[k]];
        }
      }
    }

    // ---- sites, count metrics
    this.siteDown = new Uint8Array(nS);
    this.subStride = nS * NCH * NM;
    this.subRows = new Float64Array((nI + 1) * this.subStride);
    this.warmCell = nT * nS * NM;
    this.countCells = new Float64Array(this.warmCell + NM);
    this.cells = this.countCells.subarray(0, this.warmCell);
  }
}
