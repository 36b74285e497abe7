import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fixtures/cli.ts';

/** What sweep --json and compare --precision say a figure is: its channel, and which half-width. */

const POOL = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url));
const TWO_CHANNELS = fileURLToPath(new URL('../fixtures/twin-small.yaml', import.meta.url)); // phone and IM

let dir = '';
let db = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'cctwin-scope-')); db = join(dir, 'runs.db'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cctwin sweep --json', () => {
  it('gives each point its per-channel KPIs and says that the totals mix channels', async () => {
    const r = await cli('sweep', TWO_CHANNELS, '--set', 'agentGroups[0].agents=3,5', '-r', '2', '--workers', '1', '--json', '--db', db);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.points).toHaveLength(2);
    for (const p of o.points) {
      expect(Object.keys(p.byChannel)).toEqual(['phone', 'im']);
      expect(p.byChannel.phone.serviceLevel.mean).toBeGreaterThanOrEqual(0);
      expect(p.totalsScope.channels).toEqual(['phone', 'im']);
      expect(p.totalsScope.mixed).toContain('serviceLevel');
    }
  });
});

describe('cctwin compare --precision', () => {
  it('says the half-width it judged is that of the paired difference, at the level of the printed CIs', async () => {
    const one = await cli('compare', POOL, '--set', 'agents=11,13', '--precision', 'serviceLevel=3%', '--workers', '1', '--db', db);
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/precision: phone serviceLevel half-width of the paired difference \(B - A, 95% CI\) [\d.]+% <= 3\.00% after \d+ replications/);
    const two = await cli('compare', POOL, '--set', 'agents=11,12,13', '--precision', 'serviceLevel=3%', '--workers', '1', '--db', db);
    expect(two.code).toBe(0);
    expect(two.out).toContain('97.5% CI');
    expect(two.out).toMatch(/precision: phone serviceLevel half-width of the paired differences \(widest of the 2 variants - A, 97\.5% CIs\) [\d.]+% <= 3\.00%/);
    expect(two.out).not.toMatch(/95% half-width/);
  });
});
