import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cli } from '../fixtures/cli.ts';
import { loadScenario, parseScenarioText } from '../../sim/src/config/load.ts';
import { compileScenario } from '../../sim/src/config/compile.ts';
import { modelConfig, SINGLE_QUEUE, singleQueueModel } from '../../sim/src/config/defaults.ts';
import { erlangModel } from '../../sim/src/cli/erlang-model.ts';
import { parseTargets } from '../../sim/src/experiments/staffing-targets.ts';
import type { Issue } from '../../sim/src/errors.ts';

/**
 * The compiled model says which form its scenario had (ModelConfig.form), so the
 * commands that write the scenario back or read a KPI named without a scope follow
 * the file, never the model's names: a center whose one type, group and site are
 * named as the single-queue form's are (calls, agents, center) is still a center.
 */

const LOOKALIKE = `# A center whose names are those the single-queue form compiles to.
name: lookalike
seed: 3
horizon: 4h
interval: 30m
sites:
  ${SINGLE_QUEUE.site}: {}
contactTypes:
  - name: ${SINGLE_QUEUE.type}
    product: flight
    language: zh
    channel: phone
    perDay: 48000
    handleTime: { kind: exponential, mean: 120 }
    patience: { kind: exponential, mean: 300 }
agentGroups:
  - name: ${SINGLE_QUEUE.group}
    site: ${SINGLE_QUEUE.site}
    skills: { flight-zh: 1 }
    agents: 40
`;

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'cctwin-form-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ModelConfig.form', () => {
  it('is the form of the file, whatever the names', () => {
    expect(loadScenario('scenarios/erlang-a-day.yaml').form).toBe('queue');
    expect(loadScenario('scenarios/baseline-day.yaml').form).toBe('center');
    const lookalike = compileScenario(parseScenarioText(LOOKALIKE, 'lookalike.yaml'));
    expect([lookalike.types[0].name, lookalike.groups[0].name, lookalike.sites[0].name]).toEqual([SINGLE_QUEUE.type, SINGLE_QUEUE.group, SINGLE_QUEUE.site]);
    expect(lookalike.form).toBe('center');
    expect(erlangModel({ arrivalRate: 1, aht: 180, agents: 200, patience: 300, threshold: 20 }, 24, 1).form).toBe('queue');
    // A model built in code is a center unless it says otherwise.
    expect(modelConfig({ name: 'x', horizon: 3600, sla: [], types: [], queues: [], groups: [], sites: [] }).form).toBe('center');
  });

  it('erlang a --simulate runs the model of the single-queue file that says the same', () => {
    const file = compileScenario(parseScenarioText([
      'name: M/M/350+M', 'seed: 1', 'horizon: 24h', 'interval: 15m', 'warmup: 1h', 'arrivals: { perHour: 6666.67 }',
      'handleTime: { kind: exponential, mean: 180 }', 'patience: { kind: exponential, mean: 300 }', 'agents: 350',
      'serviceLevel: { threshold: 20 }', '',
    ].join('\n'), 'mmn.yaml'));
    const cli = erlangModel({ arrivalRate: 6666.67 / 3600, aht: 180, patience: 300, agents: 350, threshold: 20 }, 24, 1, 3600);
    // The file's SLA targets are its own (the command judges against the formulas).
    const plain = (c: object) => JSON.parse(JSON.stringify({ ...c, sla: [] }));
    expect(plain(cli)).toEqual(plain(file));
  });

  it("refuses a model of form 'queue' with more than one group", () => {
    const one = singleQueueModel({ name: 'q', horizon: 3600, sla: [], arrivalRates: [1], handleTime: { kind: 'exponential', mean: 60 }, patience: null, staffing: [2], lines: null });
    expect(() => modelConfig({ ...one, form: 'queue', groups: [...one.groups, { ...one.groups[0], name: 'more' }] }))
      .toThrow(expect.objectContaining({ code: 'SIM_ERR_BAD_ARGUMENT', issues: [expect.objectContaining({ path: 'groups', value: 2 })] }));
  });

  it('a KPI named without a scope is read on the phone channel of a center, on the totals of a single queue', () => {
    const center = compileScenario(parseScenarioText(LOOKALIKE, 'lookalike.yaml'));
    const queue = loadScenario('scenarios/erlang-a-day.yaml');
    const issues: Issue[] = [];
    expect(parseTargets(center, ['serviceLevel>=0.8'], issues, []).map((t) => t.name)).toEqual(['byChannel.phone.serviceLevel >= 80%']);
    expect(parseTargets(queue, ['serviceLevel>=0.8'], issues, []).map((t) => t.name)).toEqual(['serviceLevel >= 80%']);
    expect(issues).toEqual([]);
  });

  it('staff --out writes the staffing of a look-alike center into its agentGroups (it failed at the end, after the search)', async () => {
    const file = join(dir, 'lookalike.yaml'), out = join(dir, 'staffed.yaml');
    writeFileSync(file, LOOKALIKE);
    const r = await cli('staff', file, '--target', 'serviceLevel>=80%', '--replications', '4', '--per', 'day', '--out', out, '--db', join(dir, 'runs.db'), '--workers', '1');
    expect(r.code, r.err).toBe(0);
    const written = parse(readFileSync(out, 'utf8')) as { agents?: unknown; agentGroups: { agents: number }[] };
    expect(written.agents).toBeUndefined();
    expect(written.agentGroups[0].agents).toBeGreaterThan(40); // 40 agents answer well under 80% of 2,000 calls an hour in 20 s
    // Nothing else changed: the file is the input with one line different.
    const before = LOOKALIKE.split('\n'), after = readFileSync(out, 'utf8').split('\n');
    expect(after.length).toBe(before.length);
    expect(after.filter((line, i) => line !== before[i])).toEqual([`    agents: ${written.agentGroups[0].agents}`]);
  });
});
