import type { ModelConfig } from '../config/model-config.ts';
import { Sampler } from '../core/distributions.ts';
import { makeStream } from '../core/rng.ts';
import { EventLog, logEnd, O_ABANDONED, O_UNFINISHED } from '../model/event-log.ts';
import { CALL_WAITING, FLAG_CASE, FLAG_COMPLAINT, FLAG_REPEAT, FLAG_TRANSFERRED } from '../model/state.ts';
import { LOG_FIELDS } from '../model/event-log.ts';
import { resultLength } from './limits.ts';
import type { RoutingPolicy } from '../model/routing.ts';
import { Replication } from './replicate.ts';

/**
 * Per contact type and interval figures of a replication, for staffing (`cctwin staff`):
 * the result buffer keeps intervals by site and channel and contact types over the
 * whole run only, and a search that staffs one skill at a time needs each type's
 * service level in each interval. The replication runs with the per-contact event log
 * on (it only observes: the result buffer is bit for bit the same), and each attempt's
 * record is added to its type's row of the interval it arrived in, with the engine's
 * definitions (model/lifecycle.ts): offered when it reached a queue, answered (and
 * within the threshold, and past the type's deadline) by its first answer, from its
 * queue entry; the second leg of a misrouted call (flag transferred) was counted by its
 * first. Rows are kept per site (the site the contact queued at). `entered` counts
 * queue entries by the interval of the entry (not of the arrival): the offered load a
 * staffing search measures.
 *
 * `arrivals` and `work` are the customers who arrived (first attempts of the scenario's
 * arrival process: no redials, rework or complaint contacts) and the handle times drawn
 * for them, by the interval they arrived in: random inputs whose expectations the
 * model knows (rate x interval, and that x the mean handle time), for control
 * variates. The handle times are drawn again here from the type's own stream
 * (`handle/<type>`, model/state.ts), one per arrival in arrival order, as the engine
 * draws them (model/lifecycle.ts newCustomer): the same numbers, not logged. `work`
 * is kept in the row of site 0 (a type's work over all its sites).
 *
 * The block is appended to the result buffer (decodeResult reads the blocks it knows
 * from the start and ignores what follows): `typeIntervalsOf(buf, cfg)` reads it back.
 */

/** Fields of one (interval, type, site) row. */
export const TYPE_INTERVAL_FIELDS = ['offered', 'answered', 'answeredWithin', 'abandoned', 'waitAnswered', 'answeredLate', 'entered', 'arrivals', 'work'] as const;
export const TI = { offered: 0, answered: 1, answeredWithin: 2, abandoned: 3, waitAnswered: 4, answeredLate: 5, entered: 6, arrivals: 7, work: 8 } as const;
export const TI_STRIDE = TYPE_INTERVAL_FIELDS.length;

/** Offset of the row of (interval `row`, type, site) in the block. */
export function typeIntervalRow(cfg: Pick<ModelConfig, 'types' | 'sites'>, row: number, type: number, site: number): number {
  return ((row * cfg.types.length + type) * cfg.sites.length + site) * TI_STRIDE;
}

/** Length of the block: (nIntervals + 1) rows (the last: arrivals after the horizon) x types x sites x fields. */
export function typeIntervalsLength(cfg: Pick<ModelConfig, 'nIntervals' | 'types' | 'sites'>): number {
  return (cfg.nIntervals + 1) * cfg.types.length * cfg.sites.length * TI_STRIDE;
}

const STRIDE = LOG_FIELDS.length;
const F_OUTCOME = LOG_FIELDS.indexOf('outcome');
const F_TYPE = LOG_FIELDS.indexOf('type');
const F_SITE = LOG_FIELDS.indexOf('site');
const F_ARRIVAL = LOG_FIELDS.indexOf('arrival');
const F_QUEUE = LOG_FIELDS.indexOf('queueEntry');
const F_ANSWER = LOG_FIELDS.indexOf('answer');
const F_FLAGS = LOG_FIELDS.indexOf('flags');
const F_ATTEMPT = LOG_FIELDS.indexOf('attempt');
/** Flags of contacts that are not the arrival process's: the second leg of a misrouted call, rework, complaints and their cases. */
const NOT_ARRIVAL = FLAG_TRANSFERRED | FLAG_REPEAT | FLAG_COMPLAINT | FLAG_CASE;

/** Adds the records of a log buffer to the block. */
function addRecords(cfg: ModelConfig, log: EventLog, block: Float64Array, deadlines: Float64Array): void {
  const nT = cfg.types.length, nS = cfg.sites.length, nI = cfg.nIntervals, L = cfg.intervalLength, T = cfg.threshold;
  const d = log.buf;
  for (let k = 0; k < log.n; k++) {
    const b = k * STRIDE;
    const row = Math.min(nI, Math.floor(d[b + F_ARRIVAL] / L));
    const o = ((row * nT + d[b + F_TYPE]) * nS + d[b + F_SITE]) * TI_STRIDE;
    if (d[b + F_ATTEMPT] === 1 && (d[b + F_FLAGS] & NOT_ARRIVAL) === 0) block[o + TI.arrivals]++;
    const entry = d[b + F_QUEUE];
    if (entry < 0 || (d[b + F_FLAGS] & FLAG_TRANSFERRED) !== 0) continue;
    const type = d[b + F_TYPE], site = d[b + F_SITE];
    block[o + TI.offered]++;
    const answer = d[b + F_ANSWER];
    if (answer >= 0) {
      const w = answer - entry;
      block[o + TI.answered]++;
      if (w <= T) block[o + TI.answeredWithin]++;
      block[o + TI.waitAnswered] += w;
      if (w > deadlines[type]) block[o + TI.answeredLate]++;
    } else if (d[b + F_OUTCOME] === O_ABANDONED) {
      block[o + TI.abandoned]++;
    }
    const erow = Math.min(nI, Math.floor(entry / L));
    block[((erow * nT + type) * nS + site) * TI_STRIDE + TI.entered]++;
  }
}

/**
 * One replication with the per-type interval block. `step(maxEvents)` advances it by at
 * most that many events (so a caller on the main thread can give the event loop a turn)
 * and returns true once it is done; `result()` is the result buffer with the block
 * appended.
 */
export class TypeIntervalRun {
  private readonly rep: Replication;
  private readonly log: EventLog;
  private readonly block: Float64Array;
  private readonly deadlines: Float64Array;
  private done = false;

  constructor(readonly cfg: ModelConfig, readonly replication: number, policy: RoutingPolicy | null = null) {
    this.rep = new Replication(cfg, replication, policy);
    this.log = this.rep.state.log = new EventLog(16384);
    this.block = new Float64Array(typeIntervalsLength(cfg));
    this.deadlines = Float64Array.from(cfg.types, (t) => t.deadline ?? Infinity);
  }

  step(maxEvents = Infinity): boolean {
    if (this.done) return true;
    this.rep.advanceTo(Infinity, maxEvents);
    addRecords(this.cfg, this.log, this.block, this.deadlines);
    this.log.clear();
    if (this.rep.behind) return false;
    // The end: contacts still waiting are unfinished (as the result buffer counts them).
    const s = this.rep.state;
    for (let slot = 0; slot < s.nSlots; slot++) if (s.cState[slot] === CALL_WAITING) logEnd(s, slot, O_UNFINISHED);
    addRecords(this.cfg, this.log, this.block, this.deadlines);
    this.log.clear();
    this.addWork();
    this.done = true;
    return true;
  }

  /**
   * Each customer's handle time, drawn again in arrival order from the type's stream:
   * the arrivals of an interval are consecutive in that order, so each interval's work
   * is the sum of the next `arrivals` draws (kept in the row of site 0: a type's work is
   * read over all sites).
   */
  private addWork(): void {
    const cfg = this.cfg, nI = cfg.nIntervals, nS = cfg.sites.length;
    cfg.types.forEach((t, type) => {
      const sampler = new Sampler(t.handleTime);
      const stream = makeStream(cfg.seed, this.replication, `handle/${t.name}`);
      for (let i = 0; i <= nI; i++) {
        let c = 0;
        for (let s = 0; s < nS; s++) c += this.block[typeIntervalRow(cfg, i, type, s) + TI.arrivals];
        let w = 0;
        for (let k = 0; k < c; k++) w += sampler.sample(stream);
        this.block[typeIntervalRow(cfg, i, type, 0) + TI.work] += w;
      }
    });
  }

  result(): Float64Array {
    const res = this.rep.result();
    const out = new Float64Array(res.length + this.block.length);
    out.set(res);
    out.set(this.block, res.length);
    return out;
  }
}

/** Runs replication `index` whole with the per-type interval block (a worker's task). */
export function replicateTypeIntervals(cfg: ModelConfig, index: number, policy: RoutingPolicy | null = null): Float64Array {
  const run = new TypeIntervalRun(cfg, index, policy);
  while (!run.step()) { /* the log filled: go on */ }
  return run.result();
}

/** The per-type interval block of a buffer from `replicateTypeIntervals` (a view), or null when it has none. */
export function typeIntervalsOf(buf: Float64Array, cfg: ModelConfig): Float64Array | null {
  const base = resultLength(cfg), n = typeIntervalsLength(cfg);
  return buf.length === base + n ? buf.subarray(base) : null;
}

/** The plain result buffer of a buffer from `replicateTypeIntervals` (a view: what the run store keeps). */
export function plainResult(buf: Float64Array, cfg: ModelConfig): Float64Array {
  return buf.subarray(0, Math.min(buf.length, resultLength(cfg)));
}
