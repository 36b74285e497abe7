import { record, shimState } from '../state.js';

/**
 * k6/http over the test's fake target (synchronous, like k6's): each request is handed to
 * shimState().target, which answers { status, body, ms }; ms moves the virtual clock (a
 * long-poll that holds). Status 0 is a network error, as in k6. Records http_reqs,
 * http_req_duration and http_req_failed (k6's default: failed unless 200-399).
 */

/** @param {string} method @param {string} url @param {any} body @param {Record<string, any>} [params] */
function request(method, url, body, params) {
  const s = shimState();
  if (s.initContext) throw new Error('k6 shim: HTTP requests are not allowed in the init context');
  if (!s.target) throw new Error('k6 shim: no fake target');
  const p = params || {};
  if (p.timeout !== undefined && !(typeof p.timeout === 'number' || /^\d+(\.\d+)?(ms|s|m|h)$/.test(String(p.timeout)))) throw new Error(`k6 shim: bad timeout ${p.timeout}`);
  const res = s.target({ method, url, body: body === undefined || body === null ? null : String(body), params: p });
  const ms = res.ms || 0;
  s.now += ms;
  const tags = Object.assign({ method, url, status: String(res.status) }, p.tags || {});
  if (tags.name === undefined) tags.name = url;
  record('http_reqs', 1, tags);
  record('http_req_duration', ms, tags);
  record('http_req_failed', res.status >= 200 && res.status < 400 ? 0 : 1, tags);
  const bodyText = res.body === undefined ? null : res.body;
  return {
    status: res.status,
    body: bodyText,
    error: res.error || '',
    error_code: res.status === 0 ? 1000 : res.status >= 400 ? 1400 : 0,
    headers: {},
    request: { method, url, body: body == null ? '' : String(body), headers: p.headers || {} },
    json() { return JSON.parse(String(bodyText)); },
  };
}

/** @param {string} url @param {Record<string, any>} [params] */
const get = (url, params) => request('GET', url, null, params);
/** @param {string} url @param {any} body @param {Record<string, any>} [params] */
const post = (url, body, params) => request('POST', url, body, params);

export { request, get, post };
export default { request, get, post };
