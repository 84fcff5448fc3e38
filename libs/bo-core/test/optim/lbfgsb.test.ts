import { describe, expect, it } from 'vitest';
import { InputDataError, ShapeError } from '../../src/errors/errors.js';
import { projectedGradientNorm } from '../../src/optim/box.js';
import { minimizeLbfgsb } from '../../src/optim/lbfgsb.js';
import type { ValueAndGradient } from '../../src/optim/minimizer.js';
import { boxQpReference, counted, quadratic, rosenbrock, rotatedDiagonal } from './problems.js';

const gradientAt = (fg: ValueAndGradient, x: Float64Array): Float64Array => {
  const g = new Float64Array(x.length);
  fg(x.slice(), g);
  return g;
};

describe('minimizeLbfgsb: unconstrained', () => {
  it('solves Rosenbrock 2-D from (-1.2, 1) in few evaluations', () => {
    const { fg, calls } = counted(rosenbrock);
    const r = minimizeLbfgsb(fg, [-1.2, 1]);
    expect(r.f).toBeLessThan(1e-8);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.evaluations).toBe(calls.length);
    expect(r.evaluations).toBeLessThan(100); // observed 45 (SciPy's L-BFGS-B: 44)
    expect(['converged-grad', 'converged-f']).toContain(r.reason);
  });

  it('solves Rosenbrock 10-D', () => {
    const r = minimizeLbfgsb(rosenbrock, new Array(10).fill(-1));
    expect(r.f).toBeLessThan(1e-8);
    expect(r.evaluations).toBeLessThan(150); // observed 80 (SciPy: 80)
    for (const xi of r.x) expect(xi).toBeCloseTo(1, 3);
  });

  it('reaches a tighter optimum with tighter tolerances', () => {
    const r = minimizeLbfgsb(rosenbrock, new Array(10).fill(0), { gradTolerance: 1e-9, relTolerance: 0 });
    expect(r.f).toBeLessThan(1e-15);
    expect(r.reason).toBe('converged-grad');
  });

  it('converges on an ill-conditioned quadratic (condition number 1e6)', () => {
    const n = 10;
    const lambdas = Array.from({ length: n }, (_, i) => 10 ** ((6 * i) / (n - 1)));
    const a = rotatedDiagonal(lambdas, [1, -2, 0.5, 3, 1, -1, 2, 0.3, -0.7, 1.1]);
    const xStar = [1, -1, 2, 0.5, -0.3, 0.8, -2, 1.5, 0.1, -0.9];
    // f = ½ (x − x*)ᵀ A (x − x*), minimum 0 (no cancellation in f near the optimum).
    const fg: ValueAndGradient = (x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let ae = 0;
        for (let j = 0; j < n; j++) ae += a[i]![j]! * (x[j]! - xStar[j]!);
        g[i] = ae;
        f += 0.5 * (x[i]! - xStar[i]!) * ae;
      }
      return f;
    };
    const r = minimizeLbfgsb(fg, new Array(n).fill(0), { gradTolerance: 1e-6, relTolerance: 0, maxIterations: 500 });
    expect(r.reason).toBe('converged-grad');
    expect(r.f).toBeLessThan(1e-12);
    // Error bounded by ‖g‖ / λ_min = 1e-6 in the flattest direction.
    for (let i = 0; i < n; i++) expect(Math.abs(r.x[i]! - xStar[i]!)).toBeLessThan(1e-5);
    // Observed 448; SciPy's L-BFGS-B needs 710 here (memory 10 on 10 variables is far from dense BFGS).
    expect(r.evaluations).toBeLessThan(600);
  });

  it('takes a first step of unit length on an unbounded problem', () => {
    const { fg, calls } = counted(quadratic([[1e4, 0], [0, 1e4]], [0, 0]));
    minimizeLbfgsb(fg, [1, 1], { maxEvaluations: 2 });
    const step = Math.hypot(calls[1]![0]! - 1, calls[1]![1]! - 1);
    expect(step).toBeCloseTo(1, 12);
  });
});

describe('minimizeLbfgsb: bounds', () => {
  it('finds a boundary optimum of a coupled quadratic (KKT, active set)', () => {
    const a = rotatedDiagonal([1, 3, 10, 30, 100], [1, 2, -1, 0.5, 1]);
    const b = [40, -30, 10, 25, -5];
    const lower = [-1, -1, -1, -1, -1];
    const upper = [1, 1, 1, 1, 1];
    const fg = quadratic(a, b);
    const ref = boxQpReference(a, b, lower, upper);
    const r = minimizeLbfgsb(fg, [0, 0, 0, 0, 0], { lower, upper, gradTolerance: 1e-9, relTolerance: 0 });
    const g = gradientAt(fg, r.x);
    expect(projectedGradientNorm(r.x, g, Float64Array.from(lower), Float64Array.from(upper))).toBeLessThan(1e-8);
    let active = 0;
    for (let i = 0; i < 5; i++) {
      expect(r.x[i]).toBeCloseTo(ref[i]!, 7);
      if (ref[i] === lower[i]) {
        active++;
        expect(r.x[i]).toBe(lower[i]); // exactly on the bound
        expect(g[i]).toBeGreaterThanOrEqual(0);
      } else if (ref[i] === upper[i]) {
        active++;
        expect(r.x[i]).toBe(upper[i]);
        expect(g[i]).toBeLessThanOrEqual(0);
      } else {
        expect(Math.abs(g[i]!)).toBeLessThan(1e-8);
      }
    }
    expect(active).toBeGreaterThanOrEqual(2);
    expect(active).toBeLessThan(5);
  });

  it('handles an unconstrained optimum outside the box on some coordinates only', () => {
    // Separable part pulls coordinates 0 and 3 outside [0, 1]; the coupling keeps it non-trivial.
    const a = rotatedDiagonal([2, 4, 8, 16], [1, 0.3, -0.2, 0.1]);
    const target = [2.5, 0.4, 0.6, -1.5];
    const b = a.map((row) => row.reduce((s, aij, j) => s + aij * target[j]!, 0));
    const lower = [0, 0, 0, 0];
    const upper = [1, 1, 1, 1];
    const ref = boxQpReference(a, b, lower, upper);
    const r = minimizeLbfgsb(quadratic(a, b), [0.5, 0.5, 0.5, 0.5], { lower, upper });
    for (let i = 0; i < 4; i++) expect(r.x[i]).toBeCloseTo(ref[i]!, 5);
    expect(r.x[0]).toBe(1);
    expect(r.x[3]).toBe(0);
    expect(r.x[1]! > 0 && r.x[1]! < 1).toBe(true);
    expect(r.x[2]! > 0 && r.x[2]! < 1).toBe(true);
  });

  it('solves bounded Rosenbrock with one active bound', () => {
    const r = minimizeLbfgsb(rosenbrock, [-1.2, 1], { lower: [-2, -2], upper: [0.5, 2] });
    expect(r.x[0]).toBe(0.5);
    expect(r.x[1]).toBeCloseTo(0.25, 6);
    expect(r.f).toBeCloseTo(0.25, 10);
    expect(r.evaluations).toBeLessThan(60); // observed 33 (SciPy: 30)
  });

  it('optimises over the unit cube with every point evaluated inside it', () => {
    const { fg, calls } = counted(rosenbrock);
    const d = 6;
    const r = minimizeLbfgsb(fg, new Array(d).fill(0.1), { lower: new Array(d).fill(0), upper: new Array(d).fill(1) });
    for (const x of calls) for (const xi of x) expect(xi >= 0 && xi <= 1).toBe(true);
    expect(r.f).toBeLessThan(1e-8);
  });

  it('keeps fixed variables (lower = upper) fixed', () => {
    const { fg, calls } = counted(rosenbrock);
    const r = minimizeLbfgsb(fg, [0, 0.3, 0], { lower: [-5, 0.3, -5], upper: [5, 0.3, 5] });
    for (const x of calls) expect(x[1]).toBe(0.3);
    expect(r.x[1]).toBe(0.3);
    expect(['converged-grad', 'converged-f']).toContain(r.reason);
  });

  it('clamps a starting point outside the box', () => {
    const { fg, calls } = counted(rosenbrock);
    const r = minimizeLbfgsb(fg, [5, -5], { lower: [0, 0], upper: [1, 1] });
    expect(Array.from(calls[0]!)).toEqual([1, 0]);
    expect(r.x[0]! >= 0 && r.x[0]! <= 1 && r.x[1]! >= 0 && r.x[1]! <= 1).toBe(true);
    expect(r.f).toBeLessThan(1e-8);
  });

  it('returns immediately at a KKT point', () => {
    const r = minimizeLbfgsb(quadratic([[1]], [-5]), [0], { lower: [0], upper: [1] });
    expect(r.reason).toBe('converged-grad');
    expect(r.evaluations).toBe(1);
    expect(r.iterations).toBe(0);
  });
});

describe('minimizeLbfgsb: robustness', () => {
  it('never returns NaN when the objective is NaN in part of the space', () => {
    // Rosenbrock, undefined (NaN) for x0 + x1 > 1.6: the optimum (1, 1) lies in the NaN region.
    const fg: ValueAndGradient = (x, g) => {
      if (x[0]! + x[1]! > 1.6) {
        g.fill(NaN);
        return NaN;
      }
      return rosenbrock(x, g);
    };
    const r = minimizeLbfgsb(fg, [-1.2, 1]);
    expect(Number.isFinite(r.f)).toBe(true);
    for (const xi of r.x) expect(Number.isFinite(xi)).toBe(true);
    expect(r.x[0]! + r.x[1]!).toBeLessThanOrEqual(1.6);
    expect(r.f).toBeLessThan(rosenbrock(Float64Array.from([-1.2, 1]), new Float64Array(2)));
    expect(r.f).toBeLessThan(0.1);
  });

  it('retreats from a first step into a region where f is not finite', () => {
    // f = Σ (100 x_i − log x_i): minimum at x_i = 0.01; the first unit-length step reaches x < 0.
    const fg: ValueAndGradient = (x, g) => {
      let f = 0;
      for (let i = 0; i < x.length; i++) {
        f += 100 * x[i]! - Math.log(x[i]!);
        g[i] = 100 - 1 / x[i]!;
      }
      return f;
    };
    const { fg: c, calls } = counted(fg);
    const r = minimizeLbfgsb(c, [0.5, 0.6]);
    expect(calls.some((x) => x[0]! <= 0 || x[1]! <= 0)).toBe(true);
    expect(r.x[0]).toBeCloseTo(0.01, 6);
    expect(r.x[1]).toBeCloseTo(0.01, 6);
  });

  it('treats a non-finite gradient with a finite value as a failed step', () => {
    const fg: ValueAndGradient = (x, g) => {
      const f = rosenbrock(x, g);
      if (x[0]! > 1.2) g[0] = Infinity;
      return f;
    };
    const r = minimizeLbfgsb(fg, [-1.2, 1]);
    expect(Number.isFinite(r.f)).toBe(true);
    expect(r.f).toBeLessThan(1e-6);
  });

  it('respects maxIterations', () => {
    const r = minimizeLbfgsb(rosenbrock, [-1.2, 1], { maxIterations: 5 });
    expect(r.iterations).toBe(5);
    expect(r.reason).toBe('max-iterations');
    expect(Number.isFinite(r.f)).toBe(true);
  });

  it('respects maxEvaluations exactly, even inside a line search', () => {
    for (const maxEvaluations of [1, 2, 3, 7, 20]) {
      const { fg, calls } = counted(rosenbrock);
      const r = minimizeLbfgsb(fg, [-1.2, 1], { maxEvaluations });
      expect(calls.length).toBeLessThanOrEqual(maxEvaluations);
      expect(r.evaluations).toBe(calls.length);
      expect(r.reason).toBe('max-evaluations');
    }
  });

  it('returns the best point seen as a fresh array, with f matching it', () => {
    const start = Float64Array.from([-1.2, 1]);
    const r = minimizeLbfgsb(rosenbrock, start, { maxIterations: 3 });
    expect(r.x).not.toBe(start);
    expect(rosenbrock(r.x.slice(), new Float64Array(2))).toBe(r.f);
  });

  it('gives the objective copies it may keep', () => {
    const seen: Float64Array[] = [];
    const fg: ValueAndGradient = (x, g) => {
      seen.push(x);
      return rosenbrock(x, g);
    };
    minimizeLbfgsb(fg, [-1.2, 1], { maxIterations: 10 });
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen[0]![0]).toBe(-1.2);
  });
});

describe('minimizeLbfgsb: invalid input', () => {
  const fg = rosenbrock;
  it('rejects bounds of the wrong length with a ShapeError', () => {
    expect(() => minimizeLbfgsb(fg, [0, 0], { lower: [0] })).toThrow(ShapeError);
    expect(() => minimizeLbfgsb(fg, [0, 0], { upper: [1, 1, 1] })).toThrow(ShapeError);
  });
  it('rejects lower > upper with an InputDataError naming the variable', () => {
    expect(() => minimizeLbfgsb(fg, [0, 0], { lower: [0, 2], upper: [1, 1] })).toThrow(/lower\[1\] = 2 exceeds upper\[1\] = 1/);
    expect(() => minimizeLbfgsb(fg, [0, 0], { lower: [0, 2], upper: [1, 1] })).toThrow(InputDataError);
  });
  it('rejects NaN or impossible infinite bounds', () => {
    expect(() => minimizeLbfgsb(fg, [0, 0], { lower: [NaN, 0] })).toThrow(InputDataError);
    expect(() => minimizeLbfgsb(fg, [0, 0], { lower: [Infinity, 0] })).toThrow(InputDataError);
    expect(() => minimizeLbfgsb(fg, [0, 0], { upper: [-Infinity, 0] })).toThrow(InputDataError);
  });
  it('rejects an empty or non-finite starting point', () => {
    expect(() => minimizeLbfgsb(fg, [])).toThrow(ShapeError);
    expect(() => minimizeLbfgsb(fg, [0, NaN])).toThrow(InputDataError);
    expect(() => minimizeLbfgsb(fg, [Infinity, 0])).toThrow(InputDataError);
  });
  it('rejects invalid options', () => {
    expect(() => minimizeLbfgsb(fg, [0, 0], { maxIterations: -1 })).toThrow(InputDataError);
    expect(() => minimizeLbfgsb(fg, [0, 0], { maxIterations: 2.5 })).toThrow(InputDataError);
    expect(() => minimizeLbfgsb(fg, [0, 0], { maxEvaluations: 0 })).toThrow(InputDataError);
    expect(() => minimizeLbfgsb(fg, [0, 0], { memory: 0 })).toThrow(InputDataError);
    expect(() => minimizeLbfgsb(fg, [0, 0], { gradTolerance: -1 })).toThrow(InputDataError);
    expect(() => minimizeLbfgsb(fg, [0, 0], { relTolerance: NaN })).toThrow(InputDataError);
  });
  it('rejects a start where the objective is not finite', () => {
    const nan: ValueAndGradient = () => NaN;
    expect(() => minimizeLbfgsb(nan, [0, 0])).toThrow(/not finite at the starting point/);
  });
});
