/**
 * The TensorFlow.js classifier example end to end, shortened (6 trials of at most 3 epochs):
 * `examples/tfjs-classifier/run.mjs` runs `apiary optimize` embedded on the MNIST digits, then
 * retrains the best configuration and measures it on the held-out split.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN = join(ROOT, 'examples/tfjs-classifier/run.mjs');
const BUDGET = 6;
const MAX_EPOCHS = 3;

interface Summary {
  split: { train: number; validation: number; test: number };
  trials: { budget: number; completed: number; failed: number };
  best: { trial: number; parameters: Record<string, unknown>; searchValidationAccuracy: number; validationAccuracy: number; testAccuracy: number };
  default: { validationAccuracy: number; testAccuracy: number };
}

interface RunFile {
  trials: { index: number; status: string; parameters: Record<string, unknown>; values: Record<string, number> | null }[];
  best: { index: number; values: Record<string, number> } | null;
}

const dir = mkdtempSync(join(tmpdir(), 'apiary-tfjs-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/tfjs-classifier', () => {
  it('tunes the MLP through apiary optimize and the best configuration classifies held-out digits', async () => {
    const summaryFile = join(dir, 'summary.json');
    const runFile = join(dir, 'run.json');
    await promisify(execFile)(process.execPath, [RUN, '--budget', String(BUDGET), '--max-epochs', String(MAX_EPOCHS), '--out', runFile, '--json', summaryFile], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
    const run = JSON.parse(readFileSync(runFile, 'utf8')) as RunFile;

    // Every trial ran in the evaluator threads and returned both metrics.
    expect(summary.trials).toEqual({ budget: BUDGET, completed: BUDGET, failed: 0 });
    expect(run.trials).toHaveLength(BUDGET);
    for (const trial of run.trials) {
      const { validationError, validationAccuracy } = trial.values ?? {};
      expect(validationError).toBeGreaterThanOrEqual(0);
      expect(validationError).toBeLessThanOrEqual(1);
      expect(validationAccuracy).toBeCloseTo(1 - validationError!, 9);
      expect(trial.parameters['epochs']).toBeLessThanOrEqual(MAX_EPOCHS);
      expect(['sgd', 'adam', 'rmsprop']).toContain(trial.parameters['optimizer']);
    }

    // The best trial is the lowest validation error, and retraining it reproduces that figure
    // (seeded initialisation and batch order), so the held-out accuracy belongs to that model.
    const lowest = Math.min(...run.trials.map((t) => t.values!['validationError']!));
    expect(run.best!.values['validationError']).toBe(lowest);
    expect(summary.best.trial).toBe(run.best!.index);
    expect(summary.best.validationAccuracy).toBeCloseTo(summary.best.searchValidationAccuracy, 6);

    // Chance is 10%; a broken pipeline (labels detached from their images, weights that never
    // update) lands near it. Three epochs reach about 85% (best) and 75% (default) here.
    expect(summary.split).toEqual({ train: 3000, validation: 1000, test: 2000 });
    expect(summary.best.testAccuracy).toBeGreaterThan(0.6);
    expect(summary.default.testAccuracy).toBeGreaterThan(0.3);
  });
});
