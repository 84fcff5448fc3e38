import { InputDataError } from '../errors/errors.js';
import type { OutcomeForward, OutcomeTransform } from './outcome-transform.js';

/**
 * Outcome standardisation `z = (y - mu) / sigma` with `mu`, `sigma` the training mean and standard
 * deviation (n - 1 denominator, as BoTorch). `log |dz/dy| = -n log sigma`.
 *
 * Design note: constant outcomes (sigma = 0) or a single point get sigma = 1, so the model still
 * works and predicts the constant, as BoTorch does.
 */
export class Standardize implements OutcomeTransform {
  readonly name = 'Standardize';
  readonly isAffine = true;
  readonly numParameters = 0;
  private mu = 0;
  private sigma = 1;

  /** The fitted mean and standard deviation. */
  get statistics(): { mean: number; std: number } {
    return { mean: this.mu, std: this.sigma };
  }

  getParameters(): Float64Array {
    return new Float64Array(0);
  }

  setParameters(phi: ArrayLike<number>): void {
    if (phi.length !== 0) throw new InputDataError(`Standardize has no trainable parameters; got ${phi.length}`);
  }

  fit(y: ArrayLike<number>): this {
    const n = y.length;
    if (n === 0) throw new InputDataError('Standardize.fit: no outcomes; give at least one');
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i]!;
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (y[i]! - mean) ** 2;
    const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
    this.mu = mean;
    // Below this the outcomes are constant up to rounding: keep unit scale.
    this.sigma = std > 1e-12 * Math.max(1, Math.abs(mean)) ? std : 1;
    return this;
  }

  forward(y: ArrayLike<number>, withGradients = false): OutcomeForward {
    const z = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) z[i] = (y[i]! - this.mu) / this.sigma;
    const out: OutcomeForward = { z, logDetJacobian: -y.length * Math.log(this.sigma) };
    if (withGradients) {
      out.dzdphi = [];
      out.dLogDetdphi = new Float64Array(0);
    }
    return out;
  }

  inverse(z: ArrayLike<number>): Float64Array {
    const y = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) y[i] = this.mu + this.sigma * z[i]!;
    return y;
  }

  untransformGaussian(mean: ArrayLike<number>, variance: ArrayLike<number>): { mean: Float64Array; variance: Float64Array } {
    const s2 = this.sigma * this.sigma;
    return { mean: this.inverse(mean), variance: Float64Array.from(variance, (v) => v * s2) };
  }

  affineScale(): number {
    return this.sigma;
  }
}
