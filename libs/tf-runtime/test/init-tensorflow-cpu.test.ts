import { describe, expect, it } from 'vitest';
import { describeBackend, initTensorflow } from '../src/index.js';

// A separate file, so a separate process: the first call decides the backend for the process.
describe('initTensorflow (prefer cpu)', () => {
  it('rejects an empty or unknown preference without deciding anything', async () => {
    await expect(initTensorflow({ prefer: [] })).rejects.toThrow(/prefer is empty/);
    await expect(initTensorflow({ prefer: ['gpu' as never] })).rejects.toThrow(/unknown backend 'gpu'/);
    expect(describeBackend().initialised).toBe(false);
  });

  it('gives cpu when forced', async () => {
    const rt = await initTensorflow({ prefer: ['cpu'] });
    expect(rt.backend).toBe('cpu');
    expect(rt.tf.getBackend()).toBe('cpu');
    expect(rt.tried).toEqual([{ name: 'cpu' }]);
    const y = rt.tf.tidy(() => rt.tf.matMul(rt.tf.tensor2d([1, 2], [1, 2]), rt.tf.tensor2d([3, 4], [2, 1])).dataSync());
    expect(y[0]).toBe(11);
    expect(describeBackend().summary).toBe('TensorFlow.js 4.22.0 on cpu');
  });
});
