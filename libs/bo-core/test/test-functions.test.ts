import { describe, expect, it } from 'vitest';
import { evaluateUnit, getTestFunction, TEST_FUNCTION_NAMES } from '@apiary/bo-core';
import { HAVE_REFERENCE, readReference } from './support/reference.js';

const OPTIMA: Record<string, number[]> = {
  branin: [Math.PI, 2.275],
  sixhumpcamel: [0.0898, -0.7126],
  hartmann3: [0.114614, 0.555649, 0.852547],
  hartmann6: [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573],
  ackley4: [0, 0, 0, 0],
  levy4: [1, 1, 1, 1],
  rosenbrock4: [1, 1, 1, 1],
  styblinskitang4: [-2.903534, -2.903534, -2.903534, -2.903534],
  michalewicz5: [2.202906, 1.570796, 1.284992, 1.923058, 1.720470],
};

describe('test functions', () => {
  for (const name of TEST_FUNCTION_NAMES) {
    it(`${name}: the known minimiser attains the optimal value`, () => {
      const fn = getTestFunction(name);
      expect(fn.evaluate(OPTIMA[name]!)).toBeCloseTo(fn.optimalValue, 3);
    });
  }

  it.skipIf(!HAVE_REFERENCE)('match BoTorch values on the reference data sets (unit-cube inputs)', () => {
    const { sets } = readReference<{ sets: { function: string; noise_sd: number; X: number[][]; y: number[] }[] }>('gp_fit_reference.json');
    for (const set of sets.filter((s) => s.noise_sd === 0)) {
      const fn = getTestFunction(set.function);
      set.X.forEach((u, i) => expect(evaluateUnit(fn, u)).toBeCloseTo(set.y[i]!, 9));
    }
  });

  it('rejects an unknown name', () => {
    expect(() => getTestFunction('nope')).toThrow(/unknown test function/);
  });
});
