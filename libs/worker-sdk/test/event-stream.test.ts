import type { TrialEvent } from '@apiary/contracts';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_GROUP, EventStreamConsumer, eventStreamDepth, eventStreamKey, type EventStreamConsumerOptions } from '@apiary/worker-sdk';
import { EventPublisher } from '../src/event-publisher.js';
import { startRedis, uniquePrefix, waitFor, type TestRedis } from './support/redis-server.js';

let redis: TestRedis;
let admin: Redis;
const cleanups: (() => Promise<void>)[] = [];
const errors: Error[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  admin.disconnect();
  await redis.dispose();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  errors.length = 0;
});

const completed = (i: number): TrialEvent => ({ kind: 'completed', experimentId: 'e', trialId: `e-${i}`, worker: 'w', attempt: 1, outcome: { values: { loss: i } }, startedAt: i, at: i + 1 });

function consumer(prefix: string, name: string, extra: Partial<EventStreamConsumerOptions> = {}): EventStreamConsumer {
  const c = new EventStreamConsumer({ connection: redis.url, prefix, consumer: name, blockMs: 100, onError: (e) => void errors.push(e), ...extra });
  cleanups.push(() => c.close());
  return c;
}

function publisher(prefix: string): EventPublisher {
  const p = new EventPublisher(redis.url, prefix);
  cleanups.push(() => p.close());
  return p;
}

describe('event stream', () => {
  it('delivers published events in batches, in order, and acknowledges them', async () => {
    const prefix = uniquePrefix('stream-batch');
    const pub = publisher(prefix);
    // Published before any consumer exists: the group starts from the stream's beginning.
    await Promise.all(Array.from({ length: 40 }, (_, i) => pub.publish(completed(i))));
    const batches: TrialEvent[][] = [];
    await consumer(prefix, 'a', { batchSize: 16 }).start(async (events) => void batches.push(events));
    await waitFor(() => batches.flat().length === 40, 10_000, '40 events');
    expect(batches.flat().map((e) => e.trialId)).toEqual(Array.from({ length: 40 }, (_, i) => `e-${i}`));
    expect(Math.max(...batches.map((b) => b.length))).toBe(16);
    await waitFor(async () => (await eventStreamDepth(admin, prefix)).pending === 0, 10_000, 'acknowledgements');
    expect(await eventStreamDepth(admin, prefix)).toEqual({ waiting: 0, pending: 0 });
    expect(errors).toEqual([]);
  });

  it('a consumer that died between reading and acknowledging: the next one takes its entries over and acknowledges them', async () => {
    const prefix = uniquePrefix('stream-claim');
    const pub = publisher(prefix);
    for (let i = 0; i < 3; i++) await pub.publish(completed(i));
    // A stand-in for a dead scheduler: it read the entries and stopped (no renewals, no ack).
    await admin.xgroup('CREATE', eventStreamKey(prefix), EVENT_GROUP, '0', 'MKSTREAM');
    const read = (await admin.xreadgroup('GROUP', EVENT_GROUP, 'dead', 'COUNT', 10, 'STREAMS', eventStreamKey(prefix), '>')) as [string, [string, string[]][]][];
    expect(read[0]![1]).toHaveLength(3);
    await pub.publish(completed(3));

    const got: TrialEvent[] = [];
    await consumer(prefix, 'next', { claimIdleMs: 200 }).start(async (events) => void got.push(...events));
    await waitFor(() => got.length === 4, 10_000, 'the new event and the three taken over');
    expect(got.map((e) => e.trialId).sort()).toEqual(['e-0', 'e-1', 'e-2', 'e-3']);
    await waitFor(async () => (await eventStreamDepth(admin, prefix)).pending === 0, 10_000, 'acknowledgements');
  });

  it('retries a failing batch one event at a time; an event that keeps failing stays pending and comes back', async () => {
    const prefix = uniquePrefix('stream-retry');
    const pub = publisher(prefix);
    let failures = 0;
    const handled: string[] = [];
    await consumer(prefix, 'a', { retryDelayMs: 10, attempts: 2, claimIdleMs: 200 }).start(async (events) => {
      if (events.some((e) => e.trialId === 'e-1') && failures < 4) {
        failures++;
        throw new Error('store unavailable');
      }
      handled.push(...events.map((e) => e.trialId));
    });
    for (let i = 0; i < 3; i++) await pub.publish(completed(i));
    await waitFor(() => handled.includes('e-1'), 10_000, 'e-1 to be handled after its failures');
    expect(handled.filter((id) => id !== 'e-1').sort()).toEqual(['e-0', 'e-2']);
    expect(errors.some((e) => /was not handled: store unavailable/.test(e.message))).toBe(true);
    await waitFor(async () => (await eventStreamDepth(admin, prefix)).pending === 0, 10_000, 'acknowledgements');
  });

  it('trims the entries every consumer is done with, and keeps pending ones', async () => {
    const prefix = uniquePrefix('stream-trim');
    const key = eventStreamKey(prefix);
    const pub = publisher(prefix);
    await admin.xgroup('CREATE', key, EVENT_GROUP, '0', 'MKSTREAM');
    await pub.publish(completed(0));
    // One entry held by a dead consumer: it must survive every trim.
    await admin.xreadgroup('GROUP', EVENT_GROUP, 'dead', 'COUNT', 1, 'STREAMS', key, '>');
    for (let i = 1; i <= 50; i++) await pub.publish(completed(i));
    const got: string[] = [];
    await consumer(prefix, 'a', { trimIntervalMs: 0, claimIdleMs: 3_600_000 }).start(async (events) => void got.push(...events.map((e) => e.trialId)));
    await waitFor(() => got.length === 50, 10_000, '50 events');
    // Everything after the held entry stays until the held one is acknowledged.
    await waitFor(async () => (await eventStreamDepth(admin, prefix)).pending === 1, 10_000, 'acknowledgements');
    expect(await admin.xlen(key)).toBe(51);
    const [[heldId]] = (await admin.xrange(key, '-', '+', 'COUNT', 1)) as [[string, string[]]];
    await admin.xack(key, EVENT_GROUP, heldId);
    await pub.publish(completed(51));
    await waitFor(() => got.length === 51, 10_000, 'the 51st event');
    await waitFor(async () => (await admin.xlen(key)) <= 1, 10_000, 'the stream to be trimmed');
    expect(got).not.toContain('e-0');
  });
});
