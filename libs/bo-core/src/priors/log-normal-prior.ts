import { InputDataError } from '../errors/errors.js';
import type { Prior } from './prior.js';
import { standardNormal } from './random-draws.js';

/** ½ log(2π). */
const HALF_LOG_TWO_PI = 0.9189385332046728;

/**
 * The log-normal distribution: `log x ~ N(μ, σ²)`, density on x > 0
 *
 *     log p(x) = −log x − log σ − ½ log 2π − (log x − μ)² / (2σ²),
 *     d log p / dx = −(1 + (log x − μ)/σ²) / x.
 *
 * Median e^μ, mean e^(μ + σ²/2), mode e^(μ − σ²). Same parametrisation as GPyTorch's
 * `LogNormalPrior(loc, scale)`; evaluated on the value itself (no Jacobian).
 */
export class LogNormalPrior implements Prior {
  readonly description: string;
  /** μ: the mean of log x. */
  readonly loc: number;
  /** σ > 0: the standard deviation of log x. */
  readonly scale: number;
  /** `−log σ − ½ log 2π`. */
  private readonly logNormalizer: number;

  /**
   * @param loc μ, finite.
   * @param scale σ, finite and > 0.
   * @throws InputDataError when `loc` is not finite or `scale` is not finite and positive.
   */
  constructor(loc: number, scale: number) {
    validateLogNormalParameters(loc, scale);
    this.loc = loc;
    this.scale = scale;
    this.description = `LogNormal(${loc}, ${scale})`;
    this.logNormalizer = -Math.log(scale) - HALF_LOG_TWO_PI;
  }

  logProb(x: number): number {
    if (Number.isNaN(x)) return NaN;
    if (!(x > 0) || x === Infinity) return -Infinity;
    const logX = Math.log(x);
    const r = (logX - this.loc) / this.scale;
    return this.logNormalizer - logX - 0.5 * r * r;
  }

  gradLogProb(x: number): number {
    if (!(x > 0) || x === Infinity) return NaN;
    return -(1 + (Math.log(x) - this.loc) / (this.scale * this.scale)) / x;
  }

  /** `e^(μ − σ²)`, where `d log p / dx = 0`. */
  mode(): number {
    return Math.exp(this.loc - this.scale * this.scale);
  }

  /** `e^(μ + σ z)` with `z ~ N(0, 1)` by Box–Muller (two uniforms per draw). */
  sample(uniform: () => number): number {
    return Math.exp(this.loc + this.scale * standardNormal(uniform));
  }
}

/**
 * Validates log-normal parameters (the one place that does).
 *
 * @throws InputDataError unless `loc` is finite and `scale` is finite and > 0.
 */
export function validateLogNormalParameters(loc: number, scale: number): void {
  if (!Number.isFinite(loc)) {
    throw new InputDataError(
      `LogNormalPrior: expected a finite loc μ (the mean of log x), got ${loc}.`,
    );
  }
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new InputDataError(
      `LogNormalPrior: expected a finite scale σ > 0 (the standard deviation of log x), got ${scale}. ` +
        'Use e.g. new LogNormalPrior(-4, 1).',
    );
  }
}
