import type { ModelConfig } from '../config/model-config.ts';
import { EngineError } from '../errors.ts';
import { dispatchUntil, injectArrival, MAX_EVENTS, startEvents } from '../model/dispatch.ts';
import type { RoutingPolicy } from '../model/routing.ts';
import { loadedPolicy } from './policy-loader.ts';
import { EventLog, logEnd, O_UNFINISHED } from '../model/event-log.ts';
import { CALL_IN_SERVICE, CALL_IVR, CALL_WAITING, FLAG_CASE, SimState } from '../model/state.ts';
import { topologyOf } from '../config/topology.ts';
import { PLUGIN } from '../config/routing-policies.ts';
import { HEADER_LENGTH, M, NM, RESULT_MAGIC, RESULT_VERSION, TIME_WEIGHTED } from '../model/layout.ts';

/**
 * One replication of a model. Either run it whole (`run()`), or step it: `start()`,
 * then `advanceTo(t)` as often as needed, with `inject()` between steps to add
 * contacts from outside (the live twin), and `result()` at any time.
 *
 * The event loop (model/dispatch.ts, run by `advanceTo`) is the hot path: integers
 * and typed arrays only, no closures, no await, no allocation per event.
 */
export class Replication {
  readonly state: SimState;
  private started = false;
  private wall = 0;

  /** `policy`: the loaded plug-in routing policy, when the model names one (see loadPolicy). */
  constructor(readonly cfg: ModelConfig, readonly replication: number, policy: RoutingPolicy | null = null) {
    // The model's structure is built once per model; the state allocates what a run changes.
    const topo = topologyOf(cfg);
    this.state = new SimState(topo, cfg, replication, policy ?? (topo.policyKind === PLUGIN ? loadedPolicy(cfg) : null));
  }

  /** Schedules the model's first events (arrivals, the first interval boundary, site failures: model/dispatch.ts). */
  start(): void {
    if (this.started) return;
    this.started = true;
    startEvents(this.state);
  }

  /** Current simulated time (seconds). */
  get now(): number {
    return this.state.now;
  }

  /**
   * True when the last `advanceTo(t, ...)` stopped before t: its event budget was
   * spent, or the event log's buffer is full. Call again to go on; the results are
   * those of one call (the events run in the same order, the clock moves to t only
   * once every event up to t has run).
   */
  behind = false;

  /**
   * Processes every event with time <= t, then sets the clock to t (if t is finite: the
   * time-weighted metrics then stand at the last event, see below);
   * at most `maxEvents` calendar events (stale timers included) when given, so that a
   * caller bounds the work of a slice (see `behind`). Returns the number of events
   * processed (arrivals, service ends, abandonments).
   */
  advanceTo(t: number, maxEvents = Infinity): number {
    if (!this.started) this.start();
    const t0 = performance.now();
    const s = this.state;
    // The events themselves: the model pops and dispatches them (model/dispatch.ts says
    // why the loop is there). It stops early when the event log's buffer is full (see
    // runLogged) or the budget is spent.
    const n = dispatchUntil(s, t, maxEvents < MAX_EVENTS ? maxEvents : MAX_EVENTS);
    s.events += n;
    const log = s.log;
    this.behind = (log !== null && log.n >= log.capacity) || (s.cal.size > 0 && s.cal.peekTime() <= t);
    // The clock moves to t; the time integrals (model/state.ts advanceAreas) are not
    // closed here but at the next event, as in one uninterrupted run: advanced in any
    // slices, a replication gives the same bits.
    if (!this.behind && t !== Infinity && t > s.now) s.now = t;
    this.wall += (performance.now() - t0) / 1000;
    return n;
  }

  /**
   * Adds a contact of `type` (index into cfg.types) arriving at `time` (default: now).
   * Times in the past are refused: the twin never rewrites history.
   */
  inject(type: number, time: number = this.state.now): void {
    if (!Number.isInteger(type) || type < 0 || type >= this.state.nTypes) {
      throw new EngineError('ENGINE_ERR_UNKNOWN_ID', `inject: type ${type} is not a contact type index (0..${this.state.nTypes - 1})`);
    }
    if (!(time >= this.state.now)) {
      throw new EngineError('ENGINE_ERR_TIME_IN_PAST', `inject: time ${time} is before the simulation clock ${this.state.now}`);
    }
    if (!this.started) this.start();
    injectArrival(this.state, type, time);
  }

  /** Runs the whole replication: arrivals up to the horizon, then the drain. */
  run(): Float64Array {
    this.start();
    this.advanceTo(Infinity);
    return this.result();
  }

  /**
   * The result buffer (`cut`: the day cut at the clock, contacts waiting or in the IVR
   * counted unfinished): a versioned header, then (nIntervals + 1) rows of NM metrics,
   * the (type, site) cells, the site time block, the tenure bands and the daily
   * headcount (see model/layout.ts). A fresh copy, safe to transfer to another thread.
   */
  result(cut = false): Float64Array {
    const s = this.state;
    const blocks = [s.rows, s.subRows, s.cells, s.siteRows, s.tenureRows, s.headRows];
    if (s.cal.size === 0 || !(s.now > s.lastAreaTime)) return this.resultOf(blocks, cut || s.cal.size === 0, cut);
    // Taken mid-run: the time integrals run to the clock in the result, but not in the
    // state, which closes them at the next event (see advanceTo): the row they grow
    // in is put back as it was.
    const rAt = s.timeRow * NM, sAt = s.timeRow * s.nSites * NM;
    const row = s.rows.slice(rAt, rAt + NM), siteRow = s.siteRows.slice(sAt, sAt + s.nSites * NM), last = s.lastAreaTime;
    s.advanceAreas();
    const out = this.resultOf(blocks, cut, cut);
    s.rows.set(row, rAt);
    s.siteRows.set(siteRow, sAt);
    s.lastAreaTime = last;
    return out;
  }

  /**
   * A result buffer of the metric blocks `blocks` (rows, subRows, cells, siteRows,
   * tenureRows, headRows: the state's, or a live run's previous day), with the contacts still
   * waiting counted unfinished when `finished`, and those in the IVR too when the day is
   * `cut` (a live run stopped before its end: see LiveRun.stop).
   */
  resultOf(blocks: readonly Float64Array[], finished: boolean, cut = false): Float64Array {
    const s = this.state;
    const out = new Float64Array(HEADER_LENGTH + blocks.reduce((n, b) => n + b.length, 0));
    out[0] = RESULT_MAGIC;
    out[1] = RESULT_VERSION;
    out[2] = this.cfg.nIntervals + 1;
    out[3] = NM;
    out[4] = s.events;
    out[5] = this.wall;
    out[6] = this.replication;
    out[7] = s.nTypes;
    out[8] = s.nSites;
    let at = HEADER_LENGTH;
    const [rows, subRows, cells] = blocks;
    const subAt = HEADER_LENGTH + rows.length;
    const cellsAt = subAt + subRows.length;
    for (const b of blocks) {
      out.set(b, at);
      at += b.length;
    }
    if (s.nSites === 1) {
      // The site's busy and staffed time were not kept apart: they are the center's (see advanceAreas).
      const siteAt = cellsAt + cells.length;
      for (let i = 0; i <= this.cfg.nIntervals; i++) {
        out[siteAt + i * NM + M.busyTime] = rows[i * NM + M.busyTime];
        out[siteAt + i * NM + M.staffedTime] = rows[i * NM + M.staffedTime];
      }
    }
    if (finished) {
      // Finished: every contact still waiting is unfinished.
      for (let slot = 0; slot < s.nSlots; slot++) {
        if (s.cState[slot] !== CALL_WAITING && !(cut && s.cState[slot] === CALL_IVR)) continue;
        out[subAt + s.cSub[slot] + M.unfinished]++;
        if (s.cCell[slot] !== s.warmCell) out[cellsAt + s.cCell[slot] + M.unfinished]++;
      }
    }
    const complaints = s.wf?.complaints ?? null;
    if (complaints !== null && blocks[0] === s.rows) {
      // Complaint cases still open now (the end of the run, or the clock when taken
      // mid-run), filed like their other counts; past the reply deadline, they count as
      // late in complaintReplyOnTime (metrics/summary.ts). A live run's previous day has
      // none: its open cases are carried into the current day.
      for (let slot = 0; slot < s.nSlots; slot++) {
        if ((s.cFlags[slot] & FLAG_CASE) === 0 || (s.cState[slot] !== CALL_WAITING && s.cState[slot] !== CALL_IN_SERVICE)) continue;
        const overdue = s.now - s.cArrive[slot] > complaints.replyDeadline ? 1 : 0;
        out[subAt + s.cSub[slot] + M.complaintCasesOpen]++;
        out[subAt + s.cSub[slot] + M.complaintCasesOpenOverdue] += overdue;
        if (s.cCell[slot] !== s.warmCell) {
          out[cellsAt + s.cCell[slot] + M.complaintCasesOpen]++;
          out[cellsAt + s.cCell[slot] + M.complaintCasesOpenOverdue] += overdue;
        }
      }
    }
    // The whole center's interval rows: counts and levels summed over (site, channel);
    // time-weighted metrics were kept there directly.
    const summed = new Uint8Array(NM).fill(1);
    for (const k of TIME_WEIGHTED) summed[k] = 0;
    const nR = this.cfg.nIntervals + 1, nSub = s.subStride / NM;
    for (let i = 0; i < nR; i++) {
      const rb = HEADER_LENGTH + i * NM, sb = subAt + i * s.subStride;
      for (let j = 0; j < nSub; j++) {
        for (let k = 0; k < NM; k++) {
          if (summed[k] === 1) out[rb + k] += out[sb + j * NM + k];
        }
      }
    }
    return out;
  }
}

/**
 * Runs replication `index` with the per-contact event log on: `write` receives each
 * full buffer between events (and the rest at the end, unfinished contacts included).
 * Same numbers as replicate(): the log only observes.
 */
export function replicateLogged(cfg: ModelConfig, index: number, write: (log: EventLog) => void, capacity = 8192, policy: RoutingPolicy | null = null): Float64Array {
  return runLogged(new Replication(cfg, index, policy), write, capacity);
}

/**
 * Runs a replication to its end with the event log on, from wherever it stands (after
 * contacts injected with `inject`, for example): as `replicateLogged`.
 */
export function runLogged(r: Replication, write: (log: EventLog) => void, capacity = 8192): Float64Array {
  const s = r.state;
  const log = (s.log = new EventLog(capacity));
  r.start();
  for (;;) {
    r.advanceTo(Infinity);
    if (!log.full) break;
    write(log);
    log.clear();
  }
  for (let slot = 0; slot < s.nSlots; slot++) {
    if (s.cState[slot] !== CALL_WAITING) continue;
    if (log.full) { write(log); log.clear(); }
    logEnd(s, slot, O_UNFINISHED);
  }
  write(log);
  log.clear();
  return r.result();
}

/** Runs replication `index` of a model and returns its result buffer. */
export function replicate(cfg: ModelConfig, index: number, policy: RoutingPolicy | null = null): Float64Array {
  return new Replication(cfg, index, policy).run();
}
