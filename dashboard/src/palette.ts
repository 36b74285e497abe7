/**
 * Okabe-Ito, a palette colour-blind readers tell apart (Okabe & Ito 2008). Shading is
 * never the only cue: lines are labelled, pass/fail badges say pass or fail.
 */
export const OI = {
  black: '#000000',
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  grey: '#8C8C8C',
} as const;

export const CHANNEL_COLOR: Record<string, string> = { phone: OI.blue, im: OI.orange, email: OI.green, fax: OI.purple };
const SITE_COLORS = [OI.sky, OI.orange, OI.green, OI.purple, OI.blue, OI.yellow];

export const channelColor = (ch: string, i = 0) => CHANNEL_COLOR[ch] ?? SITE_COLORS[i % SITE_COLORS.length];
export const siteColor = (i: number) => SITE_COLORS[i % SITE_COLORS.length];

/** Missed SLA intervals; a site's failover window; the target line. */
export const MISS = OI.vermillion;
export const FAILOVER = '#9a9a9a';
export const TARGET = OI.black;
