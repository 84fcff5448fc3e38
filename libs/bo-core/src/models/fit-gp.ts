import { ModelFittingError, NotPositiveDefiniteError } from '../errors/errors.js';
import { minimizeLbfgsb } from '../optim/lbfgsb.js';
import type { MinimizeResult } from '../optim/minimizer.js';
import { Prng } from '../sampling/prng.js';
import { nowMs } from '../util/clock.js';
import type { SingleTaskGP } from './single-task-gp.js';

export interface FitOptions {
  /**
   * Random restarts (draws from the priors) tried after the first start.
   * @defaultValue 2
   */
  restarts?: number;
  /**
   * When the random restarts run: `always`, or `if-poor` — only when no start so far converged
   * cleanly (the optimiser stopped on a line-search failure or its iteration limit, or failed).
   * @defaultValue `if-poor` with a warm start or more than {@link ALWAYS_RESTART_MAX_N} points, else `always`
   */
  restartPolicy?: 'always' | 'if-poor';
  /** Hyperparameters to start from (a previous fit's raw vector), e.g. after one new observation. @defaultValue none */
  warmStart?: ArrayLike<number> | null;
  /** L-BFGS-B iterations per start. @defaultValue 200 */
  maxIterations?: number;
  /** Seed of the restart draws. @defaultValue 0 */
  seed?: number;
  /** Lower bound of the inferred noise variance, modelled units. @defaultValue 1e-6 */
  noiseFloor?: number;
}

/** One start of the optimiser. */
export interface FitAttempt {
  start: 'warm' | 'default' | 'random';
  /** The final MAP objective (log joint of outcomes and hyperparameters), or -Infinity. */
  logPosterior: number;
  reason: MinimizeResult['reason'] | 'error';
  evaluations: number;
  error?: string;
}

export interface FitResult {
  /** The MAP objective at the chosen hyperparameters. */
  logPosterior: number;
  /** The chosen raw hyperparameters (already set on the model). */
  hyperparameters: Float64Array;
  attempts: FitAttempt[];
  /** Wall time of the fit in seconds. */
  seconds: number;
}

/**
 * Up to this many points, random restarts always run (a fit costs well under a second); beyond it
 * they run only when the first fit is poor, since each start costs O(n^3) per evaluation.
 */
export const ALWAYS_RESTART_MAX_N = 300;

function convergedCleanly(a: FitAttempt): boolean {
  return a.reason === 'converged-grad' || a.reason === 'converged-f';
}

/** Box bounds on the raw hyperparameters, by name. Logs of positive quantities unless noted. */
const LOG_LENGTHSCALE_BOUNDS: [number, number] = [Math.log(1e-2), Math.log(1e3)];
const LOG_OUTPUTSCALE_BOUNDS: [number, number] = [Math.log(1e-3), Math.log(1e3)];
const LOG_NOISE_MAX = Math.log(10);

/**
 * MAP fit of a SingleTaskGP's hyperparameters: maximises `log p(y | theta) + log p(theta)` with
 * L-BFGS-B on analytic gradients over box-bounded raw hyperparameters, from the warm start (if
 * given) or the model's current values, then from random draws of the priors. Keeps the best; a
 * start that fails (non-positive-definite everywhere, non-finite values) is recorded, and if every
 * start fails a ModelFittingError lists why.
 */
export function fitGP(model: SingleTaskGP, options: FitOptions = {}): FitResult {
  const t0 = nowSeconds();
  const restarts = options.restarts ?? 2;
  const maxIterations = options.maxIterations ?? 200;
  const rng = new Prng(options.seed ?? 0);
  const { lower, upper } = hyperparameterBounds(model, options.noiseFloor ?? 1e-6);
  const n = model.numTrain;
  const policy = options.restartPolicy ?? (options.warmStart || n > ALWAYS_RESTART_MAX_N ? 'if-poor' : 'always');

  const objective = (theta: Float64Array, grad: Float64Array): number => {
    try {
      model.setHyperparameters(theta);
      const r = model.logPosterior(true);
      if (!Number.isFinite(r.value)) return NaN;
      for (let i = 0; i < grad.length; i++) grad[i] = -r.grad![i]! / n;
      return -r.value / n;
    } catch (e) {
      if (e instanceof NotPositiveDefiniteError) return NaN;
      throw e;
    }
  };

  const initial = model.getHyperparameters();
  const starts: { kind: FitAttempt['start']; theta: Float64Array }[] = [];
  if (options.warmStart) starts.push({ kind: 'warm', theta: Float64Array.from(options.warmStart) });
  else starts.push({ kind: 'default', theta: initial });
  for (let r = 0; r < restarts; r++) starts.push({ kind: 'random', theta: randomStart(model, initial, rng) });

  const attempts: FitAttempt[] = [];
  let best: { theta: Float64Array; value: number } | null = null;
  for (let s = 0; s < starts.length; s++) {
    const start = starts[s]!;
    if (start.kind === 'random' && policy === 'if-poor' && best && attempts.some(convergedCleanly)) break;
    try {
      const res = minimizeLbfgsb(objective, start.theta, { lower, upper, maxIterations });
      const value = Number.isFinite(res.f) ? -res.f * n : -Infinity;
      attempts.push({ start: start.kind, logPosterior: value, reason: res.reason, evaluations: res.evaluations });
      if (Number.isFinite(value) && (!best || value > best.value)) best = { theta: res.x, value };
    } catch (e) {
      attempts.push({ start: start.kind, logPosterior: -Infinity, reason: 'error', evaluations: 0, error: String(e) });
    }
  }
  if (!best) {
    model.setHyperparameters(initial);
    throw new ModelFittingError(
      `GP fit failed from all ${attempts.length} starts; check for duplicate inputs with different outcomes, ` +
        'extreme outcome values, or raise the noise floor',
      attempts.map((a) => `${a.start}: ${a.error ?? a.reason}`),
    );
  }
  model.setHyperparameters(best.theta);
  return { logPosterior: best.value, hyperparameters: best.theta, attempts, seconds: nowSeconds() - t0 };
}

/** Bounds of the raw hyperparameter vector, from the parameter names. */
export function hyperparameterBounds(model: SingleTaskGP, noiseFloor: number): { lower: Float64Array; upper: Float64Array } {
  const names = model.hyperparameterNames();
  const lower = new Float64Array(names.length);
  const upper = new Float64Array(names.length);
  let zmax = 0;
  for (const z of model.modelY) zmax = Math.max(zmax, Math.abs(z));
  names.forEach((name, i) => {
    let lo = -Infinity;
    let hi = Infinity;
    if (name.includes('lengthscale')) [lo, hi] = LOG_LENGTHSCALE_BOUNDS;
    else if (name.includes('outputscale')) [lo, hi] = LOG_OUTPUTSCALE_BOUNDS;
    else if (name === 'log_noise') [lo, hi] = [Math.log(noiseFloor), LOG_NOISE_MAX];
    else if (name === 'mean_constant') [lo, hi] = [-(zmax + 10), zmax + 10];
    lower[i] = lo;
    upper[i] = hi;
  });
  return { lower, upper };
}

/** A random start: each prior-carrying parameter drawn from its prior, the others perturbed. */
function randomStart(model: SingleTaskGP, initial: Float64Array, rng: Prng): Float64Array {
  const theta = initial.slice();
  const withPrior = new Set<number>();
  for (const { index, prior } of model.kernelPriors) {
    theta[index] = Math.log(prior.sample(() => rng.uniformOpen()));
    withPrior.add(index);
  }
  const names = model.hyperparameterNames();
  names.forEach((name, i) => {
    if (withPrior.has(i)) return;
    if (name.includes('lengthscale') || name.includes('outputscale')) theta[i] = initial[i]! + rng.normal();
  });
  return theta;
}

function nowSeconds(): number {
  return nowMs() / 1000;
}
