import { InputDataError, ShapeError } from '../errors/errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { zeros } from '../linalg/matrix.js';
import type { InputTransform } from './input-transform.js';

export interface NormalizeOptions {
  /**
   * How far outside the bounds a point may lie, as a fraction of the range, before it is
   * rejected (rounding in the caller's arithmetic, not real violations).
   * @defaultValue 1e-9
   */
  tolerance?: number;
}

/**
 * Input normalisation to the unit cube: `z_j = (x_j - lower_j) / (upper_j - lower_j)`.
 *
 * With explicit bounds, training points outside them are an input error (the model's priors
 * assume the unit cube). {@link Normalize.fromData} learns the bounds from the data instead, as
 * BoTorch's Normalize does without bounds; a dimension with zero range gets range 1.
 */
export class Normalize implements InputTransform {
  readonly dim: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  private readonly range: Float64Array;
  private readonly tolerance: number;

  /**
   * @param lower length d, the lower bounds.
   * @param upper length d, the upper bounds; each strictly above its lower bound.
   */
  constructor(lower: ArrayLike<number>, upper: ArrayLike<number>, options: NormalizeOptions = {}) {
    if (lower.length !== upper.length) {
      throw new ShapeError(`Normalize: lower has ${lower.length} entries but upper has ${upper.length}; give one pair per dimension`);
    }
    if (lower.length === 0) throw new ShapeError('Normalize: bounds must cover at least one dimension');
    this.dim = lower.length;
    this.lower = Float64Array.from(lower);
    this.upper = Float64Array.from(upper);
    this.range = new Float64Array(this.dim);
    for (let j = 0; j < this.dim; j++) {
      const lo = this.lower[j]!;
      const hi = this.upper[j]!;
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
        throw new InputDataError(`Normalize: bounds of dimension ${j} are [${lo}, ${hi}]; expected finite bounds with lower < upper`);
      }
      this.range[j] = hi - lo;
    }
    this.tolerance = options.tolerance ?? 1e-9;
  }

  /** Bounds learned from `n x d` data: the per-dimension min and max (range 1 where they coincide). */
  static fromData(X: Matrix): Normalize {
    if (X.rows === 0) throw new InputDataError('Normalize.fromData: no points; give at least one');
    const lo = new Float64Array(X.cols).fill(Infinity);
    const hi = new Float64Array(X.cols).fill(-Infinity);
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < X.cols; j++) {
        const v = X.data[i * X.cols + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
    for (let j = 0; j < X.cols; j++) if (!(hi[j]! > lo[j]!)) hi[j] = lo[j]! + 1;
    return new Normalize(lo, hi);
  }

  transform(X: Matrix): Matrix {
    this.checkShape(X);
    const out = zeros(X.rows, X.cols);
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < this.dim; j++) {
        const k = i * this.dim + j;
        out.data[k] = (X.data[k]! - this.lower[j]!) / this.range[j]!;
      }
    }
    return out;
  }

  untransform(Z: Matrix): Matrix {
    this.checkShape(Z);
    const out = zeros(Z.rows, Z.cols);
    for (let i = 0; i < Z.rows; i++) {
      for (let j = 0; j < this.dim; j++) {
        const k = i * this.dim + j;
        out.data[k] = this.lower[j]! + Z.data[k]! * this.range[j]!;
      }
    }
    return out;
  }

  jacobianDiagonal(): Float64Array {
    return this.range.map((r) => 1 / r);
  }

  /**
   * Throws InputDataError naming the first point outside the bounds (beyond the tolerance).
   * @param X `n x d` points in the user's space.
   */
  assertWithinBounds(X: Matrix): void {
    this.checkShape(X);
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < this.dim; j++) {
        const v = X.data[i * this.dim + j]!;
        const slack = this.tolerance * this.range[j]!;
        if (v < this.lower[j]! - slack || v > this.upper[j]! + slack) {
          throw new InputDataError(
            `point ${i} has x[${j}] = ${v}, outside the bounds [${this.lower[j]}, ${this.upper[j]}]; ` +
              'widen the bounds or drop the point',
          );
        }
      }
    }
  }

  private checkShape(X: Matrix): void {
    if (X.cols !== this.dim) throw new ShapeError(`Normalize: expected points with ${this.dim} columns, got ${X.cols}`);
  }
}
