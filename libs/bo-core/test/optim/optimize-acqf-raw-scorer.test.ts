import { describe, expect, it } from 'vitest';
import type { AcquisitionFunction } from '../../src/acquisition/acquisition.js';
import { ShapeError } from '../../src/errors/errors.js';
import { optimizeAcqf } from '../../src/optim/optimize-acqf.js';
import type { RawScorer } from '../../src/optim/optimize-acqf-raw-scorer.js';
import type { QBatch } from '../../src/posteriors/posterior.js';

/**
 * A q-batch acquisition in d = 2: a sum over points of two Gaussian bumps (0.6 at (0.25, 0.3),
 * 1.0 at (0.8, 0.75)), minus a repulsion `ρ Σ_{j<k} exp(−‖x_j − x_k‖² / 0.02)` between points and
 * towards the pending points. Value and gradient.
 */
function bumps(pending: Float64Array = new Float64Array(0)): AcquisitionFunction {
  const d = 2;
  const peaks = [
    { c: [0.25, 0.3], h: 0.6, s: 0.2 },
    { c: [0.8, 0.75], h: 1, s: 0.1 },
  ];
  const one = (x: Float64Array, g: Float64Array): number => {
    const q = x.length / d;
    const all = new Float64Array(pending.length + x.length);
    all.set(pending);
    all.set(x, pending.length);
    const p = pending.length / d;
    let f = 0;
    g.fill(0);
    for (let j = 0; j < q; j++) {
      for (const { c, h, s } of peaks) {
        const r2 = (x[j * d]! - c[0]!) ** 2 + (x[j * d + 1]! - c[1]!) ** 2;
        const v = h * Math.exp(-r2 / (2 * s * s));
        f += v;
        for (let i = 0; i < d; i++) g[j * d + i]! -= (v * (x[j * d + i]! - c[i]!)) / (s * s);
      }
      for (let k = 0; k < p + j; k++) {
        const r2 = (x[j * d]! - all[k * d]!) ** 2 + (x[j * d + 1]! - all[k * d + 1]!) ** 2;
        const v = 0.5 * Math.exp(-r2 / 0.02);
        f -= v;
        for (let i = 0; i < d; i++) {
          const dv = (v * 2 * (x[j * d + i]! - all[k * d + i]!)) / 0.02;
          g[j * d + i]! += dv;
          if (k >= p) g[(k - p) * d + i]! -= dv;
        }
      }
    }
    return f;
  };
  const run = (X: QBatch) => {
    const size = X.q * X.d;
    const values = new Float64Array(X.b);
    const gradient = new Float64Array(X.b * size);
    for (let t = 0; t < X.b; t++) values[t] = one(X.data.subarray(t * size, (t + 1) * size), gradient.subarray(t * size, (t + 1) * size));
    return { values, gradient };
  };
  return { dim: d, forward: (X) => run(X).values, forwardWithGradient: run };
}

/** A raw scorer from a value map of the acquisition's values; records what it was given and whether it was freed. */
function scorerFrom(acq: AcquisitionFunction, map: (v: number) => number, log: { pending: number[]; disposed: number }, pending = new Float64Array(0)): RawScorer {
  return {
    forward: (X) => acq.forward(X).map(map),
    withPending(points) {
      const all = new Float64Array(pending.length + points.length);
      all.set(pending);
      all.set(points, pending.length);
      log.pending.push(all.length / acq.dim);
      return scorerFrom(bumps(all), map, log, all);
    },
    dispose() {
      log.disposed++;
    },
  };
}

const starts = (r: ReturnType<typeof optimizeAcqf>): number[] => r.restarts.map((x) => x.startIndex);

describe('optimizeAcqf with a rawScorer', () => {
  const options = { numRestarts: 4, rawSamples: 64, seed: 3 };

  it.each([
    ['the acquisition itself', (v: number) => v],
    ['a shifted copy (same standardised values)', (v: number) => v + 100],
  ])('chooses the same starts, batch and reported values when it scores like %s', (_, map) => {
    for (const q of [1, 2]) {
      const plain = optimizeAcqf(bumps(), { ...options, q });
      const log = { pending: [], disposed: 0 };
      const scored = optimizeAcqf(bumps(), { ...options, q, rawScorer: scorerFrom(bumps(), map, log) });
      expect(starts(scored)).toEqual(starts(plain));
      expect(scored.candidates).toEqual(plain.candidates);
      expect(scored.value).toBe(plain.value);
      // rawBest is the acquisition's, never the scorer's (+100).
      expect(scored.rawBest).toBe(plain.rawBest);
      expect(log.disposed).toBe(0); // the caller's scorer is the caller's to dispose
    }
  });

  it('follows sequential steps through withPending and disposes the scorers it derives', () => {
    const q = 3;
    const withPending = (points: Float64Array) => bumps(points);
    const plain = optimizeAcqf(bumps(), { ...options, q, sequential: true, withPending });
    const log = { pending: [] as number[], disposed: 0 };
    const scored = optimizeAcqf(bumps(), { ...options, q, sequential: true, withPending, rawScorer: scorerFrom(bumps(), (v) => v, log) });
    expect(starts(scored)).toEqual(starts(plain));
    expect(scored.candidates).toEqual(plain.candidates);
    expect(scored.steps).toEqual(plain.steps);
    expect(log.pending).toEqual([1, 2]);
    expect(log.disposed).toBe(2);
  });

  it('scores with the acquisition when the scorer has no withPending (sequential) or no finite value', () => {
    const withPending = (points: Float64Array) => bumps(points);
    const plain = optimizeAcqf(bumps(), { ...options, q: 2, sequential: true, withPending });
    const valuesOnly: RawScorer = { forward: (X) => bumps().forward(X) };
    expect(optimizeAcqf(bumps(), { ...options, q: 2, sequential: true, withPending, rawScorer: valuesOnly }).candidates).toEqual(plain.candidates);
    const nan: RawScorer = { forward: (X) => new Float64Array(X.b).fill(NaN) };
    const joint = optimizeAcqf(bumps(), { ...options, q: 2 });
    const fellBack = optimizeAcqf(bumps(), { ...options, q: 2, rawScorer: nan });
    expect(fellBack.candidates).toEqual(joint.candidates);
    expect(fellBack.rawBest).toBe(joint.rawBest);
  });

  it('throws ShapeError when the scorer returns the wrong number of values', () => {
    const short: RawScorer = { forward: (X) => new Float64Array(X.b - 1) };
    expect(() => optimizeAcqf(bumps(), { ...options, rawScorer: short })).toThrow(ShapeError);
  });
});
