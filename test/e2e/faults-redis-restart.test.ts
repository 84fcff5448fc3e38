/**
 * Fault: Redis (AOF on) is shut down and started again on the same port and directory while an
 * experiment runs. The scheduler and the workers reconnect, nothing recorded is lost, and the
 * experiment finishes its budget.
 */
import { describe, expect, it } from 'vitest';
import { indicesOf, quadConfig, startScheduler, startWorkers, uniquePrefixes } from './support/apiary.js';
import { useCluster } from './support/cluster.js';
import { sleep, waitFor } from './support/processes.js';

const sleepy = new URL('./fixtures/sleepy.mjs', import.meta.url).pathname;
const cluster = useCluster({ aof: true });
const { group, ledger } = cluster;

describe('Redis restarted (AOF) mid-experiment', () => {
  it('loses nothing: scheduler and workers reconnect and the experiment finishes', async () => {
    const prefixes = uniquePrefixes('redis-restart');
    const budget = 12;
    const [scheduler, workers] = await Promise.all([
      startScheduler(group, { redisUrl: cluster.redis.url, prefixes }),
      startWorkers(group, ['ra', 'rb'], { redisUrl: cluster.redis.url, prefixes, evaluators: { quad: sleepy }, concurrency: 2, lockDurationMs: 5000, env: { ...ledger.env, APIARY_E2E_SLEEP_MS: '1000' } }),
    ]);
    const exp = await scheduler.create(quadConfig({ budget, parallelism: 4 }));
    const before = await waitFor(
      async () => {
        const completed = (await scheduler.trials(exp.id)).filter((t) => t.status === 'COMPLETED');
        return completed.length >= 3 ? completed : undefined;
      },
      60_000,
      '3 completed trials',
    );

    await cluster.redis.shutdown();
    await sleep(2000);
    await cluster.redis.restart();
    const relaunchedAt = Date.now();

    // The AOF brought everything back: the completed trials are still there, with their values.
    const done = await scheduler.finished(exp.id, 120_000);
    expect(done).toMatchObject({ status: 'COMPLETED', nextIndex: budget });
    const trials = await scheduler.trials(exp.id);
    for (const t of before) expect(trials.find((u) => u.id === t.id)).toMatchObject({ status: 'COMPLETED', values: t.values });
    expect(indicesOf(trials)).toEqual([...Array(budget).keys()]);
    expect(trials.filter((t) => t.status !== 'COMPLETED')).toEqual([]);
    // Every trial evaluated at least once (delivery is at-least-once across a Redis outage).
    const finished = ledger.finishedCounts();
    expect(trials.every((t) => (finished.get(t.id) ?? 0) >= 1)).toBe(true);
    // The same processes carried on: the scheduler and both workers reconnected (none exited),
    // and the workers took new trials after the restart.
    expect([scheduler.child.running, ...workers.map((w) => w.running)]).toEqual([true, true, true]);
    const pidsAfter = new Set(ledger.entries().filter((e) => e.event === 'start' && e.at > relaunchedAt).map((e) => e.pid));
    expect(pidsAfter.size).toBeGreaterThan(0);
    expect([...pidsAfter].every((pid) => workers.some((w) => w.pid === pid))).toBe(true);
    const repeats = [...finished.values()].filter((n) => n > 1).length;
    console.info(`Redis restart: ${budget} trials completed, ${repeats} evaluated more than once, ${pidsAfter.size} worker(s) took trials after the restart`);
  }, 180_000);
});
