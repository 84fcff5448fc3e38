import { createServer, type AddressInfo } from 'node:net';
import { freePort, startRedis, type TestRedis } from '@apiary/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUnreachable } from '@apiary/worker-sdk';

describe('redisUnreachable', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it('is null for a Redis that answers', async () => {
    expect(await redisUnreachable(redis.url)).toBeNull();
    expect(await redisUnreachable({ host: '127.0.0.1', port: Number(new URL(redis.url).port) })).toBeNull();
  });

  it('says why, at once, where nothing listens', async () => {
    const port = await freePort();
    const t0 = Date.now();
    expect(await redisUnreachable(`redis://127.0.0.1:${port}`)).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(4000); // no retries (the bound is the probe's own 5 s timeout)
  });

  it('gives up after its timeout on something that accepts connections but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      expect(await redisUnreachable(`redis://127.0.0.1:${port}`, 300)).toBe('no answer within 300 ms');
    } finally {
      silent.close();
    }
  });

  it('says why when the password is missing or wrong', async () => {
    const admin = new Redis(redis.url);
    await admin.config('SET', 'requirepass', 'right-password');
    try {
      expect(await redisUnreachable(redis.url)).toMatch(/NOAUTH/);
      const url = new URL(redis.url);
      expect(await redisUnreachable(`redis://:wrong@${url.host}`)).toMatch(/WRONGPASS/);
      expect(await redisUnreachable(`redis://:right-password@${url.host}`)).toBeNull();
    } finally {
      await admin.auth('right-password');
      await admin.config('SET', 'requirepass', '');
      await admin.quit();
    }
  });
});
