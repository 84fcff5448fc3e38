import { describe, expect, it } from 'vitest';
import {
  dLogH,
  dLogNormalCdf,
  eiH,
  log1mexp,
  logH,
  logNormalCdf,
  logNormalPdf,
  normalCdf,
  normalPdf,
  phiOverH,
} from '../../src/math/index.js';

/** Relative error against a reference, with an absolute floor for references at 0. */
function relErr(a: number, b: number, floor = 1e-300): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

// Reference values computed with mpmath at 80 significant digits, rounded to float64.
// [z, log h(z), Φ(z)/h(z), φ(z)/h(z)] with h(z) = φ(z) + z Φ(z).
const H_TABLE: [number, number, number, number][] = [
  [-1e6, -500000000028.55, 1000000.000002, 1000000000003.0],
  [-1e4, -50000019.33961931, 10000.000199999993, 100000002.99999994],
  [-1000, -500014.73445209116, 1000.001999994, 1000002.9999940001],
  [-100, -5010.12957880025, 100.01999400419587, 10002.999400419587],
  [-38.5, -749.3472742078229, 38.55184340493951, 1485.2459710901712],
  [-30, -457.724653760598, 30.06644615416242, 902.9933846248725],
  [-24.4, -304.99311446479123, 24.481558960397837, 598.3500386337072],
  [-15, -118.84817068411358, 15.131608564904813, 227.9741284735722],
  [-10.5, -60.77308370067394, 10.685595714219764, 113.19875499930751],
  [-10, -55.55312203612235, 10.194383033412553, 102.94383033412554],
  [-9.5, -50.578559393519754, 9.704018659963513, 93.18817726965337],
  [-7, -29.368107183141277, 7.270315472389873, 51.89220830672912],
  [-5, -16.74430116266099, 5.361816241288088, 27.809081206440442],
  [-3, -7.869686059603029, 3.5323375176251606, 11.597012552875482],
  [-2, -4.768783523917114, 2.679416883955586, 6.358833767911172],
  [-1.5, -3.52993592080571, 2.2795806941564463, 4.419371041234669],
  [-1, -2.4851210257126413, 1.9042712333296918, 2.9042712333296916],
  [-0.5, -1.6205162643873199, 1.5598731483480797, 1.7799365741740398],
  [0, -0.9189385332046728, 1.2533141373155003, 1.0],
  [0.5, -0.3598276837450638, 0.9909227180041099, 0.504538640997945],
  [1, 0.08002621884930694, 0.7766387252017393, 0.22336127479826073],
  [2, 0.6973835457882284, 0.48655931878528386, 0.026881362429432263],
  [5, 1.6094379231264313, 0.19999994053122006, 2.9734389976756013e-7],
  [10, 2.302585092994046, 0.1, 7.69459862670642e-24],
  [30, 3.4011973816621555, 0.03333333333333333, 4.912153782928492e-198],
];

// [z, log Φ(z), φ(z)/Φ(z)]
const PHI_TABLE: [number, number, number][] = [
  [-1e4, -50000010.12927891, 10000.000099999997],
  [-100, -5005.524208694205, 100.00999800099926],
  [-40, -804.6084420137538, 40.02496884720726],
  [-20, -203.91715537109727, 20.04975306852785],
  [-5, -15.064998393988725, 5.186503967125842],
  [-1.5, -2.7059444008238898, 1.938677166622543],
  [-1, -1.8410216450092636, 1.525135276160981],
  [-0.5, -1.1759117615936185, 1.1410777703680646],
  [0, -0.6931471805599453, 0.7978845608028654],
  [1, -0.17275377902344988, 0.2875999709391784],
  [3, -0.0013508099647481938, 0.004437839042125664],
  [8, -6.220960574271786e-16, 5.052271083536895e-15],
  [20, -2.7536241186062337e-89, 5.520948362159764e-88],
];

function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

describe('normal density and CDF', () => {
  it('match known values, with relative accuracy in the lower tail', () => {
    expect(normalPdf(0)).toBe(0.3989422804014327);
    expect(relErr(normalPdf(-3), 0.0044318484119380075)).toBeLessThan(1e-15);
    expect(relErr(Math.exp(logNormalPdf(1.7)), normalPdf(1.7))).toBeLessThan(1e-15);
    expect(normalCdf(0)).toBe(0.5);
    expect(relErr(normalCdf(1.96), 0.9750021048517795)).toBeLessThan(1e-15);
    expect(relErr(normalCdf(-10), 7.61985302416052606e-24)).toBeLessThan(1e-14);
    expect(relErr(normalCdf(-37), 5.725571222524e-300)).toBeLessThan(1e-11);
  });
});

describe('logNormalCdf and its derivative', () => {
  it('match high-precision references from z = -1e4 to 20', () => {
    for (const [z, logPhi, ratio] of PHI_TABLE) {
      // 5e-14: erfc's own relative error in the far upper tail (log Φ(20) = -Φ(-20))
      expect(relErr(logNormalCdf(z), logPhi), `log Φ(${z})`).toBeLessThan(5e-14);
      expect(relErr(dLogNormalCdf(z), ratio), `φ/Φ(${z})`).toBeLessThan(1e-14);
    }
  });

  it('agree with log(normalCdf) where that is accurate (z in [-37, 2])', () => {
    for (const z of grid(-37, 2, 400)) {
      expect(Math.abs(logNormalCdf(z) - Math.log(normalCdf(z))), `z = ${z}`).toBeLessThan(1e-14 * Math.max(1, Math.abs(logNormalCdf(z))));
    }
  });

  it('follow the asymptote -z²/2 - log(-z) - ½ log 2π at z = -40, finite at -1e150', () => {
    const z = -40;
    const asymptote = -0.5 * z * z - Math.log(-z) - 0.5 * Math.log(2 * Math.PI);
    expect(relErr(logNormalCdf(z), asymptote)).toBeLessThan(1e-3);
    expect(Number.isFinite(logNormalCdf(-1e150))).toBe(true);
    expect(relErr(dLogNormalCdf(-1e150), 1e150)).toBeLessThan(1e-14);
  });

  it('derivative matches central differences', () => {
    for (const z of [-1e3, -50, -12, -3, -1.2, -1, -0.4, 0, 0.7, 2.5, 6]) {
      const h = 1e-5 * Math.max(1, Math.abs(z));
      const fd = (logNormalCdf(z + h) - logNormalCdf(z - h)) / (2 * h);
      expect(relErr(dLogNormalCdf(z), fd, 1e-12), `z = ${z}`).toBeLessThan(1e-7);
    }
  });
});

describe('log1mexp', () => {
  it('is log(1 - exp(x)) accurately at both ends', () => {
    expect(relErr(log1mexp(-1), Math.log(1 - Math.exp(-1)))).toBeLessThan(1e-15);
    expect(relErr(log1mexp(-1e-20), Math.log(1e-20))).toBeLessThan(1e-15);
    expect(relErr(log1mexp(-50), -Math.exp(-50))).toBeLessThan(1e-15);
    expect(relErr(log1mexp(-Math.LN2), -Math.LN2)).toBeLessThan(1e-15);
    expect(log1mexp(0)).toBe(-Infinity);
    expect(log1mexp(0.1)).toBeNaN();
  });
});

describe('h(z) = φ(z) + z Φ(z) and log h', () => {
  it('log h, Φ/h and φ/h match high-precision references from z = -1e6 to 30', () => {
    for (const [z, lh, dlh, poh] of H_TABLE) {
      expect(relErr(logH(z), lh), `log h(${z})`).toBeLessThan(1e-14);
      expect(relErr(dLogH(z), dlh), `Φ/h(${z})`).toBeLessThan(5e-14);
      expect(relErr(phiOverH(z), poh), `φ/h(${z})`).toBeLessThan(5e-14);
      if (lh > -700) expect(relErr(eiH(z), Math.exp(lh)), `h(${z})`).toBeLessThan(1e-12);
    }
  });

  it('log h agrees with log(φ + zΦ) on [-5, 5]', () => {
    for (const z of grid(-5, 5, 501)) {
      const direct = Math.log(normalPdf(z) + z * normalCdf(z));
      expect(relErr(logH(z), direct), `z = ${z}`).toBeLessThan(1e-12);
    }
  });

  it('is continuous across the regime boundaries z = -1 and z = -10', () => {
    for (const b of [-1, -10]) {
      const below = b * (1 + 1e-12);
      const above = b * (1 - 1e-12);
      // the derivative-type functions move by O(1e-12) over that step: compare them one ulp apart
      const justBelow = b - Math.abs(b) * 2 ** -51;
      const justAbove = b + Math.abs(b) * 2 ** -51;
      expect(justBelow < b && b < justAbove).toBe(true);
      const dz = above - below;
      for (const [name, f, df] of [
        ['logH', logH, dLogH],
        ['eiH', eiH, normalCdf],
      ] as const) {
        const jump = f(above) - f(below) - dz * df(b);
        expect(Math.abs(jump), `${name} at ${b}`).toBeLessThan(2e-14 * Math.abs(f(b)));
      }
      for (const f of [dLogH, phiOverH]) expect(relErr(f(justAbove), f(justBelow)), `${f.name} at ${b}`).toBeLessThan(1e-13);
    }
  });

  it('tends to -z²/2 - ½ log 2π - 2 log|z| far below zero, finite for |z| up to 1e150', () => {
    for (const z of [-1e5, -1e8, -1e12, -1e150]) {
      const asymptote = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z);
      expect(relErr(logH(z), asymptote), `z = ${z}`).toBeLessThan(1e-15);
      expect(relErr(dLogH(z), -z - 2 / z), `z = ${z}`).toBeLessThan(1e-15);
    }
    expect(eiH(-40)).toBe(0); // where EI underflows, LogEI is still finite
    expect(logH(-40)).toBeCloseTo(-808.29856835662, 9);
  });

  it('derivatives match central differences: d log h = Φ/h, dh = Φ', () => {
    for (const z of [-1e4, -200, -24.4, -10.2, -9.8, -4, -1.05, -0.95, 0, 1.3, 4, 20]) {
      const h = 1e-5 * Math.max(1, Math.abs(z));
      const fd = (logH(z + h) - logH(z - h)) / (2 * h);
      expect(relErr(dLogH(z), fd), `d log h at ${z}`).toBeLessThan(1e-7);
      if (z > -30) {
        // h decays on a scale 1/|z|: a step of 1e-6/|z| keeps the truncation error small
        const hH = 1e-6 / Math.max(1, Math.abs(z));
        const fdH = (eiH(z + hH) - eiH(z - hH)) / (2 * hH);
        expect(relErr(normalCdf(z), fdH, 1e-300), `dh at ${z}`).toBeLessThan(1e-6);
      }
    }
  });
});
