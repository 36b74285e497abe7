import { CHANNELS } from '../config/channels.ts';
import { KPIS, TOTALS_MIXED, type Kpi, type KpiEstimates, type RunSummary } from '../metrics/summary.ts';
import type { Estimate } from '../metrics/stats.ts';
import { fmtHalfWidth, fmtKpi, table } from './table.ts';

/**
 * The parts of a run's report that `run` and `runs show` share: the per-channel
 * table (phone first), the all-channel KPIs that add up, the warm-up line. Light
 * imports only (runs show loads no engine).
 */

/** KPIs of the per-channel and per-type tables, in this order; the core ones always, the others when they say something. */
const CHANNEL_KPIS: readonly Kpi[] = [
  'arrivals', 'offered', 'answered', 'abandoned', 'blocked', 'deflected', 'ivrHangup', 'unfinished', 'lost', 'dropped',
  'transfers', 'retries', 'callbacks', 'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'aht', 'wrapTime', 'replyOnTime', 'backlog', 'overdue',
];
const CHANNEL_CORE: readonly Kpi[] = ['arrivals', 'offered', 'answered', 'abandoned', 'serviceLevel', 'serviceLevelAnswered', 'abandonRate', 'asa', 'aht'];
/** All-channel KPIs that add up (counts, and ratios of counts that are not waits or service levels). */
const TOTALS_CORE: readonly Kpi[] = ['arrivals', 'offered', 'answered', 'abandoned', 'blocked', 'occupancy'];

/** Whether a KPI says something in any of these estimates (not undefined or zero everywhere; absent in a run stored before the KPI existed). */
const saysSomething = (k: Kpi, es: readonly KpiEstimates[]) => es.some((e) => e[k] !== undefined && e[k].mean !== null && e[k].mean !== 0);

/** The all-channel KPIs shown: counts that add up, occupancy, and the quality loop's ratios of counts; never a mixed wait or service level. */
export function shownTotals(s: Pick<RunSummary, 'byTenure' | 'totals'>): Kpi[] {
  const quality = s.byTenure !== undefined && Object.keys(s.byTenure).length > 0;
  return KPIS.filter((k) => {
    if (TOTALS_MIXED.includes(k)) return false;
    if (TOTALS_CORE.includes(k)) return true;
    if (['accuracy', 'dpmo', 'sigmaLevel', 'firstContactResolution', 'defectRate', 'repeatContactRate', 'cost'].includes(k)) return quality;
    const m = s.totals[k]?.mean; // a run stored before the KPI existed has none
    return m !== undefined && m !== null && m !== 0 && !(k === 'customers' && s.totals.retries.mean === 0 && s.totals.customersLost.mean === s.totals.abandoned.mean);
  });
}

/** The channels with a reply deadline (email, fax): replyOnTime means something there only. */
export function deadlineChannels(s: Pick<RunSummary, 'deadlineChannels'>): Set<string> {
  return new Set(s.deadlineChannels ?? []);
}

const cell = (k: string, e: Estimate | undefined) => (e === undefined || e.mean === null ? '-' : `${fmtKpi(k, e.mean)}${e.ci95 === null ? '' : ` ${fmtHalfWidth(k, e.ci95)}`}`);
const fmtSeconds = (v: number) => `${v.toLocaleString('en-US')} s`;

/** The warm-up as measured: asked for, and where the measurement starts (whole intervals). */
export function warmupLine(s: Pick<RunSummary, 'warmup' | 'warmupEffective' | 'intervalLength'>): string {
  const eff = s.warmupEffective ?? s.warmup;
  if (s.warmup === 0 && eff === 0) return 'warm-up: none, measuring from 0 s';
  if (Math.abs(eff - s.warmup) < 1e-9) return `warm-up: ${fmtSeconds(s.warmup)}, measuring from ${fmtSeconds(eff)}`;
  return `warm-up: ${fmtSeconds(s.warmup)} requested, measuring from ${fmtSeconds(eff)} (whole ${fmtSeconds(s.intervalLength)} intervals)`;
}

/** The per-channel table: KPI rows, one column per channel present (phone first), mean ± 95% CI half-width. */
export function channelTable(s: Pick<RunSummary, 'byChannel' | 'deadlineChannels'>): string {
  const channels = CHANNELS.filter((c) => s.byChannel[c] !== undefined);
  const chEst = channels.map((c) => s.byChannel[c]);
  const deadline = deadlineChannels(s);
  return table(
    ['KPI', ...channels],
    CHANNEL_KPIS.filter((k) => CHANNEL_CORE.includes(k) || (k === 'replyOnTime' ? deadline.size > 0 : saysSomething(k, chEst)))
      .map((k) => [k, ...channels.map((c, i) => (k === 'replyOnTime' && !deadline.has(c) ? '-' : cell(k, chEst[i][k])))]),
  );
}
