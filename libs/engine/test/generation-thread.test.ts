import { Optimizer, branin } from '@apiary/bo-core';
import { ExperimentConfigSchema, parseOrThrow } from '@apiary/contracts';
import { describe, expect, it, vi } from 'vitest';
import { ExperimentRunner, GenerationThread, LocalDispatcher, MemoryStore, optimizerOptions, SILENT_LOGGER } from '../src/index.js';
import { asWorker, braninAt, braninConfig } from './support/configs.js';
import { EventLog } from './support/observe.js';

const evaluate = (p: Record<string, unknown>): number => branin.evaluate([p['x1'] as number, p['x2'] as number]);

describe('GenerationThread', () => {
  it('proposes exactly what the same optimiser proposes on this thread', async () => {
    const config = parseOrThrow(ExperimentConfigSchema, braninConfig({ generation: { method: 'qlognei', initialTrials: 4, numRestarts: 2, rawSamples: 32 } }), 'config');
    // Without TensorFlow.js: float32 raw scoring could pick other restarts than this thread's float64.
    const thread = new GenerationThread(SILENT_LOGGER, { tensorflow: false });
    try {
      const local = new Optimizer(optimizerOptions(config));
      const remote = thread.source(new Optimizer(optimizerOptions(config)), optimizerOptions(config), 'x');
      for (let round = 0; round < 4; round++) {
        const a = local.ask(2);
        const b = await remote.ask(2);
        expect(b.map((t) => [t.index, t.generator, Array.from(t.unit)])).toEqual(a.map((t) => [t.index, t.generator, Array.from(t.unit)]));
        // One fails, one completes: the replica must see both to stay in step.
        local.fail(a[0]!.index, 'boom');
        remote.fail(b[0]!.index, 'boom');
        local.tell(a[1]!.index, evaluate(a[1]!.parameters));
        remote.tell(b[1]!.index, { objective: evaluate(b[1]!.parameters) });
      }
      expect(remote.trials.map((t) => t.generator)).toContain('qlognei');
      expect(await thread.ready).toBeNull();
      expect(remote.lastGeneration).toMatchObject({ generator: 'qlognei', points: 2 });
      expect(remote.best()!.index).toBe(local.best()!.index);
    } finally {
      await thread.close();
    }
  });

  it('starts a replica from an optimiser with history, and falls back to this thread once closed', async () => {
    const config = parseOrThrow(ExperimentConfigSchema, braninConfig({ generation: { method: 'qlognei', initialTrials: 4, numRestarts: 2, rawSamples: 32 } }), 'config');
    const history = new Optimizer(optimizerOptions(config));
    for (const t of history.ask(5)) history.tell(t.index, evaluate(t.parameters));
    const thread = new GenerationThread(SILENT_LOGGER);
    const remote = thread.source(history, optimizerOptions(config), 'y');
    const [t] = await remote.ask(1);
    expect(t).toMatchObject({ index: 5, generator: 'qlognei' });
    // The thread started TensorFlow.js on the best backend present (wasm here) for raw scoring.
    expect(await thread.ready).toMatch(/^TensorFlow\.js \S+ on (wasm|tensorflow|tensorflow-gpu|cpu)/);
    await thread.close();
    expect(thread.available).toBe(false);
    const [u] = await remote.ask(1);
    expect(u!.index).toBe(6);
  });

  it('leaves quasi-random experiments on this thread: no thread is started for them', async () => {
    const sources = vi.spyOn(GenerationThread.prototype, 'source');
    const store = new MemoryStore();
    const dispatcher = new LocalDispatcher({ execute: asWorker(async (job) => braninAt(job)), concurrency: 4 });
    const runner = new ExperimentRunner({ store, dispatcher, timeoutCheckIntervalMs: 0, generationThread: true });
    try {
      const created = await runner.create(braninConfig({ budget: 8, generation: { method: 'sobol' } }));
      await runner.start(created.id);
      expect(await runner.whenDone(created.id)).toMatchObject({ status: 'COMPLETED', nextIndex: 8 });
      expect(sources).not.toHaveBeenCalled();
    } finally {
      sources.mockRestore();
      await runner.close();
      await dispatcher.close();
    }
  });

  it('runs a whole experiment through the runner', async () => {
    const store = new MemoryStore();
    const dispatcher = new LocalDispatcher({ execute: asWorker(async (job) => braninAt(job)), concurrency: 4 });
    const log = new EventLog();
    const runner = new ExperimentRunner({ store, dispatcher, onEvent: log.onEvent, timeoutCheckIntervalMs: 0, generationThread: true });
    try {
      const created = await runner.create(braninConfig({ budget: 12, mode: 'batch', batchSize: 4, seed: 3 }));
      await runner.start(created.id);
      const done = await runner.whenDone(created.id);
      expect(done).toMatchObject({ status: 'COMPLETED', nextIndex: 12 });
      const page = await runner.trials(created.id, { limit: 100 });
      expect(page.items.every((t) => t.status === 'COMPLETED')).toBe(true);
      expect(page.items.filter((t) => t.generator === 'qlognei').length).toBeGreaterThan(0);
      expect(log.of('generation').filter((g) => g.generator === 'qlognei').every((g) => g.fitSeconds !== null)).toBe(true);
    } finally {
      await runner.close();
      await dispatcher.close();
    }
  });
});
