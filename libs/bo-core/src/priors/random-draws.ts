import { InputDataError } from '../errors/errors.js';

/**
 * Draws built on a caller-supplied uniform generator (`Math.random` or a seeded one), shared by
 * the priors' samplers.
 */

/**
 * One uniform on (0, 1]: `1 − u` for the generator's `u ∈ [0, 1)`, so that `log` of it is finite.
 *
 * @throws InputDataError when the generator returns something outside [0, 1).
 */
export function openUniform(uniform: () => number): number {
  const u = uniform();
  if (!(u >= 0 && u < 1)) {
    throw new InputDataError(
      `sample: the uniform generator must return numbers in [0, 1), got ${u}. ` +
        'Pass Math.random or a seeded generator with that range.',
    );
  }
  return 1 - u;
}

/**
 * One standard normal draw by the Box–Muller transform: `z = √(−2 log u₁) · cos(2π u₂)` with
 * `u₁ ∈ (0, 1]`, `u₂` uniform. Consumes two uniforms (the sine partner is discarded: the priors
 * keep no state between calls).
 */
export function standardNormal(uniform: () => number): number {
  const u1 = openUniform(uniform);
  const u2 = openUniform(uniform);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
