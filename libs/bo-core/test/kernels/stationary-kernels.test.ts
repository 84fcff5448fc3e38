import { describe, expect, it } from 'vitest';
import { InputDataError, ShapeError } from '../../src/errors/errors.js';
import { MaternKernel, ProductKernel, RBFKernel, ScaleKernel, SumKernel, type Kernel } from '../../src/kernels/index.js';
import { fromRows, type Matrix } from '../../src/linalg/matrix.js';
import { expectClose, randomMatrix, rng } from './kernel-contract.js';

const SQRT5 = Math.sqrt(5);
const x0 = fromRows([[0, 0]]);
const x1 = fromRows([[0.3, 0.8]]);
// With lengthscales (0.5, 2): r^2 = (0.3 / 0.5)^2 + (0.8 / 2)^2 = 0.36 + 0.16 = 0.52.
const R2 = 0.52;

function k11(kernel: Kernel, a: Matrix, b: Matrix): number {
  return kernel.covariance(a, b).data[0]!;
}

describe('reference values', () => {
  it('RBF: s * exp(-r^2 / 2)', () => {
    const rbf = new RBFKernel(2, { lengthscale: [0.5, 2] });
    expect(k11(rbf, x0, x1)).toBeCloseTo(Math.exp(-0.26), 15);
    const scaled = new ScaleKernel(rbf, { outputscale: 1.7 });
    expect(k11(scaled, x0, x1)).toBeCloseTo(1.7 * 0.7710515858035663, 15);
    // r^2 = 2 with lengthscales (1, 2) between (0, 0) and (1, 2): exp(-1).
    expect(k11(new RBFKernel(2, { lengthscale: [1, 2] }), x0, fromRows([[1, 2]]))).toBeCloseTo(Math.exp(-1), 15);
  });

  it('Matern 5/2: s * (1 + √5 r + 5/3 r^2) exp(-√5 r)', () => {
    const r = Math.sqrt(R2);
    const expected = (1 + SQRT5 * r + (5 / 3) * R2) * Math.exp(-SQRT5 * r);
    const m52 = new MaternKernel(2, { lengthscale: [0.5, 2] });
    expect(k11(m52, x0, x1)).toBeCloseTo(expected, 15);
    expect(k11(new ScaleKernel(m52, { outputscale: 2.5 }), x0, x1)).toBeCloseTo(2.5 * expected, 15);
    // r = 1 exactly: (1 + √5 + 5/3) exp(-√5) = 0.5239941088318203.
    expect(k11(new MaternKernel(1), fromRows([[0.25]]), fromRows([[1.25]]))).toBeCloseTo(0.5239941088318203, 15);
  });

  it('Matern 1/2 and 3/2 at r = 1', () => {
    const a = fromRows([[0.25]]);
    const b = fromRows([[1.25]]);
    expect(k11(new MaternKernel(1, { nu: 0.5 }), a, b)).toBeCloseTo(Math.exp(-1), 15);
    expect(k11(new MaternKernel(1, { nu: 1.5 }), a, b)).toBeCloseTo((1 + Math.sqrt(3)) * Math.exp(-Math.sqrt(3)), 15);
  });

  it('base kernels are 1 at r = 0 (no outputscale)', () => {
    const X = randomMatrix(4, 3, rng(1));
    for (const k of [new RBFKernel(3), new MaternKernel(3, { nu: 0.5 }), new MaternKernel(3, { nu: 1.5 }), new MaternKernel(3)]) {
      expect(Array.from(k.diagonal(X))).toEqual([1, 1, 1, 1]);
    }
    expect(Array.from(new ScaleKernel(new RBFKernel(3), { outputscale: 3 }).diagonal(X))).toEqual([3, 3, 3, 3]);
  });
});

describe('ARD with equal lengthscales equals the isotropic kernel', () => {
  const X = randomMatrix(8, 4, rng(2));
  const Y = randomMatrix(5, 4, rng(3));
  const W = randomMatrix(8, 8, rng(4), -1, 1);
  const cases: [string, (ard: boolean) => Kernel][] = [
    ['RBF', (ard) => new RBFKernel(4, { ard, lengthscale: 0.6 })],
    ...([0.5, 1.5, 2.5] as const).map((nu): [string, (ard: boolean) => Kernel] => [
      `Matern ${nu}`,
      (ard) => new MaternKernel(4, { nu, ard, lengthscale: 0.6 }),
    ]),
    ['Scale(Matern 5/2)', (ard) => new ScaleKernel(new MaternKernel(4, { ard, lengthscale: 0.6 }), { outputscale: 2 })],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const ardK = make(true);
      const iso = make(false);
      expect(iso.numHyperparameters).toBe(ardK.numHyperparameters - 3);
      expectClose(ardK.covariance(X, Y).data, iso.covariance(X, Y).data, 1e-14, 1, 'K(X, Y)');
      expectClose(ardK.covariance(X, X).data, iso.covariance(X, X).data, 1e-14, 1, 'K(X, X)');
      expectClose(ardK.inputGradient(Y.data.subarray(0, 4), X).data, iso.inputGradient(Y.data.subarray(0, 4), X).data, 1e-13, 1, 'dk/dx');
      // The shared lengthscale's gradient is the sum of the per-dimension ones.
      const gArd = ardK.hyperparameterGradient(X, W);
      const gIso = iso.hyperparameterGradient(X, W);
      const offset = gArd.length - 4;
      const summed = [...Array.from(gArd.subarray(0, offset)), gArd.subarray(offset).reduce((a, b) => a + b, 0)];
      expectClose(gIso, summed, 1e-12, 1, 'gradient');
    });
  }
});

describe('Matern 1/2 at duplicate points', () => {
  it('input gradient at r = 0 is 0 by definition; elsewhere it is finite and non-zero', () => {
    const k = new MaternKernel(2, { nu: 0.5, lengthscale: [0.4, 0.9] });
    const X = fromRows([[0.2, 0.3], [0.7, 0.1], [0.2, 0.3]]);
    const G = k.inputGradient([0.2, 0.3], X);
    expect(Array.from(G.data.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(G.data.subarray(4, 6))).toEqual([0, 0]);
    expect(G.data[2]).not.toBe(0);
    for (const v of G.data) expect(Number.isFinite(v)).toBe(true);
  });

  it('lengthscale gradient ignores duplicate pairs (k = 1 for every lengthscale)', () => {
    const k = new MaternKernel(2, { nu: 0.5 });
    const X = fromRows([[0.2, 0.3], [0.2, 0.3]]);
    const W = fromRows([[1, 2], [3, 4]]);
    expect(Array.from(k.hyperparameterGradient(X, W))).toEqual([0, 0]);
  });

  it('very close points (r ~ 1e-150) still give finite gradients', () => {
    const k = new MaternKernel(1, { nu: 0.5 });
    const X = fromRows([[0.5], [0.5 + 1e-15]]);
    const W = fromRows([[1, 1], [1, 1]]);
    for (const v of k.hyperparameterGradient(X, W)) expect(Number.isFinite(v)).toBe(true);
    for (const v of k.inputGradient([0.5 + 1e-16], X).data) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('smooth kernels at r = 0', () => {
  it('derivative profiles are finite at duplicate points and the input gradient is 0 there', () => {
    for (const k of [new RBFKernel(2), new MaternKernel(2, { nu: 1.5 }), new MaternKernel(2, { nu: 2.5 })]) {
      const X = fromRows([[0.1, 0.2], [0.1, 0.2], [0.5, 0.5]]);
      expect(Array.from(k.inputGradient([0.1, 0.2], X).data.subarray(0, 4))).toEqual([0, 0, 0, 0]);
      for (const v of k.hyperparameterGradient(X, randomMatrix(3, 3, rng(8))) ) expect(Number.isFinite(v)).toBe(true);
    }
  });
});

describe('hyperparameters and accessors', () => {
  it('stationary kernels store log lengthscales and expose lengthscales()', () => {
    const k = new RBFKernel(3, { lengthscale: [0.5, 1, 2] });
    expect(k.hyperparameterNames()).toEqual(['lengthscale[0]', 'lengthscale[1]', 'lengthscale[2]']);
    expectClose(k.getHyperparameters(), [Math.log(0.5), 0, Math.log(2)], 1e-15, 1, 'theta');
    expectClose(k.lengthscales(), [0.5, 1, 2], 1e-15, 1, 'lengthscales');
    k.setHyperparameters([0, Math.log(3), 1]);
    expectClose(k.lengthscales(), [1, 3, Math.E], 1e-15, 1, 'lengthscales after set');
    const iso = new MaternKernel(5, { ard: false, lengthscale: 0.25 });
    expect(iso.numHyperparameters).toBe(1);
    expect(iso.hyperparameterNames()).toEqual(['lengthscale']);
    expectClose(iso.lengthscales(), [0.25], 1e-15, 1, 'iso lengthscale');
    expect(iso.nu).toBe(2.5);
    expect(new RBFKernel(2).lengthscales()).toEqual(new Float64Array([1, 1]));
  });

  it('ScaleKernel puts log outputscale first and exposes outputscale', () => {
    const k = new ScaleKernel(new MaternKernel(2, { lengthscale: [0.5, 2] }), { outputscale: 4 });
    expect(k.hyperparameterNames()).toEqual(['outputscale', 'base.lengthscale[0]', 'base.lengthscale[1]']);
    expectClose(k.getHyperparameters(), [Math.log(4), Math.log(0.5), Math.log(2)], 1e-15, 1, 'theta');
    expect(k.outputscale).toBeCloseTo(4, 14);
    k.setHyperparameters([0, 0, 0]);
    expect(k.outputscale).toBe(1);
    expect(new ScaleKernel(new RBFKernel(1)).outputscale).toBe(1);
  });

  it('Sum and Product concatenate their children in order', () => {
    const a = new RBFKernel(2, { lengthscale: [2, 3] });
    const b = new ScaleKernel(new MaternKernel(2, { ard: false }), { outputscale: 5 });
    for (const k of [new SumKernel(a, b), new ProductKernel(a, b)]) {
      expect(k.hyperparameterNames()).toEqual([
        'kernels[0].lengthscale[0]',
        'kernels[0].lengthscale[1]',
        'kernels[1].outputscale',
        'kernels[1].base.lengthscale',
      ]);
      expectClose(k.getHyperparameters(), [Math.log(2), Math.log(3), Math.log(5), 0], 1e-15, 1, 'theta');
    }
    const s = new SumKernel(a, b);
    s.setHyperparameters([1, 2, 3, 4]);
    expectClose(a.getHyperparameters(), [1, 2], 0, 1, 'a');
    expectClose(b.getHyperparameters(), [3, 4], 0, 1, 'b');
  });

  it('a single-kernel sum or product behaves as the kernel', () => {
    const X = randomMatrix(6, 2, rng(11));
    const W = randomMatrix(6, 6, rng(12), -1, 1);
    const base = new MaternKernel(2, { nu: 1.5, lengthscale: [0.3, 0.6] });
    for (const k of [new SumKernel(base), new ProductKernel(base)]) {
      expectClose(k.covariance(X, X).data, base.covariance(X, X).data, 0, 1, 'K');
      expectClose(k.hyperparameterGradient(X, W), base.hyperparameterGradient(X, W), 1e-15, 1, 'g');
      expectClose(k.inputGradient([0.1, 0.9], X).data, base.inputGradient([0.1, 0.9], X).data, 1e-15, 1, 'dk/dx');
    }
  });
});

describe('validation', () => {
  it('rejects a bad dim', () => {
    expect(() => new RBFKernel(0)).toThrow(ShapeError);
    expect(() => new RBFKernel(1.5)).toThrow(ShapeError);
    expect(() => new MaternKernel(-2)).toThrow(ShapeError);
  });

  it('rejects bad lengthscales', () => {
    expect(() => new RBFKernel(2, { lengthscale: 0 })).toThrow(InputDataError);
    expect(() => new RBFKernel(2, { lengthscale: [1, -1] })).toThrow(InputDataError);
    expect(() => new RBFKernel(2, { lengthscale: Number.POSITIVE_INFINITY })).toThrow(InputDataError);
    expect(() => new RBFKernel(2, { lengthscale: Number.NaN })).toThrow(InputDataError);
    expect(() => new RBFKernel(2, { lengthscale: [1, 2, 3] })).toThrow(ShapeError);
    expect(() => new RBFKernel(2, { ard: false, lengthscale: [1, 2] })).toThrow(ShapeError);
    expect(new RBFKernel(2, { ard: false, lengthscale: [0.5] }).lengthscales()).toEqual(new Float64Array([0.5]));
  });

  it('rejects an unsupported nu', () => {
    expect(() => new MaternKernel(2, { nu: 2 as 2.5 })).toThrow(InputDataError);
    expect(() => new MaternKernel(2, { nu: 2 as 2.5 })).toThrow(/0\.5, 1\.5 or 2\.5/);
  });

  it('rejects a bad outputscale and mismatched dims', () => {
    expect(() => new ScaleKernel(new RBFKernel(2), { outputscale: 0 })).toThrow(InputDataError);
    expect(() => new SumKernel(new RBFKernel(2), new RBFKernel(3))).toThrow(ShapeError);
    expect(() => new ProductKernel()).toThrow(ShapeError);
  });

  it('says expected vs got for the column count', () => {
    const k = new RBFKernel(3);
    expect(() => k.covariance(fromRows([[1, 2]]), fromRows([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => k.covariance(fromRows([[1, 2]]), fromRows([[1, 2, 3]]))).toThrow('X1 must have 3 columns (the kernel\'s dim), got 1 x 2');
  });

  it('rejects non-finite inputs and hyperparameters', () => {
    const k = new MaternKernel(2);
    expect(() => k.covariance(fromRows([[1, Number.NaN]]), fromRows([[1, 2]]))).toThrow(InputDataError);
    expect(() => k.inputGradient([Number.POSITIVE_INFINITY, 0], fromRows([[1, 2]]))).toThrow(InputDataError);
    expect(() => k.setHyperparameters([0, Number.NaN])).toThrow(InputDataError);
    expect(() => new ScaleKernel(k).setHyperparameters([Number.NaN, 0, 0])).toThrow(InputDataError);
  });
});
