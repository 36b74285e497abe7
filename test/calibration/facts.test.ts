import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { citedFactIds, loadFacts, parseFacts } from '../../sim/src/calibration/facts.ts';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(n) ? [p] : [];
  });
}

describe('Ctrip facts', () => {
  const facts = loadFacts();

  it('holds the figures of CONTEXT.md with their values', () => {
    expect(facts.get('inbound-calls-per-day')?.values).toEqual([160000]);
    expect(facts.get('aht-seconds')?.values).toEqual([180]);
    expect(facts.get('sl-target')?.values).toEqual([0.95]);
    expect(facts.get('sl-threshold-seconds')?.values).toEqual([20]);
    expect(facts.get('new-agent-error-peak-hours')?.values).toEqual([15, 18]);
    expect(facts.get('spring-festival-aht-seconds')?.values).toEqual([300]);
  });

  it('every id cited in a scenario comment as "facts: <id>" exists', () => {
    const unknown: string[] = [];
    for (const file of yamlFiles(SCENARIOS)) {
      for (const c of citedFactIds(readFileSync(file, 'utf8'))) {
        if (!facts.has(c.id)) unknown.push(`${file}:${c.line}: ${c.id}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('finds cited ids in comments only, and an unknown id is caught', () => {
    const text = 'name: x # facts: aht-seconds, sl-target\nfacts: not-a-comment\n# facts: no-such-figure\n';
    const cited = citedFactIds(text);
    expect(cited).toEqual([
      { id: 'aht-seconds', line: 1 }, { id: 'sl-target', line: 1 }, { id: 'no-such-figure', line: 3 },
    ]);
    expect(cited.filter((c) => !facts.has(c.id)).map((c) => c.id)).toEqual(['no-such-figure']);
  });

  it('rejects a malformed facts file, naming each line', () => {
    const bad = 'id,figure,value,unit,source,note\nBad Id,x,abc,s,nowhere,\nok,x,1,s,trade-article-service-system,\n';
    expect(() => parseFacts(bad)).toThrow(/line 2: id "Bad Id"[\s\S]*line 2: value "abc"[\s\S]*line 2: source "nowhere"/);
  });
});
