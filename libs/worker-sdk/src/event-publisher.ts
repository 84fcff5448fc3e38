import type { TrialEvent } from '@apiary/contracts';
import type { Redis } from 'ioredis';
import { EVENT_FIELD } from './event-stream.js';
import { eventStreamKey } from './queue-names.js';
import { openRedis, type RedisConnection } from './redis-connection.js';

/** KEYS: stream, mark. ARGV: mark TTL (s), field, event JSON. XADDs unless the mark is set; sets it. */
const PUBLISH_ONCE = `
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3])
end
return false
`;

/**
 * Appends TrialEvents to the event stream: one XADD per event, on a connection of its own with
 * auto-pipelining (the events of many concurrent trials go out in one write). Events of one
 * publisher reach the stream in the order they were published.
 */
export class EventPublisher {
  readonly redis: Redis;
  private readonly key: string;

  constructor(connection: RedisConnection, prefix: string) {
    this.redis = openRedis(connection, { enableAutoPipelining: true });
    this.key = eventStreamKey(prefix);
  }

  /** Appends the event. */
  async publish(event: TrialEvent): Promise<void> {
    await this.redis.xadd(this.key, '*', EVENT_FIELD, JSON.stringify(event));
  }

  /**
   * Appends the event unless one was published with the same `markKey` in the last `ttlSeconds`
   * (the mark and the event are written by one script). @returns whether it was appended.
   */
  async publishOnce(event: TrialEvent, markKey: string, ttlSeconds: number): Promise<boolean> {
    const added = await this.redis.eval(PUBLISH_ONCE, 2, this.key, markKey, ttlSeconds, EVENT_FIELD, JSON.stringify(event));
    return added !== null;
  }

  /** Resolves once connected. */
  async waitUntilReady(): Promise<void> {
    if (this.redis.status !== 'ready') await this.redis.ping();
  }

  /** Closes the connection (after the commands already sent). */
  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    if (this.redis.status !== 'ready') return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
