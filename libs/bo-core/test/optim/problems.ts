/** Test problems and an independent reference solver for small box-constrained QPs. */
import type { ValueAndGradient } from '../../src/optim/minimizer.js';

/** Rosenbrock's chained function, minimum 0 at (1, …, 1). */
export const rosenbrock: ValueAndGradient = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] = g[i]! - 400 * x[i]! * a - 2 * b;
    g[i + 1] = g[i + 1]! + 200 * a;
  }
  return f;
};

/** `f = ½ xᵀAx − bᵀx` for a dense symmetric A (row-major n × n). */
export function quadratic(a: number[][], b: number[]): ValueAndGradient {
  const n = b.length;
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += a[i]![j]! * x[j]!;
      g[i] = ax - b[i]!;
      f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
    }
    return f;
  };
}

/** A symmetric positive definite matrix `Q diag(λ) Qᵀ`, Q a Householder reflection of `v`. */
export function rotatedDiagonal(lambdas: number[], v: number[]): number[][] {
  const n = lambdas.length;
  const vv = v.reduce((s, t) => s + t * t, 0);
  const q = (i: number, j: number): number => (i === j ? 1 : 0) - (2 * v[i]! * v[j]!) / vv;
  const a: number[][] = [];
  for (let i = 0; i < n; i++) {
    a.push([]);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q(i, k) * lambdas[k]! * q(j, k);
      a[i]!.push(s);
    }
  }
  return a;
}

/** Solves `A x = b` by Gaussian elimination with partial pivoting (test reference, small n). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!)) p = i;
    [m[k], m[p]] = [m[p]!, m[k]!];
    for (let i = k + 1; i < n; i++) {
      const fct = m[i]![k]! / m[k]![k]!;
      for (let j = k; j <= n; j++) m[i]![j] = m[i]![j]! - fct * m[k]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

/**
 * The exact minimiser of a strictly convex QP `½ xᵀAx − bᵀx` on a finite box, by enumerating the
 * 3ⁿ assignments (at lower, at upper, free) and keeping the one that is feasible and satisfies
 * the KKT sign conditions (unique for a strictly convex problem).
 */
export function boxQpReference(a: number[][], b: number[], lower: number[], upper: number[]): number[] {
  const n = b.length;
  const total = 3 ** n;
  for (let code = 0; code < total; code++) {
    const state: number[] = [];
    let c = code;
    for (let i = 0; i < n; i++) {
      state.push(c % 3);
      c = Math.floor(c / 3);
    }
    const x = new Array<number>(n).fill(0);
    const freeIdx: number[] = [];
    for (let i = 0; i < n; i++) {
      if (state[i] === 0) x[i] = lower[i]!;
      else if (state[i] === 1) x[i] = upper[i]!;
      else freeIdx.push(i);
    }
    if (freeIdx.length > 0) {
      const rhs = freeIdx.map((i) => b[i]! - a[i]!.reduce((s, aij, j) => s + (state[j] === 2 ? 0 : aij * x[j]!), 0));
      const sub = freeIdx.map((i) => freeIdx.map((j) => a[i]![j]!));
      const xf = solve(sub, rhs);
      freeIdx.forEach((i, k) => (x[i] = xf[k]!));
    }
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const gi = a[i]!.reduce((s, aij, j) => s + aij * x[j]!, 0) - b[i]!;
      if (state[i] === 2) ok = x[i]! >= lower[i]! - 1e-12 && x[i]! <= upper[i]! + 1e-12;
      else if (state[i] === 0) ok = gi >= -1e-12;
      else ok = gi <= 1e-12;
    }
    if (ok) return x;
  }
  throw new Error('no KKT point found');
}

/** Wraps an objective to count calls and record the points it was called at. */
export function counted(fg: ValueAndGradient): { fg: ValueAndGradient; calls: Float64Array[] } {
  const calls: Float64Array[] = [];
  return {
    calls,
    fg: (x, g) => {
      calls.push(x.slice());
      return fg(x, g);
    },
  };
}
