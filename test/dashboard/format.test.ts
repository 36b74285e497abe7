import { describe, expect, it } from 'vitest';
import { clock, count, diff, durationAxis, interval, kpi, kpiCi, pct, pctCi, rmb, seconds, secondsCi, span, speed, target, tick, unitOf } from '../../dashboard/src/format.ts';

/** The dashboard's numbers and times (dashboard/src/format.ts): every number with its unit, times on the scenario's clock. */

describe('numbers with their units', () => {
  it('shares as percentages, CIs in percentage points', () => {
    expect(pct(0.7562982111658019)).toBe('75.6%');
    expect(pct(0.95, 0)).toBe('95%');
    expect(pct(0.9955074617675042, 2)).toBe('99.55%');
    expect(pct(1)).toBe('100.0%');
    expect(pct(null)).toBe('—');
    expect(pct(Number.NaN)).toBe('—');
    expect(pctCi(0.010176830531105577)).toBe('± 1.0 pp');
    expect(pctCi(null)).toBe('');
  });

  it('counts grouped by thousands; small fractional means keep a decimal', () => {
    expect(count(222253)).toBe('222,253');
    expect(count(196822.4)).toBe('196,822');
    expect(count(80.33333)).toBe('80.3');
    expect(count(12)).toBe('12');
    expect(count(undefined)).toBe('—');
  });

  it('durations: seconds under 10 minutes, minutes under 2 hours, then hours', () => {
    expect(seconds(178.62724877214077)).toBe('178.6 s');
    expect(seconds(599.94)).toBe('599.9 s');
    expect(seconds(600)).toBe('10 min');
    expect(seconds(5033.84)).toBe('84 min');
    expect(seconds(18720)).toBe('5.2 h');
    expect(secondsCi(151.56, 28.19)).toBe('± 28.2 s');
    expect(secondsCi(5033.84, 240)).toBe('± 4 min');
    expect(secondsCi(151.56, null)).toBe('');
  });

  it('an axis keeps one duration unit, from its largest value', () => {
    expect(durationAxis(500)).toMatchObject({ unit: 's', div: 1 });
    expect(durationAxis(500).format(450)).toBe('450 s');
    expect(durationAxis(900)).toMatchObject({ unit: 'min', div: 60 });
    expect(durationAxis(900).format(450 / 60)).toBe('7.5 min');
    expect(durationAxis(900).format(10)).toBe('10 min');
    expect(durationAxis(9000)).toMatchObject({ unit: 'h', div: 3600 });
    expect(durationAxis(9000).format(5400 / 3600)).toBe('1.5 h');
    expect(durationAxis(Number.NaN).unit).toBe('s');
  });

  it('money in RMB; KPIs by their unit family', () => {
    expect(rmb(791851.4357)).toBe('RMB 791,851');
    expect(unitOf('serviceLevel')).toBe('share');
    expect(unitOf('aht')).toBe('seconds');
    expect(unitOf('cost')).toBe('rmb');
    expect(unitOf('offered')).toBe('count');
    expect(kpi('serviceLevel', 0.7562982)).toBe('75.6%');
    expect(kpi('accuracy', 0.99550746)).toBe('99.55%');
    expect(kpi('aht', 178.627)).toBe('178.6 s');
    expect(kpi('cost', 1e6)).toBe('RMB 1,000,000');
    expect(kpi('complaintsPer10k', 3.456)).toBe('3.5 per 10k');
    expect(kpi('offered', 140666.5)).toBe('140,667');
    expect(kpiCi('serviceLevel', { mean: 0.75, ci95: 0.0102 })).toBe('± 1.0 pp');
    expect(kpiCi('asa', { mean: 151.56, ci95: 28.19 })).toBe('± 28.2 s');
    expect(kpiCi('offered', { mean: 196822, ci95: 7766.14 })).toBe('± 7,766');
    expect(kpiCi('offered', { mean: 1, ci95: null })).toBe('');
  });

  it('signed differences in the KPI\'s unit; SLA targets with their direction', () => {
    expect(diff('serviceLevel', 0.7563 - 0.9938)).toBe('−23.8 pp');
    expect(diff('abandonRate', 0.1407)).toBe('+14.1 pp');
    expect(diff('asa', 39.3)).toBe('+39.3 s');
    expect(diff('offered', 23454.3)).toBe('+23,454');
    expect(diff('offered', 0)).toBe('±0');
    expect(diff('aht', null)).toBe('—');
    expect(target({ kpi: 'serviceLevel', target: 0.95, direction: 'min' })).toBe('≥ 95.0%');
    expect(target({ kpi: 'aht', target: 180, direction: 'max' })).toBe('≤ 180.0 s');
    expect(speed(600)).toBe('600×');
    expect(speed('max')).toBe('max');
  });
});

describe('times on the scenario\'s clock', () => {
  it('hh:mm on the first day, "day N" after it', () => {
    expect(clock(0)).toBe('00:00');
    expect(clock(36000)).toBe('10:00');
    expect(clock(37799)).toBe('10:29');
    expect(clock(86399, true)).toBe('23:59:59');
    expect(clock(86400)).toBe('day 2 00:00');
    expect(clock(86400 + 3600 + 60 + 5, true)).toBe('day 2 01:01:05');
    expect(clock(6 * 86400 + 45000)).toBe('day 7 12:30');
    expect(clock(null)).toBe('—');
  });

  it('intervals: the end on the start\'s day, midnight as 24:00, across days both days', () => {
    expect(interval(36000, 37800)).toBe('10:00–10:30');
    expect(interval(84600, 86400)).toBe('23:30–24:00');
    expect(interval(86400, 88200)).toBe('day 2 00:00–00:30');
    expect(interval(36000, 46800)).toBe('10:00–13:00');
    expect(interval(0, 3 * 86400)).toBe('00:00–day 4 00:00');
  });

  it('axis ticks: whole days as "day N", else the clock', () => {
    expect(tick(7 * 86400, 86400)).toBe('day 8');
    expect(tick(0, 604800)).toBe('day 1');
    expect(tick(36000, 7200)).toBe('10:00');
    expect(tick(86400, 7200)).toBe('day 2 00:00');
  });

  it('lengths of time', () => {
    expect(span(1800)).toBe('30 min');
    expect(span(900)).toBe('15 min');
    expect(span(7200)).toBe('2 h');
    expect(span(86400)).toBe('1 day');
    expect(span(604800)).toBe('7 days');
    expect(span(45)).toBe('45 s');
  });
});
