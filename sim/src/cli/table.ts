import { RATE_KPIS as SHARES, TIME_KPIS as SECONDS } from '../metrics/summary.ts';

/** Plain-text tables for the terminal: right-aligned numbers, no dependencies. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const RATE_KPIS = new Set<string>([...SHARES, 'probBlock', 'probWait']);
const TIME_KPIS = new Set<string>(SECONDS);

/** Formats a KPI value for people: percentages, seconds, counts. */
export function fmtKpi(kpi: string, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (RATE_KPIS.has(kpi)) return `${(v * 100).toFixed(2)}%`;
  if (TIME_KPIS.has(kpi)) return `${v.toFixed(2)} s`;
  if (kpi === 'offeredLoad' || kpi === 'meanQueueLength') return v.toFixed(2);
  return Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(2);
}

/**
 * A precision target as given: two decimals (as fmtKpi), or as many more as it takes
 * to show it (0.001 s is not "0.00 s"), a whole count as it is.
 */
export function fmtTarget(kpi: string, v: number): string {
  const scale = RATE_KPIS.has(kpi) ? 100 : 1;
  const unit = RATE_KPIS.has(kpi) ? '%' : TIME_KPIS.has(kpi) ? ' s' : '';
  const x = v * scale;
  if (unit === '' && Number.isInteger(x)) return String(x);
  for (let d = 2; d <= 6; d++) if (Math.abs(Number(x.toFixed(d)) - x) <= 1e-9 * Math.max(1, Math.abs(x))) return `${x.toFixed(d)}${unit}`;
  return `${x.toPrecision(6)}${unit}`;
}

export function fmtHalfWidth(kpi: string, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  return `± ${fmtKpi(kpi, v).replace(/^-/, '')}`;
}
