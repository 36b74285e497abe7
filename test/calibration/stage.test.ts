import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../sim/src/', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Each import of a file: its specifier and whether it is type-only. */
function imports(file: string): { from: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => ({ from: m[3], typeOnly: m[2] !== undefined }));
}

// The stage rule (STYLE.md): calibration is an I/O stage after the engine; it may use
// core, config, model types, engine, metrics and analytic, and nothing before it
// imports it back.
describe('calibration stage', () => {
  it('sim/src/calibration imports only earlier stages: model as types, no result layout', () => {
    const bad: string[] = [];
    for (const f of tsFiles(join(SRC, 'calibration'))) {
      for (const { from, typeOnly } of imports(f)) {
        const ok = from.startsWith('node:') || from === 'yaml' || /^\.\/[\w-]+\.ts$/.test(from) || from === '../errors.ts'
          || /^\.\.\/(core|config|engine|metrics|analytic)\//.test(from) || (typeOnly && from.startsWith('../model/'));
        if (!ok || from === '../model/layout.ts') bad.push(`${relative(SRC, f)}: ${from}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('only the CLI imports sim/src/calibration', () => {
    const bad = tsFiles(SRC)
      .filter((f) => !relative(SRC, f).startsWith('calibration/') && !relative(SRC, f).startsWith('cli/'))
      .filter((f) => imports(f).some(({ from }) => from.includes('calibration/')))
      .map((f) => relative(SRC, f));
    expect(bad).toEqual([]);
  });
});
