import { useMemo } from 'react';
import { isCompare, isSweep, runUrl, type AnyRunDetail, type CompareDetail, type RunSummary } from '../api.ts';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { TimeChart } from '../components/TimeChart.tsx';
import { count, diff, kpi, kpiCi, label, pct, scope, span } from '../format.ts';
import { useDrawn, useJson, useWidth } from '../hooks.ts';
import { OI } from '../palette.ts';
import { hrefOf } from '../route.ts';
import { channelsOf, deadlineChannel, domainOf, failureWindows, independentDiffs, maxPointsFor, overlayRows, pairedDiffs, serviceTarget, type DiffRow } from '../series.ts';

const pctAxis = (v: number) => `${Math.round(v * 100)}%`;
const pctTip = (v: number) => pct(v);
const countAxis = (v: number) => (Math.abs(v) >= 10000 ? `${Math.round(v / 1000)}k` : String(Math.round(v)));

interface Arm { label: string; r: RunSummary }

function Overlays({ a, b }: { a: Arm; b: Arm }) {
  const chs = useMemo(() => channelsOf(a.r).filter((c) => !deadlineChannel(c) && channelsOf(b.r).includes(c)), [a.r, b.r]);
  const domA = domainOf(a.r.intervals), domB = domainOf(b.r.intervals);
  const dom: [number, number] = [Math.min(domA[0], domB[0]), Math.max(domA[1], domB[1])];
  const fails = [...failureWindows(a.r, dom[0], dom[1]).map((f) => ({ ...f, site: `A: ${f.site}` })), ...failureWindows(b.r, dom[0], dom[1]).map((f) => ({ ...f, site: `B: ${f.site}` }))];
  const t = serviceTarget(b.r.sla ?? a.r.sla ?? []);
  const per = span(a.r.resolution?.intervalLength ?? a.r.intervalLength);
  const series = [{ key: 'a', name: armName('A', a.label), color: OI.blue }, { key: 'b', name: armName('B', b.label), color: OI.vermillion, dash: '6 3' }];
  if (a.r.intervals.length === 0 && b.r.intervals.length === 0) return <Empty testId="no-intervals">Neither run has intervals to chart.</Empty>;
  return (
    <div className="grid2">
      {chs.map((ch) => (
        <TimeChart key={ch} testId={`overlay-${ch}-serviceLevel`} title={`Service level, ${ch}, per ${per}: A against B`} data={overlayRows(a.r, b.r, ch)} domain={dom}
          series={series} left={{ label: 'service level', format: pctAxis, tip: pctTip, domain: [0, 1] }} target={{ y: t.target, label: `target ${pct(t.target, 0)}` }} failures={fails} />
      ))}
      {chs.includes('phone') && (
        <>
          <TimeChart testId="overlay-phone-offered" title={`Offered, phone (calls per ${per})`} data={overlayRows(a.r, b.r, 'phone', 'offered')} domain={dom}
            series={series} left={{ label: 'calls', format: countAxis, tip: count, domain: [0, 'auto'] }} failures={fails} />
          <TimeChart testId="overlay-phone-abandonRate" title="Abandonment, phone" data={overlayRows(a.r, b.r, 'phone', 'abandonRate')} domain={dom}
            series={series} left={{ label: 'abandoned / offered', format: pctAxis, tip: pctTip, domain: [0, 'auto'] }} failures={fails} />
        </>
      )}
    </div>
  );
}

function DiffTable({ rows, paired, note }: { rows: DiffRow[]; paired: boolean; note: string }) {
  if (rows.length === 0) return <Empty>No KPI to compare.</Empty>;
  return (
    <section className="panel" data-testid="diff-table">
      <h3 className="panel-title">Differences, B − A <span className="muted small">{note}</span></h3>
      <table className="runs">
        <thead><tr><th>scope</th><th>KPI</th><th className="num">A</th><th className="num">B</th><th className="num">B − A</th><th className="num">{paired ? '95% CI (paired)' : 'CI'}</th><th>significant</th></tr></thead>
        <tbody>
          {rows.map((d) => (
            <tr key={`${d.scope}/${d.kpi}`} data-testid={`diff-${scope(d.scope)}-${d.kpi}`}>
              <td>{scope(d.scope)}</td><td>{label(d.kpi)}</td>
              <td className="num">{kpi(d.kpi, d.a)}</td><td className="num">{kpi(d.kpi, d.b)}</td>
              <td className="num" data-role="difference">{diff(d.kpi, d.difference)}</td>
              <td className="num" data-role="ci">{d.ci95 === null ? '—' : kpiCi(d.kpi, { mean: d.difference, ci95: d.ci95 })}</td>
              <td>{d.significant === null ? <span className="muted">—</span> : d.significant ? <strong>yes</strong> : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** "A: Baseline day": the arm letter once, whether the stored label has it or not. */
export function armName(k: string, label: string): string {
  return label.startsWith(`${k}: `) ? label : `${k}: ${label}`;
}

function Heads({ a, b }: { a: Arm & { href?: string }; b: Arm & { href?: string } }) {
  return (
    <div className="arms">
      {[{ k: 'A', x: a }, { k: 'B', x: b }].map(({ k, x }) => {
        const sla = x.r.sla ?? [];
        return (
          <div key={k} className={`arm arm-${k}`} data-testid={`arm-${k}`}>
            <strong>{x.href ? <a href={x.href}>{armName(k, x.label)}</a> : armName(k, x.label)}</strong>
            <span className="muted small"> {x.r.replications} replications · {sla.filter((s) => s.met === true).length} of {sla.length} SLA targets met · phone service level {pct(x.r.byChannel?.phone?.serviceLevel?.mean)}</span>
          </div>
        );
      })}
    </div>
  );
}

/** A compare arm as "A: Baseline day" (its stored label names the file or the --set values). */
const armLabel = (x: RunSummary & { label: string }) => {
  const m = /^([A-Z]):\s*(.*)$/.exec(x.label);
  const rest = m ? m[2] : x.label;
  const name = rest.endsWith(x.scenario) ? rest.slice(0, rest.length - x.scenario.length).trim() : rest;
  return `${m ? m[1] : '?'}: ${x.scenario}${name ? ` (${name})` : ''}`;
};

function CompareRun({ d }: { d: CompareDetail }) {
  useDrawn('compare', true);
  const [A, B] = d.arms;
  if (!A || !B) return <main><Empty>This compare has fewer than two arms stored.</Empty></main>;
  const c = d.correction;
  const note = `common random numbers: each replication of B paired with A's; ${c?.method === 'holm' ? `Holm-corrected over ${c.comparisons} variants, Bonferroni CIs` : 'paired t 95% CIs'}${d.arms.length > 2 ? `; ${d.arms.length - 1} variants, the first shown` : ''}`;
  return (
    <main data-testid="compare-view" data-run={d.run.id}>
      <h2>Compare {d.run.id} <span className="muted small">cctwin compare: {d.arms.length} arms, {A.replications} paired replications each</span></h2>
      <Heads a={{ label: armLabel(A), r: A }} b={{ label: armLabel(B), r: B }} />
      <Overlays a={{ label: armLabel(A), r: A }} b={{ label: armLabel(B), r: B }} />
      <DiffTable rows={pairedDiffs(d)} paired note={note} />
    </main>
  );
}

function CompareTwo({ a, b }: { a: number; b: number }) {
  const width = useWidth();
  const mp = maxPointsFor(width / 2);
  const qa = useJson<AnyRunDetail>(runUrl(a, { maxPoints: mp }));
  const qb = useJson<AnyRunDetail>(runUrl(b, { maxPoints: mp }));
  const ok = qa.status === 'ok' && qb.status === 'ok';
  useDrawn('compare', ok);
  for (const [id, q] of [[a, qa], [b, qb]] as const) {
    if (q.status === 'loading') return <main><Loading what={`run ${id}`} /></main>;
    if (q.status === 'error') {
      return <main>{q.error.code === 'TWIN_ERR_NOT_FOUND' ? <Empty testId="unknown-run">There is no run {id} in the run store. <a href="#/">Back to the scenarios</a></Empty> : <ErrorBox what={`run ${id}`} error={q.error} retry={q.reload} />}</main>;
    }
    if (isCompare(q.data) || isSweep(q.data)) {
      return <main><Empty>Run {id} is a {q.data.run.kind}: open it on its own (<a href={hrefOf({ view: 'compare', id })}>#/compare/{id}</a>).</Empty></main>;
    }
  }
  if (qa.status !== 'ok' || qb.status !== 'ok' || isCompare(qa.data) || isCompare(qb.data) || isSweep(qa.data) || isSweep(qb.data)) return null;
  const A = qa.data, B = qb.data;
  return (
    <main data-testid="compare-view">
      <h2>Run {a} against run {b}</h2>
      <Heads a={{ label: `${A.scenario} (run ${a})`, r: A, href: hrefOf({ view: 'run', id: a }) }} b={{ label: `${B.scenario} (run ${b})`, r: B, href: hrefOf({ view: 'run', id: b }) }} />
      <Overlays a={{ label: `${A.scenario} (${a})`, r: A }} b={{ label: `${B.scenario} (${b})`, r: B }} />
      <DiffTable rows={independentDiffs(A, B)} paired={false} note="two independent runs: differences of the means, no paired CI (cctwin compare pairs replications and gives one)" />
    </main>
  );
}

export function CompareView(p: { id: number } | { a: number; b: number }) {
  if ('a' in p) return <CompareTwo a={p.a} b={p.b} />;
  return <CompareOne id={p.id} />;
}

function CompareOne({ id }: { id: number }) {
  const width = useWidth();
  const q = useJson<AnyRunDetail>(runUrl(id, { maxPoints: maxPointsFor(width / 2) }));
  if (q.status === 'loading') return <main><Loading what={`compare ${id}`} /></main>;
  if (q.status === 'error') {
    return <main>{q.error.code === 'TWIN_ERR_NOT_FOUND' ? <Empty testId="unknown-run">There is no run {id} in the run store. <a href="#/">Back to the scenarios</a></Empty> : <ErrorBox what={`compare ${id}`} error={q.error} retry={q.reload} />}</main>;
  }
  if (!isCompare(q.data)) return <main><Empty>Run {id} is not a compare: <a href={hrefOf({ view: 'run', id })}>open it as a run</a>.</Empty></main>;
  return <CompareRun d={q.data} />;
}
