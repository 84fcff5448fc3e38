import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgram, INTERRUPTED_EXIT_CODE, runOptimize, type CliIo } from '@apiary/cli';
import { freePort } from '@apiary/test-support';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'apiary-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
  let code = -1;
  await createProgram(io, (c) => (code = c)).exitOverride().parseAsync(['node', 'apiary', ...args]);
  return { code, out, err };
}

const config = {
  name: 'cli-test',
  parameters: [
    { name: 'x1', type: 'range', bounds: [-5, 10] },
    { name: 'x2', type: 'range', bounds: [0, 15] },
  ],
  objective: { name: 'loss', minimize: true },
  budget: 12,
  batchSize: 3,
  parallelism: 3,
  seed: 1,
  evaluator: 'branin',
};

describe('apiary optimize (embedded)', () => {
  it('runs to the budget, prints the best trial and writes the --out JSON in its fixed shape', async () => {
    const cfg = join(dir, 'config.json');
    const out = join(dir, 'out.json');
    writeFileSync(cfg, JSON.stringify(config));
    // The module returns a bare number: it is filed under the objective's name ("loss").
    const r = await run(['optimize', '--config', cfg, '--evaluator', join(root, 'examples/branin/branin.mjs'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/best trial #\d+: loss = /);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(file)).toEqual(['config', 'trials', 'best']);
    expect(file.trials).toHaveLength(12);
    for (const t of file.trials) {
      expect(Object.keys(t)).toEqual(['index', 'parameters', 'status', 'values', 'error', 'startedAt', 'finishedAt', 'worker']);
      expect(t.status).toBe('COMPLETED');
      expect(typeof t.parameters.x1).toBe('number');
    }
    expect(file.trials.map((t: { index: number }) => t.index)).toEqual([...Array(12).keys()]);
    expect(Object.keys(file.best)).toEqual(['index', 'parameters', 'values']);
    const bestLoss = Math.min(...file.trials.map((t: { values: { loss: number } }) => t.values.loss));
    expect(file.best.values.loss).toBe(bestLoss);
  });

  it('rejects an invalid config with the field and the reason, exit code 2', async () => {
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ ...config, budget: 0, parameters: [{ name: 'x', type: 'range', bounds: [3, 1] }] }));
    const r = await run(['optimize', '--config', cfg, '--evaluator', join(root, 'examples/branin/branin.mjs')]);
    expect(r.code).toBe(2);
    const msg = r.err.join('\n');
    expect(msg).toMatch(/budget: budget must be at least 1/);
    expect(msg).toMatch(/parameters\[0\]\.bounds: lower \(3\) must be below upper \(1\)/);
  });

  it('ends a failed run quietly: the trials still running are aborted without unhandled events', async () => {
    // Most trials fail at once, so the experiment fails while the others still run.
    const evaluator = join(dir, 'mostly-failing.mjs');
    writeFileSync(evaluator, `export default async ({ x1 }, ctx) => { if (x1 < 6) throw new Error('no'); await new Promise((resolve, reject) => { const t = setTimeout(resolve, 5000); ctx.signal.addEventListener('abort', () => { clearTimeout(t); reject(ctx.signal.reason); }); }); return 0; };\n`);
    const cfg = join(dir, 'config-failing.json');
    writeFileSync(cfg, JSON.stringify({ ...config, budget: 20, batchSize: 4, parallelism: 4 }));
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const r = await run(['optimize', '--config', cfg, '--evaluator', evaluator]);
      expect(r.code).toBe(1);
      expect(r.out[0]).toMatch(/^failed: \d+ of \d+ trials failed/);
      await new Promise((resolve) => setTimeout(resolve, 200)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => /not handled|runner is closed/.test(w))).toEqual([]);
  });

  it('refuses an --out it cannot write before running, not after (exit code 2)', async () => {
    const cfg = join(dir, 'config-out.json');
    writeFileSync(cfg, JSON.stringify(config));
    const missing = join(dir, 'no-such-folder', 'out.json');
    const r1 = await run(['optimize', '--config', cfg, '--evaluator', join(root, 'examples/branin/branin.mjs'), '--out', missing]);
    expect(r1.code).toBe(2);
    expect(r1.err.join('\n')).toContain(`cannot write --out ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist`);
    expect(r1.out).toEqual([]); // nothing ran
    const r2 = await run(['optimize', '--config', cfg, '--evaluator', join(root, 'examples/branin/branin.mjs'), '--out', dir]);
    expect(r2.code).toBe(2);
    expect(r2.err.join('\n')).toContain(`cannot write --out ${dir}: it is a directory`);
  });

  it('with --redis, says at once when Redis cannot be reached (exit code 1)', async () => {
    const cfg = join(dir, 'config-redis.json');
    writeFileSync(cfg, JSON.stringify(config));
    const port = await freePort();
    const r = await run(['optimize', '--config', cfg, '--evaluator', join(root, 'examples/branin/branin.mjs'), '--redis', `redis://:secret@127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(new RegExp(`cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
  });

  it('reports a missing config file and a missing evaluator module clearly', async () => {
    const r1 = await run(['optimize', '--config', join(dir, 'nope.json'), '--evaluator', 'x.mjs']);
    expect(r1.code).toBe(2);
    expect(r1.err.join('\n')).toMatch(/cannot read the config/);
    const cfg = join(dir, 'config2.json');
    writeFileSync(cfg, JSON.stringify(config));
    const r2 = await run(['optimize', '--config', cfg, '--evaluator', join(dir, 'missing.mjs')]);
    expect(r2.code).toBe(2);
    expect(r2.err.join('\n')).toContain(`invalid evaluator ${join(dir, 'missing.mjs')}: evaluator module not found: ${join(dir, 'missing.mjs')}`);
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export default async (p) => { return p.x1 +; };\n');
    const r3 = await run(['optimize', '--config', cfg, '--evaluator', broken]);
    expect(r3.code).toBe(2);
    expect(r3.err.join('\n')).toMatch(/invalid evaluator .*broken\.mjs: evaluator module .*broken\.mjs failed to load: Unexpected token/);
    expect(r3.out).toEqual([]);
  });
});

describe('apiary optimize, interrupted (Ctrl-C, SIGTERM)', () => {
  /** An evaluator that sleeps `ms` (or until aborted) and returns a paraboloid's value, logging each start and finish to `<name>.log`. */
  function sleeper(name: string, ms: number): { file: string; finished: () => number; runningRecorded: () => boolean } {
    const file = join(dir, name);
    const log = `${file}.log`;
    writeFileSync(log, '');
    writeFileSync(
      file,
      `import { appendFileSync } from 'node:fs';\n` +
        `export default async ({ x1, x2 }, ctx) => { appendFileSync(${JSON.stringify(log)}, 'start ' + Date.now() + '\\n'); await new Promise((resolve, reject) => { const t = setTimeout(resolve, ${ms}); ctx.signal.addEventListener('abort', () => { clearTimeout(t); reject(ctx.signal.reason); }); }); appendFileSync(${JSON.stringify(log)}, 'done\\n'); return (x1 - 2) ** 2 + (x2 - 3) ** 2; };\n`,
    );
    const lines = (): string[] => readFileSync(log, 'utf8').split('\n');
    const starts = (): number[] => lines().flatMap((l) => (l.startsWith('start ') ? [Number(l.slice(6))] : []));
    const finished = (): number => lines().filter((l) => l === 'done').length;
    return {
      file,
      finished,
      // A trial runs, and every running one started 100 ms ago or more, so it is RUNNING in the
      // store (a stop abandons trials still QUEUED there, even one whose start is not recorded yet).
      runningRecorded: () => starts().length > finished() && Date.now() - Math.max(...starts()) >= 100,
    };
  }

  /** A run of the `slow` config with in-process interrupts, its output captured. */
  function interruptible(name: string): { out: string; stop: AbortController; quit: AbortController; out$: string[]; err$: string[]; run: (evaluator: string) => Promise<number> } {
    const cfg = join(dir, `${name}.json`);
    const out = join(dir, `${name}-out.json`);
    writeFileSync(cfg, JSON.stringify(slow));
    const stop = new AbortController();
    const quit = new AbortController();
    const out$: string[] = [];
    const err$: string[] = [];
    const io: CliIo = { stdout: (l) => out$.push(l), stderr: (l) => err$.push(l) };
    return { out, stop, quit, out$, err$, run: (evaluator) => runOptimize({ config: cfg, evaluator, out }, io, { stop: stop.signal, quit: quit.signal }) };
  }
  const slow = { ...config, budget: 40, batchSize: 2, parallelism: 2 };
  type OutTrialStatus = { status: string; values: Record<string, number> | null };

  it('the first interrupt stops the experiment, lets the running trials finish, writes --out and exits 130', async () => {
    const { out, stop, out$, err$, run: runIt } = interruptible('interrupted');
    // Stop once a few trials have finished, while one or two run.
    const evaluator = sleeper('sleep-300.mjs', 300);
    let finishedAtStop = -1;
    const watcher = setInterval(() => {
      const finished = evaluator.finished();
      if (!stop.signal.aborted && finished >= 4 && evaluator.runningRecorded()) {
        finishedAtStop = finished;
        stop.abort('SIGINT');
      }
    }, 20);
    const code = await runIt(evaluator.file);
    clearInterval(watcher);
    expect(code).toBe(INTERRUPTED_EXIT_CODE);
    expect(stop.signal.aborted).toBe(true);
    expect(err$.join('\n')).toMatch(/interrupted: stopping experiment .*the running ones finish and are recorded/);
    expect(out$.join('\n')).toMatch(/^stopped: interrupted \(\d+ trials, 0 failed\)/m);
    expect(out$.join('\n')).toMatch(/best trial #\d+: loss = /);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { trials: OutTrialStatus[]; best: { values: Record<string, number> } | null };
    const statuses = file.trials.map((t) => t.status);
    // The budget was not spent; nothing was left running; the trials that ran completed with values.
    expect(file.trials.length).toBeLessThan(slow.budget);
    expect(statuses.filter((s) => s !== 'COMPLETED' && s !== 'ABANDONED')).toEqual([]);
    // Those running at the stop finished and were recorded, and so was every evaluation that finished.
    const completed = file.trials.filter((t) => t.status === 'COMPLETED');
    expect(completed.length).toBeGreaterThan(finishedAtStop);
    expect(completed).toHaveLength(evaluator.finished());
    expect(completed.every((t) => Number.isFinite(t.values?.['loss']))).toBe(true);
    expect(file.best!.values['loss']).toBe(Math.min(...completed.map((t) => t.values!['loss']!)));
  });

  it('the apiary process does the same on SIGINT', async () => {
    const cfg = join(dir, 'slow-process.json');
    const out = join(dir, 'interrupted-process.json');
    writeFileSync(cfg, JSON.stringify(slow));
    const evaluator = sleeper('sleep-300-process.mjs', 300);
    const child = spawn(process.execPath, [join(root, 'apps/cli/bin/apiary.js'), 'optimize', '--config', cfg, '--evaluator', evaluator.file, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const watcher = setInterval(() => {
      if (evaluator.finished() >= 2 && evaluator.runningRecorded()) {
        clearInterval(watcher);
        child.kill('SIGINT');
      }
    }, 20);
    const code = await exited;
    clearInterval(watcher);
    expect(code, output).toBe(INTERRUPTED_EXIT_CODE);
    expect(output).toMatch(/stopped: interrupted/);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { trials: OutTrialStatus[] };
    expect(file.trials.filter((t) => t.status === 'COMPLETED')).toHaveLength(evaluator.finished());
  });

  it('a second interrupt stops waiting for running trials: --out lists them as RUNNING', async () => {
    const { out, stop, quit, err$, run: runIt } = interruptible('quit');
    // Trials of a minute: interrupt once they run, then again.
    const watcher = setInterval(() => {
      if (!stop.signal.aborted && err$.some((l) => l.startsWith('experiment '))) setTimeout(() => stop.abort('SIGINT'), 300);
      if (stop.signal.aborted && !quit.signal.aborted) setTimeout(() => quit.abort('SIGINT'), 300);
    }, 50);
    const t0 = Date.now();
    const code = await runIt(sleeper('sleep-60s.mjs', 60_000).file);
    clearInterval(watcher);
    expect(code).toBe(INTERRUPTED_EXIT_CODE);
    expect(Date.now() - t0).toBeLessThan(30_000);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { trials: OutTrialStatus[]; best: unknown };
    expect(file.trials.some((t) => t.status === 'RUNNING' || t.status === 'QUEUED')).toBe(true);
    expect(file.trials.every((t) => t.status !== 'COMPLETED')).toBe(true);
    expect(file.best).toBeNull();
  });
});
