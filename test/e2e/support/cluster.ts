import { afterAll, beforeAll } from 'vitest';
import { Ledger } from './ledger.js';
import { ProcessGroup, type RedisOptions, type RedisServer } from './processes.js';

/** One test file's processes: its ProcessGroup, its redis-server and its trial Ledger. */
export interface Cluster {
  readonly group: ProcessGroup;
  readonly ledger: Ledger;
  /** The file's redis-server (started in beforeAll). */
  readonly redis: RedisServer;
}

/**
 * Registers the hooks every end-to-end file needs: a redis-server started before its tests, and
 * after them every process of the group stopped and the ledger removed.
 */
export function useCluster(options: RedisOptions = {}): Cluster {
  const group = new ProcessGroup();
  const ledger = new Ledger();
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await group.startRedis(options);
  });
  afterAll(async () => {
    await group.stopAll();
    ledger.remove();
  });
  return {
    group,
    ledger,
    get redis(): RedisServer {
      if (!redis) throw new Error("the cluster's redis-server starts in beforeAll; use it inside a test");
      return redis;
    },
  };
}
