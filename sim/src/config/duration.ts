/** Durations in scenario files: seconds, or "90s", "15m", "24h", "7d", "8w". */
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

export function parseDuration(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/.exec(v);
  if (!m) return NaN;
  return Number(m[1]) * UNIT[m[2]];
}
