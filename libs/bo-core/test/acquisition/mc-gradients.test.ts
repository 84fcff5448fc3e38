import { describe, expect, it } from 'vitest';
import {
  buildPresetModel,
  fitGP,
  fromRows,
  Normalize,
  Prng,
  qExpectedImprovement,
  qLogExpectedImprovement,
  qLogNoisyExpectedImprovement,
  qNoisyExpectedImprovement,
  qProbabilityOfImprovement,
  qSimpleRegret,
  qUpperConfidenceBound,
  type AcquisitionFunction,
  type MCAcquisitionOptions,
  type SingleTaskGP,
} from '@apiary/bo-core';

const D = 2;
const rng = new Prng(11);

function fitted(f: (x: number[]) => number, n: number, seed: number): SingleTaskGP {
  const r = new Prng(seed);
  const X = Array.from({ length: n }, () => [r.uniform() * 3 - 1, r.uniform() * 3 - 1]);
  const { model, noiseFloor } = buildPresetModel('matern-gamma', fromRows(X), X.map(f), new Normalize([-1, -1], [2, 2]));
  fitGP(model, { noiseFloor });
  return model;
}

const objective = fitted((x) => Math.sin(2 * x[0]!) + Math.cos(3 * x[1]!) + 0.3 * x[0]!, 12, 1);
const constraint = fitted((x) => x[0]! + x[1]!, 12, 2);
const baseline = Float64Array.from(objective.trainX.data);
const bestF = Math.max(...objective.trainY);

type Maker = (o: MCAcquisitionOptions) => AcquisitionFunction;
const MAKERS: Record<string, Maker> = {
  qEI: (o) => new qExpectedImprovement(objective, { ...o, bestF }),
  qLogEI: (o) => new qLogExpectedImprovement(objective, { ...o, bestF }),
  qPI: (o) => new qProbabilityOfImprovement(objective, { ...o, bestF, tau: 0.1 }),
  qUCB: (o) => new qUpperConfidenceBound(objective, { ...o, beta: 2 }),
  qSimpleRegret: (o) => new qSimpleRegret(objective, o),
  qNEI: (o) => new qNoisyExpectedImprovement(objective, { ...o, baseline }),
  qLogNEI: (o) => new qLogNoisyExpectedImprovement(objective, { ...o, baseline }),
};

function checkGradient(acq: AcquisitionFunction, q: number): void {
  const b = 2;
  const data = Float64Array.from({ length: b * q * D }, () => rng.uniform() * 3 - 1);
  const X = { b, q, d: D, data };
  const { values, gradient } = acq.forwardWithGradient(X);
  const plain = acq.forward(X);
  for (let t = 0; t < b; t++) expect(values[t]).toBeCloseTo(plain[t]!, 12);
  const h = 1e-6;
  for (let k = 0; k < data.length; k++) {
    const t = Math.floor(k / (q * D));
    const up = data.slice();
    up[k]! += h;
    const dn = data.slice();
    dn[k]! -= h;
    const fd = (acq.forward({ b, q, d: D, data: up })[t]! - acq.forward({ b, q, d: D, data: dn })[t]!) / (2 * h);
    const g = gradient[k]!;
    if (Math.abs(fd - g) > 1e-4 * Math.max(1, Math.abs(fd))) expect.fail(`coordinate ${k}: analytic ${g} vs finite difference ${fd}`);
  }
}

describe('Monte-Carlo acquisition gradients (finite differences)', () => {
  const pending = Float64Array.from([0.2, 0.4, -0.5, 1.1]);
  for (const [name, make] of Object.entries(MAKERS)) {
    for (const q of [1, 3]) {
      it(`${name}, q = ${q}`, () => checkGradient(make({ numSamples: 128 }), q));
      it(`${name}, q = ${q}, with pending points`, () => checkGradient(make({ numSamples: 128, pending }), q));
    }
    it(`${name}, q = 2, minimising, with an outcome constraint`, () => {
      checkGradient(make({ numSamples: 128, maximize: false, constraints: [{ model: constraint, bound: 0.5 }] }), 2);
    });
  }
});

describe('Monte-Carlo acquisition behaviour', () => {
  it('is deterministic in X: the same call twice gives the same values', () => {
    const acq = MAKERS['qLogNEI']!({});
    const X = { b: 3, q: 2, d: D, data: Float64Array.from({ length: 12 }, () => rng.uniform()) };
    expect(Array.from(acq.forward(X))).toEqual(Array.from(acq.forward(X)));
  });

  it('qLogEI stays finite and informative where qEI underflows', () => {
    const far = { b: 1, q: 1, d: D, data: Float64Array.from([1.9, 1.9]) };
    const hugeBest = bestF + 50;
    const ei = new qExpectedImprovement(objective, { bestF: hugeBest }).forward(far)[0]!;
    const { values, gradient } = new qLogExpectedImprovement(objective, { bestF: hugeBest }).forwardWithGradient(far);
    expect(ei).toBe(0);
    expect(Number.isFinite(values[0]!)).toBe(true);
    expect(Math.hypot(gradient[0]!, gradient[1]!)).toBeGreaterThan(0);
  });

  it('pending points steer the next proposal away from them', () => {
    const grid: number[][] = [];
    for (let i = 0; i <= 24; i++) for (let j = 0; j <= 24; j++) grid.push([-1 + (3 * i) / 24, -1 + (3 * j) / 24]);
    const X = { b: grid.length, q: 1, d: D, data: Float64Array.from(grid.flat()) };
    const argmax = (v: Float64Array): number => v.reduce((best, x, i) => (x > v[best]! ? i : best), 0);
    const first = grid[argmax(new qLogNoisyExpectedImprovement(objective, { baseline }).forward(X))]!;
    const second = grid[argmax(new qLogNoisyExpectedImprovement(objective, { baseline, pending: Float64Array.from(first) }).forward(X))]!;
    expect(Math.hypot(first[0]! - second[0]!, first[1]! - second[1]!)).toBeGreaterThan(0.1);
  });

  it('an outcome constraint lowers the value where it is surely violated by its log feasibility', () => {
    const X = { b: 1, q: 1, d: D, data: Float64Array.from([1.9, 1.9]) }; // x0 + x1 = 3.8, bound 0.5
    const free = new qLogExpectedImprovement(objective, { bestF }).forward(X)[0]!;
    const constrained = new qLogExpectedImprovement(objective, { bestF, constraints: [{ model: constraint, bound: 0.5 }] }).forward(X)[0]!;
    expect(constrained).toBeLessThan(free - 5);
    const loose = new qLogExpectedImprovement(objective, { bestF, constraints: [{ model: constraint, bound: 100 }] }).forward(X)[0]!;
    expect(Math.abs(loose - free)).toBeLessThan(1e-6);
  });
});
