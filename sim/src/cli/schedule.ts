import type { Io } from './io.ts';

// Placeholder until the command is built (issue 15).
export async function cmdSchedule(io: Io, _file: string, _o: Record<string, unknown>): Promise<number> {
  io.err('error: not built yet');
  return 1;
}
