import { InputDataError, ShapeError } from '../errors/errors.js';
import type { Matrix } from '../linalg/matrix.js';

/**
 * Argument checks shared by the kernels. Every check throws a typed error whose message names the
 * kernel, what was expected and what came.
 */

/** `dim` must be an integer ≥ 1 (ShapeError otherwise). */
export function checkDim(kernel: string, dim: number): void {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new ShapeError(`${kernel}: dim must be an integer >= 1, got ${dim}`);
  }
}

/** `X` must have `dim` columns (ShapeError otherwise). */
export function checkInputs(kernel: string, name: string, X: Matrix, dim: number): void {
  if (X.cols !== dim) {
    throw new ShapeError(`${kernel}: ${name} must have ${dim} columns (the kernel's dim), got ${X.rows} x ${X.cols}`);
  }
}

/** A single point `x` must have length `dim` (ShapeError otherwise). */
export function checkPoint(kernel: string, x: ArrayLike<number>, dim: number): void {
  if (x.length !== dim) {
    throw new ShapeError(`${kernel}: point x must have length ${dim} (the kernel's dim), got ${x.length}`);
  }
}

/** The weight matrix of a contracted gradient must be `n x n` (ShapeError otherwise). */
export function checkWeights(kernel: string, X: Matrix, W: Matrix): void {
  if (W.rows !== X.rows || W.cols !== X.rows) {
    throw new ShapeError(`${kernel}: W must be ${X.rows} x ${X.rows} (n x n for X with n = ${X.rows} rows), got ${W.rows} x ${W.cols}`);
  }
}

/**
 * A raw hyperparameter vector must have the expected length (ShapeError) and finite entries
 * (InputDataError).
 */
export function checkHyperparameters(kernel: string, theta: ArrayLike<number>, expected: number): void {
  if (theta.length !== expected) {
    throw new ShapeError(`${kernel}: expected ${expected} raw hyperparameters, got ${theta.length}`);
  }
  for (let k = 0; k < expected; k++) {
    const v = theta[k]!;
    if (!Number.isFinite(v)) {
      throw new InputDataError(`${kernel}: raw hyperparameter ${k} must be finite, got ${v}`);
    }
  }
}

/** A positive scale parameter (lengthscale, outputscale) must be finite and > 0 (InputDataError). */
export function checkPositive(kernel: string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InputDataError(`${kernel}: ${name} must be positive and finite, got ${value}`);
  }
}
