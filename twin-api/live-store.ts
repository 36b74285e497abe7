import type { RunStore } from '../sim/src/runs/store.ts';
import { codeVersion } from '../sim/src/runs/code-version.ts';
import { storedSummary } from '../sim/src/runs/execute.ts';
import { simClock } from '../sim/src/metrics/clock.ts';
import { bufferTotals, liveSummary } from './live-result.ts';
import type { Twin } from './twin.ts';

/**
 * The live twin's day in the run store: a run (kind `run`, options.live true) created
 * when the twin starts (status running, owned by this process: if the process dies, the
 * store finds it stale and marks it interrupted) and finished when the day closes (the
 * horizon reached, or the day cut by SIGINT/SIGTERM): one replication, the result in
 * the run JSON's shape with its `live` block (the clients' contacts counted apart),
 * and its intervals. `runs list` shows it as `run (live)`.
 */
export interface LiveRunOptions {
  /** the scenario as served (its text) */
  text: string;
  /** what the twin was started with (speed, arrivals, seed, host, port) */
  options: Record<string, unknown>;
}

export class LiveRunRecord {
  private done = false;
  private readonly started = performance.now();

  private constructor(readonly store: RunStore, readonly runId: number, private readonly twin: Twin) {}

  static create(store: RunStore, twin: Twin, o: LiveRunOptions): LiveRunRecord {
    const cfg = twin.cfg;
    const runId = store.createRun({
      kind: 'run', name: cfg.name, seed: cfg.seed, codeVersion: codeVersion(), scenario: o.text,
      options: { ...o.options, live: true }, arms: [{ label: 'A', config: cfg }],
    });
    return new LiveRunRecord(store, runId, twin);
  }

  /** Stores the closed day (once; the twin's finalResult must be set). `why`: what closed it. */
  finish(why: string): void {
    if (this.done) return;
    this.done = true;
    const twin = this.twin;
    if (twin.finalResult === null) {
      this.store.finishRun(this.runId, 'failed', null, [], twin.failure ?? 'the twin closed without a result', `live twin: ${why}`);
      return;
    }
    const buf = twin.finalResult;
    this.store.addReplication(this.runId, 0, buf, bufferTotals(twin, buf));
    const summary = liveSummary(twin, (performance.now() - this.started) / 1000);
    const cut = twin.run.stoppedAt;
    const note = cut === null
      ? `live twin: the day ran to its end (${why}); ${summary.live.external.created} contacts from clients`
      : `live twin: the day was cut at simulated ${simClock(cut, true)} (${why}); ${summary.live.external.created} contacts from clients`;
    // The chart levels (agents) are recomputed from the replication when served, not stored.
    const { agents: _levels, ...result } = summary;
    this.store.finishRun(this.runId, 'done', { ...storedSummary(result), status: 'done' }, [{ arm: 0, rows: summary.intervals }], null, note);
  }
}

