import { describe, expect, it } from 'vitest';
import { ApiaryError, fitGaussianProcess, InputDataError, ShapeError, type FitGaussianProcessOptions } from '@apiary/bo-core';

/** Sample standard deviation (n - 1), the scale Standardize uses. */
function sampleStd(y: readonly number[]): number {
  const m = y.reduce((a, b) => a + b, 0) / y.length;
  return Math.sqrt(y.reduce((a, b) => a + (b - m) ** 2, 0) / (y.length - 1));
}

/** Relative closeness with a floor, for float64 results of O(n^3) linear algebra. */
function expectRel(actual: number, expected: number, rel: number, what: string): void {
  const err = Math.abs(actual - expected);
  if (!(err <= rel * Math.max(Math.abs(expected), 1e-300))) expect.fail(`${what}: got ${actual}, expected ${expected} (rel err ${err / Math.abs(expected)})`);
}

/** A copy of `values` with a hole (not an undefined element) wherever `values` has undefined. */
function sparse<T>(values: readonly (T | undefined)[]): T[] {
  const out = new Array<T>(values.length);
  values.forEach((v, i) => {
    if (v !== undefined) out[i] = v;
  });
  return out;
}

const X3 = [
  [0.1, 0.2],
  [0.5, 0.6],
  [0.9, 0.3],
];
const Y3 = [1, 2, 3];

describe('fitGaussianProcess: bad input', () => {
  type Case = {
    name: string;
    X: unknown;
    y: unknown;
    options?: Record<string, unknown>;
    error: typeof InputDataError | typeof ShapeError;
    message: RegExp;
  };
  const cases: Case[] = [
    { name: 'empty X', X: [], y: [], error: InputDataError, message: /^X has no points/ },
    { name: 'X not an array', X: 'abc', y: [1], error: InputDataError, message: /^X has no points/ },
    { name: 'X whose rows are empty', X: [[]], y: [1], error: InputDataError, message: /^X rows are empty/ },
    { name: 'X with an empty later row', X: [[0.1], []], y: [1, 2], error: InputDataError, message: /ragged: row 1 has 0 coordinates, row 0 has 1/ },
    { name: 'ragged X', X: [[0.1, 0.2], [0.3, 0.4], [0.5]], y: [1, 2, 3], error: InputDataError, message: /ragged: row 2 has 1 coordinates, row 0 has 2/ },
    { name: 'a row that is not an array', X: [[0.1], 0.2], y: [1, 2], error: InputDataError, message: /^X\[1\] is not an array/ },
    { name: 'a null first row', X: [null, [0.1]], y: [1, 2], error: InputDataError, message: /^X\[0\] is not an array/ },
    { name: 'a hole for a row (sparse X)', X: sparse([[0.1], undefined, [0.9]]), y: [1, 2, 3], error: InputDataError, message: /^X\[1\] is not an array/ },
    { name: 'a hole in a row (sparse row)', X: [[0.1, 0.2], sparse([0.5, undefined]), [0.9, 0.1]], y: [1, 2, 3], error: InputDataError, message: /^X\[1\]\[1\] is undefined/ },
    { name: 'NaN in X', X: [[0.1, 0.2], [0.3, NaN]], y: [1, 2], error: InputDataError, message: /^X\[1\]\[1\] is NaN/ },
    { name: 'Infinity in X', X: [[Infinity, 0.2], [0.3, 0.4]], y: [1, 2], error: InputDataError, message: /^X\[0\]\[0\] is Infinity/ },
    { name: '-Infinity in X', X: [[0.1, 0.2], [-Infinity, 0.4]], y: [1, 2], error: InputDataError, message: /^X\[1\]\[0\] is -Infinity/ },
    { name: 'a string in X', X: [[0.1, 0.2], [0.3, '0.4']], y: [1, 2], error: InputDataError, message: /^X\[1\]\[1\] is 0\.4; every coordinate must be a finite number/ },
    { name: 'null in X', X: [[0.1, null]], y: [1], error: InputDataError, message: /^X\[0\]\[1\] is null/ },
    { name: 'y shorter than X', X: X3, y: [1, 2], error: ShapeError, message: /^y has 2 values but X has 3 points/ },
    { name: 'y longer than X', X: X3, y: [1, 2, 3, 4], error: ShapeError, message: /^y has 4 values but X has 3 points/ },
    { name: 'y not an array', X: X3, y: 3, error: InputDataError, message: /^y must be an array/ },
    { name: 'NaN in y', X: X3, y: [1, NaN, 3], error: InputDataError, message: /^y\[1\] is NaN/ },
    { name: 'a hole in y (sparse y)', X: X3, y: sparse([1, undefined, 3]), error: InputDataError, message: /^y\[1\] is undefined/ },
    { name: 'Infinity in y', X: X3, y: [1, 2, Infinity], error: InputDataError, message: /^y\[2\] is Infinity/ },
    { name: 'a string in y', X: X3, y: ['1', 2, 3], error: InputDataError, message: /^y\[0\] is 1;/ },
    { name: 'bounds of the wrong length', X: X3, y: Y3, options: { bounds: [[0, 1]] }, error: ShapeError, message: /^bounds has 1 entries but the points have 2 dimensions/ },
    { name: 'bounds with lower > upper', X: X3, y: Y3, options: { bounds: [[0, 1], [1, 0]] }, error: InputDataError, message: /bounds of dimension 1 are \[1, 0\]/ },
    { name: 'bounds with lower = upper', X: X3, y: Y3, options: { bounds: [[0.5, 0.5], [0, 1]] }, error: InputDataError, message: /bounds of dimension 0 are \[0\.5, 0\.5\]/ },
    { name: 'non-finite bounds', X: X3, y: Y3, options: { bounds: [[0, 1], [0, Infinity]] }, error: InputDataError, message: /bounds of dimension 1 are \[0, Infinity\]/ },
    { name: 'a point outside the bounds', X: X3, y: Y3, options: { bounds: [[0, 0.8], [0, 1]] }, error: InputDataError, message: /^point 2 has x\[0\] = 0\.9, outside the bounds \[0, 0\.8\]/ },
    { name: 'a point below the bounds', X: X3, y: Y3, options: { bounds: [[0, 1], [0.25, 1]] }, error: InputDataError, message: /^point 0 has x\[1\] = 0\.2, outside the bounds \[0\.25, 1\]/ },
    { name: 'noiseVariances of the wrong length', X: X3, y: Y3, options: { noiseVariances: [0.1, 0.1] }, error: ShapeError, message: /^noiseVariances has 2 values for 3 points/ },
    { name: 'a negative noise variance', X: X3, y: Y3, options: { noiseVariances: [0.1, -0.2, 0.1] }, error: InputDataError, message: /noise variance 1 is -0\.2/ },
    { name: 'a NaN noise variance', X: X3, y: Y3, options: { noiseVariances: [0.1, 0.1, NaN] }, error: InputDataError, message: /noise variance 2 is NaN/ },
    { name: 'an infinite noise variance', X: X3, y: Y3, options: { noiseVariances: [Infinity, 0.1, 0.1] }, error: InputDataError, message: /noise variance 0 is Infinity/ },
    { name: 'an unknown preset', X: X3, y: Y3, options: { preset: 'gpytorch' }, error: InputDataError, message: /^unknown preset 'gpytorch'; expected one of default, botorch, matern-gamma/ },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.error.name}`, () => {
      let thrown: unknown = null;
      try {
        fitGaussianProcess(c.X as number[][], c.y as number[], c.options as FitGaussianProcessOptions | undefined);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(c.error);
      expect(thrown).toBeInstanceOf(ApiaryError);
      // The two typed classes are siblings: the wrong one must not pass.
      expect(thrown).not.toBeInstanceOf(c.error === InputDataError ? ShapeError : InputDataError);
      expect((thrown as Error).name).toBe(c.error.name);
      expect((thrown as Error).message).toMatch(c.message);
    });
  }

  it('predict validates its points', () => {
    const gp = fitGaussianProcess(X3, Y3, { restarts: 0 });
    expect(() => gp.predict([[0.5]])).toThrow(ShapeError);
    expect(() => gp.predict([[0.5]])).toThrow(/predict: points have 1 dimensions, the model was fitted on 2/);
    expect(() => gp.predict([[0.5, NaN]])).toThrow(InputDataError);
    expect(() => gp.predict([[0.5, NaN]])).toThrow(/^X \(prediction\)\[0\]\[1\] is NaN/);
    expect(() => gp.predict([])).toThrow(/^X \(prediction\) has no points/);
  });
});

describe('fitGaussianProcess: degenerate data', () => {
  it('fits a single point: exact mean there and far away, variance between noise-limited and prior', () => {
    const y0 = 2.5;
    const gp = fitGaussianProcess([[0.3, 0.7]], [y0], { bounds: [[0, 1], [0, 1]] });
    const os = gp.hyperparameters['kernel.outputscale']!;
    const noise = gp.hyperparameters['noise']!;
    expect(os).toBeGreaterThan(0);
    expect(noise).toBeGreaterThan(0);
    const at = gp.predict([[0.3, 0.7]]);
    const far = gp.predict([[50, -50]]);
    // One point: Standardize has sigma = 1 and z = 0, so the mean is y0 everywhere.
    expect(Math.abs(at.mean[0]! - y0)).toBeLessThanOrEqual(1e-12 * y0);
    expect(Math.abs(far.mean[0]! - y0)).toBeLessThanOrEqual(1e-12 * y0);
    // Posterior variance at the point: os - os^2 / (os + noise) = os noise / (os + noise).
    expectRel(at.variance[0]!, (os * noise) / (os + noise), 1e-9, 'variance at the point');
    expect(at.variance[0]!).toBeGreaterThan(0);
    expect(at.variance[0]!).toBeLessThan(0.5 * os);
    // Far away the kernel vanishes and the variance is the prior's.
    expectRel(far.variance[0]!, os, 1e-9, 'variance far away');
  });

  it('fits a single point in the data-range (no bounds) mode', () => {
    const gp = fitGaussianProcess([[4]], [-7]);
    const p = gp.predict([[4], [5], [100]]);
    for (const m of p.mean) expect(Math.abs(m + 7)).toBeLessThanOrEqual(1e-12 * 7);
    expect(p.variance[0]!).toBeGreaterThan(0);
    expect(p.variance[0]!).toBeLessThan(p.variance[1]!);
    expect(p.variance[1]!).toBeLessThanOrEqual(p.variance[2]! * (1 + 1e-12));
  });

  it('constant y: predicts the constant with finite non-negative variances (BoTorch behaviour)', () => {
    const c = 3.7;
    const X = [[0], [0.2], [0.45], [0.6], [0.8], [1]];
    for (const preset of ['matern-gamma', 'botorch'] as const) {
      const gp = fitGaussianProcess(X, X.map(() => c), { preset });
      const p = gp.predict([[0], [0.33], [1], [2.5]]);
      for (const m of p.mean) expect(Math.abs(m - c)).toBeLessThanOrEqual(1e-9);
      for (const v of p.variance) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
      for (const v of Object.values(gp.hyperparameters)) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('duplicate inputs with different outcomes: the noise absorbs the disagreement', () => {
    const X = [[0.2], [0.2], [0.5], [0.8], [0.8]];
    const y = [1, 2, 0.4, 1.1, 0.9];
    const gp = fitGaussianProcess(X, y, { bounds: [[0, 1]] });
    const noiseUser = gp.hyperparameters['noise']! * sampleStd(y) ** 2;
    // A noise variance far above the floor: the duplicates at 0.2 differ by 1.
    expect(noiseUser).toBeGreaterThan(0.01);
    const p = gp.predict([[0.2], [0.35], [0.8]]);
    for (const v of [...p.mean, ...p.variance]) expect(Number.isFinite(v)).toBe(true);
    // Between the two disagreeing outcomes, and not interpolating either.
    expect(p.mean[0]!).toBeGreaterThan(1.0);
    expect(p.mean[0]!).toBeLessThan(2.0);
    expect(p.variance[0]!).toBeGreaterThan(0);
  });
});

describe('fitGaussianProcess: a smooth 1-D function', () => {
  const f = (x: number): number => Math.sin(2 * Math.PI * x) + 0.5 * x;
  const Xtr = Array.from({ length: 10 }, (_, i) => [i / 9]);
  const ytr = Xtr.map((x) => f(x[0]!));
  const gp = fitGaussianProcess(Xtr, ytr, { bounds: [[0, 1]] });

  it('interpolates held-out points accurately', () => {
    const Xte = Array.from({ length: 9 }, (_, i) => [(i + 0.5) / 9]);
    const p = gp.predict(Xte);
    let maxErr = 0;
    let maxInterior = 0;
    Xte.forEach((x, i) => {
      const err = Math.abs(p.mean[i]! - f(x[0]!));
      maxErr = Math.max(maxErr, err);
      if (x[0]! > 0.2 && x[0]! < 0.8) maxInterior = Math.max(maxInterior, err);
    });
    // f spans about [-1, 1.2]; 10 points resolve one period of a sine to well under 1% of that,
    // and better away from the ends where the data constrain both sides.
    expect(maxErr).toBeLessThan(1e-2);
    expect(maxInterior).toBeLessThan(2e-3);
    // And the model's uncertainty covers the error (calibration): within 4 posterior sd.
    Xte.forEach((x, i) => expect(Math.abs(p.mean[i]! - f(x[0]!))).toBeLessThan(4 * Math.sqrt(p.variance[i]!) + 1e-6));
  });

  it('has small variance at training points and large far from data', () => {
    const p = gp.predict([[Xtr[4]![0]!], [3]]);
    expect(p.variance[0]!).toBeGreaterThanOrEqual(0);
    expect(p.variance[0]!).toBeLessThan(1e-3 * p.variance[1]!);
    // Noise-free data: the fitted noise is tiny, so the mean nearly interpolates.
    expect(Math.abs(p.mean[0]! - ytr[4]!)).toBeLessThan(1e-3);
  });

  it('observationNoise adds exactly the fitted noise (in y units)', () => {
    const pts = [[0.05], [Xtr[3]![0]!], [0.5], [1.7]];
    const latent = gp.predict(pts);
    const noisy = gp.predict(pts, { observationNoise: true });
    const noiseY = gp.hyperparameters['noise']! * sampleStd(ytr) ** 2;
    pts.forEach((_, i) => {
      expect(noisy.mean[i]).toBe(latent.mean[i]);
      expectRel(noisy.variance[i]! - latent.variance[i]!, noiseY, 1e-8, `added noise at ${i}`);
    });
  });

  it('reports the fit: preset resolved, model attached, hyperparameters positive', () => {
    expect(gp.preset).toBe('matern-gamma');
    expect(gp.model.numTrain).toBe(10);
    expect(Object.keys(gp.hyperparameters).sort()).toEqual(['kernel.base.lengthscale[0]', 'kernel.outputscale', 'mean_constant', 'noise']);
    expect(gp.fit.attempts).toHaveLength(3);
    expect(gp.fit.logPosterior).toBe(Math.max(...gp.fit.attempts.map((a) => a.logPosterior)));
  });
});

describe('fitGaussianProcess: known noise, presets and determinism', () => {
  const X = [[0.05, 0.9], [0.3, 0.2], [0.45, 0.6], [0.7, 0.1], [0.9, 0.8], [0.15, 0.4], [0.6, 0.95], [0.85, 0.45]];
  const y = X.map(([a, b]) => Math.cos(3 * a!) + b! * b!);

  it('known noiseVariances: no noise hyperparameter, observation noise is their mean', () => {
    const noiseVariances = X.map((_, i) => 1e-3 * (1 + i));
    const gp = fitGaussianProcess(X, y, { noiseVariances, bounds: [[0, 1], [0, 1]] });
    expect(gp.model.infersNoise).toBe(false);
    expect('noise' in gp.hyperparameters).toBe(false);
    expect(gp.model.hyperparameterNames()).not.toContain('log_noise');
    const pts = [[0.5, 0.5], [0.05, 0.9]];
    const latent = gp.predict(pts);
    const noisy = gp.predict(pts, { observationNoise: true });
    const meanNoise = noiseVariances.reduce((a, b) => a + b, 0) / noiseVariances.length;
    pts.forEach((_, i) => expectRel(noisy.variance[i]! - latent.variance[i]!, meanNoise, 1e-8, `known noise at ${i}`));
    // The known noise at the training points, in modelled units, is v / sigma^2.
    const s2 = sampleStd(y) ** 2;
    gp.model.trainNoise().forEach((v, i) => expectRel(v, noiseVariances[i]! / s2, 1e-12, `train noise ${i}`));
  });

  it('the botorch preset has no outputscale; default resolves to matern-gamma', () => {
    const b = fitGaussianProcess(X, y, { preset: 'botorch', restarts: 0 });
    expect(b.preset).toBe('botorch');
    expect(Object.keys(b.hyperparameters).some((k) => k.includes('outputscale'))).toBe(false);
    expect(b.hyperparameters['noise']!).toBeGreaterThanOrEqual(1e-4 * (1 - 1e-12));
    const d = fitGaussianProcess(X, y, { preset: 'default', restarts: 0 });
    expect(d.preset).toBe('matern-gamma');
  });

  it('the same seed gives identical hyperparameters', () => {
    const a = fitGaussianProcess(X, y, { seed: 11, restarts: 2 });
    const b = fitGaussianProcess(X, y, { seed: 11, restarts: 2 });
    expect(b.hyperparameters).toEqual(a.hyperparameters);
    expect(Array.from(b.fit.hyperparameters)).toEqual(Array.from(a.fit.hyperparameters));
    expect(b.fit.attempts.map((t) => t.logPosterior)).toEqual(a.fit.attempts.map((t) => t.logPosterior));
    expect(b.predict([[0.4, 0.4]])).toEqual(a.predict([[0.4, 0.4]]));
  });

  it('the seed drives the random restarts', () => {
    const a = fitGaussianProcess(X, y, { seed: 1, restarts: 2 });
    const b = fitGaussianProcess(X, y, { seed: 2, restarts: 2 });
    // The default start is seed-independent; the random ones are not.
    expect(b.fit.attempts[0]!.logPosterior).toBe(a.fit.attempts[0]!.logPosterior);
    expect(b.fit.attempts[0]!.evaluations).toBe(a.fit.attempts[0]!.evaluations);
    const randomA = a.fit.attempts.slice(1).map((t) => t.evaluations);
    const randomB = b.fit.attempts.slice(1).map((t) => t.evaluations);
    const valuesA = a.fit.attempts.slice(1).map((t) => t.logPosterior);
    const valuesB = b.fit.attempts.slice(1).map((t) => t.logPosterior);
    expect([randomA, valuesA]).not.toEqual([randomB, valuesB]);
  });
});
