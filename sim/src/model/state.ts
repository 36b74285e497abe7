import { Calendar } from '../core/calendar.ts';
import { Sampler } from '../core/distributions.ts';
import { makeStream, type Stream } from '../core/rng.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { M, NM } from '../metrics/layout.ts';

export const CALL_FREE = 0;
export const CALL_WAITING = 1;
export const CALL_IN_SERVICE = 2;

export const AGENT_OFF = 0;
export const AGENT_IDLE = 1;
export const AGENT_BUSY = 2;

/**
 * All mutable state of one replication, as structures of arrays indexed by integer
 * ids. Calls live in recycled slots; a slot's generation is bumped when it is freed,
 * which makes any timer still pointing at it stale (the calendar never searches).
 * Queues and idle-agent lists are rings with lazy deletion: an entry remembers the
 * generation it was pushed with and is skipped if that no longer matches.
 */
export class SimState {
  readonly cfg: ModelConfig;
  readonly cal: Calendar;
  now = 0;
  events = 0;

  // ---- contact types (index = type id)
  readonly nTypes: number;
  readonly typeQueue: Int32Array;
  readonly typeSite: Int32Array;
  /** arrivals per second, [type * nIntervals + interval] */
  readonly rates: Float64Array;
  readonly handle: Sampler[];
  readonly patience: (Sampler | null)[];
  readonly arrivalStream: Stream[];
  readonly handleStream: Stream[];
  readonly patienceStream: Stream[];

  // ---- calls (index = slot)
  cType: Int32Array;
  cGen: Int32Array;
  cState: Uint8Array;
  cArrive: Float64Array;
  cHandle: Float64Array;
  cRow: Int32Array;
  cAgent: Int32Array;
  cQueue: Int32Array;
  freeSlots: Int32Array;
  nFree = 0;
  nSlots = 0;

  // ---- queues: rings of (slot, gen)
  readonly nQueues: number;
  qSlot: Int32Array[];
  qGen: Int32Array[];
  readonly qHead: Int32Array;
  readonly qTail: Int32Array;
  /** live waiting calls per queue */
  readonly qLen: Int32Array;
  /** groups serving each queue */
  readonly queueGroups: Int32Array[];

  // ---- agents (index = agent id), grouped contiguously
  readonly nAgents: number;
  readonly aGroup: Int32Array;
  readonly aState: Uint8Array;
  readonly aLeaving: Uint8Array;
  readonly aIdleSince: Float64Array;
  readonly aIdleGen: Int32Array;
  readonly aCall: Int32Array;
  readonly groupFirst: Int32Array;
  readonly groupSize: Int32Array;
  /** queues served by each group */
  readonly groupQueues: Int32Array[];
  /** agents on duty and not leaving, per group */
  readonly onDuty: Int32Array;
  /** idle rings per group: (agent, idleGen) */
  readonly iAgent: Int32Array[];
  readonly iGen: Int32Array[];
  readonly iHead: Int32Array;
  readonly iTail: Int32Array;
  private readonly iScratchA: Int32Array[];
  private readonly iScratchG: Int32Array[];
  readonly staffing: Int32Array; // [group * nIntervals + interval]

  // ---- sites
  readonly siteLines: Float64Array; // Infinity when unlimited
  readonly siteInSystem: Int32Array;

  // ---- time-weighted counters
  busy = 0;
  staffed = 0;
  waiting = 0;
  inSystem = 0;
  lastAreaTime = 0;
  /** current time row for areas (interval index, or nIntervals in the drain) */
  timeRow = 0;

  // ---- metrics: (nIntervals + 1) rows of NM
  readonly rows: Float64Array;

  constructor(cfg: ModelConfig, replication: number) {
    this.cfg = cfg;
    const nI = cfg.nIntervals;
    this.nTypes = cfg.types.length;
    this.typeQueue = Int32Array.from(cfg.types, (t) => t.queue);
    this.typeSite = Int32Array.from(cfg.types, (t) => t.site);
    this.rates = new Float64Array(this.nTypes * nI);
    cfg.types.forEach((t, i) => this.rates.set(t.arrivalRates, i * nI));
    this.handle = cfg.types.map((t) => new Sampler(t.handleTime));
    this.patience = cfg.types.map((t) => (t.patience ? new Sampler(t.patience) : null));
    // One stream per source of randomness and per type: common random numbers hold
    // per type even when other types are added or removed.
    this.arrivalStream = cfg.types.map((t) => makeStream(cfg.seed, replication, `arrivals/${t.name}`));
    this.handleStream = cfg.types.map((t) => makeStream(cfg.seed, replication, `handle/${t.name}`));
    this.patienceStream = cfg.types.map((t) => makeStream(cfg.seed, replication, `patience/${t.name}`));

    const cap = 1024;
    this.cType = new Int32Array(cap);
    this.cGen = new Int32Array(cap);
    this.cState = new Uint8Array(cap);
    this.cArrive = new Float64Array(cap);
    this.cHandle = new Float64Array(cap);
    this.cRow = new Int32Array(cap);
    this.cAgent = new Int32Array(cap);
    this.cQueue = new Int32Array(cap);
    this.freeSlots = new Int32Array(cap);

    this.nQueues = cfg.queues.length;
    this.qSlot = cfg.queues.map(() => new Int32Array(256));
    this.qGen = cfg.queues.map(() => new Int32Array(256));
    this.qHead = new Int32Array(this.nQueues);
    this.qTail = new Int32Array(this.nQueues);
    this.qLen = new Int32Array(this.nQueues);
    this.queueGroups = cfg.queues.map((_, q) =>
      Int32Array.from(cfg.groups.flatMap((g, gi) => (g.queues.includes(q) ? [gi] : []))),
    );

    const nG = cfg.groups.length;
    this.groupFirst = new Int32Array(nG);
    this.groupSize = new Int32Array(nG);
    this.staffing = new Int32Array(nG * nI);
    let nA = 0;
    cfg.groups.forEach((g, gi) => {
      this.groupFirst[gi] = nA;
      let max = 0;
      for (let i = 0; i < nI; i++) {
        this.staffing[gi * nI + i] = g.staffing[i];
        if (g.staffing[i] > max) max = g.staffing[i];
      }
      this.groupSize[gi] = max;
      nA += max;
    });
    this.nAgents = nA;
    this.aGroup = new Int32Array(nA);
    for (let gi = 0; gi < nG; gi++) this.aGroup.fill(gi, this.groupFirst[gi], this.groupFirst[gi] + this.groupSize[gi]);
    this.aState = new Uint8Array(nA);
    this.aLeaving = new Uint8Array(nA);
    this.aIdleSince = new Float64Array(nA);
    this.aIdleGen = new Int32Array(nA);
    this.aCall = new Int32Array(nA).fill(-1);
    this.groupQueues = cfg.groups.map((g) => Int32Array.from(g.queues));
    this.onDuty = new Int32Array(nG);
    // An idle ring never holds more live entries than the group has agents; stale
    // entries are bounded by the same number, so 2x + 1 slots never overflow.
    this.iAgent = cfg.groups.map((_, gi) => new Int32Array(2 * this.groupSize[gi] + 2));
    this.iGen = cfg.groups.map((_, gi) => new Int32Array(2 * this.groupSize[gi] + 2));
    this.iScratchA = this.iAgent.map((r) => new Int32Array(r.length));
    this.iScratchG = this.iAgent.map((r) => new Int32Array(r.length));
    this.iHead = new Int32Array(nG);
    this.iTail = new Int32Array(nG);

    this.siteLines = Float64Array.from(cfg.sites, (s) => (s.lines === null ? Infinity : s.lines));
    this.siteInSystem = new Int32Array(cfg.sites.length);

    this.rows = new Float64Array((nI + 1) * NM);
    this.cal = new Calendar(4096);
  }

  /** Takes a free call slot, growing the arrays by doubling when none is left. */
  allocCall(): number {
    if (this.nFree > 0) return this.freeSlots[--this.nFree];
    if (this.nSlots === this.cType.length) this.growCalls();
    return this.nSlots++;
  }

  freeCall(slot: number): void {
    this.cState[slot] = CALL_FREE;
    this.cGen[slot]++;
    this.freeSlots[this.nFree++] = slot;
  }

  private growCalls(): void {
    const c = this.cType.length * 2;
    const gi = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    const gf = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    this.cType = gi(this.cType);
    this.cGen = gi(this.cGen);
    const s = new Uint8Array(c); s.set(this.cState); this.cState = s;
    this.cArrive = gf(this.cArrive);
    this.cHandle = gf(this.cHandle);
    this.cRow = gi(this.cRow);
    this.cAgent = gi(this.cAgent);
    this.cQueue = gi(this.cQueue);
    this.freeSlots = gi(this.freeSlots);
  }

  // ---- queue rings
  enqueue(q: number, slot: number): void {
    let ring = this.qSlot[q];
    const n = ring.length;
    if (this.qTail[q] - this.qHead[q] === n) {
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
      if (this.cGen[slot] === gens[i] && this.cState[slot] === CALL_WAITING) return slot;
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

  // ---- idle rings (plain modulo: the size is not a power of two)
  pushIdle(agent: number): void {
    const g = this.aGroup[agent];
    const ring = this.iAgent[g], n = ring.length;
    if (this.iTail[g] - this.iHead[g] >= n) this.compactIdle(g);
    const gen = ++this.aIdleGen[agent];
    const i = this.iTail[g] % n;
    ring[i] = agent;
    this.iGen[g][i] = gen;
    this.iTail[g]++;
  }

  /** Longest-idle agent of group g, or -1. Does not remove it. */
  peekIdle(g: number): number {
    const ring = this.iAgent[g], gens = this.iGen[g], n = ring.length;
    while (this.iHead[g] !== this.iTail[g]) {
      const i = this.iHead[g] % n;
      const a = ring[i];
      if (this.aState[a] === AGENT_IDLE && this.aIdleGen[a] === gens[i]) return a;
      this.iHead[g]++;
    }
    return -1;
  }

  /** Most recently idle agent of group g (for sending agents home), or -1. */
  popNewestIdle(g: number): number {
    const ring = this.iAgent[g], gens = this.iGen[g], n = ring.length;
    while (this.iHead[g] !== this.iTail[g]) {
      const i = (this.iTail[g] - 1) % n;
      this.iTail[g]--;
      const a = ring[i];
      if (this.aState[a] === AGENT_IDLE && this.aIdleGen[a] === gens[i]) return a;
    }
    return -1;
  }

  private compactIdle(g: number): void {
    // Drop stale entries; live ones are at most the group's size, so they fit.
    // Rare (only when stale entries fill the ring): uses the group's scratch arrays.
    const ring = this.iAgent[g], gens = this.iGen[g], n = ring.length;
    const sa = this.iScratchA[g], sg = this.iScratchG[g];
    let live = 0;
    for (let h = this.iHead[g]; h !== this.iTail[g]; h++) {
      const a = ring[h % n];
      if (this.aState[a] === AGENT_IDLE && this.aIdleGen[a] === gens[h % n]) {
        sa[live] = a;
        sg[live++] = gens[h % n];
      }
    }
    ring.set(sa.subarray(0, live));
    gens.set(sg.subarray(0, live));
    this.iHead[g] = 0;
    this.iTail[g] = live;
  }

  /** Adds the time since the last change to the time-weighted counters. */
  advanceAreas(t: number): void {
    const dt = t - this.lastAreaTime;
    if (dt > 0) {
      const b = this.timeRow * NM;
      const r = this.rows;
      r[b + M.busyTime] += this.busy * dt;
      r[b + M.staffedTime] += this.staffed * dt;
      r[b + M.queueArea] += this.waiting * dt;
      r[b + M.systemArea] += this.inSystem * dt;
      this.lastAreaTime = t;
    }
  }
}
