import { InputDataError } from '../errors/errors.js';
import { clampedStart, runLbfgsb } from './lbfgsb.js';
import { resolveMinimizeOptions } from './minimize-options.js';
import type { MinimizeOptions, MinimizeResult, ValueAndGradient } from './minimizer.js';

/** One run of a multi-start minimisation. */
export interface StartResult extends MinimizeResult {
  /** Index of the start (in the `starts` argument) this run began from. */
  readonly startIndex: number;
}

export interface MultiStartResult {
  /** The run with the lowest f (ties: the earliest start). */
  readonly best: StartResult;
  /** Every run that could start, sorted by f ascending (ties by start index). */
  readonly results: StartResult[];
  /** Starts where f or its gradient was not finite, so no run happened. */
  readonly failedStarts: { readonly startIndex: number; readonly message: string }[];
  /** Objective evaluations over all runs (failed starts count one each). */
  readonly evaluations: number;
}

/**
 * Runs {@link minimizeLbfgsb} from each start (each clamped into the box, each with the full
 * `maxIterations` / `maxEvaluations` budget) and returns the best run and all runs. Options are
 * resolved and every start validated before the first evaluation.
 *
 * @throws InputDataError when `starts` is empty, a start has a non-finite coordinate, options are
 *   invalid, or the objective is not finite at every start.
 * @throws ShapeError when starts differ in length or bounds do not match their length.
 */
export function minimizeMultiStart(
  fg: ValueAndGradient,
  starts: readonly ArrayLike<number>[],
  options?: MinimizeOptions,
): MultiStartResult {
  const first = starts[0];
  if (first === undefined || first.length === 0) {
    throw new InputDataError(
      'minimizeMultiStart: expected at least one non-empty starting point, got ' +
        (first === undefined ? 'none.' : 'an empty one.'),
    );
  }
  const resolved = resolveMinimizeOptions(first.length, options);
  const clamped = starts.map((s, i) => clampedStart(s, resolved, `minimizeMultiStart (start ${i})`));
  const results: StartResult[] = [];
  const failedStarts: { startIndex: number; message: string }[] = [];
  let evaluations = 0;
  clamped.forEach((start, startIndex) => {
    const outcome = runLbfgsb(fg, start, resolved);
    if (outcome.ok) {
      results.push({ ...outcome.result, startIndex });
      evaluations += outcome.result.evaluations;
    } else {
      failedStarts.push({ startIndex, message: outcome.message });
      evaluations += 1;
    }
  });
  results.sort((a, b) => a.f - b.f || a.startIndex - b.startIndex);
  const best = results[0];
  if (best === undefined) {
    throw new InputDataError(
      `minimizeMultiStart: the objective is not finite at any of the ${starts.length} starts; ` +
        `first failure: ${failedStarts[0]?.message ?? 'unknown'}`,
    );
  }
  return { best, results, failedStarts, evaluations };
}
