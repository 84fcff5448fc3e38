import { describe, expect, it } from 'vitest';
import { InputDataError } from '../../src/errors/errors.js';
import {
  SOBOL_MAX_DIMENSION,
  SOBOL_MAX_POINTS,
  SobolEngine,
} from '../../src/sampling/index.js';

/** Column j of an `n x dim` row-major matrix. */
const column = (x: Float64Array, dim: number, j: number): number[] => {
  const out: number[] = [];
  for (let i = j; i < x.length; i += dim) out.push(x[i]!);
  return out;
};

/** Whether the values put exactly one point in each [i/n, (i+1)/n), n = values.length. */
const onePerStratum = (values: readonly number[]): boolean => {
  const n = values.length;
  const seen = new Uint8Array(n);
  for (const v of values) {
    if (!(v >= 0 && v < 1)) return false;
    const cell = Math.floor(v * n);
    if (seen[cell]) return false;
    seen[cell] = 1;
  }
  return true;
};

describe('SobolEngine, unscrambled', () => {
  it('starts with the standard Sobol points (Gray-code order) in dimensions 1-3', () => {
    const x = new SobolEngine(3, { scramble: false }).draw(8);
    expect(column(x, 3, 0)).toEqual([0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]);
    expect(column(x, 3, 1)).toEqual([0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625]);
    expect(column(x, 3, 2)).toEqual([0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375]);
  });

  it('gives the same leading coordinates whatever the dimension', () => {
    const a = new SobolEngine(2, { scramble: false }).draw(64);
    const b = new SobolEngine(40, { scramble: false }).draw(64);
    for (let i = 0; i < 64; i++) {
      expect([b[i * 40]!, b[i * 40 + 1]!]).toEqual([a[i * 2]!, a[i * 2 + 1]!]);
    }
  });

  it('makes every 1-D projection of the first 2^k points exactly {i / 2^k}, in all 1111 dimensions', () => {
    const dim = SOBOL_MAX_DIMENSION;
    const engine = new SobolEngine(dim, { scramble: false });
    const n = 1024;
    const x = engine.draw(n);
    for (let j = 0; j < dim; j++) {
      for (const k of [1, 4, 10]) {
        const m = 2 ** k;
        const values = column(x, dim, j).slice(0, m).map((v) => v * m);
        const sorted = [...values].sort((a, b) => a - b);
        expect(
          sorted.every((v, i) => v === i),
          `dimension ${j + 1}, 2^${k} points`,
        ).toBe(true);
      }
    }
  });

  it('matches SciPy (same Joe–Kuo table, Gray-code order) at far indices in high dimensions', () => {
    // Coordinates × 2^32 of the point with the given index, from scipy.stats.qmc.Sobol(1111,
    // scramble=False, bits=32) direction numbers: x_i = XOR of v_k over the bits of i ^ (i >> 1).
    const dims = [1, 2, 3, 4, 10, 50, 51, 100, 300, 600, 1000, 1110, 1111];
    const expected: [number, number[]][] = [
      [1000, [943718400, 415236096, 2227175424, 2906652672, 297795584, 2059403264, 1514143744, 801112064, 1723858944, 3141533696, 859832320, 4248829952, 1589641216]],
      [4095, [1048576, 4042260480, 1435500544, 3872391168, 1058013184, 2609905664, 1997537280, 4134535168, 4205838336, 1097859072, 1324351488, 3440377856, 1454374912]],
      [123456789, [4191448864, 3403469216, 27513184, 3903213344, 1734853024, 2959714784, 1079348128, 2689388192, 3430643872, 3681619744, 237204896, 32470688, 2054762400]],
      [2147495993, [2752774147, 2238272853, 1645001659, 4141547569, 1452380627, 4251844153, 864841951, 331683515, 3854680229, 3458349163, 1253120121, 170655793, 2136735795]],
      [4294967295, [1, 4294967295, 3305133397, 1342505107, 2197780721, 2196727743, 3260083129, 1488403325, 4092739743, 1256041969, 1909304039, 3360686095, 654311485]],
    ];
    const engine = new SobolEngine(SOBOL_MAX_DIMENSION, { scramble: false });
    for (const [index, want] of expected) {
      const x = engine.reset().fastForward(index).draw(1);
      expect(dims.map((d) => x[d - 1]! * 2 ** 32), `index ${index}`).toEqual(want);
    }
  });

  it('matches a SciPy hash of the first 4096 points in all 1111 dimensions', () => {
    // h = (h · 1000003 + k + 1) mod (2^31 − 1) over the row-major values k = x · 4096 (integers
    // for these points), computed from scipy.stats.qmc.Sobol(1111, scramble=False).random(4096).
    const dim = SOBOL_MAX_DIMENSION;
    const x = new SobolEngine(dim, { scramble: false }).draw(4096);
    const P = 2 ** 31 - 1;
    let h = 0;
    for (const v of x) h = (h * 1000003 + v * 4096 + 1) % P;
    expect(h).toBe(1709289198);
  });

  it('has all 32 × 1111 direction numbers equal to SciPy’s (point 2^k − 1 is v_k alone)', () => {
    // Gray code of 2^k − 1 is 2^(k−1), so that point is the direction number v_k itself.
    // Hash h = (h · 1000003 + v) mod (2^31 − 1) over k = 1 … 32, then dimensions, of v × 2^32,
    // computed from scipy.stats.qmc.Sobol(1111, scramble=False, bits=32)._sv.
    const dim = SOBOL_MAX_DIMENSION;
    const engine = new SobolEngine(dim, { scramble: false });
    const P = 2 ** 31 - 1;
    let h = 0;
    for (let k = 1; k <= 32; k++) {
      const x = engine.reset().fastForward(2 ** k - 1).draw(1);
      for (const v of x) h = (h * 1000003 + v * 2 ** 32) % P;
    }
    expect(h).toBe(932308586);
  });
});

describe('SobolEngine, scrambled', () => {
  it('is the default, stays in [0, 1), and does not start at 0', () => {
    const engine = new SobolEngine(5);
    expect(engine.scramble).toBe(true);
    expect(engine.seed).toBe(0);
    const x = engine.draw(4096);
    expect(x.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Array.from(x.slice(0, 5)).some((v) => v !== 0)).toBe(true);
  });

  it('is reproducible for equal seeds and differs for different seeds', () => {
    const a = new SobolEngine(7, { seed: 42 }).draw(256);
    const b = new SobolEngine(7, { seed: 42 }).draw(256);
    const c = new SobolEngine(7, { seed: 43 }).draw(256);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === c[i]) same++;
    expect(same).toBe(0);
    expect(new SobolEngine(7, { seed: 42 }).draw(256)).not.toEqual(new SobolEngine(7, { scramble: false }).draw(256));
  });

  it('keeps one point per stratum of width 2^-k in every 1-D projection of 2^k points', () => {
    for (const [dim, seed] of [
      [3, 0],
      [64, 7],
      [SOBOL_MAX_DIMENSION, 12345],
    ] as const) {
      const n = 1024;
      const x = new SobolEngine(dim, { seed }).draw(n);
      for (let j = 0; j < dim; j++) {
        const col = column(x, dim, j);
        for (const m of [2, 16, 128, 1024]) {
          expect(onePerStratum(col.slice(0, m)), `dim ${j + 1} of ${dim}, seed ${seed}, ${m} points`).toBe(true);
          // The next block of m points is balanced too.
          if (2 * m <= n) expect(onePerStratum(col.slice(m, 2 * m))).toBe(true);
        }
      }
    }
  });

  it('has coordinate means within 1e-3 of 0.5 for 1024 points', () => {
    const dim = 100;
    const x = new SobolEngine(dim, { seed: 3 }).draw(1024);
    for (let j = 0; j < dim; j++) {
      const mean = column(x, dim, j).reduce((s, v) => s + v, 0) / 1024;
      expect(Math.abs(mean - 0.5), `dimension ${j + 1}`).toBeLessThan(1e-3);
    }
  });

  it('puts exactly a quarter of 1024 points in each quadrant of the first two coordinates', () => {
    for (const scramble of [false, true]) {
      for (const seed of [0, 1, 2]) {
        const x = new SobolEngine(2, { scramble, seed }).draw(1024);
        const counts = [0, 0, 0, 0];
        for (let i = 0; i < 1024; i++) {
          const q = (x[2 * i]! < 0.5 ? 0 : 1) + (x[2 * i + 1]! < 0.5 ? 0 : 2);
          counts[q]!++;
        }
        expect(counts, `scramble ${scramble}, seed ${seed}`).toEqual([256, 256, 256, 256]);
        // (0, m, 2)-net: every elementary box of volume 1/1024, e.g. 32 × 32 squares, holds one point.
        const cells = new Uint8Array(1024);
        for (let i = 0; i < 1024; i++) cells[Math.floor(x[2 * i]! * 32) * 32 + Math.floor(x[2 * i + 1]! * 32)]!++;
        expect(cells.every((c) => c === 1)).toBe(true);
      }
    }
  });
});

describe('SobolEngine, state', () => {
  it('fastForward(n) then draw equals drawing and discarding n points', () => {
    for (const scramble of [false, true]) {
      for (const skip of [0, 1, 5, 64, 1000, 1023]) {
        const drawn = new SobolEngine(9, { scramble, seed: 5 });
        drawn.draw(skip);
        const skipped = new SobolEngine(9, { scramble, seed: 5 }).fastForward(skip);
        expect(skipped.numGenerated).toBe(skip);
        expect(skipped.draw(50)).toEqual(drawn.draw(50));
        expect(skipped.draw(3)).toEqual(drawn.draw(3));
      }
    }
  });

  it('continues seamlessly across draws and restarts on reset()', () => {
    const engine = new SobolEngine(4, { seed: 11 });
    const all = new SobolEngine(4, { seed: 11 }).draw(100);
    const parts = [engine.draw(30), engine.draw(0), engine.draw(70)];
    expect(engine.numGenerated).toBe(100);
    const joined = new Float64Array(400);
    joined.set(parts[0]!, 0);
    joined.set(parts[2]!, 120);
    expect(joined).toEqual(all);
    expect(engine.reset().numGenerated).toBe(0);
    expect(engine.draw(100)).toEqual(all);
  });

  it('allows exactly 2^32 points and refuses more', () => {
    const engine = new SobolEngine(3, { scramble: false }).fastForward(SOBOL_MAX_POINTS - 2);
    const last = engine.draw(2);
    expect(last.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(engine.numGenerated).toBe(SOBOL_MAX_POINTS);
    expect(() => engine.draw(1)).toThrow(InputDataError);
    expect(() => new SobolEngine(1).fastForward(SOBOL_MAX_POINTS + 1)).toThrow(/at most 2\^32/);
    expect(new SobolEngine(1).fastForward(SOBOL_MAX_POINTS).draw(0)).toHaveLength(0);
  });

  it('rejects bad dimensions, counts and seeds with InputDataError', () => {
    for (const dim of [0, -1, 1.5, SOBOL_MAX_DIMENSION + 1, Number.NaN]) {
      expect(() => new SobolEngine(dim), `dim ${dim}`).toThrow(InputDataError);
    }
    expect(() => new SobolEngine(0)).toThrow(/expected dimension to be an integer in \[1, 1111\], got 0/);
    expect(() => new SobolEngine(2, { seed: 0.5 })).toThrow(InputDataError);
    const engine = new SobolEngine(2);
    for (const n of [-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => engine.draw(n), `draw(${n})`).toThrow(InputDataError);
      expect(() => engine.fastForward(n), `fastForward(${n})`).toThrow(InputDataError);
    }
    expect(new SobolEngine(1).dimension).toBe(1);
    expect(new SobolEngine(SOBOL_MAX_DIMENSION).dimension).toBe(1111);
  });
});
