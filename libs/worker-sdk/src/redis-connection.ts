import type { ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';

/** Where Redis is: a `redis://` or `rediss://` URL, or ioredis options. */
export type RedisConnection = string | RedisOptions;

/** BullMQ's connection options for a RedisConnection (each Queue and Worker opens its own connections). */
export function bullmqConnection(connection: RedisConnection): ConnectionOptions {
  if (typeof connection === 'string') return { url: connection };
  // BullMQ passes these to the ioredis constructor unchanged; its own declaration of them lags
  // ioredis 6 (`retryStrategy: null`), hence the cast.
  return connection as ConnectionOptions;
}
