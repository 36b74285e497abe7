import { record, shimState } from '../state.js';

// k6's rule for metric names (metrics/registry.go).
const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

class Metric {
  /** @param {string} name @param {'counter' | 'rate' | 'trend' | 'gauge'} type @param {boolean} [isTime] */
  constructor(name, type, isTime) {
    const s = shimState();
    if (!s.initContext) throw new Error(`k6 shim: metric ${name} created outside the init context`);
    if (!NAME.test(name)) throw new Error(`k6 shim: invalid metric name '${name}'`);
    const old = s.metrics.get(name);
    if (old && old.type !== type) throw new Error(`k6 shim: metric '${name}' already exists but with type ${old.type}, instead of ${type}`);
    if (!old) s.metrics.set(name, { name, type, isTime: !!isTime, samples: [] });
    this.name = name;
  }

  /** @param {number | boolean} value @param {Record<string, string>} [tags] */
  add(value, tags) {
    if (shimState().initContext) throw new Error(`k6 shim: ${this.name}.add() in the init context`);
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`k6 shim: ${this.name}.add(${String(value)}): not a number`);
    record(this.name, v, tags);
    return true;
  }
}

export class Counter extends Metric {
  /** @param {string} name */
  constructor(name) { super(name, 'counter'); }
}
export class Rate extends Metric {
  /** @param {string} name */
  constructor(name) { super(name, 'rate'); }
}
export class Trend extends Metric {
  /** @param {string} name @param {boolean} [isTime] */
  constructor(name, isTime) { super(name, 'trend', isTime); }
}
export class Gauge extends Metric {
  /** @param {string} name */
  constructor(name) { super(name, 'gauge'); }
}
