import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fixtures/cli.ts';

/** What sweep --json and compare --precision say a figure is: its channel, and which half-width. */

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
