import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withSeed } from '../../sim/src/config/compile.ts';
import { loadScenario } from '../../sim/src/config/load.ts';
import { ModelTopology, adoptTopology, modelKey, topologyOf } from '../../sim/src/config/topology.ts';
import { Replication, replicate } from '../../sim/src/engine/replicate.ts';

/**
 * Compile once, run many (issue 11): the model's structure is built once per model
 * and shared by its replications, which allocate only what a run changes.
 */

const scenario = (name: string) => loadScenario(fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url)));

/** Copies of every typed array (and arrays of them) the topology holds. */
function arrays(t: ModelTopology): Record<string, number[] | number[][]> {
  const out: Record<string, number[] | number[][]> = {};
  for (const [k, v] of Object.entries(t)) {
    if (ArrayBuffer.isView(v)) out[k] = Array.from(v as Float64Array);
    else if (Array.isArray(v) && v.length > 0 && ArrayBuffer.isView(v[0])) out[k] = v.map((a) => Array.from(a as Float64Array));
  }
  return out;
}

describe('the model topology', () => {
  const cfg = scenario('nantong-failover');

  it('is built once per (frozen) config and shared by its replications', () => {
    expect(topologyOf(cfg)).toBe(topologyOf(cfg));
    const a = new Replication(cfg, 0).state, b = new Replication(cfg, 1).state;
    expect(a.topo).toBe(b.topo);
    expect(a.groupQueues).toBe(b.groupQueues);
    expect(a.typeQueue).toBe(b.typeQueue);
    // what a run changes is its own
    expect(a.aState).not.toBe(b.aState);
    expect(a.rows).not.toBe(b.rows);
  });

  it('is built afresh for a config that is not frozen (its caller may still change it)', () => {
    const open = structuredClone(cfg);
    expect(topologyOf(open)).not.toBe(topologyOf(open));
  });

  it('is never written by a run: the same arrays after replications of a center with failures, overflow and a workforce', () => {
    for (const name of ['nantong-failover', 'new-hire-wave-countermeasures', 'complaint-storm']) {
      const c = scenario(name);
      const before = arrays(topologyOf(c));
      expect(Object.keys(before).length).toBeGreaterThan(30);
      replicate(c, 0);
      expect(arrays(topologyOf(c)), name).toEqual(before);
    }
  });

  it('overdispersed rates are the replication\'s own; the model\'s base rates are left alone', () => {
    const c = scenario('baseline-day');
    const topo = topologyOf(c);
    expect(topo.overdispersion).not.toBeNull();
    const base = Array.from(topo.baseRates);
    const r0 = new Replication(c, 0).state.rates, r1 = new Replication(c, 1).state.rates;
    expect(r0).not.toBe(topo.baseRates);
    expect(Array.from(r0)).not.toEqual(Array.from(r1));
    expect(Array.from(topo.baseRates)).toEqual(base);
    expect(Array.from(new Replication(c, 0).state.rates)).toEqual(Array.from(r0));
  });
});

describe('a worker\'s topologies, by model key', () => {
  const cfg = scenario('nantong-failover');

  it('a config keeps its key; a copy made the same way has the same key; another seed is another model', () => {
    expect(modelKey(cfg)).toBe(modelKey(cfg));
    expect(modelKey(structuredClone(cfg))).toBe(modelKey(structuredClone(cfg)));
    expect(modelKey(withSeed(cfg, 7))).not.toBe(modelKey(cfg));
  });

  it('each task\'s fresh copy of the config gets the topology built for the first', () => {
    const key = modelKey(cfg);
    const first = structuredClone(cfg), second = structuredClone(cfg);
    const t = adoptTopology(first, key);
    expect(adoptTopology(second, key)).toBe(t);
    expect(topologyOf(second)).toBe(t);
    expect(new Replication(second, 0).state.topo).toBe(t);
    // and the numbers are those of the original config
    const numbers = (b: Float64Array) => { const c = Array.from(b); c[5] = 0; return c; };
    expect(numbers(replicate(second, 3))).toEqual(numbers(replicate(cfg, 3)));
  });
});
