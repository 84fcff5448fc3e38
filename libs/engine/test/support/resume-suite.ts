import type { TrialDispatcher } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { ExperimentRunner, LocalDispatcher, type ExperimentStore } from '../../src/index.js';
import { asWorker, braninAt, braninConfig } from './configs.js';
import { waitFor } from './observe.js';

/** Resume after a restart, on each store. */
export function describeResume(storeName: string, openStore: () => Promise<ExperimentStore>): void {
  describe(`resume after a restart (${storeName})`, () => {
    // The Sobol phase (8 initial trials) is interrupted after 6 trials were generated.
    // No Thompson fallback: which generator a refill gets would depend on timing, and this compares proposals exactly.
    const config = braninConfig({ budget: 12, parallelism: 3, batchSize: 1, seed: 11, generation: { method: 'qlognei', initialTrials: 8, numRestarts: 2, rawSamples: 64, refillBudgetFraction: null } });

    it('a new runner on the same store and dispatcher finishes the budget and proposes what an uninterrupted run does', async () => {
      // Uninterrupted reference run.
      const refDispatcher = new LocalDispatcher({ execute: asWorker(braninAt), concurrency: 3 });
      const refStore = await openStore();
      const ref = new ExperimentRunner({ store: refStore, dispatcher: refDispatcher, timeoutCheckIntervalMs: 0 });
      const refExp = await ref.create(config);
      await ref.start(refExp.id);
      expect((await ref.whenDone(refExp.id)).status).toBe('COMPLETED');
      const refTrials = (await ref.trials(refExp.id)).items;

      // Interrupted run: evaluations wait at a gate; the 6th trial's dispatch "crashes".
      const store = await openStore();
      const waiting: (() => void)[] = [];
      let open = false;
      const dispatcher = new LocalDispatcher({
        execute: asWorker(async (job) => {
          if (!open) await new Promise<void>((r) => waiting.push(r));
          return braninAt(job);
        }),
        concurrency: 3,
      });
      let lostIndex5 = false;
      const flaky: TrialDispatcher = {
        dispatch: (job, o) => {
          if (job.index !== 5) return dispatcher.dispatch(job, o);
          lostIndex5 = true;
          return Promise.reject(new Error('connection lost'));
        },
        cancel: (job) => dispatcher.cancel(job),
        subscribe: (h) => dispatcher.subscribe(h),
        close: async () => {},
      };
      const first = new ExperimentRunner({ store, dispatcher: flaky, timeoutCheckIntervalMs: 0 });
      const { id } = await first.create(config);
      await first.start(id);
      for (let done = 1; done <= 3; done++) {
        await waitFor(() => waiting.length > 0, 'a waiting evaluation');
        waiting.shift()!();
        await waitFor(async () => (await first.counts(id)).COMPLETED === done, `${done} completed`);
      }
      // Trial 5 was stored QUEUED (handed to the transport) but its enqueue failed: it has no job.
      await waitFor(() => lostIndex5, 'the failed enqueue');
      expect((await first.trials(id)).items.find((t) => t.index === 5)?.status).toBe('QUEUED');
      await first.close(); // the "crash": the store keeps RUNNING, QUEUED and completed trials
      const before = await first.counts(id);
      expect(before).toMatchObject({ COMPLETED: 3, CANDIDATE: 0 });
      expect(before.RUNNING + before.QUEUED).toBe(3);

      const second = new ExperimentRunner({ store, dispatcher, timeoutCheckIntervalMs: 0 });
      expect((await second.resumeAll()).map((e) => e.id)).toEqual([id]);
      open = true;
      for (const r of waiting.splice(0)) r();
      const done = await second.whenDone(id);
      expect(done).toMatchObject({ status: 'COMPLETED', reason: 'budget reached', nextIndex: 12 });
      const trials = (await second.trials(id)).items;
      expect(trials.map((t) => t.index)).toEqual([...Array(12).keys()]);
      expect(trials.every((t) => t.status === 'COMPLETED')).toBe(true);
      // The Sobol phase continued where it stopped: the same points as the uninterrupted run.
      const sobolPhase = (ts: typeof trials) => ts.slice(0, 8).map((t) => [t.generator, t.parameters]);
      expect(sobolPhase(trials)).toEqual(sobolPhase(refTrials));
      expect(trials.slice(8).every((t) => t.generator === 'qlognei')).toBe(true);
      await second.close();
      await Promise.all([dispatcher.close(), refDispatcher.close(), ref.close()]);
      await Promise.all([store.close(), refStore.close()]);
    });
  });
}

