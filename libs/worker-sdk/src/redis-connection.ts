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

/**
 * Whether Redis answers a PING within `timeoutMs`, without retrying: `null` if it does, else why
 * not ("connect ECONNREFUSED 127.0.0.1:6379", "WRONGPASS …"). For commands that should fail fast
 * with a clear message where the clients above would wait for Redis for ever.
 */
export async function redisUnreachable(connection: RedisConnection, timeoutMs = 5000): Promise<string | null> {
  const probe = openRedis(connection, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // A refused connection rejects with "Connection is closed"; the socket's own error says why.
  let socketError: Error | undefined;
  probe.on('error', (e: Error) => (socketError ??= e));
  let timer: NodeJS.Timeout | undefined;
  // Something that accepts the connection but does not speak Redis never answers at all.
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe.connect().then(() => probe.ping()), silence]);
    return null;
  } catch (e) {
    return (socketError ?? (e instanceof Error ? e : new Error(String(e)))).message;
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}
