import type { AcquisitionFunction } from '../acquisition/acquisition.js';
import { CandidateGenerationError, ShapeError } from '../errors/errors.js';
import { Prng } from '../sampling/prng.js';
import { selectInitialConditions } from './initial-conditions.js';
import { batchFeasible } from './optimize-acqf-constraints.js';
import { freePositions, hasDiscrete, hasRepeatedPoint, RoundedPool, scoreRoundings } from './optimize-acqf-discrete.js';
import { optimizeLocally, scoreInChunks } from './optimize-acqf-local.js';
import {
  resolveOptimizeAcqfOptions,
  type OptimizeAcqfOptions,
  type ResolvedOptimizeAcqfOptions,
} from './optimize-acqf-options.js';
import { drawRawBatches, type RawBatches } from './optimize-acqf-raw.js';
import type { RawScorer } from './optimize-acqf-raw-scorer.js';

/**
 * # Acquisition optimisation (BoTorch's `optimize_acqf`), design note
 *
 * **Joint mode** (default) maximises `acq(X)` over one `q x d` batch X, all q·f free coordinates
 * at once (f = d − #fixed):
 *
 * 1. *raw samples*: `rawSamples` batches from the raw sampler in `q·f` dimensions, mapped into the
 *    bounds, fixed features written in ({@link drawRawBatches}); scored with `acq.forward` in chunks
 *    of `batchLimit` t-batches (`b ≤ batchLimit`, shape `b x q x d`), or, when a `rawScorer` is
 *    given, with its `forward` on all of them at once (e.g. float32 TensorFlow.js; when none of its
 *    values is finite, `acq.forward` scores them after all);
 * 2. *initial conditions*: `numRestarts` raw batches chosen by the Boltzmann heuristic
 *    ({@link selectInitialConditions}: weights `exp(η z)`, z the standardised values, drawn without
 *    replacement, the best raw batch always included);
 * 3. *local search*: L-BFGS-B from each start on `−acq(X) + P(X)` in the box (value and gradient
 *    from `forwardWithGradient` with b = 1; P is the constraint penalty, zero without constraints),
 *    one restart after another;
 * 4. every restart's final batch is re-scored with `acq.forward`; the best finite one wins.
 *
 * **Sequential mode** runs the joint procedure with q = 1, q times: step k optimises
 * `withPending(x₀…x_{k−1})` (step 0 the original acq), with raw seed `seed + k`; a `rawScorer`
 * follows along through its own `withPending`.
 *
 * **Discrete coordinates** (integer levels, one-hot groups) are relaxed: steps 1–3 treat them as
 * continuous in their bounds. Each restart's relaxed optimum is then rounded: the nearest level
 * (largest one-hot weight) for every decision, and for the ≤ `maxEnumerated` decisions nearest
 * their rounding boundary also the neighbouring level (second-largest weight), all 2^k
 * combinations ({@link roundingCandidates}). All are re-scored with `acq.forward`; the finite,
 * feasible ones enter a pool keyed by their discrete values (best of each kept). Then the
 * `numRefinements` best pool entries get their continuous coordinates re-optimised by L-BFGS-B
 * with the discrete ones fixed (kept when they score at least as well), and the best entry wins.
 * Refining several entries, not only the best, matters: a rounded candidate is scored with the
 * continuous coordinates of the relaxed optimum, and a level that only pays off once they move
 * can rank second before refinement and first after it. So discrete values are chosen by the
 * acquisition with the continuous ones adapted, not by rounding alone. The enumeration looks at
 * neighbouring levels only; a discrete optimum farther from every relaxed optimum can be missed.
 * With `unique` (default), an entry in which two points coincide, or a point coincides with one of
 * `distinctFrom` or an earlier sequential step's point, loses to the best entry without one (a
 * duplicate trial is a wasted evaluation); only when every entry has one does the best win anyway.
 *
 * **Inequality constraints** `a·u ≤ b` (every point): raw points are rejection-sampled (per point);
 * L-BFGS-B minimises `−acq + ρ Σ max(0, a·u − b)²` with `ρ = constraintPenalty · s` (s = the
 * standard deviation of the finite raw values, so the penalty scales with the acquisition), then
 * again from that optimum with ρ ×100 and ×10⁴ while it is infeasible (penalty continuation);
 * the last optimum, infeasible by a hair when a constraint is active, is moved back along the
 * segment to the restart's feasible start until exactly feasible ({@link optimizeLocally}).
 * Rounded candidates that break a constraint are dropped, and so is an infeasible final batch.
 */

/** One local optimisation of one q-batch optimisation. */
export interface RestartReport {
  /** 0 in joint mode; the index of the point being chosen in sequential mode. */
  readonly step: number;
  /**
   * `relaxation`: a restart from a raw batch (the only kind without discrete coordinates);
   * `refinement`: the re-optimisation of a rounded candidate's continuous coordinates.
   */
  readonly kind: 'relaxation' | 'refinement';
  /** Index of the raw batch it started from (refinement: of the restart that gave the candidate). */
  readonly startIndex: number;
  /**
   * Acquisition value of its result: the re-scored final batch; with discrete coordinates, the
   * best rounded candidate (relaxation) or the refined candidate (refinement). NaN when it failed.
   */
  readonly value: number;
  /** L-BFGS-B iterations. */
  readonly iterations: number;
  /** Acquisition evaluations: L-BFGS-B value-and-gradient calls plus candidates scored. */
  readonly evaluations: number;
  /** Why it produced no candidate; absent when it did. */
  readonly failure?: string;
}

export interface OptimizeAcqfResult {
  /** The best batch, `q x d` row-major. */
  readonly candidates: Float64Array;
  readonly q: number;
  readonly d: number;
  /**
   * Joint mode: `acq(candidates)`. Sequential mode: the original acquisition at the first chosen
   * point (q = 1; the original need not support q > 1); see `steps` for each step's value.
   */
  readonly value: number;
  /** Every local optimisation, in order: relaxations, then refinements (sequential: step by step). */
  readonly restarts: RestartReport[];
  /**
   * The best raw-sample value (sequential: of step 0) under `acq`. With a `rawScorer`, the best
   * `acq` value among the raw batches chosen as starts (the raw scorer's best is one of them).
   */
  readonly rawBest: number;
  /** Per q-batch optimisation (one in joint mode, q in sequential mode): its value and best raw value. */
  readonly steps: { readonly value: number; readonly rawBest: number }[];
}

/**
 * Maximises an acquisition function over `q x d` candidate batches in a box (default the unit
 * cube): raw sampling, Boltzmann initial conditions, multi-start L-BFGS-B, and the discrete and
 * constraint handling described in the design note above.
 *
 * @param acq the acquisition function (`forward`: `b x q x d` → b values, larger is better).
 * @param options see {@link OptimizeAcqfOptions} (defaults there), resolved by
 *   {@link resolveOptimizeAcqfOptions}.
 * @throws InputDataError / ShapeError for invalid options (before any evaluation) or an
 *   acquisition that returns the wrong shapes.
 * @throws CandidateGenerationError when no raw sample is finite (or feasible), or every restart fails.
 */
export function optimizeAcqf(acq: AcquisitionFunction, options: OptimizeAcqfOptions = {}): OptimizeAcqfResult {
  const o = resolveOptimizeAcqfOptions(acq.dim, options);
  const { d, q } = o;
  if (!o.sequential || q === 1) {
    const r = optimizeBatch(acq, o.rawScorer, o, q, o.seed, 0, o.distinctFrom);
    const steps = [{ value: r.value, rawBest: r.rawBest }];
    return { candidates: r.X, q, d, value: r.value, restarts: r.restarts, rawBest: r.rawBest, steps };
  }
  const candidates = new Float64Array(q * d);
  const restarts: RestartReport[] = [];
  const steps: { value: number; rawBest: number }[] = [];
  for (let step = 0; step < q; step++) {
    let current = acq;
    if (step > 0) {
      current = o.withPending!(candidates.slice(0, step * d));
      if (current.dim !== d) {
        throw new ShapeError(`optimizeAcqf: withPending returned an acquisition of dim ${current.dim}; expected ${d}.`);
      }
    }
    const scorer = step === 0 ? o.rawScorer : (o.rawScorer?.withPending?.(candidates.slice(0, step * d)) ?? null);
    let r: ReturnType<typeof optimizeBatch>;
    try {
      const avoid = new Float64Array(o.distinctFrom.length + step * d);
      avoid.set(o.distinctFrom);
      avoid.set(candidates.subarray(0, step * d), o.distinctFrom.length);
      r = optimizeBatch(current, scorer, o, 1, o.seed + step, step, avoid);
    } finally {
      if (step > 0) scorer?.dispose?.();
    }
    candidates.set(r.X, step * d);
    restarts.push(...r.restarts);
    steps.push({ value: r.value, rawBest: r.rawBest });
  }
  return { candidates, q, d, value: steps[0]!.value, restarts, rawBest: steps[0]!.rawBest, steps };
}

/** A stream id mixed into the seed of the Boltzmann draw, so it differs from the raw sampler's. */
const SELECTION_STREAM = 0x2545f491;

interface Final {
  X: Float64Array;
  value: number;
  /** Index of the report this batch belongs to. */
  readonly report: number;
}

/** Steps 1–4 of the design note for one `q x d` batch. */
function optimizeBatch(
  acq: AcquisitionFunction,
  scorer: RawScorer | null,
  o: ResolvedOptimizeAcqfOptions,
  q: number,
  seed: number,
  step: number,
  avoid: Float64Array,
): { X: Float64Array; value: number; rawBest: number; restarts: RestartReport[] } {
  const size = q * o.d;
  const raw = drawRawBatches(o, q, seed);
  let rawValues = scorer ? scoreWith(scorer, raw, q, o.d) : new Float64Array(0);
  let { count, best: rawBest, std } = finiteStats(rawValues);
  const scored = count > 0; // by the raw scorer
  if (!scored) {
    rawValues = scoreInChunks(acq, raw.data, raw.n, q, o.batchLimit);
    ({ count, best: rawBest, std } = finiteStats(rawValues));
  }
  if (count === 0) {
    throw new CandidateGenerationError(
      `optimizeAcqf: the acquisition is not finite at any of the ${raw.n} raw q-batches (q = ${q}); ` +
        'check the model and the acquisition function (e.g. a best-f or reference point that makes every value NaN).',
    );
  }
  const starts = selectInitialConditions(
    rawValues,
    Math.min(o.numRestarts, raw.n),
    new Prng((seed ^ SELECTION_STREAM) >>> 0),
    o.eta,
  );
  if (scored) {
    // Report acq's values, not the raw scorer's: re-score the chosen starts (few) with acq.
    const chosen = new Float64Array(starts.length * size);
    starts.forEach((i, k) => chosen.set(raw.data.subarray(i * size, (i + 1) * size), k * size));
    rawBest = finiteStats(scoreInChunks(acq, chosen, starts.length, q, o.batchLimit)).best;
  }
  const rho = o.constraints.length > 0 ? o.constraintPenalty * (std > 0 ? std : Math.max(Math.abs(rawBest), 1)) : 0;
  const discrete = hasDiscrete(o);
  const pool = new RoundedPool(o, q);
  const restarts: RestartReport[] = [];
  let finals: Final[] = [];
  for (const startIndex of starts) {
    const start = raw.data.slice(startIndex * size, (startIndex + 1) * size);
    const run = optimizeLocally(acq, start, freePositions(o, q), q, o, rho);
    const report = { step, kind: 'relaxation' as const, startIndex, value: NaN, iterations: 0 };
    const evaluations = run.evaluations;
    if (!run.ok) {
      restarts.push({ ...report, evaluations, failure: run.message });
    } else if (!discrete) {
      finals.push({ X: run.X, value: NaN, report: restarts.length });
      restarts.push({ ...report, evaluations, iterations: run.iterations });
    } else {
      const rounded = scoreRoundings(acq, run.X, q, o, startIndex);
      const done = { ...report, iterations: run.iterations, evaluations: evaluations + rounded.evaluated };
      if (rounded.candidates.length === 0) {
        restarts.push({ ...done, failure: `none of the ${rounded.evaluated} rounded candidates is finite and feasible` });
      } else {
        restarts.push({ ...done, value: Math.max(...rounded.candidates.map((c) => c.value)) });
        for (const c of rounded.candidates) pool.add(c);
      }
    }
  }
  if (!discrete && finals.length > 0) {
    const all = new Float64Array(finals.length * size);
    finals.forEach((f, k) => all.set(f.X, k * size));
    const values = scoreInChunks(acq, all, finals.length, q, o.batchLimit);
    finals.forEach((f, k) => {
      f.value = values[k]!;
      restarts[f.report] = { ...restarts[f.report]!, value: f.value };
    });
  }
  if (discrete) finals = refinePool(acq, o, q, rho, step, pool, restarts);

  const unique = discrete && o.unique;
  let winner: Final | null = null;
  let repeated: Final | null = null; // the best batch with a repeated point (unique)
  for (const f of finals) {
    const report = restarts[f.report]!;
    if (!Number.isFinite(f.value)) {
      restarts[f.report] = { ...report, failure: `its final acquisition value is ${f.value}` };
    } else if (o.constraints.length > 0 && !batchFeasible(o.constraints, f.X, q, o.d)) {
      restarts[f.report] = { ...report, failure: 'its final batch violates an inequality constraint' };
    } else if (unique && hasRepeatedPoint(f.X, q, avoid, o)) {
      if (repeated === null || f.value > repeated.value) repeated = f;
    } else if (winner === null || f.value > winner.value) {
      winner = f;
    }
  }
  winner ??= repeated;
  if (winner === null) {
    const reasons = [...new Set(restarts.map((r) => r.failure ?? 'unknown'))].slice(0, 3).join('; ');
    throw new CandidateGenerationError(
      `optimizeAcqf: all ${restarts.length} restarts failed (q = ${q}${o.sequential ? `, sequential step ${step}` : ''}): ${reasons}.`,
    );
  }
  return { X: winner.X, value: winner.value, rawBest, restarts };
}

/**
 * Re-optimises the continuous coordinates of the `numRefinements` best pool entries (discrete
 * coordinates fixed), keeping a refinement when it scores at least as well, and returns every
 * pool entry as a final candidate. Appends one `refinement` report per refined entry.
 */
function refinePool(
  acq: AcquisitionFunction,
  o: ResolvedOptimizeAcqfOptions,
  q: number,
  rho: number,
  step: number,
  pool: RoundedPool,
  restarts: RestartReport[],
): Final[] {
  const ranked = pool.ranked();
  const continuous = freePositions(o, q, true);
  const refined = continuous.length > 0 ? Math.min(o.numRefinements, ranked.length) : 0;
  return ranked.map((entry, k) => {
    const origin = restarts.findIndex((r) => r.startIndex === entry.startIndex && r.kind === 'relaxation');
    if (k >= refined) return { X: entry.X, value: entry.value, report: origin };
    const run = optimizeLocally(acq, entry.X, continuous, q, o, rho);
    const report = { step, kind: 'refinement' as const, startIndex: entry.startIndex, evaluations: run.evaluations };
    if (!run.ok) {
      restarts.push({ ...report, value: NaN, iterations: 0, failure: run.message });
      return { X: entry.X, value: entry.value, report: origin };
    }
    const value = scoreInChunks(acq, run.X, 1, q, 1)[0]!;
    restarts.push({ ...report, value, iterations: run.iterations, evaluations: run.evaluations + 1 });
    return value >= entry.value
      ? { X: run.X, value, report: restarts.length - 1 }
      : { X: entry.X, value: entry.value, report: origin };
  });
}

/** A raw scorer's values of all raw batches (one call), checked for length. */
function scoreWith(scorer: RawScorer, raw: RawBatches, q: number, d: number): Float64Array {
  const values = scorer.forward({ b: raw.n, q, d, data: raw.data });
  if (values.length !== raw.n) {
    throw new ShapeError(`optimizeAcqf: rawScorer.forward returned ${values.length} values for b = ${raw.n}; expected ${raw.n}.`);
  }
  return values;
}

/** Count, maximum and sample standard deviation of the finite entries. */
function finiteStats(values: Float64Array): { count: number; best: number; std: number } {
  let count = 0;
  let best = -Infinity;
  let mean = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    count++;
    best = Math.max(best, v);
    mean += v;
  }
  mean /= Math.max(count, 1);
  let ss = 0;
  for (const v of values) if (Number.isFinite(v)) ss += (v - mean) ** 2;
  return { count, best, std: count > 1 ? Math.sqrt(ss / (count - 1)) : 0 };
}
