import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trialsQueueName } from '@apiary/contracts';
import { BullmqDispatcher, runWorker, trialJobId, type Evaluator, type WorkerHandle } from '@apiary/worker-sdk';
import { EventLog } from './support/event-log.js';
import { startRedis, uniquePrefix, type TestRedis } from './support/redis-server.js';
import { trialJob } from './support/trials.js';

let redis: TestRedis;
const cleanups: (() => Promise<void>)[] = [];
const errors: Error[] = [];
const onError = (e: Error): void => void errors.push(e);

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.dispose();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function setup(label: string, failedPollMs = 2000): Promise<{ prefix: string; dispatcher: BullmqDispatcher; log: EventLog }> {
  const prefix = uniquePrefix(label);
  const dispatcher = new BullmqDispatcher({ connection: redis.url, prefix, failedPollMs, onError });
  cleanups.push(() => dispatcher.close());
  const log = new EventLog();
  await dispatcher.subscribe(log.handler);
  return { prefix, dispatcher, log };
}

async function worker(prefix: string, evaluators: Record<string, Evaluator>, name: string, extra: Partial<Parameters<typeof runWorker>[0]> = {}): Promise<WorkerHandle> {
  const handle = await runWorker({ connection: redis.url, prefix, evaluators, workerName: name, onError, ...extra });
  cleanups.push(() => handle.close({ drainTimeoutMs: 0 }));
  return handle;
}

describe('BullMQ transport', () => {
  it('delivers 20 trials over 2 workers, each completed exactly once; dispatch is idempotent', async () => {
    const { prefix, dispatcher, log } = await setup('roundtrip');
    // trial-17 runs past the started-event delay (100 ms); the others end before it.
    const evaluator: Evaluator = async (p) => {
      await sleep(Number(p['x']) === 17 ? 250 : 30);
      return { loss: Number(p['x']) * 2 };
    };
    await worker(prefix, { demo: evaluator }, 'w1', { concurrency: 2 });
    await worker(prefix, { demo: evaluator }, 'w2', { concurrency: 2 });
    for (let i = 0; i < 20; i++) await dispatcher.dispatch(trialJob(`trial-${i}`, { x: i }, { index: i }), { maxRetries: 2 });
    for (let i = 0; i < 5; i++) await dispatcher.dispatch(trialJob(`trial-${i}`, { x: i }, { index: i }), { maxRetries: 2 });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 20, 20_000, '20 completions');
    await sleep(300);
    const completed = log.events.flatMap((e) => (e.kind === 'completed' ? [e] : []));
    expect(completed).toHaveLength(20);
    expect(new Set(completed.map((e) => e.trialId)).size).toBe(20);
    for (const e of completed) expect(e.outcome.values['loss']).toBe(Number(e.trialId.slice(6)) * 2);
    expect(new Set(completed.map((e) => e.worker))).toEqual(new Set(['w1', 'w2']));
    // A short trial's end event stands alone and carries its start; a long one was announced first.
    expect(log.events.filter((e) => e.kind === 'started').map((e) => e.trialId)).toEqual(['trial-17']);
    expect(log.of('trial-3').map((e) => e.kind)).toEqual(['completed']);
    for (const e of completed) expect(e.startedAt).toBeLessThanOrEqual(e.at);
    expect(log.of('trial-17').map((e) => e.kind)).toEqual(['started', 'completed']);
    const end17 = completed.find((e) => e.trialId === 'trial-17')!;
    expect(log.of('trial-17')[0]).toMatchObject({ kind: 'started', worker: end17.worker, attempt: 1, at: end17.startedAt });
    expect(errors).toEqual([]);
  });

  it('fails a trial once, without retry, when the evaluator throws or times out', async () => {
    const { prefix, dispatcher, log } = await setup('failure');
    let calls = 0;
    await worker(prefix, {
      bad: () => {
        calls++;
        throw new Error('diverged');
      },
      slow: (_p, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))),
    }, 'w1');
    await dispatcher.dispatch(trialJob('boom', {}, { evaluator: 'bad' }), { maxRetries: 3 });
    await dispatcher.dispatch(trialJob('late', {}, { evaluator: 'slow', timeoutMs: 200 }), { maxRetries: 3 });
    await log.until((ev) => ev.filter((e) => e.kind === 'failed').length === 2, 10_000, 'two failures');
    await sleep(300);
    expect(log.of('boom')).toMatchObject([{ kind: 'failed', reason: 'evaluator threw: diverged', exhausted: false, worker: 'w1', attempt: 1, startedAt: expect.any(Number) }]);
    expect(log.of('late').at(-1)).toMatchObject({ kind: 'failed', reason: 'timed out after 200 ms', exhausted: false });
    expect(calls).toBe(1);
    const queue = new Queue(trialsQueueName('bad'), { connection: { url: redis.url }, prefix });
    expect(await queue.getJobState(trialJobId('boom'))).toBe('completed');
    await queue.close();
  });

  it('publishes intermediate values and cancels waiting and running trials', async () => {
    const { prefix, dispatcher, log } = await setup('cancel');
    await worker(
      prefix,
      {
        demo: (_p, ctx) =>
          new Promise((_r, reject) => {
            ctx.report(0, 0.5);
            ctx.signal.addEventListener('abort', () => reject(new Error('stopped')));
          }),
      },
      'w1',
      { cancelPollMs: 100 },
    );
    await dispatcher.dispatch(trialJob('running', {}), { maxRetries: 0 });
    await dispatcher.dispatch(trialJob('waiting', {}), { maxRetries: 0 });
    await log.until((ev) => ev.some((e) => e.kind === 'intermediate'), 5000, 'the intermediate value');
    await dispatcher.cancel(trialJob('waiting', {}));
    await dispatcher.cancel(trialJob('running', {}));
    await log.until((ev) => ev.some((e) => e.kind === 'failed'), 5000, 'the cancellation');
    await sleep(300);
    expect(log.of('running').map((e) => e.kind)).toEqual(['started', 'intermediate', 'failed']);
    expect(log.of('running').at(-1)).toMatchObject({ reason: 'cancelled', exhausted: false });
    expect(log.of('waiting')).toEqual([]);
  });

  it('turns trial jobs that BullMQ itself failed into exhausted failures', async () => {
    const { prefix, dispatcher, log } = await setup('bullfail', 200);
    await worker(prefix, { demo: () => 1 }, 'w1');
    await dispatcher.dispatch(trialJob('ok', {}), { maxRetries: 1 });
    const queue = new Queue(trialsQueueName('demo'), { connection: { url: redis.url }, prefix });
    await queue.add('trial', { trialId: 'garbled', experimentId: 'exp-1' }, { jobId: 'garbled', attempts: 1 });
    await log.until((ev) => ev.some((e) => e.trialId === 'garbled'), 5000, 'the exhausted failure');
    await sleep(600);
    expect(log.of('garbled')).toEqual([
      expect.objectContaining({ kind: 'failed', exhausted: true, worker: 'w1', reason: expect.stringMatching(/^trial job failed in the queue: invalid trial job garbled: invalid trial job:/) }),
    ]);
    expect(log.of('ok').at(-1)).toMatchObject({ kind: 'completed' });
    await queue.close();
    errors.length = 0;
  });

  it('on close, lets a running trial finish within the drain timeout, or requeues it for another worker', async () => {
    const { prefix, dispatcher, log } = await setup('drain');
    const evaluator: Evaluator = (p, ctx) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve(Number(p['ms'])), Number(p['ms']));
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new Error('stopped'));
        });
      });
    const first = await runWorker({ connection: redis.url, prefix, evaluators: { demo: evaluator }, workerName: 'first', onError });
    await dispatcher.dispatch(trialJob('short', { ms: 300 }), { maxRetries: 0 });
    await log.until((ev) => ev.some((e) => e.kind === 'started'), 5000, 'the first start');
    await first.close({ drainTimeoutMs: 5000 });
    expect(log.of('short').at(-1)).toMatchObject({ kind: 'completed', worker: 'first' });

    const second = await runWorker({ connection: redis.url, prefix, evaluators: { demo: evaluator }, workerName: 'second', onError });
    await dispatcher.dispatch(trialJob('long', { ms: 1500 }), { maxRetries: 0 });
    await log.until((ev) => ev.some((e) => e.trialId === 'long' && e.kind === 'started'), 5000, 'the long start');
    await second.close({ drainTimeoutMs: 100 });
    expect(log.of('long').map((e) => e.kind)).toEqual(['started']);
    await worker(prefix, { demo: evaluator }, 'third');
    await log.until((ev) => ev.some((e) => e.trialId === 'long' && e.kind === 'completed'), 5000, 'the requeued trial');
    expect(log.of('long').at(-1)).toMatchObject({ kind: 'completed', worker: 'third', attempt: 2 });
    expect(errors).toEqual([]);
  });
});
