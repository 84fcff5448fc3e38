import { describe, expect, it } from 'vitest';
import type { AcquisitionFunction } from '../../src/acquisition/acquisition.js';
import { CandidateGenerationError, InputDataError, ShapeError } from '../../src/errors/errors.js';
import { optimizeAcqf } from '../../src/optim/optimize-acqf.js';
import type { OptimizeAcqfOptions } from '../../src/optim/optimize-acqf-options.js';

/** `f(X, grad)`: value of one `q x d` batch; writes ∂f/∂X (`q x d`) into grad. */
type BatchFn = (X: Float64Array, grad: Float64Array) => number;

interface Synthetic extends AcquisitionFunction {
  readonly calls: { forward: number[]; gradient: number };
}

/** An acquisition function from a per-batch value-and-gradient function. */
function synthetic(dim: number, fn: BatchFn): Synthetic {
  const calls = { forward: [] as number[], gradient: 0 };
  const run = (X: { b: number; q: number; d: number; data: Float64Array }, withGrad: boolean) => {
    const size = X.q * X.d;
    const values = new Float64Array(X.b);
    const gradient = new Float64Array(X.b * size);
    for (let t = 0; t < X.b; t++) {
      values[t] = fn(X.data.subarray(t * size, (t + 1) * size), gradient.subarray(t * size, (t + 1) * size));
    }
    if (withGrad) calls.gradient++;
    else calls.forward.push(X.b);
    return { values, gradient };
  };
  return { dim, calls, forward: (X) => run(X, false).values, forwardWithGradient: (X) => run(X, true) };
}

/** `−Σ_points ‖x − c‖²`: maximiser c at every point (clamped into the box when c is outside). */
function bowl(c: number[]): Synthetic {
  const d = c.length;
  return synthetic(d, (X, g) => {
    let f = 0;
    for (let k = 0; k < X.length; k++) {
      const r = X[k]! - c[k % d]!;
      f -= r * r;
      g[k] = -2 * r;
    }
    return f;
  });
}

/** `φ(x) = h exp(−‖x − p‖² / (2σ²))` and its gradient (added, scaled by `scale`, into g at `off`). */
function gaussian(x: Float64Array, off: number, d: number, p: number[], s: number, h: number, g: Float64Array | null, scale: number): number {
  let r2 = 0;
  for (let i = 0; i < d; i++) r2 += (x[off + i]! - p[i]!) ** 2;
  const v = h * Math.exp(-r2 / (2 * s * s));
  if (g !== null) for (let i = 0; i < d; i++) g[off + i] = g[off + i]! - (scale * v * (x[off + i]! - p[i]!)) / (s * s);
  return v;
}

/** A broad local peak (0.7 at (0.25, 0.3)) and a narrower global one (1.0 at (0.8, 0.8)), q = 1. */
const twoPeaks = synthetic(2, (X, g) => {
  g.fill(0);
  return gaussian(X, 0, 2, [0.25, 0.3], 0.25, 0.7, g, 1) + gaussian(X, 0, 2, [0.8, 0.8], 0.1, 1, g, 1);
});

const dist = (a: Float64Array, i: number, b: ArrayLike<number>, j: number, d: number): number => {
  let s = 0;
  for (let k = 0; k < d; k++) s += (a[i * d + k]! - b[j * d + k]!) ** 2;
  return Math.sqrt(s);
};

describe('optimizeAcqf: continuous', () => {
  it('finds the maximiser of a bowl inside the cube, with the documented report', () => {
    const c = [0.3, 0.7, 0.55];
    const acq = bowl(c);
    const r = optimizeAcqf(acq);
    expect(r.q).toBe(1);
    expect(r.d).toBe(3);
    for (let i = 0; i < 3; i++) expect(r.candidates[i]).toBeCloseTo(c[i]!, 5);
    expect(r.value).toBeCloseTo(0, 9);
    expect(r.restarts).toHaveLength(10);
    expect(r.rawBest).toBeLessThanOrEqual(r.value);
    expect(Math.max(...r.restarts.map((x) => x.value))).toBe(r.value);
    expect(r.steps).toEqual([{ value: r.value, rawBest: r.rawBest }]);
    for (const x of r.restarts) {
      expect(x.kind).toBe('relaxation');
      expect(x.step).toBe(0);
      expect(x.failure).toBeUndefined();
      expect(x.evaluations).toBeGreaterThan(0);
    }
    // Raw samples are scored in chunks of at most 128 t-batches.
    expect(acq.calls.forward.slice(0, 4)).toEqual([128, 128, 128, 128]);
  });

  it('scores raw candidates in chunks of batchLimit', () => {
    const acq = bowl([0.5, 0.5]);
    optimizeAcqf(acq, { rawSamples: 250, batchLimit: 100, numRestarts: 3 });
    expect(acq.calls.forward.slice(0, 3)).toEqual([100, 100, 50]);
    expect(Math.max(...acq.calls.forward)).toBeLessThanOrEqual(100);
  });

  it('lands exactly on the boundary when the maximiser lies outside the box, and respects custom bounds', () => {
    const r = optimizeAcqf(bowl([1.3, -0.2, 0.5]));
    expect(r.candidates[0]).toBe(1);
    expect(r.candidates[1]).toBe(0);
    expect(r.candidates[2]).toBeCloseTo(0.5, 5);
    const s = optimizeAcqf(bowl([1.3, -0.2, 0.5]), { bounds: { lower: [-1, 0.1, 0], upper: [1.2, 2, 0.3] } });
    expect(Array.from(s.candidates)).toEqual([1.2, 0.1, 0.3]);
  });

  it('finds the global peak of a multimodal function with 10 restarts, while one bad start gets stuck', () => {
    for (const seed of [0, 1, 2, 3]) {
      const r = optimizeAcqf(twoPeaks, { seed });
      expect(r.candidates[0]).toBeCloseTo(0.8, 2);
      expect(r.candidates[1]).toBeCloseTo(0.8, 2);
      expect(r.value).toBeGreaterThan(0.99);
    }
    const stuck = optimizeAcqf(twoPeaks, {
      numRestarts: 1,
      rawSamples: 1,
      rawSampler: () => ({ draw: () => Float64Array.of(0.2, 0.35) }),
    });
    expect(stuck.candidates[0]).toBeLessThan(0.4);
    expect(stuck.value).toBeLessThan(0.75);
  });

  it('spreads a q = 3 batch over three peaks when optimising jointly', () => {
    // Coverage: Σ_m h_m (1 − Π_j (1 − φ_m(x_j))), maximal with one point on each peak.
    const peaks = [[0.2, 0.2], [0.8, 0.3], [0.5, 0.85]];
    const heights = [1, 0.9, 0.8];
    const sigma = 0.12;
    const acq = synthetic(2, (X, g) => {
      const q = X.length / 2;
      g.fill(0);
      let f = 0;
      peaks.forEach((p, m) => {
        const phi = Array.from({ length: q }, (_, j) => gaussian(X, 2 * j, 2, p, sigma, 1, null, 0));
        const miss = phi.reduce((s, v) => s * (1 - v), 1);
        f += heights[m]! * (1 - miss);
        for (let j = 0; j < q; j++) {
          const others = phi.reduce((s, v, k) => (k === j ? s : s * (1 - v)), 1);
          gaussian(X, 2 * j, 2, p, sigma, 1, g, heights[m]! * others);
        }
      });
      return f;
    });
    const r = optimizeAcqf(acq, { q: 3 });
    expect(r.candidates).toHaveLength(6);
    expect(r.value).toBeGreaterThan(2.65);
    const matched = peaks.map((p) => Math.min(...[0, 1, 2].map((j) => dist(r.candidates, j, p, 0, 2))));
    for (const m of matched) expect(m).toBeLessThan(0.02);
  });

  it('holds fixed features exactly and optimises only the free coordinates', () => {
    const c = [0.3, 0.7, 0.55, 0.2];
    const acq = bowl(c);
    const seen: number[] = [];
    const spy: AcquisitionFunction = {
      dim: 4,
      forward: (X) => {
        for (let k = 0; k < X.data.length; k += 4) seen.push(X.data[k + 1]!, X.data[k + 3]!);
        return acq.forward(X);
      },
      forwardWithGradient: (X) => {
        for (let k = 0; k < X.data.length; k += 4) seen.push(X.data[k + 1]!, X.data[k + 3]!);
        return acq.forwardWithGradient(X);
      },
    };
    const r = optimizeAcqf(spy, { q: 2, fixedFeatures: { 1: 0.123, 3: 0.9 } });
    for (let j = 0; j < 2; j++) {
      expect(r.candidates[j * 4 + 1]).toBe(0.123);
      expect(r.candidates[j * 4 + 3]).toBe(0.9);
      expect(r.candidates[j * 4]).toBeCloseTo(0.3, 5);
      expect(r.candidates[j * 4 + 2]).toBeCloseTo(0.55, 5);
    }
    expect(seen.every((v, k) => v === (k % 2 === 0 ? 0.123 : 0.9))).toBe(true);
  });

  it('is deterministic for a fixed seed', () => {
    const run = (seed: number) => optimizeAcqf(twoPeaks, { seed, numRestarts: 4, rawSamples: 64, maxIterations: 3 });
    const a = run(7);
    const b = run(7);
    expect(Array.from(a.candidates)).toEqual(Array.from(b.candidates));
    expect(a.restarts).toEqual(b.restarts);
    expect(a.rawBest).toBe(b.rawBest);
    const c = run(8);
    expect(c.restarts.map((x) => x.startIndex)).not.toEqual(a.restarts.map((x) => x.startIndex));
  });
});

describe('optimizeAcqf: sequential', () => {
  /** A bowl at c minus a bump around every pending point. */
  function withBumps(c: number[], pending: Float64Array): AcquisitionFunction {
    const d = c.length;
    return synthetic(d, (X, g) => {
      let f = 0;
      for (let i = 0; i < d; i++) {
        f -= (X[i]! - c[i]!) ** 2;
        g[i] = -2 * (X[i]! - c[i]!);
      }
      for (let k = 0; k < pending.length / d; k++) f -= gaussian(X, 0, d, Array.from(pending.subarray(k * d, (k + 1) * d)), 0.15, 0.5, g, -1);
      return f;
    });
  }

  it('chooses points one at a time, telling withPending about those chosen', () => {
    const c = [0.5, 0.4];
    const received: Float64Array[] = [];
    const r = optimizeAcqf(withBumps(c, new Float64Array(0)), {
      q: 4,
      sequential: true,
      withPending: (points) => {
        received.push(points.slice());
        return withBumps(c, points);
      },
    });
    expect(received.map((p) => p.length)).toEqual([2, 4, 6]);
    for (const p of received) expect(Array.from(p)).toEqual(Array.from(r.candidates.subarray(0, p.length)));
    expect(r.candidates[0]).toBeCloseTo(0.5, 5);
    expect(r.candidates[1]).toBeCloseTo(0.4, 5);
    for (let i = 0; i < 4; i++) for (let j = 0; j < i; j++) expect(dist(r.candidates, i, r.candidates, j, 2)).toBeGreaterThan(0.05);
    expect(r.steps).toHaveLength(4);
    expect(r.value).toBe(r.steps[0]!.value);
    expect(r.restarts).toHaveLength(40);
    expect(r.restarts.map((x) => x.step)).toEqual(Array.from({ length: 40 }, (_, k) => Math.floor(k / 10)));
  });

  it('needs withPending for q > 1 and checks the dim of what it returns', () => {
    expect(() => optimizeAcqf(bowl([0.5]), { q: 2, sequential: true })).toThrow(InputDataError);
    expect(optimizeAcqf(bowl([0.5]), { q: 1, sequential: true }).candidates[0]).toBeCloseTo(0.5, 5);
    expect(() => optimizeAcqf(bowl([0.5]), { q: 2, sequential: true, withPending: () => bowl([0.5, 0.5]) })).toThrow(ShapeError);
  });
});

describe('optimizeAcqf: failures and validation', () => {
  it('throws CandidateGenerationError when the acquisition is never finite, or every restart fails', () => {
    const nan = synthetic(2, () => NaN);
    expect(() => optimizeAcqf(nan)).toThrow(CandidateGenerationError);
    const noGrad: AcquisitionFunction = {
      dim: 2,
      forward: (X) => bowl([0.5, 0.5]).forward(X),
      forwardWithGradient: (X) => ({ values: new Float64Array(X.b).fill(NaN), gradient: new Float64Array(X.b * X.q * X.d) }),
    };
    expect(() => optimizeAcqf(noGrad)).toThrow(/all 10 restarts failed.*not finite at the starting point/);
  });

  it('rejects invalid options before evaluating anything', () => {
    const acq = bowl([0.5, 0.5, 0.5]);
    const bad: [OptimizeAcqfOptions, typeof InputDataError | typeof ShapeError][] = [
      [{ q: 0 }, InputDataError],
      [{ q: 1.5 }, InputDataError],
      [{ numRestarts: 0 }, InputDataError],
      [{ numRestarts: 20, rawSamples: 10 }, InputDataError],
      [{ maxIterations: -1 }, InputDataError],
      [{ seed: 0.5 }, InputDataError],
      [{ batchLimit: 0 }, InputDataError],
      [{ eta: -1 }, InputDataError],
      [{ bounds: { lower: [0, 0], upper: [1, 1] } }, ShapeError],
      [{ bounds: { lower: [0, 0.5, 0], upper: [1, 0.5, 1] } }, InputDataError],
      [{ bounds: { lower: [0, 0, 0], upper: [1, Infinity, 1] } }, InputDataError],
      [{ fixedFeatures: { 3: 0.5 } }, InputDataError],
      [{ fixedFeatures: { [-1]: 0.5 } }, InputDataError],
      [{ fixedFeatures: { 0: NaN } }, InputDataError],
      [{ fixedFeatures: { 0: 0, 1: 0, 2: 0 } }, InputDataError],
      [{ discrete: [{ index: 0, levels: 0 }] }, InputDataError],
      [{ discrete: [{ index: 0, levels: 3 }], fixedFeatures: { 0: 0.5 } }, InputDataError],
      [{ discrete: [{ index: 0, levels: 3 }, { indices: [0, 1] }] }, InputDataError],
      [{ discrete: [{ indices: [1] }] }, InputDataError],
      [{ discrete: [{ indices: [1, 2] }], bounds: { lower: [0, 0, 0], upper: [1, 1, 0.9] } }, InputDataError],
      [{ discrete: [{ index: 0, levels: 2 }], bounds: { lower: [0.3, 0, 0], upper: [0.7, 1, 1] } }, InputDataError],
      [{ maxEnumerated: 17 }, InputDataError],
      [{ inequalityConstraints: [{ indices: [0, 1], coefficients: [1], rhs: 1 }] }, InputDataError],
      [{ inequalityConstraints: [{ indices: [3], coefficients: [1], rhs: 1 }] }, InputDataError],
      [{ constraintPenalty: 0 }, InputDataError],
    ];
    for (const [options, type] of bad) {
      expect(() => optimizeAcqf(acq, options), JSON.stringify(options)).toThrow(type);
    }
    expect(acq.calls.forward).toHaveLength(0);
    expect(acq.calls.gradient).toBe(0);
  });

  it('checks what a custom raw sampler returns, and passes it q · (free coordinates) dimensions', () => {
    const dims: number[] = [];
    const r = optimizeAcqf(bowl([0.5, 0.5, 0.5]), {
      q: 2,
      fixedFeatures: { 1: 0.2 },
      numRestarts: 2,
      rawSamples: 4,
      rawSampler: (dim) => {
        dims.push(dim);
        return { draw: (n) => new Float64Array(n * dim).fill(0.25) };
      },
    });
    expect(dims).toEqual([4]);
    expect(r.candidates[1]).toBe(0.2);
    const short = { rawSampler: () => ({ draw: () => new Float64Array(3) }) };
    expect(() => optimizeAcqf(bowl([0.5]), short)).toThrow(ShapeError);
    const outside = { rawSampler: (dim: number) => ({ draw: (n: number) => new Float64Array(n * dim).fill(1.5) }) };
    expect(() => optimizeAcqf(bowl([0.5]), outside)).toThrow(InputDataError);
  });

  it('rejects an acquisition that returns the wrong number of values', () => {
    const wrong: AcquisitionFunction = {
      dim: 1,
      forward: () => new Float64Array(1),
      forwardWithGradient: () => ({ values: new Float64Array(1), gradient: new Float64Array(1) }),
    };
    expect(() => optimizeAcqf(wrong)).toThrow(ShapeError);
  });
});
