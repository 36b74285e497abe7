import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contactEnds, decodeResult, intervalMetrics, loadScenario, replicateLogged, typeMetrics, type ContactEnd } from '../../sim/src/index.ts';
import { M, NM } from '../../sim/src/model/layout.ts';
import { logRecords } from '../../sim/src/model/event-log.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// The public readers of a replication's log and result (what the calibration replay uses
// instead of the layouts): they must give back exactly what the engine wrote.
describe('public result readers', () => {
  const cfg = loadScenario(join(ROOT, 'scenarios/nantong-failover.yaml'));
  const ends: ContactEnd[] = [];
  const named: ReturnType<typeof logRecords> extends Generator<infer T> ? T[] : never = [];
  const res = decodeResult(replicateLogged(cfg, 0, (log) => {
    for (const c of contactEnds(log)) ends.push(c);
    for (const r of logRecords(log, 0, cfg.types.map((t) => t.name), cfg.sites.map((s) => s.name), cfg.groups.map((g) => g.name))) named.push(r);
  }, 512), cfg);

  it('contactEnds: the log records with ids and exact times', () => {
    expect(ends.length).toBe(named.length);
    expect(ends.length).toBeGreaterThan(1000);
    const ms = (x: number) => (x < 0 ? null : Math.round(x * 1000) / 1000);
    // The output form, rebuilt from the exact records: one comparison of the whole log.
    expect(ends.map((c) => ({
      replication: 0,
      outcome: c.outcome,
      type: cfg.types[c.type].name,
      site: cfg.sites[c.site].name,
      attempt: c.attempt,
      arrival: ms(c.arrival),
      queueEntry: ms(c.queueEntry),
      answer: ms(c.answer),
      end: ms(c.end),
      agent: c.agent < 0 ? null : c.agent,
      group: c.group < 0 ? null : cfg.groups[c.group].name,
      flags: c.flags,
      defect: c.defect,
    }))).toEqual(named);
  });

  it('intervalMetrics and typeMetrics: every metric by name, as laid out', () => {
    const names = Object.keys(M) as (keyof typeof M)[];
    for (let i = 0; i <= cfg.nIntervals; i++) {
      const m = intervalMetrics(res, i);
      for (const k of names) expect(m[k]).toBe(res.rows[i * NM + M[k]]);
    }
    const nS = cfg.sites.length;
    expect(nS).toBeGreaterThan(1);
    cfg.types.forEach((_, t) => {
      const m = typeMetrics(res, cfg, t);
      for (const k of names) {
        let sum = 0;
        for (let s = 0; s < nS; s++) sum += res.cells[(t * nS + s) * NM + M[k]];
        expect(m[k]).toBe(sum);
      }
    });
  });
});
