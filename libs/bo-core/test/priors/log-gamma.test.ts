import { describe, expect, it } from 'vitest';
import { InputDataError } from '../../src/errors/errors.js';
import { lgamma } from '../../src/priors/log-gamma.js';

const relErr = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);

/** log Γ(x) from mpmath.loggamma at 40 significant digits, rounded to double. */
const REFERENCE: [number, number][] = [
  [1e-300, 690.7755278982137],
  [1e-10, 23.025850929882736],
  [0.001, 6.907178885383853],
  [0.1, 2.252712651734206],
  [0.3, 1.0957979948180756],
  [0.5, 0.5723649429247001],
  [0.9, 0.06637623973474295],
  [0.999999, 5.772164873855652e-7],
  [1.0000001, -5.772155829918507e-8],
  [1.25, -0.09827183642181316],
  [1.4616321449683622, -0.12148629053584961],
  [1.75, -0.08440112102048555],
  [1.9999999, -4.2278430309861296e-8],
  [2.0000001, 4.227843666532498e-8],
  [2.2, 0.09694746679063887],
  [2.5, 0.2846828704729192],
  [3.7, 1.428072326665388],
  [7.5, 7.534364236758733],
  [9.999, 12.799575780077413],
  [10.001, 12.804079285251861],
  [33.3, 82.60372358165495],
  [170.5, 704.0044277342047],
  [12345.678, 103959.91990554606],
  [999999.5, 12815497.661392707],
];

describe('lgamma', () => {
  it('matches high-precision references to 1e-13 relative, including next to the roots 1 and 2', () => {
    for (const [x, want] of REFERENCE) expect(relErr(lgamma(x), want), `x = ${x}`).toBeLessThan(1e-13);
  });

  it('gives log((n − 1)!) at integers and exact zeros at 1 and 2', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    let logFactorial = 0; // log((n − 1)!)
    for (let n = 2; n <= 170; n++) {
      logFactorial += Math.log(n - 1);
      if (n > 2) expect(relErr(lgamma(n), logFactorial), `n = ${n}`).toBeLessThan(1e-13);
    }
  });

  it('gives ½ log π at ½ and the half-integer values Γ(n + ½) = (2n)! √π / (4ⁿ n!)', () => {
    expect(relErr(lgamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(1e-15);
    let logValue = 0.5 * Math.log(Math.PI); // log Γ(n + ½), by Γ(x + 1) = x Γ(x)
    for (let n = 1; n <= 60; n++) {
      logValue += Math.log(n - 0.5);
      expect(relErr(lgamma(n + 0.5), logValue), `n = ${n}`).toBeLessThan(1e-13);
    }
  });

  it('satisfies lgamma(x + 1) = lgamma(x) + log x across the range', () => {
    for (let e = -6; e <= 5.9; e += 0.173) {
      const x = 10 ** e;
      const lhs = lgamma(x + 1);
      const rhs = lgamma(x) + Math.log(x);
      expect(Math.abs(lhs - rhs), `x = ${x}`).toBeLessThan(1e-13 * Math.max(1, Math.abs(lgamma(x)), Math.abs(lhs)));
    }
  });

  it('behaves like −log x near 0 and is +Infinity at +Infinity', () => {
    expect(relErr(lgamma(5e-324), -Math.log(5e-324))).toBeLessThan(1e-15);
    expect(lgamma(Infinity)).toBe(Infinity);
  });

  it('rejects non-positive and NaN arguments', () => {
    expect(() => lgamma(0)).toThrow(InputDataError);
    expect(() => lgamma(-1.5)).toThrow(InputDataError);
    expect(() => lgamma(NaN)).toThrow(InputDataError);
  });
});
