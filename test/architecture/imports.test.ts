import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The stages and their import rules (docs/architecture.md), checked on the sources:
 * data flows one way, so a stage imports only from itself and earlier stages; the
 * engine and the model know no HTTP, files or run store; the dashboard reads over
 * HTTP only. Static imports, re-exports, `import type` and dynamic `import()` all
 * count: a type import backwards is still a dependency backwards.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'sim/src');

/** sim/src's folders in data-flow order. */
const STAGES = ['core', 'config', 'model', 'engine', 'metrics', 'experiments', 'runs', 'calibration', 'cli'] as const;
/** Queueing formulas: they import nothing of the simulator, and any stage may use them. */
const STANDALONE = 'analytic';

/** Node built-ins and packages the engine and the model may not import: files, network, HTTP, the run store. */
const NO_IO = /^(node:)?(fs|fs\/promises|http|https|http2|net|dgram|child_process|readline)$|^(fastify|@fastify\/.*|undici|better-sqlite3|ioredis|bullmq|yaml)$/;
/** Exceptions, each with its reason. */
const ALLOWED: Record<string, string[]> = {
  // Checks that its own compiled worker module exists, to say "run npm run build" instead of a worker crash.
  'engine/pool.ts': ['node:fs'],
};

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules' || f === 'dist') return [];
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|tsx|mts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module specifier a source file names: import/export ... from, bare import, import(). */
export function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const re of [/\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g]) {
    for (const m of code.matchAll(re)) out.push(m[1]);
  }
  return out;
}

/** The sim/src folder (stage) a relative import from `file` lands in, '' for a file at sim/src's top. */
function stageOf(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = relative(SRC, join(file, '..', spec));
  if (target.startsWith('..')) return '..';
  return target.includes('/') ? target.split('/')[0] : '';
}

const files = walk(SRC).map((f) => ({ file: f, rel: relative(SRC, f), specs: specifiers(readFileSync(f, 'utf8')) }));

describe('the stages of sim/src', () => {
  it('has one folder per stage and nothing else', () => {
    const dirs = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory()).sort();
    expect(dirs).toEqual([...STAGES, STANDALONE].sort());
  });

  it('finds the imports it checks (the parser sees static, type, re-export and dynamic imports)', () => {
    expect(specifiers("import a from './a.ts';\nimport type { B } from '../b.ts';\nexport { c } from './c.ts';\nconst d = await import('./d.ts');\n// import e from './e.ts'\nimport './f.ts';"))
      .toEqual(['./a.ts', '../b.ts', './c.ts', './f.ts', './d.ts']);
    expect(files.length).toBeGreaterThan(50);
    expect(files.find((f) => f.rel === 'cli/program.ts')!.specs).toContain('./run.ts');
  });

  it('imports only from its own and earlier stages', () => {
    const bad: string[] = [];
    for (const { file, rel, specs } of files) {
      if (!rel.includes('/')) continue; // index.ts (the public API) and cli.ts (the entry) at the top use every stage
      const from = rel.split('/')[0];
      for (const spec of specs) {
        const to = stageOf(file, spec);
        if (to === null || to === from || to === '') continue; // a package, the same stage, or errors.ts/index.ts/cli.ts at the top
        if (to === '..') { bad.push(`${rel} -> ${spec} (outside sim/src)`); continue; }
        if (from === STANDALONE) { bad.push(`${rel} -> ${spec} (analytic imports no stage)`); continue; }
        if (to === STANDALONE) continue;
        const i = STAGES.indexOf(from as (typeof STAGES)[number]);
        const j = STAGES.indexOf(to as (typeof STAGES)[number]);
        if (i < 0 || j < 0 || j > i) bad.push(`${rel} -> ${spec} (${from} may not import ${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('top-level errors.ts imports no stage; nothing but the CLI entry imports the CLI', () => {
    const errors = files.find((f) => f.rel === 'errors.ts')!;
    expect(errors.specs.filter((s) => s.startsWith('.'))).toEqual([]);
    const intoCli = files.filter((f) => !f.rel.startsWith('cli/') && f.specs.some((s) => stageOf(f.file, s) === 'cli'));
    expect(intoCli.map((f) => f.rel)).toEqual(['cli.ts']);
  });

  it('the engine and the model import no file, network, HTTP or run-store module', () => {
    const bad: string[] = [];
    for (const { file, rel, specs } of files) {
      const stage = rel.split('/')[0];
      if (stage !== 'engine' && stage !== 'model' && stage !== 'core') continue;
      for (const spec of specs) {
        const ok = ALLOWED[rel]?.includes(spec);
        if (!ok && (NO_IO.test(spec) || stageOf(file, spec) === 'runs')) bad.push(`${rel} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('the parts beside the simulator', () => {
  it('the dashboard reads over HTTP only: it imports nothing of sim/ or twin-api/', () => {
    const bad = walk(join(ROOT, 'dashboard'))
      .flatMap((f) => specifiers(readFileSync(f, 'utf8')).filter((s) => /(^|\/)(sim|twin-api)\//.test(join(relative(ROOT, join(f, '..')), s))).map((s) => `${relative(ROOT, f)} -> ${s}`));
    expect(bad).toEqual([]);
  });

  it('the dashboard imports only its own files and the browser packages: no way around HTTP (not the package itself, not a path out of dashboard/)', () => {
    const files = walk(join(ROOT, 'dashboard'));
    expect(files.some((f) => f.endsWith('api.ts'))).toBe(true);
    const PACKAGES = /^(react|react\/jsx-runtime|react-dom\/client|recharts)$/;
    // Its build config runs in Node (vite build), not in the browser.
    const CONFIG = /^(vite|@vitejs\/plugin-react|node:url)$/;
    const bad: string[] = [];
    for (const f of files) {
      const rel = relative(ROOT, f);
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        if (s.startsWith('.')) {
          if (!relative(ROOT, join(f, '..', s)).startsWith('dashboard/')) bad.push(`${rel} -> ${s} (outside dashboard/)`);
        } else if (!(PACKAGES.test(s) || (rel === 'dashboard/vite.config.ts' && CONFIG.test(s)))) {
          bad.push(`${rel} -> ${s} (a package the dashboard does not use over HTTP)`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('the twin API imports from sim/src and itself only (not the dashboard, tests or benchmarks)', () => {
    const twin = walk(join(ROOT, 'twin-api'));
    expect(twin.length).toBeGreaterThan(3);
    const bad = twin.flatMap((f) => specifiers(readFileSync(f, 'utf8'))
      .filter((s) => s.startsWith('.') && !/^(twin-api|sim\/src)\//.test(relative(ROOT, join(f, '..', s))))
      .map((s) => `${relative(ROOT, f)} -> ${s}`));
    expect(bad).toEqual([]);
  });

  it('the simulator imports nothing of the twin API or the dashboard', () => {
    const bad = files.flatMap(({ file, rel, specs }) => specs.filter((s) => /^(twin-api|dashboard)\//.test(relative(ROOT, join(file, '..', s)))).map((s) => `${rel} -> ${s}`));
    expect(bad).toEqual([]);
  });
});
