/**
 * One `cctwin run` in this process, then its peak resident memory. Spawned by
 * bench/run.ts so that each measurement starts from a fresh process:
 *   node bin/run-ts.js bench/memory-run.ts SCENARIO HORIZON DB
 * prints JSON { horizon, maxRssMB, wallSeconds, cpuSeconds, code }. CPU seconds
 * include the tsx compile of the sources on a cold cache.
 */
import { main } from '../sim/src/cli.ts';

const [file, horizon, db] = process.argv.slice(2);
const t0 = performance.now();
const c0 = process.cpuUsage();
const err: string[] = [];
const code = await main(['node', 'cctwin', 'run', file, '--set', `horizon=${horizon}`, '--replications', '1', '--workers', '1', '--db', db, '--json'],
  { out: () => {}, err: (s) => err.push(s) });
const wallSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
// maxRSS is in kilobytes
const maxRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ horizon, maxRssMB, wallSeconds, cpuSeconds, code, error: code === 0 ? undefined : err.join('\n') })}\n`);
