import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileVariant, readScenarioText } from '../../sim/src/experiments/overrides.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { loadPlan, type LoadPlan, type LoadPlanOptions } from '../../twin-api/load/plan.ts';
import { COUNT_FIELDS, emptyCounts, type LoadCounts } from '../../twin-api/load/summary.ts';
import { cli } from '../fixtures/cli.ts';
// @ts-expect-error: plain JavaScript (the shim of k6's modules)
import { loadScript } from './shim/run.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const scenario = (name: string) => join(ROOT, 'scenarios', name);
export const SMALL = join(ROOT, 'test/fixtures/twin-small.yaml');
export const fixture = (name: string) => join(ROOT, 'test/k6/fixtures', name);

export function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cctwin-k6-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

export function compiled(file: string, seed?: number): ModelConfig {
  return compileVariant(readScenarioText(file), file, [], seed).cfg;
}

export function planOf(file: string, o: LoadPlanOptions = {}): LoadPlan {
  return loadPlan(compiled(file, o.seed), o);
}

/** `cctwin k6 FILE ARGS --out DIR/NAME`, checked to succeed; returns the script's path and text. */
export async function writeScript(dir: string, name: string, file: string, ...args: string[]): Promise<{ path: string; text: string; out: string }> {
  const path = join(dir, name);
  const r = await cli('k6', file, ...args, '--out', path);
  if (r.code !== 0) throw new Error(`cctwin k6 failed (${r.code}): ${r.err}`);
  return { path, text: readFileSync(path, 'utf8'), out: r.out };
}

export interface Loaded {
  mod: Record<string, any>;
  options: { scenarios: Record<string, Record<string, any>>; thresholds: Record<string, string[]> };
}

export async function load(text: string, dir: string, env: Record<string, string> = {}): Promise<Loaded> {
  return loadScript(text, join(dir, 'shim-copies'), env) as Promise<Loaded>;
}

export interface FakeRequest { method: string; url: string; body: string | null; params: { headers?: Record<string, string>; tags?: Record<string, string>; timeout?: string } }
export interface FakeResponse { status: number; body?: string | null; ms?: number }

/**
 * A fake target with the twin's routes, whose contacts' fates are set by the order they
 * are created in (a mix of every outcome, POST failures, polls that time out first, polls
 * that never see an outcome, a 404 and a 429), and that keeps the true counts each group
 * should report.
 */
export function fakeTarget(o: { base: string; threshold: number; groupOf: (type: string) => string; token?: string; clock: () => number }) {
  const truth = new Map<string, LoadCounts>();
  const counts = (type: string) => {
    const g = o.groupOf(type);
    if (!truth.has(g)) truth.set(g, emptyCounts());
    return truth.get(g)!;
  };
  interface Contact { type: string; fate: string; wait: number; timeoutsLeft: number; stuck: boolean; busyOnce: boolean; gone: boolean }
  const contacts = new Map<string, Contact>();
  const typesSent = new Map<string, number>();
  /** each creation: its type and the (virtual) wall clock */
  const posts: { type: string; at: number }[] = [];
  const problems: string[] = [];
  let n = 0;
  const FATES = ['blocked', 'deflected', 'ivrHangup', 'abandoned', 'answered:5', 'answered:20', 'answered:45', 'completed:0', 'lost', 'unfinished', 'dropped:12.5'];
  const json = (status: number, v: unknown, ms = 1): FakeResponse => ({ status, body: JSON.stringify(v), ms });

  function handle(req: FakeRequest): FakeResponse {
    if (o.token !== undefined && req.params.headers?.authorization !== `Bearer ${o.token}`) problems.push(`${req.method} ${req.url}: no bearer token`);
    const tags = req.params.tags ?? {};
    if (!tags.type || !tags.channel || !tags.name) problems.push(`${req.method} ${req.url}: tags ${JSON.stringify(tags)}`);
    if (req.method === 'POST' && req.url === `${o.base}/v1/contacts`) {
      const body = JSON.parse(req.body ?? '{}') as { type?: string };
      const type = String(body.type);
      if (tags.type !== type) problems.push(`POST tagged ${tags.type} for a ${type}`);
      typesSent.set(type, (typesSent.get(type) ?? 0) + 1);
      posts.push({ type, at: o.clock() });
      const c = counts(type);
      c.sent++;
      const i = n++;
      if (i % 53 === 52) { c.failed++; return json(503, { code: 'TWIN_ERR_ENGINE_STOPPED' }); }
      const [fate, w] = FATES[i % FATES.length].split(':');
      const id = `c${i}`;
      const contact: Contact = { type, fate, wait: Number(w ?? 0), timeoutsLeft: i % 7 === 3 ? 1 : 0, stuck: i % 101 === 17, busyOnce: i % 61 === 5, gone: i % 89 === 11 };
      contacts.set(id, contact);
      const atOnce = fate === 'blocked' || fate === 'deflected';
      // the outcome this contact must be counted as (blocked and deflected are known without a poll)
      if (!atOnce && (contact.stuck || contact.gone)) c.noOutcome++;
      else if (fate === 'answered' || fate === 'completed' || fate === 'dropped') {
        c.answered++;
        c.waitSum += contact.wait;
        if (contact.wait <= o.threshold) c.answeredWithin++;
      } else (c as unknown as Record<string, number>)[fate]++;
      return json(202, { id, status: atOnce ? fate : 'ivr', links: { self: `/v1/contacts/${id}` } }, 2);
    }
    const m = /^(.*)\/v1\/contacts\/([^/?]+)\?wait=answered&timeout=(\d+)$/.exec(req.url);
    if (req.method === 'GET' && m && m[1] === o.base) {
      const timeout = Number(m[3]);
      if (!(timeout >= 1 && timeout <= 300)) problems.push(`poll timeout ${timeout}`);
      if (!(parseFloat(String(req.params.timeout)) > timeout)) problems.push(`request timeout ${req.params.timeout} not above the poll's ${timeout} s`);
      const c = contacts.get(decodeURIComponent(m[2]));
      if (!c) { problems.push(`poll of unknown ${m[2]}`); return json(404, {}); }
      if (c.gone) return json(404, { code: 'TWIN_ERR_NOT_FOUND' });
      if (c.busyOnce) { c.busyOnce = false; return json(429, { code: 'TWIN_ERR_TOO_MANY_WAITERS' }); }
      if (c.stuck || c.timeoutsLeft > 0) {
        c.timeoutsLeft--;
        return json(200, { status: 'queued', ended: false, wait: 3, timedOut: true }, timeout * 1000);
      }
      const answered = c.fate === 'answered' || c.fate === 'completed' || c.fate === 'dropped';
      return json(200, { status: c.fate, ended: !answered || c.fate !== 'answered', wait: answered || c.fate === 'abandoned' ? c.wait : null }, 40);
    }
    problems.push(`unexpected ${req.method} ${req.url}`);
    return json(404, {});
  }
  return { handle, truth, problems, typesSent, posts };
}

export function addInto(a: LoadCounts, b: Partial<LoadCounts>): LoadCounts {
  for (const k of COUNT_FIELDS) a[k] += b[k] ?? 0;
  return a;
}
