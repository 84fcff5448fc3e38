import { describe, expect, it } from 'vitest';
import {
  buildPresetModel,
  fitGP,
  fromRows,
  leaveOneOutLogPredictive,
  MaternKernel,
  Normalize,
  Prng,
  RBFKernel,
  ScaleKernel,
  SingleTaskGP,
  type Kernel,
  type Matrix,
} from '@apiary/bo-core';

function data(n: number, d: number, seed: number): { rows: number[][]; y: number[] } {
  const rng = new Prng(seed);
  const rows = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()));
  const y = rows.map((r) => Math.sin(4 * r[0]!) + (d > 1 ? r[1]! ** 2 : 0) + 0.1 * rng.normal());
  return { rows, y };
}

function logNormal(x: number, mean: number, variance: number): number {
  return -0.5 * Math.log(2 * Math.PI * variance) - (0.5 * (x - mean) ** 2) / variance;
}

/**
 * Brute-force leave-one-out: for each i a model on the other n - 1 points with the same kernel
 * object (so the same hyperparameters), the same mean constant and noise, no transforms; the
 * predictive of y_i adds point i's own noise variance.
 */
function bruteForceLoo(rows: number[][], y: number[], kernel: Kernel, noise: readonly number[], mean: number, infers: boolean): number {
  const n = rows.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const keep = rows.map((_, k) => k).filter((k) => k !== i);
    const sub = new SingleTaskGP(
      fromRows(keep.map((k) => rows[k]!)),
      keep.map((k) => y[k]!),
      {
        kernel,
        inputTransform: null,
        outcomeTransform: null,
        initialMean: mean,
        ...(infers ? { initialNoise: noise[0]! } : { noiseVariances: keep.map((k) => noise[k]!) }),
      },
    );
    expect(sub.jitter).toBe(0);
    const X: Matrix = fromRows([rows[i]!]);
    const latent = sub.predict(X);
    if (infers) {
      // The model's own observation-noise path adds the (shared) inferred noise.
      const noisy = sub.predict(X, { observationNoise: true });
      expect(Math.abs(noisy.variance[0]! - latent.variance[0]! - noise[i]!)).toBeLessThanOrEqual(1e-12);
      total += logNormal(y[i]!, noisy.mean[0]!, noisy.variance[0]!);
    } else {
      total += logNormal(y[i]!, latent.mean[0]!, latent.variance[0]! + noise[i]!);
    }
  }
  return total / n;
}

/** The closed form and the brute force are both O(1) quantities here: 1e-9 absolute leaves rounding room. */
const TOL = 1e-9;

describe('leaveOneOutLogPredictive', () => {
  it('equals the brute-force LOO with inferred homoskedastic noise', () => {
    const { rows, y } = data(12, 2, 1);
    const kernel = new ScaleKernel(new MaternKernel(2, { nu: 2.5, lengthscale: [0.4, 0.7] }), { outputscale: 1.3 });
    const model = new SingleTaskGP(fromRows(rows), y, { kernel, inputTransform: null, outcomeTransform: null, initialNoise: 0.02, initialMean: 0.25 });
    expect(model.jitter).toBe(0);
    const closed = leaveOneOutLogPredictive(model);
    const brute = bruteForceLoo(rows, y, kernel, new Array(12).fill(0.02), 0.25, true);
    expect(Math.abs(closed - brute)).toBeLessThanOrEqual(TOL);
    expect(Number.isFinite(closed)).toBe(true);
  });

  it('equals the brute-force LOO with known heteroskedastic noise (each point its own noise)', () => {
    const { rows, y } = data(10, 1, 2);
    const noise = rows.map((_, i) => 0.005 + 0.01 * (i % 3));
    const kernel = new ScaleKernel(new RBFKernel(1, { lengthscale: 0.3 }), { outputscale: 0.8 });
    const model = new SingleTaskGP(fromRows(rows), y, { kernel, inputTransform: null, outcomeTransform: null, noiseVariances: noise, initialMean: -0.1 });
    const closed = leaveOneOutLogPredictive(model);
    const brute = bruteForceLoo(rows, y, kernel, noise, -0.1, false);
    expect(Math.abs(closed - brute)).toBeLessThanOrEqual(TOL);
  });

  it('equals the brute-force LOO at fitted hyperparameters (preset model, transforms identity)', () => {
    const { rows, y } = data(14, 2, 3);
    // Fit with the preset, then copy its kernel hyperparameters into a model without transforms
    // on the model-space data, so that dropping a point cannot change a data-dependent transform.
    const { model: fitted, noiseFloor } = buildPresetModel('matern-gamma', fromRows(rows), y, new Normalize([0, 0], [1, 1]));
    fitGP(fitted, { noiseFloor, restarts: 0 });
    const Z = fitted.modelX;
    const zRows = Array.from({ length: Z.rows }, (_, i) => Array.from(Z.data.subarray(i * Z.cols, (i + 1) * Z.cols)));
    const z = Array.from(fitted.modelY);
    const plain = new SingleTaskGP(fromRows(zRows), z, {
      kernel: fitted.kernel,
      inputTransform: null,
      outcomeTransform: null,
      initialNoise: fitted.noiseVariance,
      initialMean: fitted.mean,
    });
    // The closed form reads modelled units, so the fitted model and the plain copy agree.
    const closedFitted = leaveOneOutLogPredictive(fitted);
    const closedPlain = leaveOneOutLogPredictive(plain);
    expect(Math.abs(closedFitted - closedPlain)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(closedPlain)));
    const brute = bruteForceLoo(zRows, z, fitted.kernel, new Array(14).fill(fitted.noiseVariance), fitted.mean, true);
    expect(Math.abs(closedPlain - brute)).toBeLessThanOrEqual(TOL);
  });

  it('rewards a better model: a sensible lengthscale beats an absurdly short one', () => {
    const { rows, y } = data(15, 1, 4);
    const make = (ls: number): SingleTaskGP =>
      new SingleTaskGP(fromRows(rows), y, {
        kernel: new ScaleKernel(new MaternKernel(1, { lengthscale: ls })),
        inputTransform: null,
        outcomeTransform: null,
        initialNoise: 0.01,
      });
    const good = leaveOneOutLogPredictive(make(0.3));
    const bad = leaveOneOutLogPredictive(make(0.005));
    expect(good).toBeGreaterThan(bad + 0.5);
  });
});
