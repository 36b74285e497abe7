import type { Io } from '../../sim/src/cli/io.ts';

// Placeholder until the command is built (issue 13).
export async function cmdReplay(io: Io, _file: string, _o: Record<string, unknown>): Promise<number> {
  io.err('error: not built yet');
  return 1;
}
