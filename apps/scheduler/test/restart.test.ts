import type { ExperimentRecord } from '@apiary/engine';
import { runWorker, type WorkerHandle } from '@apiary/worker-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { eventually, sobolConfig, startScheduler, type RunningScheduler } from './support/scheduler.js';

const PREFIX = 'restart';

let redis: RedisServer;
let first: RunningScheduler | undefined;
let second: RunningScheduler | undefined;
let worker: WorkerHandle | undefined;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await worker?.close({ drainTimeoutMs: 100 });
  await first?.close();
  await second?.close();
  await redis?.dispose();
});

describe('restart safety', () => {
  it('a restarted scheduler resumes the experiments the store says are RUNNING', async () => {
    first = await startScheduler({ redisUrl: redis.url, prefix: PREFIX });
    const exp = (await (await first.call('/experiments', { method: 'POST', body: JSON.stringify(sobolConfig({ name: 'survivor', budget: 4 })) })).json()) as ExperimentRecord;
    expect(exp.status).toBe('RUNNING');
    await first.close();
    first = undefined;

    // No scheduler runs; a worker evaluates the trials already queued and reports to `results`.
    worker = await runWorker({ connection: redis.url, prefix: `{${PREFIX}}`, evaluators: { quad: (p) => ({ loss: Number(p['x']) ** 2 }) }, onError: () => {} });

    second = await startScheduler({ redisUrl: redis.url, prefix: PREFIX });
    const listed = (await (await second.call('/experiments')).json()) as ExperimentRecord[];
    expect(listed.map((e) => [e.id, e.config.name])).toEqual([[exp.id, 'survivor']]);
    const done = await eventually(async () => {
      const e = (await (await second!.call(`/experiments/${exp.id}`)).json()) as ExperimentRecord;
      return e.status === 'RUNNING' ? undefined : e;
    }, 30_000, 'the resumed experiment to finish');
    expect(done.status).toBe('COMPLETED');
    const page = (await (await second.call(`/experiments/${exp.id}/trials?status=COMPLETED`)).json()) as { total: number };
    expect(page.total).toBe(4);
  });
});
