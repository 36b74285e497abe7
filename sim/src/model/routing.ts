import type { SimState } from './state.ts';

/**
 * Default routing: FIFO per queue, longest-idle agent.
 *
 * - A new call goes to the agent who has been idle longest among all groups that
 *   serve its queue; if none is idle it waits.
 * - A freed agent takes, among the queues its group serves, the call that has
 *   waited longest (oldest queue entry); ties go to the queue listed first.
 */
export function findIdleAgent(s: SimState, queue: number): number {
  const groups = s.queueGroups[queue];
  let best = -1;
  let bestSince = Infinity;
  for (let k = 0; k < groups.length; k++) {
    const a = s.peekIdle(groups[k]);
    if (a >= 0 && s.aIdleSince[a] < bestSince) {
      best = a;
      bestSince = s.aIdleSince[a];
    }
  }
  return best;
}

/** Returns the queue whose head the agent should take next, or -1 (nothing waiting). */
export function findQueueFor(s: SimState, agent: number): number {
  const queues = s.groupQueues[s.aGroup[agent]];
  let best = -1;
  let bestSince = Infinity;
  for (let k = 0; k < queues.length; k++) {
    const q = queues[k];
    if (s.qLen[q] === 0) continue;
    const slot = s.peekQueue(q);
    if (slot >= 0 && s.cArrive[slot] < bestSince) {
      best = q;
      bestSince = s.cArrive[slot];
    }
  }
  return best;
}
