import { shimState } from '../state.js';

/** k6/execution: the running iteration's context, as the shim's runner sets it. */
const exec = {
  get scenario() { return shimState().exec.scenario; },
  get vu() { return shimState().exec.vu; },
  get instance() { return shimState().exec.instance; },
  get test() { return shimState().exec.test; },
};

export default exec;
