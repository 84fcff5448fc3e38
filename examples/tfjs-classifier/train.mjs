/**
 * Trains the example's classifier, a one-hidden-layer MLP (196 -> hiddenUnits ReLU -> 10 softmax),
 * and measures it. Shared by the evaluator (validation metrics) and the driver (held-out test
 * accuracy of the chosen configuration), so both train exactly the same way.
 */
import { NUM_FEATURES, NUM_CLASSES, shuffledIndices } from './digits.mjs';

/** Mini-batch size of every run (not searched). */
export const BATCH_SIZE = 128;

/** The optimiser names the search space offers. */
export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'];

/**
 * The hyper-parameters of one run.
 * @typedef {{ learningRate: number, hiddenUnits: number, epochs: number, optimizer: string }} Hyperparameters
 */

/**
 * What a run measured after its last epoch. `testAccuracy` only when `evaluateTest` was set.
 * @typedef {{ validationError: number, validationAccuracy: number, validationLoss: number, testAccuracy?: number, epochsRun: number }} RunResult
 */

/**
 * Trains one model and returns its validation (and optionally held-out test) figures.
 *
 * Deterministic for a given backend: the weights are initialised from `seed` and each epoch
 * visits the training digits in an order drawn from `seed` and the epoch number.
 *
 * @param {typeof import('@tensorflow/tfjs')} tf
 * @param {{ train: import('./digits.mjs').Split, validation: import('./digits.mjs').Split, test: import('./digits.mjs').Split }} splits
 * @param {Hyperparameters} params
 * @param {object} [options]
 * @param {number} [options.seed] weight-initialisation and batch-order seed. @defaultValue 0
 * @param {AbortSignal} [options.signal] stops training between batches; the run then throws `signal.reason`
 * @param {(epoch: number, validationError: number) => void} [options.onEpoch] called after each epoch (1-based)
 * @param {boolean} [options.evaluateTest] also measure the held-out split. @defaultValue false
 * @returns {Promise<RunResult>}
 */
export async function trainClassifier(tf, splits, params, options = {}) {
  const { learningRate, hiddenUnits, epochs, optimizer } = checkParams(params);
  const { seed = 0, signal, onEpoch, evaluateTest = false } = options;
  signal?.throwIfAborted();

  // tfjs treats a seed of 0 as "no seed" (Math.random), hence the offsets.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [NUM_FEATURES], units: hiddenUnits, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 2 * seed + 1 }) }),
      tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 * seed + 2 }) }),
    ],
  });
  const optimiser = makeOptimizer(tf, optimizer, learningRate);
  model.compile({ optimizer: optimiser, loss: 'categoricalCrossentropy' });

  // The splits' tensors live for the run and are disposed with the model in `finally`.
  const train = toTensors(tf, splits.train);
  const validation = toTensors(tf, splits.validation);
  const test = evaluateTest ? toTensors(tf, splits.test) : null;
  try {
    let last = null;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      await trainEpoch(tf, model, train, shuffledIndices(splits.train.size, seed * 7919 + epoch), signal);
      last = measure(tf, model, validation);
      onEpoch?.(epoch, last.error);
    }
    return {
      validationError: last.error,
      validationAccuracy: 1 - last.error,
      validationLoss: last.loss,
      ...(test ? { testAccuracy: 1 - measure(tf, model, test).error } : {}),
      epochsRun: epochs,
    };
  } finally {
    // model.dispose() leaves the optimiser's slots (moments, learning-rate scalar) alive.
    model.dispose();
    optimiser.dispose();
    for (const t of [train, validation, test]) {
      t?.x.dispose();
      t?.y.dispose();
    }
  }
}

function checkParams({ learningRate, hiddenUnits, epochs, optimizer }) {
  if (!(typeof learningRate === 'number' && learningRate > 0 && Number.isFinite(learningRate))) {
    throw new RangeError(`learningRate must be a positive finite number, got ${learningRate}`);
  }
  if (!Number.isInteger(hiddenUnits) || hiddenUnits < 1) throw new RangeError(`hiddenUnits must be a positive integer, got ${hiddenUnits}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  if (!OPTIMIZERS.includes(optimizer)) throw new RangeError(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(optimizer)}`);
  return { learningRate, hiddenUnits, epochs, optimizer };
}

function makeOptimizer(tf, name, learningRate) {
  if (name === 'sgd') return tf.train.sgd(learningRate);
  if (name === 'adam') return tf.train.adam(learningRate);
  return tf.train.rmsprop(learningRate);
}

/** x: n x 196 float32, y: n x 10 one-hot. The caller disposes both. */
function toTensors(tf, { features, labels, size }) {
  return tf.tidy(() => ({
    x: tf.tensor2d(features, [size, NUM_FEATURES]),
    y: tf.oneHot(tf.tensor1d(labels, 'int32'), NUM_CLASSES).toFloat(),
  }));
}

/** One pass over the training digits in `order`, BATCH_SIZE at a time. */
async function trainEpoch(tf, model, { x, y }, order, signal) {
  const n = order.length;
  const perm = tf.tensor1d(order, 'int32');
  const xs = tf.gather(x, perm);
  const ys = tf.gather(y, perm);
  perm.dispose();
  try {
    for (let start = 0; start < n; start += BATCH_SIZE) {
      signal?.throwIfAborted();
      const size = Math.min(BATCH_SIZE, n - start);
      const xb = xs.slice([start, 0], [size, NUM_FEATURES]);
      const yb = ys.slice([start, 0], [size, NUM_CLASSES]);
      try {
        await model.trainOnBatch(xb, yb);
      } finally {
        xb.dispose();
        yb.dispose();
      }
    }
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

/**
 * Classification error and mean cross-entropy on one split. A diverged model (NaN outputs) counts
 * every digit as wrong, so the error stays a finite number the optimiser can learn from.
 */
function measure(tf, model, { x, y }) {
  return tf.tidy(() => {
    const probs = model.predict(x);
    const predicted = probs.argMax(1);
    const truth = y.argMax(1);
    const finite = tf.logicalNot(tf.any(tf.isNaN(probs), 1));
    const correct = tf.logicalAnd(tf.equal(predicted, truth), finite).sum().dataSync()[0];
    const loss = tf.metrics.categoricalCrossentropy(y, probs).mean().dataSync()[0];
    const n = y.shape[0];
    return { error: 1 - correct / n, loss };
  });
}
