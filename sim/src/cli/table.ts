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

export function fmtHalfWidth(kpi: string, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  return `± ${fmtKpi(kpi, v).replace(/^-/, '')}`;
}
