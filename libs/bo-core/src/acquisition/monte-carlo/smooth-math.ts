/**
 * Smooth, numerically safe building blocks of the log-space Monte-Carlo acquisition functions
 * (Ament et al. 2023, "Unexpected Improvements to Expected Improvement"), each with its derivative.
 */

/** `softplus(t) = log(1 + e^t)`, stable for large |t|. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** `sigmoid(t) = 1 / (1 + e^-t)`, stable. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

const FAT_ALPHA = 0.1;

/**
 * Logarithm of the fat-tailed softplus, a smooth ReLU whose log decays only like `-2 log|x|` for
 * very negative x (so gradients never vanish):
 *
 *   fatplus(x) = tau (softplus(x / tau) + 0.1 / (1 + (x / tau)^2)),   returns log fatplus(x)
 *
 * @returns `[log fatplus(x), d/dx log fatplus(x)]`.
 */
export function logFatplus(x: number, tau: number): [number, number] {
  const t = x / tau;
  const c = 1 / (1 + t * t);
  const sp = softplus(t);
  const inner = sp + FAT_ALPHA * c;
  // d inner / dt = sigmoid(t) - 0.1 * 2t / (1 + t^2)^2
  const dInner = sigmoid(t) - FAT_ALPHA * 2 * t * c * c;
  return [Math.log(tau) + Math.log(inner), dInner / (inner * tau)];
}

/**
 * Fat-tailed smooth maximum over a vector (Cauchy kernel instead of exp):
 *
 *   fatmax(x) = M + tau log sum_j 1 / (1 + ((x_j - M) / tau)^2),   M = max_j x_j
 *
 * (equal to x_0 for a single entry). Writes `d fatmax / d x_j` into `grad` when given.
 *
 * @param x values `x[offset + j * stride]` for j < count.
 */
export function fatmax(x: Float64Array, offset: number, count: number, stride: number, tau: number, grad: Float64Array | null): number {
  if (count === 1) {
    if (grad) grad[offset] = 1;
    return x[offset]!;
  }
  let M = -Infinity;
  for (let j = 0; j < count; j++) M = Math.max(M, x[offset + j * stride]!);
  if (M === -Infinity) {
    if (grad) for (let j = 0; j < count; j++) grad[offset + j * stride] = 1 / count;
    return M;
  }
  let sum = 0;
  for (let j = 0; j < count; j++) {
    const y = (x[offset + j * stride]! - M) / tau;
    sum += 1 / (1 + y * y);
  }
  if (grad) {
    // d/dx_j [tau log sum_k c_k] with c_k = 1/(1+y_k^2), y_k = (x_k - M)/tau; M is locally constant
    // (it cancels: the value does not depend on which entry is the max).
    for (let j = 0; j < count; j++) {
      const y = (x[offset + j * stride]! - M) / tau;
      const c = 1 / (1 + y * y);
      grad[offset + j * stride] = (-2 * y * c * c) / sum;
    }
    // The shift by M is exact: add the derivative of M itself to its argmax, and subtract the
    // derivative carried through y (sum of the others' -dy/dM terms).
    let argmax = 0;
    for (let j = 1; j < count; j++) if (x[offset + j * stride]! > x[offset + argmax * stride]!) argmax = j;
    let total = 0;
    for (let j = 0; j < count; j++) total += grad[offset + j * stride]!;
    grad[offset + argmax * stride]! += 1 - total;
  }
  return M + tau * Math.log(sum);
}

/**
 * `log mean_s exp(x_s)`, stable; writes the softmax weights `d/dx_s` into `grad` when given.
 */
export function logMeanExp(x: Float64Array, grad: Float64Array | null): number {
  const n = x.length;
  let M = -Infinity;
  for (let i = 0; i < n; i++) M = Math.max(M, x[i]!);
  if (M === -Infinity) {
    if (grad) grad.fill(1 / n);
    return -Infinity;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[i]! - M);
  if (grad) for (let i = 0; i < n; i++) grad[i] = Math.exp(x[i]! - M) / sum;
  return M + Math.log(sum / n);
}

/**
 * Logarithm of the fat-tailed sigmoid ("fatmoid"), a twice-differentiable step with a Cauchy tail,
 * used for smoothed feasibility `log P(constraint holds)`:
 *
 *   fatmoid(t) = 2/3 c(t - m)          for t < 0
 *              = 1 - 2/3 c(t + m)      for t >= 0,     c(u) = 1 / (1 + u^2),  m = sqrt(1/3)
 *
 * @returns `[log fatmoid(t), d/dt log fatmoid(t)]`.
 */
export function logFatmoid(t: number): [number, number] {
  const m = Math.sqrt(1 / 3);
  if (t < 0) {
    const u = t - m;
    const c = 1 / (1 + u * u);
    // log(2/3 c) ; d/dt log c = -2u c
    return [Math.log((2 / 3) * c), -2 * u * c];
  }
  const u = t + m;
  const c = 1 / (1 + u * u);
  const f = 1 - (2 / 3) * c;
  const df = (2 / 3) * 2 * u * c * c;
  return [Math.log(f), df / f];
}
