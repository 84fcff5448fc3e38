import { InputDataError, ShapeError } from '../errors/errors.js';
import { maxFeasibleStep, projectedGradientNorm, projectInPlace } from './box.js';
import { generalizedCauchyPoint } from './cauchy-point.js';
import { LbfgsMemory, dot } from './lbfgs-memory.js';
import { strongWolfeLineSearch } from './line-search.js';
import { resolveMinimizeOptions, type ResolvedMinimizeOptions } from './minimize-options.js';
import type { MinimizeOptions, MinimizeResult, ValueAndGradient } from './minimizer.js';
import { subspaceMinimization } from './subspace-minimization.js';
import { TrackedObjective } from './tracked-objective.js';

/** The line search's upper limit on the step when no bound limits it. */
const UNBOUNDED_STEP_MAX = 1e10;

/**
 * Minimises a smooth function subject to bounds `lower ≤ x ≤ upper` with L-BFGS-B (Byrd, Lu,
 * Nocedal & Zhu 1995, with the 2011 projection remark of Morales & Nocedal). Each iteration:
 *
 * 1. the generalized Cauchy point x^c along the projected gradient path of the limited-memory
 *    quadratic model `m(x + z) = f + gᵀz + ½ zᵀBz` fixes the variables that hit a bound
 *    ({@link generalizedCauchyPoint});
 * 2. subspace minimisation of the model over the remaining free variables gives x̄
 *    ({@link subspaceMinimization}); `d = x̄ − x` is a feasible descent direction;
 * 3. a strong-Wolfe line search on `x + α d` ({@link strongWolfeLineSearch}) with the first trial
 *    `α = 1` — except with an empty memory on a problem that is not fully boxed, where
 *    `α = 1/‖d‖₂` (a first step of unit length); `α` is limited to the feasible range (to 1 on the
 *    very first iteration of a constrained problem);
 * 4. the pair `s = x₊ − x`, `y = g₊ − g` updates the memory unless `sᵀy ≤ ε yᵀy`.
 *
 * When a direction is not a descent direction or the line search fails, the memory is dropped and
 * the iteration retried from the steepest-descent model; if that fails too the run ends with
 * `line-search-failed`. Points where f or the gradient is not finite are failed trial steps (the
 * line search retreats); the returned point is always the best finite one seen.
 *
 * Stopping tests, after each iteration: `‖P(x − g) − x‖_∞ ≤ gradTolerance` (`converged-grad`, also
 * tested at the start); `(f_prev − f) ≤ relTolerance · max(|f_prev|, |f|, 1)` (`converged-f`); then
 * the iteration and evaluation limits.
 *
 * @param fg objective and gradient.
 * @param x0 starting point; clamped into the box. Must be finite, and f and its gradient must be
 *   finite there.
 * @param options see {@link MinimizeOptions}; resolved by {@link resolveMinimizeOptions}.
 * @throws ShapeError when x0 is empty or a bound's length differs from x0's.
 * @throws InputDataError for invalid bounds or options, a non-finite x0, or a non-finite f or gradient
 *   at the (clamped) start.
 */
export function minimizeLbfgsb(
  fg: ValueAndGradient,
  x0: ArrayLike<number>,
  options?: MinimizeOptions,
): MinimizeResult {
  if (x0.length === 0) {
    throw new ShapeError('minimizeLbfgsb: expected a starting point with at least one variable, got length 0.');
  }
  const resolved = resolveMinimizeOptions(x0.length, options);
  const outcome = runLbfgsb(fg, clampedStart(x0, resolved, 'minimizeLbfgsb'), resolved);
  if (!outcome.ok) throw new InputDataError(`minimizeLbfgsb: ${outcome.message}`);
  return outcome.result;
}

/** A run's result, or why it could not start (non-finite objective at the start). */
export type LbfgsbOutcome = { ok: true; result: MinimizeResult } | { ok: false; message: string };

/**
 * Validates a starting point against resolved options and returns it clamped into the box.
 *
 * @throws ShapeError on a length mismatch; InputDataError on a non-finite coordinate.
 */
export function clampedStart(x0: ArrayLike<number>, options: ResolvedMinimizeOptions, caller: string): Float64Array {
  if (x0.length !== options.n) {
    throw new ShapeError(`${caller}: expected a starting point of length ${options.n}, got ${x0.length}.`);
  }
  const x = new Float64Array(options.n);
  for (let i = 0; i < options.n; i++) {
    const v = x0[i]!;
    if (!Number.isFinite(v)) {
      throw new InputDataError(`${caller}: starting point coordinate ${i} is ${v}; expected a finite number.`);
    }
    x[i] = v;
  }
  return projectInPlace(x, options.lower, options.upper);
}

/** The L-BFGS-B iteration of {@link minimizeLbfgsb} from a validated, feasible start. */
export function runLbfgsb(fg: ValueAndGradient, start: Float64Array, options: ResolvedMinimizeOptions): LbfgsbOutcome {
  const { n, lower, upper } = options;
  const objective = new TrackedObjective(fg, options.maxEvaluations);
  let x = start;
  const first = objective.evaluate(x);
  if (!first.finite) {
    return {
      ok: false,
      message:
        `the objective is not finite at the starting point (f = ${first.f}, gradient ${
          Array.from(first.g).some((v) => !Number.isFinite(v)) ? 'not finite' : 'finite'
        }); expected finite values there. Start from a point where the objective is defined.`,
    };
  }
  let f = first.f;
  let g = first.g;
  const memory = new LbfgsMemory(n, options.memory);
  let iterations = 0;
  const finish = (reason: MinimizeResult['reason']): LbfgsbOutcome => ({
    ok: true,
    result: {
      x: (objective.bestX ?? x).slice(),
      f: objective.bestX === null ? f : objective.bestF,
      iterations,
      evaluations: objective.evaluations,
      reason,
    },
  });

  if (projectedGradientNorm(x, g, lower, upper) <= options.gradTolerance) return finish('converged-grad');
  for (;;) {
    if (iterations >= options.maxIterations) return finish('max-iterations');
    if (objective.exhausted) return finish('max-evaluations');

    const cauchy = generalizedCauchyPoint(x, g, lower, upper, memory);
    const xbar = subspaceMinimization(x, g, lower, upper, memory, cauchy);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = xbar[i]! - x[i]!;
    if (!(dot(g, d) < 0)) {
      if (memory.size > 0) {
        memory.reset();
        continue;
      }
      return finish('line-search-failed');
    }

    let alphaMax = UNBOUNDED_STEP_MAX;
    if (options.constrained) {
      alphaMax = iterations === 0 ? 1 : Math.min(UNBOUNDED_STEP_MAX, Math.max(1, maxFeasibleStep(x, d, lower, upper)));
    }
    const alphaInitial = memory.size === 0 && !options.boxed ? 1 / Math.sqrt(dot(d, d)) : 1;
    const search = strongWolfeLineSearch(objective, x, f, g, d, lower, upper, alphaInitial, alphaMax);
    const point = search.point;
    if (point === null) {
      if (search.status === 'budget') return finish('max-evaluations');
      if (memory.size > 0) {
        memory.reset();
        continue;
      }
      return finish('line-search-failed');
    }

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = point.x[i]! - x[i]!;
      y[i] = point.g[i]! - g[i]!;
    }
    const fPrev = f;
    x = point.x;
    f = point.f;
    g = point.g;
    iterations++;
    if (projectedGradientNorm(x, g, lower, upper) <= options.gradTolerance) return finish('converged-grad');
    if (fPrev - f <= options.relTolerance * Math.max(Math.abs(fPrev), Math.abs(f), 1)) return finish('converged-f');
    memory.push(s, y);
  }
}
