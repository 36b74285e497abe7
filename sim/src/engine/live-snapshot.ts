import type { ModelConfig } from '../config/model-config.ts';
import { M, NM } from '../model/layout.ts';
import { AGENT_OFF, CALL_IN_SERVICE, CALL_IVR, CALL_WAITING, type SimState } from '../model/state.ts';

/**
 * A live run's snapshot (engine/live-run.ts): the state of the center now, written
 * into a preallocated Float64Array by scanning the live state (contact slots, agents,
 * sites), never by building a result. The layout depends on the model only (its
 * numbers of types, sites and groups); `snapshotLayout` names every field, so that
 * the twin can turn a buffer into JSON (`readSnapshot`).
 *
 * Layout, version 1 (offsets in doubles):
 *   header    8   version (1), clock (simulation seconds), day (0 unless the day
 *                 repeats), paused (0/1), finished (0/1), notices (records waiting to
 *                 be drained), injected (contacts injected so far), inSystem (contacts
 *                 in the IVR, waiting or in service)
 *   counters  9   since the start, every day: arrivals, answered, abandoned,
 *                 completed, blocked, deflected, ivrHangup, lost, dropped
 *   queues    nTypes x nSites x 3, at ((type * nSites + site) * 3): waiting (contacts
 *                 of the type waiting to be served from the site), oldestWait (seconds
 *                 the longest of them has waited, 0 if none), inService
 *   groups    nGroups x 6, at (group * 6): site (the group's site index), off (logged
 *                 off), idle (logged on, no contact), busy (logged on, serving at least
 *                 one contact or in its after-call work: busy, as occupancy counts it), onDuty (logged on and not leaving: the staffing
 *                 level), leaving (finishing a contact before logging off)
 *   sites     nSites x 3, at (site * 3): up (1, or 0 while failed), inSystem (contacts
 *                 in the IVR, waiting or in service served from the site), lines
 *                 (trunk lines in use)
 * A group belongs to one site, so its counts are the (group, site) counts.
 */
export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_HEADER = ['version', 'clock', 'day', 'paused', 'finished', 'notices', 'injected', 'inSystem'] as const;
export const SNAPSHOT_COUNTERS = ['arrivals', 'answered', 'abandoned', 'completed', 'blocked', 'deflected', 'ivrHangup', 'lost', 'dropped'] as const;
export const SNAPSHOT_QUEUE_FIELDS = ['waiting', 'oldestWait', 'inService'] as const;
export const SNAPSHOT_GROUP_FIELDS = ['site', 'off', 'idle', 'busy', 'onDuty', 'leaving'] as const;
export const SNAPSHOT_SITE_FIELDS = ['up', 'inSystem', 'lines'] as const;
const COUNTER_METRICS: readonly number[] = SNAPSHOT_COUNTERS.map((k) => M[k]);

export interface SnapshotLayout {
  readonly version: number;
  /** doubles in a snapshot */
  readonly length: number;
  readonly nTypes: number;
  readonly nSites: number;
  readonly nGroups: number;
  /** where each block starts */
  readonly counters: number;
  readonly queues: number;
  readonly groups: number;
  readonly sites: number;
  /** the name of each double, e.g. `clock`, `counters.answered`, `queues.<type>.<site>.waiting`, `groups.<group>.idle`, `sites.<site>.up` */
  readonly names: readonly string[];
}

/** The snapshot layout of a model (see above). */
export function snapshotLayout(cfg: ModelConfig): SnapshotLayout {
  const nT = cfg.types.length, nS = cfg.sites.length, nG = cfg.groups.length;
  const names: string[] = [...SNAPSHOT_HEADER];
  const counters = names.length;
  for (const k of SNAPSHOT_COUNTERS) names.push(`counters.${k}`);
  const queues = names.length;
  for (const t of cfg.types) for (const si of cfg.sites) for (const f of SNAPSHOT_QUEUE_FIELDS) names.push(`queues.${t.name}.${si.name}.${f}`);
  const groups = names.length;
  for (const g of cfg.groups) for (const f of SNAPSHOT_GROUP_FIELDS) names.push(`groups.${g.name}.${f}`);
  const sites = names.length;
  for (const si of cfg.sites) for (const f of SNAPSHOT_SITE_FIELDS) names.push(`sites.${si.name}.${f}`);
  return { version: SNAPSHOT_VERSION, length: names.length, nTypes: nT, nSites: nS, nGroups: nG, counters, queues, groups, sites, names };
}

/** What the snapshot's header takes from the live run rather than the state. */
export interface SnapshotRunFields {
  day: number;
  paused: boolean;
  finished: boolean;
  notices: number;
  injected: number;
  /** counts of the days before the current one, per metric (NM), or null */
  before: Float64Array | null;
}

/**
 * Writes the snapshot of `s` into `buf` (length >= layout.length). One scan of the
 * contact slots, one of the agents; the counters sum the current day's count rows
 * (a few hundred doubles) and the days before. Allocates nothing.
 */
export function writeSnapshot(s: SimState, layout: SnapshotLayout, buf: Float64Array, run: SnapshotRunFields): Float64Array {
  const nS = s.nSites, now = s.now;
  buf.fill(0, 0, layout.length);
  buf[0] = SNAPSHOT_VERSION;
  buf[1] = now;
  buf[2] = run.day;
  buf[3] = run.paused ? 1 : 0;
  buf[4] = run.finished ? 1 : 0;
  buf[5] = run.notices;
  buf[6] = run.injected;
  buf[7] = s.inSystem;
  // Counters: every count row of the day (intervals and the last row), every (site, channel): NM doubles each.
  const nRows = s.subRows.length / NM;
  for (let c = 0; c < COUNTER_METRICS.length; c++) {
    const k = COUNTER_METRICS[c];
    let v = run.before === null ? 0 : run.before[k];
    for (let r = 0; r < nRows; r++) v += s.subRows[r * NM + k];
    buf[layout.counters + c] = v;
  }
  // Contacts, by (type, site) and by site.
  const qb = layout.queues, sb = layout.sites;
  for (let slot = 0; slot < s.nSlots; slot++) {
    const st = s.cState[slot];
    if (st !== CALL_WAITING && st !== CALL_IN_SERVICE && st !== CALL_IVR) continue;
    const site = s.cSite[slot];
    buf[sb + site * 3 + 1]++;
    if (st === CALL_IVR) continue;
    const o = qb + (s.cType[slot] * nS + site) * 3;
    if (st === CALL_WAITING) {
      buf[o]++;
      const w = now - s.cEnter[slot];
      if (w > buf[o + 1]) buf[o + 1] = w;
    } else buf[o + 2]++;
  }
  for (let si = 0; si < nS; si++) {
    buf[sb + si * 3] = s.siteDown[si] === 1 ? 0 : 1;
    buf[sb + si * 3 + 2] = s.siteInSystem[si];
  }
  // Agents, by group (agents of a group are contiguous).
  const gb = layout.groups;
  for (let g = 0; g < s.groupSize.length; g++) {
    const o = gb + g * 6;
    buf[o] = s.groupSite[g];
    const first = s.groupFirst[g], end = first + s.groupSize[g];
    for (let a = first; a < end; a++) {
      if (s.aState[a] === AGENT_OFF) buf[o + 1]++;
      else {
        if (s.aLoad[a] === 0) buf[o + 2]++;
        else buf[o + 3]++;
        if (s.aLeaving[a] === 1) buf[o + 5]++;
      }
    }
    buf[o + 4] = s.onDuty[g];
  }
  return buf;
}

/** A snapshot as an object of named numbers (for JSON): `{ clock: 12.5, 'counters.answered': 3, ... }`. */
export function readSnapshot(layout: SnapshotLayout, buf: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < layout.length; i++) out[layout.names[i]] = buf[i];
  return out;
}
