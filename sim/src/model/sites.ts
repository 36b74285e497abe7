import { M } from './layout.ts';
import { findIdleAgent } from './routing.ts';
import { AGENT_OFF, CALL_IN_SERVICE, CALL_WAITING, FLAG_CASE, type SimState } from './state.ts';
import { count, endAttempt, goOffDuty, logOff, release, siteUp, unload, unqueue } from './steps.ts';
import { afterWork, answer } from './lifecycle.ts';
import { setStaffing, staffingInterval, staffingTarget } from './staffing.ts';
import { O_DROPPED, O_LOST } from './event-log.ts';

/**
 * Sites failing and recovering: a failure moves, loses or drops contacts and sends the
 * site's agents home. The failures of the config (cfg.failures: SITE_DOWN and SITE_UP
 * events) and a live run's controls (engine/live-run.ts) take the same two steps,
 * failSite and restoreSite.
 */

/** The config's failure `failure` (an index into cfg.failures) starts. */
export function onSiteDown(s: SimState, failure: number): void {
  const f = s.cfg.failures[failure];
  failSite(s, f.site, f.inService === 'drop' ? 1 : 0, f.waiting === 'lose' ? 1 : 0);
}

/** The config's failure `failure` ends. */
export function onSiteUp(s: SimState, failure: number): void {
  restoreSite(s, s.cfg.failures[failure].site);
}

/**
 * Site `site` fails now: its lines and agents are gone. Contacts in service there are
 * dropped (`drop` 1, and the agents' after-call work is cut) or finished (0, their
 * wrap-ups too; then the agent goes); calls waiting for it (its
 * lines, or its queue in local mode) move to another site (`lose` 0) or are lost (1);
 * new arrivals land on the other sites.
 */
export function failSite(s: SimState, site: number, drop: number, lose: number): void {
  s.advanceAreas();
  s.siteDown[site] = 1;
  // 1. Waiting contacts served from this site move to another site (their lines too), or are lost.
  const to = siteUp(s, site);
  for (let slot = 0; slot < s.nSlots; slot++) {
    if (s.cState[slot] !== CALL_WAITING || (s.cSite[slot] !== site && s.cLine[slot] !== site)) continue;
    // Deferred work (a type with a reply deadline: email, fax) and complaint cases are
    // records in a queue, not callers on a line: a failure never loses them. They move
    // to a site that is up, or wait for their own to come back when none is.
    const record = s.typeDeadline[s.cType[slot]] !== Infinity || (s.cFlags[slot] & FLAG_CASE) !== 0;
    if (record && to < 0) continue;
    if (!record && (lose === 1 || to < 0)) {
      endAttempt(s, slot, M.lost, O_LOST, 0);
      count(s, slot, M.customersLost, 1);
      unqueue(s, slot);
      release(s, slot);
      continue;
    }
    if (s.cLine[slot] === site) {
      s.siteInSystem[site]--;
      s.siteInSystem[to]++;
      s.cLine[slot] = to;
    }
    if (s.cSite[slot] === site) s.cSite[slot] = to;
  }
  // 2. Contacts in service on this site's agents or trunk lines are cut off (drop), or finish.
  if (drop === 1) {
    for (let slot = 0; slot < s.nSlots; slot++) {
      if (s.cState[slot] !== CALL_IN_SERVICE) continue;
      const agent = s.cAgent[slot];
      const agentHere = s.groupSite[s.aGroup[agent]] === site;
      if (!agentHere && s.cLine[slot] !== site) continue;
      // Answered, never completed (AHT counts completed contacts only).
      endAttempt(s, slot, M.dropped, O_DROPPED, 0);
      unload(s, agent);
      release(s, slot); // bumps the generation: its service end goes stale
      if (!agentHere) afterWork(s, agent); // an agent elsewhere takes the next contact
    }
    // The site's agents' after-call work is cut too: its ends go stale.
    for (let g = 0; g < s.groupSize.length; g++) {
      if (s.groupSite[g] !== site) continue;
      const first = s.groupFirst[g], end = first + s.groupSize[g];
      for (let a = first; a < end; a++) {
        if (s.aWrap[a] === 0) continue;
        while (s.aWrap[a] > 0) {
          s.aWrap[a]--;
          unload(s, a);
        }
        s.aWrapGen[a]++;
      }
    }
  }
  // 3. The site's agents go (those still holding contacts once they finish).
  for (let g = 0; g < s.groupSize.length; g++) {
    if (s.groupSite[g] !== site) continue;
    const first = s.groupFirst[g], end = first + s.groupSize[g];
    for (let a = first; a < end; a++) {
      if (s.aState[a] === AGENT_OFF) continue;
      if (s.aLeaving[a] === 0) goOffDuty(s, a);
      else if (s.aLoad[a] === 0) logOff(s, a); // already leaving, and its last contact was just dropped
    }
  }
  // 4. Moved contacts may now be taken at once by idle agents elsewhere (in local mode
  // their queue's site is down, so its delay is 0).
  for (let slot = 0; slot < s.nSlots; slot++) {
    if (s.cState[slot] !== CALL_WAITING || s.cSite[slot] !== to) continue;
    const agent = findIdleAgent(s, s.cQueue[slot], s.now - s.cEnter[slot]);
    if (agent >= 0) {
      unqueue(s, slot);
      answer(s, slot, agent);
    }
  }
}

/** Site `site` recovers now: lines come back and its groups return to the interval's staffing. */
export function restoreSite(s: SimState, site: number): void {
  s.advanceAreas();
  s.siteDown[site] = 0;
  const i = staffingInterval(s);
  for (let g = 0; g < s.groupSize.length; g++) {
    if (s.groupSite[g] === site) setStaffing(s, g, staffingTarget(s, g, i));
  }
}
