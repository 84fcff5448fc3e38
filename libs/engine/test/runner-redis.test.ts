import { afterAll, beforeAll } from 'vitest';
import { RedisStore } from '../src/index.js';
import { startRedis, uniquePrefix, type TestRedis } from './support/redis-server.js';
import { describeResume } from './support/resume-suite.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

// Restart safety where it matters: the runner on Redis, a new runner (and client) after the "crash".
describeResume('RedisStore', async () => new RedisStore({ redis: redis.url, prefix: uniquePrefix('resume') }));
