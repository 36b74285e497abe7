import fc from 'fast-check';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { compileDemand, demandIssues, type DemandInput, type DemandTypeInput } from '../../sim/src/config/demand-compile.ts';
import { CalendarSchema, OverdispersionSchema, ProfilesSchema, ShocksSchema } from '../../sim/src/config/demand-schema.ts';
import { validateAgainst } from '../../sim/src/config/validate.ts';
import { Sampler } from '../../sim/src/core/distributions.ts';
import { makeStream, type Stream } from '../../sim/src/core/rng.ts';
import { DemandSampler } from '../../sim/src/model/demand.ts';

/**
 * The demand model (sim/src/config/demand-compile.ts, sim/src/model/demand.ts):
 * expected rates against hand-worked integrals, overdispersion against the
 * Poisson-gamma variance formula.
 */

const DAY = 86400, H = 3600;

const type = (name: string, perDay: number, profile?: string): DemandTypeInput => {
  const [product, language, channel] = name.split('-');
  return { name, product, language, channel, perDay, profile };
};

const TYPES = [
  type('flight-zh-phone', 2400),
  type('flight-en-im', 480),
  type('hotel-zh-phone', 1200),
  type('hotel-en-email', 240),
];

/** Expected contacts of a type in one day (rates are per second). */
function dayTotal(rates: readonly number[], day: number, L: number): number {
  const n = DAY / L;
  let s = 0;
  for (let i = day * n; i < (day + 1) * n; i++) s += rates[i] * L;
  return s;
}

describe('expected rates', () => {
  const hourly = Array.from({ length: 24 }, (_, h) => h + 1); // weights 1..24, sum 300

  it('a profile gives perDay * w_i / interval, and the day integrates to perDay', () => {
    const cfg = compileDemand({ profiles: { ramp: hourly } }, [type('flight-zh-phone', 2400, 'ramp')], DAY, H);
    expect(cfg.intervalsPerDay).toBe(24);
    cfg.rates[0].forEach((r, i) => expect(r).toBeCloseTo((2400 * (i + 1)) / 300 / H, 15));
    expect(dayTotal(cfg.rates[0], 0, H)).toBeCloseTo(2400, 9);
  });

  it('splits a coarse profile evenly over finer intervals and sums a fine one over coarser intervals', () => {
    const fine = compileDemand({ profiles: { ramp: hourly } }, [type('flight-zh-phone', 2400, 'ramp')], DAY, 900);
    expect(fine.rates[0]).toHaveLength(96);
    fine.rates[0].forEach((r, i) => expect(r * 900).toBeCloseTo((2400 * (Math.floor(i / 4) + 1)) / 300 / 4, 12));
    const w96 = Array.from({ length: 96 }, (_, i) => (i % 3) + 1); // sum 192 - 0 = 2*... computed below
    const sum96 = w96.reduce((a, b) => a + b, 0);
    const coarse = compileDemand({ profiles: { q: w96 } }, [type('flight-zh-phone', 960, 'q')], DAY, 1800);
    expect(coarse.rates[0]).toHaveLength(48);
    coarse.rates[0].forEach((r, i) => expect(r * 1800).toBeCloseTo((960 * (w96[2 * i] + w96[2 * i + 1])) / sum96, 12));
    const flat = compileDemand({}, [type('flight-zh-phone', 960)], DAY, 1800);
    flat.rates[0].forEach((r) => expect(r).toBeCloseTo(960 / DAY, 15));
  });

  it('day of week: starting on a Wednesday, day d carries the factor of weekday (wed + d)', () => {
    const f = { mon: 1.0, tue: 0.97, wed: 0.95, thu: 0.96, fri: 1.02, sat: 1.08, sun: 1.1 };
    const order = [f.wed, f.thu, f.fri, f.sat, f.sun, f.mon, f.tue];
    const cfg = compileDemand({ calendar: { startDay: 'wed', dayOfWeek: f }, profiles: { ramp: hourly } },
      [type('hotel-zh-phone', 1000, 'ramp')], 7 * DAY, 1800);
    for (let d = 0; d < 7; d++) expect(dayTotal(cfg.rates[0], d, 1800)).toBeCloseTo(1000 * order[d], 9);
    // the intraday shape is the same every day
    expect(cfg.rates[0][48 + 10] / cfg.rates[0][10]).toBeCloseTo(f.thu / f.wed, 12);
  });

  it('a special day multiplies only the selected types, only on that day; two on one day multiply', () => {
    const cal = {
      specialDays: [
        { day: 1, factor: 2.7, name: 'spring-festival-day-1', types: ['phone'] },
        { day: 1, factor: 2, types: ['flight'] },
      ],
    };
    const cfg = compileDemand({ calendar: cal }, TYPES, 3 * DAY, 900);
    const totals = cfg.rates.map((r) => [0, 1, 2].map((d) => dayTotal(r, d, 900)));
    expect(totals[0][1]).toBeCloseTo(2400 * 2.7 * 2, 8); // flight phone: both
    expect(totals[1][1]).toBeCloseTo(480 * 2, 8); // flight IM: flight only
    expect(totals[2][1]).toBeCloseTo(1200 * 2.7, 8); // hotel phone: phone only
    expect(totals[3][1]).toBeCloseTo(240, 8); // hotel email: neither
    for (let t = 0; t < 4; t++) for (const d of [0, 2]) expect(totals[t][d]).toBeCloseTo(TYPES[t].perDay, 8);
  });
});

describe('shocks', () => {
  // multiplier 3 on [1.5 h, 7.5 h), then the excess 2 fades as exp(-t / 2 h); hourly intervals, flat profile
  const typhoon: DemandInput = { shocks: [{ name: 'typhoon', start: 1.5 * H, duration: '6h', types: ['flight'], multiplier: 3, decay: '2h' }] };

  it('averages the multiplier exactly over intervals the shock starts and ends in', () => {
    const cfg = compileDemand(typhoon, TYPES, DAY, H);
    const r0 = 2400 / DAY;
    const avg = cfg.rates[0].map((r) => r / r0);
    // hand-worked: excess(s) = 2 e^{-s/2h}, s hours after 7.5 h; ∫_{s1}^{s2} = 4 (e^{-s1/2} - e^{-s2/2}) hours
    const tail = (s1: number, s2: number) => 4 * (Math.exp(-s1 / 2) - Math.exp(-s2 / 2));
    expect(avg[0]).toBeCloseTo(1, 12);
    expect(avg[1]).toBeCloseTo(0.5 * 1 + 0.5 * 3, 12); // [1 h, 2 h)
    for (let i = 2; i <= 6; i++) expect(avg[i]).toBeCloseTo(3, 12);
    expect(avg[7]).toBeCloseTo(0.5 * 3 + 0.5 + tail(0, 0.5), 12); // [7 h, 8 h): 2.8848
    expect(avg[8]).toBeCloseTo(1 + tail(0.5, 1.5), 12); // [8 h, 9 h): 2.2257
    expect(avg[12]).toBeCloseTo(1 + tail(4.5, 5.5), 12);
    // the whole excess is (multiplier - 1) * (duration + decay) of the normal rate, less the tail past the horizon (16.5 h after the end)
    const extra = cfg.rates[0].reduce((s, r) => s + (r - r0) * H, 0);
    expect(extra).toBeCloseTo(r0 * 2 * (6 * H + 2 * H * (1 - Math.exp(-16.5 / 2))), 9);
    // "flight" picks both flight types and no hotel type
    expect(cfg.rates[1][3] / (480 / DAY)).toBeCloseTo(3, 12);
    expect(cfg.rates[2].every((r) => Math.abs(r - 1200 / DAY) < 1e-15)).toBe(true);
    expect(cfg.rates[3].every((r) => Math.abs(r - 240 / DAY) < 1e-15)).toBe(true);
  });

  it('without decay the shock stops at once; a zero-length shock is a pure exponential spike', () => {
    const cfg = compileDemand({ shocks: [
      { start: 1.5 * H, duration: 6 * H, multiplier: 3, types: ['flight-zh-phone'] },
      { start: 0.25 * H, duration: 0, multiplier: 5, decay: 600, types: ['hotel-zh-phone'] },
    ] }, TYPES, DAY, H);
    const avg = cfg.rates[0].map((r) => r / (2400 / DAY));
    expect(avg[7]).toBeCloseTo(2, 12);
    expect(avg[8]).toBeCloseTo(1, 15);
    const spike = cfg.rates[2][0] / (1200 / DAY);
    expect(spike).toBeCloseTo(1 + (4 * 600 * (1 - Math.exp(-0.75 * H / 600))) / H, 12);
  });

  it('for any shock and interval length, the expected count over the horizon is the exact integral', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(300, 600, 900, 1800, 3600, 7200),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 10 * H, noNaN: true }),
        fc.oneof(fc.constant(0), fc.double({ min: 1, max: 5 * H, noNaN: true })),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (L, days, startFrac, dur, tau, M) => {
          const horizon = days * DAY;
          const start = startFrac * horizon;
          const cfg = compileDemand({ shocks: [{ start, duration: dur, multiplier: M, decay: tau }] }, [type('flight-zh-phone', DAY)], horizon, L);
          const got = cfg.rates[0].reduce((s, r) => s + r * L, 0);
          // base rate 1/s: ∫ m(t) dt = horizon + (M - 1)(full part inside the horizon + decay tail inside the horizon)
          const end = start + dur;
          const tail = tau > 0 && end < horizon ? tau * -Math.expm1(-(horizon - end) / tau) : 0;
          const want = horizon + (M - 1) * (Math.min(end, horizon) - start + tail);
          expect(Math.abs(got - want)).toBeLessThan(1e-9 * horizon);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('overlapping shocks multiply, and the interval averages equal a fine numerical integral', () => {
    const shocks = [
      { start: 1.2 * H, duration: 2 * H, multiplier: 3, decay: 1.5 * H },
      { start: 2.7 * H, duration: 0.5 * H, multiplier: 0.4, decay: 0.7 * H },
      { start: 3.1 * H, duration: 1 * H, multiplier: 2.5, decay: 0.7 * H },
      { start: 3.3 * H, duration: 0.2 * H, multiplier: 1.8, decay: 3 * H },
    ];
    const m = (t: number) => shocks.reduce((p, s) => {
      const end = s.start + s.duration;
      if (t < s.start) return p;
      if (t < end) return p * s.multiplier;
      return p * (1 + (s.multiplier - 1) * Math.exp(-(t - end) / s.decay));
    }, 1);
    const cfg = compileDemand({ shocks }, [type('flight-zh-phone', DAY)], DAY, H);
    for (let i = 0; i < 12; i++) {
      // midpoint rule, 20,000 steps per hour; every breakpoint falls on a step edge, so the rule is second order on each smooth piece
      const n = 20000;
      let s = 0;
      for (let k = 0; k < n; k++) s += m(i * H + ((k + 0.5) * H) / n);
      expect(cfg.rates[0][i]).toBeCloseTo(s / n, 6);
    }
  });
});

describe('demandIssues', () => {
  it('accepts a good input', () => {
    const input: DemandInput = {
      calendar: { startDay: 'fri', specialDays: [{ day: 6, factor: 2, types: ['flight', 'en'] }] },
      profiles: { day: Array.from({ length: 48 }, () => 1), flatter: 'flat' },
      shocks: [{ start: '10h', duration: '6h', types: ['flight-en-im'], multiplier: 3, decay: '4h' }],
    };
    expect(demandIssues(input, [...TYPES, type('dining-zh-fax', 5, 'day')], 7 * DAY, 900)).toEqual([]);
  });

  it('reports every problem at once, each with its path', () => {
    const input: DemandInput = {
      calendar: { specialDays: [{ day: 3, factor: 2 }, { day: 0, factor: 1.5, types: ['phone', 'train'] }] },
      profiles: { odd: [1, 2, 3, 4, 5, 6, 7], zero: Array.from({ length: 24 }, () => 0), flat: [1, 2], ok: 'flat' },
      shocks: [
        { start: '2d', duration: '1h', multiplier: 2 },
        { start: 0, duration: '1h', types: ['flight', 'typhoon-line'], multiplier: 3 },
      ],
    };
    const types = [type('flight-zh-phone', 10, 'ok'), type('hotel-en-im', 5, 'missing')];
    const issues = demandIssues(input, types, 2 * DAY, 900);
    expect(issues.map((i) => i.path)).toEqual([
      'profiles.odd',
      'profiles.zero',
      'profiles.flat',
      'contactTypes[1].profile',
      'calendar.specialDays[0].day',
      'calendar.specialDays[1].types[1]',
      'shocks[0].start',
      'shocks[1].types[1]',
    ]);
    const by = new Map(issues.map((i) => [i.path, i]));
    expect(by.get('profiles.odd')?.value).toBe('7 values');
    expect(by.get('profiles.odd')?.message).toContain('96');
    expect(by.get('contactTypes[1].profile')?.message).toBe('is not a profile; known: flat, odd, zero, ok');
    expect(by.get('calendar.specialDays[0].day')?.message).toContain('0 to 1');
    const sel = by.get('shocks[1].types[1]');
    expect(sel?.value).toBe('typhoon-line');
    expect(sel?.message).toContain('products: flight, hotel');
    expect(sel?.message).toContain('channels: phone, im');
  });

  it('an interval must divide a day, and a profile must fit the interval', () => {
    expect(demandIssues({}, TYPES, DAY, 420).map((i) => i.path)).toEqual(['interval']);
    const p96 = { profiles: { q: Array.from({ length: 96 }, () => 1) } };
    expect(demandIssues(p96, TYPES, DAY, 1800)).toEqual([]); // summed two by two
    expect(demandIssues({ profiles: { h: Array.from({ length: 36 }, () => 1) } }, TYPES, DAY, 900).map((i) => i.path)).toEqual(['profiles.h']);
  });

  it('refuses more overlapping decay tails than the exact integration affords', () => {
    const shocks = Array.from({ length: 13 }, (_, k) => ({ start: k * 60, duration: 60, multiplier: 2, decay: (k + 1) * 600 }));
    expect(demandIssues({ shocks }, TYPES, DAY, 900).map((i) => i.path)).toEqual(['shocks']);
    expect(demandIssues({ shocks: shocks.slice(1) }, TYPES, DAY, 900)).toEqual([]);
  });

  it('the schemas accept the documented example and name bad fields through the project validator', () => {
    const Fragment = Type.Object({ calendar: CalendarSchema, profiles: ProfilesSchema, overdispersion: OverdispersionSchema, shocks: ShocksSchema });
    const good = {
      calendar: { startDay: 'mon', dayOfWeek: { mon: 1, sun: 1.1 }, specialDays: [{ day: 0, factor: 2.7, name: 'spring-festival-day-1', types: ['phone'] }] },
      profiles: { 'ctrip-weekday': [1, 2, 3], flat: 'flat' },
      overdispersion: { dayCv: 0.1, intervalCv: 0.05 },
      shocks: [{ name: 'typhoon', start: '10h', duration: '6h', types: ['flight'], multiplier: 3, decay: '4h' }],
    };
    expect(validateAgainst(Fragment, good)).toEqual([]);
    const bad = { ...good, calendar: { startDay: 'someday' }, overdispersion: { dayCv: -1 }, shocks: [{ start: '10h', duration: '6h', multiplier: 3, fade: 1 }] };
    expect(validateAgainst(Fragment, bad).map((i) => i.path).sort()).toEqual(['calendar.startDay', 'overdispersion.dayCv', 'shocks[0].fade']);
  });
});

/** Poisson count with the given mean: arrivals of a unit-rate-mean process in one unit of time. */
function poisson(mean: number, s: Stream): number {
  let n = 0;
  for (let t = s.exponential(mean); t < 1; t += s.exponential(mean)) n++;
  return n;
}

function meanVar(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('DemandSampler (overdispersion)', () => {
  const days = 7;
  const one = (dayCv: number, intervalCv: number) =>
    compileDemand({ overdispersion: { dayCv, intervalCv } }, [type('flight-zh-phone', 24 * 500)], days * DAY, H);

  it('day totals have mean perDay and CV dayCv', () => {
    const cfg = one(0.2, 0);
    const ds = new DemandSampler(cfg, days * 24);
    const out = new Float64Array(days * 24);
    const ratios: number[] = [];
    for (let r = 0; r < 1500; r++) {
      ds.fill(out, makeStream(11, r, 'demand'));
      for (let d = 0; d < days; d++) ratios.push(dayTotal(Array.from(out), d, H) / 12000);
    }
    const { mean, variance } = meanVar(ratios);
    // n = 10,500: standard errors 0.002 (mean) and 0.0014 (CV)
    expect(mean).toBeCloseTo(1, 1);
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(variance) / mean - 0.2)).toBeLessThan(0.008);
  });

  it('hourly Poisson counts have variance/mean 1 + (cd² + ci² + cd²ci²) m, far above Poisson', () => {
    const m = 500;
    const ratio = (dayCv: number, intervalCv: number) => {
      const cfg = one(dayCv, intervalCv);
      const ds = new DemandSampler(cfg, days * 24);
      const out = new Float64Array(days * 24);
      const counts: number[] = [];
      for (let r = 0; r < 1500; r++) {
        ds.fill(out, makeStream(5, r, 'demand'));
        const arrivals = makeStream(5, r, 'arrivals');
        // hour 10 of each day: independent across days (own day multiplier)
        for (let d = 0; d < days; d++) counts.push(poisson(out[d * 24 + 10] * H, arrivals));
      }
      const { mean, variance } = meanVar(counts);
      expect(Math.abs(mean / m - 1)).toBeLessThan(0.01);
      return variance / mean;
    };
    // the test's Poisson sampler alone: ratio 1 (standard error ~0.014)
    expect(Math.abs(ratio(0, 0) - 1)).toBeLessThan(0.06);
    const cd = 0.15, ci = 0.1;
    const theory = 1 + (cd * cd + ci * ci + cd * cd * ci * ci) * m; // 17.36, inside the 4-19 of real centers
    expect(Math.abs(ratio(cd, ci) / theory - 1)).toBeLessThan(0.07);
  });

  it('draws day multipliers first, then interval multipliers type by type, from the given stream only', () => {
    const cfg = compileDemand({ overdispersion: { dayCv: 0.3, intervalCv: 0.2 } }, TYPES, 2 * DAY + 6 * H, 6 * H);
    const nI = 9;
    const ds = new DemandSampler(cfg, nI);
    const out = new Float64Array(4 * nI);
    ds.fill(out, makeStream(3, 0, 'demand'));
    const s = makeStream(3, 0, 'demand');
    const gd = new Sampler({ kind: 'gamma', mean: 1, cv: 0.3 }), gi = new Sampler({ kind: 'gamma', mean: 1, cv: 0.2 });
    const dm = [0, 1, 2].map(() => gd.sample(s)); // 2.25 days (9 intervals of 6 h): three day multipliers
    for (let t = 0; t < 4; t++) {
      for (let i = 0; i < nI; i++) expect(out[t * nI + i]).toBe(cfg.rates[t][i] * (dm[Math.floor(i / 4)] * gi.sample(s)));
    }
    const again = new Float64Array(4 * nI);
    ds.fill(again, makeStream(3, 0, 'demand'));
    expect(again).toEqual(out);
    ds.fill(again, makeStream(3, 1, 'demand'));
    expect(again).not.toEqual(out);
  });

  it('with both CVs 0 the rates are the base rates exactly and nothing is drawn', () => {
    const cfg = compileDemand({ shocks: [{ start: H, duration: H, multiplier: 2, decay: 900 }] }, TYPES, DAY, 900);
    const ds = new DemandSampler(cfg, 96);
    const out = new Float64Array(4 * 96);
    const s = makeStream(1, 0, 'demand');
    ds.fill(out, s);
    expect(Array.from(out)).toEqual(cfg.rates.flat());
    expect(s.next()).toBe(makeStream(1, 0, 'demand').next());
  });

  it('rejects rates of another length than the horizon', () => {
    expect(() => new DemandSampler(compileDemand({}, TYPES, DAY, 900), 95)).toThrow(/96 intervals, expected 95/);
  });
});
