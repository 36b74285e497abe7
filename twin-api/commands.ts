import type { Io } from '../sim/src/cli/io.ts';
import type { TwinCommands } from '../sim/src/cli/program.ts';

/**
 * The commands whose code lives in twin-api/ (the live twin and the load tools), handed
 * to the CLI by bin/cctwin.js (sim/ never imports twin-api/). Each loads its module when
 * it runs, so `cctwin k6` never loads Fastify.
 */
export const twinCommands: TwinCommands = {
  cmdServe: async (io: Io, file: string | undefined, o: Record<string, unknown>) => (await import('./serve.ts')).cmdServe(io, file, o),
  cmdDashboard: async (io: Io, o: Record<string, unknown>) => (await import('./dashboard-command.ts')).cmdDashboard(io, o),
  cmdK6: async (io: Io, file: string, o: Record<string, unknown>) => (await import('./load/k6-command.ts')).cmdK6(io, file, o),
  cmdReplay: async (io: Io, file: string, o: Record<string, unknown>) => (await import('./load/replay-command.ts')).cmdReplay(io, file, o),
  cmdCompareK6: async (io: Io, summary: string, o: Record<string, unknown>) => (await import('./load/compare-command.ts')).cmdCompareK6(io, summary, o),
};
