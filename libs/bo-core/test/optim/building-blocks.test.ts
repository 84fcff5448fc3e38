import { describe, expect, it } from 'vitest';
import { generalizedCauchyPoint } from '../../src/optim/cauchy-point.js';
import { LbfgsMemory } from '../../src/optim/lbfgs-memory.js';
import { cubicMinimizer } from '../../src/optim/line-search.js';
import { factorQuasiDefinite, solveQuasiDefinite } from '../../src/optim/quasi-definite-solver.js';

/** A deterministic pseudo-random sequence in (-1, 1). */
function sequence(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** Explicit BFGS update of a dense B (n × n) with the pair (s, y). */
function bfgsUpdate(b: number[][], s: Float64Array, y: Float64Array): number[][] {
  const n = s.length;
  const bs = b.map((row) => row.reduce((t, v, j) => t + v * s[j]!, 0));
  const sbs = bs.reduce((t, v, i) => t + v * s[i]!, 0);
  const sy = s.reduce((t, v, i) => t + v * y[i]!, 0);
  return b.map((row, i) => row.map((v, j) => v - (bs[i]! * bs[j]!) / sbs + (y[i]! * y[j]!) / sy).slice(0, n));
}

describe('LbfgsMemory (compact representation)', () => {
  it('equals k explicit BFGS updates of θI, including after the oldest pair is dropped', () => {
    const n = 6;
    const rnd = sequence(7);
    // Pairs from a convex quadratic: y = A s.
    const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 3 + i : 0.3 / (1 + i + j))));
    const pairs: [Float64Array, Float64Array][] = [];
    for (let k = 0; k < 6; k++) {
      const s = Float64Array.from({ length: n }, () => rnd());
      const y = Float64Array.from(a.map((row) => row.reduce((t, v, j) => t + v * s[j]!, 0)));
      pairs.push([s, y]);
    }
    const capacity = 4;
    const memory = new LbfgsMemory(n, capacity);
    for (const [s, y] of pairs) expect(memory.push(s, y)).toBe(true);
    expect(memory.size).toBe(capacity);
    const kept = pairs.slice(-capacity);
    const [sLast, yLast] = kept[kept.length - 1]!;
    const theta = yLast.reduce((t, v) => t + v * v, 0) / sLast.reduce((t, v, i) => t + v * yLast[i]!, 0);
    expect(memory.theta).toBeCloseTo(theta, 12);
    let b = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? theta : 0)));
    for (const [s, y] of kept) b = bfgsUpdate(b, s, y);
    const v = Float64Array.from({ length: n }, () => rnd());
    const bv = memory.times(v);
    for (let i = 0; i < n; i++) {
      const expected = b[i]!.reduce((t, bij, j) => t + bij * v[j]!, 0);
      expect(bv[i]).toBeCloseTo(expected, 10);
    }
  });

  it('skips pairs with sᵀy ≤ ε yᵀy', () => {
    const memory = new LbfgsMemory(2, 5);
    expect(memory.push(Float64Array.from([1, 0]), Float64Array.from([-1, 0]))).toBe(false);
    expect(memory.push(Float64Array.from([1, 0]), Float64Array.from([0, 1]))).toBe(false);
    expect(memory.size).toBe(0);
  });
});

describe('quasi-definite solver', () => {
  it('solves [[−E, Fᵀ], [F, G]] u = v, whatever the scale of each row', () => {
    // E = diag(2, 1e-12), F = [[1, 0], [3e-7, 1e-6]], G = [[1, 0], [0, 1e-12]]; rows 2 and 4 tiny.
    const n = Float64Array.from([
      -2, 0, 1, 3e-7,
      0, -1e-12, 0, 1e-6,
      1, 0, 1, 0,
      3e-7, 1e-6, 0, 1e-12,
    ]);
    const u = Float64Array.from([0.5, -2e5, 3, 4e5]);
    const v = new Float64Array(4);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) v[i] = v[i]! + n[i * 4 + j]! * u[j]!;
    const fac = factorQuasiDefinite(n, 2)!;
    expect(fac).not.toBeNull();
    const got = solveQuasiDefinite(fac, v);
    for (let i = 0; i < 4; i++) expect(Math.abs(got[i]! - u[i]!) / Math.abs(u[i]!)).toBeLessThan(1e-9);
  });
  it('flags a matrix whose E block is not positive definite', () => {
    expect(factorQuasiDefinite(Float64Array.from([1, 0, 0, 1]), 1)).toBeNull();
  });
});

describe('cubic interpolation', () => {
  it('recovers the minimiser of a cubic exactly', () => {
    // φ(t) = t³ − 3t, minimum at t = 1.
    const phi = (t: number) => t * t * t - 3 * t;
    const dphi = (t: number) => 3 * t * t - 3;
    expect(cubicMinimizer(0, phi(0), dphi(0), 3, phi(3), dphi(3))).toBeCloseTo(1, 12);
    expect(cubicMinimizer(3, phi(3), dphi(3), 0.5, phi(0.5), dphi(0.5))).toBeCloseTo(1, 12);
  });
});

describe('generalized Cauchy point', () => {
  it('stops at the first minimiser along the projected gradient path (B = I)', () => {
    // f = ½‖x − c‖² with c outside the box in coordinate 0: the path x − t g hits x0 = 1 at t = 0.25,
    // then coordinate 1 reaches its minimiser at t = 1.
    const x = Float64Array.from([0.5, 0.5]);
    const c = [2.5, 0.2];
    const g = Float64Array.from([x[0]! - c[0]!, x[1]! - c[1]!]);
    const memory = new LbfgsMemory(2, 5);
    const cp = generalizedCauchyPoint(x, g, Float64Array.from([0, 0]), Float64Array.from([1, 1]), memory);
    expect(cp.xcp[0]).toBe(1);
    expect(cp.xcp[1]).toBeCloseTo(0.2, 14);
    expect(Array.from(cp.free)).toEqual([0, 1]);
  });

  it('keeps a variable at a bound whose gradient pushes outward', () => {
    const x = Float64Array.from([0, 0.5]);
    const g = Float64Array.from([1, -0.1]);
    const cp = generalizedCauchyPoint(x, g, Float64Array.from([0, 0]), Float64Array.from([1, 1]), new LbfgsMemory(2, 3));
    expect(cp.xcp[0]).toBe(0);
    expect(cp.free[0]).toBe(0);
    expect(cp.xcp[1]).toBeCloseTo(0.6, 14);
  });
});
