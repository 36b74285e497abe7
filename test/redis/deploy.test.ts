import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from './helpers.ts';

/**
 * The deployment examples in deploy/ are examples: checked for syntax and for the few
 * things that make them cctwin workers (no Docker or Kubernetes here).
 */

const read = (f: string) => readFileSync(join(ROOT, 'deploy', f), 'utf8');
type Obj = Record<string, any>;

describe('deploy/', () => {
  it('docker-compose.yml: Redis with a password on loopback only, and workers of the image running `cctwin worker`', () => {
    const doc = parse(read('docker-compose.yml'), { strict: true, uniqueKeys: true }) as Obj;
    expect(Object.keys(doc.services).sort()).toEqual(['redis', 'worker']);
    const redis = doc.services.redis as Obj;
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command).toContain('--requirepass');
    expect(redis.ports).toEqual(['127.0.0.1:6379:6379']);
    const worker = doc.services.worker as Obj;
    expect(worker.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    expect(worker.command[0]).toBe('worker');
    expect(worker.environment.CCTWIN_REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD\}@redis:6379\/0$/);
    expect(worker.depends_on.redis.condition).toBe('service_healthy');
    expect(worker.stop_signal).toBe('SIGTERM');
    expect(worker.deploy.replicas).toBeGreaterThan(1);
  });

  it('k8s-worker.yaml: a Deployment of `cctwin worker` whose Redis URL comes from a Secret', () => {
    const docs = parseAllDocuments(read('k8s-worker.yaml'), { strict: true, uniqueKeys: true });
    for (const d of docs) expect(d.errors).toEqual([]);
    const [dep] = docs.map((d) => d.toJS() as Obj);
    expect(dep.apiVersion).toBe('apps/v1');
    expect(dep.kind).toBe('Deployment');
    expect(dep.spec.selector.matchLabels).toEqual(dep.spec.template.metadata.labels);
    const pod = dep.spec.template.spec as Obj;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    const [c] = pod.containers as Obj[];
    expect(c.args[0]).toBe('worker');
    expect(c.env).toContainEqual({ name: 'CCTWIN_REDIS_URL', valueFrom: { secretKeyRef: { name: 'cctwin-redis', key: 'url' } } });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('the Dockerfile builds the package and starts the cctwin bin, a worker by default', () => {
    const text = read('Dockerfile');
    expect(text).toMatch(/^FROM node:20/m);
    expect(text).toContain('ENTRYPOINT ["node", "bin/cctwin.js"]');
    expect(text).toContain('CMD ["worker"]');
    expect(text).toMatch(/^USER node$/m);
  });
});
