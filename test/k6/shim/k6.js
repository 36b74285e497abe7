import { record, shimState } from './state.js';

/** k6's sleep: moves the virtual clock. @param {number} seconds */
export function sleep(seconds) {
  if (shimState().initContext) throw new Error('k6 shim: sleep() in the init context');
  shimState().now += seconds * 1000;
}

/**
 * @param {any} value @param {Record<string, (v: any) => boolean>} sets @param {Record<string, string>} [tags]
 */
export function check(value, sets, tags) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = !!fn(value);
    record('checks', ok ? 1 : 0, Object.assign({ check: name }, tags || {}));
    all = all && ok;
  }
  return all;
}

/** @param {string} [msg] */
export function fail(msg) {
  throw new Error(msg);
}

/** @param {string} _name @param {() => any} fn */
export function group(_name, fn) {
  return fn();
}

export default { sleep, check, fail, group };
