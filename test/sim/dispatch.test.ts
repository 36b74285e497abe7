import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Replication } from '../../sim/src/engine/replicate.ts';
import { M } from '../../sim/src/metrics/layout.ts';
import { dispatch, startEvents } from '../../sim/src/model/dispatch.ts';
import { ABANDON, ABANDON_ARM, INJECTED, IVR_END, OVERFLOW, REDIAL, SERVICE_END } from '../../sim/src/model/event-kinds.ts';
import { CALL_FREE, CALL_IN_SERVICE, SimState } from '../../sim/src/model/state.ts';
import { centerModel, slotOf, total, type CenterSpec } from '../fixtures/center/model.ts';

/**
 * The model's dispatch (sim/src/model/dispatch.ts): the engine's loop pops an event,
 * sets the clock and hands (kind, target, generation) to it. Stale timers change
 * nothing; the model runs the same under a bare loop as under the engine; and the
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

describe('dispatch', () => {
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
    expect(dispatch(s, SERVICE_END, slot, gen - 1)).toBe(0);
    for (const kind of [ABANDON, OVERFLOW, IVR_END, REDIAL]) expect(dispatch(s, kind, slot, gen)).toBe(0);
    expect(snapshot(s)).toEqual(before);
  });

  it('counts the events that happened: an injected arrival and a service end 1, bookkeeping 0; the calendar\'s own copy of a handled timer goes stale', () => {
    const r = new Replication(centerModel(oneAgent), 0);
    r.advanceTo(0); // the interval boundary at 0: the agent logs on
    const s = r.state;
    expect(dispatch(s, INJECTED, 0, 0)).toBe(1);
    const slot = slotOf(r, 0);
    expect(s.cState[slot]).toBe(CALL_IN_SERVICE);
    expect(dispatch(s, ABANDON_ARM, 0, 0)).toBe(0);
    s.now = 100;
    expect(dispatch(s, SERVICE_END, slot, s.cGen[slot])).toBe(1);
    expect(s.cState[slot]).toBe(CALL_FREE);
    // The service end the answer scheduled is still in the calendar: popped at 100, it is
    // stale (the slot's generation moved on when it was freed) and counts no event.
    expect(r.advanceTo(1000)).toBe(0);
    const b = r.result();
    expect([total(b, 'arrivals'), total(b, 'answered'), total(b, 'completed'), total(b, 'handleTime')]).toEqual([1, 1, 1, 100]);
  });

  it('a bare loop over the calendar and dispatch runs a replication as the engine does', () => {
    // Random arrivals (0.05/s) with patience 50 on 3 agents, 4 intervals: abandonments, ticks, the patience lane.
    const cfg = centerModel({ types: [{ handle: 60, patience: 50, rate: 0.05 }], groups: [{ queues: [0], staffing: 3 }], nIntervals: 4, intervalLength: 900 });
    const r = new Replication(cfg, 7);
    const b = r.run();
    const s = new SimState(cfg, 7, null);
    startEvents(s);
    let n = 0;
    while (s.cal.pop(Infinity)) {
      s.now = s.cal.popTime;
      n += dispatch(s, s.cal.popKind, s.cal.popTarget, s.cal.popGen);
    }
    expect(n).toBe(b[4]);
    expect(n).toBeGreaterThan(100);
    expect(total(b, 'abandoned')).toBeGreaterThan(0);
    expect([...s.subRows]).toEqual([...r.state.subRows]);
    expect([...s.rows]).toEqual([...r.state.rows]);
    expect(s.subRows[M.arrivals]).toBeGreaterThan(0);
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
  // Each layer may import from earlier layers only; the base modules (state and what it
  // is built from) import none of the layers.
  const LAYERS = [['steps'], ['workforce'], ['lifecycle'], ['quality', 'staffing'], ['sites'], ['dispatch']];
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

  it('the engine knows the calendar and the model\'s dispatch: no event kind, no handler', () => {
    const deps = valueImports('engine/replicate.ts').filter((d) => d.startsWith('model/'));
    expect(deps.filter((d) => d === 'model/event-kinds.ts' || layerOf.has(d))).toEqual(['model/dispatch.ts']);
  });
});
