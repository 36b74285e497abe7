import Type, { type Static, type TSchema } from 'typebox';

/**
 * The workforce and quality loop of a scenario file (`workforce:`), and the tenure
 * mix of agent groups (`agentGroups[].tenure`). Defaults and their sources are in
 * the README ("The workforce and quality loop").
 */
export function workforceSchema(Dist: TSchema, Duration: TSchema) {
  const Share = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
  const Pos = (description: string) => Type.Number({ exclusiveMinimum: 0, description });
  const NonNeg = (description: string) => Type.Number({ minimum: 0, description });
  const obj = (props: Record<string, TSchema>, description: string) => Type.Object(props, { additionalProperties: false, description });
  return obj({
    learning: Type.Optional(obj({
      model: Type.Optional(Type.Union([Type.Literal('exponential'), Type.Literal('power')], { description: 'shape of the learning curve (default exponential)' })),
      ahtFactorNew: Type.Optional(Type.Number({ minimum: 1, description: 'handle-time multiplier fresh out of training (default 1.4)' })),
      errorNew: Type.Optional(Share('defect probability per contact fresh out of training (default 0.01)')),
      errorExpert: Type.Optional(Share('defect probability of an expert (default 0.0005)')),
      timeConstantDays: Type.Optional(Pos('days for the excess over expert level to fall by e (default 45)')),
    }, 'the learning curve over tenure')),
    trainingDays: Type.Optional(NonNeg('days of training before a hire takes contacts alone (default 30)')),
    newAgentDays: Type.Optional(NonNeg('tenure under which an agent is new (default 90)')),
    peaks: Type.Optional(Type.Array(obj({
      hour: Type.Number({ minimum: 0, maximum: 24 }),
      amplitude: NonNeg('extra errors at the peak: 2 = three times the usual'),
      width: Pos('hours (standard deviation of the bump)'),
    }, 'a time-of-day bump of new agents\' errors'), { description: 'default: 15:00 and 18:00, amplitude 2.5, width 0.6 h' })),
    fatigue: Type.Optional(obj({
      afterHours: Type.Optional(NonNeg('hours on duty before fatigue sets in (default 8)')),
      ahtPerHour: Type.Optional(NonNeg('handle time rises by this share per hour beyond (default 0.03)')),
      errorPerHour: Type.Optional(NonNeg('errors rise by this share per hour beyond (default 0.15)')),
    }, 'long shifts (the 12-hour Spring Festival shifts) slow agents and raise errors')),
    countermeasures: Type.Optional(obj({
      breakBefore15: Type.Optional(obj({
        minutes: Type.Optional(NonNeg('break length (default 10)')),
        peakReduction: Type.Optional(Share('the 15:00 peak falls by this share (default 0.6)')),
      }, 'a short break for new agents just before 15:00')),
      shiftChangeAt18: Type.Optional(obj({
        handoverMinutes: Type.Optional(NonNeg('handover time of the agents on duty (default 10)')),
        peakReduction: Type.Optional(Share('the 18:00 peak falls by this share (default 0.6)')),
      }, 'a shift change at 18:00: fresh agents, fatigue reset')),
      coach: Type.Optional(obj({
        newAgentsPerCoach: Type.Optional(Pos('new agents per coach (default 15); coaches leave the phones')),
        errorReduction: Type.Optional(Share('new agents\' errors fall by this share while coached (default 0.4)')),
        from: Type.Optional(Duration),
        to: Type.Optional(Duration),
      }, 'a coach on the floor beside new agents (default 08:00-22:00)')),
    }, 'the center\'s answers to new agents\' error peaks')),
    attrition: Type.Optional(obj({
      dailyNew: Type.Optional(Share('daily quit probability of new agents (default 0.003)')),
      dailyExpert: Type.Optional(Share('daily quit probability of other agents (default 0.0007)')),
    }, 'turnover below the industry average, but present')),
    hiring: Type.Optional(Type.Array(obj({
      group: Type.String({ minLength: 1 }),
      day: Type.Integer({ minimum: 0, description: 'day index the class starts training' }),
      agents: Type.Integer({ minimum: 1 }),
    }, 'a new-hire class'))),
    mentoring: Type.Optional(obj({
      share: Type.Optional(Share('share of a mentor\'s capacity per trainee in training (default 0.5)')),
    }, 'one-to-one mentoring during training')),
    quality: Type.Optional(obj({
      rework: Type.Optional(Share('share of defects that come back as a repeat contact (default 0.6)')),
      reworkDelay: Type.Optional(Dist),
      complaint: Type.Optional(Share('share of defects that come back as a complaint (default 0.1)')),
      complaintDelay: Type.Optional(Dist),
      complaintExtraHandle: Type.Optional(Duration),
      repeatSaving: Type.Optional(Share('repeat contacts of types with a bot are shorter by this share (default 0.3)')),
    }, 'what a defect brings back')),
    complaints: Type.Optional(obj({
      caseType: Type.String({ minLength: 1, description: 'the contact type whose contacts are complaint cases (deferred, worked by the complaint team)' }),
      replyDeadline: Type.Optional(Duration),
      supplierShare: Type.Optional(Share('share of cases waiting on a supplier (default 0.3)')),
      supplierDelay: Type.Optional(Dist),
      supervisorShare: Type.Optional(Share('share needing a supervisor\'s authority (default 0.2)')),
      supervisorDelay: Type.Optional(Dist),
      payFirst: Type.Optional(Dist),
      priceGuaranteeShare: Type.Optional(Share('share of cases under the price guarantee (default 0.2)')),
      priceDifference: Type.Optional(Dist),
      ownFaultShare: Type.Optional(Share('share of price cases that are the company\'s own fault, paid 1x; the rest 3x (default 0.5)')),
    }, 'complaint cases: record, investigate, reply before a deadline')),
    cost: Type.Optional(obj({
      agentPerHour: Type.Optional(Type.Record(Type.String({ minLength: 1 }), NonNeg('RMB per agent hour on duty'), { description: 'by site' })),
      telephonyPerMinute: Type.Optional(NonNeg('RMB per trunk line minute')),
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
  hiring?: { group: string; day: number; agents: number }[];
  mentoring?: { share?: number };
  quality?: { rework?: number; reworkDelay?: DistIn; complaint?: number; complaintDelay?: DistIn; complaintExtraHandle?: Dur; repeatSaving?: number };
  complaints?: {
    caseType: string; replyDeadline?: Dur; supplierShare?: number; supplierDelay?: DistIn; supervisorShare?: number; supervisorDelay?: DistIn;
    payFirst?: DistIn; priceGuaranteeShare?: number; priceDifference?: DistIn; ownFaultShare?: number;
  };
  cost?: { agentPerHour?: Record<string, number>; telephonyPerMinute?: number };
}
