import { serialize } from 'node:v8';
import { Sampler } from '../core/distributions.ts';
import { CHANNELS } from './channels.ts';
import { firstMeasuredInterval, type DemandParams, type ModelConfig, type WorkforceConfig } from './model-config.ts';
import { policyKind } from './routing-policies.ts';

const NO_LIMIT = Number.POSITIVE_INFINITY;

/**
 * The model's structure as the engine reads it: typed arrays indexed by integer ids
 * (who serves what, with which delay and speed; where each type's arrivals land;
 * how many agents each group has), the distributions' samplers and the routing
 * policy's id. It depends on the model only, never on the replication, so it is
 * built once per model (`topologyOf`) and shared by every replication's SimState,
 * which allocates only what changes during a run.
 *
 * Never written after it is built: typed arrays cannot be frozen, so this is a
 * promise of the engine (sim/src/model never writes these arrays), not a guarantee.
 * Samplers are shared too: a draw keeps no state between calls.
 */
export class ModelTopology {
  readonly nTypes: number;
  readonly nSites: number;
  readonly nIntervals: number;
  /** 'local' site mode: one queue per (configured queue, site) */
  readonly local: boolean;

  // ---- contact types (index = type id)
  /** queue of a type's contacts landing on each site: [type * nSites + site] */
  readonly typeQueue: Int32Array;
  /** cumulative site split per type: [type * nSites + site] */
  readonly typeSplit: Float64Array;
  readonly typePriority: Float64Array;
  readonly typeChannel: Int32Array;
  /** 1 if the type's contacts hold a trunk line (phone) */
  readonly typeUsesLine: Uint8Array;
  /** reply deadline, seconds (Infinity: none) */
  readonly typeDeadline: Float64Array;
  readonly typeHasBot: Uint8Array;
  readonly typeIvrWhenBusy: Uint8Array;
  /** seconds of waiting after which a callback is offered (Infinity: never) */
  readonly typeCallbackAfter: Float64Array;
  readonly typeMisrouteTime: Float64Array;
  /** the model's arrivals per second, [type * nIntervals + interval] (before overdispersion) */
  readonly baseRates: Float64Array;
  /** the demand's overdispersion, or null when it has none (the rates are the base rates) */
  readonly overdispersion: DemandParams | null;
  readonly handle: Sampler[];
  readonly patience: (Sampler | null)[];
  /** after-call work per type, null: none */
  readonly wrapUp: (Sampler | null)[];
  readonly ivrTime: (Sampler | null)[];
  readonly redialDelay: (Sampler | null)[];

  // ---- queues (one per configured queue, or per (queue, site) in local mode)
  readonly nQueues: number;
  readonly queueChannel: Int32Array;
  /** site of each queue in local mode, -1 in virtual mode */
  readonly queueSite: Int32Array;
  /** groups serving each queue, and the wait after which each may take its contacts */
  readonly queueGroups: Int32Array[];
  readonly queueGroupDelay: Float64Array[];
  readonly queueGroupBlend: Float64Array[];
  /** distinct positive delays per queue: when to look again for a waiting contact */
  readonly queueDelays: Float64Array[];
  /** queues some group works only while the phone queue is short */
  readonly blendedQueues: Int32Array;
  readonly transferDelay: number;

  // ---- agent groups (agents grouped contiguously: group g is agents groupFirst[g] ..)
  readonly nGroups: number;
  readonly nAgents: number;
  readonly aGroup: Int32Array;
  readonly groupFirst: Int32Array;
  readonly groupSize: Int32Array;
  readonly groupCap: Int32Array;
  /** 1 / groupCap: an agent's busy share per contact */
  readonly groupShare: Float64Array;
  readonly groupSlowdown: Float64Array;
  readonly groupSite: Int32Array;
  /** queues served by each group, with speed, delay and blending threshold per queue */
  readonly groupQueues: Int32Array[];
  readonly groupProf: Float64Array[];
  readonly groupDelay: Float64Array[];
  readonly groupBlend: Float64Array[];
  /** length of each group's available ring: a power of two above 2 * size + 1 */
  readonly ringSize: Int32Array;
  /** agents on duty by plan, [group * nIntervals + interval] */
  readonly staffing: Int32Array;

  // ---- workforce (issue 4)
  readonly wf: WorkforceConfig | null;
  /** agents off the phones (mentoring, coaching, breaks), [group * nIntervals + interval] */
  readonly offPhone: Int32Array;
  readonly reworkDelay: Sampler | null;
  readonly complaintDelay: Sampler | null;
  readonly supplierDelay: Sampler | null;
  readonly supervisorDelay: Sampler | null;
  readonly payFirst: Sampler | null;
  readonly priceDifference: Sampler | null;

  // ---- routing: built-in policy id, or PLUGIN (the module is loaded per thread, see loadPolicy)
  readonly policyKind: number;
  readonly policyName: string;
  readonly agingRate: number;

  // ---- sites
  /** trunk lines per site, Infinity when unlimited */
  readonly siteLines: Float64Array;

  /** intervals before this index are the warm-up */
  readonly warmRows: number;

  constructor(cfg: ModelConfig) {
    const nI = (this.nIntervals = cfg.nIntervals);
    const nT = (this.nTypes = cfg.types.length);
    const nS = (this.nSites = cfg.sites.length);
    const local = (this.local = cfg.siteMode === 'local');
    const perQueue = local ? nS : 1;

    this.typeQueue = new Int32Array(nT * nS);
    this.typeSplit = new Float64Array(nT * nS);
    this.typePriority = Float64Array.from(cfg.types, (t) => t.priority);
    this.typeChannel = Int32Array.from(cfg.types, (t) => CHANNELS.indexOf(t.channel));
    this.typeUsesLine = Uint8Array.from(cfg.types, (t) => (t.channel === 'phone' ? 1 : 0));
    this.typeDeadline = Float64Array.from(cfg.types, (t) => t.deadline ?? NO_LIMIT); // absent: no deadline
    this.typeHasBot = Uint8Array.from(cfg.types, (t) => (t.bot ? 1 : 0));
    this.typeIvrWhenBusy = Uint8Array.from(cfg.types, (t) => (t.ivr?.onlyWhenNoAgentFree ? 1 : 0));
    this.typeCallbackAfter = Float64Array.from(cfg.types, (t) => t.callback?.offerAfter ?? NO_LIMIT); // absent: never
    this.typeMisrouteTime = Float64Array.from(cfg.types, (t) => t.ivr?.misrouteTime ?? 0); // absent: no IVR, never read
    cfg.types.forEach((t, ti) => {
      const split = t.siteSplit;
      const total = split.reduce((a, b) => a + b, 0);
      let cum = 0;
      for (let si = 0; si < nS; si++) {
        cum += split[si] / total;
        this.typeSplit[ti * nS + si] = si === nS - 1 ? 1 : cum;
        // In local mode each (queue, site) has its own ring.
        this.typeQueue[ti * nS + si] = local ? t.queue * nS + si : t.queue;
      }
    });
    this.baseRates = new Float64Array(nT * nI);
    cfg.types.forEach((t, i) => this.baseRates.set(t.arrivalRates, i * nI));
    const d = cfg.demand;
    this.overdispersion = d.dayCv > 0 || d.intervalCv > 0 ? d : null;
    this.handle = cfg.types.map((t) => new Sampler(t.handleTime));
    this.patience = cfg.types.map((t) => (t.patience ? new Sampler(t.patience) : null));
    this.wrapUp = cfg.types.map((t) => (t.wrapUp ? new Sampler(t.wrapUp) : null));
    this.ivrTime = cfg.types.map((t) => (t.ivr ? new Sampler(t.ivr.time) : null));
    this.redialDelay = cfg.types.map((t) => (t.redial ? new Sampler(t.redial.delay) : null));

    const nQ = (this.nQueues = cfg.queues.length * perQueue);
    this.queueSite = new Int32Array(nQ).fill(-1);
    if (local) for (let q = 0; q < nQ; q++) this.queueSite[q] = q % nS;
    this.queueChannel = new Int32Array(nQ);
    cfg.types.forEach((t) => {
      for (let si = 0; si < perQueue; si++) this.queueChannel[local ? t.queue * nS + si : t.queue] = CHANNELS.indexOf(t.channel);
    });

    const routing = cfg.routing;
    this.policyName = routing.policy;
    this.policyKind = policyKind(routing.policy);
    this.agingRate = routing.agingRate;
    // Who serves what: for each group, its queues with a speed, a delay (seconds a
    // contact must have waited before this group may take it: backup skills, other
    // sites) and a blending threshold (phone calls waiting below which it is worked).
    const gq: number[][] = cfg.groups.map(() => []);
    const gp: number[][] = cfg.groups.map(() => []);
    const gd: number[][] = cfg.groups.map(() => []);
    const gb: number[][] = cfg.groups.map(() => []);
    const qg: number[][] = Array.from({ length: nQ }, () => []);
    const qd: number[][] = Array.from({ length: nQ }, () => []);
    const qb: number[][] = Array.from({ length: nQ }, () => []);
    cfg.groups.forEach((g, gi) => {
      g.queues.forEach((base, k) => {
        const prof = g.proficiency[k];
        const backupDelay = g.backup[k] ? routing.overflowAfter : 0;
        const blend = g.blendBelow[k] ?? NO_LIMIT; // null: always worked
        for (let si = 0; si < perQueue; si++) {
          const q = local ? base * nS + si : base;
          const siteDelay = local && si !== g.site ? cfg.siteOverflowAfter : 0;
          const delay = Math.max(backupDelay, siteDelay);
          if (delay === Infinity) continue;
          gq[gi].push(q); gp[gi].push(prof); gd[gi].push(delay); gb[gi].push(blend);
          qg[q].push(gi); qd[q].push(delay); qb[q].push(blend);
        }
      });
    });
    this.groupQueues = gq.map((a) => Int32Array.from(a));
    this.groupProf = gp.map((a) => Float64Array.from(a));
    this.groupDelay = gd.map((a) => Float64Array.from(a));
    this.groupBlend = gb.map((a) => Float64Array.from(a));
    this.queueGroups = qg.map((a) => Int32Array.from(a));
    this.queueGroupDelay = qd.map((a) => Float64Array.from(a));
    this.queueGroupBlend = qb.map((a) => Float64Array.from(a));
    this.queueDelays = qd.map((a) => Float64Array.from([...new Set(a.filter((x) => x > 0))].sort((x, y) => x - y)));
    this.blendedQueues = Int32Array.from([...new Set(qb.flatMap((b, q) => (b.some((x) => x !== NO_LIMIT) ? [q] : [])))]);
    this.transferDelay = local ? cfg.siteTransferDelay : 0;

    const nG = (this.nGroups = cfg.groups.length);
    this.groupFirst = new Int32Array(nG);
    this.groupSize = new Int32Array(nG);
    this.groupCap = Int32Array.from(cfg.groups, (g) => Math.max(1, g.maxContacts));
    this.groupShare = Float64Array.from(this.groupCap, (c) => 1 / c);
    this.groupSlowdown = Float64Array.from(cfg.groups, (g) => g.slowdown);
    this.groupSite = Int32Array.from(cfg.groups, (g) => g.site);
    this.staffing = new Int32Array(nG * nI);
    let nA = 0;
    cfg.groups.forEach((g, gi) => {
      this.groupFirst[gi] = nA;
      let max = 0;
      for (let i = 0; i < nI; i++) {
        this.staffing[gi * nI + i] = g.staffing[i];
        if (g.staffing[i] > max) max = g.staffing[i];
      }
      // With a roster, the group is its people (hires included), whatever the plan asks.
      const roster = cfg.workforce?.rosters[gi];
      this.groupSize[gi] = roster && roster.length > 0 ? roster.length : max;
      nA += this.groupSize[gi];
    });
    this.nAgents = nA;
    this.aGroup = new Int32Array(nA);
    for (let gi = 0; gi < nG; gi++) this.aGroup.fill(gi, this.groupFirst[gi], this.groupFirst[gi] + this.groupSize[gi]);
    // A ring holds at most one live entry per agent; stale ones are compacted away
    // when it fills, so 2x + 2 slots always suffice.
    // Power-of-two sizes: ring positions are masked, not divided.
    this.ringSize = Int32Array.from(this.groupSize, (n) => 1 << Math.ceil(Math.log2(2 * n + 2)));

    const wf = (this.wf = cfg.workforce ?? null); // absent: no workforce model
    this.offPhone = new Int32Array(nG * nI);
    if (wf) {
      for (let gi = 0; gi < nG; gi++) {
        const off = wf.offPhone[gi];
        if (off) for (let i = 0; i < nI; i++) this.offPhone[gi * nI + i] = off[i];
      }
    }
    this.reworkDelay = wf ? new Sampler(wf.quality.reworkDelay) : null;
    this.complaintDelay = wf ? new Sampler(wf.quality.complaintDelay) : null;
    const cc = wf?.complaints ?? null;
    this.supplierDelay = cc ? new Sampler(cc.supplierDelay) : null;
    this.supervisorDelay = cc ? new Sampler(cc.supervisorDelay) : null;
    this.payFirst = cc ? new Sampler(cc.payFirst) : null;
    this.priceDifference = cc ? new Sampler(cc.priceDifference) : null;

    this.siteLines = Float64Array.from(cfg.sites, (s) => (s.lines === null ? Infinity : s.lines));
    this.warmRows = firstMeasuredInterval(cfg);
  }
}

// ---- once per model

/** Topologies of the configs seen on this thread, by config object. */
const byConfig = new WeakMap<ModelConfig, ModelTopology>();

/**
 * The topology of a model, built once per config object: a frozen config (compile's,
 * withSeed's, modelConfig's once deep-frozen) cannot change, so its topology is kept
 * for as long as the config lives. A config that is not frozen may still be changed
 * by its caller between replications: its topology is built afresh every time,
 * unless adoptTopology registered one for it.
 */
export function topologyOf(cfg: ModelConfig): ModelTopology {
  let t = byConfig.get(cfg);
  if (t === undefined) {
    t = new ModelTopology(cfg);
    if (Object.isFrozen(cfg)) byConfig.set(cfg, t);
  }
  return t;
}

/** Content keys of frozen configs (a key is a hash of the whole config). */
const keys = new WeakMap<ModelConfig, string>();

/**
 * A key of the model's content, sent by a pool with each task so that a worker, which
 * receives a fresh copy of the config every time, recognises a model it has already
 * built (adoptTopology). A hash of the v8 serializer's bytes (the structured clone's
 * own encoding): exact for every value a config holds, Infinity included, so equal
 * keys mean equal models; fast (about 5 ms for the 8-week scenario's 1 MB, once per
 * frozen config). Not canonical: the encoding tells a number stored as an integer
 * from the same number stored as a double, so two equal configs built apart may get
 * two keys. That only costs a second build.
 */
export function modelKey(cfg: ModelConfig): string {
  let k = keys.get(cfg);
  if (k === undefined) {
    // node:crypto loads here, when a worker pool first needs a key, not with the
    // engine: a run on this thread never needs one (the module took a few ms of the
    // start-up of every command that simulates).
    const { createHash } = process.getBuiltinModule('node:crypto');
    k = createHash('sha256').update(serialize(cfg)).digest('base64url');
    if (Object.isFrozen(cfg)) keys.set(cfg, k);
  }
  return k;
}

/** The topologies a worker built last, by model key (a few: a comparison alternates two models). */
const byKey = new Map<string, ModelTopology>();
const KEPT = 4;

/**
 * For a worker thread: registers the topology of the model `key` names for this copy
 * of its config, building it only if this thread has not seen the model lately. Then
 * topologyOf(cfg) finds it. The caller promises `key === modelKey(cfg)` and that it
 * does not change `cfg` (a worker owns its copy).
 */
export function adoptTopology(cfg: ModelConfig, key: string): ModelTopology {
  let t = byKey.get(key);
  if (t === undefined) {
    t = new ModelTopology(cfg);
    if (byKey.size >= KEPT) byKey.delete(byKey.keys().next().value!);
  } else {
    byKey.delete(key); // most recently used last
  }
  byKey.set(key, t);
  byConfig.set(cfg, t);
  return t;
}
