import { ExperimentConfigSchema, type TrialStatus } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import type { ExperimentRecord, ExperimentStore, TrialRecord } from '../../src/index.js';
import { braninConfig } from './configs.js';

const CONFIG = ExperimentConfigSchema.parse(braninConfig());

export function experiment(id: string, createdAt = 1000): ExperimentRecord {
  return { id, config: CONFIG, status: 'RUNNING', createdAt, updatedAt: createdAt, nextIndex: 0 };
}

export function trial(experimentId: string, index: number, status: TrialStatus = 'CANDIDATE'): TrialRecord {
  return {
    id: `${experimentId}-${index}`,
    experimentId,
    index,
    parameters: { x1: 0.1 + 0.2 + index, x2: 1e-300, flag: true, kind: 'a,"b"' },
    unit: [0.1 + 0.2, 1 / 3],
    generator: 'sobol',
    status,
    attempts: 0,
    intermediate: [],
    createdAt: 5000 + index,
  };
}

/**
 * The behaviour every ExperimentStore must have. `open` gives a store on a fresh namespace (a
 * new key prefix for Redis) each time it is called.
 */
export function describeStoreContract(name: string, open: () => Promise<ExperimentStore>): void {
  describe(`ExperimentStore contract: ${name}`, () => {
    it('creates, gets, lists, updates and refuses a duplicate id', async () => {
      const store = await open();
      await store.createExperiment(experiment('b', 2000));
      await store.createExperiment({ ...experiment('a', 1000), reason: 'why' });
      await expect(store.createExperiment(experiment('a'))).rejects.toThrow(/exists/);
      expect(await store.getExperiment('a')).toEqual({ ...experiment('a', 1000), reason: 'why' });
      expect(await store.getExperiment('zz')).toBeNull();
      expect((await store.listExperiments()).map((e) => e.id)).toEqual(['a', 'b']);

      expect(await store.updateExperiment('a', { status: 'STOPPED', updatedAt: 3000 }, 'COMPLETED')).toBeNull();
      const stopped = await store.updateExperiment('a', { status: 'STOPPED', updatedAt: 3000 }, 'RUNNING');
      expect(stopped).toMatchObject({ status: 'STOPPED', reason: 'why', updatedAt: 3000, config: CONFIG });
      const cleared = await store.updateExperiment('a', { status: 'RUNNING', reason: null });
      expect(cleared).not.toHaveProperty('reason');
      expect(await store.getExperiment('a')).not.toHaveProperty('reason');
      expect(await store.updateExperiment('zz', { status: 'FAILED' })).toBeNull();
      await store.close();
    });

    it('inserts at the expected next index in one step, and writes nothing when another writer allocated first', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      expect(await store.insertTrialsAt('e', 0, [trial('e', 0), trial('e', 1, 'QUEUED')])).toBe(true);
      expect((await store.getExperiment('e'))!.nextIndex).toBe(2);
      expect(await store.countTrials('e')).toMatchObject({ CANDIDATE: 1, QUEUED: 1 });
      // Someone else reserved index 2: a stale expectation stores nothing and reserves nothing.
      expect(await store.allocateTrialIndices('e', 1)).toBe(2);
      expect(await store.insertTrialsAt('e', 2, [trial('e', 2)])).toBe(false);
      expect(await store.getTrial('e', 'e-2')).toBeNull();
      expect((await store.getExperiment('e'))!.nextIndex).toBe(3);
      expect(await store.insertTrialsAt('e', 3, [trial('e', 3)])).toBe(true);
      expect((await store.listTrials('e')).items.map((t) => t.index)).toEqual([0, 1, 3]);
      await expect(store.insertTrialsAt('nope', 0, [trial('nope', 0)])).rejects.toThrow();
      await store.close();
    });

    it('allocates unique consecutive trial indices, even concurrently', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      const firsts = await Promise.all(Array.from({ length: 10 }, () => store.allocateTrialIndices('e', 3)));
      expect([...firsts].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 3 * i));
      expect((await store.getExperiment('e'))!.nextIndex).toBe(30);
      await expect(store.allocateTrialIndices('nope', 1)).rejects.toThrow();
      await store.close();
    });

    it('stores trials exactly, pages them in index order and filters by status', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      const statuses: TrialStatus[] = ['CANDIDATE', 'QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'COMPLETED', 'STALE'];
      // Inserted out of order and in two calls; the second insert of index 6 is a no-op.
      await store.insertTrials('e', [6, 4, 5].map((i) => trial('e', i, statuses[i])));
      await store.insertTrials('e', [0, 1, 2, 3, 6].map((i) => ({ ...trial('e', i, statuses[i]), attempts: i === 6 ? 99 : 0 })));
      expect(await store.getTrial('e', 'e-0')).toEqual(trial('e', 0, 'CANDIDATE'));
      expect((await store.getTrial('e', 'e-6'))!.attempts).toBe(0);
      expect(await store.getTrial('e', 'e-99')).toBeNull();

      const page = await store.listTrials('e', { offset: 2, limit: 3 });
      expect(page.items.map((t) => t.index)).toEqual([2, 3, 4]);
      expect(page).toMatchObject({ total: 7, offset: 2, limit: 3 });
      expect((await store.listTrials('e')).items).toHaveLength(7);
      expect((await store.listTrials('e', { offset: 6, limit: 10 })).items.map((t) => t.index)).toEqual([6]);
      expect((await store.listTrials('e', { limit: 0 })).items).toEqual([]);

      const completed = await store.listTrials('e', { status: 'COMPLETED' });
      expect(completed.items.map((t) => t.index)).toEqual([3, 5]);
      expect(completed.total).toBe(2);
      const inFlight = await store.listTrials('e', { status: ['STALE', 'QUEUED', 'RUNNING'], offset: 1, limit: 5 });
      expect(inFlight.items.map((t) => t.index)).toEqual([2, 6]);
      expect(inFlight.total).toBe(3);

      expect(await store.countTrials('e')).toEqual({ CANDIDATE: 1, QUEUED: 1, RUNNING: 1, COMPLETED: 2, FAILED: 1, ABANDONED: 0, STALE: 1 });
      expect(await store.countTrials('nope')).toMatchObject({ COMPLETED: 0 });
      await expect(store.listTrials('e', { offset: -1 })).rejects.toThrow(RangeError);
      await store.close();
    });

    it('applies non-terminal transitions only from the given states, and never to terminal trials', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      await store.insertTrials('e', [trial('e', 0), trial('e', 1, 'COMPLETED')]);
      expect(await store.updateTrial('e', 'e-0', { status: 'RUNNING' }, ['QUEUED'])).toBeNull();
      const queued = await store.updateTrial('e', 'e-0', { status: 'QUEUED', queuedAt: 7 }, ['CANDIDATE']);
      expect(queued).toMatchObject({ status: 'QUEUED', queuedAt: 7, parameters: trial('e', 0).parameters });
      expect(await store.updateTrial('e', 'e-1', { status: 'RUNNING' })).toBeNull();
      expect(await store.updateTrial('e', 'e-9', { status: 'RUNNING' })).toBeNull();
      expect((await store.countTrials('e')).QUEUED).toBe(1);
      expect((await store.listTrials('e', { status: 'CANDIDATE' })).total).toBe(0);
      await store.close();
    });

    it('records an outcome once: of many concurrent calls, exactly one wins', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      await store.insertTrials('e', [trial('e', 0, 'RUNNING')]);
      const calls = Array.from({ length: 20 }, (_, k) =>
        store.recordOutcome('e', 'e-0', k % 2 === 0 ? 'COMPLETED' : 'FAILED', k % 2 === 0 ? { values: { objective: k } } : { error: `error ${k}` }),
      );
      const results = await Promise.all(calls);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      const stored = (await store.getTrial('e', 'e-0'))!;
      expect(stored.status).toBe(winner % 2 === 0 ? 'COMPLETED' : 'FAILED');
      if (winner % 2 === 0) expect(stored.values).toEqual({ objective: winner });
      else expect(stored.error).toBe(`error ${winner}`);
      const counts = await store.countTrials('e');
      expect(counts.RUNNING + counts.COMPLETED + counts.FAILED).toBe(1);
      expect(await store.recordOutcome('e', 'e-0', 'ABANDONED', {})).toBe(false);
      expect(await store.recordOutcome('e', 'nope', 'COMPLETED', {})).toBe(false);
      await store.close();
    });

    it('reads several trials at once and changes them in one call, losing no concurrent change', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      await store.insertTrials('e', [trial('e', 0), trial('e', 1, 'QUEUED'), trial('e', 2, 'COMPLETED')]);
      expect((await store.getTrials('e', ['e-1', 'nope', 'e-0'])).map((t) => t?.id ?? null)).toEqual(['e-1', null, 'e-0']);
      expect(await store.getTrials('e', [])).toEqual([]);

      // Eight concurrent batches each add one attempt to every trial (compare-and-set retries on Redis).
      const ids = ['e-0', 'e-1', 'nope'];
      await Promise.all(Array.from({ length: 8 }, () => store.updateTrials('e', ids, (t) => ({ ...t, attempts: t.attempts + 1 }))));
      expect((await store.getTrials('e', ['e-0', 'e-1'])).map((t) => t?.attempts)).toEqual([8, 8]);

      // A transition per trial: the status sets follow, a null change leaves the trial alone.
      const before = await store.updateTrials('e', ['e-0', 'e-1', 'e-2', 'nope'], (t) => (t.status === 'COMPLETED' ? null : { ...t, status: t.status === 'CANDIDATE' ? 'QUEUED' : 'RUNNING' }));
      expect([...before.keys()].sort()).toEqual(['e-0', 'e-1', 'e-2']);
      expect(before.get('e-0')?.status).toBe('CANDIDATE');
      expect(before.get('e-1')?.status).toBe('QUEUED');
      expect(await store.countTrials('e')).toMatchObject({ CANDIDATE: 0, QUEUED: 1, RUNNING: 1, COMPLETED: 1 });
      expect((await store.listTrials('e', { status: 'RUNNING' })).items.map((t) => t.id)).toEqual(['e-1']);
      expect(await store.updateTrials('none', ['e-0'], (t) => t)).toEqual(new Map());
      await store.close();
    });

    it('appends intermediate values without losing any to concurrency, until the trial is terminal', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      await store.insertTrials('e', [trial('e', 0, 'RUNNING')]);
      await Promise.all(Array.from({ length: 12 }, (_, step) => store.appendIntermediate('e', 'e-0', { step, value: step / 10 })));
      const t = (await store.getTrial('e', 'e-0'))!;
      expect([...t.intermediate].sort((a, b) => a.step - b.step)).toEqual(Array.from({ length: 12 }, (_, step) => ({ step, value: step / 10 })));
      await store.recordOutcome('e', 'e-0', 'COMPLETED', { values: { objective: 1 } });
      expect(await store.appendIntermediate('e', 'e-0', { step: 99, value: 0 })).toBe(false);
      await store.close();
    });

    it('hands out copies: mutating a returned record changes nothing stored', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      await store.insertTrials('e', [trial('e', 0)]);
      const t = (await store.getTrial('e', 'e-0'))!;
      t.parameters['x1'] = 42;
      t.intermediate.push({ step: 1, value: 1 });
      const e = (await store.getExperiment('e'))!;
      e.config.budget = 1;
      expect(await store.getTrial('e', 'e-0')).toEqual(trial('e', 0));
      expect((await store.getExperiment('e'))!.config.budget).toBe(CONFIG.budget);
      await store.close();
    });

    it('deletes an experiment with all its trials', async () => {
      const store = await open();
      await store.createExperiment(experiment('e'));
      await store.createExperiment(experiment('keep', 2000));
      await store.insertTrials('e', [trial('e', 0), trial('e', 1, 'COMPLETED')]);
      await store.insertTrials('keep', [trial('keep', 0)]);
      expect(await store.deleteExperiment('e')).toBe(true);
      expect(await store.deleteExperiment('e')).toBe(false);
      expect(await store.getExperiment('e')).toBeNull();
      expect(await store.getTrial('e', 'e-0')).toBeNull();
      expect(await store.listTrials('e')).toMatchObject({ items: [], total: 0 });
      expect(Object.values(await store.countTrials('e')).every((n) => n === 0)).toBe(true);
      expect((await store.listExperiments()).map((x) => x.id)).toEqual(['keep']);
      expect(await store.getTrial('keep', 'keep-0')).not.toBeNull();
      await expect(store.insertTrials('e', [trial('e', 2)])).rejects.toThrow();
      await store.close();
    });
  });
}
