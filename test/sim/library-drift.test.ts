import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { libraryFiles } from '../../scenarios/generate/library.ts';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/**
 * The scenario library is generated (scenarios/generate/library.ts, `npm run scenarios`)
 * and committed: each committed file, its header comment included, is what the
 * generator writes now, so a header cannot keep describing a scenario the generator
 * no longer makes (baseline-day's said IM chats were worked one at a time while its
 * IM groups held 3).
 */
describe('the scenario library is current', () => {
  const files = libraryFiles();
  it('has the files the README lists', () => {
    expect(files.map((f) => f.file).sort()).toEqual([
      'baseline-day.yaml', 'complaint-storm.yaml', 'im-bot-rollout.yaml', 'nantong-failover.yaml', 'new-hire-wave-countermeasures.yaml',
      'new-hire-wave.yaml', 'pre-festival-8-weeks.yaml', 'spring-festival.yaml', 'typhoon.yaml',
    ]);
  });
  it.each(files.map((f) => [f.file, f.text]))('scenarios/%s is what the generator writes', (file, text) => {
    const committed = readFileSync(`${SCENARIOS}${file}`, 'utf8');
    if (committed !== text) throw new Error(`scenarios/${file} is stale: it differs from scenarios/generate/library.ts. Run \`npm run scenarios\` and commit the result.`);
  });
  it('baseline-day says how its IM agents work: up to 3 chats each', () => {
    const text = files.find((f) => f.file === 'baseline-day.yaml')!.text;
    expect(text).toMatch(/IM agents hold up to 3 chats/);
    expect(text).not.toMatch(/one at a time/);
    expect(text).toMatch(/\n {4}maxContacts: 3\n/);
  });
});
