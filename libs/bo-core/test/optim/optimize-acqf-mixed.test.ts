import { describe, expect, it } from 'vitest';
import type { AcquisitionFunction } from '../../src/acquisition/acquisition.js';
import { CandidateGenerationError } from '../../src/errors/errors.js';
import { optimizeAcqf } from '../../src/optim/optimize-acqf.js';
import { Prng } from '../../src/sampling/prng.js';

/** An acquisition function from a per-point value-and-gradient function (the batch value is the sum). */
function perPoint(dim: number, fn: (x: Float64Array, g: Float64Array) => number): AcquisitionFunction & { seen: Float64Array[] } {
  const seen: Float64Array[] = [];
  const run = (X: { b: number; q: number; d: number; data: Float64Array }) => {
    seen.push(X.data.slice());
    const values = new Float64Array(X.b);
    const gradient = new Float64Array(X.data.length);
    for (let t = 0; t < X.b; t++) {
      for (let j = 0; j < X.q; j++) {
        const at = (t * X.q + j) * dim;
        values[t] = values[t]! + fn(X.data.subarray(at, at + dim), gradient.subarray(at, at + dim));
      }
    }
    return { values, gradient };
  };
  return { dim, seen, forward: (X) => run(X).values, forwardWithGradient: run };
}

const centres = (levels: number): number[] => Array.from({ length: levels }, (_, k) => (k + 0.5) / levels);
const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

describe('optimizeAcqf: integer coordinates', () => {
  it('finds the discrete optimum when rounding the relaxed optimum would miss it', () => {
    // a(u) = −(u − 0.41)² left of 0.41, −10 (u − 0.41)² right of it (C¹); the nearest level to the
    // relaxed optimum 0.41 is 0.5 (a = −0.081) but level 0.3 is better (a = −0.0121). The
    // continuous coordinate's best value depends on the level: v* = 0.3 + 0.5 (u − 0.41).
    const acq = perPoint(2, (x, g) => {
      const r = x[0]! - 0.41;
      const k = r < 0 ? 1 : 10;
      const s = x[1]! - 0.3 - 0.5 * r;
      g[0] = -2 * k * r + s;
      g[1] = -2 * s;
      return -k * r * r - s * s;
    });
    const r = optimizeAcqf(acq, { discrete: [{ index: 0, levels: 5 }] });
    expect(r.candidates[0]).toBe(0.3);
    expect(r.candidates[1]).toBeCloseTo(0.245, 6);
    expect(r.value).toBeCloseTo(-0.0121, 10);
    // Without refinement the continuous coordinate stays at the relaxed optimum 0.3.
    const rough = optimizeAcqf(acq, { discrete: [{ index: 0, levels: 5 }], numRefinements: 0 });
    expect(rough.candidates[0]).toBe(0.3);
    expect(rough.candidates[1]).toBeCloseTo(0.3, 3);
    expect(rough.value).toBeLessThan(r.value);
    expect(rough.restarts.every((x) => x.kind === 'relaxation')).toBe(true);
    // Refinements are reported after the relaxations, each naming the restart its candidate came from.
    const kinds = r.restarts.map((x) => x.kind);
    expect(kinds.slice(0, 10)).toEqual(new Array(10).fill('relaxation'));
    expect(kinds.slice(10).length).toBeGreaterThan(0);
    expect(kinds.slice(10).length).toBeLessThanOrEqual(8);
    for (const x of r.restarts.slice(10)) {
      expect(x.kind).toBe('refinement');
      expect(r.restarts.slice(0, 10).map((y) => y.startIndex)).toContain(x.startIndex);
    }
    expect(Math.max(...r.restarts.map((x) => x.value))).toBe(r.value);
  });

  it('rounds each point of a sequential batch, with the chosen points passed on as pending', () => {
    // Per point: a bowl at (0.33, 0.5) in (integer u₀, continuous u₁) minus a bump at each pending point.
    const make = (pending: Float64Array) =>
      perPoint(2, (x, g) => {
        let f = -((x[0]! - 0.33) ** 2) - (x[1]! - 0.5) ** 2;
        g[0] = -2 * (x[0]! - 0.33);
        g[1] = -2 * (x[1]! - 0.5);
        for (let k = 0; k < pending.length; k += 2) {
          const r2 = (x[0]! - pending[k]!) ** 2 + (x[1]! - pending[k + 1]!) ** 2;
          const b = 0.05 * Math.exp(-r2 / 0.02);
          f -= b;
          g[0] = g[0]! + (b * (x[0]! - pending[k]!)) / 0.01;
          g[1] = g[1]! + (b * (x[1]! - pending[k + 1]!)) / 0.01;
        }
        return f;
      });
    const r = optimizeAcqf(make(new Float64Array(0)), {
      q: 3,
      sequential: true,
      withPending: make,
      discrete: [{ index: 0, levels: 4 }],
    });
    expect(r.candidates[0]).toBe(0.375);
    expect(r.candidates[1]).toBeCloseTo(0.5, 5);
    const points = new Set<string>();
    for (let j = 0; j < 3; j++) {
      expect(centres(4)).toContain(r.candidates[2 * j]);
      points.add(`${r.candidates[2 * j]},${r.candidates[2 * j + 1]!.toFixed(3)}`);
    }
    expect(points.size).toBe(3);
  });

  it('matches brute-force enumeration on correlated quadratics with two integer and one continuous coordinate', () => {
    const rng = new Prng(5);
    const levels = [5, 4];
    for (let trial = 0; trial < 8; trial++) {
      // f(u) = −(u − c)ᵀ A (u − c), A = LLᵀ + 0.2 I, c drawn inside the cube.
      const L = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => rng.normal() * 0.6));
      const A = L.map((row, i) => row.map((_, j) => L[i]!.reduce((s, v, k) => s + v * L[j]![k]!, 0) + (i === j ? 0.2 : 0)));
      const c = [rng.uniform(), rng.uniform(), 0.2 + 0.6 * rng.uniform()];
      const f = (u: number[]): number => {
        let s = 0;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += (u[i]! - c[i]!) * A[i]![j]! * (u[j]! - c[j]!);
        return -s;
      };
      const acq = perPoint(3, (x, g) => {
        const u = Array.from(x);
        for (let i = 0; i < 3; i++) g[i] = -2 * A[i]!.reduce((s, a, j) => s + a * (u[j]! - c[j]!), 0);
        return f(u);
      });
      let brute = { value: -Infinity, u: [0, 0, 0] };
      for (const a of centres(levels[0]!)) {
        for (const b of centres(levels[1]!)) {
          // For fixed discrete values f is a concave parabola in u₂: clamp its vertex into [0, 1].
          const u2 = clamp01(c[2]! - (A[2]![0]! * (a - c[0]!) + A[2]![1]! * (b - c[1]!)) / A[2]![2]!);
          const v = f([a, b, u2]);
          if (v > brute.value) brute = { value: v, u: [a, b, u2] };
        }
      }
      const r = optimizeAcqf(acq, { discrete: [{ index: 0, levels: 5 }, { index: 1, levels: 4 }], seed: trial });
      expect(r.candidates[0], `trial ${trial}`).toBe(brute.u[0]);
      expect(r.candidates[1], `trial ${trial}`).toBe(brute.u[1]);
      expect(r.candidates[2]).toBeCloseTo(brute.u[2]!, 5);
      expect(r.value).toBeCloseTo(brute.value, 8);
    }
  });

  it('returns exact level centres for every point of a joint batch, inside trust-region bounds', () => {
    const acq = perPoint(3, (x, g) => {
      let s = 0;
      for (let i = 0; i < 3; i++) {
        const r = x[i]! - [0.05, 0.62, 0.5][i]!;
        s -= r * r;
        g[i] = -2 * r;
      }
      return s;
    });
    const r = optimizeAcqf(acq, {
      q: 3,
      discrete: [{ index: 0, levels: 5 }, { index: 1, levels: 7 }],
      bounds: { lower: [0.25, 0, 0], upper: [0.8, 1, 1] },
      unique: false, // the sum over points is best with every point at the same optimum
    });
    for (let j = 0; j < 3; j++) {
      expect(r.candidates[j * 3]).toBe(0.3); // 0.1 lies outside the bounds; 0.3 is the nearest allowed level
      expect(r.candidates[j * 3 + 1]).toBe(4.5 / 7);
      expect(r.candidates[j * 3 + 2]).toBeCloseTo(0.5, 5);
    }
  });
});

describe('optimizeAcqf: one-hot groups', () => {
  /** Σ_k w_k h_k(t) − μ (Σ_k w_k − 1)², h_k(t) = a_k − (t − t_k)²: category k is best at t = t_k. */
  function categorical(a: number[], t: number[], mu: number): AcquisitionFunction & { seen: Float64Array[] } {
    const m = a.length;
    return perPoint(m + 1, (x, g) => {
      const tt = x[m]!;
      let f = 0;
      let sum = 0;
      g[m] = 0;
      for (let k = 0; k < m; k++) {
        const h = a[k]! - (tt - t[k]!) ** 2;
        f += x[k]! * h;
        sum += x[k]!;
        g[k] = h;
        g[m] = g[m]! - 2 * x[k]! * (tt - t[k]!);
      }
      f -= mu * (sum - 1) ** 2;
      for (let k = 0; k < m; k++) g[k] = g[k]! - 2 * mu * (sum - 1);
      return f;
    });
  }

  it('returns an exact one-hot vector of the best category (brute force), with the continuous coordinate optimised', () => {
    const rng = new Prng(9);
    for (let trial = 0; trial < 6; trial++) {
      const m = 3 + (trial % 3);
      const a = Array.from({ length: m }, () => rng.uniform());
      const t = Array.from({ length: m }, () => rng.uniform());
      const best = a.indexOf(Math.max(...a)); // brute force: category k at t = t_k scores a_k
      const acq = categorical(a, t, 2);
      const r = optimizeAcqf(acq, { discrete: [{ indices: Array.from({ length: m }, (_, k) => k) }], seed: trial });
      const w = Array.from(r.candidates.subarray(0, m));
      expect(w.every((v) => v === 0 || v === 1)).toBe(true);
      expect(w.reduce((s, v) => s + v, 0)).toBe(1);
      expect(w.indexOf(1), `trial ${trial}`).toBe(best);
      expect(r.candidates[m]).toBeCloseTo(t[best]!, 5);
      expect(r.value).toBeCloseTo(a[best]!, 9);
    }
  });

  it('mixes one-hot groups, integers and fixed features in a q = 2 batch', () => {
    // Coordinates: 0–2 one-hot, 3 integer (4 levels), 4 fixed, 5 continuous.
    const cat = categorical([0.2, 0.9, 0.5], [0.7, 0.3, 0.5], 2);
    const acq = perPoint(6, (x, g) => {
      const g4 = new Float64Array(4);
      const v = cat.forwardWithGradient({ b: 1, q: 1, d: 4, data: Float64Array.of(x[0]!, x[1]!, x[2]!, x[5]!) });
      g4.set(v.gradient);
      const r = x[3]! - 0.55;
      g[0] = g4[0]!;
      g[1] = g4[1]!;
      g[2] = g4[2]!;
      g[5] = g4[3]!;
      g[3] = -2 * r;
      g[4] = 0;
      return v.values[0]! - r * r;
    });
    const r = optimizeAcqf(acq, {
      q: 2,
      discrete: [{ indices: [0, 1, 2] }, { index: 3, levels: 4 }],
      fixedFeatures: { 4: 0.77 },
      unique: false, // as above: both points at the one optimum
    });
    for (let j = 0; j < 2; j++) {
      const x = Array.from(r.candidates.subarray(j * 6, j * 6 + 6));
      expect(x.slice(0, 3)).toEqual([0, 1, 0]);
      expect(x[3]).toBe(0.625);
      expect(x[4]).toBe(0.77);
      expect(x[5]).toBeCloseTo(0.3, 5);
    }
  });
});

describe('optimizeAcqf: linear inequality constraints', () => {
  const bowl = (c: number[]) =>
    perPoint(c.length, (x, g) => {
      let s = 0;
      for (let i = 0; i < c.length; i++) {
        s -= (x[i]! - c[i]!) ** 2;
        g[i] = -2 * (x[i]! - c[i]!);
      }
      return s;
    });
  const sumAtMostOne = [{ indices: [0, 1], coefficients: [1, 1], rhs: 1 }];

  it('samples feasible raw points and returns a feasible optimum on an active constraint', () => {
    const acq = bowl([0.8, 0.8]);
    const r = optimizeAcqf(acq, { q: 2, inequalityConstraints: sumAtMostOne });
    const raw = acq.seen[0]!;
    for (let p = 0; p < raw.length; p += 2) expect(raw[p]! + raw[p + 1]!).toBeLessThanOrEqual(1);
    for (let j = 0; j < 2; j++) {
      expect(r.candidates[2 * j]! + r.candidates[2 * j + 1]!).toBeLessThanOrEqual(1 + 1e-9);
      expect(r.candidates[2 * j]).toBeCloseTo(0.5, 5);
      expect(r.candidates[2 * j + 1]).toBeCloseTo(0.5, 5);
    }
    expect(r.value).toBeCloseTo(-0.36, 7);
    for (const x of r.restarts) expect(x.failure).toBeUndefined();
  });

  it('keeps rounded candidates feasible (brute force over levels)', () => {
    // Bowl at (0.6, 0.6), u₀ integer (5 levels), u₀ + u₁ ≤ 0.75: best level 0.3 with u₁ = 0.45.
    const r = optimizeAcqf(bowl([0.6, 0.6]), {
      discrete: [{ index: 0, levels: 5 }],
      inequalityConstraints: [{ indices: [0, 1], coefficients: [1, 1], rhs: 0.75 }],
    });
    let brute = -Infinity;
    for (const a of centres(5)) brute = Math.max(brute, -((a - 0.6) ** 2) - (Math.min(0.6, 0.75 - a) - 0.6) ** 2);
    expect(r.candidates[0]).toBe(0.3);
    expect(r.candidates[0]! + r.candidates[1]!).toBeLessThanOrEqual(0.75 + 1e-9);
    expect(r.candidates[1]).toBeCloseTo(0.45, 5);
    expect(r.value).toBeCloseTo(brute, 7);
  });

  it('throws CandidateGenerationError when no raw point is feasible', () => {
    expect(() =>
      optimizeAcqf(bowl([0.5, 0.5]), { inequalityConstraints: [{ indices: [0], coefficients: [1], rhs: -0.1 }] }),
    ).toThrow(CandidateGenerationError);
  });
});

describe('optimizeAcqf: explicit level centres', () => {
  it('rounds to the given (log-spaced) centres and finds the best one by enumeration', () => {
    const levels = 20;
    const logCentres = Array.from({ length: levels }, (_, k) => Math.log(k + 1.5) / Math.log(levels + 0.5));
    // Maximum at 0.9, between two centres; the brute-force best centre is the answer.
    const acq = perPoint(1, (x, g) => {
      g[0] = -2 * (x[0]! - 0.9);
      return -((x[0]! - 0.9) ** 2);
    });
    const best = logCentres.reduce((a, c) => (Math.abs(c - 0.9) < Math.abs(a - 0.9) ? c : a));
    const r = optimizeAcqf(acq, { discrete: [{ index: 0, levels, centres: logCentres }], numRestarts: 4, rawSamples: 32 });
    expect(r.candidates[0]).toBe(best);
  });

  it('rejects centres of the wrong length or not ascending', () => {
    const acq = perPoint(1, (x, g) => {
      g[0] = 0;
      return 0;
    });
    expect(() => optimizeAcqf(acq, { discrete: [{ index: 0, levels: 3, centres: [0.1, 0.5] }] })).toThrow(/2 centres for 3 levels/);
    expect(() => optimizeAcqf(acq, { discrete: [{ index: 0, levels: 3, centres: [0.1, 0.5, 0.4] }] })).toThrow(/strictly ascending/);
  });
});

describe('optimizeAcqf: unique (no repeated discrete proposals)', () => {
  // Per point: a(u) = −(u₀ − 0.62)² − (u₁ − 0.3)² on two integer coordinates (5 and 4 levels), so
  // the best point is (0.7, 0.375), then (0.5, 0.375), then (0.7, 0.125). A sum over points: without
  // `unique`, every point of a batch is the best one.
  const bowl = () =>
    perPoint(2, (x, g) => {
      g[0] = -2 * (x[0]! - 0.62);
      g[1] = -2 * (x[1]! - 0.3);
      return -((x[0]! - 0.62) ** 2) - (x[1]! - 0.3) ** 2;
    });
  const discrete = [{ index: 0, levels: 5 }, { index: 1, levels: 4 }];
  const pointsOf = (X: Float64Array): string[] => Array.from({ length: X.length / 2 }, (_, j) => `${X[2 * j]},${X[2 * j + 1]}`);

  it('takes the best batch of distinct points in joint mode (and repeats without unique)', () => {
    expect(pointsOf(optimizeAcqf(bowl(), { q: 2, discrete, unique: false }).candidates)).toEqual(['0.7,0.375', '0.7,0.375']);
    const r = optimizeAcqf(bowl(), { q: 2, discrete });
    expect(new Set(pointsOf(r.candidates))).toEqual(new Set(['0.7,0.375', '0.5,0.375']));
    expect(r.value).toBeCloseTo(-(0.08 ** 2) - 0.12 ** 2 - 2 * 0.075 ** 2, 12);
  });

  it('keeps sequential steps distinct from earlier steps and from distinctFrom (pending) points', () => {
    // withPending ignores the pending points, as an acquisition whose pending penalty is lost to rounding.
    const r = optimizeAcqf(bowl(), { q: 3, sequential: true, withPending: () => bowl(), discrete });
    expect(pointsOf(r.candidates)).toEqual(['0.7,0.375', '0.5,0.375', '0.7,0.125']);
    const pending = Float64Array.of(0.7, 0.375);
    expect(pointsOf(optimizeAcqf(bowl(), { discrete, distinctFrom: pending }).candidates)).toEqual(['0.5,0.375']);
  });

  it('returns the best batch anyway when every candidate repeats a point', () => {
    const one = [{ index: 0, levels: 1 }, { index: 1, levels: 1 }];
    const r = optimizeAcqf(bowl(), { q: 2, discrete: one, numRestarts: 2, rawSamples: 4 });
    expect(pointsOf(r.candidates)).toEqual(['0.5,0.5', '0.5,0.5']);
  });
});
