import { InputDataError } from '../errors/errors.js';
import { lgamma } from './log-gamma.js';
import type { Prior } from './prior.js';
import { openUniform, standardNormal } from './random-draws.js';

/**
 * The Gamma distribution with shape (concentration) α and rate β, density on x > 0
 *
 *     p(x) = β^α / Γ(α) · x^(α−1) · e^(−β x),
 *     log p(x) = α log β − lgamma(α) + (α − 1) log x − β x,
 *     d log p / dx = (α − 1)/x − β.
 *
 * Mean α/β, variance α/β², mode (α − 1)/β when α > 1. Same parametrisation as GPyTorch's
 * `GammaPrior(concentration, rate)`; evaluated on the value itself (no Jacobian).
 */
export class GammaPrior implements Prior {
  readonly description: string;
  /** Shape α > 0. */
  readonly concentration: number;
  /** Rate β > 0 (inverse scale). */
  readonly rate: number;
  /** `α log β − lgamma(α)`, the normalising constant. */
  private readonly logNormalizer: number;

  /**
   * @param concentration shape α, finite and > 0.
   * @param rate rate β, finite and > 0.
   * @throws InputDataError when either parameter is not finite and positive.
   */
  constructor(concentration: number, rate: number) {
    validateGammaParameters(concentration, rate);
    this.concentration = concentration;
    this.rate = rate;
    this.description = `Gamma(${concentration}, ${rate})`;
    this.logNormalizer = concentration * Math.log(rate) - lgamma(concentration);
  }

  logProb(x: number): number {
    if (Number.isNaN(x)) return NaN;
    if (!(x > 0) || x === Infinity) return -Infinity;
    return this.logNormalizer + (this.concentration - 1) * Math.log(x) - this.rate * x;
  }

  gradLogProb(x: number): number {
    if (!(x > 0) || x === Infinity) return NaN;
    return (this.concentration - 1) / x - this.rate;
  }

  /**
   * `(α − 1)/β` when α > 1. For α ≤ 1 the density is non-increasing with its supremum at 0, which is
   * no usable starting point; this then returns {@link GAMMA_MODE_FALLBACK_FRACTION} times the mean,
   * `0.001 · α/β`.
   */
  mode(): number {
    const { concentration: a, rate: b } = this;
    return a > 1 ? (a - 1) / b : (GAMMA_MODE_FALLBACK_FRACTION * a) / b;
  }

  /**
   * Marsaglia & Tsang (2000): for α ≥ 1 with `d = α − 1/3`, `c = 1/√(9d)`, draw `z ~ N(0, 1)`,
   * `v = (1 + c z)³` and accept `d·v` when `v > 0` and `log u < z²/2 + d − d v + d log v`
   * (`u ~ U(0, 1]`; the cheap squeeze `u < 1 − 0.0331 z⁴` accepts first). For α < 1 the boost
   * `G(α) = G(α + 1) · u^(1/α)` applies. The draw is divided by β and floored at the smallest
   * positive double, so it is always > 0.
   */
  sample(uniform: () => number): number {
    const a = this.concentration;
    let draw: number;
    if (a >= 1) {
      draw = marsagliaTsang(a, uniform);
    } else {
      draw = marsagliaTsang(a + 1, uniform) * Math.exp(Math.log(openUniform(uniform)) / a);
    }
    return Math.max(draw / this.rate, Number.MIN_VALUE);
  }
}

/** For α ≤ 1 the "mode" reported by {@link GammaPrior.mode} is this fraction of the mean α/β. */
export const GAMMA_MODE_FALLBACK_FRACTION = 1e-3;

/**
 * Validates Gamma parameters (the one place that does).
 *
 * @throws InputDataError unless both are finite and > 0.
 */
export function validateGammaParameters(concentration: number, rate: number): void {
  if (!(Number.isFinite(concentration) && concentration > 0)) {
    throw new InputDataError(
      `GammaPrior: expected a finite concentration (shape) α > 0, got ${concentration}. ` +
        'Use e.g. new GammaPrior(3, 6).',
    );
  }
  if (!(Number.isFinite(rate) && rate > 0)) {
    throw new InputDataError(
      `GammaPrior: expected a finite rate β > 0, got ${rate}. ` +
        'The rate is the inverse scale: mean = concentration / rate.',
    );
  }
}

/**
 * Rejections allowed in one draw before the generator is declared broken. Each proposal is accepted
 * with probability > 0.95, so a working generator exceeds this with probability below 1e-1000.
 */
const MAX_REJECTIONS = 1000;

/**
 * One Gamma(a, 1) draw for a ≥ 1 (see {@link GammaPrior.sample}). The final test uses `≤` so that the
 * (probability-zero) proposal z = 0, u = 1 is accepted: a degenerate generator cannot loop forever.
 *
 * @throws InputDataError after {@link MAX_REJECTIONS} rejections in a row.
 */
function marsagliaTsang(a: number, uniform: () => number): number {
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
    const z = standardNormal(uniform);
    const base = 1 + c * z;
    if (base <= 0) continue;
    const v = base * base * base;
    const u = openUniform(uniform);
    const z2 = z * z;
    if (u < 1 - 0.0331 * z2 * z2) return d * v;
    if (Math.log(u) <= 0.5 * z2 + d - d * v + d * Math.log(v)) return d * v;
  }
  throw new InputDataError(
    `GammaPrior.sample: ${MAX_REJECTIONS} proposals in a row were rejected; the uniform generator does not ` +
      'produce independent uniforms on [0, 1). Pass Math.random or a proper seeded generator.',
  );
}
