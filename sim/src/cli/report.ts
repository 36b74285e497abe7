import { CHANNELS } from '../config/channels.ts';
import { HEAD_STATES } from '../model/layout.ts';
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

/** Horizons from this long (seconds) get the weekly tables in the report. */
export const WEEKLY_FROM = 14 * 86400;

const weekLabel = (w: { start: number; end: number }) => `${Math.floor(w.start / 86400) + 1}-${Math.ceil(w.end / 86400 - 1e-9)}`;

/**
 * The weekly tables of a run of two weeks or more: per channel (offered, answered,
 * service level, ASA, abandonment) and, with a workforce, the headcount by state and
 * by cohort (hiring classes that start the same day together; per class in --json).
 * Empty for shorter runs, and for summaries stored before weeks had them.
 */
export function weeklyTables(s: Pick<RunSummary, 'horizon' | 'weeks' | 'byChannel' | 'cohorts' | 'staffing' | 'threshold'>): string[] {
  if (!(s.horizon >= WEEKLY_FROM) || !Array.isArray(s.weeks) || s.weeks.some((w) => w.byChannel === undefined)) return [];
  const out: string[] = [];
  const channels = CHANNELS.filter((c) => s.byChannel[c] !== undefined);
  const wk: Kpi[] = ['offered', 'answered', 'serviceLevel', 'asa', 'abandonRate'];
  out.push('', `by week and channel (days from 1; means; serviceLevel: answered within ${s.threshold} s; --json: weeks[].byChannel)`);
  out.push(table(['days', 'channel', ...wk], s.weeks.flatMap((w) => channels.map((c) => [weekLabel(w), c, ...wk.map((k) => fmtKpi(k, w.byChannel[c]?.[k]?.mean))]))));
  const cohorts = s.cohorts ?? [];
  if (cohorts.length > 0 && s.weeks.every((w) => w.headcount !== undefined)) {
    // Classes grouped by their first day: one wave of hires is one column.
    const waves = [...new Set(cohorts.slice(1).map((c) => c.day))].sort((a, b) => a - b);
    const states = HEAD_STATES;
    out.push('', `headcount by week (at the start of the week's last day; plan in ${s.staffing ?? 'seats'}; --json: weeks[].headcount by class)`);
    out.push(table(
      ['days', 'day', 'total', ...states, 'initial', ...waves.map((d) => `hired day ${d}`)],
      s.weeks.map((w) => {
        const h = w.headcount!;
        const wave = (d: number) => cohorts.slice(1).filter((c) => c.day === d).reduce((a, c) => a + (h.byCohort[c.name]?.total.mean ?? 0), 0);
        return [
          weekLabel(w), String(h.day + 1), fmtHeads(h.total.mean), ...states.map((st) => fmtHeads(h[st].mean)),
          fmtHeads(h.byCohort[cohorts[0].name]?.total.mean), ...waves.map((d) => fmtHeads(wave(d))),
        ];
      }),
    ));
  }
  return out;
}

const fmtHeads = (v: number | null | undefined) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(1));
