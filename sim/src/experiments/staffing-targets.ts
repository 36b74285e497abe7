import { isSingleQueue, type Channel, type ModelConfig, type SlaTarget } from '../config/model-config.ts';
import { channelsOf, deadlineChannelsOf, unscopedChannels } from './kpi-scope.ts';
import { KPIS } from '../metrics/summary.ts';
import type { Issue } from '../errors.ts';

/**
 * The targets a staffing search aims at (`cctwin staff --target`, or the scenario's
 * SLA): a KPI that staffing moves, where it is read (all contacts, a channel, one
 * contact type), a direction and a level. A target on a channel is held by each
 * contact type of the channel (each queue): the channel's figure is the offered-
 * weighted mean of its types', so it is met too, and no small queue (complaints,
 * English) is starved behind a large one to reach it.
 */

/** KPIs staffing moves, with the direction a target takes. */
export const STAFF_KPIS = {
  serviceLevel: 'min',
  serviceLevelAnswered: 'min',
  replyOnTime: 'min',
  abandonRate: 'max',
  asa: 'max',
} as const;
export type StaffKpi = keyof typeof STAFF_KPIS;
const STAFF_KPI_NAMES = Object.keys(STAFF_KPIS) as StaffKpi[];

export type TargetScope =
  | { kind: 'totals' }
  | { kind: 'channel'; channel: Channel }
  | { kind: 'type'; type: number };

export interface StaffTarget {
  /** How it reads: `byChannel.phone.serviceLevel >= 95%` */
  name: string;
  /** The KPI path as the result names it (`byChannel.phone.serviceLevel`, `byType.x.asa`, `serviceLevel`). */
  path: string;
  kpi: StaffKpi;
  scope: TargetScope;
  direction: 'min' | 'max';
  target: number;
  /** The contact types (queues) that must each meet it. */
  types: number[];
  /** Where it came from: the scenario's SLA, or --target. */
  source: 'scenario' | 'flag';
}

/** A target of the scenario left out of the search, and why. */
export interface SkippedTarget {
  name: string;
  kpi: string;
  reason: string;
}

const pct = (v: number) => `${(v * 100).toFixed(2).replace(/\.?0+$/, '')}%`;

/** The target's level as it reads: rates in %, asa in seconds. */
export function targetLevel(kpi: StaffKpi, v: number): string {
  return kpi === 'asa' ? `${v} s` : pct(v);
}

function targetName(path: string, kpi: StaffKpi, direction: 'min' | 'max', target: number): string {
  return `${path} ${direction === 'min' ? '>=' : '<='} ${targetLevel(kpi, target)}`;
}

const deadlineChannels = deadlineChannelsOf;
const isCenter = (cfg: ModelConfig) => !isSingleQueue(cfg);

/**
 * The scopes a KPI named without one is read in: the single-queue form's one queue; in
 * the center form as kpi-scope.ts says (the phone channel, replyOnTime on each channel
 * with a reply deadline), and every contact type of a center without phones.
 */
function bareScopes(cfg: ModelConfig, kpi: StaffKpi): TargetScope[] {
  if (!isCenter(cfg)) return [{ kind: 'totals' }];
  const channels = unscopedChannels(cfg, kpi);
  return channels === null ? [{ kind: 'totals' }] : channels.map((channel) => ({ kind: 'channel', channel }));
}

function scopeTypes(cfg: ModelConfig, scope: TargetScope, kpi: StaffKpi): number[] {
  const all = cfg.types.map((_, i) => i);
  const ofScope = scope.kind === 'totals' ? all : scope.kind === 'channel' ? all.filter((i) => cfg.types[i].channel === scope.channel) : [scope.type];
  // replyOnTime means something only for types with a deadline.
  return kpi === 'replyOnTime' ? ofScope.filter((i) => cfg.types[i].deadline !== undefined) : ofScope;
}

function pathOf(cfg: ModelConfig, scope: TargetScope, kpi: StaffKpi): string {
  if (scope.kind === 'totals') return kpi;
  if (scope.kind === 'channel') return `byChannel.${scope.channel}.${kpi}`;
  return `byType.${cfg.types[scope.type].name}.${kpi}`;
}

/**
 * Reads a KPI path (`serviceLevel`, `byChannel.phone.serviceLevel`,
 * `byType.flight-zh-phone.asa`) into its scopes; problems go to `issues` with `flag`.
 */
function readPath(cfg: ModelConfig, raw: string, lhs: string, issues: Issue[], flag: string): { kpi: StaffKpi; scopes: TargetScope[] } | null {
  const dot = lhs.lastIndexOf('.');
  const kpiName = dot < 0 ? lhs : lhs.slice(dot + 1);
  const prefix = dot < 0 ? '' : lhs.slice(0, dot);
  if (!(kpiName in STAFF_KPIS)) {
    const known = (KPIS as readonly string[]).includes(kpiName);
    issues.push({
      path: flag, value: raw,
      message: known
        ? `${kpiName} is not changed by staffing (more or fewer agents do not move it); staffing targets: ${STAFF_KPI_NAMES.join(', ')}`
        : `unknown KPI ${kpiName}: staffing targets are ${STAFF_KPI_NAMES.join(', ')}`,
    });
    return null;
  }
  const kpi = kpiName as StaffKpi;
  let scopes: TargetScope[];
  if (prefix === '') {
    scopes = bareScopes(cfg, kpi);
  } else if (prefix.startsWith('byChannel.')) {
    const ch = prefix.slice('byChannel.'.length);
    const present = channelsOf(cfg);
    if (!present.includes(ch as Channel)) {
      issues.push({ path: flag, value: raw, message: `byChannel.${ch}: the scenario has no ${ch} contact types (its channels: ${present.join(', ')})` });
      return null;
    }
    scopes = [{ kind: 'channel', channel: ch as Channel }];
  } else if (prefix.startsWith('byType.')) {
    const name = prefix.slice('byType.'.length);
    const t = cfg.types.findIndex((x) => x.name === name);
    if (t < 0) {
      issues.push({ path: flag, value: raw, message: `byType.${name}: no contact type of that name (types: ${cfg.types.map((x) => x.name).join(', ')})` });
      return null;
    }
    scopes = [{ kind: 'type', type: t }];
  } else if (prefix === 'totals') {
    scopes = [{ kind: 'totals' }];
  } else {
    issues.push({ path: flag, value: raw, message: `must name a KPI, or byChannel.CHANNEL.KPI or byType.TYPE.KPI (${prefix} is neither)` });
    return null;
  }
  if (kpi === 'replyOnTime') {
    const ok = scopes.filter((s) => scopeTypes(cfg, s, kpi).length > 0);
    if (ok.length === 0) {
      const dl = deadlineChannels(cfg);
      issues.push({ path: flag, value: raw, message: `replyOnTime is for contact types with a reply deadline (email, fax)${dl.length ? `: here ${dl.join(', ')}` : ': the scenario has none'}` });
      return null;
    }
    scopes = ok;
  }
  return { kpi, scopes };
}

/**
 * Levels no finite staffing can guarantee with random arrivals: every contact answered
 * within the threshold (100%), no abandonment at all with impatient callers, a wait of
 * 0. Those are reported as infeasible before anything runs.
 */
function infeasibleLevel(cfg: ModelConfig, t: StaffTarget): string | null {
  const what = t.kpi === 'replyOnTime' ? 'every reply within its deadline' : t.kpi === 'asa' ? 'no caller ever waiting' : 'every contact answered within the threshold';
  if (t.direction === 'min' && t.target >= 1) return `${t.name} asks for ${what} in every interval: with random arrivals no finite staffing guarantees it (aim below 100%)`;
  if (t.kpi === 'asa' && t.target <= 0) return `${t.name} asks for ${what}: with random arrivals no finite staffing guarantees it (give a wait above 0)`;
  if (t.kpi === 'abandonRate' && t.target <= 0) {
    const impatient = t.types.filter((i) => cfg.types[i].patience !== null);
    if (impatient.length > 0) {
      return `${t.name}: callers of ${impatient.map((i) => cfg.types[i].name).join(', ')} have a patience and hang up whenever they must wait; with random arrivals some always must, whatever the staffing (aim above 0%)`;
    }
  }
  return null;
}

/**
 * Parses `--target` values (`serviceLevel>=0.95`, `abandonRate<=5%`,
 * `byChannel.phone.asa<=20`). Every problem goes to `issues` (the flag, the value, what
 * is expected); targets no staffing can meet go to `infeasible`.
 */
export function parseTargets(cfg: ModelConfig, raw: readonly string[], issues: Issue[], infeasible: Issue[], flag = '--target'): StaffTarget[] {
  const out: StaffTarget[] = [];
  for (const r of raw) {
    const m = /^\s*([A-Za-z_][^<>=\s]*)\s*(>=|<=|=>|=<|>|<)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(%|s)?\s*$/.exec(r);
    if (!m) {
      issues.push({ path: flag, value: r, message: 'must be KPI>=LEVEL or KPI<=LEVEL, e.g. "serviceLevel>=0.95", "abandonRate<=5%", "byChannel.phone.asa<=20"' });
      continue;
    }
    const [, lhs, op, num, unit] = m;
    const read = readPath(cfg, r, lhs, issues, flag);
    if (!read) continue;
    const { kpi, scopes } = read;
    const want = STAFF_KPIS[kpi];
    const dir = op.includes('>') ? 'min' : 'max';
    if (op === '>' || op === '<' || op === '=>' || op === '=<') {
      issues.push({ path: flag, value: r, message: `use ${want === 'min' ? '>=' : '<='} (a target is met at its level)` });
      continue;
    }
    if (dir !== want) {
      issues.push({ path: flag, value: r, message: `${kpi} ${want === 'min' ? 'rises' : 'falls'} with more agents: a staffing target on it is ${kpi}${want === 'min' ? '>=' : '<='}LEVEL` });
      continue;
    }
    let v = Number(num);
    if (kpi === 'asa') {
      if (unit === '%') {
        issues.push({ path: flag, value: r, message: 'asa is in seconds (e.g. asa<=20 or asa<=20s), not a percentage' });
        continue;
      }
      if (!(v >= 0) || !Number.isFinite(v)) {
        issues.push({ path: flag, value: r, message: 'asa must be a number of seconds >= 0' });
        continue;
      }
    } else {
      if (unit === 's') {
        issues.push({ path: flag, value: r, message: `${kpi} is a share (e.g. 0.95 or 95%), not seconds` });
        continue;
      }
      if (unit === '%') v /= 100;
      if (!(v >= 0 && v <= 1)) {
        issues.push({ path: flag, value: r, message: `${kpi} is a share: give a level within 0..1 (or 0%..100%)` });
        continue;
      }
    }
    for (const scope of scopes) {
      const path = pathOf(cfg, scope, kpi);
      if (out.some((t) => t.path === path)) {
        issues.push({ path: flag, value: r, message: `${path} is given twice; give each target once` });
        continue;
      }
      const t: StaffTarget = { name: targetName(path, kpi, want, v), path, kpi, scope, direction: want, target: v, types: scopeTypes(cfg, scope, kpi), source: 'flag' };
      const why = infeasibleLevel(cfg, t);
      if (why) infeasible.push({ path: flag, value: r, message: `infeasible: ${why}` });
      else out.push(t);
    }
  }
  return out;
}

/**
 * The scenario's own SLA targets that staffing moves (service level, abandonment, ASA,
 * replies on time); the others (AHT, accuracy, complaint replies) are listed as skipped
 * with the reason.
 */
export function scenarioTargets(cfg: ModelConfig, infeasible: Issue[]): { targets: StaffTarget[]; skipped: SkippedTarget[] } {
  const targets: StaffTarget[] = [];
  const skipped: SkippedTarget[] = [];
  for (const s of cfg.sla) {
    const t = fromSla(cfg, s);
    if ('reason' in t) skipped.push(t);
    else {
      const why = infeasibleLevel(cfg, t);
      if (why) infeasible.push({ path: 'sla', value: s.name, message: `infeasible: ${why}` });
      else targets.push(t);
    }
  }
  return { targets, skipped };
}

function fromSla(cfg: ModelConfig, s: SlaTarget): StaffTarget | SkippedTarget {
  const parts = s.kpi.split('.');
  const kpi = parts[parts.length - 1];
  if (!(kpi in STAFF_KPIS)) {
    const reason = kpi === 'complaintReplyOnTime'
      ? 'complaint replies wait for suppliers and supervisors too: staff the complaint team by hand'
      : `${kpi} is not changed by staffing`;
    return { name: s.name, kpi: s.kpi, reason };
  }
  const k = kpi as StaffKpi;
  let scope: TargetScope;
  if (parts.length === 3 && parts[0] === 'byChannel') scope = { kind: 'channel', channel: parts[1] as Channel };
  else scope = bareScopes(cfg, k)[0] ?? { kind: 'totals' };
  if (STAFF_KPIS[k] !== s.direction) return { name: s.name, kpi: s.kpi, reason: `a ${s.direction === 'min' ? 'minimum' : 'maximum'} of ${k} is not something more agents reach` };
  const types = scopeTypes(cfg, scope, k);
  if (types.length === 0) return { name: s.name, kpi: s.kpi, reason: 'no contact type in its scope' };
  const path = pathOf(cfg, scope, k);
  return { name: targetName(path, k, s.direction, s.target), path, kpi: k, scope, direction: s.direction, target: s.target, types, source: 'scenario' };
}

/** Per (interval or day) row of figures from the per-type block: the KPI of a target. */
export function kpiOf(kpi: StaffKpi, f: { offered: number; answered: number; within: number; abandoned: number; wait: number; late: number }): number {
  const div = (a: number, b: number) => (b > 0 ? a / b : NaN);
  switch (kpi) {
    case 'serviceLevel': return div(f.within, f.offered);
    case 'serviceLevelAnswered': return div(f.within, f.answered);
    case 'abandonRate': return div(f.abandoned, f.offered);
    case 'asa': return div(f.wait, f.answered);
    case 'replyOnTime': return div(f.answered - f.late, f.answered);
  }
}
