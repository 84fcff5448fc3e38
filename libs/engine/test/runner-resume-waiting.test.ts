import type { TrialJob } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { ExperimentRunner, MemoryStore, trialIdOf, type TrialRecord } from '../src/index.js';
import { braninConfig } from './support/configs.js';
import { ManualDispatcher } from './support/manual-dispatcher.js';
import { waitFor } from './support/observe.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('resume with trials held ahead', () => {
  it('enqueues stored QUEUED trials first and held CANDIDATE ones only as slots free, never past parallelism', async () => {
    const store = new MemoryStore();
    const first = new ManualDispatcher();
    const before = new ExperimentRunner({ store, dispatcher: first, timeoutCheckIntervalMs: 0 });
    const { id } = await before.create(braninConfig({ generation: { method: 'sobol' }, budget: 8, parallelism: 3 }));
    await before.start(id);
    await waitFor(async () => (await before.counts(id)).QUEUED === 3, '3 queued trials');
    await before.close();

    // The state a scheduler leaves when it dies with trials proposed ahead: trials 0 and 1
    // running, 2 queued, 3 and 4 held (CANDIDATE) — five in flight for a parallelism of 3.
    for (const index of [0, 1]) await store.updateTrial(id, trialIdOf(id, index), { status: 'RUNNING', startedAt: 100 + index, worker: 'w1', attempts: 1 });
    const template = (await store.getTrial(id, trialIdOf(id, 2)))!;
    const firstHeld = await store.allocateTrialIndices(id, 2);
    const held: TrialRecord[] = [0, 1].map((k) => ({
      ...template,
      id: trialIdOf(id, firstHeld + k),
      index: firstHeld + k,
      status: 'CANDIDATE',
      parameters: { x1: 1 + k, x2: 2 },
      unit: [(6 + k) / 15, 2 / 15],
      queuedAt: undefined,
      createdAt: 200,
    }));
    await store.insertTrials(id, held);

    const dispatcher = new ManualDispatcher();
    const runner = new ExperimentRunner({ store, dispatcher, timeoutCheckIntervalMs: 0 });
    try {
      await runner.start(id);
      const dispatched = (): number[] => dispatcher.jobs.map((j) => j.index);
      // One slot is taken by the queued trial 2 (enqueued again, idempotently); the held ones wait.
      await waitFor(() => dispatched().length > 0, 'the queued trial enqueued again');
      await sleep(50);
      expect(dispatched()).toEqual([2]);
      expect((await runner.counts(id)).CANDIDATE).toBe(2);

      const job = (index: number): TrialJob => ({ experimentId: id, trialId: trialIdOf(id, index), index, evaluator: 'branin', parameters: {}, timeoutMs: 1000 });
      await dispatcher.complete(job(0), { values: { objective: 1 } }, 300);
      await waitFor(() => dispatched().length > 1, 'a held trial enqueued');
      await sleep(50);
      expect(dispatched()).toEqual([2, 3]);

      await dispatcher.complete(job(1), { values: { objective: 2 } }, 301);
      await waitFor(() => dispatched().length > 2, 'the other held trial enqueued');
      await sleep(50);
      // Trials 2, 3 and 4 in flight: parallelism 3, so nothing new is generated yet.
      expect(dispatched()).toEqual([2, 3, 4]);
      expect(await runner.counts(id)).toMatchObject({ CANDIDATE: 0, QUEUED: 3, COMPLETED: 2 });
    } finally {
      await runner.close();
    }
  });
});
