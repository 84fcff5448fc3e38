import { UnsupportedError } from '../../errors/errors.js';
import type { Model } from '../../models/model.js';
import type { TfCore } from './tf-core.js';
import { TfLogNoisyExpectedImprovement, type TfLogNoisyExpectedImprovementOptions } from './tf-log-nei.js';

/** Options of {@link makeTfRawScorer}: the acquisition's, plus the backend check. */
export interface TfRawScorerOptions extends TfLogNoisyExpectedImprovementOptions {
  /**
   * Score on TensorFlow.js's plain `cpu` backend too. Off by default: measured 2 to 3.5 times
   * slower than float64 scoring there (docs/tfjs.md). @defaultValue false
   */
  allowCpuBackend?: boolean;
}

/**
 * A float32 TensorFlow.js raw-candidate scorer for `optimizeAcqf({ rawScorer })`, standing in for
 * a `qLogNoisyExpectedImprovement(model, options)` built with the same options: it chooses the
 * starting points; the float64 acquisition is still the one optimised and reported.
 *
 * Usage, with a fallback to float64 scoring:
 *
 *   let rawScorer;
 *   try { rawScorer = makeTfRawScorer(tf, model, acqOptions); } catch (e) { if (!(e instanceof UnsupportedError)) throw e; }
 *   try { optimizeAcqf(acq, { ...options, rawScorer }); } finally { rawScorer?.dispose(); }
 *
 * The caller owns the scorer (dispose it); optimizeAcqf disposes the ones it derives for
 * sequential steps.
 *
 * @param tf the TensorFlow.js core module, backend chosen (`@apiary/tf-runtime` in Node).
 * @throws UnsupportedError where float32 scoring is not implemented or does not pay: a model,
 *   kernel or outcome transform TfLogNoisyExpectedImprovement does not support, outcome
 *   constraints, an empty baseline, or the `cpu` backend (unless allowCpuBackend).
 */
export function makeTfRawScorer(tf: TfCore, model: Model, options: TfRawScorerOptions): TfLogNoisyExpectedImprovement {
  const backend = tf.getBackend();
  if (backend === 'cpu' && options.allowCpuBackend !== true) {
    throw new UnsupportedError(
      'makeTfRawScorer: TensorFlow.js runs on its plain cpu backend, where float32 scoring is slower than float64; ' +
        'score with the float64 acquisition (or pass allowCpuBackend: true).',
    );
  }
  const { allowCpuBackend: _, ...acqOptions } = options;
  return new TfLogNoisyExpectedImprovement(tf, model, acqOptions);
}
