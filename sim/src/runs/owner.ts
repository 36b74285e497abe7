import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The process that runs a run, recorded with it: a run whose process died without
 * finishing (SIGKILL, a crash, a power cut) would otherwise stay `running` forever.
 *
 * A pid alone is not enough: pids are reused, soon in a container whose pids start
 * again from 1. On Linux the process's start time (clock ticks since boot, with the
 * boot's id) tells a reused pid apart; elsewhere `start` is null and the pid decides.
 */
export interface RunOwner {
  pid: number;
  host: string;
  start: string | null;
}

let self: RunOwner | undefined;

export function currentOwner(): RunOwner {
  return (self ??= { pid: process.pid, host: hostname(), start: processStart(process.pid) });
}

/** `boot id/start ticks` of a process on Linux, null when it cannot be read (another system, no such process). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19]; // field 22, starttime
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return ticks && /^\d+$/.test(ticks) ? `${boot}/${ticks}` : null;
  } catch {
    return null;
  }
}

/**
 * Whether the owner of a run may still be running it. Only a process on this host
 * can be checked: for another host the answer is yes (nothing is known).
 */
export function ownerAlive(o: { pid: number | null; host: string | null; start: string | null }): boolean {
  if (o.pid === null || o.host === null || o.host !== currentOwner().host) return true;
  if (!Number.isInteger(o.pid) || o.pid <= 0) return false; // kill(0) or kill(-n) would signal a process group
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (o.start === null) return true;
  const now = processStart(o.pid);
  return now === null || now === o.start;
}
