import { Queues, type QueueShape } from './queues.ts';

export const AGENT_OFF = 0;
export const AGENT_ON = 1;

/** What the agents need of the model: the agents, their groups, each group's cap and ring length. */
export interface AgentShape extends QueueShape {
  readonly nAgents: number;
  readonly nGroups: number;
  /** group of each agent (agents grouped contiguously) */
  readonly aGroup: Int32Array;
  /** contacts an agent of the group holds at once */
  readonly groupCap: Int32Array;
  /** length of each group's available ring: a power of two above 2 * size + 1 */
  readonly ringSize: Int32Array;
}

/**
 * The agents' live state (index = agent id) and the available rings. An agent holds
 * up to its group's cap of contacts at once (1 for calls, k for IM chats), a contact
 * in its after-call work (wrap-up) included; it is
 * available while on duty, not leaving, and below its cap. The available ring of a
 * group lists them in the order they became available (longest available first), as
 * (agent, idleGen) entries with lazy deletion: pushing an agent again bumps its
 * idleGen, so its older entries go stale, as do entries of agents no longer available.
 */
export class AgentRings extends Queues {
  readonly nAgents: number;
  readonly aGroup: Int32Array;
  readonly groupCap: Int32Array;
  readonly aState: Uint8Array;
  /** contacts the agent holds */
  readonly aLoad: Int32Array;
  /** 1: sent off duty, finishing its contacts first */
  readonly aLeaving: Uint8Array;
  /** when the agent last became available (routing takes the longest available) */
  readonly aIdleSince: Float64Array;
  readonly aIdleGen: Int32Array;
  /** contacts whose after-call work the agent is doing (each holds one of its aLoad) */
  readonly aWrap: Int32Array;
  /** bumped when the agent's wrap-ups are cut (site failure): their WRAP_END events go stale */
  readonly aWrapGen: Int32Array;
  /** agents on duty and not leaving, per group */
  readonly onDuty: Int32Array;
  /** available rings per group: (agent, idleGen) */
  readonly iAgent: Int32Array[];
  readonly iGen: Int32Array[];
  readonly iHead: Int32Array;
  readonly iTail: Int32Array;
  private readonly iScratchA: Int32Array[];
  private readonly iScratchG: Int32Array[];

  constructor(shape: AgentShape) {
    super(shape);
    const nA = (this.nAgents = shape.nAgents), nG = shape.nGroups;
    this.aGroup = shape.aGroup;
    this.groupCap = shape.groupCap;
    this.aState = new Uint8Array(nA);
    this.aLoad = new Int32Array(nA);
    this.aLeaving = new Uint8Array(nA);
    this.aIdleSince = new Float64Array(nA);
    this.aIdleGen = new Int32Array(nA);
    this.aWrap = new Int32Array(nA);
    this.aWrapGen = new Int32Array(nA);
    this.onDuty = new Int32Array(nG);
    this.iAgent = Array.from(shape.ringSize, (n) => new Int32Array(n));
    this.iGen = Array.from(shape.ringSize, (n) => new Int32Array(n));
    this.iScratchA = Array.from(shape.ringSize, (n) => new Int32Array(n));
    this.iScratchG = Array.from(shape.ringSize, (n) => new Int32Array(n));
    this.iHead = new Int32Array(nG);
    this.iTail = new Int32Array(nG);
  }

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
}
