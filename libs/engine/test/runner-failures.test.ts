import type { TrialJob } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { ExperimentRunner, LocalDispatcher, MemoryStore, type TrialRecord } from '../src/index.js';
import { asWorker, braninAt, braninConfig } from './support/configs.js';
import { ManualDispatcher } from './support/manual-dispatcher.js';
import { EventLog, waitFor } from './support/observe.js';

const sobol = { method: 'sobol' } as const;

async function run(execute: (job: TrialJob) => Promise<unknown>, overrides: Parameters<typeof braninConfig>[0] = {}) {
  const store = new MemoryStore();
  const dispatcher = new LocalDispatcher({ execute: execute as never, concurrency: 4 });
  const log = new EventLog();
  const runner = new ExperimentRunner({ store, dispatcher, onEvent: log.onEvent, timeoutCheckIntervalMs: 0 });
  const { id } = await runner.create(braninConfig({ generation: sobol, ...overrides }));
  await runner.start(id);
  const done = await runner.whenDone(id);
  await dispatcher.idle();
  const trials = (await runner.trials(id, { limit: 1000 })).items;
  return { done, trials, log, runner, id };
}

const byIndex = (trials: TrialRecord[], i: number): TrialRecord => trials.find((t) => t.index === i)!;

describe('failed trials', () => {
  it('an evaluator that throws, returns NaN or a string fails that trial with the reason; the experiment goes on', async () => {
    const evaluate = asWorker((job) => {
      if (job.index === 1) throw new Error('boom at 1');
      if (job.index === 4) return Number.NaN;
      if (job.index === 6) return 'oops';
      return braninAt(job);
    });
    const { done, trials } = await run(evaluate, { budget: 12 });
    expect(done).toMatchObject({ status: 'COMPLETED', reason: 'budget reached' });
    expect(trials).toHaveLength(12);
    expect(byIndex(trials, 1)).toMatchObject({ status: 'FAILED', error: 'boom at 1' });
    expect(byIndex(trials, 4).error).toMatch(/evaluator returned NaN; expected a finite number/);
    expect(byIndex(trials, 6).error).toMatch(/evaluator returned the string "oops"/);
    expect(trials.filter((t) => t.status === 'COMPLETED')).toHaveLength(9);
    expect(byIndex(trials, 4).values).toBeUndefined();
  });

  it('a result without the objective or a constrained metric, or with a non-finite one, fails the trial', async () => {
    const execute = async (job: TrialJob) => {
      if (job.index === 0) return { values: { objective: Number.NaN, cost: 1 } };
      if (job.index === 1) return { values: { objective: 1 } };
      if (job.index === 2) return 'not even an object';
      return { values: { objective: braninAt(job), cost: job.index, extra: Number.POSITIVE_INFINITY }, sem: { objective: 0.1 } };
    };
    const { done, trials } = await run(execute, { budget: 6, outcomeConstraints: [{ metric: 'cost', bound: 4 }], maxFailureRate: 0.6 });
    expect(done.status).toBe('COMPLETED');
    expect(byIndex(trials, 0).error).toMatch(/'objective' \(the objective\) is NaN, not a finite number/);
    expect(byIndex(trials, 1).error).toMatch(/no 'cost' \(an outcome-constraint metric\); it reported objective/);
    expect(byIndex(trials, 2).error).toMatch(/malformed result/);
    // Unstorable extra metrics are dropped, the rest is recorded.
    expect(byIndex(trials, 3)).toMatchObject({ status: 'COMPLETED', values: { objective: expect.any(Number), cost: 3 }, sem: { objective: 0.1 } });
    expect(byIndex(trials, 3).values).not.toHaveProperty('extra');
  });

  it('too many failures fail the experiment with a clear reason, and withdraw what is in flight', async () => {
    const { done, trials, log } = await run(asWorker(() => Promise.reject(new Error('kaput'))), { budget: 40, maxFailureRate: 0.5 });
    expect(done.status).toBe('FAILED');
    expect(done.reason).toMatch(/^\d+ of \d+ trials failed \(100% > 50%\); last error: kaput$/);
    const finished = trials.filter((t) => t.status === 'FAILED').length;
    expect(finished).toBeGreaterThanOrEqual(5);
    expect(trials.length).toBeLessThan(40);
    expect(trials.every((t) => t.status === 'FAILED' || t.status === 'ABANDONED')).toBe(true);
    for (const t of trials.filter((x) => x.status === 'ABANDONED')) expect(t.error).toMatch(/^experiment failed: /);
    expect(log.of('experiment').at(-1)).toMatchObject({ status: 'FAILED' });
  });

  it('the failure rate counts from 5 finished trials, completions included', async () => {
    const earlyFailures = (n: number) =>
      asWorker((job) => {
        if (job.index < n) throw new Error(`early trouble ${job.index}`);
        return braninAt(job);
      });
    const sequential = { budget: 8, parallelism: 1, batchSize: 1, maxFailureRate: 0.5 };
    // 2 of the first 2 fail (100%, but too few finished), then 2 of 5 = 40% <= 50%.
    expect((await run(earlyFailures(2), sequential)).done.status).toBe('COMPLETED');
    // 3 of 3 fail, then the 5th finished trial (a completion) makes it 3 of 5 = 60% > 50%.
    const { done, trials } = await run(earlyFailures(3), sequential);
    expect(done).toMatchObject({ status: 'FAILED', reason: '3 of 5 trials failed (60% > 50%); last error: early trouble 2' });
    expect(trials).toHaveLength(5);
  });
});

describe('duplicate, late and unknown events', () => {
  async function manual() {
    const store = new MemoryStore();
    const dispatcher = new ManualDispatcher();
    const log = new EventLog();
    const runner = new ExperimentRunner({ store, dispatcher, onEvent: log.onEvent, timeoutCheckIntervalMs: 0 });
    const { id } = await runner.create(braninConfig({ generation: sobol, budget: 4, parallelism: 3 }));
    await runner.start(id);
    await waitFor(async () => (await runner.counts(id)).QUEUED === 3, '3 queued trials');
    return { store, dispatcher, log, runner, id };
  }

  it('records a result once: duplicates, concurrent duplicates and late events change nothing', async () => {
    const { dispatcher, log, runner, id } = await manual();
    const [j0, j1] = dispatcher.jobs as [TrialJob, TrialJob];
    await dispatcher.start(j0, 10);
    await dispatcher.complete(j0, { values: { objective: 1.5 } }, 20);
    await dispatcher.complete(j0, { values: { objective: 99 } }, 30, 'w2');
    await dispatcher.fail(j0, 'late failure', 40);
    await dispatcher.start(j0, 50, 'w3', 2);
    expect(await runner.trials(id, { status: 'COMPLETED' })).toMatchObject({ total: 1, items: [{ id: j0.trialId, values: { objective: 1.5 }, worker: 'w1', finishedAt: 20 }] });

    await Promise.all(Array.from({ length: 6 }, (_, k) => dispatcher.complete(j1, { values: { objective: k } }, 60 + k)));
    const t1 = (await runner.trials(id, { limit: 10 })).items.find((t) => t.id === j1.trialId)!;
    expect(t1.status).toBe('COMPLETED');
    expect(t1.values).toEqual({ objective: 0 }); // the first delivered wins
    expect((await runner.best(id))?.id).toBe(j1.trialId); // running: from the optimiser's memory
    expect(log.terminalCounts().get(j0.trialId)).toBe(1);
    expect(log.terminalCounts().get(j1.trialId)).toBe(1);
    expect(log.of('ignored').filter((e) => e.trialId === j0.trialId).map((e) => e.event)).toEqual(['completed', 'failed', 'started']);
    expect(log.of('ignored').filter((e) => e.trialId === j1.trialId)).toHaveLength(5);
    // Two results in: the budget's fourth trial was generated, and only one.
    await waitFor(() => dispatcher.jobs.length === 4, 'the fourth trial');
    expect((await runner.counts(id)).COMPLETED).toBe(2);
    await runner.close();
  });

  it('ignores events for unknown trials and experiments', async () => {
    const { dispatcher, log, runner, id } = await manual();
    await dispatcher.emit({ kind: 'completed', experimentId: id, trialId: `${id}-999`, worker: 'w', attempt: 1, outcome: { values: { objective: 0 } }, startedAt: 0, at: 1 });
    await dispatcher.emit({ kind: 'started', experimentId: 'no-such-experiment', trialId: 'x-0', worker: 'w', attempt: 1, at: 1 });
    await dispatcher.emit({ kind: 'intermediate', experimentId: id, trialId: 'x', step: 1, value: 2, at: 1 });
    expect(log.of('ignored').map((e) => e.reason)).toEqual(['unknown trial', 'unknown experiment', 'unknown trial']);
    expect((await runner.counts(id)).COMPLETED).toBe(0);
    expect((await runner.trials(id)).total).toBe(3);
    await runner.close();
  });

  it('records intermediate values and a retried attempt, not an older attempt starting late', async () => {
    const { dispatcher, runner, id } = await manual();
    const j0 = dispatcher.jobs[0]!;
    await dispatcher.start(j0, 10, 'w1', 1);
    await dispatcher.emit({ kind: 'intermediate', experimentId: id, trialId: j0.trialId, step: 1, value: 0.5, at: 11 });
    await dispatcher.start(j0, 20, 'w2', 2);
    await dispatcher.start(j0, 30, 'w1', 1);
    const t = (await runner.trials(id)).items[0]!;
    expect(t).toMatchObject({ status: 'RUNNING', worker: 'w2', attempts: 2, startedAt: 20, intermediate: [{ step: 1, value: 0.5 }] });
    await runner.close();
  });
});
