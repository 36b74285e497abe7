import type { Channel, ModelConfig } from '../config/model-config.ts';
import { CHANNELS } from '../config/channels.ts';

/**
 * Where a KPI named without a scope is read, for every flag that names one
 * (`staff --target`, `run/compare/sweep --precision`), as the scenario's own SLA
 * targets are judged: a wait, a service level or a rate (summary.ts TOTALS_MIXED) means
 * something per channel only, so a center reads it on its phone channel, and
 * replyOnTime on the channels with a reply deadline (email, fax). Counts add up over
 * channels and are read on the totals.
 */

/** The channels of the scenario's contact types, in CHANNELS order (phone first). */
export const channelsOf = (cfg: Pick<ModelConfig, 'types'>): Channel[] =>
  CHANNELS.filter((c) => cfg.types.some((t) => t.channel === c));

/** The channels with a reply deadline on some contact type: where replyOnTime means something. */
export const deadlineChannelsOf = (cfg: Pick<ModelConfig, 'types'>): Channel[] =>
  CHANNELS.filter((c) => cfg.types.some((t) => t.channel === c && t.deadline !== undefined));

/**
 * The channels a per-channel KPI named without a scope is read on: replyOnTime on each
 * channel with a reply deadline (maybe none); any other on the phone channel when the
 * scenario has one; null when it has none (no convention: the caller decides).
 */
export function unscopedChannels(cfg: Pick<ModelConfig, 'types'>, kpi: string): Channel[] | null {
  if (kpi === 'replyOnTime') return deadlineChannelsOf(cfg);
  return channelsOf(cfg).includes('phone') ? ['phone'] : null;
}
