import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/sampling/prng.js';
import { SearchSpace, SearchSpaceError, type ParameterValues } from '../../src/search-space/index.js';

const space = new SearchSpace({
  parameters: [
    { name: 'a', type: 'range', bounds: [0, 10] },
    { name: 'b', type: 'range', bounds: [-5, 5] },
    { name: 'n', type: 'int', bounds: [0, 10] },
    { name: 'lr', type: 'range', bounds: [1e-4, 1], log: true },
    { name: 'kind', type: 'choice', values: ['p', 'q', 'r'] },
    { name: 'seed', type: 'fixed', value: 7 },
  ],
  constraints: [
    { coefficients: { a: 1, b: 2 }, bound: 8 }, // a + 2b <= 8
    { coefficients: { a: 1, n: -1 }, bound: 3 }, // a - n <= 3
    { coefficients: { b: -1.5, n: 0.5 }, bound: 4 }, // -1.5 b + 0.5 n <= 4
  ],
});

function problemsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(SearchSpaceError);
    return [...(e as SearchSpaceError).problems];
  }
  throw new Error('expected a SearchSpaceError');
}

describe('validateValues', () => {
  const good: ParameterValues = { a: 1, b: 0, n: 4, lr: 0.01, kind: 'q', seed: 7 };

  it('accepts valid values, with or without the fixed parameter', () => {
    expect(() => space.validateValues(good)).not.toThrow();
    const { seed: _seed, ...withoutFixed } = good;
    expect(() => space.validateValues(withoutFixed)).not.toThrow();
  });

  it('lists every problem, each at its parameter', () => {
    const problems = problemsOf(() =>
      space.validateValues({ a: '1', b: 6, n: 2.5, kind: 'z', seed: 8, extra: 1 } as unknown as ParameterValues),
    );
    expect(problems.map((p) => p.path)).toEqual(['values.extra', 'values.a', 'values.b', 'values.n', 'values.lr', 'values.kind', 'values.seed']);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['values.extra']).toMatch(/names no parameter; the parameters are "a", "b"/);
    expect(byPath['values.a']).toMatch(/expected a finite number in \[0, 10\], got "1" \(a string\)/);
    expect(byPath['values.b']).toMatch(/6 is outside the bounds \[-5, 5\]/);
    expect(byPath['values.n']).toMatch(/expected an integer from 0 to 10, got 2.5/);
    expect(byPath['values.lr']).toMatch(/is missing; expected a finite number in \[0.0001, 1\]/);
    expect(byPath['values.kind']).toMatch(/expected one of \["p", "q", "r"\], got "z"/);
    expect(byPath['values.seed']).toMatch(/expected 7 .*fixed.*got 8/);
  });

  it('rejects non-finite numbers and values that are not an object', () => {
    expect(problemsOf(() => space.validateValues({ ...good, a: Number.NaN })).map((p) => p.path)).toEqual(['values.a']);
    expect(problemsOf(() => space.validateValues(null as unknown as ParameterValues))[0]!.path).toBe('values');
  });

  it('is applied by encode, and by encodeMany with the row in the path', () => {
    expect(() => space.encode({ ...good, n: 11 })).toThrow(SearchSpaceError);
    const problems = problemsOf(() => space.encodeMany([good, { ...good, kind: 'x' }, { ...good, b: -6 }]));
    expect(problems.map((p) => p.path)).toEqual(['values[1].kind', 'values[2].b']);
  });
});

describe('linear constraints', () => {
  const base: ParameterValues = { a: 0, b: 0, n: 0, lr: 0.1, kind: 'p' };

  it('checks feasibility in the user units', () => {
    expect(space.isFeasible(base)).toBe(true);
    expect(space.isFeasible({ ...base, a: 4, b: 2, n: 1 })).toBe(true); // a + 2b = 8, on the boundary
    expect(space.isFeasible({ ...base, a: 4, b: 2.01, n: 1 })).toBe(false);
    expect(space.isFeasible({ ...base, a: 3 })).toBe(true); // a - n = 3
    expect(space.isFeasible({ ...base, a: 3.5 })).toBe(false);
    expect(space.isFeasible({ ...base, a: 3.5, n: 1 })).toBe(true);
    expect(space.isFeasible({ ...base, b: -3, n: 0 })).toBe(false); // 4.5 > 4
    expect(space.isFeasible({ ...base, b: -2, n: 2 })).toBe(true); // 3 + 1 = 4
  });

  it('tolerates rounding-level violations only', () => {
    expect(space.isFeasible({ ...base, a: 4, b: 2 + 1e-12, n: 1 })).toBe(true);
    expect(space.isFeasible({ ...base, a: 4, b: 2 + 1e-6, n: 1 })).toBe(false);
    const strict = new SearchSpace(space.toJSON(), { constraintTolerance: 0 });
    expect(strict.isFeasible({ ...base, a: 4, b: 2 + 1e-12, n: 1 })).toBe(false);
  });

  it('validates the values it checks', () => {
    expect(() => space.isFeasible({ ...base, a: 11 })).toThrow(SearchSpaceError);
  });

  it('rejects a constraint that no point within the bounds satisfies', () => {
    expect(
      () =>
        new SearchSpace({
          parameters: [
            { name: 'a', type: 'range', bounds: [0, 10] },
            { name: 'n', type: 'int', bounds: [2, 5] },
          ],
          constraints: [{ coefficients: { a: 1, n: 1 }, bound: 1 }],
        }),
    ).toThrow(/constraints\[0\]: 1·a \+ 1·n <= 1 cannot hold within the bounds: its smallest value there is 2 \(at a = 0, n = 2\)/);
  });

  it('expresses the constraints on the unit cube (sparse, one per constraint)', () => {
    const unit = space.unitConstraints();
    expect(unit).toEqual([
      // a = 10 u0, b = -5 + 10 u1: 10 u0 + 20 u1 <= 8 + 10.
      { indices: [0, 1], coefficients: [10, 20], rhs: 18, source: 0 },
      // n = -1/2 + 11 u2: 10 u0 - 11 u2 <= 3 - 1/2.
      { indices: [0, 2], coefficients: [10, -11], rhs: 2.5, source: 1 },
      // -1.5 (-5 + 10 u1) + 0.5 (-1/2 + 11 u2) <= 4: -15 u1 + 5.5 u2 <= 4 - 7.5 + 0.25.
      { indices: [1, 2], coefficients: [-15, 5.5], rhs: -3.25, source: 2 },
    ]);
  });

  it('agrees with isFeasible at random rounded points', () => {
    const unit = space.unitConstraints();
    const rng = new Prng(11);
    let feasible = 0;
    const disagreements: unknown[] = [];
    for (let t = 0; t < 5000; t++) {
      const u = space.roundToFeasible(Float64Array.from({ length: space.dim }, () => rng.uniform()));
      const inUnit = unit.every((c) => c.indices.reduce((s, j, k) => s + c.coefficients[k]! * u[j]!, 0) <= c.rhs);
      const values = space.decode(u);
      if (inUnit !== space.isFeasible(values)) disagreements.push({ values });
      if (inUnit) feasible++;
    }
    expect(disagreements).toEqual([]);
    // Both outcomes occur, so the comparison means something.
    expect(feasible).toBeGreaterThan(500);
    expect(feasible).toBeLessThan(4500);
  });

  it('agrees with isFeasible at random points for continuous-only constraints, even unrounded', () => {
    const unit = space.unitConstraints()[0]!;
    const rng = new Prng(12);
    const disagreements: unknown[] = [];
    for (let t = 0; t < 5000; t++) {
      const u = Float64Array.from({ length: space.dim }, () => rng.uniform());
      const v = space.decode(u);
      const inUnit = unit.coefficients[0]! * u[0]! + unit.coefficients[1]! * u[1]! <= unit.rhs;
      const inUser = (v['a'] as number) + 2 * (v['b'] as number) <= 8;
      if (inUnit !== inUser) disagreements.push({ u, v });
    }
    expect(disagreements).toEqual([]);
  });

  it('has no unit constraints without constraints', () => {
    const free = new SearchSpace({ parameters: [{ name: 'a', type: 'range', bounds: [0, 1] }] });
    expect(free.unitConstraints()).toEqual([]);
    expect(free.isFeasible({ a: 0.3 })).toBe(true);
    expect(free.toJSON()).toEqual({ parameters: [{ name: 'a', type: 'range', bounds: [0, 1] }] });
  });
});
