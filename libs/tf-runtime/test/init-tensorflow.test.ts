import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { currentTensorflow, describeBackend, initTensorflow } from '../src/index.js';

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const NODE_BINDING = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

// Usually neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed (they need a
// libtensorflow download): the default order must then fall through to wasm.
describe.skipIf(NODE_BINDING)('initTensorflow (default order, no libtensorflow binding installed)', () => {
  it('reports nothing before start-up', () => {
    expect(currentTensorflow()).toBeNull();
    expect(describeBackend()).toMatchObject({ initialised: false, backend: null });
  });

  it('picks wasm and says why the node backends were skipped', async () => {
    const rt = await initTensorflow();
    expect(rt.backend).toBe('wasm');
    expect(rt.tf.getBackend()).toBe('wasm');
    expect(rt.tried.map((t) => t.name)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'wasm']);
    for (const skipped of rt.tried.slice(0, 2)) expect(skipped.error).toMatch(/not installed|Cannot find/);
    expect(rt.tried[2]!.error).toBeUndefined();
    const d = describeBackend();
    expect(d).toMatchObject({ initialised: true, backend: 'wasm', version: '4.22.0' });
    expect(d.summary).toContain('on wasm');
    expect(d.summary).toContain('skipped @tensorflow/tfjs-node:');
  });

  it('runs a matmul on it without leaking tensors', async () => {
    const { tf } = await initTensorflow();
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2])).dataSync());
    expect(Array.from(out)).toEqual([4, 5, 10, 11]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is idempotent: a later call returns the same runtime whatever it asks for', async () => {
    const first = await initTensorflow();
    const second = await initTensorflow({ prefer: ['cpu'] });
    expect(second).toBe(first);
    expect(currentTensorflow()).toBe(first);
  });
});
