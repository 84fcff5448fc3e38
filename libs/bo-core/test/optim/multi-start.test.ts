import { describe, expect, it } from 'vitest';
import { InputDataError, ShapeError } from '../../src/errors/errors.js';
import type { ValueAndGradient } from '../../src/optim/minimizer.js';
import { minimizeMultiStart } from '../../src/optim/multi-start.js';

/** Himmelblau's function, four minima with f = 0; a local maximum at (-0.27, -0.92). */
const himmelblau: ValueAndGradient = (x, g) => {
  const a = x[0]! * x[0]! + x[1]! - 11;
  const b = x[0]! + x[1]! * x[1]! - 7;
  g[0] = 4 * a * x[0]! + 2 * b;
  g[1] = 2 * a + 4 * b * x[1]!;
  return a * a + b * b;
};

/** `sin(3x) + 0.1 x²` per coordinate, rescaled to the unit cube; many local minima. */
const wiggly: ValueAndGradient = (u, g) => {
  let f = 0;
  for (let i = 0; i < u.length; i++) {
    const x = 6 * u[i]! - 3;
    f += Math.sin(3 * x) + 0.1 * x * x;
    g[i] = 6 * (3 * Math.cos(3 * x) + 0.2 * x);
  }
  return f;
};

describe('minimizeMultiStart', () => {
  it('returns every run sorted by f and the best first', () => {
    const starts = [[0, 0], [-4, 4], [-4, -4], [4, -4], [1, 1]];
    const r = minimizeMultiStart(himmelblau, starts);
    expect(r.results).toHaveLength(5);
    for (let i = 1; i < r.results.length; i++) expect(r.results[i]!.f).toBeGreaterThanOrEqual(r.results[i - 1]!.f);
    expect(r.best).toBe(r.results[0]);
    expect(r.best.f).toBeLessThan(1e-10);
    expect(new Set(r.results.map((x) => x.startIndex))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(r.evaluations).toBe(r.results.reduce((s, x) => s + x.evaluations, 0));
    // Different starts reach different minima.
    const minima = new Set(r.results.map((x) => `${Math.round(x.x[0]!)},${Math.round(x.x[1]!)}`));
    expect(minima.size).toBeGreaterThanOrEqual(3);
  });

  it('finds the global minimum over the unit cube from many restarts', () => {
    const d = 3;
    const starts: number[][] = [];
    for (let k = 0; k < 16; k++) starts.push(Array.from({ length: d }, (_, i) => ((k * (i + 3) * 0.6180339887) % 1)));
    const r = minimizeMultiStart(wiggly, starts, { lower: new Array(d).fill(0), upper: new Array(d).fill(1) });
    for (const run of r.results) for (const xi of run.x) expect(xi >= 0 && xi <= 1).toBe(true);
    // Global minimiser of sin(3x) + 0.1x² on [-3, 3] is near x = -0.5 (f ≈ -0.9722 per coordinate).
    expect(r.best.f).toBeLessThan(-0.97 * d);
  });

  it('skips starts where the objective is not finite, and reports them', () => {
    const fg: ValueAndGradient = (x, g) => (x[0]! > 3 ? NaN : himmelblau(x, g));
    const r = minimizeMultiStart(fg, [[5, 5], [0, 0]]);
    expect(r.failedStarts.map((s) => s.startIndex)).toEqual([0]);
    expect(r.results).toHaveLength(1);
    expect(r.best.startIndex).toBe(1);
  });

  it('throws when no start works or the input is bad', () => {
    const nan: ValueAndGradient = () => NaN;
    expect(() => minimizeMultiStart(nan, [[0, 0], [1, 1]])).toThrow(InputDataError);
    expect(() => minimizeMultiStart(himmelblau, [])).toThrow(InputDataError);
    expect(() => minimizeMultiStart(himmelblau, [[0, 0], [1]])).toThrow(ShapeError);
    expect(() => minimizeMultiStart(himmelblau, [[0, 0]], { lower: [1, 1], upper: [0, 0] })).toThrow(InputDataError);
  });
});
