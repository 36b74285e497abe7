import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import type { ModelConfig } from '../config/model-config.ts';
import { replicateLogged } from '../engine/replicate.ts';
import { LOG_FIELDS, logRecords } from '../model/event-log.ts';
import { loadPolicy } from '../engine/policy-loader.ts';
import { KPIS, TOTALS_MIXED, type Kpi, type RunSummary } from '../metrics/summary.ts';
import { channelTable, deadlineChannels, shownTotals, warmupLine, weeklyTables } from './report.ts';
import { CHANNELS } from '../config/channels.ts';
import { compileVariant, readScenarioText } from '../experiments/overrides.ts';
import { precisionLabel, type PrecisionOutcome } from '../experiments/precision.ts';
import { executeRun, type RunOutcome } from '../runs/execute.ts';
import { batchSize, readExecutionFlags, scopeFlagPrecision, startWorkersEarly, storedOptions, withFlagIssues, withSession } from './execution.ts';
import { checkFiles } from './files.ts';
import { FlagChecker } from './options.ts';
import { fmtHalfWidth, fmtKpi, fmtTarget, table } from './table.ts';
import type { Io } from './io.ts';

export function printSummary(io: Io, s: RunSummary): void {
  io.out(`${s.scenario}: ${s.replications} replication${s.replications === 1 ? '' : 's'}, seed ${s.seed}, horizon ${(s.horizon / 3600).toFixed(2)} h`);
  io.out(warmupLine(s));
  const channels = CHANNELS.filter((c) => s.byChannel[c] !== undefined);
  const deadline = deadlineChannels(s);
  io.out('');
  io.out(`by channel (mean ± 95% CI half-width; serviceLevel: answered within ${s.threshold} s)`);
  io.out(channelTable(s));
  const types = Object.keys(s.byType);
  if (types.length > 0) {
    const tk: Kpi[] = ['offered', 'answered', 'serviceLevel', 'abandonRate', 'asa', 'aht', ...(deadline.size > 0 ? ['replyOnTime' as const] : [])];
    io.out('');
    io.out('by contact type (means; --json has the 95% CIs)');
    io.out(table(['type', 'channel', ...tk], types.map((t) => {
      const ch = s.typeChannels?.[t] ?? '';
      return [t, ch, ...tk.map((k) => (k === 'replyOnTime' && !deadline.has(ch) ? '-' : fmtKpi(k, s.byType[t][k].mean)))];
    })));
  }
  const sites = Object.keys(s.bySite);
  if (sites.length > 0) {
    const phone = channels.includes('phone');
    io.out('');
    io.out('by site (contacts by the site that took them; occupancy of the site\'s agents)');
    io.out(table(
      ['site', 'arrivals', 'offered', 'answered', ...(phone ? ['phone serviceLevel', 'phone asa'] : []), 'occupancy'],
      sites.map((n) => [
        n, fmtKpi('arrivals', s.bySite[n].arrivals.mean), fmtKpi('offered', s.bySite[n].offered.mean), fmtKpi('answered', s.bySite[n].answered.mean),
        ...(phone ? [fmtKpi('serviceLevel', s.bySiteChannel?.[n]?.phone?.serviceLevel.mean), fmtKpi('asa', s.bySiteChannel?.[n]?.phone?.asa.mean)] : []),
        fmtKpi('occupancy', s.bySite[n].occupancy.mean),
      ]),
    ));
  }
  io.out('');
  io.out(channels.length > 1
    ? `all channels (${channels.join(' + ')}): counts that add up; waits and service levels are per channel above`
    : `all channels (${channels.join('') || 'none'})`);
  io.out(table(['KPI', 'mean', '95% CI'], shownTotals(s).map((k) => [k, fmtKpi(k, s.totals[k].mean), fmtHalfWidth(k, s.totals[k].ci95)])));
  for (const line of weeklyTables(s)) io.out(line);
  if (s.sla.length > 0) {
    io.out('');
    io.out(table(
      ['SLA', 'scope', 'target', 'value', 'margin', 'met', 'intervals missed'],
      s.sla.map((t) => [
        t.name,
        t.scope === 'totals' ? `all channels (${channels.join(' + ')}${channels.length > 1 && TOTALS_MIXED.includes(t.kpi as Kpi) ? ', mixed' : ''})` : t.scope,
        `${t.direction === 'min' ? '>=' : '<='} ${fmtKpi(t.kpi, t.target)}`,
        fmtKpi(t.kpi, t.value),
        t.margin === null ? '-' : fmtKpi(t.kpi, t.margin),
        t.met === null ? '-' : t.met ? 'yes' : 'NO',
        `${t.missedIntervals.length}`,
      ]),
    ));
  }
  const p = s.performance;
  io.out('');
  io.out(p.simulatedDays > 0
    ? `${p.events.toLocaleString('en-US')} events in ${p.wallSeconds.toFixed(2)} s (${(p.eventsPerSecond / 1e6).toFixed(2)} M events/s, ${p.secondsPerSimulatedDay.toFixed(3)} s per simulated day)`
    : `no replication finished in ${p.wallSeconds.toFixed(2)} s`);
}

/** The result object of `run --json`: the summary, plus precision and a partial flag when they apply. */
export function runJson(r: RunOutcome): object {
  return {
    ...(r.status === 'interrupted' ? { status: 'interrupted', partial: true } : {}),
    ...r.summary,
    ...(r.precision ? { precision: r.precision } : {}),
  };
}

/** The precision line; `what` names the half-width judged (a run: the KPI's 95% CI where it was read; compare passes its own). */
export function printPrecision(io: Io, p: PrecisionOutcome, what = `${precisionLabel(p)} 95% half-width`): void {
  const hw = p.halfWidth === null ? 'undefined' : fmtKpi(p.kpi, p.halfWidth);
  io.out(p.met
    ? `precision: ${what} ${hw} <= ${fmtTarget(p.kpi, p.target)} after ${p.replications} replications`
    : `precision NOT reached: ${what} ${hw} > ${fmtTarget(p.kpi, p.target)} after ${p.replications} replications (the cap)`);
}

export function storedNote(io: Io, json: boolean, what: string, id: number | null, db: string): void {
  if (id === null) return;
  (json ? io.err : io.out)(`${what} ${id} saved in ${db}`);
}

export async function cmdRun(io: Io, file: string, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const x = readExecutionFlags(f, o, 1);
  const eventLog = typeof o.eventLog === 'string' ? o.eventLog : null;
  const out = typeof o.out === 'string' ? o.out : null;
  const outputs = [
    ...(out !== null ? [{ flag: 'out', value: out, what: 'the result file' }] : []),
    ...(eventLog !== null ? [{ flag: 'event-log', value: eventLog, what: 'the event log' }] : []),
  ];
  checkFiles(f, {
    inputs: [{ flag: '', value: file, what: 'the scenario file' }],
    store: { arg: { flag: 'db', value: x.db, what: 'the run store' }, access: 'write' },
    outputs,
  });
  const discardWorkers = await startWorkersEarly(f, x);
  try {
    const variant = withFlagIssues(f, 'run', () => {
      const v = compileVariant(readScenarioText(file), file, [...x.fixed, ...x.sets.map((s) => ({ path: s.path, value: s.values[0] }))], x.seed, x.allowPolicies);
      scopeFlagPrecision(f, x, [v.cfg]);
      return v;
    });
    // The scenario's plug-in routing policy is an input too, known once it compiled.
    const policy = variant.cfg.routing?.policy;
    if (policy !== undefined && /\.(ts|js|mjs)$/.test(policy)) checkFiles(f, { inputs: [{ flag: '', value: policy, what: "the scenario's routing policy" }], outputs });
    f.done('run');
    const { value: r, exitCode } = await withSession(io, { ...x, tasks: batchSize(x) }, ({ ctx }) => executeRun(ctx, {
      variant, replications: x.replications, precision: x.precision, maxReplications: x.maxReplications,
      options: { ...storedOptions(x), file },
    }));
    const json = JSON.stringify(runJson(r), null, 2);
    if (out !== null) writeFileSync(out, `${json}\n`);
    if (x.json) io.out(json);
    else {
      if (r.status === 'interrupted') io.out(`INTERRUPTED: partial result from the ${r.summary.replications} replication${r.summary.replications === 1 ? '' : 's'} that finished\n`);
      printSummary(io, r.summary);
      if (r.precision) printPrecision(io, r.precision);
    }
    storedNote(io, x.json, 'run', r.runId, x.db);
    if (eventLog !== null && r.status !== 'interrupted') {
      const n = await writeEventLog(variant.cfg, r.summary.replications, eventLog);
      (x.json ? io.err : io.out)(`event log: ${n.toLocaleString('en-US')} records in ${eventLog}`);
    }
    return exitCode(r.status);
  } finally {
    await discardWorkers();
  }
}

/**
 * The per-contact event log: the replications are run again on this thread with the
 * log on (same seeds, so the same contacts as the results above) and streamed to the
 * file as NDJSON, or CSV when the name ends in .csv.
 */
async function writeEventLog(cfg: ModelConfig, replications: number, file: string): Promise<number> {
  await loadPolicy(cfg);
  const fd = openSync(file, 'w');
  const csv = file.toLowerCase().endsWith('.csv');
  const types = cfg.types.map((t) => t.name), sites = cfg.sites.map((s) => s.name), groups = cfg.groups.map((g) => g.name);
  let n = 0;
  try {
    if (csv) writeSync(fd, `replication,${LOG_FIELDS.join(',')}\n`);
    for (let rep = 0; rep < replications; rep++) {
      replicateLogged(cfg, rep, (log) => {
        let text = '';
        for (const rec of logRecords(log, rep, types, sites, groups)) {
          text += csv ? `${Object.values(rec).map((v) => (v === null ? '' : String(v))).join(',')}\n` : `${JSON.stringify(rec)}\n`;
          n++;
        }
        writeSync(fd, text);
      });
    }
  } finally {
    closeSync(fd);
  }
  return n;
}
