import { describe, expect, it } from 'vitest';
import {
  buildPresetModel,
  exactMarginalLogLikelihood,
  fromRows,
  GammaPrior,
  LogNormalPrior,
  MaternKernel,
  Normalize,
  Prng,
  ProductKernel,
  RBFKernel,
  ScaleKernel,
  SingleTaskGP,
  Standardize,
  SumKernel,
  type HyperparameterPrior,
  type Matrix,
} from '@apiary/bo-core';

/** Central-difference step in raw (log) hyperparameter space. */
const H = 1e-5;
/**
 * Central differences with h = 1e-5 on an objective of size ~10-50: rounding contributes about
 * eps |f| / h ~ 1e-10 and truncation h^2 f''' / 6 ~ 1e-10 |f'''|, so 1e-6 relative (or 1e-8
 * absolute for near-zero components) leaves a margin while catching any missing term.
 */
const REL = 1e-6;
const ABS = 1e-8;

function randomData(n: number, d: number, seed: number, lo = 0, hi = 1): { X: Matrix; y: Float64Array } {
  const rng = new Prng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from({ length: d }, () => lo + (hi - lo) * rng.uniform()));
  const y = Float64Array.from(rows, (r) => 3 * Math.sin(2 * r.reduce((a, b) => a + b, 0) / (hi - lo)) + 10 + 0.3 * rng.normal());
  return { X: fromRows(rows), y };
}

/** Random raw hyperparameters: log lengthscales in [log 0.15, log 1.5], log outputscales in [log 0.3, log 3], log noise in [log 1e-3, log 0.3], mean in [-1, 1]. */
function randomHyperparameters(model: SingleTaskGP, rng: Prng): Float64Array {
  const u = (a: number, b: number): number => a + (b - a) * rng.uniform();
  return Float64Array.from(model.hyperparameterNames(), (name) => {
    if (name.includes('lengthscale')) return u(Math.log(0.15), Math.log(1.5));
    if (name.includes('outputscale')) return u(Math.log(0.3), Math.log(3));
    if (name === 'log_noise') return u(Math.log(1e-3), Math.log(0.3));
    if (name === 'mean_constant') return u(-1, 1);
    throw new Error(`unexpected hyperparameter ${name}`);
  });
}

function checkGradientByFiniteDifferences(model: SingleTaskGP, theta: Float64Array, label: string): void {
  model.setHyperparameters(theta);
  const { value, grad } = model.logPosterior(true);
  expect(model.jitter, `${label}: no jitter, so the objective is smooth`).toBe(0);
  expect(Number.isFinite(value)).toBe(true);
  expect(grad).toBeDefined();
  expect(grad!.length).toBe(theta.length);
  const names = model.hyperparameterNames();
  let norm = 0;
  for (let k = 0; k < theta.length; k++) {
    const tp = theta.slice();
    tp[k]! += H;
    model.setHyperparameters(tp);
    const fp = model.logPosterior(false).value;
    const tm = theta.slice();
    tm[k]! -= H;
    model.setHyperparameters(tm);
    const fm = model.logPosterior(false).value;
    expect(model.jitter).toBe(0);
    const fd = (fp - fm) / (2 * H);
    const g = grad![k]!;
    norm = Math.max(norm, Math.abs(fd));
    const err = Math.abs(g - fd);
    if (!(err <= Math.max(REL * Math.abs(fd), ABS))) {
      expect.fail(`${label}: d/d ${names[k]} analytic ${g}, finite difference ${fd} (abs err ${err.toExponential(2)})`);
    }
  }
  // Random hyperparameters are far from the optimum: the gradient is not trivially zero.
  expect(norm).toBeGreaterThan(1e-2);
  model.setHyperparameters(theta);
}

describe('SingleTaskGP.logPosterior gradient vs central finite differences', () => {
  it('matern-gamma preset: Scale(Matern-5/2 ARD) + Gamma priors on lengthscales, outputscale, noise', () => {
    const { X, y } = randomData(14, 3, 1, -2, 5);
    const { model } = buildPresetModel('matern-gamma', X, y, Normalize.fromData(X));
    expect(model.kernelPriors.length).toBe(4);
    expect(model.noisePrior).not.toBeNull();
    expect(model.hyperparameterNames()).toEqual([
      'kernel.outputscale',
      'kernel.base.lengthscale[0]',
      'kernel.base.lengthscale[1]',
      'kernel.base.lengthscale[2]',
      'log_noise',
      'mean_constant',
    ]);
    const rng = new Prng(7);
    for (let r = 0; r < 4; r++) checkGradientByFiniteDifferences(model, randomHyperparameters(model, rng), `matern-gamma draw ${r}`);
  });

  it('botorch preset: RBF ARD + LogNormal priors', () => {
    const { X, y } = randomData(12, 2, 2);
    const { model } = buildPresetModel('botorch', X, y, Normalize.fromData(X));
    expect(model.hyperparameterNames()).toEqual(['kernel.lengthscale[0]', 'kernel.lengthscale[1]', 'log_noise', 'mean_constant']);
    const rng = new Prng(8);
    for (let r = 0; r < 4; r++) checkGradientByFiniteDifferences(model, randomHyperparameters(model, rng), `botorch draw ${r}`);
  });

  it('known (heteroskedastic) noise: no noise entry, gradients still exact', () => {
    const { X, y } = randomData(12, 2, 3);
    const noise = Float64Array.from({ length: 12 }, (_, i) => 0.01 + 0.02 * (i % 4));
    const { model } = buildPresetModel('matern-gamma', X, y, Normalize.fromData(X), noise);
    expect(model.infersNoise).toBe(false);
    expect(model.hyperparameterNames()).not.toContain('log_noise');
    expect(model.numHyperparameters).toBe(4);
    const rng = new Prng(9);
    for (let r = 0; r < 4; r++) checkGradientByFiniteDifferences(model, randomHyperparameters(model, rng), `known noise draw ${r}`);
  });

  it('a Sum/Product composite kernel built directly, with priors on nested indices', () => {
    const d = 2;
    const { X, y } = randomData(13, d, 4, 0, 10);
    const kernel = new SumKernel(
      new ScaleKernel(new RBFKernel(d)),
      new ScaleKernel(new ProductKernel(new MaternKernel(d, { nu: 1.5 }), new RBFKernel(d, { ard: false }))),
    );
    const names = kernel.hyperparameterNames();
    expect(names).toEqual([
      'kernels[0].outputscale',
      'kernels[0].base.lengthscale[0]',
      'kernels[0].base.lengthscale[1]',
      'kernels[1].outputscale',
      'kernels[1].base.kernels[0].lengthscale[0]',
      'kernels[1].base.kernels[0].lengthscale[1]',
      'kernels[1].base.kernels[1].lengthscale',
    ]);
    const kernelPriors: HyperparameterPrior[] = names.map((name, index) => ({
      index,
      prior: name.includes('outputscale') ? new LogNormalPrior(0, 1) : new GammaPrior(3, 6),
    }));
    const model = new SingleTaskGP(X, y, {
      kernel,
      inputTransform: Normalize.fromData(X),
      outcomeTransform: new Standardize(),
      kernelPriors,
      noisePrior: new GammaPrior(1.1, 0.05),
    });
    const rng = new Prng(10);
    for (let r = 0; r < 4; r++) checkGradientByFiniteDifferences(model, randomHyperparameters(model, rng), `sum/product draw ${r}`);
  });

  it('without transforms or priors the gradient is the plain marginal-likelihood gradient', () => {
    const { X, y } = randomData(10, 2, 5);
    const model = new SingleTaskGP(X, y, { kernel: new ScaleKernel(new MaternKernel(2, { nu: 2.5 })), inputTransform: null, outcomeTransform: null });
    const rng = new Prng(11);
    const theta = randomHyperparameters(model, rng);
    checkGradientByFiniteDifferences(model, theta, 'bare');
    // Every piece against exactMarginalLogLikelihood directly.
    model.setHyperparameters(theta);
    const lp = model.logPosterior(true);
    const noise = Math.exp(theta[3]!);
    const mll = exactMarginalLogLikelihood(model.kernel, X, y, new Float64Array(10).fill(noise), theta[4]!, true);
    expect(lp.value).toBe(mll.value);
    expect(Array.from(lp.grad!.subarray(0, 3))).toEqual(Array.from(mll.gradKernel!));
    const trace = mll.gradNoise!.reduce((a, b) => a + b, 0);
    expect(Math.abs(lp.grad![3]! - trace * noise)).toBeLessThanOrEqual(1e-12 * Math.abs(trace * noise));
    expect(lp.grad![4]).toBe(mll.gradMean);
  });
});

/** Dense textbook Cholesky, independent of the library's blocked/jittered one. */
function naiveLogNormalDensity(K: number[][], r: number[]): number {
  const n = r.length;
  const L: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = K[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(s) : s / L[j]![j]!;
    }
  }
  const v = new Array<number>(n).fill(0);
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    let s = r[i]!;
    for (let k = 0; k < i; k++) s -= L[i]![k]! * v[k]!;
    v[i] = s / L[i]![i]!;
    logDet += 2 * Math.log(L[i]![i]!);
  }
  const quad = v.reduce((a, b) => a + b * b, 0);
  return -0.5 * quad - 0.5 * logDet - 0.5 * n * Math.log(2 * Math.PI);
}

/** Matérn-5/2 with ARD lengthscales, written out. */
function matern52(a: readonly number[], b: readonly number[], ls: readonly number[]): number {
  let r2 = 0;
  for (let j = 0; j < a.length; j++) r2 += ((a[j]! - b[j]!) / ls[j]!) ** 2;
  const r = Math.sqrt(5 * r2);
  return (1 + r + (r * r) / 3) * Math.exp(-r);
}

describe('logPosterior includes the outcome transform log-Jacobian', () => {
  it('with Standardize: value = MLL(z) - n log sigma + log priors, each piece computed independently', () => {
    const n = 11;
    const rng = new Prng(21);
    const rows = Array.from({ length: n }, () => [4 * rng.uniform(), 4 * rng.uniform()]);
    // Outcomes with a large spread, so that n log sigma is far from 0.
    const yArr = rows.map(([a, b]) => 40 * Math.cos(a!) + 25 * b! - 7);
    const X = fromRows(rows);
    const { model } = buildPresetModel('matern-gamma', X, yArr, new Normalize([0, 0], [4, 4]));
    const theta = randomHyperparameters(model, new Prng(22));
    model.setHyperparameters(theta);
    const got = model.logPosterior(false).value;

    // z = (y - mean) / sd with the n - 1 sd.
    const mean = yArr.reduce((a, b) => a + b, 0) / n;
    const sigma = Math.sqrt(yArr.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(n * Math.log(sigma))).toBeGreaterThan(20);
    const z = yArr.map((v) => (v - mean) / sigma);
    const [logOs, logL0, logL1, logNoise, c] = Array.from(theta) as [number, number, number, number, number];
    const os = Math.exp(logOs);
    const ls = [Math.exp(logL0), Math.exp(logL1)];
    const noise = Math.exp(logNoise);
    const U = rows.map((r) => r.map((v) => v / 4));
    const K = U.map((a, i) => U.map((b, j) => os * matern52(a, b, ls) + (i === j ? noise : 0)));
    const mllZ = naiveLogNormalDensity(K, z.map((v) => v - c));
    const gammaLog = (a: number, b: number, x: number): number => a * Math.log(b) - lgammaSmall(a) + (a - 1) * Math.log(x) - b * x;
    const logPriors = gammaLog(3, 6, ls[0]!) + gammaLog(3, 6, ls[1]!) + gammaLog(2, 0.15, os) + gammaLog(1.1, 0.05, noise);
    const expected = mllZ - n * Math.log(sigma) + logPriors;
    expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-10 * Math.abs(expected));
    // The Jacobian term is what the model reports.
    expect(Math.abs(model.outcomeLogDetJacobian + n * Math.log(sigma))).toBeLessThanOrEqual(1e-12 * n * Math.abs(Math.log(sigma)));
  });

  it('the log-Jacobian does not depend on the hyperparameters (it cancels in the gradient)', () => {
    const { X, y } = randomData(9, 2, 31);
    const scaled = y.map((v) => 1000 * v);
    const { model: a } = buildPresetModel('botorch', X, y, Normalize.fromData(X));
    const { model: b } = buildPresetModel('botorch', X, scaled, Normalize.fromData(X));
    const theta = randomHyperparameters(a, new Prng(32));
    a.setHyperparameters(theta);
    b.setHyperparameters(theta);
    const la = a.logPosterior(true);
    const lb = b.logPosterior(true);
    // Same z, outcomes 1000x larger: the density of y drops by exactly n log 1000.
    expect(Math.abs(la.value - lb.value - 9 * Math.log(1000))).toBeLessThanOrEqual(1e-10 * 9 * Math.log(1000));
    la.grad!.forEach((g, i) => expect(Math.abs(g - lb.grad![i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(g))));
  });
});

/** log Γ(a) for the prior shapes used here, from tabulated values: Γ(1) = Γ(2) = 1, Γ(3) = 2, Γ(1.1) = 0.95135076986687... */
function lgammaSmall(a: number): number {
  if (a === 2 || a === 1) return 0;
  if (a === 3) return Math.log(2);
  if (a === 1.1) return Math.log(0.9513507698668732); // Γ(1.1)
  throw new Error(`lgammaSmall: no value for ${a}`);
}
