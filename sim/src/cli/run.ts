import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadScenario } from '../config/load.ts';
import { withSeed } from '../config/compile.ts';
import { runLocal } from '../engine/run-local.ts';
import { KPIS, type RunSummary } from '../metrics/summary.ts';
import { FlagChecker } from './options.ts';
import { fmtHalfWidth, fmtKpi, table } from './table.ts';
import type { Io, SetCode } from './io.ts';

export function printSummary(io: Io, s: RunSummary): void {
  io.out(`${s.scenario}: ${s.replications} replication${s.replications === 1 ? '' : 's'}, seed ${s.seed}, horizon ${(s.horizon / 3600).toFixed(2)} h`);
  io.out('');
  io.out(table(['KPI', 'mean', '95% CI'], KPIS.map((k) => [k, fmtKpi(k, s.totals[k].mean), fmtHalfWidth(k, s.totals[k].ci95)])));
  if (s.sla.length > 0) {
    io.out('');
    io.out(table(
      ['SLA', 'target', 'value', 'margin', 'met', 'intervals missed'],
      s.sla.map((t) => [
        t.name,
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
  io.out(`${p.events.toLocaleString('en-US')} events in ${p.wallSeconds.toFixed(2)} s (${(p.eventsPerSecond / 1e6).toFixed(2)} M events/s, ${p.secondsPerSimulatedDay.toFixed(3)} s per simulated day)`);
}

/** The result object of `run --json`. */
function runJson(s: RunSummary): object {
  return s;
}

async function cmdRun(io: Io, file: string, o: Record<string, unknown>): Promise<number> {
  const f = new FlagChecker();
  const replications = f.number('replications', o.replications ?? '1', { integer: true, min: 1 })!;
  const seed = f.number('seed', o.seed, { integer: true, min: 0 });
  f.done('run');
  let cfg = loadScenario(file);
  if (seed !== undefined) cfg = withSeed(cfg, seed);
  const summary = runLocal(cfg, { replications });
  const json = JSON.stringify(runJson(summary), null, 2);
  if (typeof o.out === 'string') writeFileSync(o.out, `${json}\n`);
  if (o.json) io.out(json);
  else printSummary(io, summary);
  return 0;
}


export function registerRun(program: Command, io: Io, setCode: SetCode): void {
  program
    .command('run')
    .description('run independent replications of a scenario and print KPIs with 95% confidence half-widths')
    .argument('<file>', 'scenario file (YAML)')
    .option('-r, --replications <R>', 'number of independent replications', '1')
    .option('-s, --seed <S>', 'base seed (overrides the scenario seed)')
    .option('--json', 'print the result object as JSON')
    .option('-o, --out <file>', 'also write the result object as JSON to this file')
    .action(async (file: string, o) => setCode(await cmdRun(io, file, o)));
}
