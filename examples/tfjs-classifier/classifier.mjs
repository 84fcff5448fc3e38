/**
 * The classifier example's evaluator: trains the MLP of train.mjs on the MNIST digits of
 * digits.mjs with one trial's hyper-parameters and returns its validation error to minimise.
 *
 *   npx apiary optimize --config examples/tfjs-classifier/config.json --evaluator examples/tfjs-classifier/classifier.mjs
 *
 * Module evaluators run in worker threads, so TensorFlow.js and the data are loaded lazily, once
 * per thread, by the first trial that thread runs. The held-out test split is never touched here:
 * run.mjs measures it for the best configuration only.
 */
import { loadDigits } from './digits.mjs';
import { tensorflow } from './tensorflow.mjs';
import { trainClassifier } from './train.mjs';

/**
 * @param {{ learningRate: number, hiddenUnits: number, epochs: number, optimizer: string }} params
 * @param {{ signal: AbortSignal, report(step: number, value: number): void }} ctx
 * @returns {Promise<{ validationError: number, validationAccuracy: number }>}
 */
export default async function classifier(params, ctx) {
  const { tf } = await tensorflow();
  const result = await trainClassifier(tf, loadDigits(), params, {
    signal: ctx.signal,
    onEpoch: (epoch, validationError) => ctx.report(epoch, validationError),
  });
  return { validationError: result.validationError, validationAccuracy: result.validationAccuracy };
}
