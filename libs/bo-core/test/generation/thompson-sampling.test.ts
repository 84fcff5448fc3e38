import { describe, expect, it } from 'vitest';
import { fitGP } from '../../src/models/fit-gp.js';
import { buildPresetModel } from '../../src/models/presets.js';
import type { SingleTaskGP } from '../../src/models/single-task-gp.js';
import { ASSUMED_QLOGNEI_MS_PER_POINT, Optimizer } from '../../src/generation/optimizer.js';
import { thompsonBatch } from '../../src/generation/thompson-sampling.js';
import { SearchSpace } from '../../src/search-space/search-space.js';
import { branin } from '../../src/test-functions/branin.js';
import { evaluateUnit } from '../../src/test-functions/test-function.js';
import { SobolEngine } from '../../src/sampling/sobol.js';

/** A fitted GP on n scrambled-Sobol points of f (unit cube of dimension d). */
function fitted(d: number, n: number, f: (u: Float64Array) => number, seed = 3): { model: SingleTaskGP; X: Float64Array; y: number[] } {
  const X = new SobolEngine(d, { scramble: true, seed }).draw(n);
  const y = Array.from({ length: n }, (_, i) => f(X.subarray(i * d, (i + 1) * d)));
  const { model, noiseFloor } = buildPresetModel('matern-gamma', { rows: n, cols: d, data: X }, y, null);
  fitGP(model, { noiseFloor, seed: 0 });
  return { model, X, y };
}

const unitSpace = (d: number): SearchSpace => new SearchSpace({ parameters: Array.from({ length: d }, (_, j) => ({ name: `x${j}`, type: 'range' as const, bounds: [0, 1] as [number, number] })) });

describe('thompsonBatch', () => {
  const brn = (u: Float64Array): number => evaluateUnit(branin, u);
  const { model, X, y } = fitted(2, 40, brn);
  const space = unitSpace(2);
  const base = { searchSpace: space, baseline: X, baselineValues: y, maximize: false };

  it('returns q distinct points of the cube, the same for the same seed', () => {
    const a = thompsonBatch(model, { ...base, q: 8, seed: 11 });
    const b = thompsonBatch(model, { ...base, q: 8, seed: 11 });
    expect(a).toHaveLength(8);
    expect(a.map((u) => Array.from(u))).toEqual(b.map((u) => Array.from(u)));
    expect(new Set(a.map((u) => u.join(','))).size).toBe(8);
    for (const u of a) for (const v of u) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('proposes near the minimum of a well-modelled function', () => {
    // Most of the batch beats all but the best few of the 40 quasi-random points (Branin's minimum is 0.398).
    const values = thompsonBatch(model, { ...base, q: 8, seed: 5 }).map(brn);
    const median = [...values].sort((p, q) => p - q)[4]!;
    const fourthBest = [...y].sort((p, q) => p - q)[3]!;
    expect(median).toBeLessThan(fourthBest);
    expect(Math.min(...values)).toBeLessThan(2);
  });

  it('moves away from a pending point it would otherwise propose', () => {
    const [first] = thompsonBatch(model, { ...base, q: 1, seed: 21 });
    const [next] = thompsonBatch(model, { ...base, q: 1, seed: 21, pending: first });
    expect(Array.from(next!)).not.toEqual(Array.from(first!));
  });

  it('maximises when asked', () => {
    const values = thompsonBatch(model, { ...base, maximize: true, q: 4, seed: 2 }).map(brn);
    expect(Math.min(...values)).toBeGreaterThan(Math.max(...y) / 4);
  });

  it('keeps to an outcome constraint', () => {
    // Objective falls towards x0 = 1, but the constraint c = x0 <= 0.3 keeps the batch left.
    const d = 2;
    const obj = fitted(d, 30, (u) => -u[0]! + 0.1 * u[1]!);
    const con = fitted(d, 30, (u) => u[0]!);
    const batch = thompsonBatch(obj.model, { searchSpace: space, baseline: obj.X, baselineValues: obj.y, maximize: false, q: 6, seed: 4, constraints: [{ model: con.model, bound: 0.3 }] });
    for (const u of batch) expect(u[0]!).toBeLessThan(0.36);
    const free = thompsonBatch(obj.model, { searchSpace: space, baseline: obj.X, baselineValues: obj.y, maximize: false, q: 6, seed: 4 });
    expect(Math.max(...free.map((u) => u[0]!))).toBeGreaterThan(0.8);
  });

  it('proposes feasible discrete points and respects linear constraints', () => {
    const ds = new SearchSpace({
      parameters: [
        { name: 'a', type: 'int', bounds: [1, 8] },
        { name: 'b', type: 'choice', values: ['x', 'y', 'z'] },
        { name: 'c', type: 'range', bounds: [0, 1] },
        { name: 'e', type: 'range', bounds: [0, 1] },
      ],
      constraints: [{ coefficients: { c: 1, e: 1 }, bound: 1 }],
    });
    const n = 25;
    const X = new SobolEngine(ds.dim, { scramble: true, seed: 1 }).draw(n);
    const rows = Array.from({ length: n }, (_, i) => ds.roundToFeasible(X.subarray(i * ds.dim, (i + 1) * ds.dim)));
    const flat = new Float64Array(n * ds.dim);
    rows.forEach((r, i) => flat.set(r, i * ds.dim));
    const y = rows.map((r) => (ds.decode(r)['a'] as number) + (ds.decode(r)['c'] as number));
    const { model, noiseFloor } = buildPresetModel('matern-gamma', { rows: n, cols: ds.dim, data: flat }, y, null);
    fitGP(model, { noiseFloor, seed: 0 });
    const batch = thompsonBatch(model, { searchSpace: ds, baseline: flat, baselineValues: y, maximize: false, q: 5, seed: 9 });
    expect(batch).toHaveLength(5);
    for (const u of batch) {
      const v = ds.decode(u);
      expect(Number.isInteger(v['a'])).toBe(true);
      expect(['x', 'y', 'z']).toContain(v['b']);
      expect(ds.isFeasible(v)).toBe(true);
      expect(Array.from(ds.roundToFeasible(u))).toEqual(Array.from(u));
    }
  });
});

describe('Optimizer time budget', () => {
  const space = { parameters: [{ name: 'x1', type: 'range' as const, bounds: [-5, 10] as [number, number] }, { name: 'x2', type: 'range' as const, bounds: [0, 15] as [number, number] }] };
  const strategy = { initialTrials: 5, numRestarts: 2, rawSamples: 32, mcSamples: 32 };
  const evaluate = (p: Record<string, unknown>): number => branin.evaluate([p['x1'] as number, p['x2'] as number]);

  function warmedUp(opt: Optimizer): void {
    for (const t of opt.ask(6)) opt.tell(t.index, evaluate(t.parameters));
  }

  it('uses qLogNEI without a budget or within it, and Thompson sampling when qLogNEI would exceed it', () => {
    const opt = new Optimizer({ searchSpace: space, seed: 1, strategy });
    warmedUp(opt);
    const [a] = opt.ask(1);
    expect(a!.generator).toBe('qlognei');
    const [b] = opt.ask(1, { timeBudgetMs: 1e9 });
    expect(b!.generator).toBe('qlognei');
    const c = opt.ask(3, { timeBudgetMs: 0 });
    expect(c.map((t) => t.generator)).toEqual(['thompson', 'thompson', 'thompson']);
    expect(opt.lastGeneration).toMatchObject({ generator: 'thompson', points: 3 });
    // The Thompson points are pending for later steps, like any running trial.
    expect(opt.trials.filter((t) => t.status === 'running')).toHaveLength(5);
  });

  it('assumes a cost per qLogNEI point before measuring one', () => {
    const opt = new Optimizer({ searchSpace: space, seed: 1, strategy });
    warmedUp(opt);
    expect(opt.estimateModelStepMs(4)).toBe(4 * ASSUMED_QLOGNEI_MS_PER_POINT);
    expect(opt.ask(1, { timeBudgetMs: ASSUMED_QLOGNEI_MS_PER_POINT / 2 })[0]!.generator).toBe('thompson');
    expect(opt.ask(1, { timeBudgetMs: ASSUMED_QLOGNEI_MS_PER_POINT * 2 })[0]!.generator).toBe('qlognei');
    expect(opt.estimateModelStepMs(4)).not.toBe(4 * ASSUMED_QLOGNEI_MS_PER_POINT);
    expect(new Optimizer({ searchSpace: space, strategy: { method: 'sobol' } }).estimateModelStepMs(1)).toBeNull();
  });

  it("method 'thompson' proposes by Thompson sampling after the initial design, and attaches", () => {
    const opt = new Optimizer({ searchSpace: space, seed: 1, strategy: { ...strategy, method: 'thompson' } });
    warmedUp(opt);
    const batch = opt.ask(4);
    expect(batch.map((t) => t.generator)).toEqual(['thompson', 'thompson', 'thompson', 'thompson']);
    const copy = new Optimizer({ searchSpace: space, seed: 1, strategy });
    for (const t of opt.trials) copy.attachTrial(t.parameters, { status: t.status, generator: t.generator, unit: Array.from(t.unit), ...(t.values ? { values: t.values } : {}) });
    expect(copy.trials.map((t) => t.generator)).toEqual(opt.trials.map((t) => t.generator));
  });

  it('says how many quasi-random trials come before the model', () => {
    const opt = new Optimizer({ searchSpace: space, seed: 1, strategy });
    expect(opt.quasiRandomTrialsAhead()).toBe(Infinity); // nothing completed yet
    const first = opt.ask(3);
    opt.tell(first[0]!.index, 1);
    expect(opt.quasiRandomTrialsAhead()).toBe(Infinity);
    opt.tell(first[1]!.index, 2);
    expect(opt.quasiRandomTrialsAhead()).toBe(2); // initialTrials 5, 3 proposed
    opt.ask(2);
    expect(opt.quasiRandomTrialsAhead()).toBe(0);
    expect(opt.ask(1)[0]!.generator).toBe('qlognei');
    expect(new Optimizer({ searchSpace: space, strategy: { method: 'sobol' } }).quasiRandomTrialsAhead()).toBe(Infinity);
  });

  it('rejects a negative or NaN budget', () => {
    const opt = new Optimizer({ searchSpace: space, seed: 1, strategy });
    expect(() => opt.ask(1, { timeBudgetMs: -1 })).toThrow(/timeBudgetMs/);
    expect(() => opt.ask(1, { timeBudgetMs: Number.NaN })).toThrow(/timeBudgetMs/);
  });
});
