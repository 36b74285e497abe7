import type { DistSpec } from '../core/distributions.ts';
import type { Issue } from '../errors.ts';
import { parseDuration } from './duration.ts';
import type { AgentGroupConfig, ContactTypeConfig, SiteConfig, WorkforceConfig } from './model-config.ts';
import type { ScenarioInput } from './schema.ts';
import type { WorkforceInput } from './workforce-schema.ts';

/**
 * Compiles `workforce:` and the groups' tenure cohorts. Countermeasures and mentoring
 * become agents taken off the phones per interval (their cost), and changes to the
 * error peaks (their effect). Defaults, and the figures they come from, are listed in
 * the README's "The workforce and quality loop".
 */
type W = WorkforceInput;
const DAY = 86400;
const dur = (v: unknown, dflt: number): number => (v === undefined ? dflt : parseDuration(v as number | string));
const exp = (mean: number): DistSpec => ({ kind: 'exponential', mean });

export function workforceIssues(s: ScenarioInput): Issue[] {
  const w = s.workforce as W | undefined;
  const out: Issue[] = [];
  if (!w) return out;
  const groups = (s.agentGroups ?? []).map((g) => g.name);
  const types = (s.contactTypes ?? []).map((t) => t.name);
  (w.hiring ?? []).forEach((h, i) => {
    if (!groups.includes(h.group)) out.push({ path: `workforce.hiring[${i}].group`, value: h.group, message: `must be an agent group: ${groups.join(', ')}` });
  });
  if (w.complaints) {
    const i = types.indexOf(w.complaints.caseType);
    if (i < 0) out.push({ path: 'workforce.complaints.caseType', value: w.complaints.caseType, message: `must be a contact type: ${types.join(', ')}` });
    else if (s.contactTypes![i].patience) out.push({ path: `contactTypes[${i}].patience`, value: s.contactTypes![i].patience, message: 'must be null: complaint cases are deferred work and never abandon' });
  }
  const q = w.quality;
  if (q && (q.rework ?? 0.6) + (q.complaint ?? 0.1) > 1 + 1e-12) out.push({ path: 'workforce.quality', message: 'rework + complaint must be at most 1' });
  (s.agentGroups ?? []).forEach((g, i) => {
    const tenure = g.tenure as { share: number; days: number }[] | undefined;
    const sum = (tenure ?? []).reduce((a, c) => a + c.share, 0);
    if (tenure && Math.abs(sum - 1) > 1e-6) out.push({ path: `agentGroups[${i}].tenure`, value: sum, message: 'shares must add up to 1' });
  });
  for (const site of Object.keys(w.cost?.agentPerHour ?? {})) {
    if (!(site in (s.sites ?? {}))) out.push({ path: `workforce.cost.agentPerHour.${site}`, value: site, message: `must be a site: ${Object.keys(s.sites ?? {}).join(', ')}` });
  }
  return out;
}

/** Expands tenure cohorts over n agents (largest remainders), in cohort order. */
function roster(cohorts: { share: number; days: number }[] | undefined, n: number): number[] {
  if (!cohorts) return new Array<number>(n).fill(10_000);
  const raw = cohorts.map((c) => c.share * n);
  const counts = raw.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k++, left--) counts[order[k % order.length][1]]++;
  return cohorts.flatMap((c, i) => new Array<number>(counts[i]).fill(c.days));
}

export function compileWorkforce(
  s: ScenarioInput, types: ContactTypeConfig[], groups: AgentGroupConfig[], sites: SiteConfig[], nI: number, L: number,
): WorkforceConfig | undefined {
  const w = s.workforce as W | undefined;
  if (!w) return undefined;
  const trainingDays = w.trainingDays ?? 30;
  const newAgentDays = w.newAgentDays ?? 90;
  const cm = w.countermeasures ?? {};
  const breakCut = cm.breakBefore15 ? cm.breakBefore15.peakReduction ?? 0.6 : 0;
  const shiftCut = cm.shiftChangeAt18 ? cm.shiftChangeAt18.peakReduction ?? 0.6 : 0;
  const peaks = (w.peaks ?? [{ hour: 15, amplitude: 2.5, width: 0.6 }, { hour: 18, amplitude: 2.5, width: 0.6 }]).map((p) => ({
    hour: p.hour,
    width: p.width,
    amplitude: p.amplitude * (Math.abs(p.hour - 15) < 1 ? 1 - breakCut : 1) * (Math.abs(p.hour - 18) < 1 ? 1 - shiftCut : 1),
  }));
  const coach = cm.coach
    ? { errorReduction: cm.coach.errorReduction ?? 0.4, fromHour: dur(cm.coach.from, 8 * 3600) / 3600, toHour: dur(cm.coach.to, 22 * 3600) / 3600 }
    : null;
  const groupNames = (s.agentGroups ?? []).map((g) => g.name);
  const rosters = (s.agentGroups ?? []).map((g, gi) => {
    const size = Math.max(0, ...groups[gi].staffing);
    const hires = (w.hiring ?? []).filter((h) => h.group === g.name).flatMap((h) => new Array<number>(h.agents).fill(-h.day));
    return [...roster(g.tenure as { share: number; days: number }[] | undefined, size), ...hires];
  });
  // Agents off the phones per interval: breaks, handover, coaches, mentors (whole agents, rounded up).
  const offPhone = groups.map((g, gi) => {
    const cohorts = s.agentGroups?.[gi]?.tenure as { share: number; days: number }[] | undefined;
    const newShare = cohorts ? cohorts.filter((c) => c.days < newAgentDays).reduce((a, c) => a + c.share, 0) : 0;
    const out = new Array<number>(nI).fill(0);
    for (let i = 0; i < nI; i++) {
      const plan = g.staffing[i];
      const start = (i * L) % DAY, end = start + L;
      const day = Math.floor((i * L) / DAY);
      let off = 0;
      const newOnDuty = plan * newShare;
      if (cm.breakBefore15) {
        const b0 = 15 * 3600 - (cm.breakBefore15.minutes ?? 10) * 60;
        const overlap = Math.max(0, Math.min(end, 15 * 3600) - Math.max(start, b0));
        off += (newOnDuty * overlap) / L;
      }
      if (cm.shiftChangeAt18 && start <= 18 * 3600 && 18 * 3600 < end) off += (plan * (cm.shiftChangeAt18.handoverMinutes ?? 10) * 60) / L;
      if (coach && newOnDuty > 0 && start / 3600 >= coach.fromHour && start / 3600 < coach.toHour) off += Math.ceil(newOnDuty / (cm.coach!.newAgentsPerCoach ?? 15));
      const trainees = (w.hiring ?? []).filter((h) => h.group === groupNames[gi] && day >= h.day && day < h.day + trainingDays).reduce((a, h) => a + h.agents, 0);
      if (trainees > 0 && plan > 0) off += trainees * (w.mentoring?.share ?? 0.5);
      out[i] = Math.ceil(off - 1e-9);
    }
    return out;
  });
  const q = w.quality ?? {};
  const c = w.complaints;
  return {
    learning: {
      model: w.learning?.model ?? 'exponential',
      ahtFactorNew: w.learning?.ahtFactorNew ?? 1.4,
      errorNew: w.learning?.errorNew ?? 0.01,
      errorExpert: w.learning?.errorExpert ?? 0.0005,
      timeConstantDays: w.learning?.timeConstantDays ?? 45,
    },
    trainingDays,
    newAgentDays,
    peaks,
    fatigue: { afterHours: w.fatigue?.afterHours ?? 8, ahtPerHour: w.fatigue?.ahtPerHour ?? 0.03, errorPerHour: w.fatigue?.errorPerHour ?? 0.15 },
    shiftChangeHour: cm.shiftChangeAt18 ? 18 : null,
    coach,
    attrition: { dailyNew: w.attrition?.dailyNew ?? 0.003, dailyExpert: w.attrition?.dailyExpert ?? 0.0007 },
    quality: {
      rework: q.rework ?? 0.6,
      reworkDelay: (q.reworkDelay as DistSpec | undefined) ?? exp(2 * DAY),
      complaint: q.complaint ?? 0.1,
      complaintDelay: (q.complaintDelay as DistSpec | undefined) ?? exp(DAY),
      complaintExtraHandle: dur(q.complaintExtraHandle, 120),
      repeatSaving: q.repeatSaving ?? 0.3,
    },
    complaints: c
      ? {
          caseType: types.findIndex((t) => t.name === c.caseType),
          replyDeadline: dur(c.replyDeadline, DAY),
          supplierShare: c.supplierShare ?? 0.3,
          supplierDelay: (c.supplierDelay as DistSpec | undefined) ?? exp(8 * 3600),
          supervisorShare: c.supervisorShare ?? 0.2,
          supervisorDelay: (c.supervisorDelay as DistSpec | undefined) ?? exp(4 * 3600),
          payFirst: (c.payFirst as DistSpec | undefined) ?? { kind: 'lognormal', mean: 200, cv: 1.5 },
          priceGuaranteeShare: c.priceGuaranteeShare ?? 0.2,
          priceDifference: (c.priceDifference as DistSpec | undefined) ?? { kind: 'lognormal', mean: 150, cv: 1 },
          ownFaultShare: c.ownFaultShare ?? 0.5,
        }
      : null,
    cost: {
      agentPerHour: sites.map((site) => w.cost?.agentPerHour?.[site.name] ?? 0),
      telephonyPerMinute: w.cost?.telephonyPerMinute ?? 0,
    },
    rosters,
    shiftStarts: (s.agentGroups ?? []).map((g) => (g.shifts ?? []).map((sh) => ({ hour: (dur(sh.start, 0) % DAY) / 3600, hours: dur(sh.length, 0) / 3600 }))),
    standardShiftHours: 8,
    offPhone,
  };
}
