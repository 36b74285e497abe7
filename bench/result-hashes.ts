/**
 * Prints a hash of each scenario's result buffers, to check a refactor changes no
 * number: every scenario in scenarios/ and scenarios/fitted/, replications 0 and 1,
 * the buffer hashed without header slot 5 (wall seconds). With `--log`, also a hash
 * of replication 0's per-contact event log (the log only observes, but a refactor of
 * the steps that write it should leave it byte for byte the same too).
 *
 *   node bin/run-ts.js bench/result-hashes.ts [--log] > before.txt
 *   (change the engine)
 *   node bin/run-ts.js bench/result-hashes.ts [--log] | diff before.txt -
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../sim/src/config/load.ts';
import { replicate, replicateLogged } from '../sim/src/engine/replicate.ts';
import { LOG_FIELDS } from '../sim/src/model/event-log.ts';
import { loadPolicy } from '../sim/src/engine/policy-loader.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const withLog = process.argv.includes('--log');
const WALL_SECONDS = 5;

function hashResult(buf: Float64Array): string {
  const b = Float64Array.from(buf);
  b[WALL_SECONDS] = 0;
  return createHash('sha256').update(new Uint8Array(b.buffer)).digest('hex').slice(0, 16);
}

const files = ['scenarios', 'scenarios/fitted'].flatMap((dir) =>
  readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f)),
);
for (const file of files) {
  const cfg = loadScenario(join(ROOT, file));
  await loadPolicy(cfg);
  const hashes = [0, 1].map((r) => hashResult(replicate(cfg, r)));
  let line = `${file} ${hashes.join(' ')}`;
  if (withLog) {
    const h = createHash('sha256');
    let records = 0;
    const result = replicateLogged(cfg, 0, (log) => {
      h.update(new Uint8Array(log.buf.buffer, 0, log.n * LOG_FIELDS.length * 8));
      records += log.n;
    });
    line += ` log ${h.digest('hex').slice(0, 16)} (${records} records, result ${hashResult(result) === hashes[0] ? 'same' : 'DIFFERENT'})`;
  }
  console.log(line);
}
