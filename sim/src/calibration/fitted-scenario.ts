import { Document, isSeq, visit } from 'yaml';
import type { DistSpec } from '../core/distributions.ts';
import type { SkippedRow } from './bad-rows.ts';
import type { CallClass } from './call-log.ts';
import type { ArrivalFit, CalibrationFit } from './fit.ts';

/** Seconds as the header prints them: at most 3 decimals (a log's fractional seconds left float noise: 188.60000002384186). */
const secs = (x: number): string => String(Math.round(x * 1000) / 1000);
import type { DayType } from './observed-day.ts';

/**
 * The files `cctwin calibrate` writes from a fit (fit.ts): the runnable scenario, with
 * the quality of each fit in its header comments, and the whole fit as a JSON sidecar.
 */

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function describeDist(d: DistSpec): string {
  switch (d.kind) {
    case 'exponential': return `exponential, mean ${d.mean} s`;
    case 'weibull': return `Weibull, shape ${d.shape}, scale ${d.scale} s`;
    case 'lognormal': return `lognormal, mean ${d.mean} s, cv ${d.cv}`;
    case 'mixture': return d.components.map((c) => `${pct(c.weight)} ${describeDist(c.dist)}`).join(' + ');
    case 'uniform': return `uniform ${d.min}-${d.max} s`;
    default: return d.kind;
  }
}

/** A figure measured across days (a day-level CV, a variance of hourly counts): itself, or what it needs. */
export function acrossDays(x: number, needs = '2 days or more'): string {
  return Number.isFinite(x) ? String(x) : `not measured (needs ${needs})`;
}
/** What the variance/mean of hourly counts across days needs. */
export const HOURLY_NEEDS = '2 days or more with hours of 5 calls';

/** The scenario header's note on the rows a fit skipped (none: no lines, the header of a clean log's fit is unchanged). */
export function skippedLines(rows: readonly SkippedRow[] | undefined, sidecar: string): string[] {
  if (!rows || rows.length === 0) return [];
  return [`# ${rows.length} bad row${rows.length === 1 ? '' : 's'} of the logs ${rows.length === 1 ? 'was' : 'were'} skipped (--max-bad-rows): listed in ${sidecar}, skippedRows.`];
}

function classLines(fit: CalibrationFit): string[] {
  const ks = Object.entries(fit.classes) as [CallClass, CalibrationFit['classes'][CallClass] & object][];
  if (ks.length < 2) return [];
  return [
    '# Customer classes (sidecar; validate-fit replays them as two contact types sharing the agents):',
    ...ks.map(([k, c]) => `#   ${k}: ${pct(c.share)} of offered, abandonment ${pct(c.abandonRate)}; handle mean ${c.handleTime.mean} s (KS ${c.handleTime.ks});` +
      ` patience ${describeDist(c.patience.dist)} (KM median ${c.patience.kmMedian == null ? 'not reached' : secs(c.patience.kmMedian)} s).`),
  ];
}

/** The main day type of a fit: weekdays when present, else the type with most days. */
export function mainDayType(fit: CalibrationFit): DayType {
  if (fit.arrivals.weekday) return 'weekday';
  return (Object.entries(fit.arrivals) as [DayType, ArrivalFit][]).sort((a, b) => b[1].days - a[1].days)[0][0];
}

/** The runnable scenario, with the quality of each fit in its header comments. */
export function scenarioYaml(fit: CalibrationFit, sidecar: string): string {
  const dt = mainDayType(fit);
  const a = fit.arrivals[dt]!;
  const ht = fit.handleTime.all;
  const p = fit.patience;
  const chosen = p.fits.find((f) => f.kind === p.chosen)!;
  const agents = fit.staffing.perDayType[dt]!.map((x) => Math.round(x));
  const others = (Object.entries(fit.arrivals) as [DayType, ArrivalFit][]).filter(([t]) => t !== dt)
    .map(([t, f]) => `${t} ${f.dailyTotal.mean} calls/day (${f.days} days)`).join(', ');
  const r = fit.redial;
  const header = [
    '# yaml-language-server: $schema=../schema.json',
    '#',
    `# Fitted by \`cctwin calibrate\` from ${fit.sources.join(', ')}: ${fit.calls} calls, ${fit.days} days`,
    `# (${fit.firstDate} to ${fit.lastDate}). The full fit (every day type, per-type handle times,`,
    `# the Kaplan-Meier curve, redials, IVR, staffing by day type) is in ${sidecar}.`,
    '# Written by a program: edit the logs or the options, not this file.',
    ...skippedLines(fit.skippedRows, sidecar),
    '#',
    `# Arrivals: the ${dt} profile, mean offered calls per ${fit.interval / 60}-minute interval over ${a.days} days`,
    `#   (${a.dailyTotal.mean} calls/day). Offered = reached the agent queue; VRU hang-ups are not offered.`,
    ...(a.days >= 2 ? [
      `#   Day-level overdispersion: daily totals have variance/mean ${a.dailyTotal.dispersion}, gamma CV ${a.dailyTotal.gammaCv}`,
      `#   (Var = m + cv^2 m^2); hourly counts variance/mean ${acrossDays(a.hourlyDispersion, HOURLY_NEEDS)} (1 = Poisson).`,
    ] : ['#   Day-level overdispersion: not measured (needs 2 days or more of the type).']),
    `#   Other day types, in the sidecar only: ${others || 'none'}.`,
    '#   Day-type profiles, the gamma day multiplier, redials and several contact types are not',
    '#   scenario fields yet (another issue adds them); until then this file is the main day type.',
    `# Handle time: ${describeDist(ht.dist)}.`,
    `#   Observed mean ${ht.mean} s, cv ${ht.cv}; ${pct(ht.shortShare)} of calls under ${ht.shortCut} s.`,
    `#   KS distance to the ${ht.n} observed handle times: ${ht.ks} (${ht.mode === 'empirical' ? 'short calls + lognormal' : 'the histogram, --handle empirical'}: ${ht.ksOther}; a plain lognormal: ${ht.ksPlainLognormal}).`,
    `# Patience: ${describeDist(p.dist)}, censored MLE chosen by AIC.`,
    `#   From ${p.offered} offered calls: ${p.abandoned} abandonments (events), the rest censored at their wait.`,
    `#   KS distance to the Kaplan-Meier curve: ${p.fits.map((f) => `${f.kind} ${f.ksVsKm}`).join(', ')} (chosen: ${chosen.kind}).`,
    `#   Kaplan-Meier median patience: ${p.kmMedian === null ? 'not reached' : `${secs(p.kmMedian)} s`}.`,
    ...classLines(fit),
    ...(fit.replay?.switch ? [
      `# Switch replay (sidecar \`replay.switch\`, validate-fit's default): one stream per call-type family;`,
      `#   switched families (${fit.replay.switch.families.filter((f) => f.switched).map((f) => f.name).join(', ') || 'none'}): a caller who finds an agent free is answered at once, the others`,
      `#   identify themselves and wait the identified customers' delay; ${fit.replay.switch.families.filter((f) => !f.switched).map((f) => `${f.name}: ${f.delay ? `own delay (${pct(f.delay.zeroShare)} none, p75 ${f.delay.quantiles.p75} s, p90 ${f.delay.quantiles.p90} s)` : 'no delay'}`).join('; ') || 'no other family'};`,
      `#   staffing: a session ends at a gap ${fit.replay.switch.presenceGap.factor} x the hour's median gap between an agent's calls (${fit.replay.switch.presenceGap.min}-${fit.replay.switch.presenceGap.max} s),`,
      `#   with ${fit.replay.switch.sessionExtension} s before and after each session${fit.replay.switch.dayHandleTime ? '; each replayed day\'s handle times scaled to its observed mean per family' : ''}.`,
      '#   Patience per family: the censored fit times a factor fitted through the replay of this log, so that',
      `#   it reproduces each family's abandonment (observed / simulated): ${fit.replay.switch.families.map((f) => `${f.name} x${f.patienceScale.toFixed(2)} (${pct(f.abandonRate.observed)} / ${pct(f.abandonRate.simulated)})`).join(', ')}.`,
    ] : []),
    ...(fit.replay ? [
      `# Typed replay (sidecar \`replay\`, validate-fit --model typed): classes ${fit.replay.classes.map((c) => c.name).join(', ')};`,
      fit.replay.delay
        ? `#   identified customers wait a structural delay first (median ${secs(fit.replay.delay.quantiles.p50)} s, from ${fit.replay.delay.n} calls); staffing read with ${fit.replay.sessionExtension} s before and after each agent session.`
        : '#   no identified customers in the log: no delay.',
    ] : []),
    r.identifiedAbandoned === 0 ? '# Redials: not measured (no identified customer abandoned).'
      : `# Redials (sidecar only): ${pct(r.probability)} of ${r.identifiedAbandoned} identified abandoners call again within ${r.windowSeconds / 60} min` + (r.delay ? `,` : '.'),
    ...(r.delay ? [`#   delay mean ${secs(r.delay.mean)} s, median ${secs(r.delay.median)} s (after an answered call: ${pct(r.afterAnswerProbability)}).`] : []),
    `# IVR time (sidecar only): mean ${secs(fit.ivr.mean)} s, median ${secs(fit.ivr.median)} s; ${pct(fit.ivr.hangUpShare)} of calls hang up in the IVR.`,
    `# Agents: staffing on the floor read from the log by the "${fit.staffing.method}" method, mean of the ${dt}s, rounded.`,
    `# Service level: answered within 20 s, target 95% (facts: sl-threshold-seconds, sl-target);`,
    '#   abandonment ceiling 10% (facts: abandon-rate-max): the Ctrip targets, not this center\'s.',
    '',
  ].join('\n');
  const body = {
    name: fit.name,
    description: `${dt} of ${fit.firstDate}..${fit.lastDate}, fitted from call logs`,
    seed: 1,
    horizon: '24h',
    interval: fit.interval,
    arrivals: { perInterval: a.perInterval },
    handleTime: ht.dist,
    patience: p.dist,
    agents,
    serviceLevel: { threshold: fit.threshold, target: 0.95 },
  };
  const doc = new Document(body);
  visit(doc, { Seq(_, node) { if (isSeq(node) && node.items.length > 4) node.flow = true; } });
  return header + doc.toString({ lineWidth: 0 });
}

/** The sidecar: the whole fit, JSON. */
export function fitJson(fit: CalibrationFit): string {
  return `${JSON.stringify(fit, null, 1)}\n`;
}
