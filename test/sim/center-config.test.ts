import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../sim/src/config/compile.ts';
import { parseScenarioText } from '../../sim/src/config/load.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { SimError } from '../../sim/src/errors.ts';
import { simErrorOf } from '../fixtures/sim-error.ts';

/**
 * The scenario (center) form of the contact lifecycle: ivr, bot, deadline, redial,
 * callback on contact types; maxContacts, slowdown, blendSkills and blendBelow on
 * agent groups. Mistakes come back in one SimError, each with its path; a valid file
 * compiles to the documented ModelConfig fields and defaults.
 */


const compile = (text: string): ModelConfig => compileScenario(parseScenarioText(text, 'test.yaml'), { baseDir: '.' });

const VALID = `
name: lifecycle fields
horizon: 2h
interval: 30m
sites:
  shanghai: { lines: 100 }
  nantong: { lines: 300 }
contactTypes:
  - name: flight-zh-phone
    product: flight
    language: zh
    channel: phone
    perDay: 8640
    skill: flight-zh
    handleTime: { kind: deterministic, value: 180 }
    patience: { kind: exponential, mean: 300 }
    ivr:
      time: { kind: deterministic, value: 30 }
      selfService: 0.1
      misroute: 0.05
    redial:
      probability: 0.5
      delay: { kind: exponential, mean: 600 }
    callback:
      offerAfter: 2m
      acceptance: 0.4
  - name: flight-zh-im
    product: flight
    language: zh
    channel: im
    perDay: 4320
    skill: flight-zh-im
    handleTime: { kind: deterministic, value: 300 }
    bot: { deflection: 0.3 }
  - name: hotel-zh-email
    product: hotel
    language: zh
    channel: email
    perDay: 864
    skill: hotel-zh-mail
    handleTime: { kind: deterministic, value: 400 }
    deadline: 24h
  - name: hotel-zh-fax
    product: hotel
    language: zh
    channel: fax
    perDay: 86.4
    skill: hotel-zh-fax
    handleTime: { kind: deterministic, value: 400 }
    deadline: 7200
    ivr:
      time: { kind: deterministic, value: 1 }
agentGroups:
  - name: phone-sh
    site: shanghai
    skills: { flight-zh: 1 }
    blendSkills: { hotel-zh-mail: 0.8 }
    blendBelow: 2
    agents: 10
  - name: im-nt
    site: nantong
    skills: { flight-zh-im: 1 }
    maxContacts: 3
    slowdown: 0.25
    agents: 4
  - name: back-office
    site: nantong
    skills: { hotel-zh-fax: 1 }
    backupSkills: { flight-zh: 0.5 }
    blendSkills: { hotel-zh-mail: 1 }
    agents: 2
`;

describe('center form: lifecycle fields compile', () => {
  it('the IVR on a fax type is refused (phone only), with its path', () => {
    const e = simErrorOf(() => compile(VALID));
    expect(e.code).toBe('SIM_ERR_SCENARIO_INVALID');
    expect(e.issues.map((i) => [i.path, i.message])).toEqual([['contactTypes[3].ivr', 'is for phone contact types only']]);
  });

  const ok = VALID.replace(/    deadline: 7200\n    ivr:\n      time: \{ kind: deterministic, value: 1 \}\n/, '    deadline: 7200\n');

  it('every new field compiles to the ModelConfig, with the documented defaults', () => {
    const cfg = compile(ok);
    const [phone, im, email, fax] = cfg.types;
    expect(phone.ivr).toEqual({ time: { kind: 'deterministic', value: 30 }, selfService: 0.1, hangup: 0, misroute: 0.05, misrouteTime: 30 });
    expect(phone.redial).toEqual({ probability: 0.5, delay: { kind: 'exponential', mean: 600 }, maxAttempts: 3 });
    expect(phone.callback).toEqual({ offerAfter: 120, acceptance: 0.4, dialTime: 20 });
    expect(phone.bot).toBeUndefined();
    expect(phone.deadline).toBeUndefined();
    expect(phone.arrivalRates).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(im.bot).toEqual({ deflection: 0.3, summarySaving: 0 });
    expect(im.ivr).toBeUndefined();
    expect(im.redial).toBeUndefined();
    expect(email.deadline).toBe(86400);
    expect(fax.deadline).toBe(7200);
    expect(email.callback).toBeUndefined();
    expect(cfg.queues.map((q) => q.skill)).toEqual(['flight-zh', 'flight-zh-im', 'hotel-zh-mail', 'hotel-zh-fax']);
    const [phoneSh, imNt, back] = cfg.groups;
    expect(phoneSh).toMatchObject({ site: 0, queues: [0, 2], proficiency: [1, 0.8], backup: [0, 0], blendBelow: [null, 2] });
    // The compiled model is complete (issue 11): defaults are written out, not left absent.
    expect(phoneSh.maxContacts).toBe(1);
    expect(imNt).toMatchObject({ site: 1, queues: [1], maxContacts: 3, slowdown: 0.25 });
    expect(imNt.blendBelow).toEqual([null]);
    // blendBelow defaults to 1 (no phone call waiting); primary and backup skills are never blended.
    expect(back).toMatchObject({ site: 1, queues: [0, 2, 3], proficiency: [0.5, 1, 1], backup: [1, 0, 0], blendBelow: [null, 1, null] });
  });

  it('misrouteTime, maxAttempts and dialTime given in the file override the defaults; durations are parsed', () => {
    const cfg = compile(ok
      .replace('      misroute: 0.05\n', '      misroute: 0.05\n      hangup: 0.02\n      misrouteTime: 1m\n')
      .replace('      delay: { kind: exponential, mean: 600 }\n', '      delay: { kind: exponential, mean: 600 }\n      maxAttempts: 5\n')
      .replace('      acceptance: 0.4\n', '      acceptance: 0.4\n      dialTime: 45s\n')
      .replace('    bot: { deflection: 0.3 }', '    bot: { deflection: 0.3, summarySaving: 0.25 }'));
    expect(cfg.types[0].ivr).toMatchObject({ hangup: 0.02, misrouteTime: 60 });
    expect(cfg.types[0].ivr?.onlyWhenNoAgentFree).toBeUndefined();
    const only = compile(ok.replace('      misroute: 0.05\n', '      misroute: 0.05\n      onlyWhenNoAgentFree: true\n'));
    expect(only.types[0].ivr?.onlyWhenNoAgentFree).toBe(true);
    expect(cfg.types[0].redial?.maxAttempts).toBe(5);
    expect(cfg.types[0].callback?.dialTime).toBe(45);
    expect(cfg.types[1].bot).toEqual({ deflection: 0.3, summarySaving: 0.25 });
  });

  it('the compiled model is frozen', () => {
    const cfg = compile(ok);
    expect(Object.isFrozen(cfg.types[0].ivr)).toBe(true);
    expect(Object.isFrozen(cfg.groups[0].blendBelow)).toBe(true);
  });
});

describe('center form: lifecycle mistakes, all in one SimError', () => {
  const BAD = `
name: lifecycle mistakes
horizon: 1h
interval: 30m
sites:
  shanghai: { lines: 100 }
contactTypes:
  - name: a-phone
    product: flight
    language: zh
    channel: phone
    perDay: 100
    skill: a
    handleTime: { kind: deterministic, value: 180 }
    bot: { deflection: 0.2 }
    ivr:
      time: { kind: deterministic, value: 30 }
      selfService: 0.6
      hangup: 0.3
      misroute: 0.2
  - name: b-im
    product: flight
    language: zh
    channel: im
    perDay: 100
    skill: b
    handleTime: { kind: deterministic, value: 180 }
    ivr:
      time: { kind: deterministic, value: 30 }
  - name: c-email
    product: hotel
    language: zh
    channel: email
    perDay: 100
    skill: c
    handleTime: { kind: deterministic, value: 180 }
    deadline: 0
    redial: { probability: 0.5, delay: { kind: deterministic, value: 60 }, maxAttempts: 0 }
    callback: { offerAfter: 30, acceptance: 1.5 }
agentGroups:
  - name: g0
    site: shanghai
    skills: { a: 1, b: 1 }
    blendSkills: { c: 1, nope: 1 }
    blendBelow: 0
    agents: 3
    shifts:
      - { start: 8h, length: 8h, agents: 2 }
  - name: g1
    site: shanghai
    skills: { b: 1 }
    maxContacts: 0
    slowdown: -0.5
    agents: 1
failures:
  - { site: atlantis, start: 10m, duration: 10m, waiting: lose }
`;

  it('each mistake reported once with its path', () => {
    const e = simErrorOf(() => compile(BAD));
    expect(e.code).toBe('SIM_ERR_SCENARIO_INVALID');
    const paths = e.issues.map((i) => i.path);
    expect([...paths].sort()).toEqual([
      'agentGroups[0]', // agents and shifts
      'agentGroups[0].blendBelow',
      'agentGroups[0].blendSkills.nope',
      'agentGroups[1].maxContacts',
      'agentGroups[1].slowdown',
      'contactTypes[0].bot', // bot on a phone type
      'contactTypes[0].ivr', // shares sum to 1.1
      'contactTypes[1].ivr', // ivr on an im type
      'contactTypes[2].callback', // a callback on an email type
      'contactTypes[2].callback.acceptance',
      'contactTypes[2].deadline',
      'contactTypes[2].redial.maxAttempts',
      'failures[0].site',
    ]);
    expect(e.message).toBe(`test.yaml has ${paths.length} problems`);
    const by = new Map(e.issues.map((i) => [i.path, i]));
    expect(by.get('contactTypes[0].bot')?.message).toBe('is for im contact types only');
    expect(by.get('contactTypes[0].ivr')?.message).toBe('selfService + hangup + misroute must be at most 1');
    expect(by.get('contactTypes[0].ivr')?.value).toBeCloseTo(1.1, 12);
    expect(by.get('contactTypes[1].ivr')?.message).toBe('is for phone contact types only');
    expect(by.get('contactTypes[1].ivr')?.value).toBe('im');
    expect(by.get('agentGroups[0].blendSkills.nope')?.message).toMatch(/^must be a skill of some contact type: a, b, c$/);
    expect(by.get('agentGroups[0]')?.message).toBe('must give exactly one of agents, shifts');
    expect(by.get('failures[0].site')?.value).toBe('atlantis');
    expect(by.get('failures[0].site')?.message).toBe('must be a site: shanghai');
    // Every issue carries the line of its field in the file.
    for (const i of e.issues) expect(i.line, i.path).toBeGreaterThan(1);
  });

  it('a deadline on a phone or im type, and a callback on a type that is not phone, are refused with the channel', () => {
    // Accepted before: the phone and im types ran as deferred work (replyOnTime, an SLA
    // row "phone replies within the deadline", never lost in a failure) and the email
    // type's contacts took callbacks.
    const text = VALID.replace(/    deadline: 7200\n    ivr:\n      time: \{ kind: deterministic, value: 1 \}\n/, '    deadline: 7200\n')
      .replace('    skill: flight-zh\n', '    skill: flight-zh\n    deadline: 1h\n')
      .replace('    skill: flight-zh-im\n', '    skill: flight-zh-im\n    deadline: 2h\n    callback: { offerAfter: 60, acceptance: 0.5 }\n')
      .replace('    deadline: 24h\n', '    deadline: 24h\n    callback: { offerAfter: 60, acceptance: 0.5 }\n');
    const e = simErrorOf(() => compile(text));
    expect(e.issues.map((i) => [i.path, i.value, i.message])).toEqual([
      ['contactTypes[0].deadline', 'phone', 'is for email and fax contact types only (deferred work); a phone or im type is measured by serviceLevel and asa'],
      ['contactTypes[1].deadline', 'im', 'is for email and fax contact types only (deferred work); a phone or im type is measured by serviceLevel and asa'],
      ['contactTypes[1].callback', 'im', 'is for phone contact types only'],
      ['contactTypes[2].callback', 'email', 'is for phone contact types only'],
    ]);
    for (const i of e.issues) expect(i.line, i.path).toBeGreaterThan(1);
  });

  it('a blend-only skill counts as served; a skill nobody serves is reported', () => {
    const base = BAD.slice(0, BAD.indexOf('agentGroups:'));
    const groups = `agentGroups:
  - name: g0
    site: shanghai
    skills: { a: 1 }
    blendSkills: { c: 1 }
    agents: 3
`;
    const fixed = base
      .replace('    bot: { deflection: 0.2 }\n', '')
      .replace('      misroute: 0.2\n', '')
      .replace(/    ivr:\n      time: \{ kind: deterministic, value: 30 \}\n  - name: c-email/, '  - name: c-email')
      .replace('    deadline: 0\n', '    deadline: 1h\n')
      .replace('maxAttempts: 0', 'maxAttempts: 2')
      .replace('    callback: { offerAfter: 30, acceptance: 1.5 }\n', '');
    const e = simErrorOf(() => compile(fixed + groups));
    expect(e.issues.map((i) => [i.path, i.value, i.message])).toEqual([
      ['contactTypes[1]', 'b', 'needs an agent group with skill b: no group serves it'],
    ]);
    const cfg = compile(fixed + groups.replace('skills: { a: 1 }', 'skills: { a: 1, b: 1 }'));
    expect(cfg.groups[0].blendBelow).toEqual([null, null, 1]);
    expect(cfg.types[2].deadline).toBe(3600);
    expect(cfg.types[0].ivr).toEqual({ time: { kind: 'deterministic', value: 30 }, selfService: 0.6, hangup: 0.3, misroute: 0, misrouteTime: 30 });
  });
});
