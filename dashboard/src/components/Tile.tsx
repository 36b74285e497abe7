import type { ReactNode } from 'react';

export interface TileProps {
  label: string;
  value: string;
  /** the 95% CI half-width, formatted ("± 1.0 pp"), or "" */
  ci?: string;
  /** the SLA target, formatted ("≥ 95.0%"), and whether it is met */
  target?: string;
  met?: boolean | null;
  note?: ReactNode;
  testId?: string;
}

/** A KPI against its target: value, 95% CI, target, pass or fail in words and colour. */
export function Tile({ label, value, ci, target, met, note, testId }: TileProps) {
  const status = met === true ? 'pass' : met === false ? 'fail' : 'none';
  return (
    <div className={`tile tile-${status}`} data-testid={testId}>
      <div className="tile-label">{label}</div>
      <div className="tile-value" data-role="value">{value}</div>
      <div className="tile-ci">{ci ? `${ci} (95% CI)` : '\u00a0'}</div>
      {target !== undefined && (
        <div className="tile-target">
          target {target} <Badge met={met ?? null} />
        </div>
      )}
      {note && <div className="tile-note">{note}</div>}
    </div>
  );
}

export function Badge({ met, title }: { met: boolean | null; title?: string }) {
  const [cls, text] = met === true ? ['badge-pass', '✓ pass'] : met === false ? ['badge-fail', '✗ fail'] : ['badge-none', 'n/a'];
  return <span className={`badge ${cls}`} title={title}>{text}</span>;
}
