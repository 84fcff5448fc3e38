import { branin } from '@apiary/bo-core';
import { normalizeResult, type ExperimentConfigInput, type TrialJob, type TrialOutcome } from '@apiary/contracts';
import { ExperimentRunner, LocalDispatcher, MemoryStore, type ExperimentRecord, type TrialPage, type TrialRecord } from '../../src/index.js';
import { EventLog } from './observe.js';

/** Branin on its usual box, minimised; cheap acquisition settings keep generation fast. */
export function braninConfig(overrides: Partial<ExperimentConfigInput> = {}): ExperimentConfigInput {
  return {
    name: 'branin',
    parameters: [
      { name: 'x1', type: 'range', bounds: [-5, 10] },
      { name: 'x2', type: 'range', bounds: [0, 15] },
    ],
    objective: { name: 'objective', minimize: true },
    budget: 16,
    batchSize: 2,
    parallelism: 4,
    mode: 'async',
    seed: 0,
    generation: { method: 'qlognei', initialTrials: 5, numRestarts: 4, rawSamples: 128 },
    evaluator: 'branin',
    ...overrides,
  };
}

/** Branin at a job's parameters. */
export function braninAt(job: TrialJob): number {
  return branin.evaluate([job.parameters['x1'] as number, job.parameters['x2'] as number]);
}

/** An evaluator as a worker runs it: the raw result is normalised (and rejected) by contracts' rules. */
export function asWorker(evaluate: (job: TrialJob) => unknown | Promise<unknown>, objective = 'objective'): (job: TrialJob) => Promise<TrialOutcome> {
  return async (job) => normalizeResult(await evaluate(job), objective);
}

/** A manual clock for the runner and the dispatcher. */
export class FakeClock {
  constructor(public ms = 1_700_000_000_000) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** What {@link runBraninToEnd} returns. */
export interface BraninRun {
  done: ExperimentRecord;
  page: TrialPage;
  best: TrialRecord | null;
  log: EventLog;
}

/**
 * Runs a Branin experiment (config overrides applied) to its end on a MemoryStore and a
 * LocalDispatcher with `concurrency` slots running `evaluate`, then closes both.
 */
export async function runBraninToEnd(overrides: Partial<ExperimentConfigInput>, evaluate: (job: TrialJob) => Promise<number>, concurrency: number): Promise<BraninRun> {
  const dispatcher = new LocalDispatcher({ execute: asWorker(evaluate), concurrency });
  const log = new EventLog();
  const runner = new ExperimentRunner({ store: new MemoryStore(), dispatcher, onEvent: log.onEvent, timeoutCheckIntervalMs: 0 });
  try {
    const created = await runner.create(braninConfig(overrides));
    await runner.start(created.id);
    const done = await runner.whenDone(created.id);
    const page = await runner.trials(created.id, { limit: 1000 });
    const best = await runner.best(created.id);
    return { done, page, best, log };
  } finally {
    await runner.close();
    await dispatcher.close();
  }
}
