import { describe, expect, it } from 'vitest';
import { LocalPool, type Evaluator } from '@apiary/worker-sdk';
import { EventLog } from './support/event-log.js';
import { fixture, trialJob } from './support/trials.js';

const retries = { maxRetries: 2 };

describe('LocalPool', () => {
  it('runs module evaluators in threads, at most `concurrency` at once, once per trial id', async () => {
    const pool = await LocalPool.start({ evaluators: { demo: fixture('sleepy.mjs') }, concurrency: 2 });
    const log = new EventLog();
    let maxActive = 0;
    for (let i = 0; i < 6; i++) await pool.dispatch(trialJob(`t${i}`, { x: i, ms: 250 }), retries);
    await pool.dispatch(trialJob('t0', { x: 0, ms: 250 }), retries);
    const sampler = setInterval(() => (maxActive = Math.max(maxActive, pool.active)), 10);
    await pool.subscribe(log.handler);
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length === 6, 10_000, 'six completions');
    clearInterval(sampler);
    expect(maxActive).toBe(2);
    expect(log.of('t0').map((e) => e.kind)).toEqual(['started', 'completed']);
    const windows = log.events.flatMap((e) => (e.kind === 'completed' ? [[e.outcome.values['start']!, e.outcome.values['end']!] as const] : []));
    const overlap = Math.max(...windows.map(([s]) => windows.filter(([s2, e2]) => s2 <= s && s < e2).length));
    expect(overlap).toBe(2);
    await pool.close();
  });

  it('kills a synchronously hanging evaluator at its time limit and moves on', async () => {
    const pool = await LocalPool.start({ evaluators: { demo: fixture('busy-loop.mjs') }, concurrency: 1, thread: { abortGraceMs: 200 } });
    const log = new EventLog();
    await pool.subscribe(log.handler);
    const t0 = Date.now();
    await pool.dispatch(trialJob('hung', { hang: true, x: 0 }, { timeoutMs: 400 }), retries);
    await pool.dispatch(trialJob('fine', { hang: false, x: 5 }), retries);
    await log.until((ev) => ev.some((e) => e.trialId === 'fine' && e.kind === 'completed'), 5000, 'the next trial');
    const failed = log.of('hung').find((e) => e.kind === 'failed');
    expect(failed).toMatchObject({ kind: 'failed', reason: 'timed out after 400 ms', exhausted: false, worker: 'local', attempt: 1 });
    expect(failed!.at - t0).toBeLessThan(400 + 200 + 1000);
    expect(log.of('fine').at(-1)).toMatchObject({ kind: 'completed', outcome: { values: { objective: 5 } } });
    await pool.close();
  });

  it('delivers started, intermediate and end events in order, buffered until subscribe', async () => {
    const pool = await LocalPool.start({ evaluators: { demo: fixture('esm-double.mjs'), fn: (p) => ({ loss: Number(p['x']) }) }, objectiveFor: () => 'loss' });
    await pool.dispatch(trialJob('a', { x: 1 }), retries);
    await pool.dispatch(trialJob('b', { x: 1 }, { evaluator: 'fn' }), retries);
    await pool.dispatch(trialJob('c', { x: 'oops' }, { evaluator: 'fn' }), retries);
    const log = new EventLog();
    await new Promise((r) => setTimeout(r, 300));
    await pool.subscribe(log.handler);
    await log.until((ev) => ev.filter((e) => e.kind === 'completed' || e.kind === 'failed').length === 3, 5000, 'three trials');
    expect(log.of('a').map((e) => e.kind)).toEqual(['started', 'intermediate', 'intermediate', 'completed']);
    expect(log.of('a').filter((e) => e.kind === 'intermediate')).toMatchObject([{ step: 0, value: 1 }, { step: 1, value: 1.5 }]);
    expect(log.of('b').at(-1)).toMatchObject({ kind: 'completed', outcome: { values: { loss: 1 } } });
    expect(log.of('c').at(-1)).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^evaluator returned .*expected a finite number/), exhausted: false });
    await expect(pool.dispatch(trialJob('d', {}, { evaluator: 'nope' }), retries)).rejects.toThrow(/no evaluator named "nope"/);
    await pool.close();
  });

  it('cancels queued trials silently and running ones with a failure', async () => {
    const slow: Evaluator = (_p, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))));
    const pool = await LocalPool.start({ evaluators: { demo: slow }, concurrency: 1 });
    const log = new EventLog();
    await pool.subscribe(log.handler);
    await pool.dispatch(trialJob('running', {}), retries);
    await pool.dispatch(trialJob('queued', {}), retries);
    await log.until((ev) => ev.some((e) => e.kind === 'started'), 2000, 'the first start');
    await pool.cancel(trialJob('queued', {}));
    await pool.cancel(trialJob('running', {}));
    await log.until((ev) => ev.some((e) => e.kind === 'failed'), 2000, 'the cancellation');
    await new Promise((r) => setTimeout(r, 100));
    expect(log.of('running').at(-1)).toMatchObject({ kind: 'failed', reason: 'cancelled', exhausted: false });
    expect(log.of('queued')).toEqual([]);
    await pool.close();
  });
});
