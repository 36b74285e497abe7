import { writeFileSync } from 'node:fs';
import { firstMeasuredInterval } from '../config/model-config.ts';
import { SimError } from '../errors.ts';
import { decodeResult, intervalSummaries, KPIS, TOTALS_MIXED, type IntervalSummary, type Kpi, type ReplicationResult, type RunSummary } from '../metrics/summary.ts';
import { BREAKDOWN_KPIS } from '../experiments/paired.ts';
import { channelsOf, deadlineChannelsOf } from '../experiments/kpi-scope.ts';
import type { ModelConfig } from '../config/model-config.ts';
import { channelTable, shownTotals, warmupLine, weeklyTables } from './report.ts';
import type { IntervalRow, RunRecord, RunStore } from '../runs/store.ts';
import { checkFiles, openStore, type OutputFile } from './files.ts';
import { FlagChecker } from './options.ts';
import { fmtHalfWidth, fmtKpi, table } from './table.ts';
import type { Io } from './io.ts';

/**
 * `cctwin runs list | show ID | export ID --format csv|json`: what the run store holds.
 * The store is opened read-only: these commands never change it (nor any other file
 * given as --db), and work on a store in a read-only file or folder.
 */

/** Checks the flags and the store (read-only, and every problem at once), then opens it to read. */
function openToRead(f: FlagChecker, o: Record<string, unknown>, command: string, outputs: OutputFile[] = []): RunStore {
  const db = String(o.db);
  checkFiles(f, { store: { arg: { flag: 'db', value: db, what: 'the run store' }, access: 'read' }, outputs });
  f.done(`runs ${command}`);
  return openStore(db, 'read');
}

function runId(f: FlagChecker, raw: string): number | undefined {
  const id = f.number('ID', raw, { integer: true, min: 1 });
  // FlagChecker names flags --X; the run id is an argument.
  const last = f.issues.at(-1);
  if (id === undefined && last?.path === '--ID') f.issues[f.issues.length - 1] = { ...last, path: 'ID' };
  return id;
}

function getRun(store: RunStore, id: number, raw: string, command: string): RunRecord {
  const rec = store.getRun(id);
  if (!rec) {
    throw new SimError('SIM_ERR_BAD_ARGUMENT', `cctwin runs ${command}: no such run`, [
      { path: 'ID', value: raw, message: `is not a run in ${store.file} (see cctwin runs list)` },
    ]);
  }
  return rec;
}

/** What `runs show --json` and `runs list --json` give for one run. */
function recordJson(r: RunRecord): object {
  return {
    id: r.id, kind: r.kind, parentId: r.parentId, name: r.name, status: r.status, created: r.created, updated: r.updated,
    seed: r.seed, codeVersion: r.codeVersion, replications: r.replications, options: r.options, error: r.error, note: r.note,
    process: r.pid === null ? null : { pid: r.pid, host: r.host },
  };
}

/** A live twin's day: where it ended, and the clients' contacts counted apart from the model's. */
function liveLines(l: { clock: number; horizon: number; cutAt: number | null; speed: unknown; arrivals: string; external: { created: number; answered: number; answeredWithin: number; waitSum: number; outcomes: Record<string, number>; open: number } }): string[] {
  const x = l.external;
  const outcomes = Object.entries(x.outcomes).map(([k, v]) => `${k} ${v}`).join(', ') || 'none ended';
  return [
    `live twin (speed ${String(l.speed)}, arrivals ${l.arrivals}): ${l.cutAt === null ? `the day ran to its end (horizon ${l.horizon} s)` : `the day was cut at simulated ${l.cutAt.toFixed(0)} s of ${l.horizon} s`}`,
    `contacts from clients (counted in the tables below with the model's own): ${x.created} created; ${x.answered} answered, ${x.answeredWithin} within the threshold; ${outcomes}${x.open > 0 ? `; ${x.open} in service when the day was cut` : ''}`,
  ];
}

/** The kind as listed: a live twin's day is a run marked live; a staffing search (cctwin staff) a run marked staff. */
function kindText(r: RunRecord): string {
  return r.options?.live === true ? 'run (live)' : r.options?.staffing ? 'run (staff)' : r.kind;
}

export function cmdList(io: Io, o: Record<string, unknown>): number {
  const f = new FlagChecker();
  const limit = f.number('limit', o.limit ?? '50', { integer: true, min: 1 });
  const store = openToRead(f, o, 'list');
  try {
    const runs = store.listRuns(limit!);
    if (o.json) io.out(JSON.stringify(runs.map(recordJson), null, 2));
    else if (runs.length === 0) io.out(`no runs in ${store.file}`);
    else io.out(table(['id', 'kind', 'scenario', 'status', 'replications', 'created'], runs.map((r) => [String(r.id), kindText(r), r.name, r.status, String(r.replications), r.created])));
    return 0;
  } finally {
    store.close();
  }
}

export function cmdShow(io: Io, rawId: string, o: Record<string, unknown>): number {
  const f = new FlagChecker();
  const id = runId(f, rawId);
  const store = openToRead(f, o, 'show');
  try {
    const r = getRun(store, id!, rawId, 'show');
    const children = store.children(r.id);
    if (o.json) {
      io.out(JSON.stringify({ ...recordJson(r), scenario: r.scenario, result: r.result, children: children.map(recordJson) }, null, 2));
      return 0;
    }
    io.out(table(['field', 'value'], [
      ['id', String(r.id)], ['kind', kindText(r)], ['scenario', r.name], ['status', r.status], ['created', r.created], ['updated', r.updated],
      ['seed', String(r.seed ?? '-')], ['code version', r.codeVersion], ['replications', String(r.replications)],
      ...(r.parentId !== null ? [['part of', String(r.parentId)]] : []),
      ...(r.pid !== null ? [['process', `pid ${r.pid} on ${r.host}`]] : []),
      ...(r.note ? [['note', r.note]] : []),
      ...(r.error ? [['error', r.error]] : []),
    ]));
    const res = r.result as Record<string, any> | null;
    if (res?.staffing) {
      const st = res.staffing;
      const cost = st.costUnit === 'agent-hours' ? `${Number(st.cost).toLocaleString('en-US', { maximumFractionDigits: 1 })} agent-hours` : `${Math.round(st.cost).toLocaleString('en-US')} ${st.costUnit}`;
      io.out(`\nstaffing search: ${st.status}; targets met: ${st.targetsMet ? 'yes' : 'no'}${st.localMinimum ? ' (a local minimum)' : ''}; cost ${cost}; ${st.iterations.length} iterations; ${st.groups.length} groups; targets: ${st.targets.map((t: { name: string }) => t.name).join(', ')}`);
      io.out('(the staffing per group and interval: runs show --json, result.staffing.staffing; the KPIs below are the staffing found)');
    }
    if (res?.byChannel && res?.totals) {
      // Channels first; the all-channel table keeps what adds up (waits and service levels per channel).
      const sum = res as unknown as RunSummary;
      const channels = Object.keys(sum.byChannel);
      if (res.live) io.out(`\n${liveLines(res.live).join('\n')}`);
      else if (res.warmupEffective !== undefined) io.out(`\n${warmupLine(sum)}`);
      io.out(`\nby channel (mean ± 95% CI half-width${res.live ? '; one live day: no CI' : ''})`);
      io.out(channelTable(sum));
      io.out(`\nall channels (${channels.join(' + ')}): counts that add up; waits and service levels are per channel above`);
      io.out(table(['KPI', 'mean', '95% CI'], shownTotals(sum).map((k) => [k, fmtKpi(k, res.totals[k]?.mean), fmtHalfWidth(k, res.totals[k]?.ci95)])));
      for (const line of weeklyTables(sum)) io.out(line);
    } else if (res?.totals) {
      io.out('');
      io.out(table(['KPI', 'mean', '95% CI'], KPIS.map((k) => [k, fmtKpi(k, res.totals[k]?.mean), fmtHalfWidth(k, res.totals[k]?.ci95)])));
    }
    if (res?.paired) {
      io.out('');
      io.out(`all channels${res.comparisons ? ' (per channel and contact type: runs show --json, result.comparisons)' : ''}: B - A of the totals; ${TOTALS_MIXED.join(', ')} mix channels`);
      io.out(table(['KPI', 'A', 'B', 'B - A', 'paired 95% CI', 'significant'], KPIS.map((k) => {
        const p = res.paired[k];
        if (p === undefined) return [k, '-', '-', '-', '-', '-']; // stored before the KPI existed
        return [k, fmtKpi(k, p.meanA), fmtKpi(k, p.meanB), fmtKpi(k, p.difference), fmtHalfWidth(k, p.ci95), p.significant === null ? '-' : p.significant ? 'yes' : 'no'];
      })));
    }
    if (children.length > 0) {
      io.out('');
      io.out(table(['id', 'kind', 'status', 'replications', 'options'], children.map((c) => [String(c.id), c.kind, c.status, String(c.replications), JSON.stringify(c.options.assignments ?? c.options)])));
    }
    return 0;
  } finally {
    store.close();
  }
}

const csvCell = (v: unknown) => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Long interval rows -> one row per (run, arm, interval) with KPI mean and ci95 columns. */
function wideIntervals(rows: IntervalRow[]): Map<string, { arm: number; interval: number; start: number; end: number; values: Map<string, IntervalRow> }> {
  const out = new Map<string, { arm: number; interval: number; start: number; end: number; values: Map<string, IntervalRow> }>();
  for (const r of rows) {
    const key = `${r.arm}:${r.interval}`;
    let w = out.get(key);
    if (!w) { w = { arm: r.arm, interval: r.interval, start: r.start, end: r.end, values: new Map() }; out.set(key, w); }
    w.values.set(r.kpi, r);
  }
  return out;
}

/** What an arm's all-channel interval figures are, for the JSON export (as totalsScope in a run's result). */
function intervalsScope(a: { channels: string[]; byChannel: IntervalSummary[] | null }): { channels: string[]; mixed: readonly Kpi[]; note: string } {
  if (a.channels.length <= 1) return { channels: a.channels, mixed: [], note: `one channel (${a.channels[0] ?? 'none'}): the interval figures are its own` };
  return {
    channels: a.channels,
    mixed: TOTALS_MIXED,
    note: `all channels together (${a.channels.join(', ')}): counts add up; ${TOTALS_MIXED.join(', ')} average across channels: ${a.byChannel ? 'read them in intervals[].byChannel' : 'the stored replications cannot give them per channel'}`,
  };
}

/** Whether interval i of an arm is in its warm-up (before the warm-up rounded up to whole intervals). */
function warmupOf(configs: { config: { warmup: number; intervalLength: number; nIntervals: number } }[]): (arm: number, interval: number) => boolean {
  return (arm, i) => {
    const c = configs[arm]?.config;
    return c !== undefined && i < firstMeasuredInterval(c);
  };
}

/**
 * One stored arm's interval figures per channel, from its replication buffers (the
 * store keeps only the all-channel interval rows): the replications the stored result
 * was summarised from (a compare: those every arm finished; a run: its first
 * `replications`). Null when they cannot be had (no buffers, a result layout of
 * another version) or do not give the stored all-channel rows back.
 */
function channelIntervals(store: RunStore, runId: number, arm: number, cfg: ModelConfig, common: Set<number> | null, count: number | null, stored: Map<number, Map<string, IntervalRow>>): IntervalSummary[] | null {
  let reps: ReplicationResult[];
  try {
    const bufs = [...store.replicationBuffers(runId, arm).entries()].filter(([r]) => common === null || common.has(r)).sort((a, b) => a[0] - b[0]);
    reps = bufs.slice(0, count ?? bufs.length).map(([, b]) => decodeResult(b, cfg));
  } catch {
    return null;
  }
  if (reps.length === 0) return null;
  const ivs = intervalSummaries(cfg, reps, 0, cfg.nIntervals, true);
  // The same replications as the stored rows, or none: compare what both have.
  const same = (a: number | null | undefined, b: number | null | undefined) =>
    (a === null || a === undefined) ? (b === null || b === undefined) : b !== null && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  for (const [i, row] of stored) {
    const iv = ivs[i];
    if (!iv) return null;
    for (const k of ['arrivals', 'offered', 'answered', 'serviceLevel', 'asa'] as const) {
      const r = row.get(k);
      if (r !== undefined && !same(r.mean, iv[k].mean)) return null;
    }
  }
  return ivs;
}

/** The channels of an arm (phone first) and those with a reply deadline. */
const armChannels = (cfg: ModelConfig) => ({ channels: channelsOf(cfg) as string[], deadline: deadlineChannelsOf(cfg) as string[] });

/** What one stored part (a run, a compare, a sweep point) exports per arm: its interval rows, and per channel when it has several. */
function exportedArms(store: RunStore, rec: RunRecord) {
  const configs = store.armConfigs(rec.id);
  const wide = [...wideIntervals(store.intervals(rec.id)).values()];
  const reps = store.replicationTotals(rec.id);
  // A compare's summaries are of the replications every arm finished.
  const common = configs.length > 1
    ? new Set(reps.filter((r) => configs.every((c) => reps.some((x) => x.arm === c.arm && x.replication === r.replication))).map((r) => r.replication))
    : null;
  const count = typeof (rec.result as { replications?: unknown } | null)?.replications === 'number' ? (rec.result as { replications: number }).replications : null;
  return configs.map((c) => {
    const { channels, deadline } = armChannels(c.config);
    const rows = wide.filter((w) => w.arm === c.arm);
    const byChannel = channels.length > 1
      ? channelIntervals(store, rec.id, c.arm, c.config, common, count, new Map(rows.map((w) => [w.interval, w.values])))
      : null;
    return { arm: c.arm, label: c.label, config: c.config, channels, deadline, rows, byChannel };
  });
}

/** A channel's estimate of k in an interval, or undefined where the channel does not give k (not a per-channel KPI; replyOnTime without a deadline). */
function channelEstimate(a: { deadline: string[]; byChannel: IntervalSummary[] | null }, interval: number, ch: string, k: Kpi) {
  if (!BREAKDOWN_KPIS.includes(k) || (k === 'replyOnTime' && !a.deadline.includes(ch))) return undefined;
  return a.byChannel?.[interval]?.byChannel?.[ch]?.[k] ?? { mean: null, ci95: null };
}

export function cmdExport(io: Io, rawId: string, o: Record<string, unknown>): number {
  const f = new FlagChecker();
  const format = String(o.format ?? '');
  if (format !== 'csv' && format !== 'json') f.fail('format', o.format, 'must be csv or json');
  const id = runId(f, rawId);
  const out = typeof o.out === 'string' ? o.out : null;
  const store = openToRead(f, o, 'export', out === null ? [] : [{ flag: 'out', value: out, what: 'the export file' }]);
  try {
    const r = getRun(store, id!, rawId, 'export');
    // A sweep exports its points; a run or compare itself.
    const parts = r.kind === 'sweep'
      ? [...store.sweepPoints(r.id).entries()].map(([point, p]) => ({ point, assignments: p.assignments, rec: store.getRun(p.runId)! }))
      : [{ point: null as number | null, assignments: null as unknown, rec: r }];
    let text: string;
    if (format === 'json') {
      text = JSON.stringify({
        ...recordJson(r), scenario: r.scenario, result: r.result,
        parts: parts.map((p) => {
          const arms = exportedArms(store, p.rec);
          const warm = warmupOf(arms);
          return {
            ...(p.point !== null ? { point: p.point, assignments: p.assignments, runId: p.rec.id, status: p.rec.status, result: p.rec.result } : {}),
            arms: arms.map((a) => a.label),
            replications: store.replicationTotals(p.rec.id),
            intervalsScope: arms.map((a) => ({ arm: a.label, ...intervalsScope(a) })),
            intervals: arms.flatMap((a) => a.rows.map((w) => ({
              arm: w.arm, interval: w.interval, start: w.start, end: w.end, warmup: warm(w.arm, w.interval),
              ...Object.fromEntries(KPIS.map((k) => [k, { mean: w.values.get(k)?.mean ?? null, ci95: w.values.get(k)?.ci95 ?? null }])),
              ...(a.byChannel ? {
                byChannel: Object.fromEntries(a.channels.map((ch) => [ch, Object.fromEntries(BREAKDOWN_KPIS.flatMap((k) => {
                  const e = channelEstimate(a, w.interval, ch, k);
                  return e === undefined ? [] : [[k, { mean: e.mean ?? null, ci95: e.ci95 ?? null }]];
                }))])),
              } : {}),
            }))),
          };
        }),
      }, null, 2);
    } else {
      // One channel: one row per interval, as ever. Several: a channel column, the
      // all-channel row of each interval without the KPIs that would mix channels
      // (TOTALS_MIXED), then a row per channel with the per-channel KPIs.
      const exported = parts.map((p) => ({ p, arms: exportedArms(store, p.rec) }));
      const perChannel = exported.some((e) => e.arms.some((a) => a.channels.length > 1));
      const header = ['run', ...(r.kind === 'sweep' ? ['point', 'assignments'] : []), 'arm', 'interval', 'start', 'end', ...(perChannel ? ['channel'] : []), ...KPIS.flatMap((k) => [k, `${k}_ci95`]), 'warmup'];
      const lines = [header.join(',')];
      for (const { p, arms } of exported) {
        const warm = warmupOf(arms);
        for (const a of arms) {
          if (a.channels.length > 1 && a.byChannel === null) {
            io.err(`runs export: run ${p.rec.id}${arms.length > 1 ? ` arm ${a.label}` : ''}: its replications cannot give the per-channel interval figures (${a.channels.join(', ')}); its all-channel rows leave out ${TOTALS_MIXED.join(', ')}, which would mix channels`);
          }
          const mixed = a.channels.length > 1;
          for (const w of a.rows) {
            const head = [p.rec.id, ...(r.kind === 'sweep' ? [p.point, p.assignments] : []), a.label ?? w.arm, w.interval, w.start, w.end];
            const tail = warm(w.arm, w.interval) ? 1 : 0;
            lines.push([
              ...head, ...(perChannel ? ['all'] : []),
              ...KPIS.flatMap((k) => (mixed && TOTALS_MIXED.includes(k) ? [null, null] : [w.values.get(k)?.mean, w.values.get(k)?.ci95])), tail,
            ].map(csvCell).join(','));
            if (!mixed || a.byChannel === null) continue;
            for (const ch of a.channels) {
              lines.push([
                ...head, ch,
                ...KPIS.flatMap((k) => {
                  const e = channelEstimate(a, w.interval, ch, k);
                  return [e?.mean ?? null, e?.ci95 ?? null];
                }), tail,
              ].map(csvCell).join(','));
            }
          }
        }
      }
      text = lines.join('\n');
    }
    if (out !== null) writeFileSync(out, `${text}\n`);
    else io.out(text);
    return 0;
  } finally {
    store.close();
  }
}
