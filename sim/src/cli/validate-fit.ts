import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CALL_CLASSES, LOG_FORMATS, readCallLogs, type LogFormat } from '../calibration/call-log.ts';
import { observeDays, PRESENCE_GAP_BY_DAY_TYPE, STAFFING_METHODS, type AdaptiveGap, type PresenceGap, type StaffingMethod } from '../calibration/observed-day.ts';
import { ARRIVAL_MODES, type ArrivalMode, type ReplayClass, type SwitchReplay, type TypedReplay } from '../calibration/day-model.ts';
import { noiseFloor, validateDays, type Pair, type ValidationResult } from '../calibration/replay.ts';
import { familyOf, replayClassKey, type SwitchFamily } from '../calibration/identified.ts';
import { requireReplayable } from '../calibration/log-needs.ts';
import type { DistSpec } from '../core/distributions.ts';
import { loadScenario } from '../config/load.ts';
import { isSingleQueue } from '../config/model-config.ts';
import { SimError } from '../errors.ts';
import { reportSkipped, sidecarOf, unreadableLogs } from './calibrate.ts';
import { withFlagIssues } from './execution.ts';
import { FlagChecker } from './options.ts';
import { table } from './table.ts';
import type { Io } from './io.ts';

/**
 * `cctwin validate-fit SCENARIO --against LOG...`: replays each real day of the log
 * through the scenario's handle time and patience, with that day's observed offered
 * calls and staffing, and compares abandonment, service level and ASA.
 */

const pc = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');
const sec = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} s` : '-');
const both = (p: Pair | null, f: (x: number) => string) => (p ? `${f(p.observed)} / ${f(p.simulated)}` : '-');

function print(io: Io, r: ValidationResult, hourly: boolean): void {
  io.out(`observed / simulated, ${r.replications} replications per day (seed ${r.seed}, arrivals: ${r.arrivals}); service level = answered within ${r.threshold} s / offered`);
  io.out(table(
    ['date', 'day type', 'offered', 'abandon rate', 'service level', 'ASA'],
    r.days.map((d) => [d.date, d.dayType, `${d.offered.observed} / ${d.offered.simulated.toFixed(0)}`, both(d.abandonRate, pc), both(d.serviceLevel, pc), both(d.asa, sec)]),
  ));
  if (hourly) {
    for (const d of r.days) {
      io.out('');
      io.out(`${d.date} by hour of queue entry`);
      io.out(table(
        ['hour', 'offered', 'abandon rate', 'service level', 'ASA'],
        d.hours.filter((h) => h.offered.observed > 0).map((h) => [`${String(h.hour).padStart(2, '0')}:00`, `${h.offered.observed} / ${h.offered.simulated.toFixed(1)}`, both(h.abandonRate, pc), both(h.serviceLevel, pc), both(h.asa, sec)]),
      ));
    }
  }
  io.out('');
  // Each mean is over the days that have the figure on both sides: said when that is fewer.
  const n = r.days.length, e = r.errorDays;
  const over = (k: 'abandonRate' | 'serviceLevel' | 'asa') => (e[k] === n ? '' : ` (over the ${e[k]} day${e[k] === 1 ? '' : 's'} with one on both sides)`);
  const pts = (x: number, k: 'abandonRate' | 'serviceLevel') => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} points${over(k)}` : '- (no day has it on both sides)');
  const s = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s${over('asa')}` : '- (no day has an ASA on both sides)');
  io.out(`mean absolute error over ${n} day${n === 1 ? '' : 's'}: abandon rate ${pts(r.mae.abandonRate, 'abandonRate')}, service level ${pts(r.mae.serviceLevel, 'serviceLevel')}, ASA ${s(r.mae.asa)}`);
  io.out(`mean error (simulated - observed):       abandon rate ${pts(r.bias.abandonRate, 'abandonRate')}, service level ${pts(r.bias.serviceLevel, 'serviceLevel')}, ASA ${s(r.bias.asa)}`);
}

/** The sidecar's adaptive gap, or null when it has none (an older fit). */
function adaptiveGapOf(g: unknown): AdaptiveGap | null {
  const o = g as Partial<AdaptiveGap> | null;
  return o && [o.factor, o.min, o.max].every((x) => typeof x === 'number' && x > 0) ? { factor: o.factor!, min: o.min!, max: o.max! } : null;
}

function describeGap(g: PresenceGap): string {
  if (typeof g === 'number') return `${g} s`;
  if ('factor' in g) return `${g.factor} x the hour's median (${g.min}-${g.max} s)`;
  return Object.entries(g).map(([k, v]) => `${k} ${v} s`).join(', ');
}

export async function cmdValidateFit(io: Io, scenario: string, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const against = (o.against as string[] | undefined) ?? [];
  if (against.length === 0) f.fail('against', undefined, 'is required: one or more call logs to replay');
  const format = String(o.format ?? 'anonbank');
  if (!LOG_FORMATS.includes(format as LogFormat)) f.fail('format', format, `must be one of ${LOG_FORMATS.join(', ')}`);
  const replications = f.number('replications', o.replications ?? '10', { integer: true, min: 1 })!;
  const seed = f.number('seed', o.seed ?? '1', { integer: true, min: 0 })!;
  const arrivals = String(o.arrivals ?? 'counts');
  if (!ARRIVAL_MODES.includes(arrivals as ArrivalMode)) f.fail('arrivals', arrivals, `must be one of ${ARRIVAL_MODES.join(', ')}`);
  // The staffing reading defaults to the one the scenario was fitted with (its sidecar).
  let fitted: StaffingMethod = 'present';
  let sideClasses: ReplayClass[] = [];
  let typed: (TypedReplay & { families: string[]; sessionExtension: number }) | null = null;
  let sw: (SwitchReplay & { sessionExtension: number; presenceGap: AdaptiveGap | null }) | null = null;
  const side = sidecarOf(scenario);
  if (existsSync(side)) {
    try {
      const j = JSON.parse(readFileSync(side, 'utf8'));
      const m = j?.staffing?.method;
      if (STAFFING_METHODS.includes(m)) fitted = m;
      // Customer classes of the fit: one contact type each, priority customers ranked first.
      const cls = Object.entries(j?.classes ?? {}) as [string, { handleTime: { dist: DistSpec }; patience: { dist: DistSpec } }][];
      sideClasses = cls.filter(([k]) => (CALL_CLASSES as readonly string[]).includes(k))
        .map(([k, c]) => ({ name: k as ReplayClass['name'], priority: k === 'priority' ? 1 : 0, handleTime: c.handleTime.dist, patience: c.patience.dist }));
      const rp = j?.replay;
      if (rp && Array.isArray(rp.classes) && rp.classes.length > 0 && Array.isArray(rp.families)) {
        typed = { classes: rp.classes, delay: rp.delay?.dist ?? null, families: rp.families, sessionExtension: Number(rp.sessionExtension) || 0 };
        // The switch model: each family's handle time is that of its anonymous class (the family's own fit); its patience is its own (scaled through the replay).
        const fams = rp.switch?.families as SwitchFamily[] | undefined;
        if (rp.delay?.dist && Array.isArray(fams) && fams.length > 0) {
          const of = (name: string) => (rp.classes as TypedReplay['classes']).find((c) => c.name === name);
          if (fams.every((f) => of(f.name))) {
            sw = { delay: rp.delay.dist, sessionExtension: Number(rp.switch.sessionExtension) || 0, presenceGap: adaptiveGapOf(rp.switch.presenceGap), dayHandleTime: rp.switch.dayHandleTime === true, families: fams.map((f) => ({ ...f, handleTime: of(f.name)!.handleTime, patience: f.patience !== undefined ? f.patience : of(f.name)!.patience })) };
          }
        }
      }
    } catch { /* a broken sidecar only loses the defaults */ }
  }
  const models = ['switch', 'typed', 'classes', 'pooled'];
  const modelName = String(o.model ?? (o.pooled ? 'pooled' : sw ? 'switch' : typed ? 'typed' : sideClasses.length >= 2 ? 'classes' : 'pooled'));
  if (!models.includes(modelName)) f.fail('model', modelName, `must be one of ${models.join(', ')}`);
  if (modelName === 'switch' && !sw) f.fail('model', modelName, 'needs a sidecar with a switch replay model, fitted from a log with identified customers (fit it again with cctwin calibrate)');
  if (modelName === 'typed' && !typed) f.fail('model', modelName, 'needs a sidecar with a typed replay model (fit it again with cctwin calibrate)');
  if (modelName === 'classes' && sideClasses.length < 2) f.fail('model', modelName, 'needs a sidecar with two customer classes');
  const extension = f.number('extension', o.extension ?? String(modelName === 'switch' && sw ? sw.sessionExtension : modelName === 'typed' && typed ? typed.sessionExtension : 0), { min: 0 })!;
  // Each day's observed handle time (switch model): the default when the fit's patience was fitted that way.
  const handleModes = ['day', 'fitted'];
  const handle = String(o.handleTime ?? (modelName === 'switch' && sw?.dayHandleTime ? 'day' : 'fitted'));
  if (!handleModes.includes(handle)) f.fail('handle-time', handle, `must be one of ${handleModes.join(', ')}`);
  else if (handle === 'day' && modelName !== 'switch') f.fail('handle-time', handle, `needs the switch model (the model is ${modelName}); use fitted`);
  // How sessions are cut: the fit's adaptive gap for the switch model, else by day type, or a fixed gap.
  const fitGap = modelName === 'switch' ? sw?.presenceGap ?? null : null;
  const gapFlag = String(o.presenceGap ?? (fitGap ? 'adaptive' : 'day-type'));
  let gap: PresenceGap = PRESENCE_GAP_BY_DAY_TYPE;
  if (gapFlag === 'adaptive') {
    if (fitGap) gap = fitGap;
    else f.fail('presence-gap', gapFlag, 'needs the switch model of a fit that has an adaptive gap (fit it again with cctwin calibrate); use day-type or seconds');
  } else if (gapFlag !== 'day-type') {
    const g = gapFlag.trim() === '' ? NaN : Number(gapFlag);
    if (Number.isFinite(g) && g > 0) gap = g;
    else f.fail('presence-gap', gapFlag, 'must be adaptive, day-type or a number of seconds > 0');
  }
  const routing = String(o.routing ?? 'fifo');
  if (routing !== 'fifo' && routing !== 'priority') f.fail('routing', routing, 'must be one of fifo, priority');
  const maxBadRows = f.number('max-bad-rows', o.maxBadRows ?? '0', { integer: true, min: 0 });
  const staffing = String(o.staffing ?? fitted);
  if (!STAFFING_METHODS.includes(staffing as StaffingMethod)) f.fail('staffing', staffing, `must be one of ${STAFFING_METHODS.join(', ')}`);
  unreadableLogs(f, against);
  // (a scenario that cannot be read or is invalid is listed with the flags' problems)
  const cfg = withFlagIssues(f, 'validate-fit', () => {
    const c = loadScenario(scenario);
    // The replay takes one queue's handle time and patience; a center's first contact
    // type would stand for all of them, and its IVR, routing and sites would be dropped.
    if (!isSingleQueue(c)) {
      const n = c.types.length;
      throw new SimError('SIM_ERR_BAD_ARGUMENT', 'cannot validate this scenario', [{
        path: 'SCENARIO', value: scenario,
        message: `must be a single-queue scenario, as cctwin calibrate writes (this one is a center, with ${n} contact type${n === 1 ? '' : 's'}): validate-fit replays one queue's handle time and patience against the log`,
      }]);
    }
    return c;
  });
  const type = cfg.types[0];
  const { calls, skippedRows } = readCallLogs(against, format as LogFormat, { maxBadRows });
  reportSkipped(io, skippedRows, maxBadRows!, o.json ? 'the JSON, skippedRows' : 'the --json output, skippedRows');
  requireReplayable(calls, against.map((l) => basename(l)).join(', '));
  const useSwitch = modelName === 'switch' && sw !== null;
  const useTyped = modelName === 'typed' && typed !== null;
  const classKey = useSwitch ? familyOf(typed!.families) : useTyped ? replayClassKey(typed!.families, typed!.delay !== null) : undefined;
  const days = observeDays(calls, cfg.intervalLength, cfg.threshold, staffing as StaffingMethod, gap, { extension, classKey });
  // Classes need both in the fit and in the log (a log without priorities is all 'regular').
  const classes = modelName === 'classes' ? sideClasses : undefined;
  const replay = {
    handleTime: type.handleTime, patience: type.patience, interval: cfg.intervalLength, threshold: cfg.threshold,
    replications, seed, arrivals: arrivals as ArrivalMode, classes, routing: routing as 'fifo' | 'priority',
    ...(useSwitch ? { switch: { ...sw!, dayHandleTime: handle === 'day' } } : useTyped ? { typed: typed! } : {}),
  };
  const result = validateDays(days, replay);
  const floor = o.noiseFloor ? noiseFloor(days, replay) : null;
  const model = useSwitch
    ? `switch: ${sw!.families.map((x) => x.name).join(' + ')}; ${sw!.families.filter((x) => x.switched).map((x) => x.name).join(', ')} connected at once when an agent is free, else identified and delayed; presence gap ${describeGap(gap)}; session extension ${extension} s; handle time: ${handle === 'day' ? 'each day\'s observed mean per family' : 'as fitted'}`
    : useTyped
    ? `typed: ${typed!.classes.map((c) => c.name).join(' + ')}${typed!.delay ? ', identified customers delayed' : ''}, session extension ${extension} s`
    : classes ? `classes ${classes.map((c) => c.name).join(' + ')}, routing ${routing}` : 'pooled (one contact type)';
  if (o.json) io.out(JSON.stringify({ scenario: cfg.name, staffing, model, ...result, ...(floor ? { noiseFloor: floor } : {}), ...(skippedRows.length > 0 ? { skippedRows } : {}) }, null, 2));
  else {
    io.out(`model: ${model}; staffing: ${staffing}`);
    print(io, result, Boolean(o.hourly));
    const fp = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} points` : '-');
    if (floor) io.out(`noise floor (a perfect model's MAE by chance: one simulated day against the model's mean): abandon rate ${fp(floor.abandonRate)}, service level ${fp(floor.serviceLevel)}, ASA ${Number.isFinite(floor.asa) ? `${floor.asa.toFixed(1)} s` : '-'}`);
  }
  return 0;
}
