/**
 * The generation and gradient parts of `bench-tf-scoring.ts` (`--parts generation,gradient`):
 *
 * - **generation**: one q-batch generated as `Optimizer.ask` does after the initial design
 *   (qLogNEI with 256 QMC samples and the n training points as baseline, minimising;
 *   `optimizeAcqf` with 10 restarts and 512 raw samples, greedy for 1 < q <= 8), with the float64
 *   acquisition scoring the raw batches and with the float32 tf scorer (`makeTfRawScorer`, built
 *   inside the timed region), each in two set-ups: as the Optimizer builds acquisitions today
 *   (every acquisition, and the tf scorer, prunes the baseline itself) and with the baseline
 *   pruned once up front (timed) and `pruneBaseline: false` everywhere. Times are wall and CPU
 *   seconds of the whole generation, best of --repeats; "raw scoring" is the time spent scoring
 *   raw batches (f64: `acq.forward` calls with more t-batches than restarts; tf: `forward` and
 *   `withPending`), "tf setup" the scorer's construction.
 * - **gradient**: qLogNEI value and gradient with respect to X at random q-batches, float64
 *   (`forwardWithGradient`, hand-written reverse mode) against tfjs autodiff
 *   (`TfLogNoisyExpectedImprovement.forwardWithGradient`), at b = 1 (what L-BFGS-B calls), b = 10
 *   (all restarts at once, as BoTorch's batched L-BFGS-B would) and b = 64, with the largest
 *   gradient difference relative to max |g|.
 */
import {
  buildPresetModel,
  fitGP,
  hartmann6,
  makeTfRawScorer,
  optimizeAcqf,
  Prng,
  pruneInferiorPoints,
  qLogNoisyExpectedImprovement,
  resolvePreset,
  SobolEngine,
  TfLogNoisyExpectedImprovement,
  type AcquisitionFunction,
  type QBatch,
  type RawScorer,
  type SingleTaskGP,
} from '@apiary/bo-core';
import type { Tfjs } from '@apiary/tf-runtime';

const d = 6;
const MC_SAMPLES = 256; // the Optimizer's defaults
const RESTARTS = 10;
const RAW_SAMPLES = 512;
const GREEDY_LIMIT = 8;

/** CPU seconds (user + system) of this process so far. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Hartmann-6 (noise sd 0.05) at n scrambled-Sobol points, the default preset fitted. */
function fitted(n: number, seed: number): { model: SingleTaskGP; X: Float64Array } {
  const X = new SobolEngine(d, { scramble: true, seed }).draw(n);
  const rng = new Prng(seed + 1);
  const y = Array.from({ length: n }, (_, i) => hartmann6.evaluate(Array.from(X.subarray(i * d, (i + 1) * d))) + 0.05 * rng.normal());
  const { model, noiseFloor } = buildPresetModel(resolvePreset('default'), { rows: n, cols: d, data: X }, y, null);
  fitGP(model, { noiseFloor, seed });
  return { model, X };
}

export interface GenerationRow {
  n: number;
  q: number;
  mode: 'f64' | 'tf';
  prunedOnce: boolean;
  seconds: number;
  cpuSeconds: number;
  rawSeconds: number;
  setupSeconds: number;
  value: number;
  sameBatch: boolean | null;
}

/** Generation time with and without the tf raw scorer (see the module comment). */
export function generationPart(tf: Tfjs, sizes: number[], qs: number[], repeats: number): GenerationRow[] {
  const rows: GenerationRow[] = [];
  console.log(`\n## Generation (Optimizer settings: ${MC_SAMPLES} MC samples, ${RESTARTS} restarts, ${RAW_SAMPLES} raw samples, greedy for 1 < q <= ${GREEDY_LIMIT}), backend ${tf.getBackend()}\n`);
  console.log('| n | q | raw scoring | baseline pruned | wall s | cpu s | raw scoring s | tf setup s | qLogNEI of the batch | same batch as f64 |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const { model, X } = fitted(n, 0);
    const seed = 1_000_003;
    const plain = { baseline: X, maximize: false, numSamples: MC_SAMPLES, seed };
    for (const q of qs) {
      let reference: Float64Array | null = null;
      for (const [mode, prunedOnce] of [['f64', false], ['tf', false], ['f64', true], ['tf', true]] as const) {
        let bestRow: GenerationRow | null = null;
        for (let r = 0; r < repeats; r++) {
          let raw = 0;
          let setup = 0;
          const timed = (acq: AcquisitionFunction): AcquisitionFunction => ({
            dim: acq.dim,
            forward: (B: QBatch) => {
              const t = performance.now();
              const v = acq.forward(B);
              if (B.b > RESTARTS) raw += performance.now() - t;
              return v;
            },
            forwardWithGradient: (B: QBatch) => acq.forwardWithGradient(B),
          });
          const timedScorer = (s: RawScorer): RawScorer => ({
            forward: (B) => {
              const t = performance.now();
              const v = s.forward(B);
              raw += performance.now() - t;
              return v;
            },
            withPending: (points) => {
              const t = performance.now();
              const derived = timedScorer(s.withPending!(points));
              raw += performance.now() - t;
              return derived;
            },
            dispose: () => s.dispose?.(),
          });
          const t0 = performance.now();
          const c0 = cpuSeconds();
          const options = prunedOnce ? { ...plain, baseline: pruneInferiorPoints(model, X, -1, []), pruneBaseline: false } : plain;
          let scorer: TfLogNoisyExpectedImprovement | null = null;
          if (mode === 'tf') {
            const t = performance.now();
            scorer = makeTfRawScorer(tf, model, options);
            setup += performance.now() - t;
          }
          const make = (pending: Float64Array | null) => timed(new qLogNoisyExpectedImprovement(model, { ...options, pending }));
          const result = optimizeAcqf(make(null), {
            q,
            numRestarts: RESTARTS,
            rawSamples: RAW_SAMPLES,
            seed,
            sequential: q > 1 && q <= GREEDY_LIMIT,
            withPending: (points) => make(points),
            ...(scorer ? { rawScorer: timedScorer(scorer) } : {}),
          });
          scorer?.dispose();
          const seconds = (performance.now() - t0) / 1000;
          const cpu = cpuSeconds() - c0;
          const value = new qLogNoisyExpectedImprovement(model, plain).forward({ b: 1, q, d, data: result.candidates })[0]!;
          if (mode === 'f64' && !prunedOnce) reference = result.candidates;
          const sameBatch = reference && !(mode === 'f64' && !prunedOnce) ? reference.every((v, i) => v === result.candidates[i]) : null;
          const row: GenerationRow = { n, q, mode, prunedOnce, seconds, cpuSeconds: cpu, rawSeconds: raw / 1000, setupSeconds: setup / 1000, value, sameBatch };
          if (!bestRow || row.seconds < bestRow.seconds) bestRow = row;
        }
        rows.push(bestRow!);
        const b = bestRow!;
        console.log(
          `| ${n} | ${q} | ${mode === 'f64' ? 'float64 acq' : `tf ${tf.getBackend()}`} | ${prunedOnce ? 'once' : 'per acquisition'} | ${b.seconds.toFixed(2)} | ${b.cpuSeconds.toFixed(2)} | ` +
            `${b.rawSeconds.toFixed(2)} | ${mode === 'tf' ? b.setupSeconds.toFixed(2) : ''} | ${b.value.toFixed(4)} | ${b.sameBatch === null ? '' : b.sameBatch ? 'yes' : 'no'} |`,
        );
      }
    }
  }
  return rows;
}

export interface GradientRow {
  n: number;
  q: number;
  b: number;
  f64MsPerBatch: number;
  tfMsPerBatch: number;
  maxRelGradDiff: number;
}

/** Value-and-gradient cost, float64 reverse mode against tfjs autodiff (see the module comment). */
export function gradientPart(tf: Tfjs, sizes: number[], qs: number[], repeats: number): GradientRow[] {
  const rows: GradientRow[] = [];
  console.log(`\n## Value and gradient w.r.t. X: float64 reverse mode vs tfjs autodiff (${tf.getBackend()}), ${MC_SAMPLES} MC samples, ms per t-batch\n`);
  console.log('| n | q | b | f64 ms / t-batch | tf ms / t-batch | f64 / tf | max |Δg| / max|g| |');
  console.log('|---|---|---|---|---|---|---|');
  const rng = new Prng(7);
  for (const n of sizes) {
    const { model, X } = fitted(n, 0);
    const options = { baseline: X, maximize: false, numSamples: MC_SAMPLES, seed: 3 };
    const acq = new qLogNoisyExpectedImprovement(model, options);
    const scorer = new TfLogNoisyExpectedImprovement(tf, model, options);
    for (const q of qs) {
      for (const b of [1, RESTARTS, 64]) {
        const calls = b === 1 ? 40 : 2;
        const batches = Array.from({ length: calls }, () => ({ b, q, d, data: Float64Array.from({ length: b * q * d }, () => rng.uniform()) }));
        for (let w = 0; w < 3; w++) {
          // warm-up: base samples, wasm kernels, V8's JIT
          scorer.forwardWithGradient(batches[0]!);
          acq.forwardWithGradient(batches[0]!);
        }
        const time = (f: (B: QBatch) => unknown): number => {
          let bestMs = Infinity;
          for (let r = 0; r < repeats; r++) {
            const t = performance.now();
            for (const B of batches) f(B);
            bestMs = Math.min(bestMs, (performance.now() - t) / (calls * b));
          }
          return bestMs;
        };
        const f64 = time((B) => acq.forwardWithGradient(B));
        const tfMs = time((B) => scorer.forwardWithGradient(B));
        let diff = 0;
        for (const B of batches.slice(0, 2)) {
          const g64 = acq.forwardWithGradient(B).gradient;
          const g32 = scorer.forwardWithGradient(B).gradient;
          for (let t = 0; t < B.b; t++) {
            let scale = 0;
            let worst = 0;
            for (let k = t * q * d; k < (t + 1) * q * d; k++) {
              scale = Math.max(scale, Math.abs(g64[k]!));
              worst = Math.max(worst, Math.abs(g64[k]! - g32[k]!));
            }
            if (scale > 0) diff = Math.max(diff, worst / scale);
          }
        }
        const row = { n, q, b, f64MsPerBatch: f64, tfMsPerBatch: tfMs, maxRelGradDiff: diff };
        rows.push(row);
        console.log(`| ${n} | ${q} | ${b} | ${f64.toFixed(2)} | ${tfMs.toFixed(2)} | ${(f64 / tfMs).toFixed(2)}x | ${diff.toExponential(1)} |`);
      }
    }
    scorer.dispose();
  }
  return rows;
}
