import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialsQueueName, type TrialEvent, type TrialJob } from '@apiary/contracts';
import { runWorkerCli } from '@apiary/worker';
import { BullmqDispatcher } from '@apiary/worker-sdk';
import { startRedis, uniquePrefix, waitFor, type TestRedis } from './support/redis-server.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.dispose();
});

const sleepy = new URL('./support/fixtures/sleepy.mjs', import.meta.url).pathname;
const bin = new URL('../bin/apiary-worker.js', import.meta.url).pathname;
const job = (trialId: string, parameters: TrialJob['parameters']): TrialJob => ({ experimentId: 'e1', trialId, index: 0, evaluator: 'sleepy', parameters, timeoutMs: 30_000 });

/** A dispatcher on the test's queue prefix, recording events. */
async function dispatcherFor(prefix: string): Promise<{ dispatcher: BullmqDispatcher; events: TrialEvent[] }> {
  const events: TrialEvent[] = [];
  const dispatcher = new BullmqDispatcher({ connection: redis.url, prefix });
  await dispatcher.subscribe((e) => void events.push(e));
  return { dispatcher, events };
}

describe('apiary-worker', () => {
  it('on SIGTERM finishes the running trial, takes no new one, and exits 0', async () => {
    const prefix = uniquePrefix('cli');
    const { dispatcher, events } = await dispatcherFor(prefix);
    const args = ['--evaluator', `sleepy=${sleepy}`, '--redis', redis.url, '--prefix', prefix, '--name', 'cli-worker', '--lock-duration', '2000'];
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('"worker started"'), 30_000, `the worker to start (stderr: ${err})`);

    await dispatcher.dispatch(job('first', { ms: 1500, x: 1 }), { maxRetries: 0 });
    await dispatcher.dispatch(job('second', { ms: 1500, x: 2 }), { maxRetries: 0 });
    await waitFor(() => events.some((e) => e.kind === 'started'), 10_000, 'the first trial to start');
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    await waitFor(() => events.some((e) => e.kind === 'completed'), 5000, 'the completion event');

    expect(events.map((e) => [e.trialId, e.kind])).toEqual([
      ['first', 'started'],
      ['first', 'completed'],
    ]);
    const queue = new Queue(trialsQueueName('sleepy'), { connection: { url: redis.url }, prefix });
    expect(await queue.getJobState('second')).toBe('waiting');
    await queue.close();
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['msg'])).toEqual(['connecting', 'worker started', 'worker stopping', 'trial completed', 'worker stopped']);
    expect(lines[3]).toMatchObject({ level: 'info', evaluator: 'sleepy', trialId: 'first', worker: 'cli-worker', attempt: 1, values: { loss: 1 } });
    expect(err).toBe('');
    await dispatcher.close();
  });

  it('runs in-process through runWorkerCli, logging one JSON line per trial', async () => {
    const prefix = uniquePrefix('embedded');
    const { dispatcher } = await dispatcherFor(prefix);
    const signals = new EventEmitter();
    const out: string[] = [];
    const errLines: string[] = [];
    const running = runWorkerCli(['-e', `sleepy=${sleepy}`, '--redis', redis.url, '--prefix', prefix, '--name', 'embedded', '-c', '2', '--drain-timeout', '100'], {
      out: (l) => void out.push(l),
      err: (l) => void errLines.push(l),
      signals: signals as unknown as NodeJS.Process,
    });
    await waitFor(() => out.some((l) => l.includes('"worker started"')), 20_000, 'the worker to start');
    await dispatcher.dispatch(job('ok', { ms: 10, x: 4 }), { maxRetries: 0 });
    await dispatcher.dispatch(job('bad', { ms: 10, x: 'NaN-ish' }), { maxRetries: 0 });
    await waitFor(() => out.filter((l) => l.includes('"trial ')).length === 2, 10_000, 'two trial lines');
    signals.emit('SIGINT');
    expect(await running).toBe(0);
    const trials = out.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l['msg']).startsWith('trial '));
    expect(trials).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'trial completed', trialId: 'ok', values: { loss: 4 }, worker: 'embedded' }),
        expect.objectContaining({ msg: 'trial failed', level: 'warn', trialId: 'bad', exhausted: false, reason: expect.stringMatching(/^evaluator returned/) }),
      ]),
    );
    expect(errLines).toEqual([]);
    await dispatcher.close();
  });

  it('exits 2 with the problems on bad arguments', async () => {
    const errLines: string[] = [];
    expect(await runWorkerCli(['--evaluator', 'x'], { err: (l) => void errLines.push(l), out: () => undefined })).toBe(2);
    expect(JSON.parse(errLines[0]!)).toMatchObject({ level: 'error', msg: 'invalid worker settings', problems: expect.arrayContaining([expect.stringMatching(/expected <name>=<spec>/)]) });
  });
});
