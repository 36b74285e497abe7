/**
 * The live view's model, apart from React: server-sent events are queued as they come
 * and applied in batches (the view flushes a few times a second, never once per event);
 * GET /v1/state polls add a sample of agents on duty per site and calls waiting per
 * channel on the simulated clock; GET /v1/metrics brings the day's intervals. Each change
 * makes a new immutable snapshot for the view. Pure (tested in test/dashboard).
 */
import type { LiveMetrics, TwinState } from './api.ts';
import { clock, speed } from './format.ts';

export interface TwinEvent {
  id: number | null;
  kind: string;
  data: Record<string, unknown>;
}

export interface Sample {
  clock: number;
  /** `<site>`: agents on duty at the site; `<site>Busy`; `wait_<channel>`: contacts waiting */
  [key: string]: number;
}

export interface LogLine {
  id: number | null;
  kind: string;
  clock: number | null;
  text: string;
}

export interface LiveSnapshot {
  state: TwinState | null;
  metrics: LiveMetrics | null;
  samples: Sample[];
  log: LogLine[];
  /** site -> up, from the latest state or site event */
  sites: Record<string, boolean>;
  /** events applied so far, and batches (flushes that applied at least one) */
  events: number;
  batches: number;
  lastEventId: number | null;
  dayClosed: boolean;
  /** sites down, from the site events: since when, until when (null: still down) */
  downs: { site: string; start: number; end: number | null }[];
}

export const MAX_SAMPLES = 3000;
export const MAX_LOG = 40;

/** Agents on duty and busy per site from GET /v1/state's groups. */
export function agentsBySite(s: TwinState): Record<string, { onDuty: number; busy: number }> {
  const out: Record<string, { onDuty: number; busy: number }> = {};
  for (const x of s.sites) out[x.site] = { onDuty: 0, busy: 0 };
  for (const g of s.groups) {
    if (g.site === null) continue;
    const o = (out[g.site] ??= { onDuty: 0, busy: 0 });
    o.onDuty += g.onDuty;
    o.busy += g.busy;
  }
  return out;
}

/** The channel of a contact type: the run JSON's typeChannels, else the type name's last part (flight-zh-phone). */
export function channelOfType(type: string, typeChannels?: Record<string, string>): string {
  return typeChannels?.[type] ?? type.split('-').pop() ?? type;
}

/** Contacts waiting per channel now, from GET /v1/state's queues. */
export function waitingByChannel(s: TwinState, typeChannels?: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of s.queues) {
    const ch = channelOfType(q.type, typeChannels);
    out[ch] = (out[ch] ?? 0) + q.waiting;
  }
  return out;
}

/** Keeps every other sample (the first and the last kept): the whole day stays, at half the resolution. */
export function thin(samples: Sample[]): Sample[] {
  const out = samples.filter((_, i) => i % 2 === 0);
  if (samples.length > 0 && out[out.length - 1] !== samples[samples.length - 1]) out.push(samples[samples.length - 1]);
  return out;
}

export function eventText(e: TwinEvent): string {
  const d = e.data;
  switch (e.kind) {
    case 'site': return `${String(d.site)} ${d.up ? 'back up' : 'down'}${d.cause === 'control' ? ' (control)' : d.cause === 'scenario' ? ' (scenario)' : ''}`;
    case 'control': {
      if (d.action === 'speed') return `speed ${speed(d.speed as number | 'max')}`;
      return d.action === 'pause' ? 'paused' : d.action === 'resume' ? 'resumed' : String(d.action);
    }
    case 'day': return d.cut ? 'the day was cut at the clock' : 'the simulated day is over';
    case 'interval': {
      const ph = (d.byChannel as Record<string, { serviceLevel: number | null; offered: number }> | undefined)?.phone;
      const sl = ph && ph.serviceLevel !== null ? `: phone ${(ph.serviceLevel * 100).toFixed(1)}% of ${ph.offered} offered` : '';
      return `interval ${clock(d.start as number)} closed${sl}`;
    }
    case 'reset': return 'missed events (buffer overrun): re-read the metrics';
    case 'contact': return `contact ${String(d.type)} ${String(d.outcome)}`;
    default: return e.kind;
  }
}

/** The down windows as chart ranges: an open one runs to `now`. */
export function downWindows(downs: LiveSnapshot['downs'], now: number): { site: string; start: number; end: number }[] {
  return downs.map((d) => ({ site: d.site, start: d.start, end: d.end ?? Math.max(now, d.start) }));
}

export class LiveModel {
  private pending: TwinEvent[] = [];
  private snap: LiveSnapshot = { state: null, metrics: null, samples: [], log: [], sites: {}, events: 0, batches: 0, lastEventId: null, dayClosed: false, downs: [] };
  /** set by events that change the day's figures (an interval closed, a site, the day); cleared when metrics arrive */
  needMetrics = true;

  constructor(private readonly maxSamples = MAX_SAMPLES) {}

  /** Queues an event (called by the EventSource listener: no rendering here). */
  push(e: TwinEvent): void {
    this.pending.push(e);
  }

  get queued(): number {
    return this.pending.length;
  }

  get snapshot(): LiveSnapshot {
    return this.snap;
  }

  /** Applies the queued events at once; returns whether the snapshot changed. */
  flush(): boolean {
    if (this.pending.length === 0) return false;
    const batch = this.pending;
    this.pending = [];
    const sites = { ...this.snap.sites };
    const lines: LogLine[] = [];
    let dayClosed = this.snap.dayClosed, last = this.snap.lastEventId;
    let downs = this.snap.downs;
    for (const e of batch) {
      if (e.id !== null) last = e.id;
      if (e.kind === 'site') {
        const site = String(e.data.site), at = typeof e.data.clock === 'number' ? e.data.clock : 0;
        sites[site] = e.data.up === true;
        const open = downs.findIndex((d) => d.site === site && d.end === null);
        if (e.data.up === true && open >= 0) downs = downs.map((d, i) => (i === open ? { ...d, end: at } : d));
        if (e.data.up !== true && open < 0) downs = [...downs, { site, start: at, end: null }];
      }
      if (e.kind === 'day') dayClosed = true;
      if (e.kind === 'interval' || e.kind === 'site' || e.kind === 'day' || e.kind === 'reset') this.needMetrics = true;
      if (e.kind !== 'contact') lines.push({ id: e.id, kind: e.kind, clock: typeof e.data.clock === 'number' ? e.data.clock : typeof e.data.end === 'number' ? e.data.end : null, text: eventText(e) });
    }
    const log = [...lines.reverse(), ...this.snap.log].slice(0, MAX_LOG);
    this.snap = { ...this.snap, sites, log, dayClosed, downs, lastEventId: last, events: this.snap.events + batch.length, batches: this.snap.batches + 1 };
    return true;
  }

  /** A GET /v1/state answer: the clock, the sites, a sample (one per simulated clock value). */
  applyState(s: TwinState): void {
    const sites: Record<string, boolean> = { ...this.snap.sites };
    for (const x of s.sites) sites[x.site] = x.up;
    let samples = this.snap.samples;
    const lastClock = samples.length ? samples[samples.length - 1].clock : -Infinity;
    if (s.clock > lastClock) {
      const sample: Sample = { clock: s.clock };
      for (const [site, a] of Object.entries(agentsBySite(s))) {
        sample[site] = a.onDuty;
        sample[`${site}Busy`] = a.busy;
      }
      for (const [ch, n] of Object.entries(waitingByChannel(s, this.snap.metrics?.typeChannels))) sample[`wait_${ch}`] = n;
      samples = [...samples, sample];
      if (samples.length > this.maxSamples) samples = thin(samples);
    }
    this.snap = { ...this.snap, state: s, sites, samples, dayClosed: this.snap.dayClosed || s.dayOver };
  }

  applyMetrics(m: LiveMetrics): void {
    this.needMetrics = false;
    this.snap = { ...this.snap, metrics: m, dayClosed: this.snap.dayClosed || m.live.closed };
  }
}
