import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package as users get it: what `npm pack` would publish, the compiled `cctwin`
 * bin, and which modules a command loads. `npm test` builds dist/ first.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function bin(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['bin/cctwin.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
}

/**
 * The modules a command loads: the URLs it resolves (by the import-tracing hook in
 * test/fixtures), with each file of the bundle (dist/bundle/) replaced by the sources
 * built into it, as the build's dist/bundle/meta.json lists them (paths from the
 * package folder: sim/src/..., node_modules/typebox/...).
 */
function modulesLoadedBy(args: string[]): string[] {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as { outputs: Record<string, string[]> };
  return resolvedBy(args).flatMap((u) => {
    const m = /\/(dist\/bundle\/[^/]+)$/.exec(u);
    if (m === null) return [u];
    expect(meta.outputs[m[1]], `${m[1]} is in dist/bundle/meta.json`).toBeDefined();
    return meta.outputs[m[1]];
  });
}

/** The module URLs a command resolves, by the import-tracing hook in test/fixtures. */
function resolvedBy(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cctwin-trace-'));
  try {
    const trace = join(dir, 'trace.txt');
    const p = spawnSync(process.execPath, ['--import', './test/fixtures/trace-imports.mjs', 'bin/cctwin.js', ...args], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CCTWIN_TRACE_IMPORTS: trace },
    });
    expect(p.status, p.stderr).toBe(0);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm pack', () => {
  const p = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const files: string[] = p.status === 0 ? (JSON.parse(p.stdout)[0].files as { path: string }[]).map((f) => f.path) : [];

  it('publishes the bundle and the types, the built dashboard, the bin, the scenario library, the schema, README and licence', () => {
    expect(p.status, p.stderr).toBe(0);
    for (const f of ['dist/sim/src/index.d.ts', 'dist/sim/src/engine/replicate.d.ts',
      'dist/dashboard/index.html',
      'dist/bundle/cli.js', 'dist/bundle/twin.js', 'dist/bundle/index.js', 'dist/bundle/replication-worker-entry.cjs', 'dist/bundle/predict-worker.js', 'dist/build-info.json',
      'bin/cctwin.js', 'bin/v8-flags.js', 'scenarios/baseline-day.yaml', 'scenarios/schema.json', 'README.md', 'LICENSE', 'package.json']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^dist\/dashboard\/assets\/.+\.js$/.test(f)).length).toBeGreaterThan(0);
  });

  it('publishes one copy of the code: the bundle, not also tsc\'s JavaScript (its .d.ts only), nor the bundle\'s metafile', () => {
    expect(files.filter((f) => f.startsWith('dist/sim/') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files).not.toContain('dist/bundle/meta.json');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const entry of [pkg.main, pkg.exports['.'].default, pkg.types, pkg.exports['.'].types]) expect(files).toContain(entry.replace(/^\.\//, ''));
  });

  it('publishes no call logs, tests, benchmarks, TypeScript sources or run stores', () => {
    const bad = files.filter((f) => /\.(tsv|csv|db)$/.test(f) || /^(test|bench|calibration-data|sim\/src|twin-api|dashboard|docs)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('scenarios/policies/')));
    expect(bad).toEqual([]);
  });
});

describe('the compiled cctwin', () => {
  it('prints its version from package.json', () => {
    const p = bin(['--version']);
    expect(p.status).toBe(0);
    expect(p.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('runs the bundle only: no TypeScript loader, no module from the sources', () => {
    const resolved = resolvedBy(['erlang', 'c', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6']);
    expect(resolved.filter((u) => !u.startsWith('node:') && !/\/(bin\/cctwin|bin\/v8-flags|dist\/bundle\/[^/]+)\.js$/.test(u))).toEqual([]);
    expect(modulesLoadedBy(['erlang', 'c', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6']).some((u) => u.startsWith('sim/src/analytic/'))).toBe(true);
  });

  it('`erlang c` and `--version` load neither SQLite, the worker pool, the scenario schema nor the calibration code', () => {
    for (const args of [['--version'], ['erlang', 'c', '--arrivals-per-hour', '100', '--aht', '180', '--agents', '6']]) {
      const heavy = modulesLoadedBy(args)
        // the calibration commands' choices (calibration/options.ts) are a list of names, for the help text
        .filter((u) => /better-sqlite3|piscina|\/effect\/|typebox|fastify|twin-api|\/yaml\/|\/calibration\/(?!options\.ts)|\/runs\/store|\/engine\/pool/.test(u));
      expect(heavy, args.join(' ')).toEqual([]);
    }
  });

  it('`run` on one thread loads no worker pool (effect, piscina)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctwin-one-thread-'));
    try {
      const loaded = modulesLoadedBy(['run', 'test/fixtures/pool-small.yaml', '--replications', '2', '--workers', '1', '--db', join(dir, 'runs.db')]);
      expect(loaded.some((u) => u.startsWith('sim/src/engine/replicate.ts'))).toBe(true);
      expect(loaded.filter((u) => /piscina|\/effect\/|\/engine\/pool/.test(u))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve: loads the compiled twin, and a bad flag exits 2 naming it', () => {
    const p = bin(['serve', 'test/fixtures/pool-small.yaml', '--speed', 'fast', '--port', '70000']);
    expect(p.status, p.stderr).toBe(2);
    expect(p.stderr).toMatch(/--speed/);
    expect(p.stderr).toMatch(/--port/);
    // A flag serve does not have is among them: the twin's bundle (dist/bundle/twin.js)
    // reads the unknown flags the CLI's bundle parsed (one module, shared between them).
    const u = bin(['serve', 'test/fixtures/pool-small.yaml', '--port', '70000', '--no-such-flag']);
    expect(u.status, u.stderr).toBe(2);
    expect(u.stderr).toContain('--no-such-flag: is not an option of cctwin serve');
    expect(u.stderr).toMatch(/--port/);
  });

  it('the library entry (import \'cctwin\') loads the bundle and runs replications on its worker threads', () => {
    const script = [
      "const m = await import('cctwin');",
      "const cfg = m.loadScenario('test/fixtures/pool-small.yaml');",
      'const bufs = await m.withRunner({ workers: 2 }, (r) => r.run(cfg, [0, 1, 2]));',
      'const s = m.summarize(cfg, bufs.map((b) => m.decodeResult(b, cfg)), 0);',
      "console.log(JSON.stringify({ url: import.meta.resolve('cctwin'), replications: s.replications, offered: s.totals.offered.mean }));",
    ].join('\n');
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(p.status, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout);
    expect(out.url).toMatch(/\/dist\/bundle\/index\.js$/);
    expect(out.replications).toBe(3);
    expect(out.offered).toBeGreaterThan(0);
  });

  it('runs replications on worker threads that load the compiled worker', () => {
    const p = bin(['erlang', 'a', '--arrivals-per-hour', '600', '--aht', '180', '--patience', '300', '--agents', '32', '--simulate',
      '--hours', '2', '--replications', '4', '--workers', '2', '--json']);
    expect(p.status, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout);
    expect(out.simulated.offered.mean).toBeGreaterThan(0);
  });
});
