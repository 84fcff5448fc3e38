import { describe, expect, it } from 'vitest';
import {
  buildPresetModel,
  fitGP,
  fromRows,
  hyperparameterBounds,
  InputDataError,
  ModelFittingError,
  Normalize,
  Prng,
  SingleTaskGP,
  Standardize,
  zeros,
  type Kernel,
  type Matrix,
} from '@apiary/bo-core';

/** A smooth function of two inputs plus small Gaussian noise, at n seeded uniform points in [0, 1]^2. */
function gpLikeData(n: number, seed: number): { rows: number[][]; y: number[] } {
  const rng = new Prng(seed);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.uniform();
    const b = rng.uniform();
    rows.push([a, b]);
    y.push(Math.sin(5 * a) + 0.7 * Math.cos(3 * b + 1) + 0.5 * a * b + 0.02 * rng.normal());
  }
  return { rows, y };
}

function presetModel(rows: number[][], y: number[]): { model: SingleTaskGP; noiseFloor: number } {
  return buildPresetModel('matern-gamma', fromRows(rows), y, new Normalize([0, 0], [1, 1]));
}

/** Max-norm of the projected gradient of the per-point log posterior (ascent direction) in the fit's box. */
function projectedGradientNorm(model: SingleTaskGP, noiseFloor: number): number {
  const { lower, upper } = hyperparameterBounds(model, noiseFloor);
  const theta = model.getHyperparameters();
  const g = model.logPosterior(true).grad!;
  let norm = 0;
  for (let i = 0; i < theta.length; i++) {
    let gi = g[i]! / model.numTrain;
    // At a bound, only the component pointing into the box counts.
    if (theta[i]! <= lower[i]! && gi < 0) gi = 0;
    if (theta[i]! >= upper[i]! && gi > 0) gi = 0;
    norm = Math.max(norm, Math.abs(gi));
  }
  return norm;
}

describe('fitGP', () => {
  it('increases the log posterior from the initial hyperparameters to a stationary point', () => {
    const { rows, y } = gpLikeData(18, 1);
    const { model, noiseFloor } = presetModel(rows, y);
    const initialTheta = model.getHyperparameters();
    const initialValue = model.logPosterior(false).value;
    const initialGrad = projectedGradientNorm(model, noiseFloor);
    const res = fitGP(model, { noiseFloor, restarts: 0 });
    expect(res.attempts).toHaveLength(1);
    expect(res.attempts[0]!.start).toBe('default');
    // A substantial improvement, not a no-op.
    expect(res.logPosterior).toBeGreaterThan(initialValue + 1);
    // The result is what the model now holds, and its value is consistent.
    expect(Array.from(model.getHyperparameters())).toEqual(Array.from(res.hyperparameters));
    expect(Array.from(res.hyperparameters)).not.toEqual(Array.from(initialTheta));
    const now = model.logPosterior(false).value;
    expect(Math.abs(now - res.logPosterior)).toBeLessThanOrEqual(1e-12 * Math.abs(now));
    // Stationary: L-BFGS-B stops on a projected gradient of 1e-5 per point (or a tiny relative decrease).
    const g = projectedGradientNorm(model, noiseFloor);
    expect(initialGrad).toBeGreaterThan(1e-2);
    expect(g).toBeLessThan(1e-4);
    // Inside the box.
    const { lower, upper } = hyperparameterBounds(model, noiseFloor);
    res.hyperparameters.forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual(lower[i]!);
      expect(t).toBeLessThanOrEqual(upper[i]!);
    });
    expect(res.seconds).toBeGreaterThanOrEqual(0);
  });

  it('the fit is a local maximum: perturbing any hyperparameter within the box lowers the log posterior', () => {
    const { rows, y } = gpLikeData(15, 2);
    const { model, noiseFloor } = presetModel(rows, y);
    const res = fitGP(model, { noiseFloor, restarts: 1 });
    const { lower, upper } = hyperparameterBounds(model, noiseFloor);
    const best = res.hyperparameters;
    for (let i = 0; i < best.length; i++) {
      for (const step of [-0.05, 0.05]) {
        const t = best.slice();
        t[i] = Math.min(upper[i]!, Math.max(lower[i]!, t[i]! + step));
        if (t[i] === best[i]) continue;
        model.setHyperparameters(t);
        // A relative slack of 1e-9 for the rounding of an O(n^3) evaluation.
        expect(model.logPosterior(false).value).toBeLessThanOrEqual(res.logPosterior + 1e-9 * Math.abs(res.logPosterior));
      }
    }
  });

  it('restarts: every start is recorded and the best one is kept', () => {
    const { rows, y } = gpLikeData(16, 3);
    const { model, noiseFloor } = presetModel(rows, y);
    const res = fitGP(model, { noiseFloor, restarts: 3, seed: 5 });
    expect(res.attempts).toHaveLength(4);
    expect(res.attempts.map((a) => a.start)).toEqual(['default', 'random', 'random', 'random']);
    const values = res.attempts.map((a) => a.logPosterior);
    expect(res.logPosterior).toBe(Math.max(...values));
    for (const a of res.attempts) {
      expect(a.evaluations).toBeGreaterThan(0);
      expect(['converged-grad', 'converged-f', 'max-iterations', 'max-evaluations', 'line-search-failed']).toContain(a.reason);
    }
    // The model holds the best start's optimum.
    const now = model.logPosterior(false).value;
    expect(Math.abs(now - res.logPosterior)).toBeLessThanOrEqual(1e-12 * Math.abs(now));
    // Random starts really are different starts: they do not all retrace the default run.
    expect(new Set(res.attempts.map((a) => a.evaluations)).size).toBeGreaterThan(1);
  });

  it("restartPolicy 'if-poor' skips the random restarts after a clean convergence", () => {
    const { rows, y } = gpLikeData(16, 3);
    const { model, noiseFloor } = presetModel(rows, y);
    const res = fitGP(model, { noiseFloor, restarts: 3, restartPolicy: 'if-poor' });
    expect(['converged-grad', 'converged-f']).toContain(res.attempts[0]!.reason);
    expect(res.attempts).toHaveLength(1);
  });

  it('a warm start after one new point needs fewer evaluations and reaches the cold fit', () => {
    const { rows, y } = gpLikeData(25, 4);
    const { model: first, noiseFloor } = presetModel(rows.slice(0, 24), y.slice(0, 24));
    const previous = fitGP(first, { noiseFloor, restarts: 2 }).hyperparameters;

    const { model: cold } = presetModel(rows, y);
    const coldFit = fitGP(cold, { noiseFloor, restarts: 2 });
    const { model: warm } = presetModel(rows, y);
    const warmFit = fitGP(warm, { noiseFloor, restarts: 2, warmStart: previous });

    expect(warmFit.attempts[0]!.start).toBe('warm');
    // Warm start: restarts only if the warm run did not converge cleanly.
    expect(warmFit.attempts).toHaveLength(1);
    const evals = (r: typeof coldFit): number => r.attempts.reduce((s, a) => s + a.evaluations, 0);
    // The cold fit runs its default start and both restarts (n <= 300: restarts always run).
    expect(coldFit.attempts).toHaveLength(3);
    expect(evals(warmFit)).toBeLessThan(evals(coldFit));
    // Same optimum: within 1e-3 per point of the cold fit's log posterior.
    expect(warmFit.logPosterior).toBeGreaterThanOrEqual(coldFit.logPosterior - 1e-3 * 25);
  });

  it('the warm start is where the optimiser begins: starting at the optimum stops at once', () => {
    const { rows, y } = gpLikeData(14, 6);
    const { model, noiseFloor } = presetModel(rows, y);
    const res = fitGP(model, { noiseFloor, restarts: 0 });
    const again = fitGP(model, { noiseFloor, restarts: 0, warmStart: res.hyperparameters });
    expect(again.attempts[0]!.evaluations).toBeLessThanOrEqual(5);
    expect(Math.abs(again.logPosterior - res.logPosterior)).toBeLessThanOrEqual(1e-9 * Math.abs(res.logPosterior));
  });
});

/** A kernel that satisfies the interface but whose covariances are NaN: every fit fails. */
class NaNKernel implements Kernel {
  readonly dim: number;
  readonly numHyperparameters = 2;
  private theta = new Float64Array([0.25, -0.5]);
  calls = 0;

  constructor(dim: number) {
    this.dim = dim;
  }

  hyperparameterNames(): string[] {
    return ['outputscale', 'lengthscale'];
  }

  getHyperparameters(): Float64Array {
    return this.theta.slice();
  }

  setHyperparameters(theta: ArrayLike<number>): void {
    this.theta = Float64Array.from(theta);
  }

  covariance(X1: Matrix, X2: Matrix): Matrix {
    this.calls++;
    const K = zeros(X1.rows, X2.rows);
    K.data.fill(NaN);
    return K;
  }

  diagonal(X: Matrix): Float64Array {
    return new Float64Array(X.rows).fill(NaN);
  }

  hyperparameterGradient(): Float64Array {
    return new Float64Array(this.numHyperparameters).fill(NaN);
  }

  inputGradient(_x: ArrayLike<number>, X: Matrix): Matrix {
    return zeros(X.rows, this.dim);
  }
}

describe('fitGP failures', () => {
  it('throws ModelFittingError listing every start, and restores the initial hyperparameters', () => {
    const { rows, y } = gpLikeData(8, 7);
    const kernel = new NaNKernel(2);
    const model = new SingleTaskGP(fromRows(rows), y, {
      kernel,
      inputTransform: new Normalize([0, 0], [1, 1]),
      outcomeTransform: new Standardize(),
      initialNoise: 0.05,
      initialMean: 0.3,
    });
    const initial = model.getHyperparameters();
    let err: unknown = null;
    try {
      fitGP(model, { restarts: 2, seed: 3 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFittingError);
    const mfe = err as ModelFittingError;
    expect(mfe.message).toMatch(/GP fit failed from all 3 starts/);
    expect(mfe.attempts).toHaveLength(3);
    expect(mfe.attempts[0]).toMatch(/^default: /);
    expect(mfe.attempts[1]).toMatch(/^random: /);
    expect(mfe.attempts[2]).toMatch(/^random: /);
    // Each reason says why: the non-finite kernel matrix reached the Cholesky factorisation.
    for (const a of mfe.attempts) expect(a).toMatch(/non-finite/);
    expect(kernel.calls).toBeGreaterThanOrEqual(3);
    // Restored exactly, kernel included.
    expect(Array.from(model.getHyperparameters())).toEqual(Array.from(initial));
    expect(Array.from(kernel.getHyperparameters())).toEqual([0.25, -0.5]);
    expect(model.mean).toBe(0.3);
    expect(Math.abs(model.noiseVariance - 0.05)).toBeLessThanOrEqual(1e-16);
  });

  it('a failing warm start is reported as such and also restores the model', () => {
    const { rows, y } = gpLikeData(6, 8);
    const model = new SingleTaskGP(fromRows(rows), y, { kernel: new NaNKernel(2), inputTransform: null, outcomeTransform: null });
    const initial = model.getHyperparameters();
    const warm = [1, 1, -3, 0];
    try {
      fitGP(model, { restarts: 0, warmStart: warm });
      expect.fail('fitGP should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(ModelFittingError);
      expect((e as ModelFittingError).attempts).toEqual([expect.stringMatching(/^warm: /)]);
    }
    expect(Array.from(model.getHyperparameters())).toEqual(Array.from(initial));
  });

  it('the kernel error type reaching a start is InputDataError (not swallowed as NaN)', () => {
    const { rows, y } = gpLikeData(5, 9);
    const model = new SingleTaskGP(fromRows(rows), y, { kernel: new NaNKernel(2), inputTransform: null, outcomeTransform: null });
    expect(() => model.logPosterior(false)).toThrow(InputDataError);
  });
});
