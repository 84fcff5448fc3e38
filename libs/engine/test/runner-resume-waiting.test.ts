import type { TrialJob } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { ExperimentRunner, MemoryStore, trialIdOf, type TrialRecord } from '../src/index.js';
import { braninConfig } from './support/configs.js';
import { ManualDispatcher } from './support/manual-dispatcher.js';
import { waitFor } from './support/observe.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A Sobol experiment run until `parallelism` trials are QUEUED, then its runner closed (a scheduler gone). */
async function queuedThenClosed(store: MemoryStore, budget: number, parallelism: number): Promise<string> {
  const runner = new ExperimentRunner({ store, dispatcher: new ManualDispatcher(), timeoutCheckIntervalMs: 0 });
  const { id } = await runner.create(braninConfig({ generation: { method: 'sobol' }, budget, parallelism }));
  await runner.start(id);
  await waitFor(async () => (await runner.counts(id)).QUEUED === parallelism, `${parallelism} queued trials`);
  await runner.close();
  return id;
}

/** The job of trial `index`, as far as the ManualDispatcher's events need it. */
const jobOf = (experimentId: string, index: number): TrialJob => ({ experimentId, trialId: trialIdOf(experimentId, index), index, evaluator: 'branin', parameters: {}, timeoutMs: 1000 });

describe('resume with trials held ahead', () => {
  it('enqueues stored QUEUED trials first and held CANDIDATE ones only as slots free, never past parallelism', async () => {
    const store = new MemoryStore();
    const id = await queuedThenClosed(store, 8, 3);

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

      await dispatcher.complete(jobOf(id, 0), { values: { objective: 1 } }, 300);
      await waitFor(() => dispatched().length > 1, 'a held trial enqueued');
      await sleep(50);
      expect(dispatched()).toEqual([2, 3]);

      await dispatcher.complete(jobOf(id, 1), { values: { objective: 2 } }, 301);
      await waitFor(() => dispatched().length > 2, 'the other held trial enqueued');
      await sleep(50);
      // Trials 2, 3 and 4 in flight: parallelism 3, so nothing new is generated yet.
      expect(dispatched()).toEqual([2, 3, 4]);
      expect(await runner.counts(id)).toMatchObject({ CANDIDATE: 0, QUEUED: 3, COMPLETED: 2 });
    } finally {
      await runner.close();
    }
  });

  it('a result that arrives while a pass waits for its QUEUED mark still gets its pass', async () => {
    // The pump waits for its QUEUED marks before it settles; a result recorded meanwhile asks for a
    // pass. That request must not be lost (no timeout checks here to make up for it).
    let gate: Promise<void> | null = null;
    let release!: () => void;
    class GatedStore extends MemoryStore {
      override async updateTrials(...args: Parameters<MemoryStore['updateTrials']>): ReturnType<MemoryStore['updateTrials']> {
        const wait = gate;
        gate = null; // only the first update after arming waits
        if (wait) await wait;
        return super.updateTrials(...args);
      }
    }
    const store = new GatedStore();
    const id = await queuedThenClosed(store, 5, 2);
    // Trial 0 running, trial 1 held (CANDIDATE): on resume, trial 1 takes the free slot and is marked QUEUED.
    await store.updateTrial(id, trialIdOf(id, 0), { status: 'RUNNING', startedAt: 100, worker: 'w1', attempts: 1 });
    await store.updateTrial(id, trialIdOf(id, 1), { status: 'CANDIDATE' }, ['QUEUED']);

    const dispatcher = new ManualDispatcher();
    const runner = new ExperimentRunner({ store, dispatcher, timeoutCheckIntervalMs: 0 });
    try {
      gate = new Promise<void>((r) => (release = r));
      await runner.start(id);
      await waitFor(() => dispatcher.jobs.length === 1 && gate === null, 'trial 1 enqueued, its QUEUED mark waiting');
      await dispatcher.complete(jobOf(id, 0), { values: { objective: 1 } }, 300);
      expect((await runner.counts(id)).COMPLETED).toBe(1);
      release();
      // The freed slot is refilled: trial 2.
      await waitFor(() => dispatcher.jobs.some((j) => j.index === 2), 'the refill after the result', 3000);
      expect(dispatcher.jobs.map((j) => j.index)).toEqual([1, 2]);
    } finally {
      release?.();
      await runner.close();
    }
  });

  it('falls back to allocating when another writer took the next index', async () => {
    const store = new MemoryStore();
    const dispatcher = new ManualDispatcher();
    const runner = new ExperimentRunner({ store, dispatcher, timeoutCheckIntervalMs: 0 });
    try {
      const { id } = await runner.create(braninConfig({ generation: { method: 'sobol' }, budget: 6, parallelism: 2 }));
      await runner.start(id);
      await waitFor(() => dispatcher.jobs.length === 2, 'two trials');
      expect(await store.allocateTrialIndices(id, 3)).toBe(2); // indices 2–4 go to someone else
      await dispatcher.complete(jobOf(id, 0), { values: { objective: 1 } }, 300);
      await waitFor(() => dispatcher.jobs.length === 3, 'the refill');
      await dispatcher.complete(jobOf(id, 1), { values: { objective: 2 } }, 301);
      await waitFor(() => dispatcher.jobs.length === 4, 'the next refill');
      expect(dispatcher.jobs.map((j) => j.index)).toEqual([0, 1, 5, 6]);
      expect((await runner.trials(id)).items.map((t) => t.index)).toEqual([0, 1, 5, 6]);
    } finally {
      await runner.close();
    }
  });
});
