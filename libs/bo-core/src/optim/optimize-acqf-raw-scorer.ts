import type { QBatch } from '../posteriors/posterior.js';

/**
 * A cheaper stand-in for an acquisition function's `forward`, used by optimizeAcqf only to score
 * the raw q-batches that choose its starting points (e.g. the float32 TensorFlow.js
 * `TfLogNoisyExpectedImprovement`). Its values should approximate the acquisition's, on the same
 * scale: the Boltzmann draw standardises them, and the best one is always a start.
 */
export interface RawScorer {
  /**
   * Values of the t-batches, larger is better.
   * @param X `b x q x d`, the user's input space.
   * @returns length b.
   */
  forward(X: QBatch): Float64Array;
  /**
   * The scorer of the acquisition with `points` (`k x d`) added to its pending points, as
   * optimizeAcqf's `withPending` builds the acquisition of a sequential step. The result is
   * released by its own `dispose`. @defaultValue absent: sequential steps after the first score
   * their raw batches with the acquisition itself
   */
  withPending?(points: Float64Array): RawScorer;
  /** Frees what the scorer holds (tensors). Idempotent. @defaultValue absent: nothing to free */
  dispose?(): void;
}
