import type { RoutingPolicy } from '../../sim/src/model/routing.ts';

/**
 * An example plug-in routing policy: a freed agent serves the queue with the most
 * calls waiting (ties: the longest-waiting head). Select it in a scenario with
 *   routing: { policy: ./policies/longest-queue-first.ts }
 * (the path is relative to the scenario file). `params.weight` (default 1) scales the
 * queue-length term against seconds waited.
 */
export default function longestQueueFirst(params: Readonly<Record<string, unknown>>): RoutingPolicy {
  const weight = typeof params.weight === 'number' ? params.weight : 1;
  return {
    name: 'longest-queue-first',
    score(s, queue, slot) {
      return weight * s.qLen[queue] * 1e6 + (s.now - s.cArrive[slot]);
    },
  };
}
