import type { DistSpec } from '../core/distributions.ts';
import type { Issue } from '../errors.ts';
import { compileDemand, demandIssues, type DemandInput, type DemandTypeInput } from './demand-compile.ts';
import { parseDuration } from './duration.ts';
import type {
  AgentGroupConfig, Channel, ContactTypeConfig, ModelConfig, QueueConfig, SiteConfig, SiteFailureConfig,
} from './model-config.ts';
import type { ScenarioInput } from './schema.ts';
import { compileWorkforce, workforceIssues } from './compile-workforce.ts';
import type { DemandParams, WorkforceConfig } from './model-config.ts';
import { defaultSiteSplit } from './defaults.ts';
import { PLUGIN, POLICY_MODULE, policyKind } from './routing-policies.ts';

/**
 * The whole-center form of a scenario: sites, contact types with their demand,
 * agent groups with skills and shifts, routing, failures. Compiles to the same
 * ModelConfig as the single-queue form: one queue per contact type, groups serving
 * the queues of their skills. The input has its schema defaults (compileScenario
 * fills them in): a `!` marks a field the schema defaults.
 */

type Center = ScenarioInput;
type CT = NonNullable<Center['contactTypes']>[number];
type AG = NonNullable<Center['agentGroups']>[number];

const DAY = 86400;
/** A duration the schema requires or defaults (present once defaults are in); NaN when it is not a duration. */
const dur = (v: unknown): number => parseDuration(v as number | string);

/**
 * The issue of a list given per interval with the wrong number of values (agents,
 * arrivals per interval): one value per interval of the horizon, or of one day (it
 * repeats). The value shown is the list itself (shortened when long).
 */
export function seriesLengthIssue(path: string, list: readonly unknown[], nI: number, perDay: number): Issue {
  const counts = Number.isFinite(perDay) && perDay !== nI ? `${nI} (the horizon) or ${perDay} (one day, repeated)` : `${nI}`;
  return { path, value: list, message: `has ${list.length} value${list.length === 1 ? '' : 's'}: must have one per interval, ${counts}` };
}

export function skillOf(t: CT): string {
  return t.skill ?? `${t.product}-${t.language}`;
}

function demandTypes(types: CT[]): DemandTypeInput[] {
  return types.map((t) => ({ name: t.name, product: t.product, language: t.language, channel: t.channel, perDay: t.perDay, profile: t.profile }));
}

function demandInput(s: Center): DemandInput {
  return { calendar: s.calendar, profiles: s.profiles, overdispersion: s.overdispersion, shocks: s.shocks } as DemandInput;
}

type Shift = NonNullable<AG['shifts']>[number];
type Break = NonNullable<Shift['breaks']>[number];

/**
 * Agents on duty per interval from daily shifts, sampled at each interval's midpoint
 * (an interval counts an agent as on duty, or on break, if its midpoint is).
 *
 * Breaks: `together` (the default) takes all the shift's agents off while the
 * midpoint lies in [after, after + length). `staggered` spreads the agents' breaks
 * over the break's window in whole intervals (the granularity of staffing), see
 * staggerPlan: each interval of the window loses the agents whose break covers it.
 */
export function shiftStaffing(shifts: NonNullable<AG['shifts']>, nI: number, L: number): number[] {
  const out = new Array<number>(nI).fill(0);
  const plans = shifts.map((sh) => (sh.breaks ?? []).filter((b) => b.spread === 'staggered').map((b) => staggerPlan(sh, b, L)));
  for (let i = 0; i < nI; i++) {
    const tod = ((i + 0.5) * L) % DAY;
    shifts.forEach((sh, j) => {
      const start = parseDuration(sh.start as number | string) % DAY;
      const len = parseDuration(sh.length as number | string);
      const into = (tod - start + DAY) % DAY; // time since this shift started today (or yesterday)
      if (into >= len) return;
      const onBreak = (sh.breaks ?? []).some((b) => {
        if (b.spread === 'staggered') return false;
        const a = parseDuration(b.after as number | string);
        return into >= a && into < a + parseDuration(b.length as number | string);
      });
      if (onBreak) return;
      let off = 0;
      for (const p of plans[j]) {
        if (into >= p.from && into < p.to) off += p.off[Math.floor((into - p.from) / L)] ?? 0;
      }
      out[i] += Math.max(0, sh.agents - off);
    });
  }
  return out;
}

/** A staggered break in whole intervals: the window's intervals and agents off in each. */
export interface StaggerPlan {
  /** the window, seconds into the shift */
  from: number;
  to: number;
  /** intervals of the window (those whose midpoint lies in it) */
  slots: number;
  /** intervals each agent's break takes: length / interval, rounded, at least 1, at most slots */
  span: number;
  /** agents on break in each interval of the window (index: intervals since the first midpoint in it) */
  off: number[];
}

/**
 * Where a staggered break takes the shift's agents off. The window holds `slots`
 * intervals (those whose midpoint lies in it) and a break takes `span` of them. As
 * many breaks as fit one after another (q = floor(slots / span)) form a row across
 * the window; the agents fill rows of q, the next row starting again at the window's
 * start, so that each interval loses about agents / q agents (exactly that when
 * slots is a multiple of span and agents of q). The slack of a row (slots - q * span
 * intervals) is spread by shifting the rows by 0 .. slack intervals, evenly; a last,
 * incomplete row spreads its breaks across the row's q places. Every agent takes
 * exactly `span` intervals of break, all within the window.
 */
export function staggerPlan(sh: Shift, b: Break, L: number): StaggerPlan {
  const shiftStart = parseDuration(sh.start as number | string) % DAY;
  const from = dur(b.window!.from), to = dur(b.window!.to);
  // The first interval midpoint in the window, seconds after its start.
  const first = (((L / 2 - shiftStart - from) % L) + L) % L;
  const fit = Math.ceil((to - from - first) / L);
  const slots = Number.isFinite(fit) ? Math.max(0, fit) : 0; // 0 too for a field the schema refused
  const span = Math.min(slots, Math.max(1, Math.round(dur(b.length) / L)));
  const off = new Array<number>(slots).fill(0);
  const n = sh.agents;
  if (slots === 0 || n === 0) return { from, to, slots, span, off };
  const q = Math.floor(slots / span), slack = slots - q * span;
  const rows = Math.ceil(n / q);
  // Difference array: +1 at a break's first interval, -1 after its last.
  const d = new Array<number>(slots + 1).fill(0);
  for (let r = 0; r < rows; r++) {
    const shift = rows > 1 ? Math.round((r * slack) / (rows - 1)) : 0;
    const inRow = r < rows - 1 ? q : n - (rows - 1) * q;
    for (let k = 0; k < inRow; k++) {
      const place = inRow === q ? k : Math.floor((k * q) / inRow);
      const at = shift + place * span;
      d[at]++;
      d[at + span]--;
    }
  }
  let level = 0;
  for (let t = 0; t < slots; t++) off[t] = level += d[t];
  // The window's midpoints lie at from + first + t L (first < L): interval t of the
  // window is floor((into - from) / L).
  return { from, to, slots, span, off };
}

/** Meaning checks of the center form, every issue at once. */
export function centerIssues(s: Center, horizon: number, L: number): Issue[] {
  const out: Issue[] = [];
  const sites = Object.keys(s.sites ?? {});
  if (sites.length === 0) out.push({ path: 'sites', message: 'must name at least one site, e.g. shanghai: { lines: 6000 }' });
  const types = s.contactTypes ?? [];
  const groups = s.agentGroups ?? [];
  if (types.length === 0) out.push({ path: 'contactTypes', message: 'must list at least one contact type' });
  if (groups.length === 0) out.push({ path: 'agentGroups', message: 'must list at least one agent group' });
  const seen = new Set<string>();
  types.forEach((t, i) => {
    if (seen.has(t.name)) out.push({ path: `contactTypes[${i}].name`, value: t.name, message: 'must be unique among contact types' });
    seen.add(t.name);
    for (const k of Object.keys(t.siteSplit ?? {})) {
      if (!sites.includes(k)) out.push({ path: `contactTypes[${i}].siteSplit.${k}`, value: k, message: `must be a site: ${sites.join(', ')}` });
    }
    if (t.ivr) {
      if (t.channel !== 'phone') out.push({ path: `contactTypes[${i}].ivr`, value: t.channel, message: 'is for phone contact types only' });
      const sum = t.ivr.selfService! + t.ivr.hangup! + t.ivr.misroute!;
      if (sum > 1 + 1e-12) out.push({ path: `contactTypes[${i}].ivr`, value: sum, message: 'selfService + hangup + misroute must be at most 1' });
    }
    if (t.bot && t.channel !== 'im') out.push({ path: `contactTypes[${i}].bot`, value: t.channel, message: 'is for im contact types only' });
    // A deadline makes a type deferred work (replyOnTime, never lost in a site failure),
    // and a callback is a caller leaving the line: on another channel they would run
    // as that, not as the channel says.
    if (t.deadline !== undefined && t.channel !== 'email' && t.channel !== 'fax') {
      out.push({ path: `contactTypes[${i}].deadline`, value: t.channel, message: 'is for email and fax contact types only (deferred work); a phone or im type is measured by serviceLevel and asa' });
    }
    if (t.callback && t.channel !== 'phone') out.push({ path: `contactTypes[${i}].callback`, value: t.channel, message: 'is for phone contact types only' });
    if (t.siteSplit && Object.values(t.siteSplit).every((v) => v === 0)) {
      out.push({ path: `contactTypes[${i}].siteSplit`, value: t.siteSplit, message: 'must give some site a share above 0' });
    }
  });
  // A type without its product or language (refused by the schema) has no skill to
  // match: the checks by skill below run only when every type has one.
  const skilled = types.every((t) => typeof t.product === 'string' && typeof t.language === 'string');
  const skills = new Set(types.map(skillOf));
  const gseen = new Set<string>();
  groups.forEach((g, i) => {
    if (gseen.has(g.name)) out.push({ path: `agentGroups[${i}].name`, value: g.name, message: 'must be unique among agent groups' });
    gseen.add(g.name);
    if (!sites.includes(g.site)) out.push({ path: `agentGroups[${i}].site`, value: g.site, message: `must be a site: ${sites.join(', ')}` });
    for (const [field, map] of [['skills', g.skills], ['backupSkills', g.backupSkills ?? {}], ['blendSkills', g.blendSkills ?? {}]] as const) {
      for (const k of Object.keys(map)) {
        if (skilled && !skills.has(k)) out.push({ path: `agentGroups[${i}].${field}.${k}`, value: k, message: `must be a skill of some contact type: ${[...skills].join(', ')}` });
      }
    }
    if ((g.agents === undefined) === (g.shifts === undefined)) {
      out.push({ path: `agentGroups[${i}]`, message: 'must give exactly one of agents, shifts' });
    }
    if (Array.isArray(g.agents) && Number.isFinite(horizon / L)) {
      const nI = Math.round(horizon / L), perDay = Math.round(DAY / L);
      if (g.agents.length !== nI && g.agents.length !== perDay) {
        out.push(seriesLengthIssue(`agentGroups[${i}].agents`, g.agents, nI, perDay));
      }
    }
    (g.shifts ?? []).forEach((sh, j) => {
      const len = dur(sh.length);
      if (!(len > 0) || len > DAY) {
        out.push({ path: `agentGroups[${i}].shifts[${j}].length`, value: sh.length, message: 'must be longer than 0 and at most 24h' });
      }
      // A start is a time of day: `25h` would wrap silently to 01:00.
      if (dur(sh.start) >= DAY) {
        out.push({ path: `agentGroups[${i}].shifts[${j}].start`, value: sh.start, message: 'must be a time of day, before 24h (e.g. 8h, 20h30m... as "20.5h" or 73800)' });
      }
      (sh.breaks ?? []).forEach((b, k) => {
        const path = `agentGroups[${i}].shifts[${j}].breaks[${k}]`;
        const bl = dur(b.length);
        if (!(bl > 0)) out.push({ path: `${path}.length`, value: b.length, message: 'must be longer than 0' });
        if (b.spread !== 'staggered') {
          if (b.window !== undefined) out.push({ path: `${path}.window`, value: b.window, message: 'is for spread: staggered (a together break starts at `after` for every agent): add spread: staggered, or remove window' });
          if (b.after === undefined) {
            out.push({ path: `${path}.after`, message: 'is required with spread: together (when every agent of the shift takes the break, e.g. after: 4h), or give a window with spread: staggered' });
            return;
          }
          const after = dur(b.after);
          if (len > 0 && after + bl > len) {
            out.push({ path, value: `after ${b.after}, length ${b.length}`, message: `must end within its shift (the shift is ${sh.length} long)` });
          }
          return;
        }
        if (b.after !== undefined) out.push({ path: `${path}.after`, value: b.after, message: 'is for spread: together; a staggered break is placed within its window: remove after' });
        if (b.window === undefined) {
          out.push({ path: `${path}.window`, message: 'is required with spread: staggered: the stretch of the shift to spread the breaks over, e.g. { from: 2h, to: 5h }' });
          return;
        }
        const from = dur(b.window.from), to = dur(b.window.to);
        if (!(to > from)) {
          out.push({ path: `${path}.window.to`, value: b.window.to, message: `must be after window.from (${b.window.from})` });
          return;
        }
        if (len > 0 && to > len) {
          out.push({ path: `${path}.window.to`, value: b.window.to, message: `must be within the shift (the shift is ${sh.length} long)` });
        }
        if (bl > 0 && to - from < bl) {
          out.push({ path: `${path}.window`, value: `from ${b.window.from} to ${b.window.to}`, message: `must be at least as long as the break (${b.length})` });
        } else if (bl > 0 && L > 0 && staggerPlan(sh, b, L).slots === 0) {
          out.push({ path: `${path}.window`, value: `from ${b.window.from} to ${b.window.to}`, message: `must hold at least one interval (staggered breaks are placed in whole ${L} s intervals, each counted where its midpoint lies)` });
        }
      });
    });
  });
  for (const sk of skilled ? skills : []) {
    if (!groups.some((g) => g.skills[sk] !== undefined || g.backupSkills?.[sk] !== undefined || g.blendSkills?.[sk] !== undefined)) {
      const i = types.findIndex((t) => skillOf(t) === sk);
      out.push({ path: `contactTypes[${i}]`, value: sk, message: `needs an agent group with skill ${sk}: no group serves it` });
    }
  }
  (s.failures ?? []).forEach((f, i) => {
    if (!sites.includes(f.site)) out.push({ path: `failures[${i}].site`, value: f.site, message: `must be a site: ${sites.join(', ')}` });
    if (sites.length < 2 && f.waiting !== 'lose') out.push({ path: `failures[${i}]`, message: 'with one site there is nowhere to move calls: use waiting: lose, or add a site' });
    const start = dur(f.start), length = dur(f.duration);
    if (start >= horizon) out.push({ path: `failures[${i}].start`, value: f.start, message: `must be before the horizon (${horizon} s): a failure after it never happens` });
    if (!(length > 0)) out.push({ path: `failures[${i}].duration`, value: f.duration, message: 'must be longer than 0 (a failure of no time still drops the calls in service)' });
    // Two failures of one site that overlap: the first to end would bring the site back while the other still holds.
    (s.failures ?? []).forEach((g, j) => {
      if (j >= i || g.site !== f.site) return;
      const gs = dur(g.start), ge = gs + dur(g.duration);
      if (start < ge && gs < start + length) out.push({ path: `failures[${i}]`, value: `${f.site} from ${f.start} for ${f.duration}`, message: `must not overlap failures[${j}] of the same site (merge them into one failure)` });
    });
  });
  const policy = s.routing?.policy;
  if (policy !== undefined && policyKind(policy) === PLUGIN && !POLICY_MODULE.test(policy)) {
    out.push({ path: 'routing.policy', value: policy, message: 'must be fifo, priority, aging, or a path to a policy module (.ts, .mts, .js or .mjs)' });
  }
  out.push(...workforceIssues(s, horizon));
  if (types.length > 0 && Number.isFinite(horizon) && Number.isFinite(L)) {
    out.push(...demandIssues(demandInput(s), demandTypes(types), horizon, L));
  }
  return out;
}

export interface CenterParts {
  types: ContactTypeConfig[];
  queues: QueueConfig[];
  groups: AgentGroupConfig[];
  sites: SiteConfig[];
  failures: SiteFailureConfig[];
  demand: DemandParams;
  workforce?: WorkforceConfig;
}

/** Compiles the center form (already validated). */
export function compileCenter(s: Center, horizon: number, L: number, nI: number): CenterParts {
  const siteNames = Object.keys(s.sites!);
  const sites: SiteConfig[] = siteNames.map((n) => ({ name: n, lines: s.sites![n].lines ?? null }));
  const types = s.contactTypes!;
  const demand = compileDemand(demandInput(s), demandTypes(types), horizon, L);
  const split = defaultSiteSplit(sites);
  const outTypes: ContactTypeConfig[] = types.map((t, i) => ({
    name: t.name,
    channel: t.channel as Channel,
    product: t.product,
    language: t.language,
    priority: t.priority!,
    // A site the split leaves out gets none of the type's arrivals.
    siteSplit: t.siteSplit ? siteNames.map((n) => t.siteSplit![n] ?? 0) : split,
    arrivalRates: demand.rates[i],
    handleTime: structuredClone(t.handleTime) as DistSpec,
    patience: t.patience ? (structuredClone(t.patience) as DistSpec) : null,
    ...(t.wrapUp ? { wrapUp: structuredClone(t.wrapUp) as DistSpec } : {}),
    queue: i,
    ...(t.ivr ? { ivr: { time: structuredClone(t.ivr.time) as DistSpec, selfService: t.ivr.selfService!, hangup: t.ivr.hangup!, misroute: t.ivr.misroute!, misrouteTime: dur(t.ivr.misrouteTime), ...(t.ivr.onlyWhenNoAgentFree ? { onlyWhenNoAgentFree: true } : {}) } } : {}),
    ...(t.bot ? { bot: { deflection: t.bot.deflection, summarySaving: t.bot.summarySaving! } } : {}),
    ...(t.deadline !== undefined ? { deadline: dur(t.deadline) } : {}),
    ...(t.redial ? { redial: { probability: t.redial.probability, delay: structuredClone(t.redial.delay) as DistSpec, maxAttempts: t.redial.maxAttempts! } } : {}),
    ...(t.callback ? { callback: { offerAfter: dur(t.callback.offerAfter), acceptance: t.callback.acceptance, dialTime: dur(t.callback.dialTime) } } : {}),
  }));
  const queues: QueueConfig[] = types.map((t) => ({ name: t.name, skill: skillOf(t) }));
  const groups: AgentGroupConfig[] = s.agentGroups!.map((g) => {
    const qs: number[] = [], prof: number[] = [], backup: number[] = [], blend: (number | null)[] = [];
    queues.forEach((q, qi) => {
      const sk = q.skill!;
      if (g.skills[sk] !== undefined) { qs.push(qi); prof.push(g.skills[sk]); backup.push(0); blend.push(null); }
      else if (g.backupSkills?.[sk] !== undefined) { qs.push(qi); prof.push(g.backupSkills[sk]); backup.push(1); blend.push(null); }
      else if (g.blendSkills?.[sk] !== undefined) { qs.push(qi); prof.push(g.blendSkills[sk]); backup.push(0); blend.push(g.blendBelow!); }
    });
    const staffing = g.shifts
      ? shiftStaffing(g.shifts, nI, L)
      : Array.from({ length: nI }, (_, i) => (typeof g.agents === 'number' ? g.agents : (g.agents as number[])[i % (g.agents as number[]).length]));
    return {
      name: g.name, site: siteNames.indexOf(g.site), queues: qs, proficiency: prof, backup, staffing,
      maxContacts: g.maxContacts!, slowdown: g.slowdown!, blendBelow: blend,
    };
  });
  const failures: SiteFailureConfig[] = s.failures!.map((f) => {
    const start = dur(f.start);
    return { site: siteNames.indexOf(f.site), start, end: start + dur(f.duration), inService: f.inService!, waiting: f.waiting! };
  });
  const workforce = compileWorkforce(s, outTypes, groups, sites, nI, L);
  return {
    types: outTypes, queues, groups, sites, failures,
    demand: { dayCv: demand.dayCv, intervalCv: demand.intervalCv, intervalsPerDay: demand.intervalsPerDay },
    ...(workforce ? { workforce } : {}),
  };
}
