import type { CallRecord } from '../../sim/src/calibration/call-log.ts';
import { Sampler, type DistSpec } from '../../sim/src/core/distributions.ts';
import { makeStream } from '../../sim/src/core/rng.ts';

/**
 * Synthetic call logs with known parameters: Poisson arrivals at a given profile
 * (times an optional gamma day multiplier), a uniform IVR time, then one FIFO queue
 * with `agents` servers, exponential (or any) patience and any handle time. Calls are
 * generated in queue order and each takes the earliest free agent, which is exactly
 * FIFO with abandonment (an abandoning call never holds an agent).
 */
export interface SyntheticSpec {
  days: number;
  /** First day (days since 1970-01-01); 10230 is Sunday 1998-01-04. */
  firstDay?: number;
  interval: number;
  /** Expected calls per interval (one day). */
  profile: number[];
  agents: number;
  handleTime: DistSpec;
  patience: DistSpec;
  /** CV of a gamma multiplier of each day's rate (0: none). */
  dayCv?: number;
  ivr?: [number, number];
  seed?: string;
}

export function syntheticLog(s: SyntheticSpec): CallRecord[] {
  const r = makeStream(s.seed ?? 'synthetic', 0, 'log');
  const handle = new Sampler(s.handleTime), patience = new Sampler(s.patience);
  const dayMult = s.dayCv ? new Sampler({ kind: 'gamma', mean: 1, cv: s.dayCv }) : null;
  const [ivrLo, ivrHi] = s.ivr ?? [5, 15];
  const out: CallRecord[] = [];
  for (let d = 0; d < s.days; d++) {
    const day = (s.firstDay ?? 10230) + d;
    const m = dayMult ? dayMult.sample(r) : 1;
    const free = new Array<number>(s.agents).fill(0);
    const arrivals: number[] = [];
    s.profile.forEach((count, i) => {
      const rate = (count * m) / s.interval;
      if (rate <= 0) return;
      for (let t = i * s.interval + r.exponential(rate); t < (i + 1) * s.interval; t += r.exponential(rate)) arrivals.push(t);
    });
    const calls = arrivals.map((a) => ({ a, q: a + ivrLo + (ivrHi - ivrLo) * r.next() })).sort((x, y) => x.q - y.q);
    for (const { a, q } of calls) {
      let k = 0;
      for (let j = 1; j < free.length; j++) if (free[j] < free[k]) k = j;
      const start = Math.max(q, free[k]);
      const p = patience.sample(r);
      const base = { day, arrival: a, queueEntry: q, type: 'PS', customer: String(1 + Math.floor(r.next() * 5000)) };
      if (start - q > p) {
        out.push({ ...base, answer: null, end: q + p, outcome: 'abandoned', agent: null });
      } else {
        const h = handle.sample(r);
        free[k] = start + h;
        out.push({ ...base, answer: start, end: start + h, outcome: 'answered', agent: `A${k}` });
      }
    }
  }
  return out;
}

/** The generic CSV text of records (seconds since 1970, so the day is exact). */
export function toCsv(calls: readonly CallRecord[]): string {
  const abs = (c: CallRecord, t: number | null) => (t === null ? '' : (c.day * 86400 + t).toFixed(1));
  return ['arrival,queue_entry,answer,end,outcome,type,agent,customer',
    ...calls.map((c) => [abs(c, c.arrival), abs(c, c.queueEntry), abs(c, c.answer), abs(c, c.end), c.outcome, c.type, c.agent ?? '', c.customer ?? ''].join(','))].join('\n') + '\n';
}
