import type { DifferentiableModel } from '../../models/model.js';
import { smallCholesky } from '../../linalg/small-cholesky.js';
import { normalBaseSamples } from '../../sampling/qmc-normal.js';
import type { OutcomeConstraint } from './mc-acquisition.js';

/** Samples used to decide which baseline points can be the incumbent. @defaultValue 1024 */
export const PRUNE_SAMPLES = 1024;

/**
 * Keeps the baseline points that are the (feasible) maximiser of the objective in at least one of
 * {@link PRUNE_SAMPLES} joint posterior samples (BoTorch's prune_inferior_points): points that are
 * never best cannot be the incumbent. The order of the kept points is preserved.
 *
 * @param baseline `n x d`, model input space.
 * @param sign +1 to maximise, -1 to minimise.
 * @returns `k x d`, k <= n.
 */
export function pruneInferiorPoints(model: DifferentiableModel, baseline: Float64Array, sign: number, constraints: readonly OutcomeConstraint[], seed = 0): Float64Array {
  const d = model.dim;
  const n = baseline.length / d;
  if (n <= 1) return baseline.slice();
  const sampleAt = (mdl: DifferentiableModel, k: number): Float64Array => {
    const post = mdl.posterior({ b: 1, q: n, d, data: baseline });
    const L = new Float64Array(n * n);
    smallCholesky(post.covariance, n, L);
    const z = normalBaseSamples(PRUNE_SAMPLES, n, seed + 7919 * k);
    const out = new Float64Array(PRUNE_SAMPLES * n);
    for (let i = 0; i < PRUNE_SAMPLES; i++) {
      for (let j = 0; j < n; j++) {
        let acc = post.mean[j]!;
        for (let l = 0; l <= j; l++) acc += L[j * n + l]! * z[i * n + l]!;
        out[i * n + j] = acc;
      }
    }
    return out;
  };
  const obj = sampleAt(model, 0);
  const cons = constraints.map((c, k) => ({ bound: c.bound, samples: sampleAt(c.model, k + 1) }));
  const keep = new Uint8Array(n);
  for (let i = 0; i < PRUNE_SAMPLES; i++) {
    let arg = -1;
    let best = -Infinity;
    for (let j = 0; j < n; j++) {
      if (cons.some((c) => c.samples[i * n + j]! > c.bound)) continue;
      const v = sign * obj[i * n + j]!;
      if (v > best) {
        best = v;
        arg = j;
      }
    }
    if (arg >= 0) keep[arg] = 1;
  }
  const kept: number[] = [];
  for (let j = 0; j < n; j++) if (keep[j]) kept.push(j);
  if (kept.length === 0) return baseline.slice(); // nothing feasible in any sample: keep everything
  const out = new Float64Array(kept.length * d);
  kept.forEach((j, r) => out.set(baseline.subarray(j * d, (j + 1) * d), r * d));
  return out;
}
