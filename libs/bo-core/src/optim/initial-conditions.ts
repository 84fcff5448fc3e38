import { InputDataError } from '../errors/errors.js';
import type { Prng } from '../sampling/prng.js';

/** Default Boltzmann temperature inverse of {@link selectInitialConditions}. */
export const DEFAULT_BOLTZMANN_ETA = 1;

/**
 * Chooses `numRestarts` of `n` scored raw candidates as starting points for gradient-based
 * acquisition optimisation, with the Boltzmann heuristic of BoTorch's `initialize_q_batch`:
 *
 * 1. standardise the finite values: `z_i = (v_i − mean(v)) / std(v)` (sample std, `n − 1`);
 * 2. sample `numRestarts` indices without replacement with probabilities proportional to the
 *    weights `w_i = exp(η z_i)` (successive draws, each renormalised over the indices left);
 * 3. if the argmax of `v` was not drawn, it replaces the last index drawn, so the best raw
 *    candidate is always a start.
 *
 * Step 2 uses the Gumbel-top-k trick: with `G_i = −log(−log U_i)` for independent uniforms `U_i`,
 * the `numRestarts` largest keys `η z_i + G_i` are distributed exactly as successive weighted draws
 * without replacement. Working with `log w_i` never overflows, so unlike BoTorch there is no need
 * to halve η when `exp(η z)` is infinite.
 *
 * Special cases: `η = 0` or `std(v) = 0` gives a uniform draw (the argmax still included);
 * non-finite values are never chosen, so when fewer than `numRestarts` values are finite every
 * finite index is returned (best first) and the result is shorter than `numRestarts`.
 *
 * @param values the `n` raw candidates' acquisition values (larger is better).
 * @param numRestarts how many to choose; an integer with `1 ≤ numRestarts ≤ n`.
 * @param rng the random source (advanced by `n` uniforms when sampling happens).
 * @param eta η ≥ 0, the inverse temperature: 0 is uniform, large is greedy. @defaultValue 1
 * @returns distinct indices into `values`, in draw order (largest key first).
 * @throws InputDataError for `numRestarts` not in `[1, n]` or an invalid η.
 */
export function selectInitialConditions(
  values: ArrayLike<number>,
  numRestarts: number,
  rng: Prng,
  eta: number = DEFAULT_BOLTZMANN_ETA,
): number[] {
  const n = values.length;
  if (!(Number.isInteger(numRestarts) && numRestarts >= 1 && numRestarts <= n)) {
    throw new InputDataError(
      `selectInitialConditions: expected numRestarts to be an integer in [1, ${n}] (the number of raw values), got ${numRestarts}.`,
    );
  }
  if (!(Number.isFinite(eta) && eta >= 0)) {
    throw new InputDataError(`selectInitialConditions: expected eta to be finite and >= 0, got ${eta}.`);
  }
  const finite: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(values[i]!)) finite.push(i);
  if (finite.length <= numRestarts) {
    return finite.sort((a, b) => values[b]! - values[a]! || a - b);
  }

  let mean = 0;
  let best = finite[0]!;
  for (const i of finite) {
    mean += values[i]!;
    if (values[i]! > values[best]!) best = i;
  }
  mean /= finite.length;
  let ss = 0;
  for (const i of finite) ss += (values[i]! - mean) ** 2;
  const std = Math.sqrt(ss / (finite.length - 1));
  const scale = std > 0 && Number.isFinite(std) ? eta / std : 0;

  const keyed = finite.map((i) => ({ i, key: scale * (values[i]! - mean) - Math.log(-Math.log(rng.uniformOpen())) }));
  keyed.sort((a, b) => b.key - a.key || a.i - b.i);
  const chosen = keyed.slice(0, numRestarts).map((k) => k.i);
  if (!chosen.includes(best)) chosen[numRestarts - 1] = best;
  return chosen;
}
