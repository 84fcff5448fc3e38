/** Fitted models and random batches shared by the TensorFlow.js scorer tests. */
import { buildPresetModel, fitGP, Normalize, Prng, type ConcretePreset, type QBatch, type SingleTaskGP } from '../../src/index.js';

/** A smooth test function on [0, 1]^d (any d), with a little noise. */
export function fittedModel(preset: ConcretePreset, n: number, d: number, seed: number, bounds?: { lower: number[]; upper: number[] }): { model: SingleTaskGP; X: Float64Array } {
  const rng = new Prng(seed);
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < d; j++) {
      const u = rng.uniform();
      X[i * d + j] = bounds ? bounds.lower[j]! + u * (bounds.upper[j]! - bounds.lower[j]!) : u;
      v += Math.sin(5 * u + j) * (j + 1) * 0.3;
    }
    y[i] = v + 0.01 * rng.normal();
  }
  const transform = bounds ? new Normalize(bounds.lower, bounds.upper) : null;
  const { model, noiseFloor } = buildPresetModel(preset, { rows: n, cols: d, data: X }, y, transform);
  fitGP(model, { noiseFloor, seed });
  return { model, X };
}

/** `b x q x d` uniform points in the box (default the unit cube). */
export function randomBatch(b: number, q: number, d: number, seed: number, bounds?: { lower: number[]; upper: number[] }): QBatch {
  const rng = new Prng(seed);
  const data = new Float64Array(b * q * d);
  for (let i = 0; i < data.length; i++) {
    const j = i % d;
    const u = rng.uniform();
    data[i] = bounds ? bounds.lower[j]! + u * (bounds.upper[j]! - bounds.lower[j]!) : u;
  }
  return { b, q, d, data };
}

