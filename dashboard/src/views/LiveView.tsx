import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, getJson, postControl, TOKEN_KEY, type ControlBody, type LiveMetrics, type TwinState } from '../api.ts';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { TimeChart } from '../components/TimeChart.tsx';
import { clock, count, speed as fmtSpeed } from '../format.ts';
import { useDrawn } from '../hooks.ts';
import { LiveModel, downWindows, type LiveSnapshot } from '../live.ts';
import { channelColor, siteColor } from '../palette.ts';
import { RunCharts, RunTiles } from './RunView.tsx';

/** Wall milliseconds between renders: events are queued and applied in batches at this pace. */
export const FLUSH_MS = 250;
const SPEEDS: (number | 'max')[] = [1, 10, 60, 120, 300, 600, 1800, 3600, 'max'];
const EVENT_KINDS = ['interval', 'site', 'control', 'day', 'contact', 'reset'];

const countAxis = (v: number) => count(Math.round(v));

function readToken(): string | null {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
}

/**
 * The live twin: GET /v1/events (EventSource) queued into a LiveModel and flushed every
 * FLUSH_MS; GET /v1/state twice a second (the clock, a sample of agents per site and
 * contacts waiting per channel); GET /v1/metrics when an interval closes, a site changes
 * or every 3 s (the day so far in the run JSON's shape). One render per flush at most.
 */
function useLive(): { snap: LiveSnapshot; stream: 'connecting' | 'open' | 'reconnecting'; error: ApiError | null } {
  const model = useRef<LiveModel | null>(null);
  model.current ??= new LiveModel();
  const [snap, setSnap] = useState<LiveSnapshot>(model.current.snapshot);
  const [stream, setStream] = useState<'connecting' | 'open' | 'reconnecting'>('connecting');
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const m = model.current!;
    const es = new EventSource('v1/events');
    const on = (kind: string) => (ev: MessageEvent) => {
      let data: Record<string, unknown> = {};
      try { data = JSON.parse(ev.data as string) as Record<string, unknown>; } catch { /* a frame that is not JSON: kept as an empty event */ }
      m.push({ id: ev.lastEventId ? Number(ev.lastEventId) : null, kind, data });
    };
    for (const k of EVENT_KINDS) es.addEventListener(k, on(k) as EventListener);
    es.onopen = () => setStream('open');
    // The browser reconnects by itself (with Last-Event-ID): the view says so meanwhile.
    es.onerror = () => setStream('reconnecting');
    let dirty = true, stateBusy = false, metricsBusy = false, lastMetrics = 0, lastState = 0, err: ApiError | null = null;
    const fail = (e: unknown) => { if ((e as Error).name !== 'AbortError') { err = e instanceof ApiError ? e : new ApiError(0, 'UNKNOWN', String(e)); dirty = true; } };
    const ctl = new AbortController();
    const tick = () => {
      const now = performance.now();
      if (m.flush()) dirty = true;
      const s = m.snapshot;
      const over = s.dayClosed && (s.state?.finished ?? false);
      if (!stateBusy && now - lastState >= (over ? 5000 : 500)) {
        stateBusy = true;
        lastState = now;
        getJson<TwinState>('v1/state', ctl.signal).then((st) => { m.applyState(st); err = null; dirty = true; }, fail).finally(() => { stateBusy = false; });
      }
      if (!metricsBusy && ((m.needMetrics && now - lastMetrics >= 1000) || now - lastMetrics >= (over ? 10000 : 3000))) {
        metricsBusy = true;
        lastMetrics = now;
        getJson<LiveMetrics>('v1/metrics', ctl.signal).then((mt) => { m.applyMetrics(mt); dirty = true; }, fail).finally(() => { metricsBusy = false; });
      }
      if (dirty) {
        dirty = false;
        setSnap(m.snapshot);
        setError(err);
      }
    };
    tick();
    const timer = setInterval(tick, FLUSH_MS);
    return () => { clearInterval(timer); ctl.abort(); es.close(); };
  }, []);
  return { snap, stream, error };
}

function Controls({ snap }: { snap: LiveSnapshot }) {
  const st = snap.state;
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);
  const [ask, setAsk] = useState<ControlBody | null>(null);
  const [token, setToken] = useState('');
  const send = async (body: ControlBody, tok = readToken()) => {
    setBusy(true);
    setErr(null);
    try {
      await postControl(body, tok);
      setAsk(null);
    } catch (e) {
      const ae = e instanceof ApiError ? e : new ApiError(0, 'UNKNOWN', String(e));
      if (ae.status === 401) setAsk(body);
      else setErr(ae);
    } finally {
      setBusy(false);
    }
  };
  if (!st) return null;
  const over = st.finished || st.dayOver;
  return (
    <section className="panel controls" data-testid="live-controls">
      <h3 className="panel-title">Controls</h3>
      <div className="control-row">
        <button type="button" disabled={busy || over} onClick={() => send({ action: st.paused ? 'resume' : 'pause' })} data-testid="pause">{st.paused ? '▶ Resume' : '❚❚ Pause'}</button>
        <label>speed{' '}
          <select value={String(st.speed)} disabled={busy || over} data-testid="speed"
            onChange={(e) => send({ action: 'speed', speed: e.target.value === 'max' ? 'max' : Number(e.target.value) })}>
            {[...new Set([...SPEEDS, st.speed])].map((s) => <option key={String(s)} value={String(s)}>{fmtSpeed(s)}</option>)}
          </select>
        </label>
      </div>
      <ul className="sites">
        {st.sites.map((x, i) => {
          const up = snap.sites[x.site] ?? x.up;
          const agents = snap.samples.at(-1)?.[x.site];
          return (
            <li key={x.site} data-testid={`site-${x.site}`} data-up={up} data-agents={agents}>
              <span className="swatch" style={{ background: siteColor(i) }} /> <strong>{x.site}</strong>{' '}
              <span className={`badge ${up ? 'badge-pass' : 'badge-fail'}`}>{up ? 'up' : 'down'}</span>{' '}
              <span className="muted small">{agents === undefined ? '' : `${count(agents)} agents on duty`}</span>{' '}
              {up
                ? <button type="button" disabled={busy || over} onClick={() => send({ action: 'fail-site', site: x.site })} data-testid={`fail-${x.site}`}>Fail site</button>
                : <button type="button" disabled={busy || over} onClick={() => send({ action: 'restore-site', site: x.site })} data-testid={`restore-${x.site}`}>Restore site</button>}
            </li>
          );
        })}
      </ul>
      {over && <div className="muted small">The simulated day is over: the twin takes no more controls.</div>}
      {ask && (
        <form className="token" data-testid="token-form" onSubmit={(e) => {
          e.preventDefault();
          try { sessionStorage.setItem(TOKEN_KEY, token); } catch { /* storage refused: the token is used once */ }
          void send(ask, token);
        }}>
          <div>This twin needs its token for controls (the one <code>cctwin serve</code> printed, or <code>--token</code>). It is kept for this tab only.</div>
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} placeholder="token" aria-label="token" autoComplete="off" />
          <button type="submit" disabled={token.length === 0}>Use token</button>
        </form>
      )}
      {err && <ErrorBox what={`the control`} error={err} />}
    </section>
  );
}

function LiveTwin() {
  const { snap, stream, error } = useLive();
  const st = snap.state;
  const m = snap.metrics;
  const now = st?.clock ?? 0;
  const horizon = st?.horizon ?? m?.live.horizon ?? 86400;
  const domain = useMemo<[number, number]>(() => [0, horizon], [horizon]);
  // The "now" charts: the last three simulated hours (the day's charts below hold the whole day).
  const hour = Math.floor(now / 3600);
  const recent = useMemo<[number, number]>(() => [Math.max(0, (hour - 2) * 3600), Math.max(3, hour + 1) * 3600], [hour]);
  const downs = useMemo(() => downWindows(snap.downs, now), [snap.downs, now]);
  // The day so far with the sites' down windows (scenario failures and controls) shaded.
  const day = useMemo(() => (m ? { ...m, failures: downWindows(snap.downs, m.live.clock) } : null), [m, snap.downs]);
  const marker = useMemo(() => (m && m.live.current !== null ? { at: m.live.clock, label: clock(m.live.clock) } : undefined), [m]);
  const siteNames = st?.sites.map((x) => x.site) ?? [];
  const sampleData = useMemo(() => snap.samples.map((x) => ({ ...x, t: x.clock, end: x.clock })), [snap.samples]);
  const waitKeys = useMemo(() => Object.keys(snap.samples[snap.samples.length - 1] ?? {}).filter((k) => k.startsWith('wait_')).map((k) => k.slice(5)), [snap.samples]);
  useDrawn('live', st !== null && m !== null);
  if (st === null) {
    if (error) return <main><ErrorBox what="the live twin's state" error={error} /></main>;
    return <main><Loading what="the live twin" /></main>;
  }
  return (
    <main data-testid="live-view">
      <div className="live-head">
        <div>
          <h2>{st.scenario} <span className="muted small">live twin</span></h2>
          <div className="clock" data-testid="live-clock" data-clock={st.clock}>{clock(st.clock, true)}</div>
          <div className="muted small" data-testid="live-status">
            {st.finished ? 'day over' : st.paused ? 'paused' : 'running'} · speed {fmtSpeed(st.speed)} · lag {st.lag.toFixed(1)} s · {count(st.inSystem)} contacts in the system · horizon {clock(st.horizon)}
            {' · '}events: <span data-testid="stream">{stream}</span> ({snap.events} in {snap.batches} batches)
          </div>
          {error && <div className="state state-error" role="alert">Lost the twin: {error.message} (retrying)</div>}
        </div>
        <Controls snap={snap} />
      </div>
      <div className="grid2">
        <TimeChart testId="live-chart-sites" title="Agents on duty per site, the last hours (agents; sampled twice a second)" x="t" data={sampleData} domain={recent}
          series={siteNames.map((s, i) => ({ key: s, name: s, color: siteColor(i) }))} left={{ label: 'agents', format: countAxis, tip: count, domain: [0, 'auto'] }}
          failures={downs} marker={{ at: now, label: clock(now) }} />
        <TimeChart testId="live-chart-waiting" title="Contacts waiting per channel, the last hours (contacts)" x="t" data={sampleData} domain={recent}
          series={waitKeys.map((c, i) => ({ key: `wait_${c}`, name: c, color: channelColor(c, i) }))} left={{ label: 'waiting', format: countAxis, tip: count, domain: [0, 'auto'] }}
          failures={downs} marker={{ at: now, label: clock(now) }} />
      </div>
      {day === null ? <Loading what="the day's metrics" /> : (
        <>
          <h3>The day so far <span className="muted small">(interval {day.live.current === null ? 'all closed' : `${(day.live.current ?? 0) + 1} running`}; one replication: no CIs)</span></h3>
          <RunTiles r={day} />
          {day.intervals.length === 0 ? <Empty>No interval has started yet.</Empty> : <RunCharts r={day} domain={domain} marker={marker} />}
        </>
      )}
      <section className="panel" data-testid="live-log">
        <h3 className="panel-title">Events</h3>
        {snap.log.length === 0 ? <Empty>No event yet (site changes, controls, closed intervals appear here).</Empty> : (
          <ul className="log">
            {snap.log.map((l, i) => <li key={`${l.id ?? 'x'}-${i}`} className={`log-${l.kind}`}><span className="muted">{l.clock === null ? '' : clock(l.clock)}</span> {l.text}</li>)}
          </ul>
        )}
      </section>
    </main>
  );
}

export function LiveView({ available }: { available: boolean | null }) {
  if (available === null) return <main><Loading what="the live twin" /></main>;
  if (!available) {
    return (
      <main>
        <Empty testId="no-twin">No live twin behind this server: <code>cctwin dashboard</code> serves the run store only. Start <code>cctwin serve SCENARIO.yaml</code> and open the address it prints for the live view.</Empty>
      </main>
    );
  }
  return <LiveTwin />;
}
