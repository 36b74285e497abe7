import { memo, useMemo, type ReactNode } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { clock, interval, tick } from '../format.ts';
import { FAILOVER, MISS, TARGET } from '../palette.ts';
import { timeTicks, type Row, type TimeRange } from '../series.ts';

export interface SeriesSpec {
  key: string;
  name: string;
  color: string;
  /** line (default), step (constant over the interval), band (a [lo, hi] range: the 95% CI) */
  kind?: 'line' | 'step' | 'band';
  dash?: string;
  axis?: 'left' | 'right';
  width?: number;
}

export interface AxisSpec {
  label: string;
  /** ticks */
  format: (v: number) => string;
  /** the tooltip's values (default: as the ticks) */
  tip?: (v: number) => string;
  domain?: [number | 'auto' | 'dataMin' | 'dataMax', number | 'auto' | 'dataMin' | 'dataMax'];
}

export interface TimeChartProps {
  title: string;
  testId: string;
  data: Row[];
  series: SeriesSpec[];
  /** the time axis, simulated seconds */
  domain: [number, number];
  left: AxisSpec;
  right?: AxisSpec;
  target?: { y: number; label: string };
  failures?: { site: string; start: number; end: number }[];
  misses?: TimeRange[];
  /** the x key: 'mid' (the interval's middle, default) or 't' (a sample's time) */
  x?: 'mid' | 't';
  height?: number;
  note?: ReactNode;
  /** the live view's current interval (drawn as a line at its start) */
  marker?: { at: number; label: string };
}

function fmtValue(v: unknown, f: (x: number) => string): string {
  if (Array.isArray(v)) return `${f(v[0] as number)} – ${f(v[1] as number)}`;
  return typeof v === 'number' ? f(v) : '—';
}

/** The series' names under the chart, in their order: a line (dashed where the line is) or a band's square. Plain HTML: Recharts' legend cost a sixth of a run view's first render. */
function SeriesLegend({ series }: { series: SeriesSpec[] }) {
  return (
    <ul className="legend">
      {series.map((s) => (
        <li key={s.key}>
          <svg width="18" height="10" aria-hidden="true">
            {s.kind === 'band'
              ? <rect x="1" y="1" width="16" height="8" fill={s.color} fillOpacity={0.35} />
              : <line x1="1" y1="5" x2="17" y2="5" stroke={s.color} strokeWidth={2} strokeDasharray={s.dash} />}
          </svg>
          {s.name}
        </li>
      ))}
    </ul>
  );
}

/**
 * A chart over the scenario's clock: one row per interval plotted at its middle, the
 * SLA target as a dashed line, missed intervals shaded in vermillion and failover
 * windows in grey (each named in the note under the chart), no animation (a chart is
 * drawn once per update).
 */
function TimeChartImpl(p: TimeChartProps) {
  const xKey = p.x ?? 'mid';
  const data = useMemo(() => (xKey === 'mid' ? p.data.map((r) => ({ ...r, mid: (r.t + r.end) / 2 })) : p.data), [p.data, xKey]);
  const ticks = useMemo(() => timeTicks(p.domain[0], p.domain[1]), [p.domain]);
  const fmt = (key: string) => {
    const axis = p.series.find((s) => s.key === key)?.axis === 'right' && p.right ? p.right : p.left;
    return axis.tip ?? axis.format;
  };
  const empty = data.length === 0;
  return (
    <figure className="panel chart" data-testid={p.testId} data-points={data.length}>
      <figcaption className="panel-title">{p.title}</figcaption>
      {empty ? (
        <div className="state state-empty" data-state="empty">No intervals to chart.</div>
      ) : (
        <ComposedChart responsive style={{ width: '100%', height: p.height ?? 240 }} data={data} margin={{ top: 8, right: p.right ? 8 : 16, bottom: 4, left: 8 }}>
          <CartesianGrid stroke="#e4e4e4" vertical={false} />
          <XAxis dataKey={xKey} type="number" domain={p.domain} ticks={ticks} tickFormatter={(v: number) => tick(v, ticks.length > 1 ? ticks[1] - ticks[0] : 0)} allowDataOverflow fontSize={11} />
          <YAxis yAxisId="left" width={64} tickFormatter={p.left.format} domain={p.left.domain ?? ['auto', 'auto']} fontSize={11}
            label={{ value: p.left.label, angle: -90, position: 'insideLeft', offset: 4, fontSize: 11, style: { textAnchor: 'middle' } }} />
          {p.right && (
            <YAxis yAxisId="right" orientation="right" width={64} tickFormatter={p.right.format} domain={p.right.domain ?? ['auto', 'auto']} fontSize={11}
              label={{ value: p.right.label, angle: 90, position: 'insideRight', offset: 4, fontSize: 11, style: { textAnchor: 'middle' } }} />
          )}
          {(p.failures ?? []).map((f, i) => (
            <ReferenceArea key={`f${i}`} yAxisId="left" x1={f.start} x2={f.end} fill={FAILOVER} fillOpacity={0.28} stroke={FAILOVER} strokeDasharray="4 3" ifOverflow="hidden"
              label={{ value: `${f.site} down`, position: 'insideTop', fontSize: 11, fill: '#444' }} />
          ))}
          {(p.misses ?? []).map((m, i) => (
            <ReferenceArea key={`m${i}`} yAxisId="left" x1={m.start} x2={m.end} fill={MISS} fillOpacity={0.13} ifOverflow="hidden" className="miss-area" />
          ))}
          {p.target && <ReferenceLine yAxisId="left" y={p.target.y} stroke={TARGET} strokeDasharray="6 4" label={{ value: p.target.label, position: 'insideBottomRight', fontSize: 11 }} />}
          {p.marker && <ReferenceLine yAxisId="left" x={p.marker.at} stroke="#555" strokeDasharray="2 3" label={{ value: p.marker.label, position: 'insideTopLeft', fontSize: 11 }} />}
          {p.series.map((s) => s.kind === 'band'
            ? <Area key={s.key} yAxisId={s.axis ?? 'left'} dataKey={s.key} name={s.name} stroke="none" fill={s.color} fillOpacity={0.22} isAnimationActive={false} connectNulls={false} activeDot={false} legendType="square" />
            : <Line key={s.key} yAxisId={s.axis ?? 'left'} dataKey={s.key} name={s.name} stroke={s.color} strokeWidth={s.width ?? 2} strokeDasharray={s.dash}
                type={s.kind === 'step' ? 'stepAfter' : 'linear'} dot={false} activeDot={{ r: 3 }} isAnimationActive={false} connectNulls={false} />)}
          <Tooltip
            isAnimationActive={false}
            labelFormatter={(x) => {
              const row = data.find((r) => (r as Record<string, unknown>)[xKey] === x) as Row | undefined;
              return row && xKey === 'mid' ? interval(row.t, row.end) : clock(Number(x), true);
            }}
            formatter={(v, _n, item) => fmtValue(v, fmt(String(item.dataKey)))}
            itemSorter={(item) => p.series.findIndex((s) => s.key === item.dataKey)}
          />
        </ComposedChart>
      )}
      {!empty && <SeriesLegend series={p.series} />}
      {p.note && <div className="chart-note">{p.note}</div>}
    </figure>
  );
}

export const TimeChart = memo(TimeChartImpl);
