import { COMPLAINT_KPIS, KPIS, RATE_KPIS, TIME_KPIS, TOTALS_MIXED, WORKFORCE_KPIS, type Kpi } from '../metrics/summary.ts';
import { BREAKDOWN_KPIS } from './paired.ts';
import { CHANNELS } from '../config/channels.ts';
import type { ModelConfig } from '../config/model-config.ts';
import type { Issue } from '../errors.ts';
import { channelsOf, deadlineChannelsOf, unscopedChannels } from './kpi-scope.ts';

/**
 * Sequential replications to a precision target: run a pilot, then add batches until
 * the KPI's 95% half-width is at most the target or the cap is reached. The batch
 * sizes depend only on the results so far (never on worker count or timing), so the
 * same seed always stops at the same replication count.
 *
 * The KPI is read where the flag names it (`byChannel.phone.serviceLevel`,
 * `byType.T.asa`, `totals.offered`) or, named alone, where kpi-scope.ts says (a wait,
 * service level or rate on the phone channel, or on the one channel of a scenario with
 * one; a count on the totals): never on a figure that mixes channels.
 */

/** Where a precision target's KPI is read. */
export type PrecisionScope =
  | { kind: 'totals' }
  | { kind: 'channel'; channel: string }
  | { kind: 'type'; type: string };

export interface PrecisionTarget {
  kpi: Kpi;
  halfWidth: number;
  /**
   * Where the KPI is read: set by scopePrecision once the scenario is known (a scope
   * the flag named is kept as given). Absent: the totals (a target stored by an
   * earlier version, e.g. a sweep resumed; or one built in code).
   */
  scope?: PrecisionScope;
}

export interface PrecisionOutcome {
  kpi: Kpi;
  /** where the KPI was read (absent: the totals) */
  scope?: PrecisionScope;
  target: number;
  /** half-width reached (null when undefined, e.g. fewer than 2 replications) */
  halfWidth: number | null;
  met: boolean;
  replications: number;
}

/** Default pilot when --precision is given without --replications. */
export const PILOT_REPLICATIONS = 5;
export const DEFAULT_MAX_REPLICATIONS = 1000;


const EXAMPLES = 'e.g. byChannel.phone.serviceLevel=0.5%, asa=2, offered=10';

/**
 * `serviceLevel=0.005`, `serviceLevel=0.5%`, `asa=2` (or `2s`), `byChannel.phone.serviceLevel=0.5%`,
 * `byType.T.asa=2`, `totals.offered=10`: the KPI, its scope as named (none: see
 * scopePrecision) and the half-width in the KPI's units (rates as shares or with %,
 * waits in seconds, counts as counts). Every problem goes to `issues`.
 */
export function parsePrecision(raw: unknown, issues: Issue[], flag = 'precision'): PrecisionTarget | undefined {
  if (raw === undefined || raw === null) return undefined;
  const s = String(raw);
  const fail = (message: string) => { issues.push({ path: `--${flag}`, value: s, message }); return undefined; };
  const m = /^\s*([^=\s]+)\s*=\s*([^%\s]*?)\s*(%|s)?\s*$/.exec(s);
  if (!m) return fail(`must be KPI=H with a finite H > 0 in the KPI's units, ${EXAMPLES}`);
  const [, lhs, num, unit] = m;
  const parts = lhs.split('.');
  const kpiName = parts[parts.length - 1];
  if (!(KPIS as readonly string[]).includes(kpiName)) return fail(`unknown KPI ${kpiName}: one of ${KPIS.join(', ')}`);
  const kpi = kpiName as Kpi;
  let scope: PrecisionScope | undefined;
  if (parts.length === 1) scope = undefined;
  else if (parts.length === 2 && parts[0] === 'totals') scope = { kind: 'totals' };
  else if (parts.length === 3 && parts[0] === 'byChannel') scope = { kind: 'channel', channel: parts[1] };
  else if (parts.length >= 3 && parts[0] === 'byType') scope = { kind: 'type', type: parts.slice(1, -1).join('.') };
  else return fail(`${lhs}: name a KPI alone, or byChannel.CHANNEL.KPI, byType.TYPE.KPI or totals.KPI (${EXAMPLES})`);
  const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(num) ? Number(num) : NaN;
  if (!(v > 0) || !Number.isFinite(v)) return fail(`must be KPI=H with a finite H > 0 in the KPI's units (H: ${num === '' ? 'none given' : num}), ${EXAMPLES}`);
  let h = v;
  if ((RATE_KPIS as readonly Kpi[]).includes(kpi)) {
    if (unit === 's') return fail(`${kpi} is a share: give its half-width as a share or a percentage (e.g. ${kpi}=0.005 or ${kpi}=0.5%), not seconds`);
    if (unit === '%') h /= 100;
    if (!(h < 1)) return fail(`${kpi} is a share: its half-width must be below 1 (100%)${unit === '%' ? '' : `; for ${v} percentage points write ${kpi}=${v}%`}`);
  } else if ((TIME_KPIS as readonly Kpi[]).includes(kpi)) {
    if (unit === '%') return fail(`${kpi} is in seconds: give its half-width in seconds (e.g. ${kpi}=2 or ${kpi}=2s), not a percentage`);
  } else if (unit !== undefined) {
    return fail(`${kpi} is a ${['cost', 'compensation'].includes(kpi) ? 'sum of money (RMB)' : 'count'}: give its half-width as a plain number${unit === '%' ? ', not a percentage' : ', not seconds'}`);
  }
  return { kpi, halfWidth: h, ...(scope ? { scope } : {}) };
}

const scopePath = (scope: PrecisionScope | undefined, kpi: string): string =>
  scope === undefined || scope.kind === 'totals' ? `totals.${kpi}` : scope.kind === 'channel' ? `byChannel.${scope.channel}.${kpi}` : `byType.${scope.type}.${kpi}`;

/** The target read in one scenario: its scope, or why it cannot be read there. */
function scopeIn(cfg: ModelConfig, t: PrecisionTarget): PrecisionScope | string {
  const { kpi } = t;
  const channels = channelsOf(cfg);
  const deadline = deadlineChannelsOf(cfg);
  const alternatives = (chs: readonly string[]) => chs.map((c) => `byChannel.${c}.${kpi}`).join(' or ');
  if (WORKFORCE_KPIS.includes(kpi) && !cfg.workforce) return `${kpi} is measured only in scenarios with a workforce (the quality loop and its cost model); this one has none`;
  if (COMPLAINT_KPIS.includes(kpi) && !cfg.workforce?.complaints) return `${kpi} is measured only in scenarios with complaint cases (workforce.complaints); this one has none`;
  const breakdown = (where: string) => (BREAKDOWN_KPIS.includes(kpi) ? null : `${kpi} is not read ${where}; KPIs read there: ${BREAKDOWN_KPIS.join(', ')}`);
  const scope = t.scope;
  if (scope === undefined) {
    if (!TOTALS_MIXED.includes(kpi)) return { kind: 'totals' };
    if (kpi === 'replyOnTime') {
      if (deadline.length === 0) return 'replyOnTime is for contact types with a reply deadline (email, fax): the scenario has none';
      if (deadline.length > 1) return `replyOnTime is read per channel: name the channel, ${alternatives(deadline)}`;
      return { kind: 'channel', channel: deadline[0] };
    }
    const on = unscopedChannels(cfg, kpi);
    if (on !== null) return { kind: 'channel', channel: on[0] };
    if (channels.length === 1) return { kind: 'channel', channel: channels[0] };
    return `${kpi} is read per channel and the scenario has no phone channel: name the channel, ${alternatives(channels)}`;
  }
  if (scope.kind === 'totals') {
    if (channels.length > 1 && TOTALS_MIXED.includes(kpi)) {
      return `totals.${kpi} mixes the channels (${channels.join(', ')}): name the channel, ${alternatives(kpi === 'replyOnTime' ? deadline : channels)}`;
    }
    if (kpi === 'replyOnTime' && deadline.length === 0) return 'replyOnTime is for contact types with a reply deadline (email, fax): the scenario has none';
    return scope;
  }
  if (scope.kind === 'channel') {
    if (!(CHANNELS as readonly string[]).includes(scope.channel)) return `byChannel.${scope.channel}: no such channel (channels: ${CHANNELS.join(', ')})`;
    if (!(channels as string[]).includes(scope.channel)) return `byChannel.${scope.channel}: the scenario has no ${scope.channel} contact types (its channels: ${channels.join(', ')})`;
    const no = breakdown('per channel');
    if (no) return no;
    if (kpi === 'replyOnTime' && !(deadline as string[]).includes(scope.channel)) {
      return `replyOnTime is for contact types with a reply deadline: ${scope.channel} has none${deadline.length ? ` (here: ${deadline.join(', ')})` : ''}`;
    }
    return scope;
  }
  const type = cfg.types.find((x) => x.name === scope.type);
  if (!type) return `byType.${scope.type}: no contact type of that name (types: ${cfg.types.map((x) => x.name).join(', ')})`;
  const no = breakdown('per contact type');
  if (no) return no;
  if (kpi === 'replyOnTime' && type.deadline === undefined) return `replyOnTime is for contact types with a reply deadline: ${scope.type} has none`;
  return scope;
}

/**
 * The target read in the scenario(s) it is run on (one, or the arms of a compare):
 * its scope settled (kpi-scope.ts for a KPI named alone) and checked against what the
 * scenarios measure. Problems go to `issues` (the flag, the value, what is expected).
 */
export function scopePrecision(t: PrecisionTarget, cfgs: readonly ModelConfig[], issues: Issue[], raw: string, flag = 'precision'): PrecisionTarget | undefined {
  const scopes = cfgs.map((cfg) => scopeIn(cfg, t));
  const why = [...new Set(scopes.filter((x): x is string => typeof x === 'string'))];
  if (why.length > 0) {
    for (const message of why) issues.push({ path: `--${flag}`, value: raw, message });
    return undefined;
  }
  const paths = [...new Set((scopes as PrecisionScope[]).map((x) => scopePath(x, t.kpi)))];
  if (paths.length > 1) {
    issues.push({ path: `--${flag}`, value: raw, message: `${t.kpi} is read on ${paths.join(' in one arm and ')} in another: name the scope (e.g. ${paths[0]})` });
    return undefined;
  }
  return { ...t, scope: scopes[0] as PrecisionScope };
}

/** Why the scenario cannot measure a target whose scope is settled (its type or channel gone), or null. */
export function precisionScopeProblem(cfg: ModelConfig, t: PrecisionTarget): string | null {
  const s = scopeIn(cfg, t);
  return typeof s === 'string' ? s : null;
}

/** What the target is, as a line names it: `phone serviceLevel`, `type x asa`, `offered (all channels)`. */
export function precisionLabel(p: { kpi: string; scope?: PrecisionScope }): string {
  const s = p.scope;
  if (s === undefined || s.kind === 'totals') return `${p.kpi} (all channels)`;
  return s.kind === 'channel' ? `${s.channel} ${p.kpi}` : `type ${s.type} ${p.kpi}`;
}

/** The next replication count after `n` with half-width `hw`: the classic n (hw/H)^2 estimate, at least +1, at most doubling, capped. */
export function nextCount(n: number, hw: number | null, target: number, max: number): number {
  const want = hw === null || !Number.isFinite(hw) ? 2 * n : Math.ceil(n * (hw / target) ** 2);
  return Math.min(max, Math.max(n + 1, Math.min(2 * n, want)));
}

/**
 * Runs `ensure(n)` (make replications 0..n-1 available) with growing n until
 * `halfWidth(n)` <= target or n reaches `max`.
 */
export async function untilPrecise(
  target: PrecisionTarget,
  start: number,
  max: number,
  ensure: (n: number) => Promise<void>,
  halfWidth: (n: number) => number | null,
): Promise<PrecisionOutcome> {
  let n = Math.min(start, max);
  await ensure(n);
  let hw = halfWidth(n);
  while (!(hw !== null && hw <= target.halfWidth) && n < max) {
    n = nextCount(n, hw, target.halfWidth, max);
    await ensure(n);
    hw = halfWidth(n);
  }
  return { kpi: target.kpi, ...(target.scope ? { scope: target.scope } : {}), target: target.halfWidth, halfWidth: hw, met: hw !== null && hw <= target.halfWidth, replications: n };
}
