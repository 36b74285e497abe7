import { randomBytes } from 'node:crypto';
import type { ModelConfig } from '../sim/src/config/model-config.ts';
import { withSeed } from '../sim/src/config/compile.ts';
import { LiveRun, type AdvanceStatus, type Notice } from '../sim/src/engine/live-run.ts';
import { loadPolicy } from '../sim/src/engine/policy-loader.ts';
import { CALL_IN_SERVICE, CALL_IVR, CALL_WAITING } from '../sim/src/model/state.ts';
import { CHANNELS, NCH } from '../sim/src/config/channels.ts';
import { M, NM } from '../sim/src/model/layout.ts';
import { TwinError } from './errors.ts';
import { EventBuffer } from './events.ts';

/**
 * The live twin's engine side, without HTTP: one LiveRun paced against a wall clock,
 * client contacts under opaque ids, a bounded record per contact built from the run's
 * notices, and long-poll waiters resolved from them. app.ts puts routes over it.
 *
 * Pacing: the target clock is `anchorSim + (wall - anchorWall) * speed` (re-anchored at
 * every pause, resume and speed change), capped at the horizon; a loop of macrotasks
 * advances the run towards it in slices of events, for at most `sliceMs` of wall time
 * per turn, so that HTTP requests are served between turns. At speed 'max' the target
 * is the horizon. `lag` is how far the run is behind the target. At the horizon the
 * twin finishes the day (the drain runs as fast as it can, unpaced) and accepts no more
 * contacts.
 */

export type Arrivals = 'internal' | 'external' | 'both';
export type Speed = number | 'max';
export type WaitFor = 'answered' | 'ended';

export interface TwinCoreOptions {
  cfg: ModelConfig;
  speed: Speed;
  arrivals?: Arrivals;
  seed?: number;
  /** wall clock in milliseconds (default performance.now); tests inject their own */
  clock?: () => number;
  /** wall milliseconds of engine work per turn of the loop (default 8) */
  sliceMs?: number;
  /** events per LiveRun slice (default 4096) */
  sliceEvents?: number;
  /** ended contacts' records are dropped after this many wall seconds (default 600) */
  endedTtl?: number;
  /** at most this many ended contacts' records are kept, the oldest dropped first (default 100,000) */
  maxEnded?: number;
  /** open long-polls at most (default 10,000); beyond, 429 */
  maxWaiters?: number;
}

export const MAX_SPEED = 1e6;

/** A contact's status: before arrival, in the model, or its outcome once ended (the engine's O_* names). */
export type ContactStatus = 'accepted' | 'ivr' | 'queued' | 'answered' | 'completed' | 'abandoned' | 'blocked' | 'deflected' | 'ivrHangup' | 'lost' | 'dropped' | 'unfinished';

export interface ContactRecord {
  id: string;
  externalId: number;
  type: number;
  customerId: string | null;
  slot: number;
  generation: number;
  /** simulated seconds */
  arrival: number;
  queueEntry: number | null;
  answer: number | null;
  end: number | null;
  wait: number | null;
  group: number;
  site: number;
  answered: boolean;
  outcome: string | null;
  /** wall ms when it ended (for eviction) */
  endedWall: number;
  waiters: Set<Waiter> | null;
}

interface Waiter {
  want: WaitFor;
  done: (r: ContactRecord, timedOut: boolean) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

const reached = (r: ContactRecord, want: WaitFor) => r.end !== null || (want === 'answered' && r.answered);

export class Twin {
  readonly cfg: ModelConfig;
  readonly arrivals: Arrivals;
  readonly horizon: number;
  run!: LiveRun;
  private readonly clock: () => number;
  private readonly sliceMs: number;
  private readonly sliceEvents: number;
  private readonly endedTtlMs: number;
  /** wall seconds an ended contact's record is kept */
  get endedTtlSeconds(): number { return this.endedTtlMs / 1000; }
  private readonly maxEnded: number;
  readonly maxWaiters: number;
  private speedValue: Speed;
  private anchorSim = 0;
  private anchorWall = 0;
  /** the target while paused */
  private frozen: number | null = null;
  private readonly byId = new Map<string, ContactRecord>();
  private readonly byExternal = new Map<number, ContactRecord>();
  /** ended records in the order they ended (eviction) */
  private endedQueue: ContactRecord[] = [];
  private endedHead = 0;
  private nextExternal = 1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  /** what stopped the loop, if the engine threw (a limit reached): said by /healthz and /v1/state */
  failure: string | null = null;
  private looping = false;
  private closed = false;
  private finishing = false;
  openWaiters = 0;
  /** counts for the conservation check: contacts created over HTTP, ends seen, ends seen twice (a bug if ever > 0) */
  readonly stats = { created: 0, ended: 0, answered: 0, duplicateEnds: 0, evicted: 0, turns: 0, maxTurnMs: 0 };
  /**
   * The clients' contacts, counted apart from the model's own: by the outcome they
   * ended with, answered ones (their first answer) and within the threshold, and the
   * sum of the waits of answered ones (simulated seconds).
   */
  readonly external = { created: 0, answered: 0, answeredWithin: 0, waitSum: 0, outcomes: {} as Record<string, number> };
  /** called at each first answer of a client's contact (type index, the agent's site, the simulated wait) */
  onAnswer: ((type: number, site: number, wait: number) => void) | null = null;
  /** the event stream (GET /v1/events) */
  readonly events = new EventBuffer();
  /** the day's result once closed (cut at the clock, or run to its end), else null */
  finalResult: Float64Array | null = null;
  /** the interval the clock was in at the last check (intervals before it are closed) */
  private intervalSeen = 0;
  /** the sites' state at the last check (1 down) */
  private sitesSeen!: Uint8Array;

  private constructor(o: TwinCoreOptions) {
    // The twin measures from the start: a warm-up (a device of steady-state studies) does not apply.
    const cfg = o.seed === undefined ? o.cfg : withSeed(o.cfg, o.seed);
    this.cfg = cfg.warmup === 0 ? cfg : Object.freeze({ ...cfg, warmup: 0 });
    this.arrivals = o.arrivals ?? 'both';
    this.horizon = this.cfg.horizon;
    this.clock = o.clock ?? (() => performance.now());
    this.sliceMs = o.sliceMs ?? 8;
    this.sliceEvents = o.sliceEvents ?? 4096;
    this.endedTtlMs = (o.endedTtl ?? 600) * 1000;
    this.maxEnded = o.maxEnded ?? 100_000;
    this.maxWaiters = o.maxWaiters ?? 10_000;
    this.speedValue = o.speed;
  }

  /** Builds the twin (a plug-in routing policy named by the scenario is loaded first: the scenario came from the command line). */
  static async create(o: TwinCoreOptions): Promise<Twin> {
    const t = new Twin(o);
    const policy = await loadPolicy(t.cfg);
    t.run = new LiveRun(t.cfg, { arrivals: t.arrivals === 'external' ? 'external' : 'model', notifications: 1 << 16, sliceEvents: t.sliceEvents, policy });
    t.anchorWall = t.clock();
    t.anchorSim = t.run.now;
    t.sitesSeen = Uint8Array.from(t.run.replication.state.siteDown);
    return t;
  }

  get speed(): Speed {
    return this.speedValue;
  }

  get paused(): boolean {
    return this.run.paused;
  }

  get finished(): boolean {
    return this.run.finished;
  }

  /** True from the horizon on: the day is being closed or is closed. */
  get dayOver(): boolean {
    return this.finishing || this.run.finished;
  }

  /** The simulated time the run should be at now (capped at the horizon). */
  target(): number {
    if (this.frozen !== null) return this.frozen;
    if (this.speedValue === 'max') return this.horizon;
    return Math.min(this.horizon, this.anchorSim + ((this.clock() - this.anchorWall) / 1000) * this.speedValue);
  }

  /** Seconds the run is behind its target (0 at speed 'max': it runs as fast as it can by definition). */
  lag(): number {
    if (this.speedValue === 'max' || this.dayOver) return 0;
    return Math.max(0, this.target() - this.run.now);
  }

  private reanchor(sim: number): void {
    this.anchorSim = sim;
    this.anchorWall = this.clock();
  }

  pause(): void {
    if (this.run.paused) return;
    this.frozen = this.speedValue === 'max' ? this.run.now : this.target();
    this.run.pause();
    this.emitControl('pause');
  }

  resume(): void {
    if (!this.run.paused) return;
    this.reanchor(this.frozen ?? this.run.now);
    this.frozen = null;
    this.run.resume();
    this.emitControl('resume');
    this.kick();
  }

  setSpeed(speed: Speed): void {
    const from = this.speedValue === 'max' ? this.run.now : this.target();
    this.speedValue = speed;
    if (this.frozen !== null) this.frozen = Math.min(this.frozen, from);
    else this.reanchor(from);
    this.emitControl('speed');
    this.kick();
  }

  private emitControl(action: string): void {
    this.events.emit('control', { action, clock: this.run.now, speed: this.speedValue, paused: this.run.paused });
  }

  /** Fails a site now (a control): see LiveRun.failSite. */
  failSite(site: number, modes: { inService?: 'drop' | 'finish'; waiting?: 'move' | 'lose' }): void {
    this.run.failSite(site, modes);
    this.checkSites('control');
  }

  restoreSite(site: number): void {
    this.run.restoreSite(site);
    this.checkSites('control');
  }

  /** Emits a site event for each site whose state changed since the last check. */
  private checkSites(cause: 'scenario' | 'control'): void {
    const down = this.run.replication.state.siteDown, seen = this.sitesSeen;
    for (let i = 0; i < down.length; i++) {
      if (down[i] === seen[i]) continue;
      seen[i] = down[i];
      this.events.emit('site', { site: this.cfg.sites[i].name, up: down[i] === 0, clock: this.run.now, cause });
    }
  }

  /** Emits an interval event for each interval the clock has left since the last check. */
  private checkIntervals(): void {
    const L = this.cfg.intervalLength, nI = this.cfg.nIntervals;
    const now = Math.min(Math.floor(this.run.now / L), nI);
    for (; this.intervalSeen < now; this.intervalSeen++) this.events.emit('interval', this.intervalFigures(this.intervalSeen));
  }

  /**
   * Interval `i`'s counts now, per channel (from the state's rows: contacts counted in
   * the interval they arrived in) and its service level: answered within the threshold
   * / offered, per channel (a wait across channels has no meaning).
   */
  intervalFigures(i: number): Record<string, unknown> {
    const s = this.run.replication.state, nS = s.nSites, L = this.cfg.intervalLength;
    const byChannel: Record<string, unknown> = {};
    for (let ch = 0; ch < NCH; ch++) {
      if (!this.cfg.types.some((t) => t.channel === CHANNELS[ch])) continue;
      const c = { arrivals: 0, offered: 0, answered: 0, answeredWithin: 0, abandoned: 0 };
      for (let si = 0; si < nS; si++) {
        const b = i * s.subStride + (si * NCH + ch) * NM;
        c.arrivals += s.subRows[b + M.arrivals];
        c.offered += s.subRows[b + M.offered];
        c.answered += s.subRows[b + M.answered];
        c.answeredWithin += s.subRows[b + M.answeredWithin];
        c.abandoned += s.subRows[b + M.abandoned];
      }
      byChannel[CHANNELS[ch]] = { ...c, serviceLevel: c.offered > 0 ? c.answeredWithin / c.offered : null, abandonRate: c.offered > 0 ? c.abandoned / c.offered : null };
    }
    return { index: i, start: i * L, end: (i + 1) * L, byChannel };
  }

  // ------------------------------------------------------------ the loop

  /** Starts the pacing loop (idempotent). */
  start(): void {
    if (this.looping || this.closed) return;
    this.looping = true;
    this.schedule(true);
  }

  private schedule(now: boolean): void {
    if (!this.looping || this.closed || this.timer !== null || this.immediate !== null) return;
    if (now) this.immediate = setImmediate(() => { this.immediate = null; this.turn(); });
    else this.timer = setTimeout(() => { this.timer = null; this.turn(); }, 2);
  }

  private unschedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = this.immediate = null;
  }

  /** Runs the next turn soon (after a control changed what the loop should do). */
  private kick(): void {
    if (this.immediate === null) { this.unschedule(); this.schedule(true); }
  }

  /** One turn of the loop: advance towards the target for at most sliceMs, then yield. */
  private turn(): void {
    if (this.closed) return;
    let more: boolean;
    try {
      more = this.step(this.sliceMs);
    } catch (e) {
      // The engine refused to go on (a limit of the model reached): stop the clock, keep serving reads.
      this.failure = e instanceof Error ? e.message : String(e);
      this.looping = false;
      return;
    }
    if (this.run.finished) { this.looping = false; return; }
    this.schedule(more);
  }

  /**
   * Advances the run towards its target for about `budgetMs` of wall time; returns true
   * when there is more to do at once (behind the target, or closing the day).
   */
  step(budgetMs = Infinity): boolean {
    if (this.run.finished || this.closed) return false;
    const t0 = performance.now();
    let more = false;
    for (;;) {
      let status: AdvanceStatus;
      if (this.finishing) status = this.run.finish(this.sliceEvents);
      else {
        const t = this.target();
        if (this.run.paused || t <= this.run.now) { status = this.run.paused ? 'paused' : 'reached'; }
        else status = this.run.advanceTo(t, this.sliceEvents);
      }
      this.drain();
      this.checkIntervals();
      this.checkSites('scenario');
      if (this.run.finished) break;
      if (!this.finishing && !this.run.paused && this.run.now >= this.horizon) { this.finishing = true; continue; }
      if (status === 'reached' || status === 'paused') { more = false; break; }
      more = true;
      if (performance.now() - t0 >= budgetMs) break;
    }
    if (this.run.finished) this.dayEnded();
    const ms = performance.now() - t0;
    this.stats.turns++;
    if (ms > this.stats.maxTurnMs) this.stats.maxTurnMs = ms;
    this.evict();
    return more;
  }

  /** Hands the run's notices to the records and their waiters. */
  private drain(): void {
    if (this.run.pendingNotifications === 0) return;
    this.run.drainNotifications((n) => this.apply(n));
  }

  private apply(n: Notice): void {
    const r = this.byExternal.get(n.externalId);
    if (r === undefined) return;
    if (n.kind === 'answered') {
      r.answered = true;
      r.answer = n.time;
      r.wait = n.wait;
      r.queueEntry = n.time - n.wait;
      r.group = n.group;
      r.site = n.site;
      this.stats.answered++;
      this.external.answered++;
      if (n.wait <= this.cfg.threshold) this.external.answeredWithin++;
      this.external.waitSum += n.wait;
      if (this.onAnswer !== null) this.onAnswer(r.type, n.site, n.wait);
    } else {
      if (r.end !== null) { this.stats.duplicateEnds++; return; }
      r.end = n.time;
      r.outcome = n.outcome;
      r.site = n.site;
      if (n.group >= 0) r.group = n.group;
      if (n.wait >= 0) {
        r.wait = n.wait;
        if (r.queueEntry === null) r.queueEntry = (r.answer ?? n.time) - n.wait;
      }
      r.endedWall = this.clock();
      this.byExternal.delete(n.externalId);
      this.endedQueue.push(r);
      this.stats.ended++;
      const o = this.external.outcomes;
      o[n.outcome!] = (o[n.outcome!] ?? 0) + 1;
      const t = this.cfg.types[r.type];
      this.events.emit('contact', { id: r.id, type: t.name, channel: t.channel, outcome: n.outcome, arrival: r.arrival, end: r.end, wait: r.wait, answered: r.answered });
    }
    this.notifyWaiters(r);
  }

  private notifyWaiters(r: ContactRecord): void {
    if (r.waiters === null) return;
    for (const w of [...r.waiters]) if (reached(r, w.want)) this.release(r, w, false);
  }

  private release(r: ContactRecord, w: Waiter, timedOut: boolean): void {
    if (r.waiters === null || !r.waiters.delete(w)) return;
    if (r.waiters.size === 0) r.waiters = null;
    if (w.timer !== null) clearTimeout(w.timer);
    this.openWaiters--;
    w.done(r, timedOut);
  }

  /** Drops ended records older than the TTL, or beyond the cap (the oldest first); never one a client waits on. */
  private evict(): void {
    const q = this.endedQueue, now = this.clock();
    while (this.endedHead < q.length) {
      const r = q[this.endedHead];
      const over = q.length - this.endedHead > this.maxEnded;
      if (!over && now - r.endedWall < this.endedTtlMs) break;
      if (r.waiters !== null) break;
      this.byId.delete(r.id);
      this.endedHead++;
      this.stats.evicted++;
    }
    if (this.endedHead > 4096 && this.endedHead * 2 > q.length) {
      this.endedQueue = q.slice(this.endedHead);
      this.endedHead = 0;
    }
  }

  // ------------------------------------------------------------ contacts

  /** Injects client contacts of the given type indices now; returns their records. */
  create(items: readonly { type: number; customerId?: string }[]): ContactRecord[] {
    if (this.arrivals === 'internal') throw new TwinError('TWIN_ERR_EXTERNAL_OFF', 409, 'the twin runs with --arrivals internal: it takes no contacts from clients');
    if (this.failure !== null) throw new TwinError('TWIN_ERR_ENGINE_STOPPED', 503, `the twin's engine stopped: ${this.failure}`);
    if (this.dayOver || this.closed) throw new TwinError('TWIN_ERR_DAY_OVER', 409, `the simulated day is over (horizon ${this.horizon} s): the twin takes no more contacts`);
    const out: ContactRecord[] = [];
    const now = this.run.now;
    for (const it of items) {
      const ext = this.nextExternal++;
      const slot = this.run.inject(it.type, ext, now);
      const r: ContactRecord = {
        id: randomBytes(12).toString('base64url'), externalId: ext, type: it.type, customerId: it.customerId ?? null,
        slot, generation: this.run.lastGeneration, arrival: now, queueEntry: null, answer: null, end: null, wait: null,
        group: -1, site: -1, answered: false, outcome: null, endedWall: 0, waiters: null,
      };
      this.byId.set(r.id, r);
      this.byExternal.set(ext, r);
      this.stats.created++;
      this.external.created++;
      out.push(r);
    }
    // Let them arrive now (the events at this instant only), so that the answer says where the model put them.
    if (!this.run.paused) {
      this.run.advanceTo(now, this.sliceEvents);
      this.drain();
    }
    return out;
  }

  get(id: string): ContactRecord | undefined {
    return this.byId.get(id);
  }

  /** The status of a record now: its outcome once ended, else where the model holds it. */
  status(r: ContactRecord): ContactStatus {
    if (r.outcome !== null) return r.outcome as ContactStatus;
    if (r.answered) return 'answered';
    const s = this.run.replication.state;
    if (this.run.slotOf(r.externalId) !== r.slot || s.cGen[r.slot] !== r.generation) return 'accepted';
    const st = s.cState[r.slot];
    if (st === CALL_IVR) return 'ivr';
    if (st === CALL_WAITING) return 'queued';
    if (st === CALL_IN_SERVICE) return 'answered';
    return 'accepted';
  }

  /** Queue entry and wait so far of a contact waiting now (null when it is not waiting). */
  waitingSince(r: ContactRecord): number | null {
    if (r.end !== null || r.answered) return null;
    const s = this.run.replication.state;
    if (this.run.slotOf(r.externalId) !== r.slot || s.cGen[r.slot] !== r.generation || s.cState[r.slot] !== CALL_WAITING) return null;
    return s.cEnter[r.slot];
  }

  /**
   * Waits until the contact is answered or ended (as `want` says), at most `timeoutMs`;
   * returns a function that releases the waiter (a client gone). Throws 429 beyond the cap.
   */
  wait(r: ContactRecord, want: WaitFor, timeoutMs: number, done: (r: ContactRecord, timedOut: boolean) => void): () => void {
    if (reached(r, want) || this.run.finished) { done(r, false); return () => {}; }
    if (this.openWaiters >= this.maxWaiters) throw new TwinError('TWIN_ERR_TOO_MANY_WAITERS', 429, `too many open long-polls (${this.maxWaiters}): retry later, or poll without wait`);
    const w: Waiter = { want, done, timer: null };
    (r.waiters ??= new Set()).add(w);
    this.openWaiters++;
    w.timer = setTimeout(() => this.release(r, w, true), timeoutMs);
    return () => this.release(r, w, true);
  }

  /** Records held now (live and ended). */
  get records(): number {
    return this.byId.size;
  }

  // ------------------------------------------------------------ the end

  /**
   * Stops the loop and closes the day. Before the horizon the day is cut at the clock
   * (LiveRun.stop: nothing more happens; contacts still waiting or in the IVR end as
   * unfinished); from the horizon on, the drain is run to its end as the scenario's day
   * would. Every notice is applied, every waiter answered; `finalResult` holds the day.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.looping = false;
    this.unschedule();
    if (!this.run.finished && this.failure === null) {
      if (this.run.paused) this.run.resume();
      if (!this.finishing && this.run.now < this.horizon) {
        this.finalResult = this.run.stop();
        this.drain();
      } else {
        this.finishing = true;
        for (;;) {
          const status = this.run.finish();
          this.drain();
          if (status === 'reached') break;
        }
      }
    }
    this.drain();
    this.dayEnded();
    for (const r of this.byId.values()) if (r.waiters !== null) for (const w of [...r.waiters]) this.release(r, w, false);
  }

  private dayListeners: ((t: Twin) => void)[] = [];
  private dayDone = false;

  /** Calls `fn` once the day is closed (at once if it is): its result is in `finalResult`. */
  onDayEnd(fn: (t: Twin) => void): void {
    if (this.dayDone) fn(this);
    else this.dayListeners.push(fn);
  }

  /** The day is over (run to its end, or cut): keeps its result, says so on the event stream, tells the listeners. */
  private dayEnded(): void {
    if (this.dayDone) return;
    this.dayDone = true;
    this.checkIntervals();
    if (this.failure === null) this.finalResult = this.run.stoppedAt !== null ? this.finalResult ?? this.run.result() : this.run.result();
    this.events.emit('day', { clock: this.run.now, cut: this.run.stoppedAt !== null, finished: this.run.finished, failure: this.failure });
    for (const fn of this.dayListeners.splice(0)) fn(this);
  }

  /** A fresh opaque id's shape (for the route's schema). */
  static readonly ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
}
