import { ExperimentConfigSchema } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { checkOutcome, csvField, emptyCounts, failureRateReason, trialsToCsv } from '../src/index.js';
import { braninConfig } from './support/configs.js';
import { trial } from './support/store-contract.js';

const config = ExperimentConfigSchema.parse(braninConfig({ outcomeConstraints: [{ metric: 'cost', bound: 1 }] }));

describe('failureRateReason', () => {
  const counts = (completed: number, failed: number) => ({ ...emptyCounts(), COMPLETED: completed, FAILED: failed, ABANDONED: 7 });
  it('says how many failed, the rate against the limit, and the last error', () => {
    expect(failureRateReason(counts(8, 12), 0.5, 'evaluator returned NaN')).toBe('12 of 20 trials failed (60% > 50%); last error: evaluator returned NaN');
    expect(failureRateReason(counts(4, 2), 0.1, 'x')).toBe('2 of 6 trials failed (33.3% > 10%); last error: x');
  });
  it('needs at least 5 finished trials and a rate strictly above the limit; abandoned ones do not count', () => {
    expect(failureRateReason(counts(0, 4), 0, 'x')).toBeNull();
    expect(failureRateReason(counts(5, 5), 0.5, 'x')).toBeNull();
    expect(failureRateReason(counts(0, 5), 1, 'x')).toBeNull();
    expect(failureRateReason(counts(4, 1), 0, undefined)).toBe('1 of 5 trials failed (20% > 0%)');
  });
});

describe('checkOutcome', () => {
  it('accepts finite required metrics and drops unstorable extras', () => {
    expect(checkOutcome({ values: { objective: 1, cost: 0, note: Number.NaN }, sem: { objective: Number.POSITIVE_INFINITY } }, config)).toEqual({
      ok: true,
      outcome: { values: { objective: 1, cost: 0 }, sem: {} },
      dropped: ["metric 'note'", "sem of 'objective'"],
    });
  });
  it('names every missing or non-finite required metric', () => {
    expect(checkOutcome({ values: { cost: Number.NaN } }, config)).toEqual({
      ok: false,
      reason: "result has no 'objective' (the objective); 'cost' (an outcome-constraint metric) is NaN, not a finite number; it reported cost",
    });
    expect(checkOutcome(null, config)).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed result/) });
    expect(checkOutcome({ values: [1] }, config)).toMatchObject({ ok: false });
  });
});

describe('CSV export', () => {
  it('quotes fields with commas, quotes, line breaks or edge spaces, and leaves the rest alone', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(-1.5e-7)).toBe('-1.5e-7');
    expect(csvField(undefined)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
  });
  it('writes parameters in config order, known metrics first, then other metrics by name', () => {
    const t = { ...trial('e', 0, 'COMPLETED'), parameters: { x1: 1, x2: 2 }, values: { zeta: 3, objective: 0.5, alpha: 1, cost: 0.25 }, worker: 'w,1' };
    const csv = trialsToCsv(config, [t]);
    expect(csv).toBe('index,status,x1,x2,objective,cost,alpha,zeta,error,startedAt,finishedAt,worker\r\n0,COMPLETED,1,2,0.5,0.25,1,3,,,,"w,1"\r\n');
  });
});
