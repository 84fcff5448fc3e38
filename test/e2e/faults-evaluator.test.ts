/**
 * Fault: evaluators that throw, hang past the time limit, return NaN or return a string. Each such
 * trial is FAILED with the reason (as GET /experiments/:id/trials shows) and the experiment goes on.
 */
import { describe, expect, it } from 'vitest';
import { indicesOf, quadConfig, startScheduler, startWorker, uniquePrefixes } from './support/apiary.js';
import { useCluster } from './support/cluster.js';

const misbehave = new URL('./fixtures/misbehave.mjs', import.meta.url).pathname;
const cluster = useCluster();
const { group, ledger } = cluster;

describe('misbehaving evaluators', () => {
  it('fail their trials with the reason (throw, time limit, NaN, a string) and the experiment goes on', async () => {
    const prefixes = uniquePrefixes('evalfail');
    const budget = 8;
    const [scheduler] = await Promise.all([
      startScheduler(group, { redisUrl: cluster.redis.url, prefixes }),
      startWorker(group, { name: 'wf', redisUrl: cluster.redis.url, prefixes, evaluators: { quad: misbehave }, concurrency: 2, env: ledger.env }),
    ]);
    // Four failures out of eight must not end the experiment: maxFailureRate 0.9.
    const exp = await scheduler.create(quadConfig({ budget, parallelism: 2, trialTimeoutMs: 1500, maxFailureRate: 0.9 }));

    const done = await scheduler.finished(exp.id, 90_000);
    expect(done).toMatchObject({ status: 'COMPLETED', nextIndex: budget });
    const trials = await scheduler.trials(exp.id);
    expect(indicesOf(trials)).toEqual([...Array(budget).keys()]);
    const byIndex = new Map(trials.map((t) => [t.index, t]));

    expect(byIndex.get(1)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/boom on trial 1/) });
    expect(byIndex.get(2)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/timed out after 1500 ms/) });
    expect(byIndex.get(3)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/NaN/) });
    expect(byIndex.get(4)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/string "forty-two"/) });
    // The hung trial was stopped by the worker at its time limit, not by the scheduler's backstop.
    const hung = byIndex.get(2)!;
    expect(hung.finishedAt! - hung.startedAt!).toBeGreaterThanOrEqual(1400);
    expect(hung.finishedAt! - hung.startedAt!).toBeLessThan(6000);

    // The experiment went on: every other trial completed, with a value.
    for (const i of [0, 5, 6, 7]) expect(byIndex.get(i)).toMatchObject({ status: 'COMPLETED', values: { loss: expect.any(Number) } });
    // Failures are final: no failed trial was run again.
    for (const i of [1, 2, 3, 4]) expect(ledger.starts().get(byIndex.get(i)!.id)).toHaveLength(1);
    const best = await scheduler.best(exp.id);
    expect([0, 5, 6, 7]).toContain(best!.index);
  }, 150_000);
});
