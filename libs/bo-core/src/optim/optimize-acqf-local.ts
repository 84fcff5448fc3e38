import type { AcquisitionFunction } from '../acquisition/acquisition.js';
import { ShapeError } from '../errors/errors.js';
import { clampedStart, runLbfgsb } from './lbfgsb.js';
import { resolveMinimizeOptions } from './minimize-options.js';
import type { ValueAndGradient } from './minimizer.js';
import { batchFeasible, constraintPenalty, repairTowards } from './optimize-acqf-constraints.js';
import type { ResolvedOptimizeAcqfOptions } from './optimize-acqf-options.js';

/**
 * Acquisition values of `n` q-batches (`n x q x d`, row-major), with at most `batchLimit`
 * t-batches per `acq.forward` call.
 *
 * @throws ShapeError when the acquisition returns the wrong number of values.
 */
export function scoreInChunks(
  acq: AcquisitionFunction,
  data: Float64Array,
  n: number,
  q: number,
  batchLimit: number,
): Float64Array {
  const d = acq.dim;
  const values = new Float64Array(n);
  for (let start = 0; start < n; start += batchLimit) {
    const b = Math.min(batchLimit, n - start);
    const out = acq.forward({ b, q, d, data: data.subarray(start * q * d, (start + b) * q * d) });
    if (out.length !== b) throw new ShapeError(`optimizeAcqf: acq.forward returned ${out.length} values for b = ${b}; expected ${b}.`);
    values.set(out, start);
  }
  return values;
}

/**
 * The L-BFGS-B objective over some coordinates of one `q x d` batch: the variables are
 * `X[positions[k]]` (flat indices into the batch), the other entries stay at `template`'s.
 *
 *   f(x) = −acq(X(x)) + P(X(x)),   ∇f = −(∂acq/∂X)[positions] + (∂P/∂X)[positions]
 *
 * with P the constraint penalty (zero when `rho = 0` or there are no constraints). A non-finite
 * acquisition value gives f = NaN, which L-BFGS-B treats as a failed trial step.
 */
export function acquisitionObjective(
  acq: AcquisitionFunction,
  template: Float64Array,
  positions: Int32Array,
  q: number,
  options: ResolvedOptimizeAcqfOptions,
  rho: number,
): ValueAndGradient {
  const d = acq.dim;
  const X = template.slice();
  const penaltyGrad = new Float64Array(q * d);
  const penalised = rho > 0 && options.constraints.length > 0;
  return (x, g) => {
    for (let k = 0; k < positions.length; k++) X[positions[k]!] = x[k]!;
    const { values, gradient } = acq.forwardWithGradient({ b: 1, q, d, data: X.slice() });
    if (values.length !== 1 || gradient.length !== q * d) {
      throw new ShapeError(
        `optimizeAcqf: acq.forwardWithGradient returned ${values.length} values and a gradient of length ` +
          `${gradient.length} for b = 1, q = ${q}, d = ${d}; expected 1 and ${q * d}.`,
      );
    }
    const v = values[0]!;
    if (!Number.isFinite(v)) return NaN;
    let f = -v;
    if (penalised) {
      penaltyGrad.fill(0);
      f += constraintPenalty(options.constraints, rho, X, q, d, penaltyGrad);
    }
    for (let k = 0; k < positions.length; k++) g[k] = -gradient[positions[k]!]! + penaltyGrad[positions[k]!]!;
    return f;
  };
}

/** The outcome of one local optimisation: the final batch, or why there is none. */
export type LocalRun =
  | { ok: true; X: Float64Array; iterations: number; evaluations: number }
  | { ok: false; message: string; evaluations: number };

/** Penalty rounds (exterior penalty continuation) when there are constraints. */
export const PENALTY_ROUNDS = 3;
/** Factor by which ρ grows from one penalty round to the next. */
export const PENALTY_GROWTH = 100;

/**
 * Maximises the acquisition over `X[positions]` of the `q x d` batch `start` with L-BFGS-B (box
 * bounds of each position's coordinate, `maxIterations` iterations per round).
 *
 * With constraints this is an exterior penalty method: up to {@link PENALTY_ROUNDS} rounds with
 * weights `rho, 100 rho, 10⁴ rho`, each warm-started at the previous optimum and skipped once that
 * optimum is feasible (a penalty optimum violates an active constraint by `O(‖∇acq‖ / ρ)`, so each
 * round shrinks the violation a hundredfold); then the last optimum is repaired towards `start`
 * ({@link repairTowards}), which must be feasible, so the result is exactly feasible.
 */
export function optimizeLocally(
  acq: AcquisitionFunction,
  start: Float64Array,
  positions: Int32Array,
  q: number,
  options: ResolvedOptimizeAcqfOptions,
  rho: number,
): LocalRun {
  const d = acq.dim;
  const n = positions.length;
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  const x0 = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const at = positions[k]!;
    lower[k] = options.lower[at % d]!;
    upper[k] = options.upper[at % d]!;
    x0[k] = start[at]!;
  }
  const resolved = resolveMinimizeOptions(n, { lower, upper, maxIterations: options.maxIterations });
  const constrained = options.constraints.length > 0;
  let X: Float64Array = start.slice();
  let x = clampedStart(x0, resolved, 'optimizeAcqf');
  let iterations = 0;
  let evaluations = 0;
  for (let round = 0; round < (constrained ? PENALTY_ROUNDS : 1); round++) {
    if (round > 0 && batchFeasible(options.constraints, X, q, d)) break;
    const outcome = runLbfgsb(acquisitionObjective(acq, X, positions, q, options, rho * PENALTY_GROWTH ** round), x, resolved);
    if (!outcome.ok) {
      if (round === 0) return { ok: false, message: outcome.message, evaluations: evaluations + 1 };
      break;
    }
    iterations += outcome.result.iterations;
    evaluations += outcome.result.evaluations;
    x = outcome.result.x;
    for (let k = 0; k < n; k++) X[positions[k]!] = x[k]!;
  }
  if (constrained) X = repairTowards(options.constraints, start, X, q, d);
  return { ok: true, X, iterations, evaluations };
}
