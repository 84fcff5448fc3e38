import { describe, expect, it } from 'vitest';
import { InputDataError } from '../../src/errors/errors.js';
import { MAX_INT_BOUND, SearchSpace, SearchSpaceError, type SearchSpaceConfig } from '../../src/search-space/index.js';

/** Builds the space and returns the error it throws (fails the test if it does not throw). */
function errorOf(config: unknown): SearchSpaceError {
  try {
    new SearchSpace(config as SearchSpaceConfig);
  } catch (e) {
    expect(e).toBeInstanceOf(SearchSpaceError);
    expect(e).toBeInstanceOf(InputDataError);
    return e as SearchSpaceError;
  }
  throw new Error(`expected ${JSON.stringify(config)} to be rejected`);
}

const x = { name: 'x', type: 'range', bounds: [0, 1] };
const y = { name: 'y', type: 'range', bounds: [-2, 2] };
const n = { name: 'n', type: 'int', bounds: [1, 5] };
const c = { name: 'c', type: 'choice', values: ['a', 'b'] };
const f = { name: 'f', type: 'fixed', value: 3 };
const lg = { name: 'lg', type: 'range', bounds: [1e-3, 1], log: true };
const withParams = (...parameters: unknown[]) => ({ parameters });
const withConstraint = (constraint: unknown) => ({ parameters: [x, y, n, c, f, lg], constraints: [constraint] });

/** [what is wrong, config, the path of the (only) problem, a pattern its message matches]. */
const cases: [string, unknown, string, RegExp][] = [
  ['config is not an object', null, '(config)', /expected an object/],
  ['unknown top-level field', { parameters: [x], constrains: [] }, 'constrains', /not a field of a search space/],
  ['parameters missing', {}, 'parameters', /expected an array/],
  ['empty parameter list', withParams(), 'parameters', /is empty/],
  ['parameter not an object', withParams(x, 42), 'parameters[1]', /expected an object/],
  ['duplicate names', withParams(x, { ...y, name: 'x' }), 'parameters[1].name', /already the name of parameters\[0\]/],
  ['empty name', withParams({ ...x, name: '' }), 'parameters[0].name', /is empty/],
  ['whitespace name', withParams({ ...x, name: '  \t' }), 'parameters[0].name', /only whitespace/],
  ['name not a string', withParams({ ...x, name: 7 }), 'parameters[0].name', /expected a string/],
  ['unknown type', withParams(x, { name: 'z', type: 'float', bounds: [0, 1] }), 'parameters[1].type', /"range", "int", "choice" or "fixed"/],
  ['misspelt field', withParams({ ...x, logScale: true }), 'parameters[0].logScale', /not a field of a range parameter/],
  ['field of another type', withParams({ ...c, bounds: [0, 1] }), 'parameters[0].bounds', /not a field of a choice parameter/],
  ['range lower above upper', withParams(x, y, { ...x, name: 'z', bounds: [5, 1] }), 'parameters[2].bounds', /lower \(5\) must be below upper \(1\)/],
  ['range lower equals upper', withParams({ ...x, bounds: [2, 2] }), 'parameters[0].bounds', /equals upper.*fixed parameter/],
  ['int lower above upper', withParams({ ...n, bounds: [9, 3] }), 'parameters[0].bounds', /lower \(9\) must be below upper \(3\)/],
  ['int with one value', withParams({ ...n, bounds: [4, 4] }), 'parameters[0].bounds', /single value 4.*fixed/],
  ['int non-integer bounds', withParams({ ...n, bounds: [0.5, 3.5] }), 'parameters[0].bounds', /integer bounds.*\[1, 3\]/],
  ['int bounds too large', withParams({ ...n, bounds: [0, 2 * MAX_INT_BOUND] }), 'parameters[0].bounds', /within ±/],
  ['infinite bound', withParams({ ...x, bounds: [0, Infinity] }), 'parameters[0].bounds', /finite/],
  ['NaN bound', withParams({ ...x, bounds: [Number.NaN, 1] }), 'parameters[0].bounds', /finite/],
  ['bounds of one number', withParams({ ...x, bounds: [1] }), 'parameters[0].bounds', /\[lower, upper\]/],
  ['bounds as a string', withParams({ ...x, bounds: '0-1' }), 'parameters[0].bounds', /\[lower, upper\]/],
  ['bounds width overflows', withParams({ ...x, bounds: [-1e308, 1e308] }), 'parameters[0].bounds', /overflows/],
  ['log range with zero lower bound', withParams({ ...x, bounds: [0, 1], log: true }), 'parameters[0].bounds', /log scale needs a positive lower bound, got 0/],
  ['log range with negative lower bound', withParams({ ...x, bounds: [-1, 1], log: true }), 'parameters[0].bounds', /positive lower bound/],
  ['log int with zero lower bound', withParams({ ...n, bounds: [0, 10], log: true }), 'parameters[0].bounds', /at least 1/],
  ['log not a boolean', withParams({ ...x, log: 'yes' }), 'parameters[0].log', /true or false/],
  ['choice values missing', withParams({ name: 'c', type: 'choice' }), 'parameters[0].values', /expected an array/],
  ['empty choices', withParams({ ...c, values: [] }), 'parameters[0].values', /is empty/],
  ['choice with one value', withParams({ ...c, values: ['only'] }), 'parameters[0].values', /single value "only".*fixed/],
  ['duplicate choice values', withParams({ ...c, values: ['a', 'b', 'a'] }), 'parameters[0].values[2]', /repeats parameters\[0\]\.values\[0\]/],
  ['duplicate numeric choices (0 and -0)', withParams({ ...c, values: [0, -0, 1] }), 'parameters[0].values[1]', /distinct/],
  ['choice value of a wrong type', withParams({ ...c, values: ['a', { b: 1 }] }), 'parameters[0].values[1]', /string, a finite number or a boolean/],
  ['non-finite choice value', withParams({ ...c, values: [1, Number.NaN] }), 'parameters[0].values[1]', /finite number/],
  ['ordered not a boolean', withParams({ ...c, ordered: 1 }), 'parameters[0].ordered', /true or false/],
  ['fixed value of a wrong type', withParams(x, { ...f, value: null }), 'parameters[1].value', /string, a finite number or a boolean/],
  ['only fixed parameters', withParams(f), 'parameters', /nothing to optimise/],
  ['constraints not an array', { parameters: [x], constraints: {} }, 'constraints', /expected an array/],
  ['constraint not an object', withConstraint(3), 'constraints[0]', /expected an object/],
  ['constraint with a misspelt field', withConstraint({ coefficients: { x: 1 }, bound: 1, bnd: 2 }), 'constraints[0].bnd', /not a field/],
  ['constraint on an unknown parameter', withConstraint({ coefficients: { x: 1, w: 1 }, bound: 1 }), 'constraints[0].coefficients.w', /names no parameter/],
  ['constraint on a choice parameter', withConstraint({ coefficients: { c: 1 }, bound: 1 }), 'constraints[0].coefficients.c', /choice parameter/],
  ['constraint on a fixed parameter', withConstraint({ coefficients: { x: 1, f: 1 }, bound: 5 }), 'constraints[0].coefficients.f', /fixed parameter/],
  ['constraint on a log-scaled parameter', withConstraint({ coefficients: { lg: 1 }, bound: 1 }), 'constraints[0].coefficients.lg', /log-scaled.*non-linear/],
  ['constraint with no coefficients', withConstraint({ coefficients: {}, bound: 1 }), 'constraints[0].coefficients', /no non-zero coefficient/],
  ['constraint with only zero coefficients', withConstraint({ coefficients: { x: 0 }, bound: 1 }), 'constraints[0].coefficients', /no non-zero coefficient/],
  ['constraint coefficients missing', withConstraint({ bound: 1 }), 'constraints[0].coefficients', /expected an object/],
  ['non-finite coefficient', withConstraint({ coefficients: { x: 1, y: Infinity }, bound: 1 }), 'constraints[0].coefficients.y', /finite number/],
  ['non-finite bound', withConstraint({ coefficients: { x: 1 }, bound: Number.NaN }), 'constraints[0].bound', /finite number/],
  ['bound missing', withConstraint({ coefficients: { x: 1 } }), 'constraints[0].bound', /finite number/],
  // x in [0, 1], y in [-2, 2], n in 1..5: min of x + y + n is 0 - 2 + 1 = -1.
  ['infeasible constraint', withConstraint({ coefficients: { x: 1, y: 1, n: 1 }, bound: -1.5 }), 'constraints[0]', /cannot hold.*smallest value there is -1 \(at x = 0, y = -2, n = 1\)/],
  ['infeasible constraint, negative coefficient', withConstraint({ coefficients: { x: -1 }, bound: -2 }), 'constraints[0]', /smallest value there is -1 \(at x = 1\)/],
];

describe('SearchSpace rejects invalid definitions', () => {
  it.each(cases)('%s', (_label, config, path, pattern) => {
    const e = errorOf(config);
    expect(e.problems.map((p) => p.path)).toEqual([path]);
    expect(e.problems[0]!.message).toMatch(pattern);
    expect(e.message).toContain(`${path}: `);
  });

  it('collects every problem into one error', () => {
    const e = errorOf({
      parameters: [
        { name: 'a', type: 'range', bounds: [5, 1] },
        { name: 'a', type: 'choice', values: [] },
        { name: ' ', type: 'int', bounds: [2, 2] },
      ],
    });
    expect(e.problems.map((p) => p.path)).toEqual([
      'parameters[0].bounds',
      'parameters[1].values',
      'parameters[1].name',
      'parameters[2].name',
      'parameters[2].bounds',
    ]);
    expect(e.message).toMatch(/^Invalid search space \(5 problems\):\n {2}- parameters\[0\]\.bounds: lower \(5\) must be below upper \(1\)/);
  });

  it('checks constraints of a space whose parameters are valid, all of them', () => {
    const e = errorOf({
      parameters: [x, y, c],
      constraints: [{ coefficients: { x: 1 }, bound: -1 }, { coefficients: { c: 1 }, bound: 0 }, { coefficients: { y: 1 }, bound: 0 }],
    });
    expect(e.problems.map((p) => p.path)).toEqual(['constraints[0]', 'constraints[1].coefficients.c']);
  });

  it('still checks constraints when some parameters are invalid', () => {
    const e = errorOf({
      parameters: [x, { ...y, bounds: [3, -3] }],
      constraints: [{ coefficients: { x: 1, y: 1 }, bound: 0 }, { coefficients: { x: 1 }, bound: -1 }, { coefficients: { z: 1 }, bound: 0 }],
    });
    // constraints[0] involves the broken y: not checked further; constraints[1] and [2] are.
    expect(e.problems.map((p) => p.path)).toEqual(['parameters[1].bounds', 'constraints[1]', 'constraints[2].coefficients.z']);
  });

  it('accepts a constraint whose boundary just touches the bounds', () => {
    const space = new SearchSpace({ parameters: [x, y] as unknown as SearchSpaceConfig['parameters'], constraints: [{ coefficients: { x: 1, y: 1 }, bound: -2 }] });
    expect(space.isFeasible({ x: 0, y: -2 })).toBe(true);
    expect(space.isFeasible({ x: 0.1, y: -2 })).toBe(false);
  });

  it('rejects an invalid constraintTolerance option', () => {
    expect(() => new SearchSpace({ parameters: [x] as unknown as SearchSpaceConfig['parameters'] }, { constraintTolerance: -1 })).toThrow(InputDataError);
  });
});
