/**
 * Standard-normal special functions in float64, written for the tails that acquisition functions
 * live in: log Φ(z) for z far below zero, and the expected-improvement function
 * `h(z) = φ(z) + z Φ(z)` and its logarithm (Ament et al. 2023, "Unexpected Improvements to
 * Expected Improvement for Bayesian Optimization", the LogEI paper).
 *
 * Notation: `φ(z) = exp(-z²/2) / √(2π)`, `Φ(z) = ∫_{-∞}^z φ`, and for `x ≥ 0` the Mills ratio
 * `R(x) = Φ(-x) / φ(x) = √(π/2) · erfcx(x/√2)`, where `erfcx(t) = exp(t²) erfc(t)` stays O(1/t)
 * where `erfc` underflows. For `z = -x ≤ 0`:
 *
 *   h(z) / φ(z) = 1 - x R(x) =: S(x),     d/dz h(z) = Φ(z),     d/dz log h(z) = Φ(z) / h(z).
 *
 * All functions are scalar and allocation-free; NaN in gives NaN out.
 */
import erfc from '@stdlib/math-base-special-erfc';
import erfcx from '@stdlib/math-base-special-erfcx';
import expm1 from '@stdlib/math-base-special-expm1';
import log1p from '@stdlib/math-base-special-log1p';

/** ½ log(2π). */
const LOG_SQRT_2PI = 0.9189385332046728;
/** 1 / √(2π). */
const INV_SQRT_2PI = 0.3989422804014327;
/** √(π/2). */
const SQRT_PI_OVER_2 = 1.2533141373155003;
/** log √(π/2). */
const LOG_SQRT_PI_OVER_2 = 0.22579135264472744;
/** √(2/π). */
const SQRT_2_OVER_PI = 0.7978845608028654;

/**
 * Below `z = -ASYMPTOTIC_X` the tail functions use the asymptotic series of `S(x)` instead of
 * `1 - x R(x)`. The subtraction loses about `2 log10(x)` digits (BoTorch keeps it down to
 * `x = 10⁶`, where only ~4 digits survive); the series is converged to full precision for
 * `x ≥ 10` (its smallest term there is ~1e-20 relative), so this boundary loses nothing.
 */
const ASYMPTOTIC_X = 10;

/** Standard normal density `φ(z) = exp(-z²/2) / √(2π)`. */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** `log φ(z) = -z²/2 - ½ log(2π)`, exact where `φ` underflows. */
export function logNormalPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/**
 * Standard normal CDF `Φ(z) = ½ erfc(-z/√2)`. Through `erfc` (not `1 + erf`), so it keeps full
 * relative accuracy in the lower tail until it underflows near `z = -38.5`.
 */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/**
 * `log Φ(z)`, accurate for every finite z:
 * - `z < -1`: `log(erfcx(-z/√2) / 2) - z²/2` (no underflow; → `-z²/2 - log(-z) - ½ log 2π`);
 * - `-1 ≤ z ≤ 0`: `log(½ erfc(-z/√2))`;
 * - `z > 0`: `log1p(-½ erfc(z/√2))`, so `log Φ(z) ≈ -Φ(-z)` keeps its digits as Φ → 1.
 */
export function logNormalCdf(z: number): number {
  if (z < -1) return Math.log(0.5 * erfcx(-z * Math.SQRT1_2)) - 0.5 * z * z;
  if (z <= 0) return Math.log(0.5 * erfc(-z * Math.SQRT1_2));
  return log1p(-0.5 * erfc(z * Math.SQRT1_2));
}

/**
 * `d/dz log Φ(z) = φ(z) / Φ(z)` (the inverse Mills ratio). For `z < 0` it is
 * `√(2/π) / erfcx(-z/√2)`, which tends to `-z` without under- or overflow; otherwise `φ/Φ` directly.
 */
export function dLogNormalCdf(z: number): number {
  if (z < 0) return SQRT_2_OVER_PI / erfcx(-z * Math.SQRT1_2);
  return normalPdf(z) / normalCdf(z);
}

/**
 * `log(1 - exp(x))` for `x ≤ 0` (Mächler's log1mexp): `log(-expm1(x))` for `x > -log 2`,
 * `log1p(-exp(x))` below. `-Infinity` at 0, NaN for `x > 0`.
 */
export function log1mexp(x: number): number {
  if (x > 0) return Number.NaN;
  return x > -Math.LN2 ? Math.log(-expm1(x)) : log1p(-Math.exp(x));
}

/** The Mills ratio `R(x) = Φ(-x) / φ(x) = √(π/2) erfcx(x/√2)`, for x ≥ 0. */
function millsRatio(x: number): number {
  return SQRT_PI_OVER_2 * erfcx(x * Math.SQRT1_2);
}

/**
 * `T(x)` with `S(x) = (1 + T(x)) / x²`: the asymptotic series
 * `S(x) = Σ_{k≥1} (-1)^{k+1} (2k-1)!! / x^{2k}`, so `T = Σ_{k≥1} (-1)^k (2k+1)!! / x^{2k}`.
 * Summed until terms stop mattering (or would start growing), for x ≥ ASYMPTOTIC_X.
 */
function asymptoticT(x: number): number {
  const inv2 = 1 / (x * x);
  let term = 1;
  let sum = 0;
  for (let k = 1; k <= 80; k++) {
    const ratio = (2 * k + 1) * inv2;
    if (ratio >= 1) break; // smallest term reached: the asymptotic series diverges beyond it
    term *= -ratio;
    sum += term;
    if (Math.abs(term) < 1e-18) break;
  }
  return sum;
}

/** `S(x) = h(-x) / φ(x) = 1 - x R(x)` for x ≥ 1. */
function hOverPhiAt(x: number): number {
  if (x < ASYMPTOTIC_X) return 1 - x * millsRatio(x);
  return (1 + asymptoticT(x)) / (x * x);
}

/**
 * The expected-improvement function `h(z) = φ(z) + z Φ(z) = E[max(Z + z, 0)]`, Z ~ N(0, 1):
 * directly for `z > -1`, as `φ(z) S(-z)` below (no cancellation between φ and zΦ). Underflows to 0
 * near `z = -38`; use {@link logH} there.
 */
export function eiH(z: number): number {
  if (z > -1) return normalPdf(z) + z * normalCdf(z);
  return normalPdf(z) * hOverPhiAt(-z);
}

/**
 * `log h(z) = log(φ(z) + z Φ(z))`, accurate for every z whose square is finite. Three regimes
 * (Ament et al. 2023, with the lowest one widened, see below):
 * - `z > -1`: `log(φ(z) + z Φ(z))` directly;
 * - `-10 < z ≤ -1`: `log φ(z) + log1mexp(w)` with `w = log(|z| R(|z|)) = log(√(π/2) |z| erfcx(-z/√2))`
 *   (`log(1 - |z| R)` where `1 - |z|R` ranges over [1e-2, 0.34]);
 * - `z ≤ -10`: `-z²/2 - ½ log 2π - 2 log|z| + log1p(T(|z|))`, the asymptotic series of
 *   `log S = log(1 - |z| R)`; its leading term is the `-2 log|z|` asymptote, and the rest is
 *   below float64 resolution beyond `|z| ≈ 10⁸`. Where BoTorch switches to the asymptote at
 *   `z = -10⁶` (subtracting in between), this keeps ~15 digits throughout.
 */
export function logH(z: number): number {
  if (z > -1) return Math.log(eiH(z));
  return logNormalPdf(z) + logHOverPhi(z);
}

/** `log(h(z) / φ(z))` for z ≤ -1. */
function logHOverPhi(z: number): number {
  const x = -z;
  if (x < ASYMPTOTIC_X) {
    const w = Math.log(x * erfcx(x * Math.SQRT1_2)) + LOG_SQRT_PI_OVER_2;
    return log1mexp(w);
  }
  return -2 * Math.log(x) + log1p(asymptoticT(x));
}

/**
 * `d/dz log h(z) = Φ(z) / h(z)`: directly for `z > -1`; for `z = -x ≤ -1` as `R(x) / S(x)`
 * (`-10 < z`) or `x / (1 + T) - 1/x` (the series regime, where `R = (1 - S)/x`), which tends to
 * `-z - 2/z` without overflow.
 */
export function dLogH(z: number): number {
  if (z > -1) return normalCdf(z) / eiH(z);
  const x = -z;
  if (x < ASYMPTOTIC_X) return millsRatio(x) / (1 - x * millsRatio(x));
  return x / (1 + asymptoticT(x)) - 1 / x;
}

/**
 * `φ(z) / h(z)`, the factor in `d/dσ log(σ h((μ - f*)/σ)) = φ(z) / (σ h(z))`: directly for
 * `z > -1`, as `1 / S(-z)` below (≈ z² in the far tail, where both φ and h underflow).
 */
export function phiOverH(z: number): number {
  if (z > -1) return normalPdf(z) / eiH(z);
  return 1 / hOverPhiAt(-z);
}
