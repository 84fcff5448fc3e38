import { InputDataError, ShapeError } from '../errors/errors.js';
import { fromRows } from '../linalg/matrix.js';
import type { Matrix } from '../linalg/matrix.js';
import { Normalize } from '../transforms/normalize.js';
import { fitGP, type FitResult } from './fit-gp.js';
import { buildPresetModel, MODEL_PRESETS, resolvePreset, type ConcretePreset, type ModelPreset } from './presets.js';
import type { SingleTaskGP } from './single-task-gp.js';

/** Options of {@link fitGaussianProcess}. */
export interface FitGaussianProcessOptions {
  /**
   * `[lower, upper]` per input dimension. Points outside are rejected. Without bounds, the
   * training data's range is used (predictions far outside it extrapolate poorly).
   * @defaultValue the data's range
   */
  bounds?: readonly (readonly [number, number])[];
  /** Known observation noise variances, one per point, in y's units. @defaultValue inferred */
  noiseVariances?: readonly number[];
  /** Model configuration. @defaultValue 'default' */
  preset?: ModelPreset;
  /** Random restarts of the hyperparameter fit. @defaultValue 2 */
  restarts?: number;
  /** Seed of the fit's random restarts. @defaultValue 0 */
  seed?: number;
}

/** A fitted GP over plain arrays: the public entry point for regression. */
export interface GaussianProcess {
  /** Posterior mean and variance at `m x d` points (variance of f, or of a new y with `observationNoise`). */
  predict(X: readonly (readonly number[])[], options?: { observationNoise?: boolean }): { mean: number[]; variance: number[] };
  /** The fitted hyperparameters, by name (lengthscales in normalised units, noise in standardised units). */
  readonly hyperparameters: Record<string, number>;
  /** The configuration used (`default` resolved). */
  readonly preset: ConcretePreset;
  /** How the fit went: starts, objective, time. */
  readonly fit: FitResult;
  /** The underlying model, for posterior queries over q-batches. */
  readonly model: SingleTaskGP;
}

/**
 * Fits a Gaussian process to plain arrays and returns a predictor.
 *
 * @param X `n x d` inputs (`number[][]`).
 * @param y length n outcomes.
 * @throws InputDataError for empty, ragged, non-finite or out-of-bounds input; ShapeError for
 *   mismatched lengths; ModelFittingError when every fit attempt fails.
 *
 * @example
 * const gp = fitGaussianProcess([[0.1], [0.5], [0.9]], [1.0, 0.2, 0.7], { bounds: [[0, 1]] });
 * const { mean, variance } = gp.predict([[0.3]]);
 */
export function fitGaussianProcess(X: readonly (readonly number[])[], y: readonly number[], options: FitGaussianProcessOptions = {}): GaussianProcess {
  const Xm = validateInputs(X, 'X');
  validateOutcomes(y, Xm.rows);
  const preset = options.preset ?? 'default';
  if (!MODEL_PRESETS.includes(preset)) throw new InputDataError(`unknown preset '${String(preset)}'; expected one of ${MODEL_PRESETS.join(', ')}`);
  let normalize: Normalize;
  if (options.bounds) {
    if (options.bounds.length !== Xm.cols) {
      throw new ShapeError(`bounds has ${options.bounds.length} entries but the points have ${Xm.cols} dimensions; give one [lower, upper] per dimension`);
    }
    normalize = new Normalize(
      options.bounds.map((b) => b[0]),
      options.bounds.map((b) => b[1]),
    );
    normalize.assertWithinBounds(Xm);
  } else {
    normalize = Normalize.fromData(Xm);
  }
  if (options.noiseVariances && options.noiseVariances.length !== Xm.rows) {
    throw new ShapeError(`noiseVariances has ${options.noiseVariances.length} values for ${Xm.rows} points; give one per point`);
  }
  const concrete = resolvePreset(preset);
  const { model, noiseFloor } = buildPresetModel(concrete, Xm, y, normalize, options.noiseVariances);
  const fit = fitGP(model, { noiseFloor, restarts: options.restarts ?? 2, seed: options.seed ?? 0 });
  const names = model.hyperparameterNames();
  const hyperparameters: Record<string, number> = {};
  names.forEach((name, i) => {
    const raw = fit.hyperparameters[i]!;
    if (name === 'mean_constant') hyperparameters[name] = raw;
    else hyperparameters[name.replace(/^log_/, '')] = Math.exp(raw);
  });
  return {
    model,
    fit,
    preset: concrete,
    hyperparameters,
    predict(Xnew, predictOptions = {}) {
      const P = validateInputs(Xnew, 'X (prediction)');
      if (P.cols !== Xm.cols) throw new ShapeError(`predict: points have ${P.cols} dimensions, the model was fitted on ${Xm.cols}`);
      const r = model.predict(P, { observationNoise: predictOptions.observationNoise ?? false });
      return { mean: Array.from(r.mean), variance: Array.from(r.variance) };
    },
  };
}

function validateInputs(X: readonly (readonly number[])[], what: string): Matrix {
  if (!Array.isArray(X) || X.length === 0) throw new InputDataError(`${what} has no points; give at least one row`);
  // Index loops, not forEach: forEach skips the holes of sparse arrays, which would pass unchecked.
  let d = 0;
  for (let i = 0; i < X.length; i++) {
    const row: unknown = X[i];
    if (!Array.isArray(row)) throw new InputDataError(`${what}[${i}] is not an array; give each point as an array of numbers`);
    if (i === 0) {
      d = row.length;
      if (d === 0) throw new InputDataError(`${what} rows are empty; each point needs at least one coordinate`);
    }
    if (row.length !== d) throw new InputDataError(`${what} is ragged: row ${i} has ${row.length} coordinates, row 0 has ${d}`);
    for (let j = 0; j < row.length; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputDataError(`${what}[${i}][${j}] is ${String(v)}; every coordinate must be a finite number`);
    }
  }
  return fromRows(X);
}

function validateOutcomes(y: readonly number[], n: number): void {
  if (!Array.isArray(y)) throw new InputDataError('y must be an array of numbers');
  if (y.length !== n) throw new ShapeError(`y has ${y.length} values but X has ${n} points; give one outcome per point`);
  for (let i = 0; i < y.length; i++) {
    const v: unknown = y[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputDataError(`y[${i}] is ${String(v)}; outcomes must be finite numbers (drop failed evaluations instead)`);
  }
}
