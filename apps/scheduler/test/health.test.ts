import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { startScheduler, type RunningScheduler } from './support/scheduler.js';

let redis: RedisServer;
let s: RunningScheduler;

beforeAll(async () => {
  redis = await startRedis();
  s = await startScheduler({ redisUrl: redis.url });
});

afterAll(async () => {
  await s?.close();
  await redis?.dispose();
});

describe('health and readiness', () => {
  it('GET /health reports the TensorFlow.js backend in use', async () => {
    const res = await s.call('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; uptimeSeconds: number; tensorflow: { initialised: boolean; backend: string; version: string; tried: { name: string }[]; summary: string } };
    expect(body.status).toBe('ok');
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(body.tensorflow.initialised).toBe(true);
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(body.tensorflow.backend);
    expect(body.tensorflow.summary).toContain(`on ${body.tensorflow.backend}`);
    expect(body.tensorflow.tried.length).toBeGreaterThan(0);
  });

  it('GET /ready is 200 while Redis answers and the queues are open', async () => {
    const res = await s.call('/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { redis: 'ok', queues: 'ok' }, queues: [] });
  });

  it('GET /ready is 503 with the reason once Redis is gone, while /health stays 200', async () => {
    await redis.stop();
    const res = await s.call('/ready');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: { redis: string } };
    expect(body.status).toBe('not ready');
    expect(body.checks.redis).not.toBe('ok');
    expect((await s.call('/health')).status).toBe(200);
  });
});
