import { ValidationError, type TrialJob } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { ExperimentNotFoundError, ExperimentRunner, ExperimentStateError, LocalDispatcher, MemoryStore, NOT_STARTED_REASON } from '../src/index.js';
import { asWorker, braninAt, braninConfig } from './support/configs.js';
import { ManualDispatcher } from './support/manual-dispatcher.js';
import { waitFor } from './support/observe.js';
import { describeResume } from './support/resume-suite.js';

function problemsOf(e: unknown): string[] {
  expect(e).toBeInstanceOf(ValidationError);
  return (e as ValidationError).problems.map((p) => p.path);
}

describe('creating experiments', () => {
  it('rejects a bad config with ValidationError naming each field, storing nothing', async () => {
    const store = new MemoryStore();
    const runner = new ExperimentRunner({ store, dispatcher: new ManualDispatcher() });
    const bad = [
      [{ budget: 0 }, 'budget'],
      [{ parameters: [{ name: 'x1', type: 'range', bounds: [10, -5] }] }, 'parameters[0].bounds'],
      [{ mode: 'sometimes' }, 'mode'],
      [{ evaluator: 'Rm -rf' }, 'evaluator'],
      [{ outcomeConstraints: [{ metric: 'objective', bound: 1 }] }, 'outcomeConstraints[0].metric'],
      [{ generation: { method: 'qlognei', numRestarts: 20, rawSamples: 10 } }, 'generation'],
    ] as const;
    for (const [override, path] of bad) {
      const error = await runner.create(braninConfig(override as never)).catch((e: unknown) => e);
      expect(problemsOf(error)).toContain(path);
    }
    const missing = await runner.create({ name: 'x' }).catch((e: unknown) => e);
    expect(problemsOf(missing)).toEqual(expect.arrayContaining(['parameters', 'objective', 'budget', 'evaluator']));
    expect(await runner.list()).toEqual([]);
  });

  it('stores a valid config with its defaults, not started', async () => {
    const runner = new ExperimentRunner({ store: new MemoryStore(), dispatcher: new ManualDispatcher(), now: () => 42, newId: () => 'exp-1' });
    const record = await runner.create(braninConfig({ parallelism: undefined, batchSize: 3 }));
    expect(record).toMatchObject({ id: 'exp-1', status: 'STOPPED', reason: NOT_STARTED_REASON, createdAt: 42, nextIndex: 0 });
    expect(record.config).toMatchObject({ parallelism: 3, trialTimeoutMs: 600_000, maxRetries: 2, maxFailureRate: 0.5 });
    expect(await runner.get('exp-1')).toEqual(record);
    await expect(runner.get('nope')).rejects.toThrow(ExperimentNotFoundError);
    await expect(runner.start('nope')).rejects.toThrow(ExperimentNotFoundError);
  });
});

describe('stop, start, delete', () => {
  async function running() {
    const dispatcher = new ManualDispatcher();
    const runner = new ExperimentRunner({ store: new MemoryStore(), dispatcher, timeoutCheckIntervalMs: 0 });
    const { id } = await runner.create(braninConfig({ generation: { method: 'sobol' }, budget: 10, parallelism: 3 }));
    expect((await runner.start(id)).status).toBe('RUNNING');
    await waitFor(async () => (await runner.counts(id)).QUEUED === 3, '3 queued');
    return { dispatcher, runner, id };
  }

  it('stop: no new trials, queued ones ABANDONED and cancelled, running ones still recorded', async () => {
    const { dispatcher, runner, id } = await running();
    const [j0, j1, j2] = dispatcher.jobs as [TrialJob, TrialJob, TrialJob];
    await dispatcher.start(j0, 1);
    const stopped = await runner.stop(id, 'enough for today');
    expect(stopped).toMatchObject({ status: 'STOPPED', reason: 'enough for today' });
    const trials = (await runner.trials(id)).items;
    expect(trials.map((t) => t.status)).toEqual(['RUNNING', 'ABANDONED', 'ABANDONED']);
    expect(trials[1]!.error).toBe('experiment stopped: enough for today');
    expect(dispatcher.cancelled.sort()).toEqual([j1.trialId, j2.trialId].sort());

    await dispatcher.complete(j0, { values: { objective: 3 } }, 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(dispatcher.jobs).toHaveLength(3);
    expect((await runner.trials(id)).items[0]).toMatchObject({ status: 'COMPLETED', values: { objective: 3 } });
    expect(await runner.best(id)).toMatchObject({ id: j0.trialId });
    expect((await runner.stop(id)).status).toBe('STOPPED'); // stopping again changes nothing

    // Started again, it carries on to the budget (abandoned trials count against it).
    await runner.start(id);
    await waitFor(() => dispatcher.jobs.length === 6, 'three new jobs');
    expect(dispatcher.jobs.slice(3).map((j) => j.index)).toEqual([3, 4, 5]);
    await runner.close();
  });

  it('a finished experiment cannot be started or stopped', async () => {
    const dispatcher = new LocalDispatcher({ execute: asWorker(braninAt), concurrency: 2 });
    const runner = new ExperimentRunner({ store: new MemoryStore(), dispatcher, timeoutCheckIntervalMs: 0 });
    const { id } = await runner.create(braninConfig({ generation: { method: 'sobol' }, budget: 3 }));
    await runner.start(id);
    expect((await runner.whenDone(id)).status).toBe('COMPLETED');
    await expect(runner.start(id)).rejects.toThrow(ExperimentStateError);
    await expect(runner.stop(id)).rejects.toThrow(/is COMPLETED/);
  });

  it('delete removes the experiment and its trials and cancels its jobs', async () => {
    const { dispatcher, runner, id } = await running();
    await runner.delete(id);
    await expect(runner.get(id)).rejects.toThrow(ExperimentNotFoundError);
    expect(await runner.list()).toEqual([]);
    expect(dispatcher.cancelled).toHaveLength(3);
    await dispatcher.complete(dispatcher.jobs[0]!, { values: { objective: 1 } }, 1); // ignored
    await expect(runner.delete(id)).rejects.toThrow(ExperimentNotFoundError);
    await runner.close();
  });

  it('exports trials as JSON and quoted CSV', async () => {
    const dispatcher = new LocalDispatcher({
      execute: asWorker((job) => {
        if (job.index === 1) throw new Error('bad "input", see\nlog');
        return { objective: braninAt(job), cost: job.index };
      }),
      now: () => Date.UTC(2025, 0, 2, 3, 4, 5),
    });
    const runner = new ExperimentRunner({ store: new MemoryStore(), dispatcher, timeoutCheckIntervalMs: 0 });
    const { id } = await runner.create(braninConfig({ generation: { method: 'sobol' }, budget: 3, parallelism: 1, batchSize: 1 }));
    await runner.start(id);
    await runner.whenDone(id);
    const json = JSON.parse(await runner.exportTrials(id, 'json')) as { index: number }[];
    expect(json.map((t) => t.index)).toEqual([0, 1, 2]);
    const lines = (await runner.exportTrials(id, 'csv')).split('\r\n');
    expect(lines[0]).toBe('index,status,x1,x2,objective,cost,error,startedAt,finishedAt,worker');
    expect(lines[1]).toMatch(/^0,COMPLETED,[-\d.e]+,[-\d.e]+,[\d.e]+,0,,2025-01-02T03:04:05\.000Z,2025-01-02T03:04:05\.000Z,local$/);
    // The failed trial's message has quotes, a comma and a line break: one quoted field.
    expect(lines[2]).toMatch(/^1,FAILED,[-\d.e]+,[-\d.e]+,,,"bad ""input"", see\nlog",2025-01-02T03:04:05\.000Z,2025-01-02T03:04:05\.000Z,local$/);
    await expect(runner.exportTrials(id, 'xml' as never)).rejects.toThrow(RangeError);
  });
});

describeResume('MemoryStore', async () => new MemoryStore());
