import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a `redis://` or `rediss://` URL, or ioredis options. */
export type RedisConnection = string | RedisOptions;

/** BullMQ's connection options for a RedisConnection (each Queue and Worker opens its own connections). */
export function bullmqConnection(connection: RedisConnection): ConnectionOptions {
  if (typeof connection === 'string') return { url: connection };
  // BullMQ passes these to the ioredis constructor unchanged; its own declaration of them lags
  // ioredis 6 (`retryStrategy: null`), hence the cast.
  return connection as ConnectionOptions;
}

/**
 * An ioredis client of our own for a RedisConnection. Commands wait through an outage
 * (`maxRetriesPerRequest: null`, as BullMQ's workers do) instead of failing after 20 reconnection
 * attempts: an event waits for Redis to come back rather than being lost. `overrides` win over
 * the connection's own options.
 */
export function openRedis(connection: RedisConnection, overrides: RedisOptions = {}): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, ...overrides };
  return typeof connection === 'string' ? new Redis(connection, options) : new Redis({ ...connection, ...options });
}
