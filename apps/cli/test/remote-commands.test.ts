/**
 * `apiary submit`, `status` and `export` against a real scheduler over HTTP (the engine's
 * in-memory store; trials of evaluator `quad` run in-process, those of `idle` are never taken,
 * as when no worker serves an evaluator).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrialDispatcher, TrialJob } from '@apiary/contracts';
import { LocalDispatcher, MemoryStore } from '@apiary/engine';
import { createSchedulerApp, loadSchedulerConfig } from '@apiary/scheduler';
import { startRedis, type TestRedis } from '@apiary/test-support';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram, type CliIo } from '@apiary/cli';

const TOKEN = 'cli-remote-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'apiary-cli-remote-'));
let redis: TestRedis;
let app: INestApplication;
let api: string;

/** Runs `quad` trials in-process; accepts `idle` trials and never runs them. */
function dispatcher(): TrialDispatcher {
  const local = new LocalDispatcher({
    concurrency: 2,
    execute: async (job) => ({ values: { loss: (Number(job.parameters['x']) - 0.25) ** 2 } }),
  });
  const runs = (job: Pick<TrialJob, 'evaluator'>): boolean => job.evaluator !== 'idle';
  return {
    dispatch: (job, options) => (runs(job) ? local.dispatch(job, options) : Promise.resolve()),
    cancel: (job) => (runs(job) ? local.cancel(job) : Promise.resolve()),
    subscribe: (handler) => local.subscribe(handler),
    subscribeBatch: (handler) => local.subscribeBatch(handler),
    close: () => local.close(),
  };
}

beforeAll(async () => {
  redis = await startRedis();
  const config = loadSchedulerConfig({ REDIS_URL: redis.url, APIARY_TOKEN: TOKEN, APIARY_REDIS_PREFIX: 'cli-remote:', APIARY_QUEUE_PREFIX: '{cli-remote}', LOG_LEVEL: 'warn' });
  app = await createSchedulerApp({ config, store: new MemoryStore(), dispatcher: dispatcher() });
  await app.listen(0, '127.0.0.1');
  api = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], token = TOKEN): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
  let code = -1;
  await createProgram(io, (c) => (code = c)).exitOverride().parseAsync(['node', 'apiary', ...args, '--api', api, '--token', token]);
  return { code, out, err };
}

function configFile(name: string, evaluator: string, overrides: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      parameters: [
        { name: 'x', type: 'range', bounds: [-1, 1] },
        { name: 'opt', type: 'choice', values: ['adam', 'sgd'] },
      ],
      objective: { name: 'loss', minimize: true },
      budget: 6,
      batchSize: 2,
      generation: { method: 'sobol' },
      evaluator,
      ...overrides,
    }),
  );
  return file;
}

async function submitted(file: string): Promise<string> {
  const r = await run(['submit', '--config', file]);
  expect(r.code, r.err.join('\n')).toBe(0);
  const id = /^created experiment (\S+) \(RUNNING\)$/.exec(r.out[0] ?? '')?.[1];
  expect(id).toBeDefined();
  return id!;
}

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('apiary submit, status and export against a scheduler', () => {
  it('submits an experiment, shows it with its trial counts and best trial, and exports its trials', async () => {
    const id = await submitted(configFile('remote-quad', 'quad'));
    await until(async () => (await run(['status', id])).out[0]?.includes('COMPLETED') ?? false);

    const status = await run(['status', id]);
    expect(status.code).toBe(0);
    expect(status.out[0]).toBe(`${id} 'remote-quad': COMPLETED — budget reached`);
    expect(status.out[1]).toBe('COMPLETED 6');
    expect(status.out[2]).toMatch(/^best trial #\d: loss = [0-9.e-]+ at \{"x":/);

    const list = await run(['status']);
    expect(list.out.some((l) => l.startsWith(`${id}  COMPLETED remote-quad (budget 6) — budget reached`))).toBe(true);

    const csv = join(dir, 'remote-quad.csv');
    const exported = await run(['export', id, '--format', 'csv', '--out', csv]);
    expect(exported.code).toBe(0);
    expect(exported.out).toEqual([`wrote ${csv}`]);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^index,status,x,opt,loss,/);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(Array(6).fill('COMPLETED'));
    const nowhere = join(dir, 'no-such-folder', 'x.csv');
    const unwritable = await run(['export', id, '--format', 'csv', '--out', nowhere]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.err).toEqual([`cannot write --out ${nowhere}: ENOENT: no such file or directory, open '${nowhere}'`]);
  });

  it('says when trials wait and none has started: no worker may serve the evaluator', async () => {
    const id = await submitted(configFile('remote-idle', 'idle'));
    await until(async () => (await run(['status', id])).out[1]?.startsWith('QUEUED') ?? false);
    const status = await run(['status', id]);
    expect(status.out[0]).toBe(`${id} 'remote-idle': RUNNING`);
    expect(status.out[1]).toMatch(/^QUEUED \d+$/);
    expect(status.out[2]).toBe("no trial has started yet: is a worker serving evaluator 'idle'? (apiary worker --evaluator idle=<module | command | URL> --redis <url>)");
    // A running experiment whose trials run says nothing of the kind.
    const quad = await submitted(configFile('remote-quad-2', 'quad'));
    await until(async () => (await run(['status', quad])).out[0]?.includes('COMPLETED') ?? false);
    expect((await run(['status', quad])).out.join('\n')).not.toMatch(/no trial has started/);
  });

  it('apiary serve says so when its port is taken (exit 1)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    const err: string[] = [];
    let code = -1;
    try {
      const io: CliIo = { stdout: () => undefined, stderr: (l) => err.push(l) };
      // serve reads HOST from the environment (there is no flag): the taken port's address.
      const host = process.env['HOST'];
      process.env['HOST'] = '127.0.0.1';
      try {
        await createProgram(io, (c) => (code = c)).exitOverride().parseAsync(['node', 'apiary', 'serve', '--port', String(port), '--redis', redis.url, '--token', TOKEN]);
      } finally {
        if (host === undefined) delete process.env['HOST'];
        else process.env['HOST'] = host;
      }
    } finally {
      taken.close();
    }
    expect(code).toBe(1);
    expect(err).toEqual([`cannot start the scheduler: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`]);
  });

  it('rejects a bad config before sending it (exit 2), and a wrong token (exit 1)', async () => {
    const bad = await run(['submit', '--config', configFile('remote-bad', 'quad', { budget: 0 })]);
    expect(bad.code).toBe(2);
    expect(bad.err.join('\n')).toMatch(/budget: budget must be at least 1/);
    const denied = await run(['status'], 'wrong-token-0123456789');
    expect(denied.code).toBe(1);
    expect(denied.err).toEqual(['unauthorised (401): give the API token with --token or APIARY_TOKEN']);
    const missing = await run(['status', 'no-such-experiment']);
    expect(missing.code).toBe(1);
    expect(missing.err).toEqual(["HTTP 404: no experiment 'no-such-experiment'"]);
  });
});
