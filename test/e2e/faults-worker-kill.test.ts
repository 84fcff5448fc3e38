/**
 * Fault: a worker process is killed with SIGKILL in the middle of a trial. Its job's lock expires,
 * BullMQ's stalled-job check puts it back in the queue, and another worker runs it to completion;
 * no trial is lost and none is counted twice.
 */
import { describe, expect, it } from 'vitest';
import { indicesOf, quadConfig, startScheduler, startWorkers, uniquePrefixes } from './support/apiary.js';
import { useCluster } from './support/cluster.js';
import { waitFor } from './support/processes.js';

const sleepy = new URL('./fixtures/sleepy.mjs', import.meta.url).pathname;
const cluster = useCluster();
const { group, ledger } = cluster;

describe('a worker killed mid-trial', () => {
  it('has its trial retried on another worker, which completes it; nothing lost or counted twice', async () => {
    const prefixes = uniquePrefixes('kill');
    const budget = 4;
    const [scheduler, [w1, w2]] = await Promise.all([
      startScheduler(group, { redisUrl: cluster.redis.url, prefixes }),
      startWorkers(group, ['w1', 'w2'], {
        redisUrl: cluster.redis.url,
        prefixes,
        evaluators: { quad: sleepy },
        // A dead worker's trial is noticed after about the lock duration (plus stalled checks).
        lockDurationMs: 2000,
        stalledIntervalMs: 500,
        env: { ...ledger.env, APIARY_E2E_SLEEP_MS: '2500' },
      }),
    ]);
    const exp = await scheduler.create(quadConfig({ budget, parallelism: 2, maxRetries: 2 }));

    // Wait until w1 is evaluating a trial (the scheduler has it RUNNING on w1), then kill -9 it.
    const victim = await waitFor(async () => (await scheduler.trials(exp.id)).find((t) => t.status === 'RUNNING' && t.worker === 'w1'), 30_000, 'a trial RUNNING on w1');
    const w1Pid = w1!.pid;
    // Mid-trial: its evaluator is running in w1 (the ledger has its start, not its end).
    await waitFor(() => (ledger.starts().get(victim.id)?.some((e) => e.pid === w1Pid) ? true : undefined), 10_000, 'the evaluator to start in w1');
    await w1!.kill('SIGKILL');
    expect(ledger.starts().get(victim.id)?.map((e) => e.pid)).toEqual([w1Pid]);
    expect(ledger.finishedCounts().get(victim.id)).toBeUndefined();

    const done = await scheduler.finished(exp.id, 90_000);
    expect(done).toMatchObject({ status: 'COMPLETED', nextIndex: budget });
    const trials = await scheduler.trials(exp.id);
    expect(indicesOf(trials)).toEqual([0, 1, 2, 3]);
    expect(trials.filter((t) => t.status !== 'COMPLETED')).toEqual([]);

    // The killed trial: retried once, on w2, which completed it.
    const retried = trials.find((t) => t.id === victim.id)!;
    expect(retried).toMatchObject({ status: 'COMPLETED', worker: 'w2', attempts: 2 });
    expect(ledger.starts().get(victim.id)?.map((e) => e.pid)).toEqual([w1Pid, w2!.pid]);

    // Every trial evaluated to the end exactly once; every other trial started exactly once.
    const finished = ledger.finishedCounts();
    expect(trials.map((t) => finished.get(t.id))).toEqual([1, 1, 1, 1]);
    for (const t of trials) if (t.id !== victim.id) expect(ledger.starts().get(t.id)).toHaveLength(1);
    for (const t of trials) if (t.id !== victim.id) expect(t.attempts).toBe(1);
  }, 150_000);
});
