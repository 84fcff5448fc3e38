import { pruneInferiorPoints } from '../acquisition/monte-carlo/prune-baseline.js';
import { qLogNoisyExpectedImprovement } from '../acquisition/monte-carlo/q-noisy-expected-improvement.js';
import type { TfCore } from '../acquisition/tf/tf-core.js';
import type { TfLogNoisyExpectedImprovement } from '../acquisition/tf/tf-log-nei.js';
import { makeTfRawScorer } from '../acquisition/tf/tf-raw-scorer.js';
import type { OutcomeConstraint } from '../acquisition/monte-carlo/mc-acquisition.js';
import { InputDataError, UnsupportedError } from '../errors/errors.js';
import { zeros } from '../linalg/matrix.js';
import { fitGP } from '../models/fit-gp.js';
import { buildPresetModel, resolvePreset } from '../models/presets.js';
import type { SingleTaskGP } from '../models/single-task-gp.js';
import { optimizeAcqf } from '../optim/optimize-acqf.js';
import type { DiscreteCoordinate } from '../optim/optimize-acqf-options.js';
import { SobolEngine } from '../sampling/sobol.js';
import type { ParameterValues, SearchSpaceConfig } from '../search-space/parameters.js';
import { SearchSpace } from '../search-space/search-space.js';
import { nowMs } from '../util/clock.js';
import { resolveGenerationStrategy, type GenerationStrategyOptions, type ResolvedGenerationStrategy } from './generation-strategy.js';
import { thompsonBatch } from './thompson-sampling.js';
import { TRIAL_GENERATORS, type Trial, type TrialGenerator, type TrialStatus } from './trial.js';

/** Integer levels up to this count are enumerated around the relaxed optimum; more stay continuous. */
const MAX_ENUMERATED_LEVELS = 100_000;

/** An outcome constraint `metric <= bound` on a metric the evaluator reports. */
export interface MetricConstraint {
  metric: string;
  bound: number;
}

export interface OptimizerOptions {
  /** The parameters to tune (a config or a built SearchSpace). */
  searchSpace: SearchSpaceConfig | SearchSpace;
  /** Name of the objective metric. @defaultValue 'objective' */
  objective?: string;
  /** Minimise the objective (else maximise). @defaultValue true */
  minimize?: boolean;
  /** Outcome constraints on other reported metrics. @defaultValue none */
  outcomeConstraints?: readonly MetricConstraint[];
  /** Seed: equal seeds and equal results give equal proposals. @defaultValue 0 */
  seed?: number;
  /** How trials are proposed. @defaultValue {@link resolveGenerationStrategy} defaults */
  strategy?: GenerationStrategyOptions;
  /**
   * A TensorFlow.js instance (in Node, `initTensorflow()` of `@apiary/tf-runtime`): raw candidate
   * batches of qLogNEI steps are then scored in float32 on it where supported (see docs/tfjs.md);
   * the optimisation itself and every reported value stay float64. @defaultValue none
   */
  tf?: TfCore;
}

/** An existing trial's state and provenance, for {@link Optimizer.attachTrial}. */
export interface AttachTrialOptions {
  /** Its state: running trials become pending points, completed ones are fitted, the others only reported. */
  status: TrialStatus;
  /** Metric values of a completed trial (the objective and every constrained metric, finite). */
  values?: Record<string, number>;
  /** Why a failed or abandoned trial did not finish. @defaultValue none */
  error?: string;
  /**
   * What proposed it. A `'sobol'` trial advances this optimiser's Sobol stream by the draws that
   * proposed it, so attaching a history in proposal order leaves the stream where the original
   * optimiser's was. Anything else (a model proposal, a point of the user's own) leaves the
   * stream alone. @defaultValue 'qlognei'
   */
  generator?: Trial['generator'];
  /**
   * The unit-cube point the original optimiser recorded (length `dim`). Given, it is kept as is
   * (after checking that it decodes to `parameters`), so that models are fitted to the very same
   * numbers; otherwise `parameters` are encoded, which may differ in the last bits.
   * @defaultValue the encoding of `parameters`
   */
  unit?: ArrayLike<number>;
}

/** Timing of the last model-based generation step. */
export interface GenerationTiming {
  /** What proposed the points. */
  generator: Exclude<TrialGenerator, 'sobol'>;
  /** Points proposed. */
  points: number;
  fitSeconds: number;
  /** Acquisition optimisation (qLogNEI) or posterior sampling (Thompson). */
  acquisitionSeconds: number;
}

/** Options of one {@link Optimizer.ask}. */
export interface AskOptions {
  /**
   * How long this model-based step may take, in milliseconds. When the cost of a qLogNEI step
   * for this many points (see {@link Optimizer.estimateModelStepMs}) exceeds it, the points come from
   * batch Thompson sampling on the same model instead (see {@link thompsonBatch}): a service
   * refilling idle workers passes the time it can afford. @defaultValue unlimited
   */
  timeBudgetMs?: number;
}

/**
 * Hyperparameters are re-optimised on every model-based step until this many completed points;
 * beyond it, only once the data have grown by {@link REFIT_GROWTH} since the last optimisation,
 * and in between the model is conditioned on all data with the last hyperparameters (one
 * Cholesky). Design note: past a hundred points one new observation barely moves the MAP
 * hyperparameters, while a warm-started fit at n = 400 costs ~0.2–0.4 s here, which an
 * asynchronous service refilling one worker at a time would pay on every trial.
 */
const REFIT_ALWAYS_BELOW = 100;

/**
 * The cost assumed for one qLogNEI point before a step has been measured, in milliseconds.
 * Design note: with the default restarts and raw samples it is 0.1–0.5 s at small n on the
 * development machine (more with many pending points); assuming the middle means a budget of
 * well under a second goes straight to Thompson sampling instead of first paying seconds for a
 * measurement while workers wait, and a budget of seconds still measures qLogNEI.
 */
export const ASSUMED_QLOGNEI_MS_PER_POINT = 250;
const REFIT_GROWTH = 1.1;

/**
 * The ask/tell optimiser: `ask(n)` proposes n trials, treating running ones as pending points;
 * `tell(index, value)` records a result, `fail(index, reason)` a failure (reported, never fitted).
 * Scrambled Sobol for the initial design, then a GP with qLogNoisyExpectedImprovement.
 *
 * @example
 * const opt = new Optimizer({ searchSpace: { parameters: [{ name: 'x', type: 'range', bounds: [-2, 2] }] } });
 * for (let i = 0; i < 10; i++) for (const t of opt.ask(2)) opt.tell(t.index, (t.parameters.x as number) ** 2);
 */
export class Optimizer {
  readonly searchSpace: SearchSpace;
  readonly objective: string;
  readonly minimize: boolean;
  readonly strategy: ResolvedGenerationStrategy;
  readonly outcomeConstraints: readonly MetricConstraint[];
  private readonly seed: number;
  private tf: TfCore | null;
  private readonly sobol: SobolEngine;
  private readonly trialList: Trial[] = [];
  private warmStarts = new Map<string, { theta: Float64Array; n: number }>();
  private generations = 0;
  /** Cost of the last qLogNEI step per point (fit + acquisition), ms; null before the first. */
  private qlogneiMsPerPoint: number | null = null;
  /** Timing of the last model-based `ask`, or null. */
  lastGeneration: GenerationTiming | null = null;

  constructor(options: OptimizerOptions) {
    this.searchSpace = options.searchSpace instanceof SearchSpace ? options.searchSpace : new SearchSpace(options.searchSpace);
    this.objective = options.objective ?? 'objective';
    this.minimize = options.minimize ?? true;
    this.seed = options.seed ?? 0;
    this.tf = options.tf ?? null;
    if (!Number.isInteger(this.seed)) throw new InputDataError(`seed must be an integer, got ${options.seed}`);
    this.strategy = resolveGenerationStrategy(options.strategy ?? {}, this.searchSpace.dim);
    this.outcomeConstraints = options.outcomeConstraints ?? [];
    for (const c of this.outcomeConstraints) {
      if (c.metric === this.objective) throw new InputDataError(`outcome constraint on '${c.metric}', which is the objective`);
      if (!Number.isFinite(c.bound)) throw new InputDataError(`outcome constraint on '${c.metric}': bound must be finite, got ${c.bound}`);
    }
    this.sobol = new SobolEngine(this.searchSpace.dim, { scramble: true, seed: this.seed });
  }

  /** Every trial so far, in proposal order. */
  get trials(): readonly Trial[] {
    return this.trialList;
  }

  /**
   * Proposes n new trials (marked running). The initial design comes from scrambled Sobol; after
   * it, a GP is fitted to the completed trials and a q-batch chosen by qLogNEI with the running
   * trials as pending points.
   */
  ask(n = 1, options: AskOptions = {}): Trial[] {
    if (!Number.isInteger(n) || n < 1) throw new InputDataError(`ask(n): n must be a positive integer, got ${n}`);
    const budget = options.timeBudgetMs;
    if (budget !== undefined && !(budget >= 0)) throw new InputDataError(`ask: timeBudgetMs must be a number >= 0, got ${budget}`);
    if (this.quasiRandomTrialsAhead() > 0) {
      const out: Trial[] = [];
      for (let i = 0; i < n; i++) out.push(this.addTrial(this.nextSobolPoint(), 'sobol'));
      return out;
    }
    const completed = this.trialList.filter((t) => t.status === 'completed');
    const estimate = this.estimateModelStepMs(n) ?? 0;
    const generator: TrialGenerator = this.strategy.method === 'thompson' || (budget !== undefined && estimate > budget) ? 'thompson' : 'qlognei';
    const units = this.generate(completed, n, generator);
    return units.map((u) => this.addTrial(u, generator));
  }

  /**
   * Sets (or, with null, removes) the TensorFlow.js instance that scores raw candidate batches
   * (see {@link OptimizerOptions.tf}); takes effect from the next model-based step.
   */
  setTensorflow(tf: TfCore | null): void {
    this.tf = tf;
  }

  /**
   * How many of the next proposals are quasi-random whatever happens meanwhile, with no model
   * fitted (they cost next to nothing): the rest of the initial design, or all (Infinity) for the
   * `sobol` method and while fewer than two trials have completed. 0 means the next `ask` fits a model.
   */
  quasiRandomTrialsAhead(): number {
    if (this.strategy.method === 'sobol') return Infinity;
    let completed = 0;
    for (const t of this.trialList) if (t.status === 'completed' && ++completed >= 2) break;
    if (completed < 2) return Infinity;
    return Math.max(0, this.strategy.initialTrials - this.trialList.length);
  }

  /**
   * The expected cost in milliseconds of a qLogNEI step for n points: scaled from the last one
   * measured, or before any from {@link ASSUMED_QLOGNEI_MS_PER_POINT}; null with the `sobol` method.
   */
  estimateModelStepMs(n: number): number | null {
    return this.strategy.method === 'sobol' ? null : (this.qlogneiMsPerPoint ?? ASSUMED_QLOGNEI_MS_PER_POINT) * n;
  }

  /** Records a result: a number (the objective) or a record of metric values. First result wins. */
  tell(index: number, value: number | Record<string, number>): void {
    const trial = this.trial(index);
    if (trial.status !== 'running') throw new InputDataError(`trial ${index} is ${trial.status}; only a running trial takes a result`);
    const values = typeof value === 'number' ? { [this.objective]: value } : { ...value };
    this.checkValues(values, `trial ${index}`);
    trial.values = values;
    trial.status = 'completed';
  }

  /**
   * Registers a trial that exists elsewhere (a store, after a restart) as the next one, so that an
   * optimiser's state can be rebuilt: attach the history in proposal order and `ask` continues as
   * the original would have. The parameters are validated against the search space and encoded;
   * a `'sobol'` trial advances the Sobol stream (see {@link AttachTrialOptions.generator}).
   *
   * Design note: the Sobol stream is advanced by replaying the draws, constraint rejections
   * included, rather than by a fast-forward of one point per trial, because under linear
   * constraints one trial may have taken several draws. Rebuilt before the original's first
   * model-based step, the optimiser then proposes exactly what the original does, model steps
   * included. Rebuilt later, it starts from fresh fit warm starts and the first acquisition seed,
   * so its proposals are equally good but not bit-equal to the original's.
   *
   * @returns the attached trial, numbered after the existing ones.
   * @throws SearchSpaceError for invalid parameters; InputDataError for a completed trial without
   *   finite objective and constrained metrics, or a `unit` that does not decode to `parameters`.
   */
  attachTrial(parameters: ParameterValues, options: AttachTrialOptions): Trial {
    const { status } = options;
    if (!(['running', 'completed', 'failed', 'abandoned'] as const).includes(status)) {
      throw new InputDataError(`attachTrial: status must be 'running', 'completed', 'failed' or 'abandoned', got '${String(status)}'`);
    }
    const generator = options.generator ?? 'qlognei';
    if (!TRIAL_GENERATORS.includes(generator)) throw new InputDataError(`attachTrial: generator must be one of ${TRIAL_GENERATORS.join(', ')}, got '${String(generator)}'`);
    const encoded = this.searchSpace.encode(parameters);
    const unit = options.unit === undefined ? encoded : this.checkedUnit(options.unit, parameters);
    let values: Record<string, number> | undefined;
    if (status === 'completed') {
      if (!options.values) throw new InputDataError(`attachTrial: a completed trial needs values (at least '${this.objective}')`);
      values = { ...options.values };
      this.checkValues(values, `attached trial ${this.trialList.length}`);
    }
    if (generator === 'sobol') this.nextSobolPoint();
    const trial: Trial = { index: this.trialList.length, parameters: this.searchSpace.decode(unit), unit, generator, status };
    if (values) trial.values = values;
    if (options.error !== undefined && (status === 'failed' || status === 'abandoned')) trial.error = options.error;
    this.trialList.push(trial);
    return trial;
  }

  /** A copy of a recorded unit point, checked to decode to `parameters` (exactly, value by value). */
  private checkedUnit(unit: ArrayLike<number>, parameters: ParameterValues): Float64Array {
    const u = this.searchSpace.roundToFeasible(unit);
    const decoded = this.searchSpace.decode(u);
    for (const p of this.searchSpace.parameters) {
      if (p.type !== 'fixed' && decoded[p.name] !== parameters[p.name]) {
        throw new InputDataError(
          `attachTrial: unit decodes to ${p.name} = ${String(decoded[p.name])} but parameters say ${String(parameters[p.name])}; pass the unit point recorded with these parameters, or none`,
        );
      }
    }
    return u;
  }

  /** Throws unless the objective and every constrained metric are finite numbers. */
  private checkValues(values: Record<string, number>, what: string): void {
    const problems: string[] = [];
    for (const name of [this.objective, ...this.outcomeConstraints.map((c) => c.metric)]) {
      const v = values[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`'${name}' is ${String(v)}, expected a finite number`);
    }
    if (problems.length > 0) throw new InputDataError(`${what}: ${problems.join('; ')}`);
  }

  /** Marks a running trial failed with a reason; it is reported, never fitted. */
  fail(index: number, reason: string): void {
    const trial = this.trial(index);
    if (trial.status !== 'running') throw new InputDataError(`trial ${index} is ${trial.status}; only a running trial can fail`);
    trial.status = 'failed';
    trial.error = reason;
  }

  /** The best completed (and, with constraints, feasible) trial, or null. */
  best(): Trial | null {
    let best: Trial | null = null;
    for (const t of this.trialList) {
      if (t.status !== 'completed' || !this.isFeasible(t)) continue;
      const v = t.values![this.objective]!;
      if (!best || (this.minimize ? v < best.values![this.objective]! : v > best.values![this.objective]!)) best = t;
    }
    return best;
  }

  private isFeasible(t: Trial): boolean {
    return this.outcomeConstraints.every((c) => t.values![c.metric]! <= c.bound);
  }

  private trial(index: number): Trial {
    const t = this.trialList[index];
    if (!t) throw new InputDataError(`no trial ${index}; trials are numbered 0..${this.trialList.length - 1}`);
    return t;
  }

  private addTrial(unit: Float64Array, generator: Trial['generator']): Trial {
    const rounded = this.searchSpace.roundToFeasible(unit);
    const trial: Trial = { index: this.trialList.length, parameters: this.searchSpace.decode(rounded), unit: rounded, generator, status: 'running' };
    this.trialList.push(trial);
    return trial;
  }

  /** The next scrambled-Sobol point that meets the linear constraints (rejection, bounded). */
  private nextSobolPoint(): Float64Array {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const u = this.sobol.draw(1);
      const rounded = this.searchSpace.roundToFeasible(u);
      if (this.searchSpace.isFeasible(this.searchSpace.decode(rounded))) return u;
    }
    throw new InputDataError('no quasi-random point met the linear parameter constraints in 10,000 draws; the feasible region is too small');
  }

  /** Fits the models and proposes n points by qLogNEI or Thompson sampling; returns n unit-cube points. */
  private generate(completed: Trial[], n: number, generator: Exclude<TrialGenerator, 'sobol'>): Float64Array[] {
    const t0 = nowMs();
    const d = this.searchSpace.dim;
    const X = zeros(completed.length, d);
    completed.forEach((t, i) => X.data.set(t.unit, i * d));
    const objectiveModel = this.fitMetric(this.objective, X, completed);
    const constraints = this.outcomeConstraints.map((c) => ({ model: this.fitMetric(c.metric, X, completed), bound: c.bound }));
    const fitSeconds = (nowMs() - t0) / 1000;
    const pendingTrials = this.trialList.filter((t) => t.status === 'running');
    const pending = new Float64Array(pendingTrials.length * d);
    pendingTrials.forEach((t, i) => pending.set(t.unit, i * d));
    const raw = this.seed * 1_000_003 + this.generations++;
    // Beyond 2^53 the product loses its integer-ness: mix such seeds into 31 bits instead.
    const seed = Number.isSafeInteger(raw) ? raw : (Math.imul(this.seed | 0, 1_000_003) + Math.floor(this.seed / 4294967296) + this.generations) >>> 1;
    if (generator === 'thompson') {
      const t1 = nowMs();
      const units = thompsonBatch(objectiveModel, {
        searchSpace: this.searchSpace,
        q: n,
        baseline: X.data,
        baselineValues: completed.map((t) => t.values![this.objective]!),
        pending,
        maximize: !this.minimize,
        constraints,
        seed: seed >>> 0,
      });
      // A tiny discrete space can run out of distinct candidates: fill up with quasi-random points.
      while (units.length < n) units.push(this.nextSobolPoint());
      this.lastGeneration = { generator, points: n, fitSeconds, acquisitionSeconds: (nowMs() - t1) / 1000 };
      return units;
    }
    // Pruned once per step: the pruning depends on the model and baseline only, not on pending points.
    const baseline = pruneInferiorPoints(objectiveModel, X.data, this.minimize ? -1 : 1, constraints);
    const make = (extraPending: Float64Array | null): qLogNoisyExpectedImprovement => {
      let all = pending;
      if (extraPending && extraPending.length > 0) {
        all = new Float64Array(pending.length + extraPending.length);
        all.set(pending);
        all.set(extraPending, pending.length);
      }
      return new qLogNoisyExpectedImprovement(objectiveModel, {
        baseline,
        pruneBaseline: false,
        pending: all,
        maximize: !this.minimize,
        constraints,
        numSamples: this.strategy.mcSamples,
        seed,
      });
    };
    const structure = this.searchSpace.discreteStructure();
    const discrete: DiscreteCoordinate[] = [
      // Levels beyond MAX_ENUMERATED_LEVELS stay a continuous relaxation, snapped by roundToFeasible.
      ...structure.leveled
        .filter((c) => c.levels <= MAX_ENUMERATED_LEVELS)
        .map((c) => (c.log ? { index: c.index, levels: c.levels, centres: this.searchSpace.levelCentres(c.index) } : { index: c.index, levels: c.levels })),
      ...structure.oneHot.map((g) => ({ indices: g.indices })),
    ];
    const t1 = nowMs();
    const rawScorer = this.tfRawScorer(objectiveModel, baseline, pending, constraints.length, seed);
    let result: ReturnType<typeof optimizeAcqf>;
    try {
      result = optimizeAcqf(make(null), {
        q: n,
        numRestarts: this.strategy.numRestarts,
        rawSamples: this.strategy.rawSamples,
        seed,
        sequential: n > 1 && n <= this.strategy.greedyBatchLimit,
        withPending: (points) => make(points),
        discrete,
        inequalityConstraints: this.searchSpace.unitConstraints(),
        distinctFrom: pending,
        ...(rawScorer ? { rawScorer } : {}),
      });
    } finally {
      rawScorer?.dispose();
    }
    this.lastGeneration = { generator, points: n, fitSeconds, acquisitionSeconds: (nowMs() - t1) / 1000 };
    this.qlogneiMsPerPoint = (1000 * (fitSeconds + this.lastGeneration.acquisitionSeconds)) / n;
    const out: Float64Array[] = [];
    for (let i = 0; i < n; i++) out.push(result.candidates.slice(i * d, (i + 1) * d));
    return out;
  }

  /**
   * The float32 TensorFlow.js scorer of raw candidate batches, when a `tf` instance was given and
   * supports this step (no outcome constraints, a supported kernel, not the plain cpu backend);
   * otherwise null and raw batches are scored in float64.
   */
  private tfRawScorer(model: SingleTaskGP, baseline: Float64Array, pending: Float64Array, constraints: number, seed: number): TfLogNoisyExpectedImprovement | null {
    if (!this.tf || constraints > 0) return null;
    try {
      return makeTfRawScorer(this.tf, model, { baseline, pruneBaseline: false, pending, maximize: !this.minimize, numSamples: this.strategy.mcSamples, seed });
    } catch (e) {
      if (e instanceof UnsupportedError) return null;
      throw e;
    }
  }

  /**
   * The GP of one metric on the completed trials: hyperparameters fitted (warm-started from the
   * last fit), or re-used while the data have grown little (see {@link REFIT_ALWAYS_BELOW}).
   */
  private fitMetric(metric: string, X: ReturnType<typeof zeros>, completed: Trial[]): SingleTaskGP {
    const y = completed.map((t) => t.values![metric]!);
    const preset = resolvePreset(this.strategy.modelPreset);
    const { model, noiseFloor } = buildPresetModel(preset, X, y, null);
    const n = completed.length;
    const warm = this.warmStarts.get(metric);
    const usable = warm && warm.theta.length === model.numHyperparameters ? warm : undefined;
    if (usable && usable.n >= REFIT_ALWAYS_BELOW && n < usable.n * REFIT_GROWTH) {
      model.setHyperparameters(usable.theta);
      return model;
    }
    const fit = fitGP(model, { noiseFloor, seed: this.seed, ...(usable ? { warmStart: usable.theta } : {}) });
    this.warmStarts.set(metric, { theta: fit.hyperparameters, n });
    return model;
  }
}
