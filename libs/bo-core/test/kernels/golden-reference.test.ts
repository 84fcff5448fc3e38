import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MaternKernel, RBFKernel, ScaleKernel } from '../../src/kernels/index.js';
import { fromRows } from '../../src/linalg/matrix.js';
import { cholesky, expectClose } from './kernel-contract.js';

/**
 * Checks the kernels against BoTorch/GPyTorch figures: the exact log marginal likelihood and its
 * gradients w.r.t. log lengthscales and log outputscale, computed here from `K(X, X)` and
 * `hyperparameterGradient` with `W = (alpha alpha^T - K_y^-1) / 2`. The file lives outside the
 * repository (`<repo>/../shared/reference/`).
 */
const path = fileURLToPath(new URL('../../../../../shared/reference/golden_gp_acq.json', import.meta.url));
const present = existsSync(path);

interface GoldenCase {
  kernel: 'matern52' | 'rbf';
  d: number;
  n: number;
  X: number[][];
  y: number[];
  lengthscales: number[];
  outputscale: number;
  noise_variance: number;
  mean_constant: number;
  log_marginal_likelihood: number;
  grad_log_lengthscales: number[];
  grad_log_outputscale: number;
}

describe.skipIf(!present)(`BoTorch golden cases (${path})`, () => {
  const cases = present ? (JSON.parse(readFileSync(path, 'utf8')) as { cases: GoldenCase[] }).cases : [];

  for (const c of cases) {
    it(`${c.kernel} d=${c.d} n=${c.n}: log marginal likelihood and its kernel gradients`, () => {
      const base = c.kernel === 'rbf' ? new RBFKernel(c.d, { lengthscale: c.lengthscales }) : new MaternKernel(c.d, { nu: 2.5, lengthscale: c.lengthscales });
      const kernel = new ScaleKernel(base, { outputscale: c.outputscale });
      const X = fromRows(c.X);
      const n = c.n;
      const K = kernel.covariance(X, X);
      for (let i = 0; i < n; i++) K.data[i * n + i]! += c.noise_variance;
      const L = cholesky(K)!;
      expect(L).not.toBeNull();
      // K^-1 column by column, alpha = K^-1 (y - m).
      const Kinv = new Float64Array(n * n);
      const solve = (b: Float64Array): Float64Array => {
        const z = b.slice();
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < i; k++) z[i]! -= L[i * n + k]! * z[k]!;
          z[i]! /= L[i * n + i]!;
        }
        for (let i = n - 1; i >= 0; i--) {
          for (let k = i + 1; k < n; k++) z[i]! -= L[k * n + i]! * z[k]!;
          z[i]! /= L[i * n + i]!;
        }
        return z;
      };
      for (let j = 0; j < n; j++) {
        const e = new Float64Array(n);
        e[j] = 1;
        const col = solve(e);
        for (let i = 0; i < n; i++) Kinv[i * n + j] = col[i]!;
      }
      const r = Float64Array.from(c.y, (v) => v - c.mean_constant);
      const alpha = solve(r);
      let lml = -0.5 * n * Math.log(2 * Math.PI);
      for (let i = 0; i < n; i++) lml += -0.5 * r[i]! * alpha[i]! - Math.log(L[i * n + i]!);
      expect(lml).toBeCloseTo(c.log_marginal_likelihood, 9);

      const W = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) W[i * n + j] = 0.5 * (alpha[i]! * alpha[j]! - Kinv[i * n + j]!);
      const g = kernel.hyperparameterGradient(X, { rows: n, cols: n, data: W });
      expectClose(g, [c.grad_log_outputscale, ...c.grad_log_lengthscales], 1e-8, 1e-3, 'grad');
    });
  }
});

if (!present) {
  describe('BoTorch golden cases', () => {
    it.skip(`skipped: ${path} not found (clone outside the workplace)`, () => {});
  });
}
