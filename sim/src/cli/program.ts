import { Command, Option } from 'commander';
import { DEFAULT_MAX_REPLICATIONS } from '../experiments/precision.ts';
import { defaultWorkers } from '../engine/cores.ts';
import { DEFAULT_DB } from '../runs/location.ts';
import { HANDLE_MODES, LOG_FORMATS, STAFFING_METHODS } from '../calibration/options.ts';
import type { Io, SetCode } from './io.ts';
import { ERLANG_MODELS, readBy } from './erlang-flags.ts';

/**
 * Every command's name, arguments and flags, and nothing else: each action imports its
 * command's module when it runs (`await import('./run.ts')`), so `cctwin --version` or
 * `cctwin erlang c` loads commander and the analytic formulas, not SQLite, the worker
 * pool, the scenario schema or the calibration code. Keep the imports above light.
 */

/** A repeatable option's values (no default given to commander, which would print "(default: [])" in the help). */
const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/**
 * Commands whose code lives beside the simulator (the live twin in twin-api/): sim/
 * never imports twin-api/ (docs/architecture.md), so the entry point that knows both
 * (bin/cctwin.js) hands their loaders in. Without a loader the command says it is not
 * available.
 */
export interface TwinCommands {
  cmdServe(io: Io, file: string | undefined, o: Record<string, unknown>): Promise<number>;
  cmdDashboard(io: Io, o: Record<string, unknown>): Promise<number>;
  cmdK6(io: Io, file: string, o: Record<string, unknown>): Promise<number>;
  cmdReplay(io: Io, file: string, o: Record<string, unknown>): Promise<number>;
  cmdCompareK6(io: Io, summary: string, o: Record<string, unknown>): Promise<number>;
}
export interface CommandHooks {
  twin?: () => Promise<TwinCommands>;
}

/**
 * Where replications run (read by redis-flags.ts's readBackend): run, compare and sweep
 * take them with the other execution options; staff, which runs replications too, adds
 * them the same way.
 */
export function addBackendOptions(cmd: Command): Command {
  return cmd
    .option('--backend <B>', 'where the replications run: local (worker threads here, the default), or a Redis URL (redis://HOST:PORT[/DB], rediss:// for TLS; redis alone: the URL in CCTWIN_REDIS_URL) whose cctwin worker processes run them')
    .option('--queue <name>', 'with a Redis backend: the queue the workers listen to (default cctwin)');
}

/** The flags that run, compare and sweep share (read by execution.ts's readExecutionFlags). */
function addExecutionOptions(cmd: Command, opts: { set: string }): Command {
  addBackendOptions(cmd);
  return cmd
    .option('-r, --replications <R>', 'independent replications (with --precision: the pilot, at least 5 by default)')
    .option('-s, --seed <S>', 'base seed (overrides the scenario seed)')
    .option('--set <path=value>', opts.set, collect)
    .option('--warmup <duration>', "warm-up left out of the results, e.g. 2h (overrides the scenario's warmup)")
    .option('--precision <KPI=H>', "add replications until the KPI's 95% half-width is at most H, e.g. byChannel.phone.serviceLevel=0.5% (named alone: a wait, service level or rate on the phone channel, a count on the totals; see README)")
    .option('--max-replications <N>', 'cap on replications with --precision', String(DEFAULT_MAX_REPLICATIONS))
    .option('-w, --workers <N>', `worker threads (default: one per core, here ${defaultWorkers()})`)
    .addOption(new Option('--db <file>', 'run store (SQLite)').default(DEFAULT_DB))
    .option('--json', 'print the result object as JSON (no progress bar)')
    .option('--allow-policy <module>', "allow this plug-in routing policy module although it is not in the scenario's policies folder (repeatable; see the README's trust model)", collect);
}

export function defineCommands(program: Command, io: Io, setCode: SetCode, hooks: CommandHooks = {}): void {
  /** Runs a twin-api/ command, or says it is not available from this entry point. */
  const twin = async (name: string, fn: (m: TwinCommands) => Promise<number>): Promise<number> => {
    if (hooks.twin === undefined) {
      io.err(`error: cctwin ${name} is not available from this entry point (start it with the cctwin command)`);
      return 1;
    }
    return fn(await hooks.twin());
  };
  const run = program
    .command('run')
    .description('run independent replications of a scenario and print KPIs with 95% confidence half-widths')
    .argument('<file>', 'scenario file (YAML)');
  addExecutionOptions(run, { set: 'edit a scenario field before validation, e.g. agents=360 (repeatable)' })
    .option('-o, --out <file>', 'also write the result object as JSON to this file')
    .option('--event-log <file>', 'also write one record per contact (NDJSON, or CSV for a .csv name): outcome, type, site, times, agent')
    .action(async (file: string, o) => setCode(await (await import('./run.ts')).cmdRun(io, file, o)));

  program
    .command('erlang')
    .description('exact analytic figures: Erlang B (blocking), C (waiting), A (abandonment), staff (smallest n); a flag the model does not read is refused')
    .argument('<model>', ERLANG_MODELS.join(' | '))
    .option('--arrivals-per-hour <L>', 'arrival rate, calls per hour')
    .option('--aht <S>', 'mean handle time, seconds')
    .option('--agents <N>', `agents (servers)${readBy('agents')}`)
    .option('--patience <S>', `mean patience, seconds (exponential); omit for no abandonment${readBy('patience')}`)
    .option('--lines <K>', 'trunk lines: calls in the system at most; omit for unlimited')
    .option('--threshold <S>', `service-level threshold, seconds${readBy('threshold')}`, '20')
    .option('--erlangs <A>', 'offered load in erlangs (erlang b, instead of arrivals and aht)')
    .option('--target <X>', 'service-level target for erlang staff', '0.95')
    .addOption(new Option('--convention <C>', 'service level over offered or answered calls (erlang staff)').default('offered'))
    .option('--max-abandon <X>', 'abandonment ceiling for erlang staff')
    .option('--max-asa <S>', 'ASA ceiling for erlang staff, seconds')
    .option('--simulate', `also simulate the same model and print both${readBy('simulate')}`)
    .option('--hours <H>', `simulated hours per replication (and the period of --json's analytic totals)${readBy('hours')}`, '24')
    .option('--replications <R>', 'replications to simulate (with --simulate)', '10')
    .option('--seed <S>', 'seed of the simulation (with --simulate)', '1')
    .option('--warmup <S>', `seconds of each replication left out of the figures (default: the first hour, at most a quarter of the run)${readBy('warmup')}`)
    .option('-w, --workers <N>', 'worker threads (with --simulate; default: one per core)')
    .option('--json', 'print JSON { analytic, simulated }')
    .action(async (model: string, o, cmd: Command) => setCode(await (await import('./erlang.ts')).cmdErlang(io, model, o, givenFlags(cmd))));

  program
    .command('calibrate')
    .description('fit arrivals, handle time, patience, redials, IVR time and staffing to call-by-call logs; write a scenario')
    .argument('<log...>', 'call logs (Anonymous Bank TSV or the generic CSV), or arrival-count series (--format counts)')
    .option('--format <F>', `log format: ${[...LOG_FORMATS, 'counts'].join(' | ')} (counts: rownames,DateTime,Calls arrival counts)`, 'anonbank')
    .option('--handle <H>', `scenario handle time: ${HANDLE_MODES.join(' | ')} (empirical, default: a histogram of the observed times; lognormal: short calls + lognormal)`, 'empirical')
    .option('-o, --out <file>', 'scenario to write, e.g. scenarios/fitted/NAME.yaml (the full fit goes to NAME.fit.json beside it)')
    .option('--name <N>', 'scenario name (default: the file name)')
    .option('--interval <S>', 'interval of profiles and staffing, seconds', '900')
    .option('--short-call <S>', 'handle times below this are the very-short-call component, seconds', '10')
    .option('--redial-window <S>', 'a call within this many seconds after an abandonment is a redial', '3600')
    .option('--staffing <M>', `how agents on the floor are read from the log: ${STAFFING_METHODS.join(' | ')}`, 'present')
    .option('--max-bad-rows <N>', 'skip up to N bad rows of the logs, listed on stderr and in the sidecar (skippedRows), instead of refusing them', '0')
    .action(async (logs: string[], o) => setCode(await (await import('./calibrate.ts')).cmdCalibrate(io, logs, o)));

  program
    .command('validate-fit')
    .description('replay each real day of call logs through a fitted scenario and compare abandonment, service level and ASA')
    .argument('<scenario>', 'fitted scenario (YAML)')
    .option('--against <log...>', 'call logs to replay, day by day')
    .option('--format <F>', `log format: ${LOG_FORMATS.join(' | ')}`, 'anonbank')
    .option('-r, --replications <R>', 'replications per day', '10')
    .option('-s, --seed <S>', 'base seed', '1')
    .option('--arrivals <A>', 'counts: Poisson at the observed count per interval; trace: the observed arrival times', 'counts')
    .option('--staffing <M>', `how agents on the floor are read from the log: ${STAFFING_METHODS.join(' | ')} (default: as fitted)`)
    .option('--routing <P>', 'with customer classes: fifo (one queue order, default) | priority (priority customers first)', 'fifo')
    .option('--model <M>', 'switch (call-type families; a caller who cannot be connected at once identifies and waits a delay; default when the fit has it) | typed (families split into anonymous and identified callers as observed; its split carries the day\'s congestion, see docs/calibration-method.md) | classes (regular and priority customers) | pooled (one contact type)')
    .option('--extension <S>', 'seconds of presence added before and after each agent session (default: the fit\'s, switch and typed models only)')
    .option('--handle-time <H>', 'switch model: day (each family\'s fitted handle time scaled to its observed mean that day; default when the fit was calibrated so) | fitted (the fitted distribution every day)')
    .option('--presence-gap <G>', 'the present staffing reading: adaptive (a gap a multiple of the hour\'s median gap between an agent\'s calls ends a session; default with a switch fit) | day-type (600 s on weekdays, 900 s on Fridays and Saturdays; default otherwise) | a number of seconds')
    .option('--pooled', 'the same as --model pooled')
    .option('--hourly', 'also print each day by hour')
    .option('--noise-floor', 'also measure the MAE a perfect model would get by chance (8 simulated days per real one against the model\'s mean)')
    .option('--max-bad-rows <N>', 'skip up to N bad rows of the logs, listed on stderr (and in the JSON: skippedRows), instead of refusing them', '0')
    .option('--json', 'print { days[], mae } as JSON')
    .action(async (scenario: string, o) => setCode(await (await import('./validate-fit.ts')).cmdValidateFit(io, scenario, o)));

  const compare = program
    .command('compare')
    .description('compare a baseline with one or more variants (files, or one file with --set path=vA,vB,...) with common random numbers: paired differences per channel, contact type and in all, with CIs; Holm-corrected for more than one variant')
    .argument('<a>', 'scenario file of arm A, the baseline')
    .argument('[variants...]', 'scenario files of arms B, C, ... (default: A with the --set values of each arm)');
  addExecutionOptions(compare, { set: 'edit a field: path=v (every arm) or path=vA,vB,... (one value per arm; repeatable)' })
    .action(async (a: string, variants: string[], o) => setCode(await (await import('./compare.ts')).cmdCompare(io, a, variants, o)));

  const staff = program
    .command('staff')
    .description('how many agents per interval, group and site meet the targets, through the simulation (exact formulas first, then a simulation-based search with common random numbers)')
    .argument('<file>', 'scenario file (YAML)')
    .option('--target <KPI>', 'a target such as "serviceLevel>=0.95" or "abandonRate<=0.05" (repeatable; default: the scenario\'s SLA targets)', collect)
    .option('--per <P>', 'interval (every interval meets every target) | day (the day\'s totals)', 'interval')
    .option('--groups <G,...>', 'only these agent groups are staffed (default: every group that serves a contact type with a target as a primary skill)')
    .option('-r, --replications <R>', 'replications per iteration', '10')
    .option('--confidence <C>', 'targets met with this confidence across replications', '0.9')
    .option('--max-iterations <K>', 'simulation iterations at most', '30')
    .option('--out <file>', 'write the scenario with the staffing found (identical otherwise)')
    .option('-s, --seed <S>', 'base seed (overrides the scenario seed)')
    .option('-w, --workers <N>', `worker threads (default: one per core, here ${defaultWorkers()})`)
    .addOption(new Option('--db <file>', 'run store (SQLite)').default(DEFAULT_DB))
    .option('--json', 'print the result as JSON (no progress bar)');
  addBackendOptions(staff)
    .action(async (file: string, o) => setCode(await (await import('./staff.ts')).cmdStaff(io, file, o)));

  program
    .command('schedule')
    .description('turn a per-interval staffing into agents on shift templates at the least cost (an integer program solved by HiGHS), then simulate it')
    .argument('<file>', 'scenario file (YAML), e.g. the output of cctwin staff --out')
    .option('--shifts <file>', 'shift templates (YAML; default: scenarios/shifts/ctrip-shifts.yaml)')
    .option('--horizon <D>', '1d | 7d: the days scheduled (default: 7d for a scenario of a week or more, else 1d)')
    .option('--time-limit <S>', 'seconds the solver may take; the best solution found is returned', '60')
    .option('--repair', 'add the fewest shifts that fix the intervals the simulation finds missing (at most --max-rounds rounds)')
    .option('--max-rounds <K>', 'repair rounds at most', '3')
    .option('-r, --replications <R>', 'replications of the check by simulation (0: no check)', '10')
    .option('--out <file>', 'write the scenario with the scheduled staffing')
    .option('-w, --workers <N>', `worker threads (default: one per core, here ${defaultWorkers()})`)
    .option('--json', 'print the result as JSON')
    .option('--csv', 'print the schedule as CSV (shift, start, agents per site and group)')
    .action(async (file: string, o) => setCode(await (await import('./schedule.ts')).cmdSchedule(io, file, o)));

  const sweep = program
    .command('sweep')
    .description('run a grid of scenario variants (every combination of the --set values), one line per point')
    .argument('[file]', 'scenario file (YAML)')
    .option('--resume <ID>', 'continue an interrupted sweep from the run store');
  addExecutionOptions(sweep, { set: 'a field and its values: path=v1,v2,... (repeatable; the grid is every combination)' })
    .action(async (file: string | undefined, o) => setCode(await (await import('./sweep.ts')).cmdSweep(io, file, o)));

  program
    .command('serve')
    .description('the live twin: run a scenario in real time (or faster) behind an HTTP API that clients and load generators drive')
    .argument('[file]', 'scenario file (YAML; default: the packaged scenarios/baseline-day.yaml)')
    .option('--speed <X>', 'simulated seconds per wall-clock second, or max (as fast as it can)', '60')
    .option('--port <P>', 'TCP port (0: any free port)', '8080')
    .option('--host <H>', 'address to listen on; off loopback every mutating route needs the bearer token', '127.0.0.1')
    .option('--arrivals <A>', "internal (the scenario's arrivals only) | external (only clients' contacts) | both", 'both')
    .option('-s, --seed <S>', 'seed (overrides the scenario seed)')
    .option('--token <T>', 'bearer token for mutating routes (default: CCTWIN_TOKEN, or generated and printed)')
    .option('--db <file>', 'run store (SQLite) the day is stored in when the twin stops', DEFAULT_DB)
    .action(async (file: string | undefined, o) => setCode(await twin('serve', (m) => m.cmdServe(io, file, o))));

  program
    .command('dashboard')
    .description('the web dashboard for the run store alone (no live twin): scenarios, runs, compares, read-only')
    .option('--db <file>', 'run store (SQLite)', DEFAULT_DB)
    .option('--port <P>', 'TCP port (0: any free port)', '8080')
    .option('--host <H>', 'address to listen on', '127.0.0.1')
    .action(async (o) => setCode(await twin('dashboard', (m) => m.cmdDashboard(io, o))));

  program
    .command('k6')
    .description("write a k6 script whose load is the scenario's arrival process (one ramping-arrival-rate scenario per contact type or channel)")
    .argument('<file>', 'scenario file (YAML)')
    .option('--speed <X>', 'simulated seconds per wall-clock second the load is compressed by', '60')
    .option('--base-url <URL>', 'the target (a cctwin serve twin, or your own system)', 'http://127.0.0.1:8080')
    .option('--by <B>', 'type | channel: one k6 scenario per contact type or per channel', 'type')
    .option('--horizon <D>', "simulated duration of the load from the scenario's start, e.g. 4h (default: the scenario's horizon)")
    .option('-s, --seed <S>', "seed of the demand's overdispersion draw (default: the scenario's seed)")
    .option('--out <file>', 'write the script here (default: print it)')
    .action(async (file: string, o) => setCode(await twin('k6', (m) => m.cmdK6(io, file, o))));

  program
    .command('replay')
    .description("drive a twin or a real system at the scenario's arrival process (the built-in load generator), long-poll every contact, write a summary")
    .argument('<file>', 'scenario file (YAML)')
    .requiredOption('--against <URL>', 'the target: a cctwin serve twin, or a system with the same routes')
    .option('--speed <X>', 'simulated seconds per wall-clock second (match the twin\'s --speed)', '60')
    .option('--horizon <D>', "where the load ends, in simulated time from the start of the scenario's day (not from now), e.g. 4h: against a twin already past it there is nothing to send (default: the scenario's horizon)")
    .option('--concurrency <N>', 'contacts in flight at most (created and not yet ended)', '2000')
    .option('--by <B>', 'type | channel: how the summary groups its counts', 'type')
    .option('-s, --seed <S>', "seed of the arrival process and of the demand's overdispersion draw (default: the scenario's seed)")
    .option('--out <file>', 'write the summary JSON here', 'replay-summary.json')
    .option('--token <T>', 'bearer token for the target (default: CCTWIN_TOKEN)')
    .option('--json', 'print the summary JSON instead of the table (no progress bar)')
    .action(async (file: string, o) => setCode(await twin('replay', (m) => m.cmdReplay(io, file, o))));

  program
    .command('compare-k6')
    .description("compare what a load measured (a k6 or cctwin replay summary) with the simulation's prediction for the same scenario and horizon")
    .argument('<summary>', 'summary JSON written by a cctwin k6 script or cctwin replay')
    .requiredOption('--scenario <file>', 'the scenario the load was generated from')
    .option('-r, --replications <R>', 'replications of the prediction', '30')
    .option('-w, --workers <N>', `worker threads (default: one per core, here ${defaultWorkers()})`)
    .option('--widen <PP>', 'percentage points added to each side of the simulation\'s 95% range for one day of service level and abandonment before agreement is judged', '2')
    .option('--json', 'print the comparison as JSON')
    .action(async (summary: string, o) => setCode(await twin('compare-k6', (m) => m.cmdCompareK6(io, summary, o))));

  program
    .command('worker')
    .description('run replications for run, compare, sweep and staff with --backend redis://...: take jobs from a Redis queue until stopped (SIGTERM: finish the running jobs, then exit)')
    .option('--redis <URL>', 'Redis URL: redis://HOST:PORT[/DB], rediss:// for TLS (default: CCTWIN_REDIS_URL)')
    .option('--concurrency <N>', `jobs at a time, one engine thread each (default: one per core, here ${defaultWorkers()})`)
    .option('--queue <name>', 'the queue to take jobs from (default cctwin)')
    .action(async (o) => setCode(await (await import('./worker.ts')).cmdWorker(io, o)));

  const runs = program.command('runs').description('the run store: list, show and export saved runs, compares and sweeps');
  const db = () => new Option('--db <file>', 'run store (SQLite)').default(DEFAULT_DB);
  runs.command('list')
    .description('saved runs, newest first')
    .addOption(db())
    .option('--limit <N>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (o) => setCode((await import('./runs.ts')).cmdList(io, o)));
  runs.command('show')
    .description('one saved run: settings, status, KPIs')
    .argument('<ID>', 'run id (see runs list)')
    .addOption(db())
    .option('--json', 'print JSON (with the scenario as run and the stored result)')
    .action(async (id: string, o) => setCode((await import('./runs.ts')).cmdShow(io, id, o)));
  runs.command('export')
    .description('per-interval results of a saved run: csv (one row per interval) or json')
    .argument('<ID>', 'run id (see runs list)')
    .addOption(db())
    .requiredOption('--format <csv|json>', 'output format: csv or json')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (id: string, o) => setCode((await import('./runs.ts')).cmdExport(io, id, o)));
}

/** The long names of the flags given on the command line (not those left at their defaults). */
function givenFlags(cmd: Command): string[] {
  return cmd.options.filter((opt) => opt.long !== undefined && cmd.getOptionValueSource(opt.attributeName()) === 'cli').map((opt) => opt.long!.slice(2));
}
