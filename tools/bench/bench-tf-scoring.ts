/**
 * Raw-candidate scoring benchmark: qLogNoisyExpectedImprovement values of many random `q x d`
 * batches, as optimizeAcqf scores its raw samples, computed four ways in one process on one
 * fitted model with the same (pruned) baseline and base samples:
 *
 * - `f64`: the float64 acquisition, `acq.forward` in chunks of 128 t-batches (optimizeAcqf's
 *   default batchLimit). It factorises the joint posterior of [baseline, X] for every t-batch.
 * - `f64 cond`: a float64 reference of the tf scorer's algorithm (written here, in plain loops
 *   over bo-core's float64 linear algebra): baseline samples fixed once, each t-batch conditioned
 *   on them. It separates what the algorithm gains from what float32 and tf kernels gain.
 * - `tf wasm` / `tf cpu`: TfLogNoisyExpectedImprovement (float32) on the wasm and plain cpu backends.
 *
 *   npx tsx --conditions=@apiary/source tools/bench/bench-tf-scoring.ts \
 *     [--parts scoring,generation,gradient] [--n 80,200,1000] [--q 4] [--batches 512,4096] [--samples 512]
 *     [--repeats 3] [--cpu-max-n 200] [--gen-n 200,400] [--gen-q 1,4] [--json OUT]
 *
 * `--parts` (default `scoring`) picks the tables: `scoring` is described here; `generation`
 * (generation time with and without the tf raw scorer, at --gen-n and --gen-q) and `gradient`
 * (float64 reverse mode against tfjs autodiff, same sizes) are in `tf-bench-parts.ts`. All run in
 * the same process, on the backend initTensorflow chose.
 *
 * Data: Hartmann-6 at n uniform points with noise sd 0.05 (d = 6), the default model preset
 * fitted by fitGP; the baseline is the training inputs, pruned once (pruneInferiorPoints, as the
 * acquisition does) and handed to every path. Times are the best of --repeats warm runs (a path
 * whose first run takes over 20 s runs once); the first call of each path, which builds base
 * samples and wasm kernels, is not timed. "setup" is a construction: the float64 acquisition's
 * (the pruning is timed apart) and the tf scorer's (float64 precomputation of L^-1 and the
 * baseline factor, then upload). Agreement of tf wasm with f64: the largest |Δ| / (1 + |v|) over
 * all batches and over those within 15 of the best value ("top": what raw-sample selection looks
 * at), and how many of the f64 top 10 are in the tf top 20.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  buildPresetModel,
  fatmax,
  fitGP,
  hartmann6,
  logFatplus,
  logMeanExp,
  normalBaseSamples,
  Prng,
  pruneInferiorPoints,
  qLogNoisyExpectedImprovement,
  resolvePreset,
  solveLowerMatrix,
  type QBatch,
  type SingleTaskGP,
} from '@apiary/bo-core';
import { describeBackend, initTensorflow } from '@apiary/tf-runtime';
import { TfLogNoisyExpectedImprovement } from '../../libs/bo-core/src/acquisition/tf/index.js';
import { smallCholesky } from '../../libs/bo-core/src/linalg/small-cholesky.js';
import { generationPart, gradientPart, type GenerationRow, type GradientRow } from './tf-bench-parts.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '80,200,1000' },
    q: { type: 'string', default: '4' },
    batches: { type: 'string', default: '512,4096' },
    samples: { type: 'string', default: '512' },
    repeats: { type: 'string', default: '3' },
    'cpu-max-n': { type: 'string', default: '200' },
    parts: { type: 'string', default: 'scoring' },
    'gen-n': { type: 'string', default: '200,400' },
    'gen-q': { type: 'string', default: '1,4' },
    json: { type: 'string' },
  },
});
const sizes = values.n.split(',').map(Number);
const d = 6;
const q = Number(values.q);
const batchCounts = values.batches.split(',').map(Number);
const numSamples = Number(values.samples);
const repeats = Number(values.repeats);
const cpuMaxN = Number(values['cpu-max-n']);
const CHUNK = 128; // optimizeAcqf's default batchLimit
const SLOW_SECONDS = 20;
const parts = new Set(values.parts.split(','));
const genSizes = values['gen-n'].split(',').map(Number);
const genQs = values['gen-q'].split(',').map(Number);

const { tf } = await initTensorflow();
console.log(`# ${describeBackend().summary.split(';')[0]}`);
console.log(`# node ${process.version}, ${cpus().length} logical cores (${cpus()[0]?.model ?? '?'}), q = ${q}, d = ${d}, ${numSamples} MC samples`);

interface Row {
  n: number;
  batches: number;
  baseline: number;
  f64: number;
  f64Cond: number;
  wasm: number;
  cpu: number | null;
  pruneSetup: number;
  f64Setup: number;
  tfSetup: number;
  maxRelDiff: number;
  maxRelDiffTop: number;
  condMaxAbsDiff: number;
  top10In20: number;
}

/** Best of `repeats` runs (one run when it is slow); returns the first run's value. */
function best<T>(f: () => T, runs = repeats): { value: T; seconds: number } {
  let out: { value: T; seconds: number } | null = null;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const value = f();
    const seconds = (performance.now() - t0) / 1000;
    out = out ? { value: out.value, seconds: Math.min(out.seconds, seconds) } : { value, seconds };
    if (seconds > SLOW_SECONDS) break;
  }
  return out!;
}

function fitted(n: number, rng: Prng): { model: SingleTaskGP; X: Float64Array } {
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: d }, () => rng.uniform());
    X.set(x, i * d);
    y[i] = hartmann6.evaluate(x) + 0.05 * rng.normal();
  }
  const { model, noiseFloor } = buildPresetModel(resolvePreset('default'), { rows: n, cols: d, data: X }, y, null);
  fitGP(model, { noiseFloor, seed: 0 });
  return { model, X };
}

function inChunks(forward: (X: QBatch) => Float64Array, data: Float64Array, b: number): Float64Array {
  const out = new Float64Array(b);
  for (let start = 0; start < b; start += CHUNK) {
    const bb = Math.min(CHUNK, b - start);
    out.set(forward({ b: bb, q, d, data: data.subarray(start * q * d, (start + bb) * q * d) }), start);
  }
  return out;
}

/**
 * Float64 reference of the tf scorer's algorithm (maximisation, no pending points, no input
 * transform, Standardize outcomes): samples of X conditioned on the fixed baseline samples.
 */
function float64Conditional(model: SingleTaskGP, baseline: Float64Array, seed: number): (X: QBatch) => Float64Array {
  const { L, alpha } = model.factorisation();
  const n = model.numTrain;
  const e = baseline.length / d;
  const s = numSamples;
  const scale = model.outcomeTransform!.affineScale();
  const B = { rows: e, cols: d, data: baseline };
  const VB = solveLowerMatrix(L, model.kernel.covariance(model.modelX, B)); // n x e
  const KnB = model.kernel.covariance(model.modelX, B);
  const CBB = model.kernel.covariance(B, B).data;
  for (let j = 0; j < e; j++) for (let k = 0; k < e; k++) for (let i = 0; i < n; i++) CBB[j * e + k]! -= VB.data[i * e + j]! * VB.data[i * e + k]!;
  const LB = new Float64Array(e * e);
  smallCholesky(CBB, e, LB);
  const LBinv = solveLowerMatrix({ rows: e, cols: e, data: LB }, { rows: e, cols: e, data: Float64Array.from({ length: e * e }, (_, k) => (k % (e + 1) === 0 ? 1 : 0)) }).data;
  const m = e + q;
  const z = normalBaseSamples(s, m, seed);
  const incumbent = new Float64Array(s).fill(-Infinity);
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < e; j++) {
      let f = model.mean;
      for (let r = 0; r < n; r++) f += KnB.data[r * e + j]! * alpha[r]!;
      for (let l = 0; l <= j; l++) f += LB[j * e + l]! * z[i * m + l]!;
      incumbent[i] = Math.max(incumbent[i]!, f);
    }
  }
  return (X) => {
    const b = X.b;
    const Z = { rows: b * q, cols: d, data: X.data };
    const Ks = model.kernel.covariance(model.modelX, Z); // n x bq
    const V = solveLowerMatrix(L, Ks);
    const out = new Float64Array(b);
    const A = new Float64Array(q * e);
    const S = new Float64Array(q * q);
    const Lc = new Float64Array(q * q);
    const mu = new Float64Array(q);
    const perSample = new Float64Array(s);
    const logU = new Float64Array(q);
    for (let t = 0; t < b; t++) {
      const block = { rows: q, cols: d, data: X.data.subarray(t * q * d, (t + 1) * q * d) };
      const Kss = model.kernel.covariance(block, block).data;
      const KxB = model.kernel.covariance(block, B).data;
      for (let j = 0; j < q; j++) {
        const c = t * q + j;
        mu[j] = model.mean;
        for (let r = 0; r < n; r++) mu[j]! += Ks.data[r * b * q + c]! * alpha[r]!;
        const Cxb = new Float64Array(e);
        for (let k = 0; k < e; k++) {
          let acc = KxB[j * e + k]!;
          for (let r = 0; r < n; r++) acc -= V.data[r * b * q + c]! * VB.data[r * e + k]!;
          Cxb[k] = acc;
        }
        for (let k = 0; k < e; k++) {
          let acc = 0;
          for (let l = 0; l <= k; l++) acc += Cxb[l]! * LBinv[k * e + l]!; // (Cxb L_B^-T)_k
          A[j * e + k] = acc;
        }
        for (let k = 0; k <= j; k++) {
          let acc = Kss[j * q + k]!;
          for (let r = 0; r < n; r++) acc -= V.data[r * b * q + c]! * V.data[r * b * q + t * q + k]!;
          for (let l = 0; l < e; l++) acc -= A[j * e + l]! * A[k * e + l]!;
          S[j * q + k] = S[k * q + j] = acc;
        }
      }
      smallCholesky(S, q, Lc);
      for (let i = 0; i < s; i++) {
        for (let j = 0; j < q; j++) {
          let f = mu[j]!;
          for (let l = 0; l < e; l++) f += A[j * e + l]! * z[i * m + l]!;
          for (let l = 0; l <= j; l++) f += Lc[j * q + l]! * z[i * m + e + l]!;
          logU[j] = logFatplus(scale * (f - incumbent[i]!), 1e-6)[0];
        }
        perSample[i] = fatmax(logU, 0, q, 1, 1e-2, null);
      }
      out[t] = logMeanExp(perSample, null);
    }
    return out;
  };
}

/** Largest |Δ| / (1 + |v|) overall and where v is within 15 of the best value; top-10 overlap. */
function agreement(v64: Float64Array, v32: Float64Array): { maxRelDiff: number; maxRelDiffTop: number; top10In20: number } {
  let maxRelDiff = 0;
  let maxRelDiffTop = 0;
  const bestValue = Math.max(...v64);
  for (let i = 0; i < v64.length; i++) {
    const r = Math.abs(v64[i]! - v32[i]!) / (1 + Math.abs(v64[i]!));
    maxRelDiff = Math.max(maxRelDiff, r);
    if (v64[i]! > bestValue - 15) maxRelDiffTop = Math.max(maxRelDiffTop, r);
  }
  const order = (v: Float64Array) => Array.from(v.keys()).sort((a, b) => v[b]! - v[a]!);
  const top20 = new Set(order(v32).slice(0, 20));
  return { maxRelDiff, maxRelDiffTop, top10In20: order(v64).slice(0, 10).filter((i) => top20.has(i)).length };
}

const rows: Row[] = [];
const rng = new Prng(0);
if (parts.has('scoring')) {
  const f = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
  const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;
  console.log('');
  console.log(
    '| n | raw q-batches | baseline e | f64 s | f64 cond s | tf wasm s | tf cpu s | f64 / wasm | f64 cond / wasm | f64 / cpu | setup s: prune, f64, tf | max rel Δ: all, top | top-10 in tf top-20 |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const { model, X } = fitted(n, rng);
    const seed = 1;
    const pruned = best(() => pruneInferiorPoints(model, X, 1, []), 1);
    const options = { baseline: pruned.value, pruneBaseline: false, numSamples, seed };
    const acqBuilt = best(() => new qLogNoisyExpectedImprovement(model, options), 1);
    const acq = acqBuilt.value;
    const cond = float64Conditional(model, pruned.value, seed);
    for (const b of batchCounts) {
      const raw = new Float64Array(b * q * d);
      for (let i = 0; i < raw.length; i++) raw[i] = rng.uniform();
      const warm = { b: 1, q, d, data: raw.subarray(0, q * d) };

      acq.forward(warm);
      const f64 = best(() => inChunks((X) => acq.forward(X), raw, b));
      const f64Cond = best(() => inChunks(cond, raw, b));

      await tf.setBackend('wasm');
      const built = best(() => new TfLogNoisyExpectedImprovement(tf, model, options), 1);
      const scorer = built.value;
      scorer.forward(warm);
      const wasm = best(() => scorer.forward({ b, q, d, data: raw }));
      scorer.dispose();

      let cpu: number | null = null;
      if (n <= cpuMaxN) {
        await tf.setBackend('cpu');
        const onCpu = new TfLogNoisyExpectedImprovement(tf, model, options);
        onCpu.forward(warm);
        cpu = best(() => onCpu.forward({ b, q, d, data: raw }), Math.min(repeats, 2)).seconds;
        onCpu.dispose();
        await tf.setBackend('wasm');
      }
      let condMaxAbsDiff = 0;
      for (let i = 0; i < b; i++) condMaxAbsDiff = Math.max(condMaxAbsDiff, Math.abs(f64.value[i]! - f64Cond.value[i]!));
      const row: Row = {
        n,
        batches: b,
        baseline: scorer.baselineSize,
        f64: f64.seconds,
        f64Cond: f64Cond.seconds,
        wasm: wasm.seconds,
        cpu,
        pruneSetup: pruned.seconds,
        f64Setup: acqBuilt.seconds,
        tfSetup: built.seconds,
        condMaxAbsDiff,
        ...agreement(f64.value, wasm.value),
      };
      rows.push(row);
      console.log(
        `| ${n} | ${b} | ${row.baseline} | ${f(row.f64)} | ${f(row.f64Cond)} | ${f(row.wasm)} | ${cpu === null ? '-' : f(cpu)} | ` +
          `${ratio(row.f64, row.wasm)} | ${ratio(row.f64Cond, row.wasm)} | ${cpu === null ? '-' : ratio(row.f64, cpu)} | ` +
          `${f(row.pruneSetup)}, ${f(row.f64Setup)}, ${f(row.tfSetup)} | ${row.maxRelDiff.toExponential(1)}, ${row.maxRelDiffTop.toExponential(1)} | ${row.top10In20}/10 |`,
      );
    }
  }
  console.log(`# f64 cond agrees with f64 to ${Math.max(...rows.map((r) => r.condMaxAbsDiff)).toExponential(1)} (largest |Δ|)`);
}
let generation: GenerationRow[] = [];
let gradient: GradientRow[] = [];
if (parts.has('generation')) generation = generationPart(tf, genSizes, genQs, repeats);
if (parts.has('gradient')) gradient = gradientPart(tf, genSizes, genQs, repeats);
if (values.json) writeFileSync(values.json, JSON.stringify({ backend: describeBackend(), cores: cpus().length, q, d, numSamples, rows, generation, gradient }, null, 2) + '\n');
