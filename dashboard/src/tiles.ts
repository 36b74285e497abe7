/**
 * The run view's KPI tiles: which KPIs, in which scope, against which SLA target.
 * Phone first (its waits and rates), then the other channels' own measures (IM's
 * service level, email's replies on time), then the center's (occupancy, accuracy,
 * complaints, cost); any SLA target not covered gets a tile of its own.
 * Pure (tested in test/dashboard).
 */
import type { Estimate, RunSummary, SlaResult } from './api.ts';
import { kpi as fmtKpi, kpiCi, label, scope as scopeName, target as fmtTarget } from './format.ts';
import { channelsOf, pick } from './series.ts';

export interface TileSpec {
  /** data-testid: tile-<scope name>-<kpi>, e.g. tile-phone-serviceLevel, tile-center-occupancy */
  id: string;
  label: string;
  kpi: string;
  scope: string;
  estimate: Estimate | undefined;
  sla: SlaResult | undefined;
  value: string;
  ci: string;
  target: string | undefined;
}

const WANT: { kpi: string; scope: string; name?: string }[] = [
  { kpi: 'serviceLevel', scope: 'byChannel.phone' },
  { kpi: 'abandonRate', scope: 'byChannel.phone' },
  { kpi: 'asa', scope: 'byChannel.phone' },
  { kpi: 'aht', scope: 'byChannel.phone' },
  { kpi: 'serviceLevel', scope: 'byChannel.im' },
  { kpi: 'replyOnTime', scope: 'byChannel.email' },
  { kpi: 'occupancy', scope: 'totals' },
  { kpi: 'accuracy', scope: 'totals' },
  { kpi: 'complaintReplyOnTime', scope: 'totals' },
  { kpi: 'cost', scope: 'totals' },
];

/**
 * The target a tile shows: one on its KPI and scope; in a run with a single channel, a
 * target on the totals is that channel's (the totals are the channel's own figures).
 */
function targetOf(r: RunSummary, k: string, sc: string): SlaResult | undefined {
  const chs = channelsOf(r);
  const same = (s: SlaResult) => s.scope === sc || (chs.length === 1 && s.scope === 'totals' && sc === `byChannel.${chs[0]}`);
  return (r.sla ?? []).find((s) => s.kpi === k && same(s));
}

function spec(r: RunSummary, k: string, sc: string): TileSpec {
  const estimate = pick(r as never, sc, k);
  const sla = targetOf(r, k, sc);
  const where = scopeName(sc);
  return {
    id: `tile-${where}-${k}`,
    label: sc === 'totals' ? label(k) : `${label(k)}, ${where}`,
    kpi: k,
    scope: sc,
    estimate,
    sla,
    value: fmtKpi(k, estimate?.mean),
    ci: kpiCi(k, estimate),
    target: sla ? fmtTarget(sla) : undefined,
  };
}

export function tileSpecs(r: RunSummary): TileSpec[] {
  const chs = channelsOf(r);
  const out: TileSpec[] = [];
  for (const w of WANT) {
    if (w.scope.startsWith('byChannel.') && !chs.includes(w.scope.split('.')[1])) continue;
    const t = spec(r, w.kpi, w.scope);
    // Leave out what the run does not measure (no complaint replies, no costs configured), unless a target names it.
    if ((t.estimate?.mean ?? null) === null && !t.sla) continue;
    if (w.kpi === 'cost' && t.estimate?.mean === 0 && !t.sla) continue;
    out.push(t);
  }
  for (const s of r.sla ?? []) {
    if (!out.some((t) => t.sla === s)) out.push(spec(r, s.kpi, s.scope));
  }
  return out;
}
