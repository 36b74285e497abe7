/**
 * The scenario board's numbers: the few an executive reads, from a run list item's
 * headline, with units. The service level is phone's (a wait across phone and email
 * has no meaning), or that of the SLA target's scope when the run has no phone.
 * Pure (tested in test/dashboard).
 */
import type { RunListItem, SlaResult } from './api.ts';
import { pct, rmb, seconds } from './format.ts';

export interface BoardNumber {
  key: string;
  label: string;
  value: string;
}

export function headlineChannel(item: Pick<RunListItem, 'headline' | 'sla'>): string | null {
  const chs = Object.keys(item.headline?.byChannel ?? {});
  if (chs.includes('phone')) return 'phone';
  const s = (item.sla ?? []).find((x) => x.kpi === 'serviceLevel' && x.scope.startsWith('byChannel.'));
  if (s) return s.scope.split('.')[1];
  return chs[0] ?? null;
}

export function boardNumbers(item: Pick<RunListItem, 'headline' | 'sla'>): BoardNumber[] {
  const h = item.headline;
  if (!h) return [];
  const ch = headlineChannel(item);
  const c = ch ? h.byChannel[ch] : undefined;
  const on = ch ? ` (${ch})` : '';
  return [
    { key: 'serviceLevel', label: `service level${on}`, value: pct(c?.serviceLevel) },
    { key: 'abandonRate', label: `abandonment${on}`, value: pct(c?.abandonRate) },
    { key: 'aht', label: `AHT${on}`, value: seconds(c?.aht) },
    { key: 'occupancy', label: 'occupancy', value: pct(h.center.occupancy) },
    { key: 'accuracy', label: 'accuracy', value: pct(h.center.accuracy, 2) },
    { key: 'complaintReplyOnTime', label: 'complaints replied on time', value: pct(h.center.complaintReplyOnTime) },
    // A scenario without agent costs, trunk rates or compensation reports 0: not a free center.
    { key: 'cost', label: 'cost', value: h.center.cost === 0 ? 'not costed' : rmb(h.center.cost) },
  ];
}

/** Pass / fail counts of a run's SLA targets: "3 of 5 met". */
export function slaSummary(sla: readonly SlaResult[] | null): { met: number; total: number; text: string } {
  const list = sla ?? [];
  const met = list.filter((s) => s.met === true).length;
  return { met, total: list.length, text: list.length === 0 ? 'no SLA targets' : `${met} of ${list.length} met` };
}
