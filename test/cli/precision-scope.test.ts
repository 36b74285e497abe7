import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fixtures/cli.ts';

/**
 * --precision reads its KPI where a user reads it: a wait, service level or rate per
 * channel (named alone: the phone channel, as staff --target and the scenario's SLA),
 * never the all-channel figure that mixes channels; and it refuses targets that make
 * no sense for the KPI or the scenario, with the flag's other problems.
 */

const POOL = fileURLToPath(new URL('../fixtures/pool-small.yaml', import.meta.url)); // phone only
const TWO_CHANNELS = fileURLToPath(new URL('../fixtures/twin-small.yaml', import.meta.url)); // phone and IM
const BASELINE = fileURLToPath(new URL('../../scenarios/baseline-day.yaml', import.meta.url)); // phone, IM, email, fax

let dir = '';
let db = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'cctwin-precision-')); db = join(dir, 'runs.db'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--precision on a center of several channels', () => {
  it('reads a service level named alone on the phone channel, and a scoped one on its channel, not on the mixed totals', async () => {
    const bare = await cli('run', TWO_CHANNELS, '-r', '3', '--precision', 'serviceLevel=20%', '--max-replications', '4', '--workers', '1', '--json', '--db', db);
    expect(bare.code).toBe(0);
    const o = JSON.parse(bare.out);
    expect(o.precision.scope).toEqual({ kind: 'channel', channel: 'phone' });
    expect(o.precision.halfWidth).toBeCloseTo(o.byChannel.phone.serviceLevel.ci95, 12);
    const im = await cli('run', TWO_CHANNELS, '-r', '3', '--precision', 'byChannel.im.asa=0.001', '--max-replications', '4', '--workers', '1', '--json', '--db', db);
    expect(im.code).toBe(0);
    const i = JSON.parse(im.out);
    expect(i.precision).toMatchObject({ kpi: 'asa', scope: { kind: 'channel', channel: 'im' }, met: false, replications: 4 });
    expect(i.precision.halfWidth).toBeCloseTo(i.byChannel.im.asa.ci95, 12);
    expect(i.precision.halfWidth).not.toBeCloseTo(i.totals.asa.ci95, 6);
    const text = await cli('run', TWO_CHANNELS, '-r', '3', '--precision', 'byChannel.im.asa=0.001', '--max-replications', '4', '--workers', '1', '--db', db);
    expect(text.out).toMatch(/precision NOT reached: im asa 95% half-width [\d.]+ s > 0\.001 s after 4 replications \(the cap\)/); // the target as given, not rounded to 0.00 s
  });

  it('reads a count named alone on the totals (counts add up) and says so', async () => {
    const r = await cli('run', TWO_CHANNELS, '-r', '3', '--precision', 'offered=1000', '--workers', '1', '--db', db);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/precision: offered \(all channels\) 95% half-width [\d.]+ <= 1000 after 3 replications/);
  });

  it('refuses a mixed all-channel rate, and replyOnTime named alone with two deadline channels, naming the channels', async () => {
    const r = await cli('run', TWO_CHANNELS, '--precision', 'totals.asa=1', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--precision = "totals\.asa=1": totals\.asa mixes the channels \(phone, im\): name the channel, byChannel\.phone\.asa or byChannel\.im\.asa/);
    const reply = await cli('run', BASELINE, '--precision', 'replyOnTime=1%', '--db', db);
    expect(reply.code).toBe(2);
    expect(reply.err).toMatch(/replyOnTime is read per channel: name the channel, byChannel\.email\.replyOnTime or byChannel\.fax\.replyOnTime/);
  });

  it('compare judges the paired difference where the target reads the KPI', async () => {
    // agentGroups[0] (phone) does not touch the IM queue: IM's ASA differs by exactly 0 in every pair
    const r = await cli('compare', TWO_CHANNELS, '--set', 'agentGroups[0].agents=3,5', '-r', '3', '--precision', 'byChannel.im.asa=0.001', '--max-replications', '4', '--workers', '1', '--json', '--db', db);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.precision).toMatchObject({ scope: { kind: 'channel', channel: 'im' }, met: true, replications: 3 });
    expect(o.precision.halfWidth).toBeCloseTo(o.comparisons[0].byChannel.im.asa.ciAdjusted, 12);
  });
});

describe('--precision refuses what makes no sense', () => {
  const refused: [string, RegExp][] = [
    ['replyOnTime=0.01', /replyOnTime is for contact types with a reply deadline \(email, fax\): the scenario has none/],
    ['asa=5%', /asa is in seconds: give its half-width in seconds \(e\.g\. asa=2 or asa=2s\), not a percentage/],
    ['serviceLevel=5', /serviceLevel is a share: its half-width must be below 1 \(100%\); for 5 percentage points write serviceLevel=5%/],
    ['serviceLevel=100%', /serviceLevel is a share: its half-width must be below 1 \(100%\)/],
    ['offered=3%', /offered is a count: give its half-width as a plain number, not a percentage/],
    ['accuracy=0.01', /accuracy is measured only in scenarios with a workforce/],
    ['byChannel.im.serviceLevel=1%', /byChannel\.im: the scenario has no im contact types \(its channels: phone\)/],
    ['byChannel.phone.occupancy=1%', /occupancy is not read per channel/],
    ['byType.nope.asa=2', /byType\.nope: no contact type of that name \(types: calls\)/],
    ['nothing=0.1', /unknown KPI nothing/],
  ];
  for (const [value, why] of refused) {
    it(`${value}: exit 2, the flag, the value and what is expected`, async () => {
      const r = await cli('run', POOL, '--precision', value, '--db', db);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--precision = "${value}"`);
      expect(r.err).toMatch(why);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }

  it('lists a target the scenario does not measure with the other flags\' problems', async () => {
    const r = await cli('run', POOL, '--precision', 'replyOnTime=0.01', '--max-replications', '1', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/2 bad options/);
    expect(r.err).toMatch(/--max-replications = "1"/);
    expect(r.err).toMatch(/--precision = "replyOnTime=0\.01": replyOnTime is for contact types with a reply deadline/);
  });
});

describe('--precision checked on what every arm and point measures', () => {
  it('sweep: a value of a --set that loses the target\'s contact type is refused before anything runs (it ran that point to the cap)', async () => {
    const r = await cli('sweep', TWO_CHANNELS, '--set', 'contactTypes[1].name=flight-en-phone,renamed', '--precision', 'byType.flight-en-phone.asa=5', '--max-replications', '6', '--workers', '1', '--db', join(dir, 'sweep-scope.db'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--precision = "byType.flight-en-phone.asa=5": byType.flight-en-phone: no contact type of that name');
    expect(r.out).toBe('');
  });

  it('cost is measured only with a workforce (its cost model): refused without one, not "met" at a half-width of 0', async () => {
    const r = await cli('run', POOL, '--precision', 'cost=1', '--workers', '1', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--precision = "cost=1": cost is measured only in scenarios with a workforce');
  });
});
