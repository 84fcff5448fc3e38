import { describe, expect, it } from 'vitest';
import type { ExperimentConfigInput } from '@apiary/contracts';
import { braninAt, runBraninToEnd } from './support/configs.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs Branin to the end (evaluations of a few ms) and returns the generation events, trials and peaks. */
async function run(overrides: Partial<ExperimentConfigInput>) {
  let running = 0;
  let maxRunning = 0;
  // More slots than any parallelism below: the runner alone keeps to it.
  const { done, page, log } = await runBraninToEnd(
    overrides,
    async (job) => {
      maxRunning = Math.max(maxRunning, ++running);
      await sleep(3);
      running--;
      return braninAt(job);
    },
    12,
  );
  return { done, generations: log.of('generation'), trials: page.items, maxRunning, maxInFlight: Math.max(...log.inFlight.map((x) => x.value)) };
}

describe('async refills under a time budget', () => {
  it('fall back to one Thompson step for all free slots when qLogNEI would exceed the budget', async () => {
    // A zero budget: every qLogNEI step is over it.
    const { done, generations, trials, maxRunning, maxInFlight } = await run({ budget: 20, parallelism: 6, batchSize: 1, generation: { method: 'qlognei', initialTrials: 5, numRestarts: 2, rawSamples: 32, refillBudgetFraction: 0 } });
    expect(done).toMatchObject({ status: 'COMPLETED', nextIndex: 20 });
    // The model takes over once two trials have finished, so evaluation times are known from the first model step on.
    const model = generations.filter((g) => g.generator !== 'sobol');
    expect(model.length).toBeGreaterThan(0);
    expect(model.every((g) => g.generator === 'thompson' && g.fitSeconds !== null && g.acquisitionSeconds !== null)).toBe(true);
    // A Thompson step fills every free slot at once (batchSize 1 notwithstanding).
    expect(model.some((g) => g.generator === 'thompson' && g.trials > 1)).toBe(true);
    expect(trials.filter((t) => t.generator === 'thompson').length).toBe(20 - trials.filter((t) => t.generator !== 'thompson').length);
    expect(trials.filter((t) => t.generator === 'thompson').length).toBeGreaterThan(5);
    // ceil(6 / 2) = 3 trials proposed ahead and held: never more than 6 evaluating, up to 9 in flight.
    expect(maxRunning).toBeLessThanOrEqual(6);
    expect(maxInFlight).toBeGreaterThan(6);
    expect(maxInFlight).toBeLessThanOrEqual(9);
  });

  it('never fall back when the budget is off, nor in batch mode', async () => {
    const off = await run({ budget: 12, parallelism: 4, batchSize: 2, generation: { method: 'qlognei', initialTrials: 5, numRestarts: 2, rawSamples: 32, refillBudgetFraction: null } });
    expect(off.trials.some((t) => t.generator === 'qlognei')).toBe(true);
    expect(off.trials.every((t) => t.generator !== 'thompson')).toBe(true);
    const batch = await run({ mode: 'batch', budget: 12, parallelism: 4, batchSize: 4, generation: { method: 'qlognei', initialTrials: 4, numRestarts: 2, rawSamples: 32, refillBudgetFraction: 0 } });
    expect(batch.trials.some((t) => t.generator === 'qlognei')).toBe(true);
    expect(batch.trials.every((t) => t.generator !== 'thompson')).toBe(true);
  });
});
