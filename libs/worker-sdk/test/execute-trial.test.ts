import { describe, expect, it } from 'vitest';
import { EvaluationError, cancelledReason, defineEvaluator, executeTrial, type Evaluator } from '@apiary/worker-sdk';
import { trialJob } from './support/trials.js';

const job = trialJob('t1', { x: 2, opt: 'adam' }, { timeoutMs: 2000 });

async function failure(evaluator: Evaluator, options: Parameters<typeof executeTrial>[2] = {}, j = job): Promise<EvaluationError> {
  try {
    await executeTrial(evaluator, j, options);
  } catch (e) {
    if (e instanceof EvaluationError) return e;
    throw e;
  }
  throw new Error('expected the trial to fail');
}

describe('executeTrial', () => {
  it('returns the normalised outcome and forwards intermediate values', async () => {
    const reports: [number, number][] = [];
    const evaluator = defineEvaluator(async (p, ctx) => {
      ctx.report(0, 1.5);
      expect(ctx).toMatchObject({ trialId: 't1', experimentId: 'exp-1', attempt: 3 });
      return { loss: Number(p['x']) * 10, acc: 0.9 };
    });
    expect(await executeTrial(evaluator, job, { objective: 'loss', attempt: 3, onReport: (s, v) => reports.push([s, v]) })).toEqual({ values: { loss: 20, acc: 0.9 } });
    expect(reports).toEqual([[0, 1.5]]);
    expect(await executeTrial(() => 5, job, { objective: 'loss' })).toEqual({ values: { loss: 5 } });
    expect(await executeTrial(() => 5, job)).toEqual({ values: { objective: 5 } });
    expect(await executeTrial(() => ({ values: { a: 1 }, sem: { a: 0.5 } }), job)).toEqual({ values: { a: 1 }, sem: { a: 0.5 } });
  });

  it('fails a trial whose evaluator throws', async () => {
    const e = await failure(() => {
      throw new Error('CUDA out of memory');
    });
    expect(e.kind).toBe('threw');
    expect(e.reason).toBe('evaluator threw: CUDA out of memory');
  });

  it('aborts a hanging evaluator and reports the time limit', async () => {
    let sawAbort = false;
    const hang: Evaluator = (_p, ctx) =>
      new Promise(() => {
        ctx.signal.addEventListener('abort', () => (sawAbort = true));
      });
    const t0 = Date.now();
    const e = await failure(hang, { settleGraceMs: 100 }, { ...job, timeoutMs: 250 });
    const elapsed = Date.now() - t0;
    expect(e.kind).toBe('timeout');
    expect(e.reason).toBe('timed out after 250 ms');
    expect(sawAbort).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(250 + 100 + 400);
  });

  it('rejects NaN, strings and results without the objective', async () => {
    const nan = await failure(() => NaN, { objective: 'loss' });
    expect(nan.kind).toBe('invalid-result');
    expect(nan.reason).toMatch(/^evaluator returned NaN; expected a finite number/);
    const str = await failure(() => 'abc' as unknown as number, { objective: 'loss' });
    expect(str.reason).toMatch(/^evaluator returned the string "abc"; expected/);
    const missing = await failure(() => ({ acc: 0.5 }), { objective: 'loss' });
    expect(missing.reason).toBe("evaluator result has no 'loss' (the objective); it reported acc");
    const inf = await failure(() => ({ loss: Infinity }));
    expect(inf.kind).toBe('invalid-result');
    expect((await failure(() => ({}))).reason).toMatch(/empty record/);
  });

  it('stops on an external abort with its reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(cancelledReason()), 50);
    const e = await failure((_p, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))), { signal: controller.signal });
    expect(e.kind).toBe('cancelled');
    expect(e.reason).toBe('cancelled');
  });

  it('rejects invalid intermediate values inside the evaluator', async () => {
    const e = await failure((_p, ctx) => {
      ctx.report(-1, 2);
      return 1;
    });
    expect(e.reason).toMatch(/evaluator threw: report\(step, value\): step must be a non-negative integer/);
  });
});
