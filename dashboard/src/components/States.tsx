import type { ReactNode } from 'react';
import type { ApiError } from '../api.ts';

/** The three states every fetch can be in besides its data: loading, empty, error. */

export function Loading({ what }: { what: string }) {
  return <div className="state state-loading" role="status" data-state="loading">Loading {what}…</div>;
}

export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return <div className="state state-empty" data-state="empty" data-testid={testId}>{children}</div>;
}

export function ErrorBox({ what, error, retry }: { what: string; error: ApiError; retry?: () => void }) {
  const why = error.status === 0
    ? 'The server did not answer: is cctwin serve (or cctwin dashboard) still running?'
    : error.status === 404
      ? 'Not found.'
      : `The server answered ${error.status}.`;
  return (
    <div className="state state-error" role="alert" data-state="error" data-code={error.code} data-status={error.status}>
      <strong>Could not load {what}.</strong> {why}
      <div className="state-detail"><code>{error.code}</code> {error.message}</div>
      {retry && <button type="button" onClick={retry}>Try again</button>}
    </div>
  );
}
