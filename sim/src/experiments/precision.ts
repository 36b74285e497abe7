import { KPIS, type Kpi } from '../metrics/summary.ts';
import type { Issue } from '../errors.ts';

/**
 * Sequential replications to a precision target: run a pilot, then add batches until
 * the KPI's 95% half-width is at most the target or the cap is reached. The batch
 * sizes depend only on the results so far (never on worker count or timing), so the
 * same seed always stops at the same replication count.
 */
export interface PrecisionTarget {
  kpi: Kpi;
  halfWidth: number;
}

export interface PrecisionOutcome {
  kpi: Kpi;
  target: number;
  /** half-width reached (null when undefined, e.g. fewer than 2 replications) */
  halfWidth: number | null;
  met: boolean;
  replications: number;
}

/** Default pilot when --precision is given without --replications. */
export const PILOT_REPLICATIONS = 5;
export const DEFAULT_MAX_REPLICATIONS = 1000;

/** `serviceLevel=0.005`, `asa=2`, `serviceLevel=0.5%`. */
export function parsePrecision(raw: unknown, issues: Issue[], flag = 'precision'): PrecisionTarget | undefined {
  if (raw === undefined || raw === null) return undefined;
  const s = String(raw);
  const m = /^\s*([A-Za-z]+)\s*=\s*([0-9.eE+-]+)\s*(%?)\s*$/.exec(s);
  const kpi = m?.[1] as Kpi | undefined;
  const h = m ? Number(m[2]) / (m[3] ? 100 : 1) : NaN;
  if (!m || !KPIS.includes(kpi!) || !(h > 0) || !Number.isFinite(h)) {
    issues.push({ path: `--${flag}`, value: s, message: `must be KPI=H with a finite H > 0 in the KPI's units (rates as fractions or with %), KPI one of: ${KPIS.join(', ')}` });
    return undefined;
  }
  return { kpi: kpi!, halfWidth: h };
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
  return { kpi: target.kpi, target: target.halfWidth, halfWidth: hw, met: hw !== null && hw <= target.halfWidth, replications: n };
}
