/**
 * The typed error hierarchy of bo-core. Every failure is thrown as one of these, never signalled
 * by `null` or a flag. A message says what was expected, what came, and how to fix it.
 */

/** Base class: catch this to catch every error bo-core raises on purpose. */
export class ApiaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's data is unusable: non-finite values, ragged rows, points outside bounds, no points. */
export class InputDataError extends ApiaryError {}

/** Arrays or matrices whose shapes do not fit together. */
export class ShapeError extends ApiaryError {}

/** A matrix that should be symmetric positive definite is not, even after adding jitter. */
export class NotPositiveDefiniteError extends ApiaryError {
  constructor(
    message: string,
    /** The largest jitter (absolute, added to the diagonal) that was tried. */
    readonly jitterTried: number,
  ) {
    super(message);
  }
}

/** Every attempt to fit a model's hyperparameters failed; `attempts` says why each one did. */
export class ModelFittingError extends ApiaryError {
  constructor(
    message: string,
    readonly attempts: readonly string[] = [],
  ) {
    super(message);
  }
}

/** No candidate could be generated (acquisition optimisation failed everywhere). */
export class CandidateGenerationError extends ApiaryError {}

/** A valid request that this version does not support. */
export class UnsupportedError extends ApiaryError {}
