import { describe, expect, it } from 'vitest';
import { ExperimentRunner, MemoryStore, type RunnerTimer } from '../src/index.js';
import { braninConfig, FakeClock } from './support/configs.js';
import { ManualDispatcher } from './support/manual-dispatcher.js';
import { EventLog, waitFor } from './support/observe.js';

/** A timer the test fires by hand. */
class ManualTimer implements RunnerTimer {
  readonly callbacks: { ms: number; fn: () => void }[] = [];
  every(ms: number, fn: () => void): () => void {
    const entry = { ms, fn };
    this.callbacks.push(entry);
    return () => this.callbacks.splice(this.callbacks.indexOf(entry), 1);
  }
  fire(): void {
    for (const c of this.callbacks) c.fn();
  }
}

const LIMIT_MS = 60_000;
const GRACE_MS = 30_000;

async function setup() {
  const clock = new FakeClock();
  const timer = new ManualTimer();
  const dispatcher = new ManualDispatcher();
  const log = new EventLog();
  const runner = new ExperimentRunner({ store: new MemoryStore(), dispatcher, now: clock.now, timer, timeoutCheckIntervalMs: 1000, onEvent: log.onEvent });
  const { id } = await runner.create(braninConfig({ generation: { method: 'sobol' }, budget: 3, parallelism: 1, batchSize: 1, trialTimeoutMs: LIMIT_MS }));
  await runner.start(id);
  await waitFor(() => dispatcher.jobs.length === 1, 'the first job');
  const job = dispatcher.jobs[0]!;
  await dispatcher.start(job, clock.ms);
  const status = async (): Promise<string> => (await runner.trials(id)).items[0]!.status;
  return { clock, timer, dispatcher, log, runner, id, job, status };
}

describe('trial time limits (scheduler-side backstop)', () => {
  it('a silent RUNNING trial becomes STALE after limit + grace, then FAILED "timed out" after a second grace', async () => {
    const { clock, timer, dispatcher, runner, id, job, status } = await setup();
    expect(timer.callbacks.map((c) => c.ms)).toEqual([1000]);

    clock.advance(LIMIT_MS + GRACE_MS); // exactly at the bound: not yet
    await runner.checkTimeouts();
    expect(await status()).toBe('RUNNING');

    clock.advance(1);
    timer.fire(); // the periodic check, driven by the injected timer
    await waitFor(async () => (await status()) === 'STALE', 'STALE');
    expect(dispatcher.jobs).toHaveLength(1); // still in flight: no replacement yet

    clock.advance(GRACE_MS);
    await runner.checkTimeouts();
    const t = (await runner.trials(id)).items[0]!;
    expect(t.status).toBe('FAILED');
    expect(t.error).toMatch(/^timed out: no result 120 s after it started \(time limit 60 s, grace 2 × 30 s\)$/);
    expect(t.finishedAt).toBe(clock.ms);
    expect(dispatcher.cancelled).toContain(job.trialId);

    // The slot is refilled, and the worker's late result is ignored.
    await waitFor(() => dispatcher.jobs.length === 2, 'a replacement trial');
    await dispatcher.complete(job, { values: { objective: 1 } }, clock.ms);
    expect((await runner.trials(id)).items[0]!.status).toBe('FAILED');
    await runner.close();
    expect(timer.callbacks).toHaveLength(0);
  });

  it('a STALE trial whose result arrives within the grace completes normally', async () => {
    const { clock, dispatcher, runner, id, job, status } = await setup();
    clock.advance(LIMIT_MS + GRACE_MS + 1);
    await runner.checkTimeouts();
    expect(await status()).toBe('STALE');
    await dispatcher.complete(job, { values: { objective: 2.5 } }, clock.ms);
    expect((await runner.trials(id)).items[0]).toMatchObject({ status: 'COMPLETED', values: { objective: 2.5 } });
    await runner.close();
  });

  it('a retried attempt restarts the clock', async () => {
    const { clock, dispatcher, runner, job, status } = await setup();
    clock.advance(LIMIT_MS);
    await dispatcher.start(job, clock.ms, 'w2', 2);
    clock.advance(LIMIT_MS);
    await runner.checkTimeouts();
    expect(await status()).toBe('RUNNING');
    await runner.close();
  });

  it('a worker that never reports timed-out trials still lets the experiment finish its budget', async () => {
    const { clock, dispatcher, runner, id } = await setup();
    for (let k = 0; k < 3; k++) {
      await waitFor(() => dispatcher.jobs.length === k + 1, `job ${k}`);
      if (k > 0) await dispatcher.start(dispatcher.jobs[k]!, clock.ms);
      clock.advance(LIMIT_MS + 2 * GRACE_MS + 1);
      await runner.checkTimeouts();
    }
    expect(await runner.whenDone(id)).toMatchObject({ status: 'COMPLETED', reason: 'budget reached' });
    expect((await runner.counts(id)).FAILED).toBe(3);
  });
});
