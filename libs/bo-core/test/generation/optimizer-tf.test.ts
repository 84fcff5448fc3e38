import { initTensorflow, type Tfjs } from '@apiary/tf-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TfCore } from '../../src/acquisition/tf/index.js';
import { Optimizer, type OptimizerOptions } from '../../src/generation/optimizer.js';
import { hartmann3 } from '../../src/test-functions/hartmann.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = (await initTensorflow()).tf;
});

const space: OptimizerOptions['searchSpace'] = { parameters: [0, 1, 2].map((j) => ({ name: `x${j}`, type: 'range' as const, bounds: [0, 1] as [number, number] })) };
const strategy = { initialTrials: 8, numRestarts: 3, rawSamples: 64, mcSamples: 64 };
const evaluate = (p: Record<string, unknown>): number => hartmann3.evaluate([0, 1, 2].map((j) => p[`x${j}`] as number));

/** Runs 8 Sobol trials and 2 model batches of 2; returns the model-based proposals. */
function run(opt: Optimizer): number[][] {
  for (const t of opt.ask(8)) opt.tell(t.index, evaluate(t.parameters));
  const out: number[][] = [];
  for (let k = 0; k < 2; k++) {
    const batch = opt.ask(2);
    for (const t of batch) {
      out.push(Array.from(t.unit));
      opt.tell(t.index, evaluate(t.parameters));
    }
  }
  return out;
}

describe('Optimizer with a TensorFlow.js instance', () => {
  it('scores raw batches in float32 on wasm, frees its tensors and proposes as well as float64', () => {
    expect(tf.getBackend()).not.toBe('cpu');
    const before = tf.memory().numTensors;
    const engine = (tf as unknown as { engine(): { nextTensorId(): number } }).engine();
    const firstId = engine.nextTensorId();
    const withTf = new Optimizer({ searchSpace: space, seed: 4, strategy, tf: tf as unknown as TfCore });
    const plain = new Optimizer({ searchSpace: space, seed: 4, strategy });
    const a = run(withTf);
    expect(engine.nextTensorId() - firstId).toBeGreaterThan(100); // the scorer did run on tf
    run(plain);
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toHaveLength(4);
    for (const u of a) for (const v of u) expect(v >= 0 && v <= 1).toBe(true);
    // Same data, same float64 optimisation: the best found is as good to within a small margin.
    const best = (o: Optimizer): number => o.best()!.values!['objective']!;
    expect(best(withTf)).toBeLessThan(best(plain) + 0.5);
  });

  it('falls back to float64 scoring on the plain cpu backend: the same proposals as without tf', async () => {
    const chosen = tf.getBackend();
    await tf.setBackend('cpu');
    try {
      const a = run(new Optimizer({ searchSpace: space, seed: 9, strategy, tf: tf as unknown as TfCore }));
      const b = run(new Optimizer({ searchSpace: space, seed: 9, strategy }));
      expect(a).toEqual(b);
    } finally {
      await tf.setBackend(chosen);
    }
  });
});
