import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluatorSpecError, executeTrial, loadEvaluator, type EvaluatorContext } from '@apiary/worker-sdk';
import { fixture, trialJob } from './support/trials.js';
import { freePort, waitFor } from '@apiary/test-support';

const ctx = (overrides: Partial<EvaluatorContext> = {}): EvaluatorContext => ({
  trialId: 't1',
  experimentId: 'e1',
  attempt: 1,
  signal: new AbortController().signal,
  report: () => undefined,
  ...overrides,
});

describe('module evaluators', () => {
  for (const isolation of ['inline', 'thread'] as const) {
    it(`loads ESM and CommonJS default exports (${isolation})`, async () => {
      const esm = await loadEvaluator(fixture('esm-double.mjs'), { moduleIsolation: isolation });
      const reports: [number, number][] = [];
      expect(await esm.evaluator({ x: 2 }, ctx({ report: (s, v) => reports.push([s, v]) }))).toEqual({ loss: 4, trial: 1 });
      expect(reports).toEqual([
        [0, 2],
        [1, 3],
      ]);
      const cjs = await loadEvaluator(fixture('cjs-exports.cjs'), { moduleIsolation: isolation });
      expect(await cjs.evaluator({ x: 2 }, ctx())).toBe(3);
      const cjsDefault = await loadEvaluator(fixture('cjs-default.cjs'), { moduleIsolation: isolation });
      expect(await cjsDefault.evaluator({ x: 2 }, ctx())).toEqual({ values: { loss: 1 }, sem: { loss: 0.1 } });
      await Promise.all([esm.close(), cjs.close(), cjsDefault.close()]);
    });

    it(`explains a missing module or a missing function (${isolation})`, async () => {
      await expect(loadEvaluator('./no/such/file.mjs', { moduleIsolation: isolation })).rejects.toThrow(/evaluator module not found: .*no\/such\/file\.mjs/);
      await expect(loadEvaluator(fixture('not-a-function.mjs'), { moduleIsolation: isolation })).rejects.toThrow(
        /must export a function as default .*found a default export of type object/,
      );
      await expect(loadEvaluator(fixture('not-a-function.mjs'), { moduleIsolation: isolation })).rejects.toBeInstanceOf(EvaluatorSpecError);
    });
  }

  it('resolves relative paths against cwd', async () => {
    const e = await loadEvaluator('./cjs-exports.cjs', { cwd: fixture(''), moduleIsolation: 'inline' });
    expect(await e.evaluator({ x: 1 }, ctx())).toBe(2);
  });

  it('terminates a thread stuck in a synchronous loop at the time limit, then serves the next trial', async () => {
    const e = await loadEvaluator(fixture('busy-loop.mjs'), { thread: { abortGraceMs: 200 } });
    const t0 = Date.now();
    await expect(executeTrial(e.evaluator, trialJob('hang', { hang: true, x: 1 }, { timeoutMs: 300 }))).rejects.toThrow('timed out after 300 ms');
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(300 + 200 + 700);
    expect(await executeTrial(e.evaluator, trialJob('next', { hang: false, x: 7 }))).toEqual({ values: { objective: 7 } });
    await e.close();
  });
});

describe('command evaluators', () => {
  it('runs sh with parameters in the environment and takes the last JSON line', async () => {
    const e = await loadEvaluator(`cmd:echo starting; echo '{"not": "this"}'; echo "$APIARY_PARAMS" >&2; printf '{"loss": %s, "n": %s}\\n' "$APIARY_PARAM_X" "$APIARY_PARAM_LEARNING_RATE"; echo done`);
    expect(await e.evaluator({ x: 3, 'learning-rate': 0.5 }, ctx())).toEqual({ loss: 3, n: 0.5 });
  });

  it('runs python3 reading the parameters from stdin', async () => {
    const script = "import json,sys; p=json.load(sys.stdin); print('training', p); print(json.dumps({'loss': p['x'] ** 2}))";
    const e = await loadEvaluator(`python3 -c "${script}"`);
    expect(await e.evaluator({ x: 4 }, ctx())).toEqual({ loss: 16 });
  });

  it('fails with the exit code and the tail of stderr', async () => {
    const e = await loadEvaluator('cmd:echo "fatal: out of memory" >&2; exit 3');
    await expect(executeTrial(e.evaluator, trialJob('t', { x: 1 }))).rejects.toThrow('evaluator failed: command exited with code 3; stderr: fatal: out of memory');
    const silent = await loadEvaluator('cmd:echo no json here');
    await expect(executeTrial(silent.evaluator, trialJob('t', { x: 1 }))).rejects.toThrow(/printed no JSON result/);
  });

  it('kills the command on abort', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiary-cmd-'));
    const pidFile = join(dir, 'pid');
    const e = await loadEvaluator(`cmd:sleep 30 & echo $! > ${pidFile}; wait`);
    await expect(executeTrial(e.evaluator, trialJob('t', {}, { timeoutMs: 300 }))).rejects.toThrow('timed out after 300 ms');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      3000,
      'the command to be killed',
    );
  });
});

describe('HTTP evaluators', () => {
  let server: Server;
  let base: string;
  const seen: unknown[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(JSON.parse(body));
        const { parameters } = JSON.parse(body) as { parameters: { x: number } };
        if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ loss: parameters.x * 3 }));
        else if (req.url === '/broken') res.writeHead(503).end('backend overloaded, try later');
        else if (req.url === '/text') res.writeHead(200).end('fine thanks');
        // '/hang' never answers
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('POSTs the trial and returns the JSON body', async () => {
    const e = await loadEvaluator(`${base}/ok`);
    expect(await e.evaluator({ x: 2 }, ctx({ trialId: 'tr-9', experimentId: 'ex-3' }))).toEqual({ loss: 6 });
    expect(seen.at(-1)).toEqual({ parameters: { x: 2 }, trialId: 'tr-9', experimentId: 'ex-3', attempt: 1 });
  });

  it('fails on a non-2xx status or a non-JSON body', async () => {
    const broken = await loadEvaluator(`${base}/broken`);
    await expect(executeTrial(broken.evaluator, trialJob('t', { x: 1 }))).rejects.toThrow(`evaluator failed: HTTP 503 Service Unavailable from ${base}/broken: backend overloaded, try later`);
    const text = await loadEvaluator(`${base}/text`);
    await expect(executeTrial(text.evaluator, trialJob('t', { x: 1 }))).rejects.toThrow(/is not JSON: fine thanks/);
  });

  it('says why a request could not be made (the cause behind "fetch failed")', async () => {
    const port = await freePort();
    const refused = await loadEvaluator(`http://127.0.0.1:${port}/evaluate`);
    await expect(executeTrial(refused.evaluator, trialJob('t', { x: 1 }))).rejects.toThrow(`evaluator failed: request to http://127.0.0.1:${port}/evaluate failed: fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('aborts the request at the time limit', async () => {
    const e = await loadEvaluator(`${base}/hang`);
    const t0 = Date.now();
    await expect(executeTrial(e.evaluator, trialJob('t', { x: 1 }, { timeoutMs: 200 }))).rejects.toThrow('timed out after 200 ms');
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});
