import type { ModelConfig } from '../config/model-config.ts';
import { EngineError, showValue, type SimErrorCode } from '../errors.ts';
import { injectContact, liveControls } from '../model/dispatch.ts';
import { O_UNFINISHED, OUTCOMES, type Outcome } from '../model/event-log.ts';
import { LiveState, liveEnded, NOTICE_ENDED, NOTICE_STRIDE } from '../model/live.ts';
import type { RoutingPolicy } from '../model/routing.ts';
import { Replication } from './replicate.ts';
import { CALL_IVR, CALL_WAITING } from '../model/contacts.ts';
import { snapshotLayout, writeSnapshot, type SnapshotLayout } from './live-snapshot.ts';

/**
 * A long-lived live run (the live twin's engine; no HTTP, no files here): one
 * Replication advanced in slices, with contacts injected from outside under an
 * external id, notices of their answer and end, a snapshot of the center now, and
 * controls that persist (staffing overrides, site failures, pause). See
 * docs/live-run.md.
 */
export interface LiveRunOptions {
  /** replication index (its random streams), default 0 */
  replication?: number;
  /** the model's plug-in routing policy, when it names one (see loadPolicy) */
  policy?: RoutingPolicy | null;
  /**
   * Notices of injected contacts' answers and ends: the number of records at which
   * `advanceTo` stops until they are drained, or false (default): off, nothing to drain.
   */
  notifications?: number | false;
  /** 'model' (default): the model's arrival streams run; 'external': contacts come only from `inject` */
  arrivals?: 'model' | 'external';
  /** the day repeats: at the horizon a new day starts (default false: the horizon, then the drain) */
  repeat?: boolean;
  /** calendar events per slice of `advanceTo` (default 4096) */
  sliceEvents?: number;
}

/** How `advanceTo` returned: at the time asked, paused, its event budget spent, or notices to drain first. */
export type AdvanceStatus = 'reached' | 'paused' | 'budget' | 'drain';

/** One notice, as `drainNotifications` hands it over: one object, reused for every record (copy what you keep). */
export interface Notice {
  kind: 'answered' | 'ended';
  externalId: number;
  type: number;
  slot: number;
  time: number;
  /** see model/live.ts NOTICE_FIELDS */
  wait: number;
  group: number;
  site: number;
  /** ended: the outcome of the attempt; answered: null */
  outcome: Outcome | null;
}

export interface FailModes {
  /** contacts in service at the site: 'drop' (default) or 'finish' */
  inService?: 'drop' | 'finish';
  /** contacts waiting for the site: 'move' (default) to the other sites, or 'lose' */
  waiting?: 'move' | 'lose';
}

function fail(code: SimErrorCode, op: string, path: string, value: unknown, expected: string): EngineError {
  return new EngineError(code, `${op}: ${path} = ${showValue(value)}: ${expected}`, [{ path, value, message: expected }]);
}

export class LiveRun {
  readonly replication: Replication;
  readonly layout: SnapshotLayout;
  private readonly live: LiveState;
  private readonly notify: boolean;
  private readonly sliceEvents: number;
  /** external id -> slot, for contacts not yet ended and drained */
  private readonly ids = new Map<number, number>();
  private readonly notice: Notice = { kind: 'answered', externalId: 0, type: 0, slot: 0, time: 0, wait: 0, group: 0, site: 0, outcome: null };
  private pausedFlag = false;
  private finishedFlag = false;
  private injectedCount = 0;
  /** generation of the slot returned by the last `inject` (a slot and its generation name the contact) */
  lastGeneration = 0;

  constructor(readonly cfg: ModelConfig, o: LiveRunOptions = {}) {
    const r = (this.replication = new Replication(cfg, o.replication ?? 0, o.policy ?? null));
    const s = r.state;
    const n = o.notifications ?? false;
    if (n !== false && !(Number.isInteger(n) && n > 0)) throw fail('ENGINE_ERR_BAD_VALUE', 'LiveRun', 'notifications', n, 'a positive integer (records), or false');
    const slice = o.sliceEvents ?? 4096;
    if (!(Number.isInteger(slice) && slice > 0)) throw fail('ENGINE_ERR_BAD_VALUE', 'LiveRun', 'sliceEvents', slice, 'a positive integer (events)');
    const arrivals = o.arrivals ?? 'model';
    if (arrivals !== 'model' && arrivals !== 'external') throw fail('ENGINE_ERR_BAD_VALUE', 'LiveRun', 'arrivals', arrivals, "'model' or 'external'");
    this.notify = n !== false;
    this.sliceEvents = slice;
    this.live = s.live = new LiveState({
      nGroups: s.groupSize.length,
      noticeLimit: n === false ? 4096 : n,
      externalArrivals: arrivals === 'external',
      repeat: o.repeat === true,
      blocks: [s.rows.length, s.subRows.length, s.cells.length, s.siteRows.length, s.tenureRows.length, s.headRows.length],
    });
    this.layout = snapshotLayout(cfg);
    r.start();
  }

  /** Simulation clock, seconds. */
  get now(): number {
    return this.replication.now;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  get finished(): boolean {
    return this.finishedFlag;
  }

  /** The current day (0 unless the day repeats). */
  get day(): number {
    return this.live.day;
  }

  /** Notices waiting to be drained. */
  get pendingNotifications(): number {
    return this.notify ? this.live.nNotices : 0;
  }

  /**
   * Advances the clock to `t` in slices of events: returns 'reached' (the clock is t),
   * 'paused' (nothing done), 'budget' (`maxEvents` calendar events run, call again),
   * or 'drain' (notices reached their limit: drain them, call again). Results are those
   * of one uninterrupted run.
   */
  advanceTo(t: number, maxEvents = Infinity): AdvanceStatus {
    this.checkOpen('advanceTo');
    if (typeof t !== 'number' || Number.isNaN(t)) throw fail('ENGINE_ERR_BAD_VALUE', 'advanceTo', 't', t, 'a time in seconds');
    if (t < this.now) throw fail('ENGINE_ERR_TIME_IN_PAST', 'advanceTo', 't', t, `not before the clock (${this.now})`);
    if (t === Infinity && this.live.repeat) throw fail('ENGINE_ERR_STATE', 'advanceTo', 't', t, 'a finite time: the day repeats, the run has no end');
    if (!(maxEvents > 0)) throw fail('ENGINE_ERR_BAD_VALUE', 'advanceTo', 'maxEvents', maxEvents, 'a positive number of events');
    if (this.pausedFlag) return 'paused';
    return this.run(t, maxEvents);
  }

  private run(t: number, maxEvents: number): AdvanceStatus {
    const r = this.replication, l = this.live;
    let budget = Math.ceil(maxEvents);
    for (;;) {
      if (this.notify && l.nNotices >= l.noticeLimit) return 'drain';
      const slice = Math.min(this.sliceEvents, budget);
      r.advanceTo(t, slice);
      if (!this.notify) this.drainNotices(null);
      if (!r.behind) return 'reached';
      budget -= slice;
      if (budget <= 0) return 'budget';
    }
  }

  /**
   * Injects a contact of `type` (index into cfg.types) arriving at `time` (default:
   * now), named `externalId` (a finite number no contact of the run still holds).
   * Returns its slot (its generation: `lastGeneration`); its answer and its end are
   * notified with the id.
   */
  inject(type: number, externalId: number, time: number = this.now): number {
    this.checkOpen('inject');
    const s = this.replication.state;
    if (!Number.isInteger(type) || type < 0 || type >= s.nTypes) {
      throw fail('ENGINE_ERR_UNKNOWN_ID', 'inject', 'type', type, `a contact type index, 0..${s.nTypes - 1}`);
    }
    if (typeof externalId !== 'number' || !Number.isFinite(externalId)) throw fail('ENGINE_ERR_BAD_VALUE', 'inject', 'externalId', externalId, 'a finite number');
    if (this.ids.has(externalId)) throw fail('ENGINE_ERR_DUPLICATE_ID', 'inject', 'externalId', externalId, 'an id no contact of the run holds (ids are free again once the contact has ended and its end was drained)');
    if (typeof time !== 'number' || !Number.isFinite(time)) throw fail('ENGINE_ERR_BAD_VALUE', 'inject', 'time', time, 'a finite time in seconds');
    if (time < s.now) throw fail('ENGINE_ERR_TIME_IN_PAST', 'inject', 'time', time, `not before the clock (${s.now})`);
    const slot = injectContact(s, type, time);
    this.live.track(slot, externalId);
    this.ids.set(externalId, slot);
    this.injectedCount++;
    this.lastGeneration = s.cGen[slot];
    return slot;
  }

  /** The slot of the contact injected as `externalId`, or -1 (never injected, or ended and drained). */
  slotOf(externalId: number): number {
    return this.ids.get(externalId) ?? -1;
  }

  /**
   * Hands each notice to `fn` in the order written (one Notice object, reused) and
   * empties the buffer; returns how many. Ended contacts' ids are free again after.
   */
  drainNotifications(fn: (n: Notice) => void): number {
    return this.drainNotices(fn);
  }

  private drainNotices(fn: ((n: Notice) => void) | null): number {
    const l = this.live, d = l.notices, n = l.nNotices, v = this.notice;
    for (let i = 0; i < n; i++) {
      const b = i * NOTICE_STRIDE;
      const ended = d[b] === NOTICE_ENDED;
      if (ended) this.ids.delete(d[b + 1]);
      if (fn === null) continue;
      v.kind = ended ? 'ended' : 'answered';
      v.externalId = d[b + 1];
      v.type = d[b + 2];
      v.slot = d[b + 3];
      v.time = d[b + 4];
      v.wait = d[b + 5];
      v.group = d[b + 6];
      v.site = d[b + 7];
      v.outcome = ended ? OUTCOMES[d[b + 8]] : null;
      fn(v);
    }
    l.nNotices = 0;
    return n;
  }

  /** The snapshot of the center now, written into `buf` (see live-snapshot.ts for the layout). */
  snapshot(buf: Float64Array = new Float64Array(this.layout.length)): Float64Array {
    if (buf.length < this.layout.length) throw fail('ENGINE_ERR_BAD_VALUE', 'snapshot', 'buf.length', buf.length, `at least ${this.layout.length} (layout.length)`);
    const l = this.live;
    return writeSnapshot(this.replication.state, this.layout, buf, {
      day: l.day, paused: this.pausedFlag, finished: this.finishedFlag, notices: this.pendingNotifications, injected: this.injectedCount, before: l.day > 0 ? l.before : null,
    });
  }

  /**
   * Group `group` has `n` agents on duty from now on, whatever the plan, until
   * `setStaffing(group, null)` returns it to the plan (now too). Within the people the
   * group has; none while its site is down.
   */
  setStaffing(group: number, n: number | null): void {
    this.checkOpen('setStaffing');
    const s = this.replication.state;
    if (!Number.isInteger(group) || group < 0 || group >= s.groupSize.length) {
      throw fail('ENGINE_ERR_UNKNOWN_ID', 'setStaffing', 'group', group, `an agent group index, 0..${s.groupSize.length - 1}`);
    }
    if (n !== null && !(Number.isInteger(n) && n >= 0 && n <= s.groupSize[group])) {
      throw fail('ENGINE_ERR_BAD_VALUE', 'setStaffing', 'n', n, `an integer 0..${s.groupSize[group]} (the group's agents), or null for the plan`);
    }
    this.live.staffOverride[group] = n ?? -1;
    liveControls.restaff(s, group);
  }

  /** Site `site` fails now, until `restoreSite` (or a failure of the config ends). */
  failSite(site: number, modes: FailModes = {}): void {
    this.checkOpen('failSite');
    const s = this.checkSite('failSite', site);
    const inService = modes.inService ?? 'drop', waiting = modes.waiting ?? 'move';
    if (inService !== 'drop' && inService !== 'finish') throw fail('ENGINE_ERR_BAD_VALUE', 'failSite', 'inService', inService, "'drop' or 'finish'");
    if (waiting !== 'move' && waiting !== 'lose') throw fail('ENGINE_ERR_BAD_VALUE', 'failSite', 'waiting', waiting, "'move' or 'lose'");
    if (s.siteDown[site] === 1) throw fail('ENGINE_ERR_STATE', 'failSite', 'site', site, 'a site that is up');
    liveControls.failSite(s, site, inService === 'drop' ? 1 : 0, waiting === 'lose' ? 1 : 0);
  }

  /** Site `site` recovers now: its groups return to their staffing (plan or override). */
  restoreSite(site: number): void {
    this.checkOpen('restoreSite');
    const s = this.checkSite('restoreSite', site);
    if (s.siteDown[site] === 0) throw fail('ENGINE_ERR_STATE', 'restoreSite', 'site', site, 'a site that is down');
    liveControls.restoreSite(s, site);
  }

  /** Until `resume`, `advanceTo` does nothing (injections and controls still apply, at the clock). */
  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
  }

  /**
   * Runs to the end (the model's day, then its drain: not when the day repeats) and
   * ends the injected contacts still waiting as unfinished. Returns as advanceTo
   * ('drain': drain and call again); once 'reached', the run is finished.
   */
  finish(maxEvents = Infinity): AdvanceStatus {
    this.checkOpen('finish');
    if (this.live.repeat) throw fail('ENGINE_ERR_STATE', 'finish', 'repeat', true, 'a run whose day does not repeat');
    if (this.pausedFlag) return 'paused';
    const status = this.run(Infinity, maxEvents);
    if (status !== 'reached') return status;
    const s = this.replication.state, l = this.live;
    for (let slot = 0; slot < l.tracked.length; slot++) if (l.tracked[slot] === 1) liveEnded(s, slot, O_UNFINISHED);
    if (!this.notify) this.drainNotices(null);
    this.finishedFlag = true;
    return status;
  }

  /**
   * Ends the run at the clock without running the rest of the day (a live twin stopped
   * before its horizon): nothing more happens. Contacts still waiting or in the IVR end
   * as unfinished (injected ones are notified: drain them); contacts in service stay
   * answered, their service cut with the day (not completed). Returns the day's result,
   * its intervals after the clock empty. Once stopped, the run is finished.
   */
  stop(): Float64Array {
    this.checkOpen('stop');
    const s = this.replication.state, l = this.live;
    for (let slot = 0; slot < l.tracked.length; slot++) {
      if (l.tracked[slot] === 1 && (s.cState[slot] === CALL_WAITING || s.cState[slot] === CALL_IVR)) liveEnded(s, slot, O_UNFINISHED, s.cState[slot] === CALL_WAITING ? 1 : 0);
    }
    if (!this.notify) this.drainNotices(null);
    this.finishedFlag = true;
    this.stoppedAt = s.now;
    return this.replication.result(true);
  }

  /** The clock at which `stop` ended the run, or null (running, or finished at its end). */
  stoppedAt: number | null = null;

  /** The result buffer of the current day so far (model/layout.ts). */
  result(): Float64Array {
    return this.replication.result(this.stoppedAt !== null);
  }

  /** The result buffer of the previous day (the day repeats), or null on the first day. */
  previousDay(): Float64Array | null {
    return this.live.day === 0 ? null : this.replication.resultOf(this.live.prevBlocks, false);
  }

  private checkOpen(op: string): void {
    if (this.finishedFlag) throw new EngineError('ENGINE_ERR_STATE', `${op}: the live run is finished`);
  }

  private checkSite(op: string, site: number) {
    const s = this.replication.state;
    if (!Number.isInteger(site) || site < 0 || site >= s.nSites) throw fail('ENGINE_ERR_UNKNOWN_ID', op, 'site', site, `a site index, 0..${s.nSites - 1}`);
    return s;
  }
}
