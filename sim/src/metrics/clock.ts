const DAY = 86400;
const two = (v: number) => String(v).padStart(2, '0');

/**
 * A time on the scenario's clock (simulated seconds from the start) as the reports
 * write it: "10:00" on the first day, "day 2 01:00" after; with `seconds`, "10:00:05"
 * and "day 2 01:00:05". The CLI and the twin write it here; the dashboard, which
 * imports nothing of sim/, writes the same (dashboard/src/format.ts clock(); a test
 * holds the two together).
 */
export function simClock(t: number, seconds = false): string {
  const s = Math.floor(t + 1e-6);
  const day = Math.floor(s / DAY), h = Math.floor((s % DAY) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const hm = `${two(h)}:${two(m)}${seconds ? `:${two(sec)}` : ''}`;
  return day > 0 ? `day ${day + 1} ${hm}` : hm;
}
