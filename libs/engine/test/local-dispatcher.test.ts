import type { TrialEvent, TrialJob } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { LocalDispatcher } from '../src/index.js';

const job = (i: number, timeoutMs = 60_000): TrialJob => ({ experimentId: 'e', trialId: `e-${i}`, index: i, evaluator: 'f', parameters: { x: i }, timeoutMs });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function collect(d: LocalDispatcher): TrialEvent[] {
  const events: TrialEvent[] = [];
  void d.subscribe((e) => void events.push(e));
  return events;
}

describe('LocalDispatcher', () => {
  it('runs jobs at most `concurrency` at a time and reports started, intermediate and completed', async () => {
    let active = 0;
    let peak = 0;
    const d = new LocalDispatcher({
      concurrency: 2,
      now: () => 7,
      worker: 'pool-1',
      execute: async (j, ctx) => {
        peak = Math.max(peak, ++active);
        ctx.report(1, j.index / 2);
        await sleep(5);
        active--;
        return { values: { objective: j.index } };
      },
    });
    const events = collect(d);
    for (let i = 0; i < 5; i++) await d.dispatch(job(i), { maxRetries: 0 });
    await d.idle();
    expect(peak).toBe(2);
    const completed = events.filter((e) => e.kind === 'completed');
    expect(completed.map((e) => e.trialId).sort()).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4']);
    expect(completed[0]).toMatchObject({ worker: 'pool-1', attempt: 1, startedAt: 7, at: 7, outcome: { values: { objective: 0 } } });
    expect(events.filter((e) => e.kind === 'intermediate')).toHaveLength(5);
    for (const id of ['e-0', 'e-3']) {
      const kinds = events.filter((e) => e.trialId === id).map((e) => e.kind);
      expect(kinds).toEqual(['started', 'intermediate', 'completed']);
    }
  });

  it('dispatching a trial id twice is a no-op', async () => {
    let calls = 0;
    const d = new LocalDispatcher({ execute: async () => ({ values: { objective: ++calls } }) });
    const events = collect(d);
    await Promise.all([d.dispatch(job(0), { maxRetries: 0 }), d.dispatch(job(0), { maxRetries: 0 })]);
    await d.idle();
    await d.dispatch(job(0), { maxRetries: 0 });
    await d.idle();
    expect(calls).toBe(1);
    expect(events.filter((e) => e.kind === 'completed')).toHaveLength(1);
  });

  it('fails a job whose evaluation rejects or outlives its time limit, with the reason', async () => {
    const d = new LocalDispatcher({
      concurrency: 2,
      execute: async (j, ctx) => {
        if (j.index === 0) throw new Error('division by zero');
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
        return { values: {} };
      },
    });
    const events = collect(d);
    await d.dispatch(job(0), { maxRetries: 0 });
    await d.dispatch(job(1, 20), { maxRetries: 0 });
    await d.idle();
    const failed = events.filter((e): e is Extract<TrialEvent, { kind: 'failed' }> => e.kind === 'failed');
    expect(failed.map((e) => [e.trialId, e.reason, e.exhausted])).toEqual([
      ['e-0', 'division by zero', false],
      ['e-1', 'timed out after 20 ms', false],
    ]);
  });

  it('cancel drops a queued job and silences a running one; close stops everything', async () => {
    const d = new LocalDispatcher({
      concurrency: 1,
      execute: async (_j, ctx) => {
        await new Promise((r) => setTimeout(r, 30));
        if (ctx.signal.aborted) throw new Error('aborted');
        return { values: { objective: 1 } };
      },
    });
    const events = collect(d);
    await d.dispatch(job(0), { maxRetries: 0 });
    await d.dispatch(job(1), { maxRetries: 0 });
    expect([d.running, d.queued]).toEqual([1, 1]);
    await d.cancel(job(1));
    await d.cancel(job(0));
    await d.idle();
    expect(events.map((e) => `${e.kind}:${e.trialId}`)).toEqual(['started:e-0']);
    await d.close();
    await expect(d.dispatch(job(2), { maxRetries: 0 })).rejects.toThrow(/closed/);
  });

  it('a throwing subscriber does not stop delivery to the others', async () => {
    const d = new LocalDispatcher({ execute: async () => ({ values: { objective: 1 } }) });
    await d.subscribe(() => {
      throw new Error('bad handler');
    });
    const events = collect(d);
    await d.dispatch(job(0), { maxRetries: 0 });
    await d.idle();
    expect(events.map((e) => e.kind)).toEqual(['started', 'completed']);
  });
});
