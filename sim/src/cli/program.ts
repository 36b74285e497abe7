import { Command, Option } from 'commander';
import { DEFAULT_MAX_REPLICATIONS } from '../experiments/precision.ts';
import { defaultWorkers } from '../engine/cores.ts';
import { DEFAULT_DB } from '../runs/location.ts';
import type { Io, SetCode } from './io.ts';

/**
 * Every command's name, arguments and flags, and nothing else: each action imports its
 * command's module when it runs (`await import('./run.ts')`), so `cctwin --version` or
 * `cctwin erlang c` loads commander and the analytic formulas, not SQLite, the worker
 * pool, the scenario schema or the calibration code. Keep the imports above light.
 */

const collect = (v: string, prev: string[]) => [...prev, v];

/** The flags that run, compare and sweep share (read by execution.ts's readExecutionFlags). */
function addExecutionOptions(cmd: Command, opts: { set: string }): Command {
  return cmd
    .option('-r, --replications <R>', 'independent replications (with --precision: the pilot, at least 5 by default)')
    .option('-s, --seed <S>', 'base seed (overrides the scenario seed)')
    .option('--set <path=value>', opts.set, collect, [])
    .option('--warmup <duration>', "warm-up left out of the results, e.g. 2h (overrides the scenario's warmup)")
    .option('--precision <KPI=H>', "add replications until the KPI's 95% half-width is at most H, e.g. serviceLevel=0.005")
    .option('--max-replications <N>', 'cap on replications with --precision', String(DEFAULT_MAX_REPLICATIONS))
    .option('-w, --workers <N>', `worker threads (default: one per core, here ${defaultWorkers()})`)
    .addOption(new Option('--db <file>', 'run store (SQLite)').default(DEFAULT_DB))
    .option('--json', 'print the result object as JSON (no progress bar)');
}

export function defineCommands(program: Command, io: Io, setCode: SetCode): void {
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
    .description('exact analytic figures: Erlang B (blocking), C (waiting), A (abandonment), staff (smallest n)')
    .argument('<model>', 'b | c | a | staff')
    .option('--arrivals-per-hour <L>', 'arrival rate, calls per hour')
    .option('--aht <S>', 'mean handle time, seconds')
    .option('--agents <N>', 'agents (servers)')
    .option('--patience <S>', 'mean patience, seconds (exponential); omit for no abandonment')
    .option('--lines <K>', 'trunk lines: calls in the system at most; omit for unlimited')
    .option('--threshold <S>', 'service-level threshold, seconds', '20')
    .option('--erlangs <A>', 'offered load in erlangs (erlang b, instead of arrivals and aht)')
    .option('--target <X>', 'service-level target for erlang staff', '0.95')
    .addOption(new Option('--convention <C>', 'service level over offered or answered calls (erlang staff)').default('offered'))
    .option('--max-abandon <X>', 'abandonment ceiling for erlang staff')
    .option('--max-asa <S>', 'ASA ceiling for erlang staff, seconds')
    .option('--simulate', 'also simulate the same model and print both')
    .option('--hours <H>', 'simulated hours per replication', '24')
    .option('--replications <R>', 'replications to simulate', '10')
    .option('--seed <S>', 'seed of the simulation', '1')
    .option('--warmup <S>', 'seconds of each replication left out of the simulated figures (default: the first hour, at most a quarter of the run)')
    .option('-w, --workers <N>', 'worker threads for --simulate (default: one per core)')
    .option('--json', 'print JSON { analytic, simulated }')
    .action(async (model: string, o) => setCode(await (await import('./erlang.ts')).cmdErlang(io, model, o)));

  const compare = program
    .command('compare')
    .description('compare two scenarios (or one with --set edits) with common random numbers: paired 95% CI of each KPI difference B - A')
    .argument('<a>', 'scenario file of arm A')
    .argument('[b]', 'scenario file of arm B (default: A with the --set edits)');
  addExecutionOptions(compare, { set: 'edit a field: path=v (arm B, or both arms with two files) or path=vA,vB (repeatable)' })
    .action(async (a: string, b: string | undefined, o) => setCode(await (await import('./compare.ts')).cmdCompare(io, a, b, o)));

  const sweep = program
    .command('sweep')
    .description('run a grid of scenario variants (every combination of the --set values), one line per point')
    .argument('[file]', 'scenario file (YAML)')
    .option('--resume <ID>', 'continue an interrupted sweep from the run store');
  addExecutionOptions(sweep, { set: 'a field and its values: path=v1,v2,... (repeatable; the grid is every combination)' })
    .action(async (file: string | undefined, o) => setCode(await (await import('./sweep.ts')).cmdSweep(io, file, o)));

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
