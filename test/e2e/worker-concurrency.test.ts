/**
 * A worker process with `--concurrency 12` runs twelve trials at once, and cleanly: its stderr
 * stays empty (stdout carries the JSON log lines; stderr is for errors and warnings, and the
 * worker CLI's own test expects it empty).
 */
import { describe, expect, it } from 'vitest';
import { indicesOf, quadConfig, startScheduler, startWorker, uniquePrefixes } from './support/apiary.js';
import { useCluster } from './support/cluster.js';

const sleepy = new URL('./fixtures/sleepy.mjs', import.meta.url).pathname;
const cluster = useCluster();
const { group, ledger } = cluster;

describe('a worker with --concurrency 12', () => {
  it('runs 12 trials at once and writes nothing to stderr', async () => {
    const prefixes = uniquePrefixes('concurrency');
    const [scheduler, worker] = await Promise.all([
      startScheduler(group, { redisUrl: cluster.redis.url, prefixes }),
      startWorker(group, { name: 'wide', redisUrl: cluster.redis.url, prefixes, evaluators: { quad: sleepy }, concurrency: 12, env: { ...ledger.env, APIARY_E2E_SLEEP_MS: '1500' } }),
    ]);
    const exp = await scheduler.create(quadConfig({ budget: 12, parallelism: 12, batchSize: 12 }));
    const done = await scheduler.finished(exp.id, 60_000);
    expect(done).toMatchObject({ status: 'COMPLETED', nextIndex: 12 });
    const trials = await scheduler.trials(exp.id);
    expect(indicesOf(trials)).toEqual([...Array(12).keys()]);
    expect(trials.every((t) => t.status === 'COMPLETED' && t.worker === 'wide')).toBe(true);

    // All twelve ran at the same time: every evaluation started before the first one ended.
    const entries = ledger.entries();
    const firstEnd = Math.min(...entries.filter((e) => e.event === 'end').map((e) => e.at));
    expect(entries.filter((e) => e.event === 'start' && e.at < firstEnd)).toHaveLength(12);

    // Nothing on stderr (a MaxListenersExceededWarning from the shared shutdown signal was printed here).
    expect(worker.stderr()).toBe('');
  }, 120_000);
});
