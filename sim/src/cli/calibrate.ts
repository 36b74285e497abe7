import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeSkipped, type SkippedRow } from '../calibration/bad-rows.ts';
import { LOG_FORMATS, readCallLogs, type LogFormat } from '../calibration/call-log.ts';
import { countsScenarioYaml, fitCounts, readCounts } from '../calibration/counts.ts';
import { fitCalls, HANDLE_MODES, type HandleMode } from '../calibration/fit.ts';
import { acrossDays, fitJson, HOURLY_NEEDS, mainDayType, scenarioYaml } from '../calibration/fitted-scenario.ts';
import { requireAgents, requireFittable } from '../calibration/log-needs.ts';
import { STAFFING_METHODS, type StaffingMethod } from '../calibration/observed-day.ts';
import { parseScenarioText } from '../config/load.ts';
import { SimError } from '../errors.ts';
import { checkFiles } from './files.ts';
import { FlagChecker } from './options.ts';
import type { Io } from './io.ts';

/** `cctwin calibrate LOG... --out scenarios/fitted/NAME.yaml`: fit a scenario to call logs. */

/** The sidecar of a scenario file: NAME.yaml -> NAME.fit.json. */
export function sidecarOf(file: string): string {
  return join(dirname(file), `${basename(file).replace(/\.ya?ml$/i, '')}.fit.json`);
}

/**
 * Checks that a fitted scenario loads before it is written. log-needs.ts refuses the logs
 * a fit cannot be made from; should a fit still come out invalid, the error is about
 * the log and the fitted values, not about a line of a file that was never written.
 */
export function loadsOrRefuse(yaml: string, file: string, sources: string): void {
  try {
    parseScenarioText(yaml, file);
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    throw new SimError('SIM_ERR_CALL_LOG', `cannot fit a scenario to ${sources}: the values fitted to the log are not a valid scenario (too few or too uniform calls?)`,
      e.issues.map((i) => ({ path: `fitted ${i.path}`, value: i.value, message: i.message })));
  }
}

/**
 * With flag problems to report, the logs that cannot be read are listed with them, in
 * the reader's words (without flag problems the reader lists them with the bad rows).
 */
export function unreadableLogs(f: FlagChecker, logs: readonly string[]): void {
  if (f.issues.length === 0) return;
  for (const log of logs) {
    try {
      if (statSync(log).isDirectory()) f.issues.push({ path: 'LOG', value: log, message: 'is a directory' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      f.issues.push({ path: 'LOG', value: log, message: code === 'ENOENT' ? 'no such file' : `cannot be read (${code})` });
    }
  }
}

/** Bad rows shown on stderr; the rest are counted (all of them are in the JSON). */
const SKIPPED_SHOWN = 10;

/** Lists the bad rows skipped (`--max-bad-rows`) on stderr: the first few with their line and problems, then a count. */
export function reportSkipped(io: Io, rows: readonly SkippedRow[], limit: number, where: string): void {
  if (rows.length === 0) return;
  io.err(`skipped ${rows.length} bad row${rows.length === 1 ? '' : 's'} (--max-bad-rows ${limit}):`);
  for (const r of rows.slice(0, SKIPPED_SHOWN)) io.err(`  ${describeSkipped(r)}`);
  if (rows.length > SKIPPED_SHOWN) io.err(`  ... and ${rows.length - SKIPPED_SHOWN} more (all in ${where})`);
}

export async function cmdCalibrate(io: Io, logs: string[], o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const format = String(o.format ?? 'anonbank');
  if (!LOG_FORMATS.includes(format as LogFormat) && format !== 'counts') f.fail('format', format, `must be one of ${[...LOG_FORMATS, 'counts'].join(', ')}`);
  const handle = String(o.handle ?? 'empirical');
  if (!HANDLE_MODES.includes(handle as HandleMode)) f.fail('handle', handle, `must be one of ${HANDLE_MODES.join(', ')}`);
  const out = o.out;
  if (typeof out !== 'string' || out === '') f.fail('out', out, 'is required: the scenario file to write, e.g. scenarios/fitted/NAME.yaml');
  else if (!/\.ya?ml$/i.test(out)) f.fail('out', out, 'must end in .yaml or .yml');
  else {
    checkFiles(f, {
      inputs: logs.map((l) => ({ flag: '', value: l, what: 'a log given to fit' })),
      outputs: [
        { flag: 'out', value: out, what: 'the scenario', makesFolder: true },
        { flag: 'out', value: out, path: sidecarOf(out), what: 'its sidecar', makesFolder: true },
      ],
    });
  }
  const interval = f.number('interval', o.interval ?? '900', { integer: true, exclusiveMin: 0 });
  if (interval !== undefined && 86400 % interval !== 0) f.fail('interval', String(interval), 'must divide a day (86400 s), e.g. 900 or 1800');
  const shortCall = f.number('short-call', o.shortCall ?? '10', { min: 0 })!;
  const redialWindow = f.number('redial-window', o.redialWindow ?? '3600', { exclusiveMin: 0 })!;
  const maxBadRows = f.number('max-bad-rows', o.maxBadRows ?? '0', { integer: true, min: 0 });
  const staffing = String(o.staffing ?? 'present');
  if (!STAFFING_METHODS.includes(staffing as StaffingMethod)) f.fail('staffing', staffing, `must be one of ${STAFFING_METHODS.join(', ')}`);
  unreadableLogs(f, logs);
  f.done('calibrate');
  const file = out as string;
  const name = typeof o.name === 'string' ? o.name : basename(file).replace(/\.ya?ml$/i, '');
  if (format === 'counts') {
    const side = sidecarOf(file);
    const { rows, skippedRows } = readCounts(logs, { maxBadRows });
    reportSkipped(io, skippedRows, maxBadRows!, `${basename(side)}, skippedRows`);
    const cf = fitCounts(rows, { name, interval: interval!, sources: logs.map((l) => basename(l)) });
    if (skippedRows.length > 0) cf.skippedRows = skippedRows;
    const yaml = countsScenarioYaml(cf, basename(side));
    loadsOrRefuse(yaml, file, logs.map((l) => basename(l)).join(', '));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, yaml);
    writeFileSync(side, `${JSON.stringify(cf, null, 1)}\n`);
    io.out(`${cf.rows} bins of ${cf.binSeconds / 60} min, ${cf.calls} calls over ${cf.days} days, ${cf.firstDate} to ${cf.lastDate}`);
    for (const [k, w] of Object.entries(cf.byWeekday)) io.out(`  ${k.padEnd(9)} ${w!.dailyTotal.mean} calls/day, gamma CV ${acrossDays(w!.dailyTotal.gammaCv)} (${w!.days} days)`);
    io.out(`  pooled day-level gamma CV ${acrossDays(cf.pooled.gammaCv)}; hourly variance/mean ${acrossDays(cf.hourlyDispersion, HOURLY_NEEDS)}`);
    io.out(`wrote ${file} and ${side} (handle time and agents are placeholders: counts carry no service data)`);
    return 0;
  }
  const sidecar = sidecarOf(file);
  const { calls, dropped, skippedRows } = readCallLogs(logs, format as LogFormat, { maxBadRows });
  reportSkipped(io, skippedRows, maxBadRows!, `${basename(sidecar)}, skippedRows`);
  const sources = logs.map((l) => basename(l));
  requireFittable(calls, sources.join(', '), { handle: handle as HandleMode, shortCall });
  const fit = fitCalls(calls, { name, interval: interval!, shortCall, redialWindow, staffing: staffing as StaffingMethod, threshold: 20, sources, handle: handle as HandleMode });
  requireAgents(fit.staffing.perDayType[mainDayType(fit)]!, sources.join(', '));
  // Last in the sidecar, and only when rows were skipped: a clean log's fit is unchanged.
  if (skippedRows.length > 0) fit.skippedRows = skippedRows;
  const yaml = scenarioYaml(fit, basename(sidecar));
  loadsOrRefuse(yaml, file, sources.join(', ')); // never write a scenario that does not load
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, yaml);
  writeFileSync(sidecar, fitJson(fit));
  const wd = fit.arrivals.weekday ?? Object.values(fit.arrivals)[0]!;
  io.out(`${calls.length} calls (${dropped} PHANTOM dropped${skippedRows.length > 0 ? `, ${skippedRows.length} bad rows skipped` : ''}) over ${fit.days} days, ${fit.firstDate} to ${fit.lastDate}`);
  io.out(`  arrivals   ${wd.dailyTotal.mean} offered/day on ${wd.days} main days; day-level gamma CV ${acrossDays(wd.dailyTotal.gammaCv)}`);
  io.out(`  handle     mean ${fit.handleTime.all.mean} s, cv ${fit.handleTime.all.cv}; KS ${fit.handleTime.all.ks}`);
  for (const [k, c] of Object.entries(fit.classes)) io.out(`  class      ${k}: ${(c!.share * 100).toFixed(1)}% of offered, abandonment ${(c!.abandonRate * 100).toFixed(1)}%, handle mean ${c!.handleTime.mean} s, patience ${c!.patience.chosen}`);
  io.out(`  patience   ${fit.patience.chosen} (${fit.patience.fits.map((x) => `${x.kind} KS ${x.ksVsKm}`).join(', ')})`);
  io.out(fit.redial.identifiedAbandoned > 0 ? `  redial     ${(fit.redial.probability * 100).toFixed(1)}% of identified abandoners within ${fit.redial.windowSeconds} s` : '  redial     not measured (no identified customer abandoned)');
  io.out(`  ivr        mean ${fit.ivr.mean} s`);
  io.out(`wrote ${file} and ${sidecar}`);
  return 0;
}
