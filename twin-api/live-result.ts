import { decodeResult, kpisOf, summarize, totalRow, type IntervalSummary, type RunSummary } from '../sim/src/metrics/summary.ts';
import { intervalAgents, type IntervalAgents } from './agent-levels.ts';
import type { Twin } from './twin.ts';

/**
 * The live twin's day in the run JSON's shape (`cctwin run --json`: totals, intervals[],
 * bySite, byChannel, sla[] ...), so that the dashboard and tools read one format
 * whether a run is stored or live: GET /v1/metrics (the day so far) and the run the
 * twin stores when the day closes. One replication: every `ci95` is null.
 *
 * The day so far: the intervals that have started (the last one, `current`, still
 * running), counts of contacts by the interval they arrived in (contacts still waiting
 * are counted when they end), agent time up to the clock. `live` says where the clock
 * is and counts the clients' contacts apart from the model's own. `agents`: agents on
 * duty and busy per interval, whole center and per site (agent-levels.ts).
 */

export interface LiveBlock {
  /** the simulated clock (seconds) */
  clock: number;
  /** the scenario's horizon (seconds) */
  horizon: number;
  /** the day is closed: run to its end, or cut at the clock */
  closed: boolean;
  /** the clock at which the day was cut (the twin stopped before its horizon), else null */
  cutAt: number | null;
  speed: number | 'max';
  arrivals: string;
  /** the interval the clock is in (index into intervals[]), null once closed */
  current: number | null;
  /** contacts in the IVR, waiting or in service now */
  inSystem: number;
  /**
   * The clients' contacts, apart from the model's: created, answered (within the
   * threshold), the sum of their waits, their outcomes, and `open`: created and not
   * ended (in the model now; once the day is cut, those whose service was cut: answered)
   */
  external: Twin['external'] & { open: number };
}

export type LiveSummary = RunSummary & { live: LiveBlock; agents: IntervalAgents };

/** The run JSON of the twin's day: so far (open) or closed (its final result). */
export function liveSummary(twin: Twin, wallSeconds: number): LiveSummary {
  const cfg = twin.cfg;
  const closed = twin.finalResult !== null;
  const buf = twin.finalResult ?? twin.run.result();
  const decoded = decodeResult(buf, cfg);
  const summary = summarize(cfg, [decoded], wallSeconds);
  const clock = twin.run.now;
  const L = cfg.intervalLength;
  // Intervals that have started: all of them once the day ran to its end.
  const cut = twin.run.stoppedAt;
  const started = closed && cut === null ? summary.intervals.length : Math.min(summary.intervals.length, Math.floor(clock / L) + 1);
  const intervals: IntervalSummary[] = summary.intervals.slice(0, Math.max(started, 0));
  const current = closed ? null : intervals.length - 1;
  // Agents per interval; the current interval's agent time runs up to the clock.
  const agents = intervalAgents(cfg, [decoded], 0, intervals.length, (i) => (i === current ? Math.min(L, clock - i * L) : L));
  const ext = twin.external;
  const ended = Object.values(ext.outcomes).reduce((a, b) => a + b, 0);
  // The day as the twin ran it: real wall time (paced by --speed, not the engine's
  // speed) over the simulated time it covered (up to the clock, or the cut).
  const covered = (closed && cut === null ? twin.run.now : clock) / 86400;
  const events = summary.performance.events;
  const performance = {
    events,
    wallSeconds,
    eventsPerSecond: wallSeconds > 0 ? events / wallSeconds : 0,
    simulatedDays: covered,
    secondsPerSimulatedDay: covered > 0 ? wallSeconds / covered : 0,
  };
  return {
    ...summary,
    performance,
    intervals,
    sla: summary.sla.map((s) => ({ ...s, missedIntervals: s.missedIntervals.filter((t) => t < intervals.length * L) })),
    live: {
      clock,
      horizon: twin.horizon,
      closed,
      cutAt: cut,
      speed: twin.speed,
      arrivals: twin.arrivals,
      current,
      inSystem: twin.run.finished ? 0 : twin.run.snapshot()[7],
      external: { ...ext, outcomes: { ...ext.outcomes }, open: ext.created - ended },
    },
    agents,
  };
}

/** The totals of a result buffer, as the run store keeps them per replication. */
export function bufferTotals(twin: Twin, buf: Float64Array) {
  return kpisOf(totalRow(decodeResult(buf, twin.cfg).rows, twin.cfg));
}
