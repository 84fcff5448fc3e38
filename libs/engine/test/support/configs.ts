import { branin } from '@apiary/bo-core';
import { normalizeResult, type ExperimentConfigInput, type TrialJob, type TrialOutcome } from '@apiary/contracts';

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
