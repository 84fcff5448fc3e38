import { describe, expect, it } from 'vitest';
import { fromRows, toRows, transpose, ShapeError } from '@apiary/bo-core';

describe('Matrix', () => {
  it('round-trips nested rows and transposes', () => {
    const m = fromRows([[1, 2, 3], [4, 5, 6]]);
    expect(m.rows).toBe(2);
    expect(toRows(transpose(m))).toEqual([[1, 4], [2, 5], [3, 6]]);
  });
  it('rejects ragged rows with a ShapeError', () => {
    expect(() => fromRows([[1, 2], [3]])).toThrow(ShapeError);
  });
});
