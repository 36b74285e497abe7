import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadShiftsFile, parseShiftsText } from '../../sim/src/config/shifts.ts';
import { ShiftsSchema } from '../../sim/src/config/shifts-schema.ts';
import { SimError } from '../../sim/src/errors.ts';
import { compileShifts, type ScheduleGrid } from '../../sim/src/experiments/shifts.ts';
import { JSON_SCHEMA_DIALECT, SHIFTS_SCHEMA_FILE, shiftsSchemaJsonText } from '../../scenarios/write-schema.ts';

const CTRIP = fileURLToPath(new URL('../../scenarios/shifts/ctrip-shifts.yaml', import.meta.url));

/** The problems of a bad shift file, as `line N: path: message` lines. */
function problems(text: string): string[] {
  try {
    parseShiftsText(text, 'bad.yaml');
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    expect(e.isInput).toBe(true);
    return e.issues.map((i) => `line ${i.line}: ${i.path}: ${i.message}`);
  }
  throw new Error('the file was accepted');
}

const grid = (L: number, days = 1): ScheduleGrid => ({
  intervalLength: L, days, sites: ['shanghai', 'nantong'],
  groups: [{ name: 'flight-zh-shanghai', site: 'shanghai' }, { name: 'english-shanghai', site: 'shanghai' }, { name: 'english-nantong', site: 'nantong' }],
});

describe('scenarios/shifts/schema.json', () => {
  it('is what `npm run schema` generates from sim/src/config/shifts-schema.ts', () => {
    if (readFileSync(SHIFTS_SCHEMA_FILE, 'utf8') !== shiftsSchemaJsonText()) {
      throw new Error('scenarios/shifts/schema.json is stale: it differs from sim/src/config/shifts-schema.ts. Run `npm run schema` and commit the result.');
    }
  });

  it('declares draft 2020-12 and the shift-file fields', () => {
    const json = JSON.parse(readFileSync(SHIFTS_SCHEMA_FILE, 'utf8'));
    expect(json.$schema).toBe(JSON_SCHEMA_DIALECT);
    expect(Object.keys(json.properties).sort()).toEqual(Object.keys(ShiftsSchema.properties).sort());
    expect([...json.required].sort()).toEqual(['name', 'templates']);
    expect(json.additionalProperties).toBe(false);
  });
});

describe('scenarios/shifts/ctrip-shifts.yaml', () => {
  const file = loadShiftsFile(CTRIP);

  it('validates, with 8-hour shifts every half hour, 12-hour surge shifts and meals at 11:00-13:30 and 17:00-19:00', () => {
    const t = Object.fromEntries(file.input.templates.map((x) => [x.name, x]));
    expect(t['standard-8h'].length).toBe('8h');
    expect(t['standard-8h'].starts).toEqual({ from: '0h', to: '23.5h', every: '30m' });
    expect(t['surge-12h'].length).toBe('12h');
    for (const x of Object.values(t)) {
      for (const b of x.breaks ?? []) expect(b.timesOfDay).toEqual([{ from: '11h', to: '13.5h' }, { from: '17h', to: '19h' }]);
    }
    expect(file.input.headcount?.groups?.['english-shanghai']).toBeLessThan(file.input.headcount!.sites!.shanghai);
  });

  it('fits half-hour and quarter-hour grids; meals land in the meal times when the shift reaches them', () => {
    for (const L of [900, 1800]) {
      const c = compileShifts(file, grid(L));
      const std = c.templates.find((x) => x.name === 'standard-8h')!;
      expect(std.starts).toHaveLength(48);
      // A shift from 07:00 takes its meal between 11:00 and 13:30; one from 01:00 mid-shift (3h to 6h in).
      const at = (hhmm: number) => std.placements[std.starts.indexOf(hhmm * 3600 / L)][0].map((o) => (hhmm * 3600 + o * L) / 3600);
      expect(Math.min(...at(7))).toBeGreaterThanOrEqual(11);
      expect(Math.max(...at(7))).toBeLessThanOrEqual(13);
      expect(Math.min(...at(1))).toBeGreaterThanOrEqual(4);
      expect(Math.max(...at(1))).toBeLessThanOrEqual(6.5);
      expect(c.notes).toEqual([]);
    }
  });

  it('does not fit an hourly grid, and says where', () => {
    try {
      compileShifts(file, grid(3600));
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(SimError);
      const err = e as SimError;
      expect(err.message).toMatch(/does not fit the scenario's 60-minute interval grid/);
      expect(err.issues.map((i) => i.path)).toContain('templates[0].starts.every');
      expect(err.issues.map((i) => i.path)).toContain('templates[0].breaks[0].length');
      expect(err.issues.every((i) => typeof i.line === 'number')).toBe(true);
    }
  });
});

describe('bad shift files', () => {
  it('lists every problem with its path and line', () => {
    const text = [
      'name: bad',               // 1
      'templates:',              // 2
      '  - name: a',             // 3
      '    length: -8h',         // 4
      '    starts: [25h]',       // 5
      '    cost: 0',             // 6
      '    colour: blue',        // 7
      '  - name: a',             // 8
      '    length: 8h',          // 9
      '    starts: { from: 10h, to: 8h, every: 1h }', // 10
      '    cost: 5',             // 11
      '    breaks: [{ length: 9h }]', // 12
      '    max: 0',              // 13
    ].join('\n');
    const p = problems(text);
    expect(p).toContainEqual(expect.stringMatching(/^line 4: templates\[0\]\.length: must be/));
    expect(p).toContainEqual(expect.stringMatching(/^line 6: templates\[0\]\.cost: must be > 0/));
    expect(p).toContainEqual(expect.stringMatching(/^line 7: templates\[0\]\.colour: is not a known field/));
    expect(p).toContainEqual(expect.stringMatching(/^line 13: templates\[1\]\.max: must be >= 1/));
  });

  it('checks meaning: names, starts, breaks, windows', () => {
    const text = [
      'name: bad',
      'templates:',
      '  - name: a',
      '    length: 8h',
      '    starts: [25h]',
      '    cost: 5',
      '  - name: a',
      '    length: 8h',
      '    starts: { from: 10h, to: 8h, every: 1h }',
      '    cost: 5',
      '    breaks: [{ length: 9h }, { length: 1h, window: { from: 5h, to: 9h } }, { length: 1h, timesOfDay: [{ from: 12h, to: 12.5h }] }]',
      '    min: 5',
      '    max: 2',
    ].join('\n');
    const p = problems(text);
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/^line 5: templates\[0\]\.starts\[0\]: must be a time of day/),
      expect.stringMatching(/^line 7: templates\[1\]\.name: must be unique/),
      expect.stringMatching(/^line 9: templates\[1\]\.starts\.to: must not be before starts\.from/),
      expect.stringMatching(/^line 11: templates\[1\]\.breaks\[0\]\.length: must be shorter than the shift/),
      expect.stringMatching(/^line 11: templates\[1\]\.breaks\[1\]\.window\.to: must be within the shift/),
      expect.stringMatching(/^line 11: templates\[1\]\.breaks\[2\]\.timesOfDay\[0\]: must be at least as long as the break/),
      expect.stringMatching(/^line 13: templates\[1\]\.max: must be at least min/),
    ]));
  });

  it('checks meaning in the parts that are well-formed while the schema finds problems elsewhere: one reading lists both', () => {
    const text = [
      'name: bad',                                         // 1
      'templates:',                                        // 2
      '  - name: a',                                       // 3
      '    length: 8h',                                    // 4
      '    starts: { from: 8h, to: 25h, every: 0m }',      // 5
      '    cost: 5',                                       // 6
      '    breaks: [{ length: 30m, window: { from: 4h, to: 2h } }]', // 7
      '  - name: a',                                       // 8
      '    length: 8h',                                    // 9
      '    starts: [8h]',                                  // 10
      '    cost: x',                                       // 11
      '  - name: c',                                       // 12
      '    length: [8h]',                                  // 13
      '    starts: { from: 1h, to: 2h, every: often }',    // 14
      '    cost: 1',                                       // 15
      '    breaks: [{ length: 9h, window: { from: 1h, to: 30h } }]', // 16
    ].join('\n');
    const p = problems(text);
    expect(p).toEqual([
      expect.stringMatching(/^line 5: templates\[0\]\.starts\.to: must be a time of day, before 24h/),
      expect.stringMatching(/^line 5: templates\[0\]\.starts\.every: must be longer than 0/),
      expect.stringMatching(/^line 7: templates\[0\]\.breaks\[0\]\.window\.to: must be after window\.from/),
      expect.stringMatching(/^line 8: templates\[1\]\.name: must be unique/),
      expect.stringMatching(/^line 11: templates\[1\]\.cost: must be a number/),
      expect.stringMatching(/^line 13: templates\[2\]\.length: must be/),
      expect.stringMatching(/^line 14: templates\[2\]\.starts\.every: must be/),
    ]);
  });

  it('refuses an empty shift set, YAML that is not YAML, and a file that is not a mapping', () => {
    expect(problems('name: none\ntemplates: []\n')).toEqual([expect.stringMatching(/^line 2: templates: must have at least 1 item/)]);
    expect(problems('name: x\ntemplates: [\n')[0]).toMatch(/YAML syntax/);
    expect(problems('- 1\n- 2\n')[0]).toMatch(/must be a mapping of shift-file fields/);
  });

  it('says which breaks could overlap, and notes selectors that name nothing in the scenario', () => {
    const file = parseShiftsText([
      'name: x',
      'templates:',
      '  - name: long',
      '    length: 10h',
      '    starts: [8h]',
      '    cost: 10',
      '    groups: [nobody]',
      '    breaks: [{ name: one, length: 1h, window: { from: 2h, to: 6h } }, { name: two, length: 1h, window: { from: 4h, to: 8h } }]',
      'headcount: { sites: { mars: 3 } }',
    ].join('\n'), 'x.yaml');
    expect(() => compileShifts(file, grid(1800))).toThrow(/does not fit/);
    try {
      compileShifts(file, grid(1800));
    } catch (e) {
      expect((e as SimError).issues[0].message).toMatch(/may overlap one for shifts starting at 08:00/);
    }
    const ok = parseShiftsText([
      'name: x', 'templates:', '  - { name: s, length: 8h, starts: [8h], cost: 1, groups: [nobody], days: [9] }', 'headcount: { sites: { mars: 3 } }',
    ].join('\n'), 'x.yaml');
    const notes = compileShifts(ok, grid(1800)).notes.join('\n');
    expect(notes).toMatch(/templates\[0\]\.groups: the scenario has no agent group nobody/);
    expect(notes).toMatch(/headcount\.sites\.mars: the scenario has no site mars/);
    expect(notes).toMatch(/day 9 is past the 1-day schedule/);
  });
});
