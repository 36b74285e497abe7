import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { topologyOf } from '../../sim/src/config/topology.ts';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { M } from '../../sim/src/model/layout.ts';
import { dispatchUntil, injectArrival, startEvents } from '../../sim/src/model/dispatch.ts';
import { ABANDON, IVR_END, KIND_PRIORITY, OVERFLOW, REDIAL, SERVICE_END } from '../../sim/src/model/event-kinds.ts';
import { CALL_FREE, CALL_IN_SERVICE, SimState } from '../../sim/src/model/state.ts';
import { centerModel, slotOf, total, type CenterSpec } from '../fixtures/center/model.ts';

/**
 * The model's event loop (sim/src/model/dispatch.ts): dispatchUntil pops every event
 * up to a time and hands it to its handler. Stale timers change nothing; events are
 * counted as they happen; run in chunks it gives the numbers of one run; and the
 * model's modules import one another one way only.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const oneAgent: CenterSpec = { types: [{ handle: 100, patience: 50 }], groups: [{ queues: [0], staffing: 1 }] };

/** Everything a handler could change, as plain arrays. */
function snapshot(s: SimState) {
  return {
    subRows: [...s.subRows], cells: [...s.cells], rows: [...s.rows],
    cState: [...s.cState], cGen: [...s.cGen], aLoad: [...s.aLoad], aState: [...s.aState],
    calendar: s.cal.size, busy: s.busy, waiting: s.waiting, inSystem: s.inSystem,
  };
}

describe('dispatchUntil', () => {
  it('skips timers of a slot\'s earlier contact and timers that no longer apply, changing nothing', () => {
    // c@0 is answered at once (0-100). At 10: its slot's service end with the generation of
    // an earlier occupant, and timers of kinds that need it waiting, in the IVR or retrying.
    const r = new Replication(centerModel(oneAgent), 0);
    r.inject(0, 0);
    r.advanceTo(10);
    const s = r.state;
    const slot = slotOf(r, 0);
    const gen = s.cGen[slot];
    expect(s.cState[slot]).toBe(CALL_IN_SERVICE);
    const before = snapshot(s);
    s.cal.push(10, KIND_PRIORITY[SERVICE_END], SERVICE_END, slot, gen - 1);
    for (const kind of [ABANDON, OVERFLOW, IVR_END, REDIAL]) s.cal.push(10, KIND_PRIORITY[kind], kind, slot, gen);
    expect(dispatchUntil(s, 10)).toBe(0);
    expect(snapshot(s)).toEqual(before);
  });

  it('counts the events that happened: an injected arrival and a service end 1 each, interval boundaries 0; a handled slot\'s old timer is stale', () => {
    const r = new Replication(centerModel(oneAgent), 0);
    r.advanceTo(0); // the interval boundary at 0: the agent logs on
    const s = r.state;
    injectArrival(s, 0, 0);
    expect(dispatchUntil(s, 0)).toBe(1);
    const slot = slotOf(r, 0);
    expect(s.cState[slot]).toBe(CALL_IN_SERVICE);
    const gen = s.cGen[slot];
    expect(dispatchUntil(s, 100)).toBe(1);
    expect(s.cState[slot]).toBe(CALL_FREE);
    // The same service end again, as a timer of the slot's finished contact: stale.
    s.cal.push(100, KIND_PRIORITY[SERVICE_END], SERVICE_END, slot, gen);
    expect(dispatchUntil(s, Infinity)).toBe(0); // that timer and the horizon's interval boundary
    const b = r.result();
    expect([total(b, 'arrivals'), total(b, 'answered'), total(b, 'completed'), total(b, 'handleTime')]).toEqual([1, 1, 1, 100]);
  });

  it('run in chunks of 100 s, it gives the numbers of one run to the end', () => {
    // Random arrivals (0.05/s) with patience 50 on 3 agents, 4 intervals: abandonments, ticks, the patience lane.
    const cfg = centerModel({ types: [{ handle: 60, patience: 50, rate: 0.05 }], groups: [{ queues: [0], staffing: 3 }], nIntervals: 4, intervalLength: 900 });
    const whole = new SimState(topologyOf(cfg), cfg, 7, null);
    startEvents(whole);
    const n = dispatchUntil(whole, Infinity);
    const chunked = new SimState(topologyOf(cfg), cfg, 7, null);
    startEvents(chunked);
    let m = 0;
    for (let t = 0; chunked.cal.size > 0 || t <= 3600; t += 100) m += dispatchUntil(chunked, t);
    expect(m).toBe(n);
    expect(n).toBeGreaterThan(100);
    expect(whole.subRows[M.abandoned]).toBeGreaterThan(0);
    expect([...chunked.subRows]).toEqual([...whole.subRows]);
    expect([...chunked.rows]).toEqual([...whole.rows]);
  });
});

// ---------------------------------------------------------------- layers

/** Value imports (not `import type`) of a source file, as paths relative to sim/src. */
function valueImports(file: string): string[] {
  const text = readFileSync(join(ROOT, 'sim/src', file), 'utf8');
  const dir = file.split('/').slice(0, -1).join('/');
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gms)) {
    if (m[1]) continue;
    const parts = [...dir.split('/'), ...m[2].split('/')];
    const norm: string[] = [];
    for (const p of parts) {
      if (p === '.' || p === '') continue;
      if (p === '..') norm.pop();
      else norm.push(p);
    }
    out.push(norm.join('/'));
  }
  return out;
}

describe('the model\'s layers import one way', () => {
  // Each layer may import from earlier layers only; the base modules (what the state is
  // built from: event kinds, the event log, routing, demand, the layout) import none of
  // the layers. The state's parts are layers too, in the order of their class chain.
  const STATE_PARTS = [['clock'], ['contacts'], ['queues'], ['agents'], ['patience'], ['costs'], ['areas'], ['state']];
  const LAYERS = [...STATE_PARTS, ['steps'], ['workforce'], ['lifecycle'], ['quality', 'staffing'], ['sites'], ['dispatch']];
  const layerOf = new Map<string, number>(LAYERS.flatMap((names, i) => names.map((n): [string, number] => [`model/${n}.ts`, i])));
  const modelFiles = readdirSync(join(ROOT, 'sim/src/model')).filter((f) => f.endsWith('.ts')).map((f) => `model/${f}`);

  it('every model module is a base module or in a layer, and imports only from earlier layers', () => {
    for (const file of modelFiles) {
      const mine = layerOf.get(file) ?? -1;
      for (const dep of valueImports(file)) {
        const theirs = layerOf.get(dep);
        if (theirs === undefined) continue; // a base module (state, event kinds, routing, ...) or another stage
        expect(theirs < mine, `${file} imports ${dep}`).toBe(true);
      }
    }
  });

  it('no import circle among the model\'s and the engine\'s modules', () => {
    const files = [...modelFiles, ...readdirSync(join(ROOT, 'sim/src/engine')).filter((f) => f.endsWith('.ts')).map((f) => `engine/${f}`)];
    const graph = new Map(files.map((f) => [f, valueImports(f).filter((d) => files.includes(d))]));
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      expect(state.get(f), `import circle: ${[...path, f].join(' -> ')}`).not.toBe('open');
      state.set(f, 'open');
      for (const d of graph.get(f)!) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
  });

  it('the engine knows the model\'s dispatch only: no event kind, no handler', () => {
    const handlers = layerOf.get('model/state.ts')!;
    for (const file of ['engine/replicate.ts', 'engine/live-run.ts', 'engine/live-snapshot.ts']) {
      const deps = valueImports(file).filter((d) => d.startsWith('model/'));
      expect(deps.filter((d) => d === 'model/event-kinds.ts' || (layerOf.get(d) ?? -1) > handlers), file).toEqual(file === 'engine/live-snapshot.ts' ? [] : ['model/dispatch.ts']);
    }
  });

  it('the state\'s parts are one chain of classes, in the order of their layers', async () => {
    // Each part's class extends the part before it, so SimState holds every field.
    const parts = STATE_PARTS.map(([n]) => n);
    const classes = new Map([
      ['clock', 'Clock'], ['contacts', 'ContactSlots'], ['queues', 'Queues'], ['agents', 'AgentRings'],
      ['patience', 'PatienceLane'], ['areas', 'TimeAreas'], ['state', 'SimState'],
    ]);
    let prev: Function | null = null;
    for (const part of parts) {
      const name = classes.get(part);
      if (name === undefined) continue; // costs: a function over the areas' fields
      const mod = (await import(`../../sim/src/model/${part}.ts`)) as Record<string, Function>;
      const cls = mod[name];
      expect(typeof cls, `${part}.ts exports ${name}`).toBe('function');
      if (prev !== null) expect(Object.getPrototypeOf(cls), `${name} extends ${prev.name}`).toBe(prev);
      prev = cls;
    }
    expect(prev!.name).toBe('SimState');
  });
});
