import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CHANNELS, NCH } from '../sim/src/config/channels.ts';
import { M, NM } from '../sim/src/model/layout.ts';
import type { Twin } from './twin.ts';

/**
 * GET /metrics: the twin in the Prometheus text exposition format, through prom-client
 * (one registry per twin). Values are read from the engine when Prometheus scrapes:
 *
 *   gauges     cctwin_queue_waiting, cctwin_queue_oldest_wait_seconds, cctwin_in_service
 *              {type, channel, site}: contacts waiting to be served from the site, the
 *              longest wait among them, in service; cctwin_agents {group, site, state}
 *              (off, idle, busy, on_duty, leaving); cctwin_site_up {site};
 *              cctwin_interval_service_level and cctwin_interval_offered {channel}: the
 *              current interval so far (answered within the threshold / offered, per
 *              channel; no sample before its first offered contact); cctwin_clock_seconds,
 *              cctwin_lag_seconds, cctwin_speed (absent at speed max), cctwin_paused,
 *              cctwin_long_polls_open
 *   counters   cctwin_arrivals_total, cctwin_offered_total, cctwin_answered_within_threshold_total
 *              and cctwin_contacts_total {outcome} by {type, channel, site}: every contact,
 *              the model's and the clients', by the site that took it; outcomes blocked,
 *              deflected, ivr_hangup, answered, abandoned, lost, completed, dropped (answered
 *              counts a contact once, at its first answer; completed and dropped are what
 *              became of answered ones)
 *   histogram  cctwin_wait_seconds {type, channel, site}: simulated waits of the clients'
 *              contacts, at their answer, by the answering agent's site (the model's own
 *              contacts are counted, not followed one by one)
 * plus Node's process metrics (prom-client's defaults).
 */

const OUTCOMES = [
  ['blocked', M.blocked], ['deflected', M.deflected], ['ivr_hangup', M.ivrHangup], ['answered', M.answered],
  ['abandoned', M.abandoned], ['lost', M.lost], ['completed', M.completed], ['dropped', M.dropped],
] as const;

export const WAIT_BUCKETS = [0, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];

export function twinRegistry(twin: Twin): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg });
  const cfg = twin.cfg;
  const nT = cfg.types.length, nS = cfg.sites.length;
  const typeLabels = (t: number, si: number) => ({ type: cfg.types[t].name, channel: cfg.types[t].channel, site: cfg.sites[si].name });
  const state = () => twin.run.replication.state;
  const L = twin.run.layout;
  let snap: Float64Array = new Float64Array(L.length);
  /** the snapshot, once per scrape (the first collect of a scrape takes it; the clock tells a new scrape) */
  let snapAt = -1, snapTurn = -1;
  const snapshot = () => {
    if (snapTurn !== twin.stats.turns || snapAt !== twin.run.now) {
      snap = twin.run.finished ? snap : twin.run.snapshot(snap);
      snapAt = twin.run.now;
      snapTurn = twin.stats.turns;
    }
    return snap;
  };

  new Gauge({
    name: 'cctwin_queue_waiting', help: 'contacts waiting to be served from the site', labelNames: ['type', 'channel', 'site'], registers: [reg],
    collect() {
      const b = snapshot();
      for (let t = 0; t < nT; t++) for (let si = 0; si < nS; si++) this.set(typeLabels(t, si), b[L.queues + (t * nS + si) * 3]);
    },
  });
  new Gauge({
    name: 'cctwin_queue_oldest_wait_seconds', help: 'the longest wait among the contacts waiting (simulated seconds, 0 if none)', labelNames: ['type', 'channel', 'site'], registers: [reg],
    collect() {
      const b = snapshot();
      for (let t = 0; t < nT; t++) for (let si = 0; si < nS; si++) this.set(typeLabels(t, si), b[L.queues + (t * nS + si) * 3 + 1]);
    },
  });
  new Gauge({
    name: 'cctwin_in_service', help: 'contacts in service', labelNames: ['type', 'channel', 'site'], registers: [reg],
    collect() {
      const b = snapshot();
      for (let t = 0; t < nT; t++) for (let si = 0; si < nS; si++) this.set(typeLabels(t, si), b[L.queues + (t * nS + si) * 3 + 2]);
    },
  });
  const AGENT_STATES = ['off', 'idle', 'busy', 'on_duty', 'leaving'];
  new Gauge({
    name: 'cctwin_agents', help: 'agents by state (off: logged off; on_duty: the staffing level)', labelNames: ['group', 'site', 'state'], registers: [reg],
    collect() {
      const b = snapshot();
      cfg.groups.forEach((g, i) => {
        const o = L.groups + i * 6;
        AGENT_STATES.forEach((st, k) => this.set({ group: g.name, site: cfg.sites[g.site].name, state: st }, b[o + 1 + k]));
      });
    },
  });
  new Gauge({
    name: 'cctwin_site_up', help: '1 while the site is up, 0 while failed', labelNames: ['site'], registers: [reg],
    collect() {
      const down = state().siteDown;
      cfg.sites.forEach((s, i) => this.set({ site: s.name }, down[i] === 0 ? 1 : 0));
    },
  });
  const channels = CHANNELS.map((c, ch) => ({ c, ch })).filter(({ c }) => cfg.types.some((t) => t.channel === c));
  const currentRow = () => Math.min(Math.floor(twin.run.now / cfg.intervalLength), cfg.nIntervals - 1);
  const intervalSum = (ch: number, k: number) => {
    const s = state(), i = currentRow();
    let v = 0;
    for (let si = 0; si < nS; si++) v += s.subRows[i * s.subStride + (si * NCH + ch) * NM + k];
    return v;
  };
  new Gauge({
    name: 'cctwin_interval_service_level', help: 'the current interval so far: answered within the threshold / offered, per channel', labelNames: ['channel'], registers: [reg],
    collect() {
      this.reset();
      for (const { c, ch } of channels) {
        const offered = intervalSum(ch, M.offered);
        if (offered > 0) this.set({ channel: c }, intervalSum(ch, M.answeredWithin) / offered);
      }
    },
  });
  new Gauge({
    name: 'cctwin_interval_offered', help: 'the current interval so far: contacts offered to agents, per channel', labelNames: ['channel'], registers: [reg],
    collect() {
      for (const { c, ch } of channels) this.set({ channel: c }, intervalSum(ch, M.offered));
    },
  });
  new Gauge({ name: 'cctwin_clock_seconds', help: 'the simulated clock', registers: [reg], collect() { this.set(twin.run.now); } });
  new Gauge({ name: 'cctwin_lag_seconds', help: 'simulated seconds the engine is behind the pace asked for', registers: [reg], collect() { this.set(twin.lag()); } });
  new Gauge({
    name: 'cctwin_speed', help: 'simulated seconds per wall second (absent at speed max)', registers: [reg],
    collect() { this.reset(); if (twin.speed !== 'max') this.set(twin.speed); },
  });
  new Gauge({ name: 'cctwin_paused', help: '1 while paused', registers: [reg], collect() { this.set(twin.paused ? 1 : 0); } });
  new Gauge({ name: 'cctwin_long_polls_open', help: 'open long-polls (GET /v1/contacts/:id?wait=...)', registers: [reg], collect() { this.set(twin.openWaiters); } });

  // Counters: the engine's counts (cells: per type and the site that took the contact) at each scrape, added as the increase since the last.
  const counter = (name: string, help: string, metrics: readonly (readonly [string | null, number])[]) => {
    const seen = new Float64Array(nT * nS * metrics.length);
    new Counter({
      name, help, labelNames: metrics[0][0] === null ? ['type', 'channel', 'site'] : ['type', 'channel', 'site', 'outcome'], registers: [reg],
      collect() {
        const cells = state().cells;
        for (let t = 0; t < nT; t++) {
          for (let si = 0; si < nS; si++) {
            const base = (t * nS + si) * NM;
            metrics.forEach(([outcome, k], j) => {
              const at = (t * nS + si) * metrics.length + j;
              const d = cells[base + k] - seen[at];
              const labels = outcome === null ? typeLabels(t, si) : { ...typeLabels(t, si), outcome };
              // inc(0) keeps the series present from the first scrape
              this.inc(labels, d > 0 ? d : 0);
              if (d > 0) seen[at] = cells[base + k];
            });
          }
        }
      },
    });
  };
  counter('cctwin_arrivals_total', 'contacts that arrived (every attempt), by the site that took them', [[null, M.arrivals]]);
  counter('cctwin_offered_total', 'contacts that reached the agent queue', [[null, M.offered]]);
  counter('cctwin_answered_within_threshold_total', 'contacts answered within the service-level threshold', [[null, M.answeredWithin]]);
  counter('cctwin_contacts_total', 'contacts by outcome', OUTCOMES);

  const waits = new Histogram({
    name: 'cctwin_wait_seconds', help: "simulated waits of the clients' contacts, at their answer (queue entry to answer)", labelNames: ['type', 'channel', 'site'], buckets: WAIT_BUCKETS, registers: [reg],
  });
  twin.onAnswer = (type, site, wait) => waits.observe(typeLabels(type, site), wait);
  return reg;
}
