import type { FastifyInstance } from 'fastify';
import { loadScenario } from '../../sim/src/config/load.ts';
import type { ModelConfig } from '../../sim/src/config/model-config.ts';
import { buildTwin, type TwinOptions } from '../../twin-api/app.ts';

/**
 * The live twin under test: a real Fastify app (inject(), no mocks) on the small
 * two-site scenario, with a wall clock the test moves (`advance`), so that the
 * simulated clock is exactly where the test puts it.
 */
export const SMALL: ModelConfig = loadScenario(new URL('../fixtures/twin-small.yaml', import.meta.url).pathname);

export interface TestTwin {
  app: FastifyInstance;
  /** moves the wall clock by `simSeconds / speed` and runs the engine up to the new target */
  advance(simSeconds: number): void;
  /** the injected wall clock, ms */
  wall: { ms: number };
}

export async function testTwin(o: Partial<TwinOptions> = {}): Promise<TestTwin> {
  const wall = { ms: 0 };
  const speed = o.speed ?? 60;
  const app = await buildTwin({ cfg: SMALL, speed, clock: () => wall.ms, ...o });
  await app.ready();
  return {
    app,
    wall,
    advance(simSeconds: number) {
      wall.ms += (simSeconds / (speed === 'max' ? 1 : speed)) * 1000;
      while (app.twin.step()) { /* until the target is reached */ }
    },
  };
}

export const post = (app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers });
