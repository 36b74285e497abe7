import type { Command } from 'commander';
import type { Issue } from '../errors.ts';

/**
 * A flag the command does not have is one more problem among the others, not a stop
 * before them: `cctwin run x.yaml --replicatons 5 --seed -1` names both flags at once.
 *
 * Commander stops at the first unknown flag. Here each leaf command's parse keeps the
 * unknown flags aside as issues and hands the command its operands; every FlagChecker
 * then starts with those issues (options.ts), so the command stops at its first done()
 * with them among its own, before it does anything. test/cli/unknown-flags.test.ts runs
 * every command with an unknown flag and checks that none of them runs.
 */

/** A token that commander would take for an option (`-x`, `--name`, `--name=v`); `-`, `-5` and `-.5` are operands. */
const isFlag = (t: string) => /^--?[^-\d.]/.test(t) || /^--[^=]/.test(t);

/** Optimal string alignment distance (edits, with a swap of neighbours as one). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The command's flag nearest to `flag`, when it is near enough to be a typing slip. */
export function nearestFlag(flag: string, flags: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const f of flags) {
    if (f === flag) continue; // a flag of the program (--version) given to a command: no slip to mend
    const dist = distance(flag, f);
    if (dist < bestD) { best = f; bestD = dist; }
  }
  const name = flag.replace(/^-+/, '');
  return best !== undefined && bestD <= Math.max(1, Math.min(3, Math.floor(name.length * 0.4))) ? best : undefined;
}

/**
 * Splits what commander could not place. `unknown` starts at the first token it did not
 * know and holds everything after it that is not a known option. Flags become issues.
 * A word right after an unknown flag is taken for its value, unless the command needs
 * it as an operand (`run --bogus x.yaml`); the other words are operands, as many as the
 * command takes (`fewest` to `most`, counting `operands` already placed); any beyond is
 * a word too many.
 */
export function splitUnknown(
  command: string,
  known: readonly string[],
  fewest: number,
  most: number,
  operands: readonly string[],
  unknown: readonly string[],
): { operands: string[]; issues: Issue[] } {
  const loose: { token: string; after?: number; operand?: boolean }[] = []; // `after`: the index in `flags` of the unknown flag it follows
  const flags: { flag: string; value?: string }[] = [];
  let rest = false; // after `--`, everything is an operand
  for (let i = 0; i < unknown.length; i++) {
    const t = unknown[i];
    if (rest) { loose.push({ token: t }); continue; }
    if (t === '--') { rest = true; continue; }
    if (isFlag(t)) {
      const eq = t.startsWith('--') ? t.indexOf('=') : -1;
      flags.push(eq > 0 ? { flag: t.slice(0, eq), value: t.slice(eq + 1) } : { flag: t });
      continue;
    }
    const prev = i > 0 && isFlag(unknown[i - 1]) && !unknown[i - 1].includes('=') ? flags.length - 1 : undefined;
    loose.push({ token: t, after: prev });
  }
  let room = most - operands.length;
  let wanted = fewest - operands.length;
  const plain = loose.filter((l) => l.after === undefined);
  for (const l of plain) if (room > 0) { l.operand = true; room--; wanted--; }
  const values = loose.filter((l) => l.after !== undefined);
  for (let i = values.length - 1; i >= 0 && wanted > 0 && room > 0; i--) { values[i].operand = true; room--; wanted--; }
  const issues: Issue[] = [];
  for (const l of loose) if (!l.operand && l.after !== undefined) flags[l.after].value = l.token;
  for (const { flag, value } of flags) {
    const near = nearestFlag(flag, known);
    issues.push({ path: flag, value, message: `is not an option of cctwin ${command}${near ? ` (did you mean ${near}?)` : ''}` });
  }
  for (const l of loose) if (!l.operand && l.after === undefined) issues.push({ path: l.token, message: `is one argument too many for cctwin ${command}` });
  return { operands: [...operands, ...loose.filter((l) => l.operand).map((l) => l.token)], issues };
}

/** The command's full name below the program: `run`, `runs list`. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Makes every leaf command below `program` report its unknown flags through `report`
 * (called on every parse of a leaf, with an empty list when there are none). When
 * `report` cannot take them (false: no command line to hold them), the leaf leaves them
 * to commander, which stops at the first as it does without this.
 *
 * A leaf's parse sees only what its parents did not place: the operands before the
 * first option went to the parents (`cctwin run x.yaml --db y`: the program keeps
 * `run x.yaml` and hands `x.yaml` down). So the parents' parses count their operands,
 * and the leaf's operands so far are that count less the command names on the way.
 */
export function deferUnknownFlags(program: Command, report: (issues: readonly Issue[]) => boolean): void {
  let parentOperands = 0;
  const wrap = (cmd: Command, depth: number) => {
    const parse = cmd.parseOptions.bind(cmd);
    if (cmd.commands.length > 0) {
      cmd.parseOptions = (argv: string[]) => {
        const parsed = parse(argv);
        parentOperands = (depth === 0 ? 0 : parentOperands) + parsed.operands.length;
        return parsed;
      };
      for (const sub of cmd.commands) wrap(sub, depth + 1);
      return;
    }
    cmd.parseOptions = (argv: string[]) => {
      const parsed = parse(argv);
      // Commander looks for the help flag among the unknown tokens: left there, it prints
      // the command's help (and nothing else is checked), as without this wrapper.
      const dashes = parsed.unknown.indexOf('--');
      if (parsed.unknown.some((t, i) => (t === '--help' || t === '-h') && (dashes < 0 || i < dashes))) return parsed;
      const args = cmd.registeredArguments;
      const most = args.some((a) => a.variadic) ? Infinity : args.length;
      const fewest = args.filter((a) => a.required).length;
      const inherited = Math.max(0, parentOperands - depth);
      const known = [cmd, program].flatMap((c) => c.options.flatMap((o) => (o.long ? [o.long] : [])));
      const { operands, issues } = splitUnknown(commandPath(cmd), known, fewest - inherited, most - inherited, parsed.operands, parsed.unknown);
      return report(issues) ? { operands, unknown: [] } : parsed;
    };
  };
  wrap(program, 0);
}
