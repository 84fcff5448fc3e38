import { describe, expect, it } from 'vitest';
import { ExperimentConfigSchema, normalizeResult, parseOrThrow, ValidationError, zodProblems } from '@apiary/contracts';

const demo = {
  name: 'demo',
  parameters: [
    { name: 'x1', type: 'range', bounds: [-5, 10] },
    { name: 'lr', type: 'range', bounds: [1e-5, 0.1], log: true },
    { name: 'layers', type: 'int', bounds: [1, 8] },
    { name: 'opt', type: 'choice', values: ['sgd', 'adam'] },
  ],
  objective: { name: 'loss', minimize: true },
  budget: 30,
  batchSize: 4,
  parallelism: 4,
  seed: 0,
  evaluator: 'demo',
};

describe('ExperimentConfigSchema', () => {
  it('accepts the documented example and fills defaults', () => {
    const cfg = ExperimentConfigSchema.parse(demo);
    expect(cfg.mode).toBe('async');
    expect(cfg.maxRetries).toBe(2);
    expect(cfg.generation.method).toBe('qlognei');
    expect(ExperimentConfigSchema.parse({ ...demo, parallelism: undefined }).parallelism).toBe(4);
  });

  const cases: [string, (c: any) => void, RegExp][] = [
    ['missing bounds', (c) => delete c.parameters[0].bounds, /^parameters\[0\]\.bounds/],
    ['lower > upper', (c) => (c.parameters[0].bounds = [10, -5]), /^parameters\[0\]\.bounds: .*lower/],
    ['log scale with a non-positive bound', (c) => (c.parameters[1].bounds = [0, 0.1]), /^parameters\[1\]\.bounds/],
    ['empty choices', (c) => (c.parameters[3].values = []), /^parameters\[3\]\.values/],
    ['duplicate names', (c) => (c.parameters[1].name = 'x1'), /^parameters\[1\]\.name/],
    ['budget < 1', (c) => (c.budget = 0), /^budget: budget must be at least 1/],
    ['wrong type', (c) => (c.budget = 'thirty'), /^budget: /],
    ['evaluator name with a path', (c) => (c.evaluator = '../../bin/sh'), /^evaluator: /],
    ['unknown field', (c) => (c.budgte = 3), /^\(root\)|budgte/],
  ];
  for (const [what, mutate, pattern] of cases) {
    it(`rejects ${what}, naming the field`, () => {
      const c = structuredClone(demo) as any;
      mutate(c);
      const r = ExperimentConfigSchema.safeParse(c);
      expect(r.success).toBe(false);
      const lines = zodProblems(r.error!).map((p) => `${p.path}: ${p.message}`);
      if (!lines.some((l) => pattern.test(l))) expect.fail(`no problem matched ${pattern}: ${lines.join(' | ')}`);
    });
  }

  it('parseOrThrow throws a ValidationError listing every problem', () => {
    try {
      parseOrThrow(ExperimentConfigSchema, { ...demo, budget: 0, batchSize: 0 }, 'experiment config');
      expect.fail('no throw');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).problems.map((p) => p.path).sort()).toEqual(['batchSize', 'budget']);
    }
  });
});

describe('normalizeResult', () => {
  it('accepts a number, a record, and values with SEM', () => {
    expect(normalizeResult(1.5, 'loss')).toEqual({ values: { loss: 1.5 } });
    expect(normalizeResult({ loss: 2, acc: 0.9 }, 'loss')).toEqual({ values: { loss: 2, acc: 0.9 } });
    expect(normalizeResult({ values: { loss: 2 }, sem: { loss: 0.1 } }, 'loss')).toEqual({ values: { loss: 2 }, sem: { loss: 0.1 } });
  });
  it.each([[NaN], [Infinity], ['0.5'], [null], [{ loss: NaN }], [{ acc: 1 }]])('rejects %s with a message', (raw) => {
    expect(() => normalizeResult(raw, 'loss')).toThrow(/evaluator re/);
  });
});
