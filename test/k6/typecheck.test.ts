import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, scenario, SMALL, tempDir, writeScript } from './helpers.ts';

/**
 * The scripts type-check against k6's own type definitions (@types/k6 1.x): plain
 * JavaScript checked as TypeScript would (checkJs, strict), with only k6's modules and
 * ES2020 in scope (no DOM, no Node). In process, with the compiler API.
 */

const tmp = tempDir();
afterAll(() => tmp.done());

function diagnostics(files: string[], dir: string): string[] {
  const types = join(ROOT, 'node_modules/@types');
  const config = {
    compilerOptions: {
      allowJs: true, checkJs: true, noEmit: true, strict: true,
      module: 'esnext', moduleResolution: 'bundler', target: 'es2020', lib: ['es2020'],
      types: ['k6'], typeRoots: [types],
      // k6's modules ('k6/http', ...) from @types/k6, wherever the scripts are
      paths: { k6: [join(types, 'k6/index.d.ts')], 'k6/*': [join(types, 'k6/*')] },
    },
    files,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
  expect(parsed.errors).toEqual([]);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('the k6 scripts type-check against @types/k6', () => {
  it('by type and by channel, with and without deadline types: no diagnostics', async () => {
    const a = await writeScript(tmp.dir, 'spring.js', scenario('spring-festival.yaml'));
    const b = await writeScript(tmp.dir, 'baseline-channel.js', scenario('baseline-day.yaml'), '--by', 'channel');
    const c = await writeScript(tmp.dir, 'small.js', SMALL, '--horizon', '1h', '--speed', '600');
    expect(diagnostics([a.path, b.path, c.path], tmp.dir)).toEqual([]);
  });

  it('finds a mistake when there is one (the check is real)', async () => {
    const a = await writeScript(tmp.dir, 'broken.js', SMALL);
    const broken = a.text.replace("http.request(ROUTES.create.method", "http.requestt(ROUTES.create.method").replace("count.sent.add(1, tags);", "count.sent.add('one', tags);");
    writeFileSync(a.path, broken);
    const d = diagnostics([a.path], tmp.dir);
    expect(d.some((x) => /requestt/.test(x))).toBe(true);
    expect(d.some((x) => /TS2345: Argument of type '"one"' is not assignable to parameter of type 'number \| boolean'/.test(x))).toBe(true);
    expect(d).toHaveLength(2);
  });
});
