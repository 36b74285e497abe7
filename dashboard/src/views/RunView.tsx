import { memo, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isCompare, isSweep, runUrl, type AnyRunDetail, type RunDetail, type RunSummary, type SlaResult } from '../api.ts';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { Tile, Badge } from '../components/Tile.tsx';
import { TimeChart, type SeriesSpec } from '../components/TimeChart.tsx';
import { clock, count, durationAxis, interval, kpi, pct, seconds, span, target as fmtTarget, when } from '../format.ts';
import { useDrawn, useJson, useWidth } from '../hooks.ts';
import { CHANNEL_COLOR, OI, channelColor, siteColor } from '../palette.ts';
import { hrefOf, runHref } from '../route.ts';
import {
  agentRows, channelRows, channelsOf, deadlineChannel, domainOf, failureWindows, hasChannelDetail, hasQuality, maxPointsFor, mergeRanges,
  missRanges, qualityRows, serviceLevelRows, serviceTarget, siteRows, sitesOf, slaMisses, slaOf, volumeRows, waitRows, weekLines, zoomWindows,
} from '../series.ts';
import { tileSpecs } from '../tiles.ts';

const pctAxis = (v: number) => `${Math.round(v * 100)}%`;
const pctTip = (v: number) => pct(v);
const countAxis = (v: number) => (Math.abs(v) >= 10000 ? `${Math.round(v / 1000)}k` : count(Math.round(v)));

function RunTilesImpl({ r }: { r: RunSummary }) {
  const tiles = useMemo(() => tileSpecs(r), [r]);
  return (
    <div className="tiles" data-testid="tiles">
      {tiles.map((t) => (
        <Tile key={t.id} testId={t.id} label={t.label} value={t.value} ci={t.ci} target={t.target} met={t.sla ? t.sla.met : undefined}
          note={t.kpi === 'occupancy' ? Object.entries(r.bySite).map(([s, k]) => `${s} ${pct(k.occupancy?.mean)}`).join(' · ') : undefined} />
      ))}
    </div>
  );
}

/** A target's missed intervals as time ranges to shade. */
function rangesOf(missed: ReturnType<typeof slaMisses>, s: SlaResult | undefined) {
  const m = missed.find((x) => x.sla === s);
  return m ? mergeRanges(m.starts, m.length) : [];
}

/** The KPI tiles of a run (also the live view's): drawn again only when the run changes. */
export const RunTiles = memo(RunTilesImpl);

/** The per-interval charts of one run (also the live view's, on the day so far): drawn again only when the run, the marker or the domain change. */
export const RunCharts = memo(RunChartsImpl);

function RunChartsImpl({ r, marker, domain }: { r: RunSummary; marker?: { at: number; label: string }; domain?: [number, number] }) {
  const chs = useMemo(() => channelsOf(r), [r]);
  const [ch, setCh] = useState(chs[0] ?? 'phone');
  const dom = useMemo(() => domain ?? domainOf(r.intervals), [domain, r.intervals]);
  const per = span(r.resolution?.intervalLength ?? r.intervalLength);
  const fails = useMemo(() => failureWindows(r, dom[0], dom[1]), [r, dom]);
  const slT = serviceTarget(r.sla ?? []);
  const slSla = slaOf(r.sla ?? [], 'serviceLevel', slT.scope);
  const missed = useMemo(() => slaMisses(r), [r]);
  const slMiss = useMemo(() => rangesOf(missed, slSla), [missed, slSla]);
  const abSla = slaOf(r.sla ?? [], 'abandonRate', `byChannel.${ch}`);
  const abMiss = useMemo(() => rangesOf(missed, abSla), [missed, abSla]);
  const sl = useMemo(() => serviceLevelRows(r), [r]);
  const vol = useMemo(() => volumeRows(r, ch), [r, ch]);
  // ASA in one unit (s, min or h) from its largest value, the rows divided so that the ticks are round in it.
  const { wait, asaAxis } = useMemo(() => {
    const rows = waitRows(r, ch);
    const axis = durationAxis(Math.max(0, ...rows.map((w) => (Array.isArray(w.asaBand) ? w.asaBand[1] : typeof w.asa === 'number' ? w.asa : 0))));
    if (axis.div === 1) return { wait: rows, asaAxis: axis };
    const d = axis.div;
    return {
      wait: rows.map((w) => ({ ...w, asa: typeof w.asa === 'number' ? w.asa / d : null, asaBand: Array.isArray(w.asaBand) ? [w.asaBand[0] / d, w.asaBand[1] / d] as [number, number] : null })),
      asaAxis: axis,
    };
  }, [r, ch]);
  const agents = useMemo(() => agentRows(r), [r]);
  const sites = useMemo(() => siteRows(r), [r]);
  const chan = useMemo(() => channelRows(r), [r]);
  const quality = useMemo(() => (hasQuality(r) ? qualityRows(r) : null), [r]);
  const siteNames = sitesOf(r);
  const slChannels = chs.filter((c) => !deadlineChannel(c));
  const deadline = chs.filter(deadlineChannel);
  const failNote = fails.length > 0 ? <><span className="key key-fail" /> {fails.map((f) => `${f.site} down ${interval(f.start, f.end)}`).join('; ')}</> : null;
  const missNote = (what: string, n: number) => (n > 0 ? <><span className="key key-miss" /> intervals that miss the {what} target</> : null);
  const notes = (...xs: (ReactNode | null)[]) => {
    const k = xs.filter(Boolean);
    return k.length ? <>{k.map((x, i) => <span key={i} className="note-item">{x}</span>)}</> : undefined;
  };

  const slSeries: SeriesSpec[] = slChannels.flatMap((c, i) => [
    { key: `${c}Band`, name: `${c} 95% CI`, color: channelColor(c, i), kind: 'band' as const },
    { key: c, name: `${c} service level`, color: channelColor(c, i) },
  ]);

  const detail = hasChannelDetail(r);
  return (
    <div className="charts">
      {!detail && (
        <Empty testId="no-detail">The server sent these intervals without their breakdown by channel and site (too many asked at once): the charts per channel are left out; zoom in (a day or a week) to see them. Service levels are never shown across channels.</Empty>
      )}
      {detail && <TimeChart testId="chart-service-level" title={`Service level per ${per} interval, per channel (answered within ${r.threshold} s / offered), with its 95% CI`}
        data={sl} series={slSeries} domain={dom} left={{ label: 'service level', format: pctAxis, tip: pctTip, domain: [0, 1] }}
        target={{ y: slT.target, label: `target ${pct(slT.target, 0)}${slT.fromSla ? '' : ' (no SLA target: 95%)'}` }}
        failures={fails} misses={slMiss} height={280} marker={marker}
        note={notes(failNote, missNote(`${slSla?.scope === 'totals' && chs.length === 1 ? chs[0] : (slSla?.scope ?? 'phone').replace('byChannel.', '')} service-level`, slMiss.length))} />}

      {detail && <div className="chart-controls">
        <label>channel{' '}
          <select value={ch} onChange={(e) => setCh(e.target.value)} data-testid="channel-select">
            {chs.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <span className="muted small">for the volume and wait charts below</span>
      </div>}
      <div className="grid2">
        {detail && <TimeChart testId="chart-volume" title={`Offered, answered and abandoned, ${ch} (contacts per ${per})`} data={vol} domain={dom}
          series={[{ key: 'offered', name: 'offered', color: CHANNEL_COLOR[ch] ?? OI.blue }, { key: 'answered', name: 'answered', color: OI.green, dash: '5 3' }, { key: 'abandoned', name: 'abandoned', color: OI.vermillion }]}
          left={{ label: 'contacts', format: countAxis, tip: count }} failures={fails} misses={abMiss} marker={marker} note={notes(failNote, missNote(`${ch} abandonment`, abMiss.length))} />}
        {detail && <TimeChart testId="chart-wait" title={`ASA and queue, ${ch} (time to answer; contacts waiting at the interval's end)`} data={wait} domain={dom}
          series={[{ key: 'asaBand', name: 'ASA 95% CI', color: OI.sky, kind: 'band' }, { key: 'asa', name: 'ASA (s)', color: OI.blue }, { key: 'queue', name: 'waiting at the end', color: OI.orange, axis: 'right', dash: '5 3' }]}
          left={{ label: `ASA (${asaAxis.unit})`, format: asaAxis.format, domain: [0, 'auto'] }} right={{ label: 'waiting', format: countAxis, tip: count, domain: [0, 'auto'] }} failures={fails} marker={marker} note={notes(failNote)} />}
        <TimeChart testId="chart-agents" title="Agents on duty (all skills) against the Erlang C phone requirement (agents)" data={agents} domain={dom}
          series={[{ key: 'staffed', name: 'on duty', color: OI.blue }, { key: 'busy', name: 'busy', color: OI.sky, dash: '5 3' }, { key: 'required', name: 'Erlang C: phone needs', color: OI.black, kind: 'step', dash: '2 2', width: 1.5 }]}
          left={{ label: 'agents', format: countAxis, tip: count, domain: [0, 'auto'] }} failures={fails} misses={slMiss} marker={marker}
          note={notes(<>Erlang C: the fewest phone agents for the phone target on each interval's offered calls and AHT, as measured</>, failNote)} />
        <TimeChart testId="chart-sites" title="Per site: agents on duty (agents)" data={sites} domain={dom}
          series={siteNames.map((s, i) => ({ key: s, name: s, color: siteColor(i) }))}
          left={{ label: 'agents', format: countAxis, tip: count, domain: [0, 'auto'] }} failures={fails} marker={marker} note={notes(failNote)} />
        {detail && <TimeChart testId="chart-site-occupancy" title="Per site: occupancy (busy / on duty)" data={sites} domain={dom}
          series={siteNames.map((s, i) => ({ key: `${s}Occ`, name: s, color: siteColor(i) }))}
          left={{ label: 'occupancy', format: pctAxis, tip: pctTip, domain: [0, 1] }} failures={fails} marker={marker} note={notes(failNote)} />}
        {detail && chs.includes('im') && (
          <TimeChart testId="chart-im" title={`IM: service level (answered within ${r.threshold} s / offered)`} data={chan} domain={dom}
            series={[{ key: 'imSL', name: 'IM service level', color: CHANNEL_COLOR.im }]} left={{ label: 'service level', format: pctAxis, tip: pctTip, domain: [0, 1] }}
            target={{ y: slaOf(r.sla ?? [], 'serviceLevel', 'byChannel.im')?.target ?? slT.target, label: 'target' }} failures={fails} marker={marker} note={notes(failNote)} />
        )}
        {detail && deadline.length > 0 && (
          <TimeChart testId="chart-backlog" title={`${deadline.join(' and ')}: backlog and overdue at the interval's end (contacts)`} data={chan} domain={dom}
            series={deadline.flatMap((c, i) => [
              { key: `${c}Backlog`, name: `${c} backlog`, color: channelColor(c, i) },
              { key: `${c}Overdue`, name: `${c} overdue`, color: channelColor(c, i), dash: '4 3' },
            ])}
            left={{ label: 'contacts', format: countAxis, tip: count, domain: [0, 'auto'] }} failures={fails} marker={marker} note={notes(failNote)} />
        )}
        {quality && (
          <TimeChart testId="chart-quality" title="Quality: defect rate (of handled contacts) and complaints caused" data={quality} domain={dom}
            series={[{ key: 'defectRate', name: 'defect rate', color: OI.vermillion }, { key: 'complaints', name: 'complaints', color: OI.purple, axis: 'right', dash: '5 3' }]}
            left={{ label: 'defect rate', format: (v) => `${(v * 100).toFixed(1)}%`, tip: (v) => pct(v, 2), domain: [0, 'auto'] }} right={{ label: 'complaints', format: countAxis, tip: count, domain: [0, 'auto'] }} marker={marker} />
        )}
      </div>
    </div>
  );
}

function Weeks({ r }: { r: RunSummary }) {
  const weeks = weekLines(r);
  if (weeks.length < 2) return null;
  return (
    <section className="panel" data-testid="weeks">
      <h3 className="panel-title">Weeks</h3>
      <table className="runs">
        <thead><tr><th>week</th><th>days</th><th className="num">phone offered</th><th className="num">phone service level</th><th className="num">phone abandonment</th><th className="num">phone AHT</th><th className="num">occupancy</th><th className="num">defect rate</th><th className="num">headcount</th></tr></thead>
        <tbody>
          {weeks.map((w) => (
            <tr key={w.week}>
              <td>{w.week}</td><td>{Math.floor(w.start / 86400) + 1}–{Math.ceil(w.end / 86400)}</td>
              <td className="num">{count(w.offered)}</td><td className="num">{pct(w.phoneSL)}</td><td className="num">{pct(w.phoneAbandon)}</td><td className="num">{seconds(w.phoneAht)}</td>
              <td className="num">{pct(w.occupancy)}</td><td className="num">{pct(w.defectRate, 2)}</td><td className="num">{w.headcount === null ? '—' : count(w.headcount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const MAX_RANGES = 8;

function Misses({ r }: { r: RunSummary }) {
  const ranges = useMemo(() => missRanges(r), [r]);
  const [all, setAll] = useState(false);
  if ((r.sla ?? []).length === 0) return null;
  // Per target, its first ranges (all of them on request): a long run can miss hundreds of intervals.
  const shown = all ? ranges : (r.sla ?? []).flatMap((s) => ranges.filter((m) => m.sla === s).slice(0, MAX_RANGES));
  const hidden = ranges.length - shown.length;
  return (
    <section className="panel" data-testid="misses">
      <h3 className="panel-title">Intervals that miss the SLA targets <span className="muted small">(interval means against each target; shaded on the charts)</span></h3>
      {ranges.length === 0 ? <Empty>No interval misses a target.</Empty> : (
        <>
          <table className="runs">
            <thead><tr><th>target</th><th>when</th><th className="num">intervals</th><th className="num">worst</th><th>target</th></tr></thead>
            <tbody>
              {shown.map((m, i) => (
                <tr key={i} data-testid="miss-row" data-start={m.start}>
                  <td>{m.sla.name}{m.fromServed ? ' *' : ''}</td><td>{interval(m.start, m.end)}</td><td className="num">{m.intervals}</td>
                  <td className="num">{m.worst === null ? '—' : kpi(m.sla.kpi, m.worst)}</td><td>{fmtTarget(m.sla)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="muted small">
            {slaMisses(r).filter((m) => m.starts.length > 0).map((m) => `${m.sla.name}${m.fromServed ? ' *' : ''}: ${m.starts.length} intervals missed`).join(' · ')}
            {hidden > 0 && <> · <button type="button" onClick={() => setAll(true)}>show all {ranges.length} ranges</button></>}
          </div>
          {ranges.some((m) => m.fromServed) && (
            <div className="muted small">* checked here on the intervals served ({span(r.resolution?.intervalLength ?? r.intervalLength)}): a run longer than two weeks does not list its misses per channel or site</div>
          )}
        </>
      )}
    </section>
  );
}

function Zoom({ r, id, from, to }: { r: RunDetail; id: number; from?: number; to?: number }) {
  const windows = zoomWindows(r.horizon);
  const res = r.resolution;
  return (
    <div className="zoom">
      {res && (
        <span className="muted small" data-testid="resolution">
          {res.points} intervals of {span(res.intervalLength)}
          {res.aggregated > 1 ? ` (${res.aggregated} of the run's ${span(res.original)} intervals summed into each)` : ''}
          {res.from > 0 || res.to < r.horizon ? `, ${clock(res.from)} to ${clock(res.to)}` : ''}
        </span>
      )}
      {windows.length > 0 && (
        <span className="days">
          <a className={`button ${from === undefined ? 'active' : ''}`} href={hrefOf({ view: 'run', id })}>whole run</a>
          {windows.map((w) => (
            <a key={w.from} className={`button ${from === w.from && to === w.to ? 'active' : ''}`} href={hrefOf({ view: 'run', id, from: w.from, to: w.to })}>{w.label}</a>
          ))}
        </span>
      )}
    </div>
  );
}

function RunBody({ r, from, to }: { r: RunDetail; from?: number; to?: number }) {
  useDrawn('run', true);
  const failed = (r.sla ?? []).filter((s) => s.met === false).length;
  return (
    <main data-testid="run-view" data-run={r.run.id}>
      <div className="view-head">
        <h2>{r.scenario} <span className="muted">run {r.run.id}</span></h2>
        <div className="muted small">
          {r.run.live ? 'live twin day · ' : ''}{r.replications} replication{r.replications === 1 ? '' : 's'} · seed {r.seed} · horizon {span(r.horizon)} · {span(r.intervalLength)} intervals
          {r.warmupEffective > 0 ? ` · warm-up ${span(r.warmupEffective)} left out` : ''} · stored {when(r.run.created)} · {r.run.status}
          {(r.sla ?? []).length > 0 && <> · <Badge met={failed === 0} /> {(r.sla ?? []).length - failed} of {(r.sla ?? []).length} SLA targets met</>}
        </div>
        {r.run.note && <div className="muted small">{r.run.note}</div>}
      </div>
      <RunTiles r={r} />
      <Zoom r={r} id={r.run.id} from={from} to={to} />
      {r.intervals.length === 0
        ? <Empty testId="no-intervals">This run has no intervals to chart (the run store holds its totals only).</Empty>
        : <RunCharts r={r} />}
      <Weeks r={r} />
      <Misses r={r} />
      <CompareWith r={r} />
    </main>
  );
}

function CompareWith({ r }: { r: RunDetail }) {
  const q = useJson<{ runs: { id: number; kind: string; scenario: string; created: string }[] }>('v1/runs?limit=50&kind=run');
  if (q.status !== 'ok') return null;
  const others = q.data.runs.filter((x) => x.id !== r.run.id);
  if (others.length === 0) return null;
  return (
    <div className="compare-with">
      <label>Compare with{' '}
        <select defaultValue="" onChange={(e) => { if (e.target.value) window.location.hash = hrefOf({ view: 'compare2', a: r.run.id, b: Number(e.target.value) }); }} data-testid="compare-with">
          <option value="">a run…</option>
          {others.map((x) => <option key={x.id} value={x.id}>#{x.id} {x.scenario} ({when(x.created)})</option>)}
        </select>
      </label>
    </div>
  );
}

export function RunView({ id, from, to }: { id: number; from?: number; to?: number }) {
  const width = useWidth();
  const url = runUrl(id, { maxPoints: maxPointsFor(width - 64), from, to });
  const q = useJson<AnyRunDetail>(url);
  const compare = q.status === 'ok' && isCompare(q.data);
  useEffect(() => { if (compare) window.location.replace(hrefOf({ view: 'compare', id })); }, [compare, id]);
  if (q.status === 'loading') return <main><Loading what={`run ${id}`} /></main>;
  if (q.status === 'error') {
    return (
      <main>
        {q.error.status === 404 && q.error.code === 'TWIN_ERR_NOT_FOUND'
          ? <Empty testId="unknown-run">There is no run {id} in the run store. <a href="#/">Back to the scenarios</a></Empty>
          : q.error.code === 'TWIN_ERR_NO_DATA'
            ? <Empty testId="no-data">Run {id} has nothing to show yet: {q.error.message}. <a href="#/">Back to the scenarios</a></Empty>
            : <ErrorBox what={`run ${id}`} error={q.error} retry={q.reload} />}
      </main>
    );
  }
  const d = q.data;
  if (isCompare(d)) return <main><Loading what={`compare ${id}`} /></main>;
  if (isSweep(d)) {
    return (
      <main data-testid="sweep-view">
        <h2>Sweep {id} <span className="muted small">{d.points.length} points</span></h2>
        {d.points.length === 0 ? <Empty>This sweep has no points stored.</Empty> : (
          <ul>{d.points.map((p) => <li key={p.id}><a href={runHref(p)}>#{p.id} {p.scenario}</a> {p.note ?? ''}</li>)}</ul>
        )}
      </main>
    );
  }
  return <RunBody r={d} from={from} to={to} />;
}

