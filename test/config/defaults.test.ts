import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../sim/src/config/compile.ts';
import { deepFreeze, modelConfig, type ModelInput } from '../../sim/src/config/defaults.ts';
import { parseScenarioText } from '../../sim/src/config/load.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { ScenarioSchema } from '../../sim/src/config/schema.ts';
import { replicate } from '../../sim/src/engine/replicate.ts';
import { HEADER_LENGTH, M, NM } from '../../sim/src/model/layout.ts';
import { SCHEMA_FILE } from '../../scenarios/write-schema.ts';

/**
 * Defaults live in one place, the scenario schema (issue 11). A model that leaves a
 * field out runs the same whether it comes from a scenario file, from a file that
 * writes every default out, or from code (modelConfig): same config, same numbers.
 */

const compile = (text: string): ModelConfig => compileScenario(parseScenarioText(text, 'test.yaml'), { baseDir: '.' });

/** Result buffers of replications 0 and 1, without the wall-clock slot of the header. */
function results(cfg: ModelConfig): number[][] {
  return [0, 1].map((r) => {
    const b = Array.from(replicate(cfg, r));
    b[5] = 0;
    return b;
  });
}

/** One metric summed over the rows of a result buffer. */
const total = (b: number[], k: keyof typeof M): number => {
  let v = 0;
  for (let i = 0; i < b[2]; i++) v += b[HEADER_LENGTH + i * NM + M[k]];
  return v;
};

// ---- a center that leaves out every field with a default (and names the site mode, or not)

const MINIMAL = (siteMode: string) => `
name: defaults
horizon: 4h
${siteMode}
sites:
  shanghai: { lines: 60 }
  nantong: { lines: 40 }
contactTypes:
  - name: flight-zh-phone
    product: flight
    language: zh
    channel: phone
    perDay: 4000
    handleTime: { kind: exponential, mean: 240 }
    patience: { kind: exponential, mean: 200 }
    ivr: { time: { kind: deterministic, value: 20 }, hangup: 0.05, misroute: 0.1 }
    redial: { probability: 0.5, delay: { kind: exponential, mean: 300 } }
    callback: { offerAfter: 60, acceptance: 0.3 }
  - name: hotel-zh-phone
    product: hotel
    language: zh
    channel: phone
    perDay: 2000
    handleTime: { kind: exponential, mean: 300 }
    patience: { kind: exponential, mean: 300 }
  - name: flight-zh-im
    product: flight
    language: zh
    channel: im
    perDay: 2000
    skill: flight-zh-im
    handleTime: { kind: exponential, mean: 400 }
    bot: { deflection: 0.2 }
agentGroups:
  - name: flight-sh
    site: shanghai
    skills: { flight-zh: 1 }
    backupSkills: { hotel-zh: 0.8 }
    agents: 6
  - name: hotel-nt
    site: nantong
    skills: { hotel-zh: 1 }
    agents: 3
  - name: im-sh
    site: shanghai
    skills: { flight-zh-im: 1 }
    agents: 4
failures:
  - { site: nantong, start: 1h, duration: 30m }
`;

/** The same center with every default written out, as the README and schema state them. */
const EXPLICIT = (siteMode: string) => `
name: defaults
seed: 1
horizon: 4h
interval: 15m
warmup: 0
serviceLevel: { threshold: 20, target: 0.95 }
targets: { maxAbandonRate: 0.1, minAccuracy: 0.999, minComplaintReplyOnTime: 0.95, minReplyOnTime: 0.95 }
siteMode: ${siteMode}
siteOverflow: { after: 30, transferDelay: 10 }
routing: { policy: fifo, agingRate: 0, overflowAfter: 30, params: {} }
calendar:
  startDay: mon
  dayOfWeek: { mon: 1, tue: 1, wed: 1, thu: 1, fri: 1, sat: 1, sun: 1 }
  specialDays: []
profiles: {}
overdispersion: { dayCv: 0, intervalCv: 0 }
shocks: []
sites:
  shanghai: { lines: 60 }
  nantong: { lines: 40 }
contactTypes:
  - name: flight-zh-phone
    product: flight
    language: zh
    channel: phone
    perDay: 4000
    profile: flat
    priority: 0
    handleTime: { kind: exponential, mean: 240 }
    patience: { kind: exponential, mean: 200 }
    ivr: { time: { kind: deterministic, value: 20 }, selfService: 0, hangup: 0.05, misroute: 0.1, misrouteTime: 30, onlyWhenNoAgentFree: false }
    redial: { probability: 0.5, delay: { kind: exponential, mean: 300 }, maxAttempts: 3 }
    callback: { offerAfter: 60, acceptance: 0.3, dialTime: 20 }
  - name: hotel-zh-phone
    product: hotel
    language: zh
    channel: phone
    perDay: 2000
    profile: flat
    priority: 0
    handleTime: { kind: exponential, mean: 300 }
    patience: { kind: exponential, mean: 300 }
  - name: flight-zh-im
    product: flight
    language: zh
    channel: im
    perDay: 2000
    profile: flat
    priority: 0
    skill: flight-zh-im
    handleTime: { kind: exponential, mean: 400 }
    patience: null
    bot: { deflection: 0.2, summarySaving: 0 }
agentGroups:
  - name: flight-sh
    site: shanghai
    skills: { flight-zh: 1 }
    backupSkills: { hotel-zh: 0.8 }
    agents: 6
    maxContacts: 1
    slowdown: 0
    blendBelow: 1
  - name: hotel-nt
    site: nantong
    skills: { hotel-zh: 1 }
    agents: 3
    maxContacts: 1
    slowdown: 0
    blendBelow: 1
  - name: im-sh
    site: shanghai
    skills: { flight-zh-im: 1 }
    agents: 4
    maxContacts: 1
    slowdown: 0
    blendBelow: 1
failures:
  - { site: nantong, start: 1h, duration: 30m, inService: drop, waiting: move }
`;

/** The same center built in code, leaving out what the file leaves out. */
function handBuilt(siteMode?: 'virtual' | 'local', over: Partial<ModelInput> = {}): ModelConfig {
  const nI = 16;
  // As the demand model compiles a flat profile: perDay * (1 / intervals a day) / L.
  const rate = (perDay: number) => new Array<number>(nI).fill((perDay * (1 / 96)) / 900);
  const agents = (n: number) => new Array<number>(nI).fill(n);
  return deepFreeze(modelConfig({
    name: 'defaults',
    horizon: 4 * 3600,
    sla: [],
    types: [
      {
        name: 'flight-zh-phone', channel: 'phone', product: 'flight', language: 'zh', queue: 0, arrivalRates: rate(4000),
        handleTime: { kind: 'exponential', mean: 240 }, patience: { kind: 'exponential', mean: 200 },
        ivr: { time: { kind: 'deterministic', value: 20 }, hangup: 0.05, misroute: 0.1 },
        redial: { probability: 0.5, delay: { kind: 'exponential', mean: 300 } },
        callback: { offerAfter: 60, acceptance: 0.3 },
      },
      {
        name: 'hotel-zh-phone', channel: 'phone', product: 'hotel', language: 'zh', queue: 1, arrivalRates: rate(2000),
        handleTime: { kind: 'exponential', mean: 300 }, patience: { kind: 'exponential', mean: 300 },
      },
      {
        name: 'flight-zh-im', channel: 'im', product: 'flight', language: 'zh', queue: 2, arrivalRates: rate(2000),
        handleTime: { kind: 'exponential', mean: 400 }, patience: null, bot: { deflection: 0.2 },
      },
    ],
    queues: [{ name: 'flight-zh-phone', skill: 'flight-zh' }, { name: 'hotel-zh-phone', skill: 'hotel-zh' }, { name: 'flight-zh-im', skill: 'flight-zh-im' }],
    groups: [
      { name: 'flight-sh', site: 0, queues: [0, 1], proficiency: [1, 0.8], backup: [0, 1], staffing: agents(6) },
      { name: 'hotel-nt', site: 1, queues: [1], staffing: agents(3) },
      { name: 'im-sh', site: 0, queues: [2], staffing: agents(4) },
    ],
    sites: [{ name: 'shanghai', lines: 60 }, { name: 'nantong', lines: 40 }],
    failures: [{ site: 1, start: 3600, end: 5400 }],
    ...(siteMode ? { siteMode } : {}),
    ...over,
  }));
}

describe('defaults: a file that leaves them out, a file that writes them out, a model built in code', () => {
  for (const mode of ['virtual', 'local'] as const) {
    // Virtual is the default site mode: that file leaves it out too.
    const given = mode === 'virtual' ? '' : 'siteMode: local';
    const minimal = compile(MINIMAL(given));
    const explicit = compile(EXPLICIT(mode));
    const code = handBuilt(mode === 'virtual' ? undefined : 'local');

    it(`${mode} sites: the two files compile to the same model`, () => {
      expect(minimal).toEqual(explicit);
    });

    it(`${mode} sites: the model built in code gets the same defaults`, () => {
      const { sla: _a, types: ta, ...a } = code;
      const { sla: _b, types: tb, ...b } = minimal;
      expect(a).toEqual(b);
      // arrival rates are the demand model's arithmetic, compared through the results below
      expect(ta.map(({ arrivalRates: _r, ...t }) => t)).toEqual(tb.map(({ arrivalRates: _r, ...t }) => t));
    });

    it(`${mode} sites: all three give the same result buffers (same seed)`, () => {
      const want = results(minimal);
      expect(total(want[0], 'arrivals')).toBeGreaterThan(1000);
      expect(total(want[0], 'transfers')).toBeGreaterThan(0); // misrouted calls: misrouteTime counts
      expect(results(explicit)).toEqual(want);
      expect(results(code)).toEqual(want);
    });
  }

  it('the defaults matter: the engine\'s old ones (overflow 0 s, transfer 0 s, backup never) give other numbers', () => {
    const now = handBuilt('local');
    const old = handBuilt('local', { siteOverflowAfter: 0, siteTransferDelay: 0, routing: { overflowAfter: Infinity } });
    expect(results(old)).not.toEqual(results(now));
  });
});

// ---- the workforce loop and the demand model: their defaults, left out and written out

const WF_MINIMAL = `
name: workforce defaults
horizon: 1d
interval: 30m
sites:
  shanghai: { lines: 200 }
contactTypes:
  - { name: flight-zh-phone, product: flight, language: zh, channel: phone, perDay: 6000, handleTime: { kind: exponential, mean: 200 }, patience: { kind: exponential, mean: 300 } }
  - { name: complaint-zh-email, product: complaint, language: zh, channel: email, perDay: 0, deadline: 24h, handleTime: { kind: exponential, mean: 900 } }
agentGroups:
  - name: flight
    site: shanghai
    skills: { flight-zh: 1 }
    agents: 20
    tenure: [{ share: 0.3, days: 20 }, { share: 0.7, days: 400 }]
  - { name: complaints, site: shanghai, skills: { complaint-zh: 1 }, agents: 2 }
shocks:
  - { start: 8h, duration: 1h, multiplier: 2 }
workforce:
  countermeasures:
    breakBefore15: {}
    shiftChangeAt18: {}
    coach: {}
  complaints: { caseType: complaint-zh-email }
`;

const WF_EXPLICIT = `
name: workforce defaults
horizon: 1d
interval: 30m
calendar: { startDay: mon, dayOfWeek: { mon: 1, tue: 1, wed: 1, thu: 1, fri: 1, sat: 1, sun: 1 }, specialDays: [] }
profiles: {}
overdispersion: { dayCv: 0, intervalCv: 0 }
sites:
  shanghai: { lines: 200 }
contactTypes:
  - { name: flight-zh-phone, product: flight, language: zh, channel: phone, perDay: 6000, profile: flat, handleTime: { kind: exponential, mean: 200 }, patience: { kind: exponential, mean: 300 } }
  - { name: complaint-zh-email, product: complaint, language: zh, channel: email, perDay: 0, deadline: 24h, handleTime: { kind: exponential, mean: 900 } }
agentGroups:
  - name: flight
    site: shanghai
    skills: { flight-zh: 1 }
    agents: 20
    tenure: [{ share: 0.3, days: 20 }, { share: 0.7, days: 400 }]
  - { name: complaints, site: shanghai, skills: { complaint-zh: 1 }, agents: 2 }
shocks:
  - { start: 8h, duration: 1h, multiplier: 2, decay: 0 }
workforce:
  learning: { model: exponential, ahtFactorNew: 1.4, errorNew: 0.01, errorExpert: 0.0005, timeConstantDays: 45 }
  trainingDays: 30
  newAgentDays: 90
  peaks: [{ hour: 15, amplitude: 2.5, width: 0.6 }, { hour: 18, amplitude: 2.5, width: 0.6 }]
  fatigue: { afterHours: 8, ahtPerHour: 0.03, errorPerHour: 0.15 }
  countermeasures:
    breakBefore15: { minutes: 10, peakReduction: 0.6 }
    shiftChangeAt18: { handoverMinutes: 10, peakReduction: 0.6 }
    coach: { newAgentsPerCoach: 15, errorReduction: 0.4, from: 8h, to: 22h }
  attrition: { dailyNew: 0.003, dailyExpert: 0.0007 }
  hiring: []
  mentoring: { share: 0.5 }
  quality:
    rework: 0.6
    reworkDelay: { kind: exponential, mean: 172800 }
    complaint: 0.1
    complaintDelay: { kind: exponential, mean: 86400 }
    complaintExtraHandle: 120
    repeatSaving: 0.3
  complaints:
    caseType: complaint-zh-email
    replyDeadline: 24h
    supplierShare: 0.3
    supplierDelay: { kind: exponential, mean: 28800 }
    supervisorShare: 0.2
    supervisorDelay: { kind: exponential, mean: 14400 }
    payFirst: { kind: lognormal, mean: 200, cv: 1.5 }
    priceGuaranteeShare: 0.2
    priceDifference: { kind: lognormal, mean: 150, cv: 1 }
    ownFaultShare: 0.5
  cost: { agentPerHour: {}, telephonyPerMinute: 0 }
`;

describe('defaults of the workforce loop and the demand model', () => {
  it('a file that leaves them out and one that writes them out: same model, same results', () => {
    const minimal = compile(WF_MINIMAL);
    const explicit = compile(WF_EXPLICIT);
    expect(minimal).toEqual(explicit);
    const want = results(minimal);
    expect(total(want[0], 'arrivals')).toBeGreaterThan(3000);
    expect(results(explicit)).toEqual(want);
  });
});

// ---- the defaults in the schema and in scenarios/schema.json

/** Every `default` in a JSON schema, by JSON pointer. */
function defaultsIn(node: unknown, at = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (node === null || typeof node !== 'object') return out;
  const o = node as Record<string, unknown>;
  if ('default' in o) out.set(at, o.default);
  for (const [k, v] of Object.entries(o)) if (k !== 'default') defaultsIn(v, `${at}/${k}`, out);
  return out;
}

describe('the schema\'s defaults', () => {
  const inSchema = defaultsIn(ScenarioSchema);
  const inJson = defaultsIn(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));

  it('every default of the schema is in the generated schema.json, with its value', () => {
    expect(inSchema.size).toBeGreaterThan(60);
    for (const [at, v] of inSchema) expect(inJson.get(at), at).toEqual(v);
    expect([...inJson.keys()].sort()).toEqual([...inSchema.keys()].sort());
  });

  it('a field with a default value says so in its description', () => {
    for (const [at] of inSchema) {
      const node = at.split('/').slice(1).reduce<any>((n, k) => n[k], ScenarioSchema);
      const v = node.default;
      // Sections ({}) and empty lists ([]) default to "empty": nothing to say.
      if (v !== null && typeof v === 'object' && Object.keys(v).length === 0) continue;
      expect(node.description, at).toMatch(/default/);
    }
  });
});

describe('durations with a unit wherever a field is a duration', () => {
  it('serviceLevel.threshold, targets.maxAsa and targets.maxAht take "20s", "1m", "3m" as they take 20, 60, 180', () => {
    const base = 'name: q\nhorizon: 2h\narrivals: { perHour: 100 }\nhandleTime: { kind: exponential, mean: 60 }\nagents: 3\n';
    const num = compile(`${base}serviceLevel: { threshold: 20 }\ntargets: { maxAsa: 60, maxAht: 180 }\n`);
    const units = compile(`${base}serviceLevel: { threshold: 20s }\ntargets: { maxAsa: 1m, maxAht: 3m }\n`);
    expect(units).toEqual(num);
    expect(units.threshold).toBe(20);
    expect(units.sla.filter((t) => t.kpi === 'asa' || t.kpi === 'aht').map((t) => t.target).sort()).toEqual([180, 60].sort());
    let err: { issues?: { path: string }[] } = {};
    try { compile(`${base}serviceLevel: { threshold: 20 seconds }\n`); } catch (e) { err = e as typeof err; }
    expect(err.issues?.map((i) => i.path)).toEqual(['serviceLevel.threshold']);
  });
});
