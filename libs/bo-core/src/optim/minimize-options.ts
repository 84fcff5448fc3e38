import { InputDataError, ShapeError } from '../errors/errors.js';
import type { MinimizeOptions } from './minimizer.js';

/** {@link MinimizeOptions} with every default filled in and every value checked. */
export interface ResolvedMinimizeOptions {
  /** Number of variables. */
  readonly n: number;
  /** Lower bounds (−Infinity where unbounded). */
  readonly lower: Float64Array;
  /** Upper bounds (+Infinity where unbounded). */
  readonly upper: Float64Array;
  /** Whether any bound is finite. */
  readonly constrained: boolean;
  /** Whether every variable has both bounds finite. */
  readonly boxed: boolean;
  readonly maxIterations: number;
  readonly maxEvaluations: number;
  readonly gradTolerance: number;
  readonly relTolerance: number;
  readonly memory: number;
}

/** Default of {@link MinimizeOptions.maxIterations}. */
export const DEFAULT_MAX_ITERATIONS = 200;
/** Default of {@link MinimizeOptions.gradTolerance}. */
export const DEFAULT_GRAD_TOLERANCE = 1e-5;
/** Default of {@link MinimizeOptions.relTolerance}. */
export const DEFAULT_REL_TOLERANCE = 1e-9;
/** Default of {@link MinimizeOptions.memory}. */
export const DEFAULT_MEMORY = 10;

/**
 * Fills in the defaults of {@link MinimizeOptions} for an `n`-variable problem and validates them:
 * the one place that does.
 *
 * - `lower` / `upper`: length n; `lower[i]` may be −Infinity, `upper[i]` +Infinity; neither NaN;
 *   `lower[i] ≤ upper[i]` (equal fixes the variable). Default: unbounded.
 * - `maxIterations`: integer ≥ 0. Default {@link DEFAULT_MAX_ITERATIONS}.
 * - `maxEvaluations`: integer ≥ 1. Default `2 · maxIterations + 20`.
 * - `gradTolerance`, `relTolerance`: finite, ≥ 0. Defaults {@link DEFAULT_GRAD_TOLERANCE},
 *   {@link DEFAULT_REL_TOLERANCE}.
 * - `memory`: integer ≥ 1. Default {@link DEFAULT_MEMORY}.
 *
 * @throws ShapeError when a bound array's length is not n.
 * @throws InputDataError for any other invalid value.
 */
export function resolveMinimizeOptions(n: number, options: MinimizeOptions = {}): ResolvedMinimizeOptions {
  const lower = resolveBound(n, options.lower, -Infinity, 'lower');
  const upper = resolveBound(n, options.upper, Infinity, 'upper');
  let constrained = false;
  let boxed = true;
  for (let i = 0; i < n; i++) {
    const lo = lower[i]!;
    const hi = upper[i]!;
    if (lo === Infinity || hi === -Infinity) {
      throw new InputDataError(
        `minimize: bounds of variable ${i} are [${lo}, ${hi}]; expected lower < +Infinity and upper > -Infinity.`,
      );
    }
    if (lo > hi) {
      throw new InputDataError(
        `minimize: lower[${i}] = ${lo} exceeds upper[${i}] = ${hi}; expected lower <= upper (swap them?).`,
      );
    }
    const finiteLo = lo > -Infinity;
    const finiteHi = hi < Infinity;
    if (finiteLo || finiteHi) constrained = true;
    if (!(finiteLo && finiteHi)) boxed = false;
  }
  const maxIterations = resolveInteger(options.maxIterations, DEFAULT_MAX_ITERATIONS, 0, 'maxIterations');
  const maxEvaluations = resolveInteger(options.maxEvaluations, 2 * maxIterations + 20, 1, 'maxEvaluations');
  const gradTolerance = resolveTolerance(options.gradTolerance, DEFAULT_GRAD_TOLERANCE, 'gradTolerance');
  const relTolerance = resolveTolerance(options.relTolerance, DEFAULT_REL_TOLERANCE, 'relTolerance');
  const memory = resolveInteger(options.memory, DEFAULT_MEMORY, 1, 'memory');
  return { n, lower, upper, constrained, boxed, maxIterations, maxEvaluations, gradTolerance, relTolerance, memory };
}

function resolveBound(
  n: number,
  given: ArrayLike<number> | undefined,
  fill: number,
  name: 'lower' | 'upper',
): Float64Array {
  const out = new Float64Array(n).fill(fill);
  if (given === undefined) return out;
  if (given.length !== n) {
    throw new ShapeError(
      `minimize: expected ${name} bounds of length ${n} (one per variable), got ${given.length}.`,
    );
  }
  for (let i = 0; i < n; i++) {
    const v = given[i]!;
    if (Number.isNaN(v)) {
      throw new InputDataError(
        `minimize: ${name}[${i}] is NaN; use ${fill} for an unbounded side.`,
      );
    }
    out[i] = v;
  }
  return out;
}

function resolveInteger(given: number | undefined, fallback: number, min: number, name: string): number {
  if (given === undefined) return fallback;
  if (!(Number.isInteger(given) && given >= min)) {
    throw new InputDataError(`minimize: expected ${name} to be an integer >= ${min}, got ${given}.`);
  }
  return given;
}

function resolveTolerance(given: number | undefined, fallback: number, name: string): number {
  if (given === undefined) return fallback;
  if (!(Number.isFinite(given) && given >= 0)) {
    throw new InputDataError(`minimize: expected ${name} to be finite and >= 0, got ${given}.`);
  }
  return given;
}
