import { useEffect, useState } from 'react';
import { getJson, type Health } from './api.ts';
import { Empty } from './components/States.tsx';
import { useRoute } from './hooks.ts';
import { Board } from './views/Board.tsx';
import { CompareView } from './views/CompareView.tsx';
import { LiveView } from './views/LiveView.tsx';
import { RunView } from './views/RunView.tsx';

/**
 * Is a live twin behind this server? `/healthz` answers under both `cctwin serve` (with
 * the twin's clock) and `cctwin dashboard` (without): no request fails to find out.
 */
function useTwinAvailable(): boolean | null {
  const [up, setUp] = useState<boolean | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    getJson<Health>('healthz', ctl.signal).then((h) => setUp(typeof h.clock === 'number'), (e: Error) => { if (e.name !== 'AbortError') setUp(false); });
    return () => ctl.abort();
  }, []);
  return up;
}

export function App() {
  const route = useRoute();
  const twin = useTwinAvailable();
  // The address cctwin serve prints (no route in the URL) opens the live twin; #/ is the board.
  useEffect(() => {
    if (twin && (window.location.hash === '' || window.location.hash === '#')) window.location.replace('#/live');
  }, [twin]);
  const at = route.view;
  return (
    <>
      <header className="top">
        <a className="brand" href="#/">cctwin</a>
        <nav>
          <a href="#/" className={at === 'board' ? 'active' : ''}>Scenarios</a>
          {twin && <a href="#/live" className={at === 'live' ? 'active' : ''} data-testid="nav-live">Live twin</a>}
        </nav>
        <span className="muted small">contact center digital twin · service level = answered within the threshold / offered, per channel</span>
      </header>
      {route.view === 'board' && <Board page={route.page} />}
      {route.view === 'run' && <RunView key={`${route.id}/${route.from}/${route.to}`} id={route.id} from={route.from} to={route.to} />}
      {route.view === 'compare' && <CompareView key={`c${route.id}`} id={route.id} />}
      {route.view === 'compare2' && <CompareView key={`c${route.a}/${route.b}`} a={route.a} b={route.b} />}
      {route.view === 'live' && <LiveView available={twin} />}
      {route.view === 'unknown' && <main><Empty testId="unknown-route">Nothing at <code>{route.hash}</code>. <a href="#/">Back to the scenarios</a></Empty></main>}
    </>
  );
}
