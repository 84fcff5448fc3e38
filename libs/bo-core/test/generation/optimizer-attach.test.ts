import { describe, expect, it } from 'vitest';
import { InputDataError } from '../../src/errors/errors.js';
import { Optimizer, type OptimizerOptions } from '../../src/generation/optimizer.js';
import type { Trial } from '../../src/generation/trial.js';
import { SearchSpaceError } from '../../src/search-space/search-space-error.js';
import { branin } from '../../src/test-functions/branin.js';

const BRANIN_SPACE: OptimizerOptions['searchSpace'] = {
  parameters: [
    { name: 'x1', type: 'range', bounds: [-5, 10] },
    { name: 'x2', type: 'range', bounds: [0, 15] },
  ],
};

/** Cheap settings: the model phase stays fast and fully deterministic. */
const options = (extra: Partial<OptimizerOptions> = {}): OptimizerOptions => ({
  searchSpace: BRANIN_SPACE,
  seed: 7,
  strategy: { initialTrials: 5, numRestarts: 2, rawSamples: 32, mcSamples: 32 },
  ...extra,
});

const evaluate = (t: Trial): number => branin.evaluate([t.parameters['x1'] as number, t.parameters['x2'] as number]);

/** Attaches `from`'s trials, in order and with their state, to a fresh optimiser. */
function rebuild(from: Optimizer, opts: OptimizerOptions, withUnit = true): Optimizer {
  const fresh = new Optimizer(opts);
  for (const t of from.trials) {
    fresh.attachTrial(t.parameters, {
      status: t.status,
      generator: t.generator,
      ...(t.values ? { values: t.values } : {}),
      ...(t.error !== undefined ? { error: t.error } : {}),
      ...(withUnit ? { unit: Array.from(t.unit) } : {}),
    });
  }
  return fresh;
}

const points = (trials: readonly Trial[]): unknown[] => trials.map((t) => t.parameters);

describe('Optimizer.attachTrial', () => {
  it('registers the trial with its state and numbers it after the existing ones', () => {
    const opt = new Optimizer(options());
    const a = opt.attachTrial({ x1: 1, x2: 2 }, { status: 'completed', values: { objective: 3.5 } });
    const b = opt.attachTrial({ x1: -1, x2: 4 }, { status: 'failed', error: 'worker died' });
    const c = opt.attachTrial({ x1: 0, x2: 0 }, { status: 'running' });
    expect([a.index, b.index, c.index]).toEqual([0, 1, 2]);
    expect(a).toMatchObject({ status: 'completed', values: { objective: 3.5 }, generator: 'qlognei', parameters: { x1: 1, x2: 2 } });
    expect(Array.from(a.unit)).toEqual([6 / 15, 2 / 15]);
    expect(b).toMatchObject({ status: 'failed', error: 'worker died' });
    const next = opt.ask(2);
    expect(next.map((t) => t.index)).toEqual([3, 4]);
    // A running attached trial takes a result like an asked one; the best is the attached one.
    opt.tell(c.index, 100);
    expect(opt.best()?.index).toBe(0);
  });

  it('continues the Sobol stream where the original optimiser left it', () => {
    const original = new Optimizer(options({ strategy: { method: 'sobol' } }));
    const first = original.ask(3);
    original.tell(first[0]!.index, 1);
    original.fail(first[1]!.index, 'boom');
    const resumed = rebuild(original, options({ strategy: { method: 'sobol' } }));
    expect(points(resumed.ask(4))).toEqual(points(original.ask(4)));
  });

  it('without generator "sobol" leaves the stream alone', () => {
    const a = new Optimizer(options());
    a.attachTrial({ x1: 1, x2: 2 }, { status: 'running' });
    const b = new Optimizer(options());
    expect(points(a.ask(2))).toEqual(points(b.ask(2)));
  });

  it('replays constraint rejections, so constrained Sobol streams resume exactly', () => {
    const constrained: OptimizerOptions = {
      searchSpace: { ...BRANIN_SPACE, constraints: [{ coefficients: { x1: 1, x2: 1 }, bound: 2 }] },
      seed: 3,
      strategy: { method: 'sobol' },
    };
    const original = new Optimizer(constrained);
    original.ask(5);
    const resumed = rebuild(original, constrained);
    expect(points(resumed.ask(5))).toEqual(points(original.ask(5)));
    // One draw per trial would not do: more than 5 draws were rejected or kept so far.
    const naive = new Optimizer(constrained);
    for (const t of original.trials.slice(0, 5)) naive.attachTrial(t.parameters, { status: 'running' });
    expect(points(naive.ask(5))).not.toEqual(points(original.trials.slice(5)));
  });

  it('interrupted in the Sobol phase, a rebuilt optimiser proposes what the original does, model phase included', () => {
    const original = new Optimizer(options());
    const initial = original.ask(4);
    for (const t of initial.slice(0, 3)) original.tell(t.index, evaluate(t));
    const resumed = rebuild(original, options());
    // Same history: the rest of the initial design, then the first model-based batch.
    const step = (opt: Optimizer): Trial[] => {
      const out = opt.ask(2);
      for (const t of opt.trials) if (t.status === 'running') opt.tell(t.index, evaluate(t));
      return out;
    };
    const a = [step(original), step(original)];
    const b = [step(resumed), step(resumed)];
    expect(a[1]![0]!.generator).toBe('qlognei');
    expect(b.map(points)).toEqual(a.map(points));
  });

  it('two optimisers rebuilt from the same history propose the same points', () => {
    const original = new Optimizer(options());
    for (let round = 0; round < 4; round++) {
      const batch = original.ask(2);
      batch.forEach((t, i) => (i === 1 && round === 2 ? original.fail(t.index, 'evaluator threw') : original.tell(t.index, evaluate(t))));
    }
    original.ask(1); // left running: a pending point
    const x = rebuild(original, options());
    const y = rebuild(original, options());
    const px = x.ask(2);
    expect(px[0]!.generator).toBe('qlognei');
    expect(points(px)).toEqual(points(y.ask(2)));
  });

  it('validates parameters through the search space and values like tell', () => {
    const opt = new Optimizer(options({ outcomeConstraints: [{ metric: 'cost', bound: 1 }] }));
    expect(() => opt.attachTrial({ x1: 11, x2: 0 }, { status: 'running' })).toThrow(SearchSpaceError);
    expect(() => opt.attachTrial({ x1: 1 }, { status: 'running' })).toThrow(SearchSpaceError);
    expect(() => opt.attachTrial({ x1: 1, x2: 1 }, { status: 'completed' })).toThrow(InputDataError);
    expect(() => opt.attachTrial({ x1: 1, x2: 1 }, { status: 'completed', values: { objective: 1 } })).toThrow(/'cost' is undefined/);
    expect(() => opt.attachTrial({ x1: 1, x2: 1 }, { status: 'completed', values: { objective: Number.NaN, cost: 0 } })).toThrow(InputDataError);
    expect(() => opt.attachTrial({ x1: 1, x2: 1 }, { status: 'running', unit: [0.9, 0.9] })).toThrow(/decodes to x1/);
    expect(() => opt.attachTrial({ x1: 1, x2: 1 }, { status: 'pending' as never })).toThrow(InputDataError);
    expect(opt.trials).toHaveLength(0);
  });
});
