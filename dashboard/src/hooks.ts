import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { ApiError, getJson } from './api.ts';
import { parseHash, type Route } from './route.ts';

export type Fetched<T> =
  | { status: 'loading' }
  | { status: 'error'; error: ApiError }
  | { status: 'ok'; data: T };

/**
 * GET a JSON answer while `url` is set: loading, then the data or the error. A new url
 * (or reload) aborts the request in flight; an aborted request changes nothing.
 */
export function useJson<T>(url: string | null): Fetched<T> & { reload: () => void } {
  const [state, setState] = useState<Fetched<T>>({ status: 'loading' });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (url === null) return;
    const ctl = new AbortController();
    setState({ status: 'loading' });
    getJson<T>(url, ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ status: 'ok', data }); },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setState({ status: 'error', error: e instanceof ApiError ? e : new ApiError(0, 'UNKNOWN', String((e as Error)?.message ?? e)) });
      },
    );
    return () => ctl.abort();
  }, [url, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

const subscribeHash = (cb: () => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

/** The current hash route, re-rendered on hashchange. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribeHash, () => window.location.hash, () => '');
  return parseHash(hash);
}

/** The window's width (re-rendered on resize, at most every 200 ms). */
export function useWidth(): number {
  const [w, setW] = useState(() => window.innerWidth);
  useEffect(() => {
    let t: ReturnType<typeof setTimeout> | null = null;
    const on = () => {
      if (t !== null) clearTimeout(t);
      t = setTimeout(() => setW(window.innerWidth), 200);
    };
    window.addEventListener('resize', on);
    return () => { window.removeEventListener('resize', on); if (t !== null) clearTimeout(t); };
  }, []);
  return w;
}

/**
 * Marks the page as drawn for tests and the benchmark: two animation frames after the
 * view rendered with its data (the first frame painted), `document.body.dataset.ready`
 * names the view and `window.__cctwinDrawn` holds performance.now().
 */
export function useDrawn(view: string, ready: boolean): void {
  useEffect(() => {
    if (!ready) return;
    let id = requestAnimationFrame(() => {
      id = requestAnimationFrame(() => {
        document.body.dataset.ready = view;
        (window as unknown as { __cctwinDrawn?: number }).__cctwinDrawn = performance.now();
      });
    });
    return () => {
      cancelAnimationFrame(id);
      if (document.body.dataset.ready === view) delete document.body.dataset.ready;
    };
  }, [view, ready]);
}
