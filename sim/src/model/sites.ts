import { M } from './layout.ts';
import { findIdleAgent } from './routing.ts';
import { AGENT_OFF, CALL_IN_SERVICE, CALL_WAITING, type SimState } from './state.ts';
import { count, endAttempt, goOffDuty, logOff, release, siteUp, unload, unqueue } from './steps.ts';
import { afterWork, answer } from './lifecycle.ts';
import { setStaffing, staffingTarget } from './staffing.ts';
import { O_DROPPED, O_LOST } from './event-log.ts';

/** Sites failing and recovering (cfg.failures): a failure moves, loses or drops contacts and sends the site's agents home. */

/**
 * A site fails: its lines and agents are gone. Contacts in service there are dropped
 * or finished (then the agent goes); calls holding its lines while waiting move to
 * another site's lines or are lost; new arrivals land on the other sites.
 */
export function onSiteDown(s: SimState, failure: number): void {
  const f = s.cfg.failures[failure];
  const site = f.site;
  s.advanceAreas();
  s.siteDown[site] = 1;
  // 1. Waiting contacts served from this site move to another site (their lines too), or are lost.
  const to = siteUp(s, site);
  for (let slot = 0; slot < s.nSlots; slot++) {
    if (s.cState[slot] !== CALL_WAITING || (s.cSite[slot] !== site && s.cLine[slot] !== site)) continue;
    if (f.waiting === 'lose' || to < 0) {
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
  if (f.inService === 'drop') {
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

/** The site recovers: lines come back and its groups return to the interval's staffing. */
export function onSiteUp(s: SimState, failure: number): void {
  const site = s.cfg.failures[failure].site;
  s.advanceAreas();
  s.siteDown[site] = 0;
  const nI = s.cfg.nIntervals;
  const i = Math.min(Math.floor(s.now / s.cfg.intervalLength), nI - 1);
  for (let g = 0; g < s.groupSize.length; g++) {
    if (s.groupSite[g] === site) setStaffing(s, g, staffingTarget(s, g, i));
  }
}
