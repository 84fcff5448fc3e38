import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisStore } from '../src/index.js';
import { startRedis, uniquePrefix, type TestRedis } from './support/redis-server.js';
import { describeStoreContract, experiment, trial } from './support/store-contract.js';

let redis: TestRedis;
let aofRedis: TestRedis;

beforeAll(async () => {
  [redis, aofRedis] = await Promise.all([startRedis(), startRedis({ appendonly: true })]);
});
afterAll(async () => {
  await Promise.all([redis?.dispose(), aofRedis?.dispose()]);
});

describeStoreContract('RedisStore', async () => new RedisStore({ redis: redis.url, prefix: uniquePrefix('contract') }));

describe('RedisStore remembered trials', () => {
  it('updates a trial it wrote without reading it first, and recovers when another store changed it', async () => {
    const prefix = uniquePrefix('known');
    const client = new Redis(redis.url);
    const a = new RedisStore({ redis: client, prefix });
    const b = new RedisStore({ redis: redis.url, prefix });
    const reads = vi.spyOn(client, 'hmget');
    try {
      await a.createExperiment(experiment('e'));
      await a.insertTrials('e', [trial('e', 0, 'QUEUED'), trial('e', 1, 'QUEUED')]);
      const toRunning = (t: Parameters<Parameters<RedisStore['updateTrials']>[2]>[0]) => ({ ...t, status: 'RUNNING' as const, attempts: t.attempts + 1 });
      const first = await a.updateTrials('e', ['e-0', 'e-1'], toRunning);
      expect([...first.values()].map((t) => t.status)).toEqual(['QUEUED', 'QUEUED']);
      expect(reads).not.toHaveBeenCalled(); // both known from the insert

      // Another scheduler changes e-1 behind a's back: a's memory of it is stale.
      await b.updateTrial('e', 'e-1', { worker: 'elsewhere' }, ['RUNNING']);
      const second = await a.updateTrials('e', ['e-0', 'e-1'], (t) => ({ ...t, attempts: t.attempts + 10 }));
      expect(second.get('e-1')).toMatchObject({ worker: 'elsewhere', attempts: 1 }); // computed from what Redis held
      expect(reads).toHaveBeenCalledTimes(1); // only the conflicting one, once
      expect(await b.getTrial('e', 'e-0')).toMatchObject({ status: 'RUNNING', attempts: 11 });
      expect(await b.getTrial('e', 'e-1')).toMatchObject({ status: 'RUNNING', attempts: 11, worker: 'elsewhere' });

      // A deleted experiment: nothing is remembered, nothing is written.
      await b.deleteExperiment('e');
      expect((await a.updateTrials('e', ['e-0'], (t) => ({ ...t, attempts: 99 }))).size).toBe(0);
      expect(await b.getTrial('e', 'e-0')).toBeNull();
    } finally {
      await Promise.all([a.close(), b.close()]);
      client.disconnect();
    }
  });
});

describe('RedisStore durability', () => {
  it('a new client (a restarted scheduler) sees everything; a borrowed client stays open', async () => {
    const prefix = uniquePrefix('restart');
    const client = new Redis(redis.url);
    const first = new RedisStore({ redis: client, prefix });
    await first.createExperiment(experiment('e'));
    await first.allocateTrialIndices('e', 2);
    await first.insertTrials('e', [trial('e', 0), trial('e', 1, 'RUNNING')]);
    await first.recordOutcome('e', 'e-1', 'COMPLETED', { values: { objective: 0.25 }, finishedAt: 9 });
    await first.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();

    const second = new RedisStore({ redis: redis.url, prefix });
    expect(await second.getExperiment('e')).toEqual({ ...experiment('e'), nextIndex: 2 });
    expect((await second.listTrials('e')).items.map((t) => [t.index, t.status])).toEqual([
      [0, 'CANDIDATE'],
      [1, 'COMPLETED'],
    ]);
    expect(await second.recordOutcome('e', 'e-1', 'FAILED', {})).toBe(false);
    expect((await second.getTrial('e', 'e-1'))!.values).toEqual({ objective: 0.25 });
    await second.close();
  });

  it('keeps namespaces apart by prefix', async () => {
    const a = new RedisStore({ redis: redis.url, prefix: uniquePrefix('a') });
    const b = new RedisStore({ redis: redis.url, prefix: uniquePrefix('b') });
    await a.createExperiment(experiment('same'));
    await b.createExperiment(experiment('same'));
    await a.insertTrials('same', [trial('same', 0)]);
    expect((await b.countTrials('same')).CANDIDATE).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('survives a Redis restart with AOF on (SHUTDOWN, start again, read back)', async () => {
    const prefix = uniquePrefix('aof');
    const store = new RedisStore({ redis: { port: aofRedis.port, host: '127.0.0.1' }, prefix });
    await store.createExperiment(experiment('e'));
    await store.allocateTrialIndices('e', 3);
    await store.insertTrials('e', [trial('e', 0), trial('e', 1), trial('e', 2)]);
    await store.updateTrial('e', 'e-0', { status: 'RUNNING', worker: 'w9', startedAt: 11 });
    await store.recordOutcome('e', 'e-1', 'FAILED', { error: 'boom' });
    await store.appendIntermediate('e', 'e-0', { step: 1, value: 0.5 });
    await store.close();

    await aofRedis.shutdown();
    expect(aofRedis.pid()).toBeNull();
    await aofRedis.restart();

    const reopened = new RedisStore({ redis: aofRedis.url, prefix });
    expect(await reopened.getExperiment('e')).toEqual({ ...experiment('e'), nextIndex: 3 });
    expect(await reopened.getTrial('e', 'e-0')).toMatchObject({ status: 'RUNNING', worker: 'w9', startedAt: 11, intermediate: [{ step: 1, value: 0.5 }] });
    expect(await reopened.countTrials('e')).toMatchObject({ RUNNING: 1, FAILED: 1, CANDIDATE: 1 });
    expect(await reopened.recordOutcome('e', 'e-1', 'COMPLETED', {})).toBe(false);
    await reopened.close();
  });
});
