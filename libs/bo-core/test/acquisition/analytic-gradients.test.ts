import { describe, expect, it } from 'vitest';
import {
  fromRows,
  GaussianPosterior,
  InputDataError,
  MaternKernel,
  Normalize,
  ScaleKernel,
  ShapeError,
  SingleTaskGP,
  Standardize,
  type QBatch,
} from '@apiary/bo-core';
import type { DifferentiableModel } from '../../src/models/model.js';
import {
  AnalyticAcquisitionFunction,
  ExpectedImprovement,
  LogExpectedImprovement,
  LogProbabilityOfImprovement,
  MIN_POSTERIOR_VARIANCE,
  PosteriorMean,
  ProbabilityOfImprovement,
  UpperConfidenceBound,
} from '../../src/acquisition/analytic/index.js';
import { eiH } from '../../src/math/normal.js';
import { rng } from '../linalg/helpers.js';

const D = 3;
const LOWER = [-2, 0, 1];
const UPPER = [3, 1, 5];

/** A GP with fixed hyperparameters, input normalisation and outcome standardisation. */
function makeModel(): { model: SingleTaskGP; yMax: number; yMin: number } {
  const r = rng(7);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 15; i++) {
    const x = LOWER.map((lo, j) => lo + (UPPER[j]! - lo) * r());
    rows.push(x);
    y.push(10 * Math.sin(x[0]!) + 5 * x[1]! * x[1]! - 2 * x[2]! + 0.1 * (r() - 0.5));
  }
  const kernel = new ScaleKernel(new MaternKernel(D, { nu: 2.5, lengthscale: [0.4, 0.7, 0.5] }), { outputscale: 1.3 });
  const model = new SingleTaskGP(fromRows(rows), y, {
    kernel,
    inputTransform: new Normalize(LOWER, UPPER),
    outcomeTransform: new Standardize(),
    initialNoise: 1e-3,
    initialMean: 0.1,
  });
  return { model, yMax: Math.max(...y), yMin: Math.min(...y) };
}

function randomBatch(b: number, seed: number): QBatch {
  const r = rng(seed);
  const data = new Float64Array(b * D);
  for (let i = 0; i < b; i++) for (let j = 0; j < D; j++) data[i * D + j] = LOWER[j]! + (UPPER[j]! - LOWER[j]!) * r();
  return { b, q: 1, d: D, data };
}

/** Central differences of every t-batch's value in every coordinate: `b x 1 x d`. */
function finiteDifference(acq: AnalyticAcquisitionFunction, X: QBatch, h: number): Float64Array {
  const grad = new Float64Array(X.data.length);
  for (let k = 0; k < X.data.length; k++) {
    const plus = Float64Array.from(X.data);
    const minus = Float64Array.from(X.data);
    plus[k]! += h;
    minus[k]! -= h;
    const i = Math.floor(k / X.d);
    const fp = acq.forward({ ...X, data: plus })[i]!;
    const fm = acq.forward({ ...X, data: minus })[i]!;
    grad[k] = (fp - fm) / (2 * h);
  }
  return grad;
}

/** max over t-batches of |g - fd| / max(|g|) within the t-batch (relative to the batch's gradient scale). */
function relativeError(g: Float64Array, fd: Float64Array, d: number): number {
  let worst = 0;
  for (let i = 0; i < g.length / d; i++) {
    let scale = 0;
    for (let l = 0; l < d; l++) scale = Math.max(scale, Math.abs(g[i * d + l]!), Math.abs(fd[i * d + l]!));
    if (scale === 0) continue;
    for (let l = 0; l < d; l++) worst = Math.max(worst, Math.abs(g[i * d + l]! - fd[i * d + l]!) / scale);
  }
  return worst;
}

const { model, yMax, yMin } = makeModel();
type Factory = (maximize: boolean) => AnalyticAcquisitionFunction;
const FACTORIES: Record<string, Factory> = {
  ExpectedImprovement: (maximize) => new ExpectedImprovement(model, { bestF: maximize ? yMax : yMin, maximize }),
  LogExpectedImprovement: (maximize) => new LogExpectedImprovement(model, { bestF: maximize ? yMax : yMin, maximize }),
  ProbabilityOfImprovement: (maximize) => new ProbabilityOfImprovement(model, { bestF: maximize ? yMax : yMin, maximize }),
  LogProbabilityOfImprovement: (maximize) => new LogProbabilityOfImprovement(model, { bestF: maximize ? yMax : yMin, maximize }),
  UpperConfidenceBound: (maximize) => new UpperConfidenceBound(model, { beta: 2.5, maximize }),
  PosteriorMean: (maximize) => new PosteriorMean(model, { maximize }),
};

describe('analytic acquisition gradients', () => {
  for (const [name, make] of Object.entries(FACTORIES)) {
    for (const maximize of [true, false]) {
      it(`${name} (maximize = ${maximize}) matches central differences`, () => {
        const acq = make(maximize);
        const X = randomBatch(12, maximize ? 11 : 12);
        const { values, gradient } = acq.forwardWithGradient(X);
        expect(gradient.length).toBe(X.b * X.q * X.d);
        expect(Array.from(values)).toEqual(Array.from(acq.forward(X)));
        for (const v of values) expect(Number.isFinite(v)).toBe(true);
        const fd = finiteDifference(acq, X, 1e-5);
        expect(relativeError(gradient, fd, X.d)).toBeLessThanOrEqual(1e-5);
      });
    }
  }

  it('minimising applies each function to -f, with bestF negated (BoTorch convention)', () => {
    const X = randomBatch(6, 3);
    const probe = new PosteriorMean(model);
    const { mean, sd } = probe.meanAndSd(X);
    const ei = new ExpectedImprovement(model, { bestF: yMin, maximize: false }).forward(X);
    const ucb = new UpperConfidenceBound(model, { beta: 4, maximize: false }).forward(X);
    const pm = new PosteriorMean(model, { maximize: false }).forward(X);
    for (let i = 0; i < X.b; i++) {
      const m = mean[i]!;
      const s = sd[i]!;
      expect(ei[i]!).toBeCloseTo(s * eiH((yMin - m) / s), 14);
      expect(ucb[i]!).toBeCloseTo(-m + 2 * s, 12);
      expect(pm[i]!).toBe(-m);
    }
  });
});

describe('LogEI where EI underflows', () => {
  const X = randomBatch(1, 21);
  const { mean, sd } = new PosteriorMean(model).meanAndSd(X);
  const m = mean[0]!;
  const s = sd[0]!;

  it('is finite, decreasing in bestF, with finite gradients matching central differences', () => {
    let previous = Infinity;
    for (const k of [40, 60, 100, 300, 1e3, 1e4]) {
      const bestF = m + k * s;
      expect(new ExpectedImprovement(model, { bestF }).forward(X)[0]).toBe(0);
      const logEi = new LogExpectedImprovement(model, { bestF });
      const { values, gradient } = logEi.forwardWithGradient(X);
      const v = values[0]!;
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeLessThan(previous);
      // the leading asymptote -z²/2 - 2 log|z| - ½ log 2π + log σ, z = -k
      expect(Math.abs(v - (-0.5 * k * k - 2 * Math.log(k) - 0.5 * Math.log(2 * Math.PI) + Math.log(s))) / Math.abs(v)).toBeLessThan(3 / (k * k * k));
      previous = v;
      for (const g of gradient) expect(Number.isFinite(g)).toBe(true);
      expect(gradient.some((g) => g !== 0)).toBe(true);
      if (k <= 100) expect(relativeError(gradient, finiteDifference(logEi, X, 1e-6), X.d)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('EI itself has an all-zero gradient there (why LogEI exists)', () => {
    const { gradient } = new ExpectedImprovement(model, { bestF: m + 50 * s }).forwardWithGradient(X);
    expect(gradient.every((g) => g === 0)).toBe(true);
  });
});

/** A 1-d mock with mean sin(x) and variance x², which crosses the 1e-12 floor at |x| = 1e-6. */
function mockModel(): DifferentiableModel {
  return {
    dim: 1,
    numTrain: 0,
    posterior: (X) => new GaussianPosterior(X.b, 1, X.data.map(Math.sin), X.data.map((x) => x * x)),
    predict: () => {
      throw new Error('unused');
    },
    posteriorBackward: (X, gm, gc) => X.data.map((x, i) => gm[i]! * Math.cos(x) + (gc ? gc[i]! * 2 * x : 0)),
  };
}

describe('variance floor', () => {
  it('σ = √max(var, 1e-12); below the floor only the mean carries gradient', () => {
    const acq = new UpperConfidenceBound(mockModel(), { beta: 9 });
    const X: QBatch = { b: 3, q: 1, d: 1, data: Float64Array.from([1e-8, 0.5, -0.25]) };
    const { sd } = acq.meanAndSd(X);
    expect(sd[0]).toBe(Math.sqrt(MIN_POSTERIOR_VARIANCE));
    expect(sd[1]).toBe(0.5);
    const { values, gradient } = acq.forwardWithGradient(X);
    expect(values[0]).toBeCloseTo(Math.sin(1e-8) + 3e-6, 15);
    expect(gradient[0]).toBe(Math.cos(1e-8));
    // d/dx (sin x + 3 |x|) = cos x + 3 sign(x)
    expect(gradient[1]).toBeCloseTo(Math.cos(0.5) + 3, 14);
    expect(gradient[2]).toBeCloseTo(Math.cos(-0.25) - 3, 14);
  });
});

describe('input and option validation', () => {
  it('q > 1 is a ShapeError pointing at the Monte-Carlo variant', () => {
    const X: QBatch = { b: 2, q: 3, d: D, data: new Float64Array(2 * 3 * D) };
    for (const make of Object.values(FACTORIES)) {
      const acq = make(true);
      expect(() => acq.forward(X)).toThrow(ShapeError);
      expect(() => acq.forwardWithGradient(X)).toThrow(/got q = 3.*Monte-Carlo q\w+/);
    }
  });

  it('wrong d or data length is a ShapeError, non-finite coordinates an InputDataError', () => {
    const acq = new ExpectedImprovement(model, { bestF: yMax });
    expect(() => acq.forward({ b: 1, q: 1, d: 2, data: new Float64Array(2) })).toThrow(/expected points with d = 3.*got d = 2/);
    expect(() => acq.forward({ b: 2, q: 1, d: D, data: new Float64Array(5) })).toThrow(ShapeError);
    expect(() => acq.forward({ b: 1, q: 1, d: D, data: Float64Array.from([0, Number.NaN, 2]) })).toThrow(InputDataError);
  });

  it('an empty batch gives empty values and gradient', () => {
    const out = new LogExpectedImprovement(model, { bestF: yMax }).forwardWithGradient({ b: 0, q: 1, d: D, data: new Float64Array(0) });
    expect(out.values.length).toBe(0);
    expect(out.gradient.length).toBe(0);
  });

  it('rejects non-finite bestF and negative or non-finite beta', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      expect(() => new ExpectedImprovement(model, { bestF: bad })).toThrow(InputDataError);
      expect(() => new LogExpectedImprovement(model, { bestF: bad })).toThrow(/bestF is .*expected a finite number/);
      expect(() => new ProbabilityOfImprovement(model, { bestF: bad })).toThrow(InputDataError);
      expect(() => new LogProbabilityOfImprovement(model, { bestF: bad })).toThrow(InputDataError);
    }
    for (const bad of [-1, Number.NaN, Infinity]) expect(() => new UpperConfidenceBound(model, { beta: bad })).toThrow(InputDataError);
    expect(() => new UpperConfidenceBound(model, { beta: -1 })).toThrow(/beta is -1; expected a finite number >= 0/);
    expect(new UpperConfidenceBound(model, { beta: 0 }).beta).toBe(0);
  });
});
