/** Held-out fit quality of the GP, shared by `bench:gp` and its test. */
import { fitGaussianProcess, type ModelPreset } from '@apiary/bo-core';

export interface RefResult { rmse?: number; nll?: number; fit_s?: number; error?: string }
export interface DataSet {
  name: string;
  X: number[][];
  y: number[];
  X_test: number[][];
  y_test: number[];
  results?: Record<string, RefResult>;
}
export interface SetQuality { name: string; rmse: number; nll: number; fit_s: number }

/** Fits the model to a set's training data and scores it on the held-out points (unit-cube inputs). */
export function evaluateSet(set: DataSet, preset: ModelPreset = 'default'): SetQuality {
  const d = set.X[0]?.length ?? 0;
  const bounds = Array.from({ length: d }, () => [0, 1] as const);
  const t0 = performance.now();
  const gp = fitGaussianProcess(set.X, set.y, { bounds, preset });
  const pred = gp.predict(set.X_test, { observationNoise: true });
  const fitS = (performance.now() - t0) / 1000;
  return { name: set.name, ...heldOut(pred.mean, pred.variance, set.y_test), fit_s: fitS };
}

/** RMSE of the mean, and the mean negative log predictive density of y under N(mean, variance). */
export function heldOut(mean: number[], variance: number[], y: number[]): { rmse: number; nll: number } {
  let se = 0;
  let nll = 0;
  for (let i = 0; i < y.length; i++) {
    const v = Math.max(variance[i]!, 1e-12);
    const r = y[i]! - mean[i]!;
    se += r * r;
    nll += 0.5 * Math.log(2 * Math.PI * v) + (0.5 * r * r) / v;
  }
  return { rmse: Math.sqrt(se / y.length), nll: nll / y.length };
}

/** The better of BoTorch's `default` and `matern_gamma` figures (each metric on its own). */
export function bestReference(results?: Record<string, RefResult>): { rmse: number; nll: number } | null {
  if (!results) return null;
  const cands = ['default', 'matern_gamma'].map((k) => results[k]).filter((r): r is RefResult => !!r && r.rmse !== undefined && r.nll !== undefined);
  if (cands.length === 0) return null;
  return { rmse: Math.min(...cands.map((r) => r.rmse!)), nll: Math.min(...cands.map((r) => r.nll!)) };
}

/** The acceptance goal: NLL within +0.05 of the better BoTorch configuration and RMSE within 1.1x. */
export function meetsGoal(q: SetQuality, ref: { rmse: number; nll: number }): boolean {
  return q.nll <= ref.nll + 0.05 && q.rmse <= 1.1 * ref.rmse;
}
