import { TRIAL_STATUSES, type ExperimentConfigInput } from '@apiary/contracts';
import { LocalDispatcher, MemoryStore, type ExperimentRecord, type TrialPage, type TrialRecord } from '@apiary/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { eventually, sobolConfig, startScheduler, type RunningScheduler } from './support/scheduler.js';

let redis: RedisServer;
let s: RunningScheduler;

beforeAll(async () => {
  redis = await startRedis();
  // The engine's in-memory store and an in-process dispatcher: the API over the real runner.
  const dispatcher = new LocalDispatcher({
    concurrency: 4,
    execute: async (job) => {
      const x = Number(job.parameters['x']);
      return { values: { loss: (x - 0.25) ** 2 + Math.log10(Number(job.parameters['lr'])) ** 2 / 10 } };
    },
  });
  s = await startScheduler({ redisUrl: redis.url, store: new MemoryStore(), dispatcher });
});

afterAll(async () => {
  await s?.close();
  await redis?.dispose();
});

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

type Problems = { error: string; problems: { path: string; message: string }[] };

const base = sobolConfig();
const param = (i: number, patch: Record<string, unknown>): ExperimentConfigInput => ({
  ...base,
  parameters: base.parameters.map((p, j) => (j === i ? ({ ...p, ...patch } as (typeof base.parameters)[number]) : p)),
});
const without = (key: keyof ExperimentConfigInput): Record<string, unknown> => {
  const { [key]: _, ...rest } = base;
  return rest;
};

/** [what, body, field path, words of the reason] */
const INVALID: [string, unknown, string, RegExp][] = [
  ['missing bounds', param(0, { bounds: undefined }), 'parameters[0].bounds', /expected tuple, received undefined/],
  ['lower > upper', param(0, { bounds: [2, 1] }), 'parameters[0].bounds', /lower \(2\) must be below upper \(1\)/],
  ['log scale with a non-positive bound', param(1, { bounds: [0, 1] }), 'parameters[1].bounds', /log scale needs a positive lower bound/],
  ['empty choices', param(2, { values: [] }), 'parameters[2].values', /is empty/],
  ['an evaluator name of the wrong format', { ...base, evaluator: 'Bad Name!' }, 'evaluator', /evaluator name of lowercase letters/],
  ['budget < 1', { ...base, budget: 0 }, 'budget', /budget must be at least 1/],
  ['a fractional budget', { ...base, budget: 2.5 }, 'budget', /expected int/],
  ['duplicate parameter names', { ...base, parameters: [base.parameters[0], { ...base.parameters[0] }] }, 'parameters[1].name', /names must be unique/],
  ['a string budget', { ...base, budget: '10' }, 'budget', /expected number, received string/],
  ['a numeric name', { ...base, name: 42 }, 'name', /expected string, received number/],
  ['parameters not an array', { ...base, parameters: { x: [0, 1] } }, 'parameters', /expected array/],
  ['a missing objective', without('objective'), 'objective', /expected object, received undefined/],
  ['an unknown field', { ...base, script: 'rm -rf /' }, '(root)', /Unrecognized key: "script"/],
  ['a non-object body', [1, 2, 3], '(root)', /expected object, received array/],
];

describe('invalid configs', () => {
  it.each(INVALID)('%s → 400 naming the field and the reason', async (_what, body, path, reason) => {
    const res = await s.call('/experiments', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    const out = await json<Problems>(res);
    expect(out.error).toBe('ValidationError');
    const problem = out.problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(out.problems)).toBeDefined();
    expect(problem!.message).toMatch(reason);
  });

  it('stores nothing for any of them', async () => {
    expect(await json<unknown[]>(s.call('/experiments'))).toEqual([]);
  });

  it('a body that is not JSON is a 400 too', async () => {
    const res = await s.call('/experiments', { method: 'POST', body: '{"name": ', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(await json<unknown[]>(s.call('/experiments'))).toEqual([]);
  });
});

describe('an experiment from create to delete', () => {
  let exp: ExperimentRecord;

  it('creates and starts it', async () => {
    const res = await s.call('/experiments', { method: 'POST', body: JSON.stringify(sobolConfig({ name: 'happy' })) });
    expect(res.status).toBe(201);
    exp = await json<ExperimentRecord>(res);
    expect(exp).toMatchObject({ status: 'RUNNING', config: { name: 'happy', evaluator: 'quad', budget: 6, parallelism: 2, mode: 'async' } });
  });

  it('lists and gets it', async () => {
    const list = await json<ExperimentRecord[]>(s.call('/experiments'));
    expect(list.map((e) => e.id)).toEqual([exp.id]);
    const got = await json<ExperimentRecord & { counts: Record<string, number> }>(s.call(`/experiments/${exp.id}`));
    expect(got.id).toBe(exp.id);
    // One experiment comes with its trial counts, every state present.
    expect(Object.keys(got.counts).sort()).toEqual([...TRIAL_STATUSES].sort());
  });

  it('runs it to completion', async () => {
    const done = await eventually(async () => {
      const e = await json<ExperimentRecord>(s.call(`/experiments/${exp.id}`));
      return e.status === 'RUNNING' ? undefined : e;
    }, 20_000, 'the experiment to finish');
    expect(done.status).toBe('COMPLETED');
    const { counts } = await json<{ counts: Record<string, number> }>(s.call(`/experiments/${exp.id}`));
    expect(counts).toMatchObject({ COMPLETED: 6, RUNNING: 0, QUEUED: 0 });
  });

  it('pages its trials, filtered by state', async () => {
    const all = await json<TrialPage>(s.call(`/experiments/${exp.id}/trials`));
    expect(all.total).toBe(6);
    expect(all.items.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5]);
    const page = await json<TrialPage>(s.call(`/experiments/${exp.id}/trials?offset=2&limit=3&status=COMPLETED`));
    expect(page).toMatchObject({ total: 6, offset: 2, limit: 3 });
    expect(page.items.map((t) => t.index)).toEqual([2, 3, 4]);
    const none = await json<TrialPage>(s.call(`/experiments/${exp.id}/trials?status=failed,running`));
    expect(none).toMatchObject({ total: 0, items: [] });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=100000', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=abc', 'offset'],
    ['status=DONE', 'status'],
  ])('rejects ?%s naming the parameter', async (query, path) => {
    const res = await s.call(`/experiments/${exp.id}/trials?${query}`);
    expect(res.status).toBe(400);
    const out = await json<Problems>(res);
    expect(out.problems[0]?.path).toMatch(new RegExp(`^${path}`));
  });

  it('reports the best trial', async () => {
    const best = await json<TrialRecord>(s.call(`/experiments/${exp.id}/best`));
    const all = await json<TrialPage>(s.call(`/experiments/${exp.id}/trials`));
    const min = Math.min(...all.items.map((t) => t.values!['loss']!));
    expect(best.values!['loss']).toBe(min);
  });

  it('exports CSV and JSON', async () => {
    const csv = await s.call(`/experiments/${exp.id}/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="happy-trials.csv"');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('index,status,x,lr,opt,loss,error,startedAt,finishedAt,worker');
    expect(lines).toHaveLength(7);
    const j = await s.call(`/experiments/${exp.id}/export?format=json`);
    expect(j.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await j.json()) as TrialRecord[]).map((t) => t.status)).toEqual(Array(6).fill('COMPLETED'));
    expect((await s.call(`/experiments/${exp.id}/export?format=xml`)).status).toBe(400);
  });

  it('answers 409 to stopping or resuming a completed experiment', async () => {
    expect((await s.call(`/experiments/${exp.id}/stop`, { method: 'POST' })).status).toBe(409);
    expect((await s.call(`/experiments/${exp.id}/resume`, { method: 'POST' })).status).toBe(409);
  });

  it('deletes it', async () => {
    expect((await s.call(`/experiments/${exp.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.call(`/experiments/${exp.id}`)).status).toBe(404);
    expect((await s.call(`/experiments/${exp.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await json<unknown[]>(s.call('/experiments'))).toEqual([]);
  });
});

describe('stop and resume', () => {
  it('stops a running experiment with a reason, then resumes it', async () => {
    // A budget far beyond what runs in this test, and a slow evaluator: it is RUNNING throughout.
    const exp = await json<ExperimentRecord>(s.call('/experiments', { method: 'POST', body: JSON.stringify(sobolConfig({ name: 'long', budget: 10_000 })) }));
    const stopped = await s.call(`/experiments/${exp.id}/stop`, { method: 'POST', body: JSON.stringify({ reason: 'enough for today' }) });
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toMatchObject({ status: 'STOPPED', reason: 'enough for today' });
    const again = await json<ExperimentRecord>(s.call(`/experiments/${exp.id}/stop`, { method: 'POST' }));
    expect(again.status).toBe('STOPPED');
    expect((await s.call(`/experiments/${exp.id}/stop`, { method: 'POST', body: JSON.stringify({ reason: 7 }) })).status).toBe(400);
    const resumed = await s.call(`/experiments/${exp.id}/resume`, { method: 'POST' });
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({ status: 'RUNNING' });
    await s.call(`/experiments/${exp.id}/stop`, { method: 'POST' });
    expect((await s.call(`/experiments/${exp.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});
