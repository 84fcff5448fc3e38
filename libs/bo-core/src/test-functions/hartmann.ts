import type { TestFunction } from './test-function.js';

const ALPHA = [1.0, 1.2, 3.0, 3.2];
const A6 = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const P6 = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];
const A3 = [
  [3, 10, 30],
  [0.1, 10, 35],
  [3, 10, 30],
  [0.1, 10, 35],
];
const P3 = [
  [3689, 1170, 2673],
  [4699, 4387, 7470],
  [1091, 8732, 5547],
  [381, 5743, 8828],
];

/** `f(x) = -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij / 1e4)^2)` on the unit cube. */
function hartmann(name: string, A: number[][], P: number[][], optimalValue: number): TestFunction {
  const dim = A[0]!.length;
  return {
    name,
    dim,
    bounds: Array.from({ length: dim }, () => [0, 1] as const),
    optimalValue,
    evaluate(x) {
      let f = 0;
      for (let i = 0; i < 4; i++) {
        let inner = 0;
        for (let j = 0; j < dim; j++) {
          const t = x[j]! - P[i]![j]! * 1e-4;
          inner += A[i]![j]! * t * t;
        }
        f -= ALPHA[i]! * Math.exp(-inner);
      }
      return f;
    },
  };
}

/** Hartmann-6, minimum -3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573). */
export const hartmann6: TestFunction = hartmann('hartmann6', A6, P6, -3.32237);
/** Hartmann-3, minimum -3.86278 at (0.114614, 0.555649, 0.852547). */
export const hartmann3: TestFunction = hartmann('hartmann3', A3, P3, -3.86278);
