import { lstatSync, realpathSync } from 'node:fs';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import type { Issue } from '../errors.ts';

/**
 * Which plug-in routing policies may be loaded. A policy is code: importing it runs
 * it with the user's privileges, in every worker. So a scenario may name only a module
 * in the `policies` folder beside it (`routing.policy: policies/longest-queue-first.ts`:
 * a relative path, no `..`, no symlink leading out of that folder), or one the user
 * names on the command line (`--allow-policy PATH`). Nothing stored (a run store, a
 * resumed sweep) or received (an HTTP body) adds to that list.
 */
export interface PolicyTrust {
  /** The scenario file's folder: its `policies` folder is trusted. */
  readonly baseDir: string;
  /** Modules the user allowed by name (--allow-policy), as given. */
  readonly allowed?: readonly string[];
  /**
   * False when the scenario text came from a store (a resumed sweep): its folder is then
   * only where it was stored from, and only --allow-policy grants trust.
   */
  readonly folder?: boolean;
}

export const POLICIES_FOLDER = 'policies';

const real = (p: string): string | null => {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
};

/** The module a scenario's `routing.policy` names, resolved, or the issue that refuses it. */
export function trustedPolicy(policy: string, trust: PolicyTrust): { file: string } | { issue: Issue } {
  const refuse = (why: string): { issue: Issue } => ({
    issue: {
      path: 'routing.policy', value: policy,
      message: `must be a module in the ${POLICIES_FOLDER} folder beside the scenario (e.g. ${POLICIES_FOLDER}/my-policy.ts), or one allowed with --allow-policy PATH: ${why}`,
    },
  });
  const file = resolve(trust.baseDir, policy);
  const target = real(file);
  if (target === null) return refuse('no such file');
  // The real path is what was checked and what is imported: a link swapped afterwards changes nothing.
  if ((trust.allowed ?? []).some((a) => real(resolve(a)) === target)) return { file: target };
  if (trust.folder === false) {
    return {
      issue: {
        path: 'routing.policy', value: policy,
        message: `must be allowed with --allow-policy: the scenario came from the run store, which grants no trust, not even to a ${POLICIES_FOLDER} folder (allow this module with --allow-policy ${target})`,
      },
    };
  }
  if (isAbsolute(policy)) return refuse('it is an absolute path');
  const parts = normalize(policy).split(/[\\/]/);
  if (policy.split(/[\\/]/).includes('..')) return refuse('it contains ..');
  if (parts[0] !== POLICIES_FOLDER || parts.length < 2) return refuse(`it is not inside ${POLICIES_FOLDER}/`);
  const folderPath = resolve(trust.baseDir, POLICIES_FOLDER);
  let folderIsLink = false;
  try { folderIsLink = lstatSync(folderPath).isSymbolicLink(); } catch { folderIsLink = false; }
  if (folderIsLink) return refuse(`the ${POLICIES_FOLDER} folder is a symbolic link (it must be a real folder beside the scenario)`);
  const folder = real(folderPath);
  if (folder === null || !target.startsWith(folder + sep)) return refuse(`it leads out of ${POLICIES_FOLDER}/ (a symbolic link)`);
  if (target.slice(folder.length + 1).split(sep).includes('node_modules')) return refuse('it is inside a node_modules folder');
  return { file: target };
}
