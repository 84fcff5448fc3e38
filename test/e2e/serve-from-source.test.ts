/**
 * `apiary serve` from a source checkout (no dist/, as right after `npm install`), started from
 * the repository root the way README's cluster setup does (`npx apiary serve`). The scheduler is a
 * NestJS app (parameter decorators), so the bin must transpile it with `experimentalDecorators`.
 */
import { describe, expect, it } from 'vitest';
import { startScheduler, uniquePrefixes } from './support/apiary.js';
import { useCluster } from './support/cluster.js';
import { TOKEN } from './support/processes.js';

const cluster = useCluster();
const { group } = cluster;

describe('apiary serve from source', () => {
  it('starts from the repository root and answers /health and /ready with the token', async () => {
    const scheduler = await startScheduler(group, { redisUrl: cluster.redis.url, prefixes: uniquePrefixes('serve') });
    const health = await fetch(`${scheduler.url}/health`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${scheduler.url}/ready`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ready.status).toBe(200);
    expect((await fetch(`${scheduler.url}/health`)).status).toBe(401);
    expect(scheduler.child.running).toBe(true);
  }, 90_000);
});
