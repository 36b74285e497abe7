import { SimError, type Issue } from '../errors.ts';
import type { HandleMode } from './options.ts';
import { callsByDay, dayLabel, type CallRecord } from './call-log.ts';

/**
 * What a log must hold for a fit (`cctwin calibrate`) or a replay (`validate-fit`),
 * checked before any estimator runs, so that a log too small or too uniform gets an
 * error about the log (what is missing) instead of a fit that is not a scenario
 * (an infinite mean patience, a zero CV, no agents). Every problem is listed at once.
 */

/** Days with answered calls none of which names its agent: the staffing of such a day reads as 0 agents. */
function daysWithoutAgents(calls: readonly CallRecord[]): Issue[] {
  const issues: Issue[] = [];
  for (const [day, list] of callsByDay(calls)) {
    let answered = 0, named = 0;
    for (const c of list) if (c.outcome === 'answered') { answered++; if (c.agent !== null) named++; }
    if (answered > 0 && named === 0) {
      issues.push({ path: 'LOG', value: dayLabel(day), message: `${answered} answered calls and none names its agent: staffing is read from the agents of answered calls` });
    }
  }
  return issues.sort((a, b) => String(a.value).localeCompare(String(b.value)));
}

/** The calls that reached the agent queue, or an issue saying none did. */
function offeredOrIssue(calls: readonly CallRecord[], need: string): { offered: CallRecord[]; issue: Issue | null } {
  const offered = calls.filter((c) => c.queueEntry !== null);
  if (offered.length > 0) return { offered, issue: null };
  const n = (o: string) => calls.filter((c) => c.outcome === o).length;
  return { offered, issue: { path: 'LOG', value: `${calls.length} calls: ${n('ivr')} hung up in the IVR, ${n('blocked')} blocked`, message: `no call reached the agent queue: ${need}` } };
}

function refuse(what: string, doing: 'fit' | 'replay', issues: Issue[]): void {
  if (issues.length > 0) throw new SimError('SIM_ERR_CALL_LOG', `cannot ${doing === 'fit' ? 'fit a scenario to' : 'replay'} ${what}: it lacks what a ${doing} needs`, issues);
}

/**
 * A fit needs offered calls; answered ones with a duration (handle time; with
 * `handle` lognormal, two lengths at least of `shortCall` seconds or more); abandoned
 * ones at two different waits at least (patience: with none, its censored estimate is
 * infinite; with one wait, its spread is 0); and agents named on every day with answers
 * (staffing).
 */
export function requireFittable(calls: readonly CallRecord[], what: string, o: { handle: HandleMode; shortCall: number }): void {
  const { offered, issue } = offeredOrIssue(calls, 'arrivals, handle time and patience are fitted from offered calls');
  if (issue) return refuse(what, 'fit', [issue]);
  const issues: Issue[] = [];
  const answered = offered.filter((c) => c.outcome === 'answered');
  const abandoned = offered.filter((c) => c.outcome === 'abandoned');
  const counts = `${offered.length} offered: ${answered.length} answered, ${abandoned.length} abandoned`;
  if (answered.length === 0) {
    issues.push({ path: 'LOG', value: counts, message: 'no answered call: the handle time is fitted from answered calls' });
  } else {
    const lengths = answered.map((c) => c.end - c.answer!);
    if (lengths.every((x) => x <= 0)) {
      issues.push({ path: 'LOG', value: counts, message: 'every answered call lasts 0 s (end = answer): the handle time needs calls with a length' });
    } else if (o.handle === 'lognormal' && new Set(lengths.filter((x) => x >= o.shortCall && x > 0)).size < 2) {
      issues.push({ path: 'LOG', value: `${new Set(lengths.filter((x) => x >= o.shortCall && x > 0)).size} lengths >= ${o.shortCall} s`, message: `--handle lognormal is fitted to the calls of --short-call (${o.shortCall} s) or longer and needs two different lengths at least; --handle empirical takes any` });
    }
  }
  if (abandoned.length === 0) {
    issues.push({ path: 'LOG', value: counts, message: 'no abandoned call: patience is estimated from the waits of abandoned calls (answered ones only tell it is longer than their wait)' });
  } else {
    const waits = new Set(abandoned.map((c) => Math.max(0, c.end - c.queueEntry!)));
    if (waits.size < 2) {
      issues.push({ path: 'LOG', value: `${abandoned.length} abandoned, all after ${[...waits][0]} s`, message: 'every abandonment comes after the same wait: patience needs abandonments at two different waits at least' });
    }
  }
  issues.push(...daysWithoutAgents(calls));
  refuse(what, 'fit', issues);
}

/** A replay needs offered calls, and agents named on every day with answers (its staffing). */
export function requireReplayable(calls: readonly CallRecord[], what: string): void {
  const { issue } = offeredOrIssue(calls, 'validate-fit replays the offered calls of each day');
  refuse(what, 'replay', issue ? [issue] : daysWithoutAgents(calls));
}

/** The staffing of a fit rounds to no agent at all: a scenario that answers nothing. */
export function requireAgents(perInterval: readonly number[], what: string): void {
  const most = Math.max(0, ...perInterval);
  if (Math.round(most) > 0) return;
  refuse(what, 'fit', [{
    path: 'LOG', value: `at most ${most} agents in an interval`,
    message: 'the staffing read from the log rounds to 0 agents in every interval: too few answered calls to read agents on the floor from',
  }]);
}
