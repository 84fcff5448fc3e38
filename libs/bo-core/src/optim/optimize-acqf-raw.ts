import { CandidateGenerationError, InputDataError, ShapeError } from '../errors/errors.js';
import { pointFeasible } from './optimize-acqf-constraints.js';
import type { ResolvedOptimizeAcqfOptions } from './optimize-acqf-options.js';

/** Rounds of rejection sampling (each `rawSamples` raw rows) before giving up on filling the pool. */
export const MAX_REJECTION_ROUNDS = 32;

/** Raw q-batches for initial conditions: `n x q x d`, row-major. */
export interface RawBatches {
  readonly data: Float64Array;
  readonly n: number;
}

/**
 * Draws the raw q-batches scored to choose starting points.
 *
 * Without constraints: one block of `rawSamples` rows of the raw sampler in `q · f` dimensions
 * (f = number of free coordinates); row r is reshaped to `q x f`, each free coordinate mapped
 * affinely from [0, 1) to `[lower_i, upper_i]`, each fixed coordinate set to its value. Discrete
 * coordinates keep their continuous (relaxed) values. `n = rawSamples`.
 *
 * With inequality constraints: rejection per point, not per batch (a batch of q independent
 * points is feasible with probability p^q, a point with p). Rows are drawn `rawSamples` at a time,
 * every point of every row is mapped as above, the feasible ones kept in draw order; this stops
 * when `q · rawSamples` points are kept or after {@link MAX_REJECTION_ROUNDS} rounds. Consecutive
 * kept points form the batches, so `n = min(rawSamples, ⌊kept / q⌋)` may be below `rawSamples`.
 *
 * @throws CandidateGenerationError when constraints leave fewer than q feasible raw points.
 * @throws ShapeError / InputDataError when the raw sampler returns the wrong length or values
 *   outside [0, 1].
 */
export function drawRawBatches(options: ResolvedOptimizeAcqfOptions, q: number, seed: number): RawBatches {
  const { d, free, fixedValues, lower, upper, rawSamples, constraints } = options;
  const f = free.length;
  const source = options.rawSampler(q * f, seed);
  const draw = (): Float64Array => {
    const u = source.draw(rawSamples);
    if (u.length !== rawSamples * q * f) {
      throw new ShapeError(`optimizeAcqf: the raw sampler returned ${u.length} numbers; expected ${rawSamples} x ${q * f}.`);
    }
    return u;
  };
  const writePoint = (u: Float64Array, from: number, out: Float64Array, to: number): void => {
    for (let i = 0; i < d; i++) out[to + i] = fixedValues[i]!;
    for (let k = 0; k < f; k++) {
      const ui = u[from + k]!;
      if (!(ui >= 0 && ui <= 1)) throw new InputDataError(`optimizeAcqf: the raw sampler returned ${ui}; expected values in [0, 1].`);
      const i = free[k]!;
      out[to + i] = Math.min(upper[i]!, lower[i]! + ui * (upper[i]! - lower[i]!));
    }
  };

  if (constraints.length === 0) {
    const u = draw();
    const data = new Float64Array(rawSamples * q * d);
    for (let p = 0; p < rawSamples * q; p++) writePoint(u, p * f, data, p * d);
    return { data, n: rawSamples };
  }

  const target = rawSamples * q;
  const pool = new Float64Array(target * d);
  let kept = 0;
  let seen = 0;
  const point = new Float64Array(d);
  for (let round = 0; round < MAX_REJECTION_ROUNDS && kept < target; round++) {
    const u = draw();
    for (let p = 0; p < rawSamples * q && kept < target; p++) {
      writePoint(u, p * f, point, 0);
      seen++;
      if (pointFeasible(constraints, point, 0)) pool.set(point, d * kept++);
    }
  }
  const n = Math.floor(kept / q);
  if (n < 1) {
    throw new CandidateGenerationError(
      `optimizeAcqf: only ${kept} of ${seen} raw points satisfy the inequality constraints (with the fixed features applied); ` +
        `need at least q = ${q}. Check that the constraints, bounds and fixed features leave a feasible region of reasonable volume.`,
    );
  }
  return { data: pool.subarray(0, n * q * d), n };
}
