import type { TestFunction } from './test-function.js';

/**
 * Branin on [-5, 10] x [0, 15]:
 * `f(x) = (x2 - 5.1/(4 pi^2) x1^2 + 5/pi x1 - 6)^2 + 10 (1 - 1/(8 pi)) cos(x1) + 10`,
 * minimum 0.397887 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475).
 */
export const branin: TestFunction = {
  name: 'branin',
  dim: 2,
  bounds: [
    [-5, 10],
    [0, 15],
  ],
  optimalValue: 0.397887,
  evaluate(x) {
    const x1 = x[0]!;
    const x2 = x[1]!;
    const t = x2 - (5.1 / (4 * Math.PI * Math.PI)) * x1 * x1 + (5 / Math.PI) * x1 - 6;
    return t * t + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  },
};
