import { describe, expect, it } from 'vitest';
import { InputDataError, ShapeError } from '../../src/errors/errors.js';
import { Prng } from '../../src/sampling/prng.js';
import { SearchSpace, type ParameterValues, type SearchSpaceConfig } from '../../src/search-space/index.js';

const CONFIG_JSON =
  '{"parameters":[{"name":"x1","type":"range","bounds":[-5,10]},{"name":"lr","type":"range","bounds":[1e-5,0.1],"log":true},{"name":"layers","type":"int","bounds":[1,8]},{"name":"opt","type":"choice","values":["sgd","adam"]}]}';
const space = new SearchSpace(JSON.parse(CONFIG_JSON) as SearchSpaceConfig);

function randomValues(rng: Prng): ParameterValues {
  return {
    x1: -5 + 15 * rng.uniform(),
    lr: Math.exp(Math.log(1e-5) + rng.uniform() * (Math.log(0.1) - Math.log(1e-5))),
    layers: 1 + rng.integer(8),
    opt: rng.integer(2) === 0 ? 'sgd' : 'adam',
  };
}

function randomPoint(rng: Prng, dim: number, lo = 0, hi = 1): Float64Array {
  return Float64Array.from({ length: dim }, () => lo + (hi - lo) * rng.uniform());
}

describe('SearchSpace encoding (x1, log lr, int layers, choice opt)', () => {
  it('has one coordinate per range/int parameter and one per unordered choice value', () => {
    expect(space.dim).toBe(5);
    expect(space.coordinates.map((c) => c.kind)).toEqual(['continuous', 'continuous', 'integer', 'one-hot', 'one-hot']);
    expect(space.encode({ x1: -5, lr: 1e-5, layers: 1, opt: 'adam' })).toEqual(Float64Array.from([0, 0, 1 / 16, 0, 1]));
    expect(space.encode({ x1: 10, lr: 0.1, layers: 8, opt: 'sgd' })).toEqual(Float64Array.from([1, 1, 15 / 16, 1, 0]));
  });

  it('round-trips random values: exactly for int and choice, to 1e-12 for range', () => {
    const rng = new Prng(1);
    const mismatches: unknown[] = [];
    let x1Error = 0;
    let lrError = 0;
    for (let t = 0; t < 5000; t++) {
      const v = randomValues(rng);
      const u = space.encode(v);
      if (u.some((x) => !(x >= 0 && x <= 1))) mismatches.push({ v, u });
      const back = space.decode(u);
      if (back['layers'] !== v['layers'] || back['opt'] !== v['opt'] || Object.keys(back).join() !== 'x1,lr,layers,opt') mismatches.push({ v, back });
      // x1 relative to the bounds' magnitude (a value near 0 cannot keep relative accuracy); lr purely relative.
      x1Error = Math.max(x1Error, Math.abs((back['x1'] as number) - (v['x1'] as number)) / 10);
      lrError = Math.max(lrError, Math.abs((back['lr'] as number) / (v['lr'] as number) - 1));
    }
    expect(mismatches).toEqual([]);
    expect(x1Error).toBeLessThanOrEqual(1e-12);
    expect(lrError).toBeLessThanOrEqual(1e-12);
  });

  it('decodes every random unit point, even outside the cube, to valid values', () => {
    const rng = new Prng(2);
    for (let t = 0; t < 2000; t++) space.validateValues(space.decode(randomPoint(rng, space.dim, -0.25, 1.25)));
    expect(space.decode([0, 0, 0, 0, 0])).toEqual({ x1: -5, lr: 1e-5, layers: 1, opt: 'sgd' });
    expect(space.decode([1, 1, 1, 0, 0])).toEqual({ x1: 10, lr: 0.1, layers: 8, opt: 'sgd' });
  });

  it('puts the log-scale midpoint of [1e-5, 0.1] at 1e-3', () => {
    const lr = space.decode([0.5, 0.5, 0.5, 1, 0])['lr'] as number;
    expect(Math.abs(lr / 1e-3 - 1)).toBeLessThan(1e-12);
    expect(space.encode({ x1: 0, lr: 1e-3, layers: 3, opt: 'sgd' })[1]).toBeCloseTo(0.5, 14);
  });

  it('gives every int level the same share of the unit interval', () => {
    const counts = new Map<number, number>();
    const N = 8000;
    for (let k = 0; k < N; k++) {
      const layers = space.decode([0.5, 0.5, (k + 0.5) / N, 1, 0])['layers'] as number;
      counts.set(layers, (counts.get(layers) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const c of counts.values()) expect(c).toBe(N / 8);
  });

  it('takes the argmax of the one-hot block (first on ties)', () => {
    expect(space.decode([0, 0, 0, 0.2, 0.7])['opt']).toBe('adam');
    expect(space.decode([0, 0, 0, 0.7, 0.2])['opt']).toBe('sgd');
    expect(space.decode([0, 0, 0, 0.5, 0.5])['opt']).toBe('sgd');
    expect(space.decode([0, 0, 0, -3, -1])['opt']).toBe('adam');
  });

  it('encodeMany / decodeMany agree with encode / decode', () => {
    const rng = new Prng(3);
    const values = Array.from({ length: 20 }, () => randomValues(rng));
    const U = space.encodeMany(values);
    expect([U.rows, U.cols]).toEqual([20, 5]);
    values.forEach((v, i) => expect(U.data.subarray(i * 5, i * 5 + 5)).toEqual(space.encode(v)));
    const back = space.decodeMany(U);
    expect(back).toEqual(values.map((_, i) => space.decode(U.data.subarray(i * 5, i * 5 + 5))));
    expect(space.decodeMany([U.data.subarray(0, 5)])).toEqual([back[0]]);
  });

  it('rejects points of the wrong length or with non-finite entries', () => {
    expect(() => space.decode([0.5, 0.5, 0.5, 1])).toThrow(ShapeError);
    expect(() => space.decode([0.5, 0.5, 0.5, 1])).toThrow(/4 entries but the search space has 5 coordinates \(x1, lr, layers, opt="sgd", opt="adam"\)/);
    expect(() => space.decode([0.5, Number.NaN, 0.5, 1, 0])).toThrow(InputDataError);
    expect(() => space.decode([0.5, Number.NaN, 0.5, 1, 0])).toThrow(/u\[1\] is NaN/);
    expect(() => space.roundToFeasible([0.5])).toThrow(ShapeError);
    expect(() => space.decodeMany({ rows: 1, cols: 4, data: new Float64Array(4) })).toThrow(ShapeError);
    expect(() => space.decodeMany([[0, 0, 0, 0, 0], [0, 0, Infinity, 0, 0]])).toThrow(/points\[1\]\[2\] is Infinity/);
  });
});

describe('roundToFeasible', () => {
  it('is idempotent and keeps the decoded values', () => {
    const rng = new Prng(4);
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, j) => x === b[j]);
    const failures: unknown[] = [];
    for (let t = 0; t < 2000; t++) {
      const u = randomPoint(rng, space.dim, -0.25, 1.25);
      const r = space.roundToFeasible(u);
      const d = space.decode(u);
      const dr = space.decode(r);
      // Discrete coordinates land on the canonical encoding.
      const e = space.encode(d);
      const ok =
        same(space.roundToFeasible(r), r) &&
        Object.keys(d).every((k) => d[k] === dr[k]) &&
        same(r.subarray(2), e.subarray(2)) &&
        r.every((x) => x >= 0 && x <= 1);
      if (!ok) failures.push({ u, r, d, dr });
    }
    expect(failures).toEqual([]);
  });

  it('moves ints to level centres and one-hot blocks to indicators', () => {
    expect(Array.from(space.roundToFeasible([1.5, -1, 0.3, 0.4, 0.1]))).toEqual([1, 0, 2.5 / 8, 1, 0]);
  });
});

describe('other parameter kinds', () => {
  const mixed = new SearchSpace({
    parameters: [
      { name: 'depth', type: 'int', bounds: [1, 1000], log: true },
      { name: 'size', type: 'choice', values: ['s', 'm', 'l', 'xl'], ordered: true },
      { name: 'seed', type: 'fixed', value: 42 },
      { name: 'flag', type: 'choice', values: [true, false, 0] },
      { name: 'big', type: 'int', bounds: [-1e12, 1e12] },
      { name: 'bigLog', type: 'int', bounds: [1, 1e12], log: true },
    ],
  });

  it('lays out coordinates and the discrete structure', () => {
    expect(mixed.dim).toBe(7);
    expect(mixed.discreteStructure()).toEqual({
      continuous: [],
      leveled: [
        { kind: 'integer', index: 0, parameter: 'depth', levels: 1000, log: true },
        { kind: 'ordinal', index: 1, parameter: 'size', levels: 4, log: false },
        { kind: 'integer', index: 5, parameter: 'big', levels: 2e12 + 1, log: false },
        { kind: 'integer', index: 6, parameter: 'bigLog', levels: 1e12, log: true },
      ],
      oneHot: [{ parameter: 'flag', indices: [2, 3, 4], values: [true, false, 0] }],
      discreteCombinations: 1000 * 4 * 3 * (2e12 + 1) * 1e12,
    });
    expect(space.discreteStructure()).toEqual({
      continuous: [0, 1],
      leveled: [{ kind: 'integer', index: 2, parameter: 'layers', levels: 8, log: false }],
      oneHot: [{ parameter: 'opt', indices: [3, 4], values: ['sgd', 'adam'] }],
      discreteCombinations: 16,
    });
  });

  it('round-trips every log-scaled int and ordered choice exactly, and fills in fixed values', () => {
    const failures: unknown[] = [];
    for (let depth = 1; depth <= 1000; depth++) {
      for (const size of ['s', 'm', 'l', 'xl']) {
        const v: ParameterValues = { depth, size, seed: 42, flag: depth % 3 === 0 ? 0 : depth % 2 === 0, big: -depth, bigLog: depth };
        const back = mixed.decode(mixed.encode(v));
        if (Object.keys(v).some((k) => back[k] !== v[k])) failures.push({ v, back });
      }
    }
    expect(failures).toEqual([]);
    const { seed: _seed, ...withoutFixed } = mixed.decode(new Float64Array(7).fill(0.5));
    expect(mixed.decode(mixed.encode(withoutFixed))['seed']).toBe(42);
  });

  it('round-trips ints exactly up to the largest allowed bounds', () => {
    const rng = new Prng(5);
    const failures: unknown[] = [];
    for (let t = 0; t < 5000; t++) {
      const big = Math.round((rng.uniform() * 2 - 1) * 1e12);
      const bigLog = Math.max(1, Math.round(Math.exp(rng.uniform() * Math.log(1e12))));
      const back = mixed.decode(mixed.encode({ depth: 1, size: 's', seed: 42, flag: true, big, bigLog }));
      if (back['big'] !== big || back['bigLog'] !== bigLog) failures.push({ big, bigLog, back });
    }
    expect(failures).toEqual([]);
    for (const big of [-1e12, 1e12]) expect(mixed.decode(mixed.encode({ depth: 1, size: 's', flag: true, big, bigLog: 1e12 }))['big']).toBe(big);
  });

  it('gives a log-scaled int larger shares to small values, each integer its rounding cell', () => {
    // Level v owns u in [ln(v - 1/2), ln(v + 1/2)) over [ln 0.5, ln 1000.5]; depth 1's share is ln 3 / ln 2001.
    let ones = 0;
    const N = 100_000;
    for (let k = 0; k < N; k++) if (mixed.decode([(k + 0.5) / N, 0, 0, 0, 0, 0, 0])['depth'] === 1) ones++;
    expect(ones / N).toBeCloseTo(Math.log(3) / Math.log(2001), 4);
  });

  it('gives every ordered choice the same share and snaps it to the level centre', () => {
    const counts: Record<string, number> = {};
    for (let k = 0; k < 400; k++) {
      const s = mixed.decode([0, (k + 0.5) / 400, 0, 0, 0, 0, 0])['size'] as string;
      counts[s] = (counts[s] ?? 0) + 1;
    }
    expect(counts).toEqual({ s: 100, m: 100, l: 100, xl: 100 });
    expect(mixed.roundToFeasible([0, 0.6, 0, 0, 0, 0.5, 0.5])[1]).toBe(2.5 / 4);
  });

  it('keeps a parameter called "__proto__" as a plain key', () => {
    const odd = new SearchSpace(JSON.parse('{"parameters":[{"name":"__proto__","type":"range","bounds":[0,2]}],"constraints":[{"coefficients":{"__proto__":1},"bound":1}]}') as SearchSpaceConfig);
    const v = odd.decode([0.25]);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(odd.isFeasible(v)).toBe(true);
    expect(odd.isFeasible(odd.decode([0.75]))).toBe(false);
  });

  it('serialises to a config that builds the same space', () => {
    const again = new SearchSpace(JSON.parse(JSON.stringify(mixed)) as SearchSpaceConfig);
    expect(again.toJSON()).toEqual(mixed.toJSON());
    expect(again.dim).toBe(mixed.dim);
    expect(Object.isFrozen(mixed.parameters[0])).toBe(true);
  });
});

describe('levelCentres', () => {
  it('gives the canonical position of every level, which decodes back to that level', async () => {
    const { SearchSpace } = await import('../../src/search-space/index.js');
    const space = new SearchSpace({ parameters: [{ name: 'n', type: 'int', bounds: [1, 100], log: true }, { name: 'k', type: 'int', bounds: [2, 5] }, { name: 'c', type: 'choice', values: ['a', 'b', 'c'], ordered: true }] });
    const n = space.levelCentres(0);
    expect(n).toHaveLength(100);
    n.forEach((u, j) => {
      expect(space.decode([u, 0.5, 0.5]).n).toBe(j + 1);
      if (j > 0) expect(u).toBeGreaterThan(n[j - 1]!);
    });
    expect(Array.from(space.levelCentres(1))).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(Array.from(space.levelCentres(2)).map((u) => space.decode([0.5, 0.5, u]).c)).toEqual(['a', 'b', 'c']);
    expect(() => space.levelCentres(5)).toThrow(/not an int or ordered-choice/);
  });
});
