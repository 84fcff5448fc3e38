import type { TestFunction } from './test-function.js';

const box = (dim: number, lo: number, hi: number): (readonly [number, number])[] => Array.from({ length: dim }, () => [lo, hi] as const);

/** Ackley: `-a exp(-b sqrt(mean x^2)) - exp(mean cos(c x)) + a + e`, a = 20, b = 0.2, c = 2 pi; on [-32.768, 32.768]^d, min 0 at 0. */
export function ackley(dim: number): TestFunction {
  return {
    name: `ackley${dim}`,
    dim,
    bounds: box(dim, -32.768, 32.768),
    optimalValue: 0,
    evaluate(x) {
      let s2 = 0;
      let sc = 0;
      for (let j = 0; j < dim; j++) {
        s2 += x[j]! * x[j]!;
        sc += Math.cos(2 * Math.PI * x[j]!);
      }
      return -20 * Math.exp(-0.2 * Math.sqrt(s2 / dim)) - Math.exp(sc / dim) + 20 + Math.E;
    },
  };
}

/**
 * Levy: with `w = 1 + (x - 1)/4`,
 * `sin^2(pi w_1) + sum_{i<d} (w_i - 1)^2 (1 + 10 sin^2(pi w_i + 1)) + (w_d - 1)^2 (1 + sin^2(2 pi w_d))`;
 * on [-10, 10]^d, min 0 at (1, ..., 1).
 */
export function levy(dim: number): TestFunction {
  return {
    name: `levy${dim}`,
    dim,
    bounds: box(dim, -10, 10),
    optimalValue: 0,
    evaluate(x) {
      const w = (j: number): number => 1 + (x[j]! - 1) / 4;
      let f = Math.sin(Math.PI * w(0)) ** 2;
      for (let j = 0; j < dim - 1; j++) f += (w(j) - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w(j) + 1) ** 2);
      const wd = w(dim - 1);
      return f + (wd - 1) ** 2 * (1 + Math.sin(2 * Math.PI * wd) ** 2);
    },
  };
}

/** Rosenbrock: `sum_{i<d} 100 (x_{i+1} - x_i^2)^2 + (x_i - 1)^2`; on [-5, 10]^d, min 0 at (1, ..., 1). */
export function rosenbrock(dim: number): TestFunction {
  return {
    name: `rosenbrock${dim}`,
    dim,
    bounds: box(dim, -5, 10),
    optimalValue: 0,
    evaluate(x) {
      let f = 0;
      for (let j = 0; j < dim - 1; j++) f += 100 * (x[j + 1]! - x[j]! * x[j]!) ** 2 + (x[j]! - 1) ** 2;
      return f;
    },
  };
}

/** Styblinski-Tang: `1/2 sum (x^4 - 16 x^2 + 5 x)`; on [-5, 5]^d, min -39.166166 d at x_i = -2.903534. */
export function styblinskiTang(dim: number): TestFunction {
  return {
    name: `styblinskitang${dim}`,
    dim,
    bounds: box(dim, -5, 5),
    optimalValue: -39.166165703771416 * dim,
    evaluate(x) {
      let f = 0;
      for (let j = 0; j < dim; j++) f += x[j]! ** 4 - 16 * x[j]! ** 2 + 5 * x[j]!;
      return f / 2;
    },
  };
}

const MICHALEWICZ_OPTIMA: Record<number, number> = { 2: -1.80130341, 5: -4.687658, 10: -9.66015 };

/** Michalewicz: `-sum sin(x_i) sin(i x_i^2 / pi)^20` (m = 10); on [0, pi]^d; known minima for d = 2, 5, 10. */
export function michalewicz(dim: number): TestFunction {
  const opt = MICHALEWICZ_OPTIMA[dim];
  if (opt === undefined) throw new RangeError(`michalewicz: the optimum is known for d = 2, 5, 10, not ${dim}`);
  return {
    name: `michalewicz${dim}`,
    dim,
    bounds: box(dim, 0, Math.PI),
    optimalValue: opt,
    evaluate(x) {
      let f = 0;
      for (let j = 0; j < dim; j++) f -= Math.sin(x[j]!) * Math.sin(((j + 1) * x[j]! * x[j]!) / Math.PI) ** 20;
      return f;
    },
  };
}

/** Six-hump camel: `(4 - 2.1 x1^2 + x1^4/3) x1^2 + x1 x2 + (-4 + 4 x2^2) x2^2`; on [-3, 3] x [-2, 2], min -1.0316284535. */
export const sixHumpCamel: TestFunction = {
  name: 'sixhumpcamel',
  dim: 2,
  bounds: [
    [-3, 3],
    [-2, 2],
  ],
  optimalValue: -1.0316284534898774,
  evaluate(x) {
    const a = x[0]!;
    const b = x[1]!;
    return (4 - 2.1 * a * a + a ** 4 / 3) * a * a + a * b + (-4 + 4 * b * b) * b * b;
  },
};
