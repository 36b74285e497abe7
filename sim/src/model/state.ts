import { Calendar } from '../core/calendar.ts';
import { EngineError } from '../errors.ts';
import type { Sampler } from '../core/distributions.ts';
import { makeStream, type Stream } from '../core/rng.ts';
import type { ModelConfig, WorkforceConfig } from '../config/model-config.ts';
import { PLUGIN } from '../config/routing-policies.ts';
import type { ModelTopology } from '../config/topology.ts';
import { M, NCH, NM } from './layout.ts';
import { DemandSampler } from './demand.ts';
import { ABANDON, ABANDON_ARM, KIND_PRIORITY } from './event-kinds.ts';
import type { RoutingPolicy } from './routing.ts';
import type { EventLog } from './event-log.ts';
import type { LiveState } from './live.ts';

/** Tenure of agents of groups without a roster: experts. */
export const EXPERT_DAYS = 10_000;

export const CALL_FREE = 0;
export const CALL_WAITING = 1;
export const CALL_IN_SERVICE = 2;
export const CALL_IVR = 3;
/** waiting to try again (redial): the slot keeps the customer between attempts */
export const CALL_RETRY = 4;

/** cFlags bits */
export const FLAG_CALLBACK = 1;
export const FLAG_MISROUTED = 2;
/** answered once already (a misrouted call back in the queue after its transfer) */
export const FLAG_TRANSFERRED = 4;
/** a repeat contact caused by a defect (rework) */
export const FLAG_REPEAT = 8;
/** a complaint contact caused by a defect: the agent accepts it at once, then a case opens */
export const FLAG_COMPLAINT = 16;
/** a complaint case worked by the complaint team */
export const FLAG_CASE = 32;

export const AGENT_OFF = 0;
export const AGENT_ON = 1;

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
 * Seconds a caller waits before the abandonment timer is put in the calendar (the
 * patience lane): most callers who wait are answered well within it, and their timers
 * would only have gone stale in the heap. A patience at most this long is scheduled at once.
 */
export const ABANDON_ARM_AFTER = 30;

/**
 * All mutable state of one replication, as structures of arrays indexed by integer
 * ids, beside the model's structure (config/topology.ts: built once per model, its
 * arrays shared by every replication, read only; they appear here under the same
 * names, so the handlers read one object). Contacts live in recycled slots; a slot's generation is bumped when it is
 * freed, which makes any timer still pointing at it stale (the calendar never
 * searches). Queues and available-agent lists are rings with lazy deletion: an entry
 * remembers the generation it was pushed with and is skipped if that no longer matches.
 *
 * An agent holds up to `cap` contacts at once (1 for calls, k for IM chats). An agent
 * is available while on duty, not leaving, and below its cap; the available ring of a
 * group lists them in the order they became available (longest idle first).
 */
export class SimState {
  readonly cfg: ModelConfig;
  readonly cal: Calendar;
  now = 0;
  events = 0;

  // ---- contact types (index = type id)
  readonly nTypes: number;
  readonly nSites: number;
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
  readonly ivrTime: (Sampler | null)[];
  readonly redialDelay: (Sampler | null)[];
  readonly arrivalStream: Stream[];
  readonly handleStream: Stream[];
  readonly patienceStream: Stream[];
  /** IVR and bot outcomes, redial decisions and delays, callback acceptance: per type */
  readonly customerStream: Stream[];
  /** site choice of arrivals and misroute targets */
  readonly routingStream: Stream;

  // ---- contacts (index = slot)
  cType: Int32Array;
  cGen: Int32Array;
  cState: Uint8Array;
  cFlags: Uint8Array;
  /** arrival time of this attempt */
  cArrive: Float64Array;
  /** time the contact entered the agent queue (waits count from here) */
  cEnter: Float64Array;
  /** the customer's need, seconds at proficiency 1 */
  cHandle: Float64Array;
  /** length of the current service (need / speed, slowdown, transfers, dialling) */
  cService: Float64Array;
  /** when the current service started */
  cStart: Float64Array;
  cRow: Int32Array;
  cAgent: Int32Array;
  cQueue: Int32Array;
  /** the queue a misrouted call belongs in */
  cTrueQueue: Int32Array;
  /** landing site */
  cSite: Int32Array;
  /** site whose trunk line the call holds, -1 if none */
  cLine: Int32Array;
  /** offset in `cells` of the (type * nSites + site) cell its outcome counts in, -1 during the warm-up */
  cCell: Int32Array;
  /** subRows offset of its (row, site, channel) */
  cSub: Int32Array;
  cAttempt: Int32Array;
  cPatience: Float64Array;
  freeSlots: Int32Array;
  nFree = 0;
  nSlots = 0;

  // ---- the patience lane: abandonment timers not yet in the calendar, a FIFO ring
  // (arm times are entry times + ABANDON_ARM_AFTER, so they come in order); the
  // calendar source `laneSource` holds the head's arm time. Each keeps the order key
  // reserved at queue entry, so an armed timer pops exactly where it would have.
  readonly laneSource: number;
  lAt: Float64Array;
  lDeadline: Float64Array;
  lOrd: Float64Array;
  lSlot: Int32Array;
  lGen: Int32Array;
  lHead = 0;
  lTail = 0;

  // ---- queues: rings of (slot, gen)
  readonly nQueues: number;
  qSlot: Int32Array[];
  qGen: Int32Array[];
  readonly qHead: Int32Array;
  readonly qTail: Int32Array;
  /** live waiting contacts per queue */
  readonly qLen: Int32Array;
  /** Callers now in an IVR taken only when they cannot be connected at once, by target queue: they count as ahead in that queue. */
  readonly qHolding: Int32Array;
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

  // ---- agents (index = agent id), grouped contiguously
  readonly nAgents: number;
  readonly aGroup: Int32Array;
  readonly aState: Uint8Array;
  readonly aLoad: Int32Array;
  readonly aLeaving: Uint8Array;
  readonly aIdleSince: Float64Array;
  readonly aIdleGen: Int32Array;
  readonly groupFirst: Int32Array;
  readonly groupSize: Int32Array;
  readonly groupCap: Int32Array;
  /** 1 / groupCap: an agent's busy share per contact */
  readonly groupShare: Float64Array;
  readonly groupSlowdown: Float64Array;
  /** queues served by each group, with speed, delay and blending threshold per queue */
  readonly groupQueues: Int32Array[];
  readonly groupProf: Float64Array[];
  readonly groupDelay: Float64Array[];
  readonly groupBlend: Float64Array[];
  readonly groupSite: Int32Array;
  /** agents on duty and not leaving, per group */
  readonly onDuty: Int32Array;
  /** available rings per group: (agent, idleGen) */
  readonly iAgent: Int32Array[];
  readonly iGen: Int32Array[];
  readonly iHead: Int32Array;
  readonly iTail: Int32Array;
  private readonly iScratchA: Int32Array[];
  private readonly iScratchG: Int32Array[];
  readonly staffing: Int32Array; // [group * nIntervals + interval]

  // ---- workforce (issue 4): people who learn, tire and quit
  readonly wf: WorkforceConfig | null;
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

  // ---- sites
  readonly siteLines: Float64Array; // Infinity when unlimited
  readonly siteInSystem: Int32Array;
  readonly siteDown: Uint8Array;
  readonly siteBusy: Float64Array;
  readonly siteStaffed: Float64Array;

  // ---- time-weighted counters
  /** busy agents, an agent with k of cap contacts counting k/cap */
  busy = 0;
  staffed = 0;
  waiting = 0;
  /** phone calls waiting live (not callbacks): blending looks at it */
  phoneWaiting = 0;
  inSystem = 0;
  lastAreaTime = 0;
  /** current time row for areas (interval index, or nIntervals in the drain) */
  timeRow = 0;

  // ---- metrics (see model/layout.ts)
  readonly rows: Float64Array;
  readonly subRows: Float64Array;
  readonly cells: Float64Array;
  readonly siteRows: Float64Array;
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
    this.cfg = cfg;
    this.threshold = cfg.threshold;
    const nI = topo.nIntervals;
    const nT = (this.nTypes = topo.nTypes);
    const nS = (this.nSites = topo.nSites);

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
    this.ivrTime = topo.ivrTime;
    this.redialDelay = topo.redialDelay;
    this.nQueues = topo.nQueues;
    this.queueChannel = topo.queueChannel;
    this.queueSite = topo.queueSite;
    this.queueGroups = topo.queueGroups;
    this.queueGroupDelay = topo.queueGroupDelay;
    this.queueGroupBlend = topo.queueGroupBlend;
    this.queueDelays = topo.queueDelays;
    this.blendedQueues = topo.blendedQueues;
    this.transferDelay = topo.transferDelay;
    this.nAgents = topo.nAgents;
    this.aGroup = topo.aGroup;
    this.groupFirst = topo.groupFirst;
    this.groupSize = topo.groupSize;
    this.groupCap = topo.groupCap;
    this.groupShare = topo.groupShare;
    this.groupSlowdown = topo.groupSlowdown;
    this.groupSite = topo.groupSite;
    this.groupQueues = topo.groupQueues;
    this.groupProf = topo.groupProf;
    this.groupDelay = topo.groupDelay;
    this.groupBlend = topo.groupBlend;
    this.staffing = topo.staffing;
    this.wf = topo.wf;
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
    this.customerStream = cfg.types.map((t) => makeStream(cfg.seed, replication, `customer/${t.name}`));
    this.routingStream = makeStream(cfg.seed, replication, 'routing');

    // ---- contacts, the patience lane, queues
    const cap = 1024;
    this.cType = new Int32Array(cap);
    this.cGen = new Int32Array(cap);
    this.cState = new Uint8Array(cap);
    this.cFlags = new Uint8Array(cap);
    this.cArrive = new Float64Array(cap);
    this.cEnter = new Float64Array(cap);
    this.cHandle = new Float64Array(cap);
    this.cService = new Float64Array(cap);
    this.cStart = new Float64Array(cap);
    this.cRow = new Int32Array(cap);
    this.cAgent = new Int32Array(cap);
    this.cQueue = new Int32Array(cap);
    this.cTrueQueue = new Int32Array(cap);
    this.cSite = new Int32Array(cap);
    this.cLine = new Int32Array(cap);
    this.cCell = new Int32Array(cap);
    this.cSub = new Int32Array(cap);
    this.cAttempt = new Int32Array(cap);
    this.cPatience = new Float64Array(cap);
    this.freeSlots = new Int32Array(cap);
    this.laneSource = nT;
    this.lAt = new Float64Array(256);
    this.lDeadline = new Float64Array(256);
    this.lOrd = new Float64Array(256);
    this.lSlot = new Int32Array(256);
    this.lGen = new Int32Array(256);
    const nQ = topo.nQueues;
    this.qSlot = Array.from({ length: nQ }, () => new Int32Array(256));
    this.qGen = Array.from({ length: nQ }, () => new Int32Array(256));
    this.qHead = new Int32Array(nQ);
    this.qTail = new Int32Array(nQ);
    this.qLen = new Int32Array(nQ);
    this.qHolding = new Int32Array(nQ);

    // ---- agents
    const nA = topo.nAgents, nG = topo.nGroups;
    this.aState = new Uint8Array(nA);
    this.aLoad = new Int32Array(nA);
    this.aLeaving = new Uint8Array(nA);
    this.aIdleSince = new Float64Array(nA);
    this.aIdleGen = new Int32Array(nA);
    this.onDuty = new Int32Array(nG);
    this.iAgent = Array.from(topo.ringSize, (n) => new Int32Array(n));
    this.iGen = Array.from(topo.ringSize, (n) => new Int32Array(n));
    this.iScratchA = Array.from(topo.ringSize, (n) => new Int32Array(n));
    this.iScratchG = Array.from(topo.ringSize, (n) => new Int32Array(n));
    this.iHead = new Int32Array(nG);
    this.iTail = new Int32Array(nG);

    const wf = topo.wf;
    this.qualityStream = makeStream(cfg.seed, replication, 'quality');
    this.workforceStream = makeStream(cfg.seed, replication, 'workforce');
    this.aTenure0 = new Float64Array(nA).fill(EXPERT_DAYS);
    this.aQuit = new Uint8Array(nA);
    this.aOnSince = new Float64Array(nA);
    this.groupAvail = new Int32Array(nG);
    this.tenureRows = new Float64Array(3 * NM);
    if (wf) {
      for (let gi = 0; gi < nG; gi++) {
        // The roster's tenures, shuffled so that the agents on duty are a fair mix.
        const roster = [...wf.rosters[gi]];
        for (let i = roster.length - 1; i > 0; i--) {
          const j = Math.floor(this.workforceStream.next() * (i + 1));
          [roster[i], roster[j]] = [roster[j], roster[i]];
        }
        for (let k = 0; k < Math.min(roster.length, this.groupSize[gi]); k++) this.aTenure0[this.groupFirst[gi] + k] = roster[k];
      }
    }

    // ---- sites, metrics, the calendar
    this.siteInSystem = new Int32Array(nS);
    this.siteDown = new Uint8Array(nS);
    this.siteBusy = new Float64Array(nS);
    this.siteStaffed = new Float64Array(nS);
    this.rows = new Float64Array((nI + 1) * NM);
    this.subStride = nS * NCH * NM;
    this.subRows = new Float64Array((nI + 1) * this.subStride);
    this.cells = new Float64Array(nT * nS * NM);
    this.siteRows = new Float64Array((nI + 1) * nS * NM);
    this.cal = new Calendar(4096, nT + 1); // sources: each type's arrival stream, then the patience lane
  }

  /** Takes a free slot, growing the arrays by doubling when none is left. */
  allocCall(): number {
    if (this.nFree > 0) return this.freeSlots[--this.nFree];
    if (this.nSlots === this.cType.length) this.growCalls();
    return this.nSlots++;
  }

  freeCall(slot: number): void {
    this.cState[slot] = CALL_FREE;
    this.cFlags[slot] = 0;
    this.cGen[slot]++;
    this.freeSlots[this.nFree++] = slot;
  }

  private growCalls(): void {
    const c = this.cType.length * 2;
    const gi = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    const gf = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    const gu = (a: Uint8Array) => { const b = new Uint8Array(c); b.set(a); return b; };
    this.cType = gi(this.cType);
    this.cGen = gi(this.cGen);
    this.cState = gu(this.cState);
    this.cFlags = gu(this.cFlags);
    this.cArrive = gf(this.cArrive);
    this.cEnter = gf(this.cEnter);
    this.cHandle = gf(this.cHandle);
    this.cService = gf(this.cService);
    this.cStart = gf(this.cStart);
    this.cRow = gi(this.cRow);
    this.cAgent = gi(this.cAgent);
    this.cQueue = gi(this.cQueue);
    this.cTrueQueue = gi(this.cTrueQueue);
    this.cSite = gi(this.cSite);
    this.cLine = gi(this.cLine);
    this.cCell = gi(this.cCell);
    this.cSub = gi(this.cSub);
    this.cAttempt = gi(this.cAttempt);
    this.cPatience = gf(this.cPatience);
    this.freeSlots = gi(this.freeSlots);
  }

  /**
   * Schedules the abandonment of the waiting contact in `slot` at `deadline`: at once
   * if it is near, else through the patience lane (armed only if still waiting then).
   */
  scheduleAbandon(slot: number, gen: number, deadline: number): void {
    if (deadline - this.now <= ABANDON_ARM_AFTER) {
      this.cal.push(deadline, KIND_PRIORITY[ABANDON], ABANDON, slot, gen);
      return;
    }
    const ord = this.cal.reserve(KIND_PRIORITY[ABANDON]);
    if (this.lTail - this.lHead === this.lAt.length) this.growLane();
    const i = this.lTail & (this.lAt.length - 1);
    const at = this.now + ABANDON_ARM_AFTER;
    this.lAt[i] = at;
    this.lDeadline[i] = deadline;
    this.lOrd[i] = ord;
    this.lSlot[i] = slot;
    this.lGen[i] = gen;
    if (this.lTail++ === this.lHead) this.cal.setSource(this.laneSource, at, KIND_PRIORITY[ABANDON_ARM], ABANDON_ARM);
  }

  /**
   * The lane's head is due: timers of contacts still waiting go into the calendar,
   * those due within the next half delay too (one calendar event per batch; they have
   * waited at least half the delay).
   */
  armAbandons(): void {
    const mask = this.lAt.length - 1;
    const until = this.now + ABANDON_ARM_AFTER / 2;
    while (this.lHead !== this.lTail) {
      const i = this.lHead & mask;
      if (this.lAt[i] > until) {
        this.cal.setSource(this.laneSource, this.lAt[i], KIND_PRIORITY[ABANDON_ARM], ABANDON_ARM);
        return;
      }
      this.lHead++;
      // Answered meanwhile: it can only wait again as a transfer, which never abandons.
      const slot = this.lSlot[i], gen = this.lGen[i];
      if (this.cGen[slot] === gen && this.cState[slot] === CALL_WAITING) this.cal.pushOrdered(this.lDeadline[i], this.lOrd[i], ABANDON, slot, gen);
    }
  }

  private growLane(): void {
    const old = this.lAt.length, mask = old - 1, c = old * 2;
    const at = new Float64Array(c), dl = new Float64Array(c), ord = new Float64Array(c), sl = new Int32Array(c), gn = new Int32Array(c);
    let j = 0;
    for (let h = this.lHead; h !== this.lTail; h++, j++) {
      const i = h & mask;
      at[j] = this.lAt[i]; dl[j] = this.lDeadline[i]; ord[j] = this.lOrd[i]; sl[j] = this.lSlot[i]; gn[j] = this.lGen[i];
    }
    this.lAt = at; this.lDeadline = dl; this.lOrd = ord; this.lSlot = sl; this.lGen = gn;
    this.lHead = 0;
    this.lTail = j;
  }

  // ---- queue rings
  enqueue(q: number, slot: number): void {
    let ring = this.qSlot[q];
    if (this.qTail[q] - this.qHead[q] === ring.length) {
      this.growQueue(q);
      ring = this.qSlot[q];
    }
    const i = this.qTail[q] & (ring.length - 1);
    ring[i] = slot;
    this.qGen[q][i] = this.cGen[slot];
    this.qTail[q]++;
    this.qLen[q]++;
  }

  /** Slot at the head of queue q that is still waiting, dropping stale entries; -1 if none. */
  peekQueue(q: number): number {
    const ring = this.qSlot[q], gens = this.qGen[q], mask = ring.length - 1;
    while (this.qHead[q] !== this.qTail[q]) {
      const i = this.qHead[q] & mask;
      const slot = ring[i];
      if (this.cGen[slot] === gens[i] && this.cState[slot] === CALL_WAITING && this.cQueue[slot] === q) return slot;
      this.qHead[q]++;
    }
    return -1;
  }

  /** Removes the head returned by peekQueue. */
  shiftQueue(q: number): void {
    this.qHead[q]++;
    this.qLen[q]--;
  }

  private growQueue(q: number): void {
    // Rings are powers of two; re-lay the live window at index 0.
    const old = this.qSlot[q], oldG = this.qGen[q], mask = old.length - 1;
    const c = old.length * 2;
    const ns = new Int32Array(c), ng = new Int32Array(c);
    let j = 0;
    for (let h = this.qHead[q]; h !== this.qTail[q]; h++, j++) {
      ns[j] = old[h & mask];
      ng[j] = oldG[h & mask];
    }
    this.qSlot[q] = ns;
    this.qGen[q] = ng;
    this.qHead[q] = 0;
    this.qTail[q] = j;
  }

  // ---- available rings (plain modulo: the size is not a power of two)
  /** True while the agent can take one more contact. */
  available(agent: number): boolean {
    return this.aState[agent] !== AGENT_OFF && this.aLeaving[agent] === 0 && this.aLoad[agent] < this.groupCap[this.aGroup[agent]];
  }

  /** Puts the agent at the tail of its group's available ring (its older entries go stale). */
  pushIdle(agent: number): void {
    const g = this.aGroup[agent];
    const ring = this.iAgent[g], n = ring.length;
    if (this.iTail[g] - this.iHead[g] >= n) this.compactIdle(g);
    const gen = ++this.aIdleGen[agent];
    const i = this.iTail[g] & (n - 1);
    ring[i] = agent;
    this.iGen[g][i] = gen;
    this.iTail[g]++;
  }

  /** First available agent of group g (longest available), or -1. Does not remove it. */
  peekIdle(g: number): number {
    const ring = this.iAgent[g], gens = this.iGen[g], mask = ring.length - 1;
    const cap = this.groupCap[g];
    let h = this.iHead[g];
    const tail = this.iTail[g];
    while (h !== tail) {
      const i = h & mask;
      const a = ring[i];
      // available(a), inlined: on duty, not leaving, below its cap
      if (this.aIdleGen[a] === gens[i] && this.aState[a] !== AGENT_OFF && this.aLeaving[a] === 0 && this.aLoad[a] < cap) {
        this.iHead[g] = h;
        return a;
      }
      h++;
    }
    this.iHead[g] = h;
    return -1;
  }

  /** Most recently idle agent of group g with no contact (for sending agents home), or -1. */
  popNewestIdle(g: number): number {
    const ring = this.iAgent[g], gens = this.iGen[g], n = ring.length;
    while (this.iHead[g] !== this.iTail[g]) {
      const i = (this.iTail[g] - 1) & (n - 1);
      const a = ring[i];
      if (this.aIdleGen[a] === gens[i] && this.available(a) && this.aLoad[a] === 0) {
        this.iTail[g]--;
        return a;
      }
      if (this.aIdleGen[a] === gens[i] && this.available(a)) return -1; // a partly loaded agent: stop here
      this.iTail[g]--;
    }
    return -1;
  }

  private compactIdle(g: number): void {
    // Rare (only when stale entries fill the ring): uses the group's scratch arrays.
    const ring = this.iAgent[g], gens = this.iGen[g], n = ring.length;
    const sa = this.iScratchA[g], sg = this.iScratchG[g];
    let live = 0;
    for (let h = this.iHead[g]; h !== this.iTail[g]; h++) {
      const a = ring[h & (n - 1)];
      if (this.aIdleGen[a] === gens[h & (n - 1)] && this.available(a)) {
        sa[live] = a;
        sg[live++] = gens[h & (n - 1)];
      }
    }
    ring.set(sa.subarray(0, live));
    gens.set(sg.subarray(0, live));
    this.iHead[g] = 0;
    this.iTail[g] = live;
  }

  /**
   * Adds the time since the last change, up to now, to the time-weighted counters.
   * Small enough to be inlined into the handlers, and without a double argument: a
   * double passed to a call that is not inlined is boxed (one allocation per event).
   */
  advanceAreas(): void {
    const t = this.now;
    const dt = t - this.lastAreaTime;
    if (dt > 0) {
      const b = this.timeRow * NM;
      const r = this.rows;
      r[b + M.busyTime] += this.busy * dt;
      r[b + M.staffedTime] += this.staffed * dt;
      r[b + M.queueArea] += this.waiting * dt;
      r[b + M.systemArea] += this.inSystem * dt;
      const nS = this.nSites;
      // One site: its busy and staffed time are the center's, the same sums of the
      // same products (busy and siteBusy[0] change together); result() copies them.
      if (nS > 1) {
        const sr = this.siteRows, sb = this.timeRow * nS * NM;
        for (let si = 0; si < nS; si++) {
          sr[sb + si * NM + M.busyTime] += this.siteBusy[si] * dt;
          sr[sb + si * NM + M.staffedTime] += this.siteStaffed[si] * dt;
        }
      }
      if (this.wf !== null) this.advanceCosts();
      this.lastAreaTime = t;
    }
  }

  /** Agent and telephony cost from lastAreaTime to now (the workforce model), before lastAreaTime moves. */
  private advanceCosts(): void {
    const dt = this.now - this.lastAreaTime;
    const b = this.timeRow * NM;
    const r = this.rows;
    const sr = this.siteRows, nS = this.nSites, sb = this.timeRow * nS * NM;
    const c = this.wf!.cost;
    let agents = 0, lines = 0;
    for (let si = 0; si < nS; si++) {
      const ac = (this.siteStaffed[si] * c.agentPerHour[si] * dt) / 3600;
      agents += ac;
      sr[sb + si * NM + M.agentCost] += ac;
      lines += this.siteInSystem[si];
    }
    r[b + M.agentCost] += agents;
    r[b + M.telephonyCost] += (lines * c.telephonyPerMinute * dt) / 60;
  }
}
