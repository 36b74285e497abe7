import { useState } from 'react';
import type { RunList, RunListItem, ScenarioItem, ScenarioList } from '../api.ts';
import { boardNumbers, headlineChannel, slaSummary } from '../board.ts';
import { Badge } from '../components/Tile.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { pct, target, kpi, when } from '../format.ts';
import { useDrawn, useJson } from '../hooks.ts';
import { hrefOf, runHref } from '../route.ts';

const PAGE = 15;

function SlaBadges({ item }: { item: RunListItem }) {
  const sla = item.sla ?? [];
  if (sla.length === 0) return <div className="muted">no SLA targets in this scenario</div>;
  return (
    <ul className="sla-badges">
      {sla.map((s) => (
        <li key={`${s.name}/${s.scope}`} title={`${s.name}: ${kpi(s.kpi, s.value)} against ${target(s)}`}>
          <Badge met={s.met} /> <span className="sla-name">{s.name}</span> <span className="muted">{kpi(s.kpi, s.value)} vs {target(s)}</span>
        </li>
      ))}
    </ul>
  );
}

function ScenarioCard({ s }: { s: ScenarioItem }) {
  const r = s.latestRun;
  const body = (
    <>
      <div className="card-head">
        <h3>{s.name}</h3>
        {r && <span className={`badge ${slaSummary(r.sla).met === slaSummary(r.sla).total ? 'badge-pass' : 'badge-fail'}`}>{slaSummary(r.sla).text}</span>}
      </div>
      <p className="muted card-desc">{s.description ?? s.file}{typeof s.horizon === 'string' ? ` · ${s.horizon}` : ''}</p>
      {r ? (
        <>
          <div className="muted small">run {r.id} · {when(r.created)} · {r.replications ?? '?'} replication{r.replications === 1 ? '' : 's'}{r.live ? ' · live' : ''}</div>
          <dl className="numbers">
            {boardNumbers(r).map((n) => (
              <div key={n.key} data-testid={`board-${n.key}`}><dt>{n.label}</dt><dd>{n.value}</dd></div>
            ))}
          </dl>
          <SlaBadges item={r} />
        </>
      ) : (
        <Empty>No stored run yet: <code>cctwin run scenarios/{s.file}</code></Empty>
      )}
    </>
  );
  return r
    ? <a className="card card-link" href={runHref(r)} data-testid={`scenario-${s.file}`} data-run={r.id}>{body}</a>
    : <div className="card" data-testid={`scenario-${s.file}`}>{body}</div>;
}

function Scenarios() {
  const q = useJson<ScenarioList>('v1/scenarios');
  useDrawn('board', q.status === 'ok');
  if (q.status === 'loading') return <Loading what="the scenarios" />;
  if (q.status === 'error') return <ErrorBox what="the scenarios" error={q.error} retry={q.reload} />;
  if (q.data.scenarios.length === 0) return <Empty testId="no-scenarios">No scenario library here (the server found no scenarios folder).</Empty>;
  return (
    <div className="cards" data-testid="scenario-board">
      {/* scenarios with a stored run first, each group in the library's order */}
      {[...q.data.scenarios.filter((s) => s.latestRun), ...q.data.scenarios.filter((s) => !s.latestRun)].map((s) => <ScenarioCard key={s.file} s={s} />)}
    </div>
  );
}

function RecentRuns({ page }: { page: number }) {
  const offset = (page - 1) * PAGE;
  const q = useJson<RunList>(`v1/runs?limit=${PAGE}&offset=${offset}`);
  const [picked, setPicked] = useState<number[]>([]);
  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  if (q.status === 'loading') return <Loading what="the runs" />;
  if (q.status === 'error') return <ErrorBox what="the runs" error={q.error} retry={q.reload} />;
  const { total, runs } = q.data;
  if (total === 0) return <Empty testId="no-runs">The run store is empty: <code>cctwin run FILE</code> stores a run here.</Empty>;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  return (
    <div data-testid="recent-runs">
      <table className="runs">
        <thead>
          <tr><th aria-label="pick to compare" /><th>run</th><th>kind</th><th>scenario</th><th>created</th><th>status</th><th className="num">reps</th><th>SLA</th><th className="num">service level</th></tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const ch = headlineChannel(r);
            const sl = ch ? r.headline?.byChannel[ch]?.serviceLevel : null;
            const sum = slaSummary(r.sla);
            return (
              <tr key={r.id} data-run={r.id}>
                <td>{r.kind === 'run' && <input type="checkbox" aria-label={`compare run ${r.id}`} checked={picked.includes(r.id)} onChange={() => toggle(r.id)} />}</td>
                <td><a href={runHref(r)}>#{r.id}</a></td>
                <td>{r.kind}{r.live ? ' (live)' : ''}</td>
                <td>{r.scenario}</td>
                <td>{when(r.created)}</td>
                <td>{r.status}</td>
                <td className="num">{r.replications ?? '—'}</td>
                <td>{sum.total > 0 ? <><Badge met={sum.met === sum.total} /> {sum.text}</> : <span className="muted">—</span>}</td>
                <td className="num">{sl !== null && sl !== undefined ? `${pct(sl)} ${ch}` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="pager">
        <a className={`button ${page <= 1 ? 'disabled' : ''}`} aria-disabled={page <= 1} href={page > 1 ? hrefOf({ view: 'board', page: page - 1 }) : undefined}>← newer</a>
        <span>page {page} of {pages} · {total} runs</span>
        <a className={`button ${page >= pages ? 'disabled' : ''}`} aria-disabled={page >= pages} href={page < pages ? hrefOf({ view: 'board', page: page + 1 }) : undefined}>older →</a>
        <span className="spacer" />
        {picked.length === 2
          ? <a className="button primary" data-testid="compare-picked" href={hrefOf({ view: 'compare2', a: picked[0], b: picked[1] })}>Compare runs {picked[0]} and {picked[1]}</a>
          : <span className="muted">tick two runs to compare them</span>}
      </div>
    </div>
  );
}

export function Board({ page }: { page: number }) {
  return (
    <main>
      <h2>Scenarios against the SLA targets <span className="muted small">the latest stored run of each; service level, abandonment and AHT are phone's</span></h2>
      <Scenarios />
      <h2>Recent runs</h2>
      <RecentRuns page={page} />
    </main>
  );
}
