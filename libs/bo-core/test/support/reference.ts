/** Access to the shared BoTorch reference figures, read in place from `../shared/reference/`. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/reference');
export const HAVE_REFERENCE = existsSync(REFERENCE_DIR);
export const SKIP_REFERENCE_MESSAGE = `reference folder ${REFERENCE_DIR} is absent (a clone outside the workplace): reference tests skipped`;

if (!HAVE_REFERENCE) console.warn(SKIP_REFERENCE_MESSAGE);

export function readReference<T>(name: string): T {
  return JSON.parse(readFileSync(resolve(REFERENCE_DIR, name), 'utf8')) as T;
}

export interface GoldenCase {
  kernel: 'rbf' | 'matern52';
  d: number;
  n: number;
  X: number[][];
  y: number[];
  lengthscales: number[];
  outputscale: number;
  noise_variance: number;
  mean_constant: number;
  X_test: number[][];
  posterior_mean: number[];
  posterior_cov: number[][];
  log_marginal_likelihood: number;
  grad_log_lengthscales: number[];
  grad_log_outputscale: number;
  grad_log_noise: number;
  grad_mean_constant: number;
  analytic: Record<string, number | number[]>;
  mc: Record<string, unknown>;
}

export function goldenCases(): GoldenCase[] {
  return readReference<{ cases: GoldenCase[] }>('golden_gp_acq.json').cases;
}

/** |a - b| <= abs + rel * |b|. */
export function close(a: number, b: number, rel: number, abs: number): boolean {
  return Math.abs(a - b) <= abs + rel * Math.abs(b);
}
