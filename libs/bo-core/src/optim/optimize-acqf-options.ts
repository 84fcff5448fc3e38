import type { AcquisitionFunction } from '../acquisition/acquisition.js';
import { InputDataError, ShapeError } from '../errors/errors.js';
import { DEFAULT_BOLTZMANN_ETA } from './initial-conditions.js';
import { defaultRawSampler, type RawSamplerFactory } from './optimize-acqf-raw-sampler.js';
import type { RawScorer } from './optimize-acqf-raw-scorer.js';

/** Box bounds, one entry per input dimension. */
export interface OptimizeAcqfBounds {
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
}

/**
 * An integer (or ordinal) coordinate encoded in the unit cube: level `k ∈ {0, …, levels − 1}` is
 * the centre `(k + 0.5) / levels` of the k-th of `levels` equal cells. Only centres inside the
 * coordinate's bounds are allowed (a trust region may exclude some levels).
 */
export interface IntegerCoordinate {
  readonly index: number;
  readonly levels: number;
  /**
   * Explicit level positions in the unit cube (length `levels`, ascending), for levels that are
   * not equal cells — e.g. a log-scaled integer. @defaultValue the centres `(k + 0.5) / levels`
   */
  readonly centres?: ArrayLike<number>;
}

/**
 * A categorical parameter one-hot encoded in the coordinates `indices` (≥ 2 of them, bounds
 * exactly [0, 1]): a valid value has one coordinate 1 and the rest 0.
 */
export interface OneHotGroup {
  readonly indices: readonly number[];
}

export type DiscreteCoordinate = IntegerCoordinate | OneHotGroup;

/**
 * One linear inequality on the coordinates of every point: `Σ_k c_k u_{i_k} ≤ rhs` (sparse; an
 * empty sum is allowed and reads `0 ≤ rhs`).
 */
export interface LinearInequality {
  readonly indices: readonly number[];
  readonly coefficients: readonly number[];
  readonly rhs: number;
}

export interface OptimizeAcqfOptions {
  /** Points per candidate batch. @defaultValue 1 */
  q?: number;
  /** Box to search, one entry per dimension, `lower < upper`. @defaultValue the unit cube [0, 1]^d */
  bounds?: OptimizeAcqfBounds;
  /** Gradient-based restarts (L-BFGS-B runs). @defaultValue 10 */
  numRestarts?: number;
  /** Raw q-batches scored to pick the restarts' starting points; ≥ numRestarts. @defaultValue 512 */
  rawSamples?: number;
  /** L-BFGS-B iteration limit per restart. @defaultValue 200 */
  maxIterations?: number;
  /** Seed of the raw sampler and of the initial-condition draw (an integer). @defaultValue 0 */
  seed?: number;
  /** Greedy one-point-at-a-time optimisation instead of joint. @defaultValue false */
  sequential?: boolean;
  /**
   * For `sequential`: the acquisition function with the `k x d` points chosen so far added as
   * pending points (the original function's own pending points kept). Required when sequential.
   * @defaultValue undefined
   */
  withPending?: (points: Float64Array) => AcquisitionFunction;
  /** Coordinates held at a constant value (any finite value) and not optimised. @defaultValue {} */
  fixedFeatures?: Readonly<Record<number, number>>;
  /** Integer coordinates and one-hot groups; disjoint, and disjoint from fixedFeatures. @defaultValue [] */
  discrete?: readonly DiscreteCoordinate[];
  /** At most this many discrete decisions are enumerated per restart (≤ 2^k rounded candidates). @defaultValue 6 */
  maxEnumerated?: number;
  /**
   * How many of the best distinct rounded candidates (over all restarts) get their continuous
   * coordinates re-optimised with the discrete ones fixed; 0 turns refinement off. @defaultValue 8
   */
  numRefinements?: number;
  /** Linear inequalities that every point must satisfy. @defaultValue [] */
  inequalityConstraints?: readonly LinearInequality[];
  /**
   * Initial weight of the quadratic penalty `ρ Σ max(0, a·u − b)²`, `ρ = constraintPenalty · s`,
   * added to −acq during L-BFGS-B when there are inequality constraints (s: the standard deviation
   * of the raw acquisition values); raised ×100 twice while the optimum stays infeasible.
   * @defaultValue 10000
   */
  constraintPenalty?: number;
  /** At most this many t-batches per `forward` call when scoring raw or rounded candidates. @defaultValue 128 */
  batchLimit?: number;
  /** Inverse temperature η of the Boltzmann initial-condition draw. @defaultValue 1 */
  eta?: number;
  /** Source of raw points in [0, 1)^dim. @defaultValue scrambled Sobol (`sobolRawSampler`) */
  rawSampler?: RawSamplerFactory;
  /**
   * Scores the raw q-batches (step 1) in place of `acq.forward`, e.g. a float32 TensorFlow.js
   * scorer of the same acquisition ({@link RawScorer}; `makeTfRawScorer`). Only the choice of
   * starting points uses it: L-BFGS-B, rounding and the reported values use `acq`. In sequential
   * mode step k uses `rawScorer.withPending(x₀…x_{k−1})` (and `acq.forward` when the scorer has no
   * `withPending`). optimizeAcqf never disposes this scorer; it disposes the ones it derives.
   * @defaultValue undefined (raw batches scored with `acq.forward`)
   */
  rawScorer?: RawScorer;
  /**
   * With discrete coordinates: never return a batch in which rounding made two points the same, or
   * a point the same as one of `distinctFrom` (or, in sequential mode, as a point chosen at an
   * earlier step); the best batch without a duplicate wins instead (BoTorch's `unique` of
   * `optimize_acqf_discrete`). Points are the same when every coordinate differs by at most
   * 1e-6 of its bound width. When every candidate has a duplicate, the best is returned anyway.
   * No effect without discrete coordinates. @defaultValue true
   */
  unique?: boolean;
  /**
   * `k x d` points (e.g. the pending trials) that `unique` keeps the candidates distinct from.
   * @defaultValue none
   */
  distinctFrom?: Float64Array;
}

/** An integer coordinate with its allowed level centres (inside the bounds), ascending. */
export interface ResolvedInteger {
  readonly index: number;
  readonly levels: Float64Array;
}

export interface ResolvedLinearInequality {
  readonly indices: Int32Array;
  readonly coefficients: Float64Array;
  readonly rhs: number;
}

/** {@link OptimizeAcqfOptions} with every default filled in and every value checked. */
export interface ResolvedOptimizeAcqfOptions {
  readonly d: number;
  readonly q: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly numRestarts: number;
  readonly rawSamples: number;
  readonly maxIterations: number;
  readonly seed: number;
  readonly sequential: boolean;
  readonly withPending: ((points: Float64Array) => AcquisitionFunction) | null;
  /** Length d: the fixed value, or NaN where the coordinate is optimised. */
  readonly fixedValues: Float64Array;
  /** Optimised coordinates of a point, ascending. */
  readonly free: Int32Array;
  readonly integers: readonly ResolvedInteger[];
  readonly oneHot: readonly Int32Array[];
  readonly maxEnumerated: number;
  readonly numRefinements: number;
  readonly constraints: readonly ResolvedLinearInequality[];
  readonly constraintPenalty: number;
  readonly batchLimit: number;
  readonly eta: number;
  readonly rawSampler: RawSamplerFactory;
  readonly rawScorer: RawScorer | null;
  readonly unique: boolean;
  /** `k x d`; empty when none. */
  readonly distinctFrom: Float64Array;
}

export const DEFAULT_NUM_RESTARTS = 10;
export const DEFAULT_RAW_SAMPLES = 512;
export const DEFAULT_ACQF_MAX_ITERATIONS = 200;
export const DEFAULT_MAX_ENUMERATED = 6;
export const DEFAULT_NUM_REFINEMENTS = 8;
export const DEFAULT_CONSTRAINT_PENALTY = 1e4;
export const DEFAULT_BATCH_LIMIT = 128;
/** Hard cap on {@link OptimizeAcqfOptions.maxEnumerated} (2^16 candidates per restart). */
const MAX_ENUMERATED_CAP = 16;

/**
 * Fills in the defaults of {@link OptimizeAcqfOptions} for a `d`-dimensional acquisition function
 * and validates them: the one place that does.
 *
 * @throws ShapeError when a bound's length is not d.
 * @throws InputDataError for every other invalid option (each message names the option).
 */
export function resolveOptimizeAcqfOptions(d: number, options: OptimizeAcqfOptions = {}): ResolvedOptimizeAcqfOptions {
  if (!(Number.isInteger(d) && d >= 1)) throw new ShapeError(`optimizeAcqf: the acquisition's dim must be an integer >= 1, got ${d}.`);
  const q = integerOption(options.q, 1, 1, 'q');
  const numRestarts = integerOption(options.numRestarts, DEFAULT_NUM_RESTARTS, 1, 'numRestarts');
  const rawSamples = integerOption(options.rawSamples, DEFAULT_RAW_SAMPLES, numRestarts, 'rawSamples');
  const maxIterations = integerOption(options.maxIterations, DEFAULT_ACQF_MAX_ITERATIONS, 0, 'maxIterations');
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new InputDataError(`optimizeAcqf: expected seed to be an integer, got ${seed}.`);
  const sequential = options.sequential ?? false;
  const withPending = options.withPending ?? null;
  if (sequential && q > 1 && withPending === null) {
    throw new InputDataError(
      'optimizeAcqf: sequential optimisation with q > 1 needs `withPending` (the acquisition function with ' +
        'the points chosen so far as pending); pass it or use sequential: false.',
    );
  }
  const { lower, upper } = resolveBounds(d, options.bounds);
  const fixedValues = resolveFixed(d, options.fixedFeatures);
  const { integers, oneHot } = resolveDiscrete(d, options.discrete ?? [], lower, upper, fixedValues);
  const free: number[] = [];
  for (let i = 0; i < d; i++) if (Number.isNaN(fixedValues[i]!)) free.push(i);
  if (free.length === 0) {
    throw new InputDataError('optimizeAcqf: every coordinate is in fixedFeatures; expected at least one free coordinate to optimise.');
  }
  const maxEnumerated = integerOption(options.maxEnumerated, DEFAULT_MAX_ENUMERATED, 0, 'maxEnumerated');
  if (maxEnumerated > MAX_ENUMERATED_CAP) {
    throw new InputDataError(
      `optimizeAcqf: expected maxEnumerated <= ${MAX_ENUMERATED_CAP} (2^k candidates each restart), got ${maxEnumerated}.`,
    );
  }
  const constraintPenalty = options.constraintPenalty ?? DEFAULT_CONSTRAINT_PENALTY;
  if (!(Number.isFinite(constraintPenalty) && constraintPenalty > 0)) {
    throw new InputDataError(`optimizeAcqf: expected constraintPenalty to be finite and > 0, got ${constraintPenalty}.`);
  }
  const eta = options.eta ?? DEFAULT_BOLTZMANN_ETA;
  if (!(Number.isFinite(eta) && eta >= 0)) throw new InputDataError(`optimizeAcqf: expected eta to be finite and >= 0, got ${eta}.`);
  return {
    d,
    q,
    lower,
    upper,
    numRestarts,
    rawSamples,
    maxIterations,
    seed,
    sequential,
    withPending,
    fixedValues,
    free: Int32Array.from(free),
    integers,
    oneHot,
    maxEnumerated,
    numRefinements: integerOption(options.numRefinements, DEFAULT_NUM_REFINEMENTS, 0, 'numRefinements'),
    constraints: resolveConstraints(d, options.inequalityConstraints ?? []),
    constraintPenalty,
    batchLimit: integerOption(options.batchLimit, DEFAULT_BATCH_LIMIT, 1, 'batchLimit'),
    eta,
    rawSampler: options.rawSampler ?? defaultRawSampler,
    rawScorer: options.rawScorer ?? null,
    unique: options.unique ?? true,
    distinctFrom: resolveDistinctFrom(d, options.distinctFrom),
  };
}

function resolveDistinctFrom(d: number, points: Float64Array | undefined): Float64Array {
  if (points === undefined) return new Float64Array(0);
  if (points.length % d !== 0) {
    throw new ShapeError(`optimizeAcqf: distinctFrom has ${points.length} values; expected k x d with d = ${d}.`);
  }
  return points.slice();
}

function integerOption(given: number | undefined, fallback: number, min: number, name: string): number {
  if (given === undefined) return fallback;
  if (!(Number.isInteger(given) && given >= min)) {
    throw new InputDataError(`optimizeAcqf: expected ${name} to be an integer >= ${min}, got ${given}.`);
  }
  return given;
}

function resolveBounds(d: number, bounds: OptimizeAcqfBounds | undefined): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(d);
  const upper = new Float64Array(d).fill(1);
  if (bounds === undefined) return { lower, upper };
  if (bounds.lower.length !== d || bounds.upper.length !== d) {
    throw new ShapeError(
      `optimizeAcqf: expected bounds.lower and bounds.upper of length d = ${d}, got ${bounds.lower.length} and ${bounds.upper.length}.`,
    );
  }
  for (let i = 0; i < d; i++) {
    const lo = bounds.lower[i]!;
    const hi = bounds.upper[i]!;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      throw new InputDataError(`optimizeAcqf: bounds of coordinate ${i} are [${lo}, ${hi}]; expected finite lower < upper.`);
    }
    lower[i] = lo;
    upper[i] = hi;
  }
  return { lower, upper };
}

function checkIndex(d: number, index: number, what: string): void {
  if (!(Number.isInteger(index) && index >= 0 && index < d)) {
    throw new InputDataError(`optimizeAcqf: ${what} index ${index} is not a coordinate; expected an integer in [0, ${d - 1}].`);
  }
}

function resolveFixed(d: number, fixed: Readonly<Record<number, number>> | undefined): Float64Array {
  const values = new Float64Array(d).fill(NaN);
  for (const [key, value] of Object.entries(fixed ?? {})) {
    const index = Number(key);
    checkIndex(d, index, 'fixedFeatures');
    if (!Number.isFinite(value)) throw new InputDataError(`optimizeAcqf: fixedFeatures[${index}] is ${value}; expected a finite number.`);
    values[index] = value;
  }
  return values;
}

function resolveDiscrete(
  d: number,
  specs: readonly DiscreteCoordinate[],
  lower: Float64Array,
  upper: Float64Array,
  fixedValues: Float64Array,
): { integers: ResolvedInteger[]; oneHot: Int32Array[] } {
  const claimed = new Set<number>();
  const claim = (index: number, what: string): void => {
    checkIndex(d, index, what);
    if (claimed.has(index)) throw new InputDataError(`optimizeAcqf: coordinate ${index} appears in more than one discrete entry.`);
    if (!Number.isNaN(fixedValues[index]!)) {
      throw new InputDataError(
        `optimizeAcqf: coordinate ${index} is both fixed and discrete; a fixed coordinate is not optimised, so drop it from \`discrete\`.`,
      );
    }
    claimed.add(index);
  };
  const integers: ResolvedInteger[] = [];
  const oneHot: Int32Array[] = [];
  for (const spec of specs) {
    if ('indices' in spec) {
      if (spec.indices.length < 2) {
        throw new InputDataError(`optimizeAcqf: a one-hot group needs at least 2 coordinates, got [${spec.indices.join(', ')}].`);
      }
      for (const i of spec.indices) {
        claim(i, 'one-hot');
        if (lower[i] !== 0 || upper[i] !== 1) {
          throw new InputDataError(`optimizeAcqf: one-hot coordinate ${i} has bounds [${lower[i]}, ${upper[i]}]; expected exactly [0, 1].`);
        }
      }
      oneHot.push(Int32Array.from(spec.indices));
    } else {
      claim(spec.index, 'integer');
      if (!(Number.isInteger(spec.levels) && spec.levels >= 1)) {
        throw new InputDataError(`optimizeAcqf: integer coordinate ${spec.index} has levels = ${spec.levels}; expected an integer >= 1.`);
      }
      if (spec.centres && spec.centres.length !== spec.levels) {
        throw new InputDataError(`optimizeAcqf: integer coordinate ${spec.index} has ${spec.centres.length} centres for ${spec.levels} levels.`);
      }
      const allowed: number[] = [];
      for (let k = 0; k < spec.levels; k++) {
        const centre = spec.centres ? spec.centres[k]! : (k + 0.5) / spec.levels;
        if (k > 0 && spec.centres && !(centre > spec.centres[k - 1]!)) {
          throw new InputDataError(`optimizeAcqf: the centres of integer coordinate ${spec.index} must be strictly ascending (centre ${k} is ${centre}).`);
        }
        if (centre >= lower[spec.index]! && centre <= upper[spec.index]!) allowed.push(centre);
      }
      if (allowed.length === 0) {
        throw new InputDataError(
          `optimizeAcqf: no level centre (k + 0.5) / ${spec.levels} of integer coordinate ${spec.index} lies ` +
            `inside its bounds [${lower[spec.index]}, ${upper[spec.index]}].`,
        );
      }
      integers.push({ index: spec.index, levels: Float64Array.from(allowed) });
    }
  }
  return { integers, oneHot };
}

function resolveConstraints(d: number, constraints: readonly LinearInequality[]): ResolvedLinearInequality[] {
  return constraints.map((c, k) => {
    if (c.indices.length !== c.coefficients.length) {
      throw new InputDataError(
        `optimizeAcqf: inequality constraint ${k} has ${c.indices.length} indices and ` +
          `${c.coefficients.length} coefficients; expected one coefficient per index.`,
      );
    }
    for (const i of c.indices) checkIndex(d, i, `inequality constraint ${k}`);
    if (!c.coefficients.every(Number.isFinite) || !Number.isFinite(c.rhs)) {
      throw new InputDataError(`optimizeAcqf: inequality constraint ${k} has a non-finite coefficient or rhs.`);
    }
    return { indices: Int32Array.from(c.indices), coefficients: Float64Array.from(c.coefficients), rhs: c.rhs };
  });
}
