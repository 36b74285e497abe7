import type { DistSpec } from '../core/distributions.ts';
import type { Issue } from '../errors.ts';
import { parseDuration } from './duration.ts';
import type { AgentGroupConfig, ContactTypeConfig, SiteConfig, WorkforceConfig } from './model-config.ts';
import { Clone, Default } from 'typebox/value';
import { ScenarioSchema, type ScenarioInput } from './schema.ts';
import type { WorkforceInput } from './workforce-schema.ts';

/**
 * Compiles `workforce:` and the groups' tenure cohorts. Countermeasures and mentoring
 * become agents taken off the phones per interval (their cost), and changes to the
 * error peaks (their effect). Defaults are the schema's (workforce-schema.ts; the
 * figures they come from are in the README's "The workforce and quality loop"),
 * filled in before compile: a `!` marks a field the schema defaults.
 */
type W = WorkforceInput;
const DAY = 86400;
const dur = (v: unknown): number => parseDuration(v as number | string);

/**
 * The `workforce:` section with the schema's defaults (a copy): a loaded scenario's
 * has them already; this is for callers that build the section in code.
 */
function workforceOf(s: ScenarioInput): W | undefined {
  return s.workforce === undefined ? undefined : Default(ScenarioSchema.properties.workforce, Clone(s.workforce)) as W;
}

export function workforceIssues(s: ScenarioInput, horizon: number): Issue[] {
  const w = workforceOf(s);
  const out: Issue[] = [];
  if (!w) return out;
  const groups = (s.agentGroups ?? []).map((g) => g.name);
  const types = (s.contactTypes ?? []).map((t) => t.name);
  (w.hiring ?? []).forEach((h, i) => {
    if (!groups.includes(h.group)) out.push({ path: `workforce.hiring[${i}].group`, value: h.group, message: `must be an agent group: ${groups.join(', ')}` });
    // As a failure after the horizon: a class that would start after it never joins.
    if (Number.isFinite(horizon) && h.day * 86400 >= horizon) out.push({ path: `workforce.hiring[${i}].day`, value: h.day, message: `must be before the horizon (day ${Math.ceil(horizon / 86400) - 1} is its last): a class hired after it never joins` });
  });
  if (w.complaints) {
    const i = types.indexOf(w.complaints.caseType);
    if (i < 0) out.push({ path: 'workforce.complaints.caseType', value: w.complaints.caseType, message: `must be a contact type: ${types.join(', ')}` });
    else if (s.contactTypes![i].patience) out.push({ path: `contactTypes[${i}].patience`, value: s.contactTypes![i].patience, message: 'must be null: complaint cases are deferred work and never abandon' });
  }
  const q = w.quality;
  if (q && q.rework! + q.complaint! > 1 + 1e-12) out.push({ path: 'workforce.quality', message: 'rework + complaint must be at most 1' });
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
  const w = workforceOf(s);
  if (!w) return undefined;
  const trainingDays = w.trainingDays!;
  const newAgentDays = w.newAgentDays!;
  const cm = w.countermeasures!;
  const breakCut = cm.breakBefore15 ? cm.breakBefore15.peakReduction! : 0;
  const shiftCut = cm.shiftChangeAt18 ? cm.shiftChangeAt18.peakReduction! : 0;
  const peaks = w.peaks!.map((p) => ({
    hour: p.hour,
    width: p.width,
    amplitude: p.amplitude * (Math.abs(p.hour - 15) < 1 ? 1 - breakCut : 1) * (Math.abs(p.hour - 18) < 1 ? 1 - shiftCut : 1),
  }));
  const coach = cm.coach
    ? { errorReduction: cm.coach.errorReduction!, fromHour: dur(cm.coach.from) / 3600, toHour: dur(cm.coach.to) / 3600 }
    : null;
  const groupNames = (s.agentGroups ?? []).map((g) => g.name);
  // Each group's people: the initial staff (the plan's peak count, in tenure cohorts),
  // then its hiring classes; each agent's cohort for the headcount report (0 the
  // initial staff, k + 1 hiring class k).
  const baseHeads = groups.map((g) => Math.max(0, ...g.staffing));
  const classes = w.hiring!.map((h, k) => ({ ...h, cohort: k + 1 }));
  const rosters = (s.agentGroups ?? []).map((g, gi) => {
    const hires = classes.filter((h) => h.group === g.name).flatMap((h) => new Array<number>(h.agents).fill(-h.day));
    return [...roster(g.tenure as { share: number; days: number }[] | undefined, baseHeads[gi]), ...hires];
  });
  const rosterCohorts = (s.agentGroups ?? []).map((g, gi) => [
    ...new Array<number>(baseHeads[gi]).fill(0),
    ...classes.filter((h) => h.group === g.name).flatMap((h) => new Array<number>(h.agents).fill(h.cohort)),
  ]);
  const names = new Set<string>(['initial']);
  const cohorts = [
    { name: 'initial', group: null, day: 0, agents: baseHeads.reduce((a, b) => a + b, 0) },
    ...classes.map((h) => {
      let name = `${h.group} day ${h.day}`;
      for (let n = 2; names.has(name); n++) name = `${h.group} day ${h.day} #${n}`;
      names.add(name);
      return { name, group: h.group, day: h.day, agents: h.agents };
    }),
  ];
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
        const b0 = 15 * 3600 - cm.breakBefore15.minutes! * 60;
        const overlap = Math.max(0, Math.min(end, 15 * 3600) - Math.max(start, b0));
        off += (newOnDuty * overlap) / L;
      }
      if (cm.shiftChangeAt18 && start <= 18 * 3600 && 18 * 3600 < end) off += (plan * cm.shiftChangeAt18.handoverMinutes! * 60) / L;
      if (coach && newOnDuty > 0 && start / 3600 >= coach.fromHour && start / 3600 < coach.toHour) off += Math.ceil(newOnDuty / cm.coach!.newAgentsPerCoach!);
      const trainees = w.hiring!.filter((h) => h.group === groupNames[gi] && day >= h.day && day < h.day + trainingDays).reduce((a, h) => a + h.agents, 0);
      // Mentors: share x trainees. In heads the trainees keep the group's shift pattern
      // (the plan's profile over its base heads), and so do their mentors.
      if (trainees > 0 && plan > 0) off += trainees * w.mentoring!.share! * (w.staffing === 'heads' ? plan / baseHeads[gi] : 1);
      out[i] = Math.ceil(off - 1e-9);
    }
    return out;
  });
  const q = w.quality!;
  const c = w.complaints;
  const dist = (d: unknown): DistSpec => structuredClone(d) as DistSpec;
  const l = w.learning!, f = w.fatigue!, a = w.attrition!, cost = w.cost!;
  return {
    learning: {
      model: l.model!,
      ahtFactorNew: l.ahtFactorNew!,
      errorNew: l.errorNew!,
      errorExpert: l.errorExpert!,
      timeConstantDays: l.timeConstantDays!,
    },
    trainingDays,
    newAgentDays,
    peaks,
    fatigue: { afterHours: f.afterHours!, ahtPerHour: f.ahtPerHour!, errorPerHour: f.errorPerHour! },
    shiftChangeHour: cm.shiftChangeAt18 ? 18 : null,
    coach,
    attrition: { dailyNew: a.dailyNew!, dailyExpert: a.dailyExpert! },
    quality: {
      rework: q.rework!,
      reworkDelay: dist(q.reworkDelay),
      complaint: q.complaint!,
      complaintDelay: dist(q.complaintDelay),
      complaintExtraHandle: dur(q.complaintExtraHandle),
      repeatSaving: q.repeatSaving!,
    },
    complaints: c
      ? {
          caseType: types.findIndex((t) => t.name === c.caseType),
          replyDeadline: dur(c.replyDeadline),
          supplierShare: c.supplierShare!,
          supplierDelay: dist(c.supplierDelay),
          supervisorShare: c.supervisorShare!,
          supervisorDelay: dist(c.supervisorDelay),
          payFirst: dist(c.payFirst),
          priceGuaranteeShare: c.priceGuaranteeShare!,
          priceDifference: dist(c.priceDifference),
          ownFaultShare: c.ownFaultShare!,
        }
      : null,
    cost: {
      // A site the cost rates leave out costs nothing.
      agentPerHour: sites.map((site) => cost.agentPerHour![site.name] ?? 0),
      telephonyPerMinute: cost.telephonyPerMinute!,
    },
    rosters,
    rosterCohorts,
    cohorts,
    staffing: w.staffing!,
    baseHeads,
    shiftStarts: (s.agentGroups ?? []).map((g) => (g.shifts ?? []).map((sh) => ({ hour: (dur(sh.start) % DAY) / 3600, hours: dur(sh.length) / 3600 }))),
    standardShiftHours: 8,
    offPhone,
  };
}
