import { InputDataError, ShapeError } from '../../errors/errors.js';
import { smallCholesky, smallCholeskyBackward } from '../../linalg/small-cholesky.js';
import type { DifferentiableModel } from '../../models/model.js';
import type { QBatch } from '../../posteriors/posterior.js';
import { normalBaseSamples, plainMcNormalSamples } from '../../sampling/qmc-normal.js';
import type { AcquisitionFunction } from '../acquisition.js';
import { fatmax, logMeanExp, logFatmoid } from './smooth-math.js';

/** An outcome constraint `metric <= bound`, the metric modelled by its own GP. */
export interface OutcomeConstraint {
  model: DifferentiableModel;
  /** Feasible when the metric is at most this (the metric's units). */
  bound: number;
}

export interface MCAcquisitionOptions {
  /** Monte-Carlo samples per evaluation. @defaultValue 512 */
  numSamples?: number;
  /** Seed of the base samples (fixed for the object's life, so values are deterministic in X). @defaultValue 0 */
  seed?: number;
  /** `sobol` (scrambled-Sobol QMC normals) or `plain` (pseudo-random normals). @defaultValue 'sobol' */
  sampler?: 'sobol' | 'plain';
  /** True to maximise the objective, false to minimise it (samples are negated). @defaultValue true */
  maximize?: boolean;
  /** Points already chosen or running (`p x d`, the model's input space), joined to every q-batch. @defaultValue none */
  pending?: Float64Array | null;
  /** Outcome constraints, each weighting utilities by smoothed feasibility. @defaultValue none */
  constraints?: readonly OutcomeConstraint[];
  /**
   * Temperature of the smoothed feasibility indicator, relative to each constraint metric's training
   * standard deviation. @defaultValue 1e-3
   */
  eta?: number;
}

/**
 * Everything a subclass sees for one t-batch. Joint points are ordered `[extra (e), pending (p), X (q)]`
 * — the fixed points first (qNEI's baseline, then pending points) so that, with the
 * lower-triangular reparameterisation, their samples do not depend on X (cached-root semantics):
 * a candidate cannot gain by moving the pending points' sampled values, so copying a pending point
 * is worth nothing.
 */
export interface SampleContext {
  /** Number of samples s. */
  s: number;
  /** Columns of the joint sample: `m = e + q + p`. */
  m: number;
  /** Number of leading extra columns e. */
  e: number;
  /** Columns forming the q-batch for the utility (pending and X): `p + q`, starting at column e. */
  batch: number;
  /** Objective samples `s x m`, already signed so that larger is better. */
  objective: Float64Array;
  /** Posterior mean of the objective at the m points, signed. */
  objectiveMean: Float64Array;
  /** Log smoothed feasibility per sample and column (`s x m`), or null without constraints. */
  logFeasibility: Float64Array | null;
  /** Hard feasibility (all constraints met) per sample and column, or null without constraints. */
  feasible: Uint8Array | null;
  /** Gradient outputs (null when only values are wanted): d value / d objective (`s x m`). */
  gradObjective: Float64Array | null;
  /** d value / d objectiveMean (length m). */
  gradObjectiveMean: Float64Array | null;
  /** d value / d logFeasibility (`s x m`), or null. */
  gradLogFeasibility: Float64Array | null;
}

interface OutcomeSamples {
  mean: Float64Array;
  L: Float64Array;
  z: Float64Array;
  samples: Float64Array;
}

/**
 * Base of the Monte-Carlo acquisition functions (BoTorch's MCAcquisitionFunction): one shared
 * forward pass — joint posterior at `[extra, X, pending]` for the objective and each constraint
 * model, reparameterised samples `f = mu + L z` with fixed base samples z, smoothed feasibility — and
 * one shared reverse pass (through the sample reparameterisation, the q x q Cholesky factor and the
 * model's posterior). Each subclass writes only {@link MCAcquisitionFunction.reduce}: the
 * acquisition value of one t-batch from its samples, and its gradient with respect to them.
 */
export abstract class MCAcquisitionFunction implements AcquisitionFunction {
  readonly dim: number;
  protected readonly model: DifferentiableModel;
  protected readonly numSamples: number;
  protected readonly sign: number;
  protected readonly constraints: readonly OutcomeConstraint[];
  private readonly seed: number;
  private readonly sampler: 'sobol' | 'plain';
  private readonly pending: Float64Array;
  private readonly etas: Float64Array;
  private readonly baseSampleCache = new Map<string, Float64Array>();

  constructor(model: DifferentiableModel, options: MCAcquisitionOptions = {}) {
    this.model = model;
    this.dim = model.dim;
    this.numSamples = options.numSamples ?? 512;
    if (!Number.isInteger(this.numSamples) || this.numSamples < 1) {
      throw new InputDataError(`numSamples must be a positive integer, got ${options.numSamples}`);
    }
    this.seed = options.seed ?? 0;
    this.sampler = options.sampler ?? 'sobol';
    this.sign = options.maximize === false ? -1 : 1;
    this.pending = options.pending ?? new Float64Array(0);
    if (this.pending.length % this.dim !== 0) {
      throw new ShapeError(`pending has ${this.pending.length} values, not a multiple of d = ${this.dim}`);
    }
    this.constraints = options.constraints ?? [];
    const eta = options.eta ?? 1e-3;
    if (!(eta > 0)) throw new InputDataError(`eta must be positive, got ${eta}`);
    this.etas = Float64Array.from(this.constraints, (c) => {
      if (c.model.dim !== this.dim) throw new ShapeError(`a constraint model has d = ${c.model.dim}, the objective model d = ${this.dim}`);
      if (!Number.isFinite(c.bound)) throw new InputDataError(`constraint bound must be finite, got ${c.bound}`);
      return eta * trainingStd(c.model);
    });
  }

  /** Fixed points placed before X in every joint sample (`e x d`); none by default. */
  protected extraPoints(): Float64Array {
    return new Float64Array(0);
  }

  /** The acquisition value of one t-batch from its samples; writes gradients when ctx asks. */
  protected abstract reduce(ctx: SampleContext): number;

  /**
   * `mean_s max_j u(obj_sj) * feas_sj` over the batch columns, the shape of qEI, qPI, qSR and qUCB
   * (feasibility weights as the smoothed indicator exp(logFeasibility)). Hard max: its gradient goes
   * to each sample's argmax.
   *
   * @param utility `u(obj, i, j)` for sample i and column j, returning `[u, du/dobj]` or `[u, du/dobj, du/dmean_j]`
   *   when u also depends on the posterior mean directly.
   */
  protected meanOfMax(ctx: SampleContext, utility: (obj: number, i: number, j: number) => [number, number] | [number, number, number]): number {
    const { s, m, e, batch, objective, logFeasibility } = ctx;
    let total = 0;
    for (let i = 0; i < s; i++) {
      let best = -Infinity;
      let arg = e;
      let bestDu = 0;
      let bestDuMean = 0;
      let bestW = 1;
      for (let j = e; j < e + batch; j++) {
        const r = utility(objective[i * m + j]!, i, j);
        const w = logFeasibility ? Math.exp(logFeasibility[i * m + j]!) : 1;
        if (r[0] * w > best) {
          best = r[0] * w;
          arg = j;
          bestDu = r[1];
          bestDuMean = r[2] ?? 0;
          bestW = w;
        }
      }
      total += best;
      if (ctx.gradObjective) {
        ctx.gradObjective[i * m + arg] = (bestDu * bestW) / s;
        if (bestDuMean !== 0) ctx.gradObjectiveMean![arg]! += (bestDuMean * bestW) / s;
        if (ctx.gradLogFeasibility) ctx.gradLogFeasibility[i * m + arg] = best / s;
      }
    }
    return total / s;
  }

  /**
   * `logmeanexp_s fatmax_j (log u(obj_sj) + logFeas_sj)` over the batch columns, the shape of
   * qLogEI and qLogNEI.
   *
   * @param logUtility `log u(obj, i, j)` for sample i and column j, returning `[log u, d log u / d obj]`.
   * @param tauMax temperature of the fat-tailed max over q.
   */
  protected logMeanExpOfFatmax(ctx: SampleContext, tauMax: number, logUtility: (obj: number, i: number, j: number) => [number, number]): number {
    const { s, m, e, batch, objective, logFeasibility } = ctx;
    const perSample = new Float64Array(s);
    const logU = new Float64Array(batch);
    const dLogU = new Float64Array(batch);
    const gMax = ctx.gradObjective ? new Float64Array(batch) : null;
    const gMaxAll = ctx.gradObjective ? new Float64Array(s * batch) : null;
    const dLogUAll = ctx.gradObjective ? new Float64Array(s * batch) : null;
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < batch; j++) {
        const [lu, dlu] = logUtility(objective[i * m + e + j]!, i, e + j);
        logU[j] = lu + (logFeasibility ? logFeasibility[i * m + e + j]! : 0);
        dLogU[j] = dlu;
      }
      perSample[i] = fatmax(logU, 0, batch, 1, tauMax, gMax);
      if (gMax) {
        gMaxAll!.set(gMax, i * batch);
        dLogUAll!.set(dLogU, i * batch);
      }
    }
    const wSample = ctx.gradObjective ? new Float64Array(s) : null;
    const value = logMeanExp(perSample, wSample);
    if (ctx.gradObjective) {
      for (let i = 0; i < s; i++) {
        for (let j = 0; j < batch; j++) {
          const g = wSample![i]! * gMaxAll![i * batch + j]!;
          ctx.gradObjective[i * m + e + j] = g * dLogUAll![i * batch + j]!;
          if (ctx.gradLogFeasibility) ctx.gradLogFeasibility[i * m + e + j] = g;
        }
      }
    }
    return value;
  }

  forward(X: QBatch): Float64Array {
    return this.run(X, false).values;
  }

  forwardWithGradient(X: QBatch): { values: Float64Array; gradient: Float64Array } {
    const r = this.run(X, true);
    return { values: r.values, gradient: r.gradient! };
  }

  private run(X: QBatch, withGradient: boolean): { values: Float64Array; gradient: Float64Array | null } {
    const { b, q, d } = X;
    if (d !== this.dim) throw new ShapeError(`expected points with d = ${this.dim}, got d = ${d}`);
    if (q < 1) throw new ShapeError('a q-batch needs at least one point');
    const extra = this.extraPoints();
    const e = extra.length / d;
    const p = this.pending.length / d;
    const m = e + q + p;
    const s = this.numSamples;
    const values = new Float64Array(b);
    const gradient = withGradient ? new Float64Array(b * q * d) : null;
    const pts = new Float64Array(m * d);
    pts.set(extra, 0);
    pts.set(this.pending, e * d);
    const models = [this.model, ...this.constraints.map((c) => c.model)];
    for (let t = 0; t < b; t++) {
      pts.set(X.data.subarray(t * q * d, (t + 1) * q * d), (e + p) * d);
      const batch: QBatch = { b: 1, q: m, d, data: pts };
      const outs = models.map((model, k) => this.sampleOutcome(model, batch, m, k));
      const obj = outs[0]!;
      const objective = new Float64Array(s * m);
      for (let i = 0; i < objective.length; i++) objective[i] = this.sign * obj.samples[i]!;
      const objectiveMean = Float64Array.from(obj.mean, (v) => this.sign * v);
      let logFeasibility: Float64Array | null = null;
      let feasible: Uint8Array | null = null;
      const dLogFeas: Float64Array[] = [];
      if (this.constraints.length > 0) {
        logFeasibility = new Float64Array(s * m);
        feasible = new Uint8Array(s * m).fill(1);
        this.constraints.forEach((c, ci) => {
          const sm = outs[ci + 1]!.samples;
          const eta = this.etas[ci]!;
          const dlf = new Float64Array(s * m);
          for (let i = 0; i < s * m; i++) {
            const [lf, dlfdt] = logFatmoid(-(sm[i]! - c.bound) / eta);
            logFeasibility![i]! += lf;
            dlf[i] = -dlfdt / eta; // d log feas / d sample
            if (sm[i]! > c.bound) feasible![i] = 0;
          }
          dLogFeas.push(dlf);
        });
      }
      const ctx: SampleContext = {
        s,
        m,
        e,
        batch: q + p,
        objective,
        objectiveMean,
        logFeasibility,
        feasible,
        gradObjective: withGradient ? new Float64Array(s * m) : null,
        gradObjectiveMean: withGradient ? new Float64Array(m) : null,
        gradLogFeasibility: withGradient && logFeasibility ? new Float64Array(s * m) : null,
      };
      values[t] = this.reduce(ctx);
      if (!gradient) continue;
      // d value / d (raw samples) per outcome, then back through the reparameterisation.
      const gradSamples: Float64Array[] = [Float64Array.from(ctx.gradObjective!, (g) => this.sign * g)];
      const gradMeans: Float64Array[] = [Float64Array.from(ctx.gradObjectiveMean!, (g) => this.sign * g)];
      this.constraints.forEach((_, ci) => {
        const g = new Float64Array(s * m);
        const dlf = dLogFeas[ci]!;
        for (let i = 0; i < s * m; i++) g[i] = ctx.gradLogFeasibility![i]! * dlf[i]!;
        gradSamples.push(g);
        gradMeans.push(new Float64Array(m));
      });
      outs.forEach((out, k) => {
        const gX = this.backwardOutcome(models[k]!, batch, out, gradSamples[k]!, gradMeans[k]!, m);
        for (let j = 0; j < q; j++) {
          for (let l = 0; l < d; l++) gradient[(t * q + j) * d + l]! += gX[(e + p + j) * d + l]!;
        }
      });
    }
    return { values, gradient };
  }

  /** Joint posterior at the m points and its reparameterised samples `s x m`. */
  private sampleOutcome(model: DifferentiableModel, batch: QBatch, m: number, k: number): OutcomeSamples {
    const post = model.posterior(batch);
    const L = new Float64Array(m * m);
    smallCholesky(post.covariance, m, L);
    const z = this.baseSamples(m, k);
    const s = this.numSamples;
    const samples = new Float64Array(s * m);
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < m; j++) {
        let acc = post.mean[j]!;
        for (let l = 0; l <= j; l++) acc += L[j * m + l]! * z[i * m + l]!;
        samples[i * m + j] = acc;
      }
    }
    return { mean: post.mean, L, z, samples };
  }

  /** Reverse mode through `f = mu + L z` and `L = chol(C)` into the model's posterior. */
  private backwardOutcome(model: DifferentiableModel, batch: QBatch, out: OutcomeSamples, gradF: Float64Array, gradMu: Float64Array, m: number): Float64Array {
    const s = this.numSamples;
    const gMean = gradMu.slice();
    const gL = new Float64Array(m * m);
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < m; j++) {
        const g = gradF[i * m + j]!;
        if (g === 0) continue;
        gMean[j]! += g;
        for (let l = 0; l <= j; l++) gL[j * m + l]! += g * out.z[i * m + l]!;
      }
    }
    const gC = smallCholeskyBackward(out.L, gL, m);
    return model.posteriorBackward(batch, gMean, gC);
  }

  /** Fixed base samples `s x m` for outcome k, drawn once per m and kept (common random numbers). */
  private baseSamples(m: number, k: number): Float64Array {
    const key = `${m}:${k}`;
    const cached = this.baseSampleCache.get(key);
    if (cached) return cached;
    const seed = this.seed + 7919 * k;
    const z = this.sampler === 'sobol' ? normalBaseSamples(this.numSamples, m, seed) : plainMcNormalSamples(this.numSamples, m, seed);
    this.baseSampleCache.set(key, z);
    return z;
  }
}

/** The training standard deviation of a model's outcomes when it exposes them, else 1. */
function trainingStd(model: DifferentiableModel): number {
  const y = (model as { trainY?: Float64Array }).trainY;
  if (!y || y.length < 2) return 1;
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let ss = 0;
  for (const v of y) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / (y.length - 1));
  return sd > 0 ? sd : 1;
}
