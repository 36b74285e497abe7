/**
 * The URL holds the view and the run ids (hash routes), so that a view can be shared:
 *   #/                      the scenario board (?page=N: the recent runs' page)
 *   #/run/:id               a run (?from=S&to=S: a window at full resolution)
 *   #/compare/:id           a compare run (cctwin compare): its arms and paired differences
 *   #/compare/:idA/:idB     two runs side by side
 *   #/live                  the live twin
 */

export type Route =
  | { view: 'board'; page: number }
  | { view: 'run'; id: number; from?: number; to?: number }
  | { view: 'compare'; id: number }
  | { view: 'compare2'; a: number; b: number }
  | { view: 'live' }
  | { view: 'unknown'; hash: string };

const ID = /^[1-9][0-9]{0,14}$/;
const num = (s: string | null): number | undefined => {
  if (s === null || s.trim() === '') return undefined;
  const x = Number(s);
  return Number.isFinite(x) && x >= 0 ? x : undefined;
};

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '');
  const [path, query = ''] = h.split('?', 2);
  const q = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) {
    const page = num(q.get('page'));
    return { view: 'board', page: page !== undefined && Number.isInteger(page) && page >= 1 ? page : 1 };
  }
  if (parts[0] === 'run' && parts.length === 2 && ID.test(parts[1])) {
    const from = num(q.get('from')), to = num(q.get('to'));
    return { view: 'run', id: Number(parts[1]), ...(from !== undefined && to !== undefined && to > from ? { from, to } : {}) };
  }
  if (parts[0] === 'compare' && parts.length === 2 && ID.test(parts[1])) return { view: 'compare', id: Number(parts[1]) };
  if (parts[0] === 'compare' && parts.length === 3 && ID.test(parts[1]) && ID.test(parts[2])) return { view: 'compare2', a: Number(parts[1]), b: Number(parts[2]) };
  if (parts[0] === 'live' && parts.length === 1) return { view: 'live' };
  return { view: 'unknown', hash: `#${h}` };
}

export function hrefOf(r: Route): string {
  switch (r.view) {
    case 'board': return r.page > 1 ? `#/?page=${r.page}` : '#/';
    case 'run': return r.from !== undefined && r.to !== undefined ? `#/run/${r.id}?from=${r.from}&to=${r.to}` : `#/run/${r.id}`;
    case 'compare': return `#/compare/${r.id}`;
    case 'compare2': return `#/compare/${r.a}/${r.b}`;
    case 'live': return '#/live';
    case 'unknown': return r.hash;
  }
}

/** Where a run of the list opens: a compare in the compare view, anything else in the run view. */
export function runHref(item: { id: number; kind: string }): string {
  return item.kind === 'compare' ? hrefOf({ view: 'compare', id: item.id }) : hrefOf({ view: 'run', id: item.id });
}
