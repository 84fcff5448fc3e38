import { describe, expect, it } from 'vitest';
import { groupBy } from '@apiary/contracts';

describe('groupBy', () => {
  it('groups in first-seen order of the keys, keeping the order within each group', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]);
    expect([...groups]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
      ['c', ['c1']],
    ]);
    expect(groupBy([], (x: number) => x).size).toBe(0);
    expect([...groupBy([3, 4, 5].keys(), (i) => i % 2)]).toEqual([
      [0, [0, 2]],
      [1, [1]],
    ]);
  });
});
