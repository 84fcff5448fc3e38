import { describe, expect, it } from 'vitest';
import { InputDataError } from '../../src/errors/errors.js';
import {
  BOTORCH_MIN_INFERRED_NOISE_LEVEL,
  BOTORCH_MIN_LENGTHSCALE,
  GAMMA_MODE_FALLBACK_FRACTION,
  GammaPrior,
  LogNormalPrior,
  classicLengthscalePrior,
  classicNoisePrior,
  classicOutputscalePrior,
  dimensionScaledLengthscalePrior,
  dimensionScaledNoisePrior,
  type Prior,
} from '../../src/priors/index.js';

/** mulberry32: a tiny seeded generator of uniforms on [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  prior: Prior;
  /** Mean and variance of the distribution. */
  mean: number;
  variance: number;
}

const gammaCase = (a: number, b: number): Case => ({ prior: new GammaPrior(a, b), mean: a / b, variance: a / (b * b) });
const logNormalCase = (mu: number, s: number): Case => ({
  prior: new LogNormalPrior(mu, s),
  mean: Math.exp(mu + (s * s) / 2),
  variance: (Math.exp(s * s) - 1) * Math.exp(2 * mu + s * s),
});

const CASES: Case[] = [
  gammaCase(3, 6),
  gammaCase(2, 0.15),
  gammaCase(1.1, 0.05),
  gammaCase(0.5, 2),
  gammaCase(1, 1),
  gammaCase(25, 0.5),
  logNormalCase(Math.SQRT2 + 0.5 * Math.log(6), Math.sqrt(3)),
  logNormalCase(-4, 1),
  logNormalCase(0.3, 0.25),
];

/** Central difference with one Richardson step: error O(h⁴). */
function derivative(f: (x: number) => number, x: number): number {
  const h = 1e-3 * x;
  const d = (s: number) => (f(x + s) - f(x - s)) / (2 * s);
  return (4 * d(h / 2) - d(h)) / 3;
}

describe('priors: densities', () => {
  it('match known values', () => {
    expect(new GammaPrior(2, 1).logProb(1)).toBeCloseTo(-1, 15);
    expect(new GammaPrior(1, 2).logProb(0.5)).toBeCloseTo(Math.log(2) - 1, 15);
    // Gamma(3, 6) at 0.5: 3 log 6 − log 2 + 2 log 0.5 − 3.
    expect(new GammaPrior(3, 6).logProb(0.5)).toBeCloseTo(3 * Math.log(6) - Math.log(2) + 2 * Math.log(0.5) - 3, 14);
    // Standard log-normal at 1: −½ log 2π.
    expect(new LogNormalPrior(0, 1).logProb(1)).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 15);
    // LogNormal(−4, 1) at e^−4: −(−4) − ½ log 2π.
    expect(new LogNormalPrior(-4, 1).logProb(Math.exp(-4))).toBeCloseTo(4 - 0.5 * Math.log(2 * Math.PI), 13);
  });

  it('have gradients that match finite differences (relative error ≤ 1e-7)', () => {
    for (const { prior } of CASES) {
      const mode = prior.mode();
      for (const factor of [0.01, 0.1, 0.5, 2, 5, 30]) {
        const x = mode * factor;
        const fd = derivative((t) => prior.logProb(t), x);
        const analytic = prior.gradLogProb(x);
        expect(Math.abs(analytic - fd) / Math.abs(analytic), `${prior.description} at ${x}`).toBeLessThan(1e-7);
      }
    }
  });

  it('integrate to 1 (trapezoid rule in t = log x)', () => {
    for (const { prior } of CASES) {
      // ∫ p(x) dx = ∫ p(e^t) e^t dt; the integrand decays at least exponentially in both directions.
      const centre = Math.log(prior.mode());
      const lo = centre - 200;
      const hi = centre + 40;
      const h = 2e-3;
      let sum = 0;
      for (let t = lo; t <= hi; t += h) sum += Math.exp(prior.logProb(Math.exp(t)) + t);
      expect(sum * h, prior.description).toBeCloseTo(1, 7);
    }
  });

  it('are −Infinity outside the support, with NaN gradients there', () => {
    for (const { prior } of CASES) {
      expect(prior.logProb(0)).toBe(-Infinity);
      expect(prior.logProb(-1)).toBe(-Infinity);
      expect(prior.logProb(Infinity)).toBe(-Infinity);
      expect(prior.logProb(NaN)).toBeNaN();
      expect(prior.gradLogProb(0)).toBeNaN();
      expect(prior.gradLogProb(-2)).toBeNaN();
    }
  });
});

describe('priors: mode', () => {
  it('is the argmax of the density', () => {
    for (const { prior } of CASES) {
      const m = prior.mode();
      if (prior instanceof GammaPrior && prior.concentration <= 1) continue;
      expect(Math.abs(prior.gradLogProb(m))).toBeLessThan(1e-12 * Math.max(1, 1 / m));
      for (const f of [0.999, 1.001, 0.9, 1.1, 0.5, 2]) expect(prior.logProb(m * f)).toBeLessThan(prior.logProb(m));
    }
  });

  it('is (α − 1)/β for Gamma with α > 1 and e^(μ − σ²) for LogNormal', () => {
    expect(new GammaPrior(3, 6).mode()).toBeCloseTo(1 / 3, 15);
    expect(new GammaPrior(1.1, 0.05).mode()).toBeCloseTo(2, 13);
    expect(new LogNormalPrior(-4, 1).mode()).toBeCloseTo(Math.exp(-5), 16);
  });

  it('falls back to a small positive value for Gamma with α ≤ 1', () => {
    expect(new GammaPrior(1, 2).mode()).toBe((GAMMA_MODE_FALLBACK_FRACTION * 1) / 2);
    expect(new GammaPrior(0.5, 2).mode()).toBe((GAMMA_MODE_FALLBACK_FRACTION * 0.5) / 2);
    expect(new GammaPrior(0.5, 2).mode()).toBeGreaterThan(0);
  });
});

describe('priors: sampling', () => {
  const draws = 20_000;

  it('has the right mean (within 4 standard errors) for light-tailed priors', () => {
    CASES.forEach(({ prior, mean, variance }, k) => {
      if (variance / (mean * mean) > 10) return; // heavy-tailed log-normal: tested on log x below
      const uniform = mulberry32(1234 + k);
      let sum = 0;
      let allPositive = true;
      for (let i = 0; i < draws; i++) {
        const x = prior.sample(uniform);
        allPositive &&= x > 0 && Number.isFinite(x);
        sum += x;
      }
      expect(allPositive).toBe(true);
      const se = Math.sqrt(variance / draws);
      expect(Math.abs(sum / draws - mean), prior.description).toBeLessThan(4 * se);
    });
  });

  it('has the right variance for Gamma (both samplers: α ≥ 1 and the α < 1 boost)', () => {
    for (const [a, b] of [[3, 6], [0.5, 2], [0.2, 1]] as const) {
      const prior = new GammaPrior(a, b);
      const uniform = mulberry32(99);
      const xs = Array.from({ length: draws }, () => prior.sample(uniform));
      const m = xs.reduce((s, x) => s + x, 0) / draws;
      const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (draws - 1);
      expect(Math.abs(m - a / b) / Math.sqrt(a / (b * b) / draws)).toBeLessThan(4);
      // Var of the sample variance ≈ (μ₄ − σ⁴)/N with μ₄ = 3σ⁴(1 + 2/α) for the Gamma.
      const sigma4 = (a / (b * b)) ** 2;
      const seVar = Math.sqrt((3 * sigma4 * (1 + 2 / a) - sigma4) / draws);
      expect(Math.abs(v - a / (b * b)) / seVar).toBeLessThan(4);
    }
  });

  it('gives log-normal draws whose log has mean μ and standard deviation σ', () => {
    const prior = dimensionScaledLengthscalePrior(6);
    const uniform = mulberry32(7);
    const logs = Array.from({ length: draws }, () => Math.log(prior.sample(uniform)));
    const m = logs.reduce((s, x) => s + x, 0) / draws;
    const sd = Math.sqrt(logs.reduce((s, x) => s + (x - m) ** 2, 0) / (draws - 1));
    expect(Math.abs(m - prior.loc) / (prior.scale / Math.sqrt(draws))).toBeLessThan(4);
    expect(Math.abs(sd - prior.scale) / (prior.scale / Math.sqrt(2 * draws))).toBeLessThan(4);
  });

  it('is reproducible with a seeded generator and survives a generator that returns 0', () => {
    const p = new GammaPrior(0.5, 2);
    const u1 = mulberry32(42);
    const u2 = mulberry32(42);
    for (let i = 0; i < 10; i++) expect(p.sample(u1)).toBe(p.sample(u2));
    const zeros = () => 0;
    expect(new LogNormalPrior(0, 1).sample(zeros)).toBe(1);
    expect(new GammaPrior(0.5, 2).sample(zeros)).toBeGreaterThan(0);
    expect(new GammaPrior(3, 1).sample(zeros)).toBeCloseTo(3 - 1 / 3, 15);
  });

  it('stops with an error instead of looping on a generator that is not random', () => {
    // Alternating 0.999, 0.5: Box–Muller gives z = √(−2 log 0.001)·cos(π) ≈ −3.72 every time, below
    // −1/c ≈ −2.45 for α = 1, so every proposal is rejected.
    let k = 0;
    const bad = () => [0.999, 0.5][k++ % 2]!;
    expect(() => new GammaPrior(1, 1).sample(bad)).toThrow(InputDataError);
  });

  it('rejects a generator outside [0, 1)', () => {
    expect(() => new GammaPrior(2, 1).sample(() => 1)).toThrow(InputDataError);
    expect(() => new LogNormalPrior(0, 1).sample(() => NaN)).toThrow(InputDataError);
  });
});

describe('priors: parameters', () => {
  it('reject invalid Gamma parameters', () => {
    for (const [a, b] of [[0, 1], [-1, 1], [1, 0], [1, -2], [NaN, 1], [1, NaN], [Infinity, 1], [1, Infinity]]) {
      expect(() => new GammaPrior(a!, b!), `Gamma(${a}, ${b})`).toThrow(InputDataError);
    }
  });

  it('reject invalid log-normal parameters', () => {
    for (const [m, s] of [[0, 0], [0, -1], [0, NaN], [0, Infinity], [NaN, 1], [Infinity, 1]]) {
      expect(() => new LogNormalPrior(m!, s!), `LogNormal(${m}, ${s})`).toThrow(InputDataError);
    }
  });

  it('describe themselves', () => {
    expect(new GammaPrior(3, 6).description).toBe('Gamma(3, 6)');
    expect(new LogNormalPrior(-4, 1).description).toBe('LogNormal(-4, 1)');
  });
});

describe('BoTorch default priors', () => {
  it('scale the lengthscale prior with the dimension: LogNormal(√2 + ½ log d, √3)', () => {
    for (const d of [1, 2, 6, 100]) {
      const p = dimensionScaledLengthscalePrior(d);
      expect(p.loc).toBeCloseTo(Math.SQRT2 + 0.5 * Math.log(d), 15);
      expect(p.scale).toBeCloseTo(Math.sqrt(3), 15);
      // Mode e^(√2 − 3) √d: BoTorch's initial lengthscale.
      expect(p.mode()).toBeCloseTo(Math.exp(Math.SQRT2 - 3) * Math.sqrt(d), 12);
    }
    expect(dimensionScaledLengthscalePrior(1).mode()).toBeCloseTo(0.2048, 4);
  });

  it('use LogNormal(−4, 1) for the noise, with BoTorch’s constraints', () => {
    const p = dimensionScaledNoisePrior();
    expect([p.loc, p.scale]).toEqual([-4, 1]);
    expect(BOTORCH_MIN_LENGTHSCALE).toBe(0.025);
    expect(BOTORCH_MIN_INFERRED_NOISE_LEVEL).toBe(1e-4);
  });

  it('keep the classic Gamma priors', () => {
    const ls = classicLengthscalePrior();
    const os = classicOutputscalePrior();
    const noise = classicNoisePrior();
    expect([ls.concentration, ls.rate]).toEqual([3, 6]);
    expect([os.concentration, os.rate]).toEqual([2, 0.15]);
    expect([noise.concentration, noise.rate]).toEqual([1.1, 0.05]);
  });

  it('reject a dimension that is not a positive integer', () => {
    for (const d of [0, -1, 1.5, NaN, Infinity]) expect(() => dimensionScaledLengthscalePrior(d)).toThrow(InputDataError);
  });
});
