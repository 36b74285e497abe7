import { LIMITS } from './limits.ts';
import Type, { type Static, type TSchema } from 'typebox';
import type { DistSpec } from '../core/distributions.ts';
import { withDefault } from './schema-default.ts';

const DAY = 86400;
const exp = (mean: number) => ({ kind: 'exponential' as const, mean });

/** The default time-of-day error peaks of new agents. */
const PEAKS = [{ hour: 15, amplitude: 2.5, width: 0.6 }, { hour: 18, amplitude: 2.5, width: 0.6 }];

/**
 * The workforce and quality loop of a scenario file (`workforce:`), and the tenure
 * mix of agent groups (`agentGroups[].tenure`). Defaults are the schema's (the
 * sources of the figures are in the README, "The workforce and quality loop").
 * Sections whose presence switches something on (a countermeasure, complaint
 * cases) have no default themselves; their fields do, once they are there.
 */
export function workforceSchema(Dist: (description?: string, dflt?: DistSpec) => TSchema, Duration: (description?: string, dflt?: number | string) => TSchema) {
  const opts = (description: string, dflt?: unknown) => (dflt === undefined ? { description } : withDefault(dflt, description));
  const Share = (description: string, dflt?: number) => Type.Number({ minimum: 0, maximum: 1, ...opts(description, dflt) });
  const Pos = (description: string, dflt?: number) => Type.Number({ exclusiveMinimum: 0, ...opts(description, dflt) });
  const NonNeg = (description: string, dflt?: number) => Type.Number({ minimum: 0, ...opts(description, dflt) });
  const obj = (props: Record<string, TSchema>, description: string) => Type.Object(props, { additionalProperties: false, description });
  /** A section with defaults inside: present or not, its fields get their defaults. */
  const section = (props: Record<string, TSchema>, description: string) => Type.Object(props, { additionalProperties: false, description, default: {} });
  return obj({
    learning: Type.Optional(section({
      model: Type.Optional(Type.Union([Type.Literal('exponential'), Type.Literal('power')], withDefault('exponential', 'shape of the learning curve'))),
      ahtFactorNew: Type.Optional(Type.Number({ minimum: 1, ...withDefault(1.4, 'handle-time multiplier fresh out of training') })),
      errorNew: Type.Optional(Share('defect probability per contact fresh out of training', 0.01)),
      errorExpert: Type.Optional(Share('defect probability of an expert', 0.0005)),
      timeConstantDays: Type.Optional(Pos('days for the excess over expert level to fall by e', 45)),
    }, 'the learning curve over tenure')),
    trainingDays: Type.Optional(NonNeg('days of training before a hire takes contacts alone', 30)),
    newAgentDays: Type.Optional(NonNeg('tenure under which an agent is new', 90)),
    peaks: Type.Optional(Type.Array(obj({
      hour: Type.Number({ minimum: 0, maximum: 24 }),
      amplitude: NonNeg('extra errors at the peak: 2 = three times the usual'),
      width: Pos('hours (standard deviation of the bump)'),
    }, 'a time-of-day bump of new agents\' errors'), {
      default: PEAKS,
      description: `default: ${PEAKS.map((p) => `${p.hour}:00 (amplitude ${p.amplitude}, width ${p.width} h)`).join(' and ')}`,
    })),
    fatigue: Type.Optional(section({
      afterHours: Type.Optional(NonNeg('hours on duty before fatigue sets in', 8)),
      ahtPerHour: Type.Optional(NonNeg('handle time rises by this share per hour beyond', 0.03)),
      errorPerHour: Type.Optional(NonNeg('errors rise by this share per hour beyond', 0.15)),
    }, 'long shifts (the 12-hour Spring Festival shifts) slow agents and raise errors')),
    countermeasures: Type.Optional(section({
      breakBefore15: Type.Optional(obj({
        minutes: Type.Optional(NonNeg('break length', 10)),
        peakReduction: Type.Optional(Share('the 15:00 peak falls by this share', 0.6)),
      }, 'a short break for new agents just before 15:00')),
      shiftChangeAt18: Type.Optional(obj({
        handoverMinutes: Type.Optional(NonNeg('handover time of the agents on duty', 10)),
        peakReduction: Type.Optional(Share('the 18:00 peak falls by this share', 0.6)),
      }, 'a shift change at 18:00: fresh agents, fatigue reset')),
      coach: Type.Optional(obj({
        newAgentsPerCoach: Type.Optional(Pos('new agents per coach; coaches leave the phones', 15)),
        errorReduction: Type.Optional(Share('new agents\' errors fall by this share while coached', 0.4)),
        from: Type.Optional(Duration('time of day the coach starts', '8h')),
        to: Type.Optional(Duration('time of day the coach leaves', '22h')),
      }, 'a coach on the floor beside new agents')),
    }, 'the center\'s answers to new agents\' error peaks')),
    attrition: Type.Optional(section({
      dailyNew: Type.Optional(Share('daily quit probability of new agents', 0.003)),
      dailyExpert: Type.Optional(Share('daily quit probability of other agents', 0.0007)),
    }, 'turnover below the industry average, but present')),
    staffing: Type.Optional(Type.Union([Type.Literal('seats'), Type.Literal('heads')], withDefault('seats',
      'what the groups\' staffing plans count. seats: agents on the phones per interval; the roster (hires, quits) only caps it. '
      + 'heads: the plan is the on-duty profile of the group\'s headcount at the start (its peak count); with H trained heads, '
      + 'round(plan x H / base) are on duty, so graduates add capacity and quits take it away'))),
    hiring: Type.Optional(Type.Array(obj({
      group: Type.String({ minLength: 1 }),
      day: Type.Integer({ minimum: 0, description: 'day index the class starts training' }),
      agents: Type.Integer({ minimum: 1, maximum: LIMITS.agents }),
    }, 'a new-hire class'), { default: [] })),
    mentoring: Type.Optional(section({
      share: Type.Optional(Share('share of a mentor\'s capacity per trainee in training', 0.5)),
    }, 'one-to-one mentoring during training')),
    quality: Type.Optional(section({
      rework: Type.Optional(Share('share of defects that come back as a repeat contact', 0.6)),
      reworkDelay: Type.Optional(Dist('time until a rework contact comes back, seconds', exp(2 * DAY))),
      complaint: Type.Optional(Share('share of defects that come back as a complaint', 0.1)),
      complaintDelay: Type.Optional(Dist('time until a complaint comes in, seconds', exp(DAY))),
      complaintExtraHandle: Type.Optional(Duration('extra handle time of the agent who accepts a complaint', 120)),
      repeatSaving: Type.Optional(Share('repeat contacts of types with a bot are shorter by this share', 0.3)),
    }, 'what a defect brings back')),
    complaints: Type.Optional(obj({
      caseType: Type.String({ minLength: 1, description: 'the contact type whose contacts are complaint cases (deferred, worked by the complaint team)' }),
      replyDeadline: Type.Optional(Duration('time to reply to a complaint case', '24h')),
      supplierShare: Type.Optional(Share('share of cases waiting on a supplier', 0.3)),
      supplierDelay: Type.Optional(Dist('supplier\'s answer time, seconds', exp(8 * 3600))),
      supervisorShare: Type.Optional(Share('share needing a supervisor\'s authority', 0.2)),
      supervisorDelay: Type.Optional(Dist('supervisor\'s answer time, seconds', exp(4 * 3600))),
      payFirst: Type.Optional(Dist('"pay first" compensation per complaint, RMB', { kind: 'lognormal' as const, mean: 200, cv: 1.5 })),
      priceGuaranteeShare: Type.Optional(Share('share of cases under the price guarantee', 0.2)),
      priceDifference: Type.Optional(Dist('price difference paid under the guarantee, RMB', { kind: 'lognormal' as const, mean: 150, cv: 1 })),
      ownFaultShare: Type.Optional(Share('share of price cases that are the company\'s own fault, paid 1x; the rest 3x', 0.5)),
    }, 'complaint cases: record, investigate, reply before a deadline')),
    cost: Type.Optional(section({
      agentPerHour: Type.Optional(Type.Record(Type.String({ minLength: 1 }), NonNeg('RMB per agent hour on duty'), { default: {}, description: 'by site; a site left out costs nothing' })),
      telephonyPerMinute: Type.Optional(NonNeg('RMB per trunk line minute', 0)),
    }, 'cost rates')),
  }, 'agents who learn and tire, errors that come back as rework and complaints');
}

export const TenureSchema = Type.Array(
  Type.Object(
    {
      share: Type.Number({ minimum: 0, maximum: 1, description: 'share of the group\'s agents' }),
      days: Type.Number({ description: 'tenure in days at the start (since hire, training included)' }),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, description: 'tenure cohorts of the group (default: all experienced)' },
);

export type TenureInput = Static<typeof TenureSchema>;

type Dur = number | string;
type DistIn = unknown;
/** The parsed `workforce:` section (the schema above validates it). */
export interface WorkforceInput {
  learning?: { model?: 'exponential' | 'power'; ahtFactorNew?: number; errorNew?: number; errorExpert?: number; timeConstantDays?: number };
  trainingDays?: number;
  newAgentDays?: number;
  peaks?: { hour: number; amplitude: number; width: number }[];
  fatigue?: { afterHours?: number; ahtPerHour?: number; errorPerHour?: number };
  countermeasures?: {
    breakBefore15?: { minutes?: number; peakReduction?: number };
    shiftChangeAt18?: { handoverMinutes?: number; peakReduction?: number };
    coach?: { newAgentsPerCoach?: number; errorReduction?: number; from?: Dur; to?: Dur };
  };
  attrition?: { dailyNew?: number; dailyExpert?: number };
  staffing?: 'seats' | 'heads';
  hiring?: { group: string; day: number; agents: number }[];
  mentoring?: { share?: number };
  quality?: { rework?: number; reworkDelay?: DistIn; complaint?: number; complaintDelay?: DistIn; complaintExtraHandle?: Dur; repeatSaving?: number };
  complaints?: {
    caseType: string; replyDeadline?: Dur; supplierShare?: number; supplierDelay?: DistIn; supervisorShare?: number; supervisorDelay?: DistIn;
    payFirst?: DistIn; priceGuaranteeShare?: number; priceDifference?: DistIn; ownFaultShare?: number;
  };
  cost?: { agentPerHour?: Record<string, number>; telephonyPerMinute?: number };
}
