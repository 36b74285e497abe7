import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LOG_FORMATS, readCallLogs, type LogFormat } from '../calibration/call-log.ts';
import { countsScenarioYaml, fitCounts, readCounts } from '../calibration/counts.ts';
import { fitCalls, HANDLE_MODES, type HandleMode } from '../calibration/fit.ts';
import { fitJson, scenarioYaml } from '../calibration/fitted-scenario.ts';
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
  const staffing = String(o.staffing ?? 'present');
  if (!STAFFING_METHODS.includes(staffing as StaffingMethod)) f.fail('staffing', staffing, `must be one of ${STAFFING_METHODS.join(', ')}`);
  f.done('calibrate');
  const file = out as string;
  const name = typeof o.name === 'string' ? o.name : basename(file).replace(/\.ya?ml$/i, '');
  if (format === 'counts') {
    const cf = fitCounts(readCounts(logs), { name, interval: interval!, sources: logs.map((l) => basename(l)) });
    const side = sidecarOf(file);
    const yaml = countsScenarioYaml(cf, basename(side));
    parseScenarioText(yaml, file);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, yaml);
    writeFileSync(side, `${JSON.stringify(cf, null, 1)}\n`);
    io.out(`${cf.rows} bins of ${cf.binSeconds / 60} min, ${cf.calls} calls over ${cf.days} days, ${cf.firstDate} to ${cf.lastDate}`);
    for (const [k, w] of Object.entries(cf.byWeekday)) io.out(`  ${k.padEnd(9)} ${w!.dailyTotal.mean} calls/day, gamma CV ${w!.dailyTotal.gammaCv} (${w!.days} days)`);
    io.out(`  pooled day-level gamma CV ${cf.pooled.gammaCv}; hourly variance/mean ${cf.hourlyDispersion}`);
    io.out(`wrote ${file} and ${side} (handle time and agents are placeholders: counts carry no service data)`);
    return 0;
  }
  const { calls, dropped } = readCallLogs(logs, format as LogFormat);
  if (!calls.some((c) => c.outcome === 'answered')) {
    throw new SimError('SIM_ERR_BAD_ARGUMENT', 'cctwin calibrate: nothing to fit', [{ path: 'LOG', value: logs.join(' '), message: 'must hold answered calls (none found)' }]);
  }
  const fit = fitCalls(calls, { name, interval: interval!, shortCall, redialWindow, staffing: staffing as StaffingMethod, threshold: 20, sources: logs.map((l) => basename(l)), handle: handle as HandleMode });
  const sidecar = sidecarOf(file);
  const yaml = scenarioYaml(fit, basename(sidecar));
  parseScenarioText(yaml, file); // never write a scenario that does not load
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, yaml);
  writeFileSync(sidecar, fitJson(fit));
  const wd = fit.arrivals.weekday ?? Object.values(fit.arrivals)[0]!;
  io.out(`${calls.length} calls (${dropped} PHANTOM dropped) over ${fit.days} days, ${fit.firstDate} to ${fit.lastDate}`);
  io.out(`  arrivals   ${wd.dailyTotal.mean} offered/day on ${wd.days} main days; day-level gamma CV ${wd.dailyTotal.gammaCv}`);
  io.out(`  handle     mean ${fit.handleTime.all.mean} s, cv ${fit.handleTime.all.cv}; KS ${fit.handleTime.all.ks}`);
  for (const [k, c] of Object.entries(fit.classes)) io.out(`  class      ${k}: ${(c!.share * 100).toFixed(1)}% of offered, abandonment ${(c!.abandonRate * 100).toFixed(1)}%, handle mean ${c!.handleTime.mean} s, patience ${c!.patience.chosen}`);
  io.out(`  patience   ${fit.patience.chosen} (${fit.patience.fits.map((x) => `${x.kind} KS ${x.ksVsKm}`).join(', ')})`);
  io.out(`  redial     ${(fit.redial.probability * 100).toFixed(1)}% of identified abandoners within ${fit.redial.windowSeconds} s`);
  io.out(`  ivr        mean ${fit.ivr.mean} s`);
  io.out(`wrote ${file} and ${sidecar}`);
  return 0;
}
