/**
 * The contact channels, defined once. Their order is the order of the result layout's
 * per-channel blocks (model/layout.ts) and of every per-channel report: phone first.
 */
export const CHANNELS = ['phone', 'im', 'email', 'fax'] as const;
export type Channel = (typeof CHANNELS)[number];
/** Number of channels (the width of the per-channel blocks). */
export const NCH = CHANNELS.length;
/** Index of each channel, for the model's typed arrays. */
export const CH_PHONE = 0;
export const CH_IM = 1;
export const CH_EMAIL = 2;
export const CH_FAX = 3;

/** The channel's index in CHANNELS (the model's integer id). */
export function channelIndex(c: Channel): number {
  return CHANNELS.indexOf(c);
}
