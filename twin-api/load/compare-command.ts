import type { Io } from '../../sim/src/cli/io.ts';

// Placeholder until the command is built (issue 13).
export async function cmdCompareK6(io: Io, _summary: string, _o: Record<string, unknown>): Promise<number> {
  io.err('error: not built yet');
  return 1;
}
