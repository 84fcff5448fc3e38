import type { TrialEvent, TrialJob } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { ExperimentRunner, MemoryStore } from '../src/index.js';
import { braninConfig } from './support/configs.js';
import { ManualDispatcher } from './support/manual-dispatcher.js';
import { EventLog, waitFor } from './support/observe.js';

const sobol = { method: 'sobol' } as const;

async function manual(budget = 6) {
  const store = new MemoryStore();
  const dispatcher = new ManualDispatcher();
  const log = new EventLog();
  const runner = new ExperimentRunner({ store, dispatcher, onEvent: log.onEvent, timeoutCheckIntervalMs: 0 });
  const { id } = await runner.create(braninConfig({ generation: sobol, budget, parallelism: 3 }));
  await runner.start(id);
  await waitFor(async () => (await runner.counts(id)).QUEUED === 3, '3 queued trials');
  return { dispatcher, log, runner, id, store };
}

const started = (j: TrialJob, at: number, attempt = 1, worker = 'w1'): TrialEvent => ({ kind: 'started', experimentId: j.experimentId, trialId: j.trialId, worker, attempt, at });
const completed = (j: TrialJob, objective: number, at: number): TrialEvent => ({ kind: 'completed', experimentId: j.experimentId, trialId: j.trialId, worker: 'w1', attempt: 1, outcome: { values: { objective } }, startedAt: at - 1, at });

describe('batched event intake', () => {
  it('applies a batch in order per trial: started and completed together, duplicates and late events ignored', async () => {
    const { dispatcher, log, runner, id } = await manual();
    const [j0, j1, j2] = dispatcher.jobs as [TrialJob, TrialJob, TrialJob];
    await dispatcher.emitBatch([
      started(j0, 10),
      started(j1, 11),
      completed(j0, 1.5, 20),
      started(j0, 10), // late duplicate of the first start
      completed(j0, 9.9, 21), // a second result: the first wins
      { kind: 'intermediate', experimentId: id, trialId: j1.trialId, step: 1, value: 0.5, at: 12 },
      { kind: 'intermediate', experimentId: id, trialId: j1.trialId, step: 1, value: 0.5, at: 12 }, // duplicate
      completed(j2, 2.5, 22), // no `started` seen: recorded all the same
      { kind: 'started', experimentId: 'no-such-experiment', trialId: 'x-0', worker: 'w', attempt: 1, at: 1 },
    ]);
    const trials = (await runner.trials(id)).items;
    expect(trials[0]).toMatchObject({ status: 'COMPLETED', values: { objective: 1.5 }, startedAt: 10, finishedAt: 20 });
    expect(trials[1]).toMatchObject({ status: 'RUNNING', startedAt: 11, intermediate: [{ step: 1, value: 0.5 }] });
    expect(trials[2]).toMatchObject({ status: 'COMPLETED', values: { objective: 2.5 } });
    // Runner events per trial, as one-by-one intake would emit them.
    const trialEvents = (trialId: string) => log.of('trial').filter((e) => e.trialId === trialId).map((e) => e.status);
    expect(trialEvents(j0.trialId)).toEqual(['CANDIDATE', 'QUEUED', 'RUNNING', 'COMPLETED']);
    expect(trialEvents(j1.trialId)).toEqual(['CANDIDATE', 'QUEUED', 'RUNNING']);
    expect(trialEvents(j2.trialId)).toEqual(['CANDIDATE', 'QUEUED', 'COMPLETED']);
    // In order within the experiment (experiments' groups are handled concurrently).
    expect(log.of('ignored').filter((e) => e.experimentId === id).map((e) => `${e.event}: ${e.reason}`)).toEqual([
      'started: trial is already COMPLETED; the first result wins',
      'completed: trial is already COMPLETED; the first result wins',
      'intermediate: duplicate intermediate value at step 1',
    ]);
    expect(log.of('ignored').filter((e) => e.experimentId !== id).map((e) => e.reason)).toEqual(['unknown experiment']);
    // The two outcomes refilled the loop: two more trials dispatched.
    await waitFor(() => dispatcher.jobs.length === 5, 'two refills');
    await runner.close();
  });

  it('a batch delivered again (the consumer died before acknowledging it) is counted once', async () => {
    const { dispatcher, log, runner, id } = await manual(3);
    const [j0, j1, j2] = dispatcher.jobs as [TrialJob, TrialJob, TrialJob];
    const batch = [started(j0, 10), started(j1, 11), started(j2, 12), completed(j0, 1, 20), completed(j1, 2, 21), completed(j2, 3, 22)];
    await dispatcher.emitBatch(batch);
    await dispatcher.emitBatch(batch);
    const done = await runner.whenDone(id);
    expect(done).toMatchObject({ status: 'COMPLETED', reason: 'budget reached', nextIndex: 3 });
    expect(await runner.counts(id)).toMatchObject({ COMPLETED: 3, RUNNING: 0 });
    expect([...log.terminalCounts().values()]).toEqual([1, 1, 1]);
    expect(log.of('trial').filter((e) => e.status === 'RUNNING')).toHaveLength(3);
    expect(log.of('ignored')).toHaveLength(6);
    await runner.close();
  });
});

describe('events after close', () => {
  it('are refused, so that the transport keeps them for another scheduler, and change nothing', async () => {
    const { dispatcher, runner, id, store } = await manual();
    const [j0] = dispatcher.jobs as [TrialJob];
    await runner.close();
    const jobsBefore = dispatcher.jobs.length;
    await expect(dispatcher.emitBatch([started(j0, 10), completed(j0, 1.25, 20)])).rejects.toThrow(/runner is closed/);
    expect((await store.listTrials(id)).items[0]).toMatchObject({ status: 'QUEUED' });
    expect(dispatcher.jobs).toHaveLength(jobsBefore);
  });
});
