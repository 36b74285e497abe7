import { describe, expect, it } from 'vitest';
import { AGENT_OFF, AGENT_ON, AgentRings } from '../../sim/src/model/agents.ts';

/**
 * Agents' live state and the available rings (sim/src/model/agents.ts): who is
 * available, the longest-available agent first, the newest idle one for sending home,
 * stale entries (pushed again, busy, off, leaving) skipped, and compaction of a ring
 * full of stale entries keeping the order.
 */

/** Group 0: agents 0-2, one contact each (ring 8); group 1: agent 3, chats, two at once (ring 4). */
function agents(): AgentRings {
  const s = new AgentRings({
    nTypes: 1, nQueues: 1, nAgents: 4, nGroups: 2,
    aGroup: Int32Array.of(0, 0, 0, 1), groupCap: Int32Array.of(1, 2), ringSize: Int32Array.of(8, 4),
  });
  s.aState.fill(AGENT_ON);
  return s;
}

/** Agents of group g in the order peekIdle gives them, each made busy once taken. */
function takeAll(s: AgentRings, g: number): number[] {
  const out: number[] = [];
  for (let a = s.peekIdle(g); a >= 0; a = s.peekIdle(g)) {
    s.aLoad[a] = s.groupCap[g];
    out.push(a);
  }
  return out;
}

describe('AgentRings', () => {
  it('an agent is available while on duty, not leaving and below its group\'s cap', () => {
    const s = agents();
    expect([0, 1, 2, 3].map((a) => s.available(a))).toEqual([true, true, true, true]);
    s.aState[0] = AGENT_OFF;
    s.aLeaving[1] = 1;
    s.aLoad[2] = 1; // at its cap of 1
    s.aLoad[3] = 1; // a chat agent with one of two
    expect([0, 1, 2, 3].map((a) => s.available(a))).toEqual([false, false, false, true]);
    s.aLoad[3] = 2;
    expect(s.available(3)).toBe(false);
  });

  it('peekIdle gives the longest-available agent first and takes nothing', () => {
    const s = agents();
    s.pushIdle(2);
    s.pushIdle(0);
    s.pushIdle(1);
    expect(s.peekIdle(0)).toBe(2);
    expect(s.peekIdle(0)).toBe(2);
    expect(takeAll(s, 0)).toEqual([2, 0, 1]);
    expect(s.peekIdle(1)).toBe(-1);
  });

  it('skips stale entries: an agent pushed again keeps only its newest place; busy, off or leaving agents are passed over', () => {
    const s = agents();
    s.pushIdle(0);
    s.pushIdle(1);
    s.pushIdle(2);
    s.pushIdle(0); // 0 again: now behind 2
    expect(takeAll(s, 0)).toEqual([1, 2, 0]);
    s.aLoad.fill(0);
    s.pushIdle(0);
    s.pushIdle(1);
    s.pushIdle(2);
    s.aState[0] = AGENT_OFF;
    s.aLeaving[1] = 1;
    expect(s.peekIdle(0)).toBe(2);
    expect(s.iHead[0]).toBe(s.iTail[0] - 1); // the two unavailable entries were dropped
  });

  it('popNewestIdle takes the most recently idle agent holding nothing, and stops at a partly loaded one', () => {
    const s = agents();
    s.pushIdle(0);
    s.pushIdle(1);
    s.pushIdle(2);
    s.aState[2] = AGENT_OFF; // stale at the tail: skipped
    expect(s.popNewestIdle(0)).toBe(1);
    expect(s.popNewestIdle(0)).toBe(0);
    expect(s.popNewestIdle(0)).toBe(-1);
    // The chat group: its agent holds one of two contacts, still available: nobody is sent home past it.
    s.pushIdle(3);
    s.aLoad[3] = 1;
    expect(s.popNewestIdle(1)).toBe(-1);
    expect(s.peekIdle(1)).toBe(3); // still there
    s.aLoad[3] = 0;
    expect(s.popNewestIdle(1)).toBe(3);
    expect(s.peekIdle(1)).toBe(-1);
  });

  it('a ring full of stale entries is compacted, keeping the live entries in order', () => {
    const s = agents();
    s.pushIdle(2);
    for (let k = 0; k < 20; k++) {
      s.pushIdle(0);
      s.pushIdle(1);
    }
    // 41 pushes through a ring of 8: only compaction made room.
    expect(s.iTail[0] - s.iHead[0]).toBeLessThanOrEqual(8);
    expect(takeAll(s, 0)).toEqual([2, 0, 1]);
  });
});
