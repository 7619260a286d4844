import { describe, expect, it } from 'vitest';
import { defaultCuts, makeLayout } from '../../darray/layout.js';

const lengths = (cuts: number[]) => cuts.slice(1).map((c, k) => c - (cuts[k] as number));

describe('DArray layout', () => {
  it('cuts as evenly as possible with the larger chunks first (DistributedArrays defaultdist)', () => {
    expect(defaultCuts(10, 3)).toEqual([0, 4, 7, 10]);
    expect(lengths(defaultCuts(10, 4))).toEqual([3, 3, 2, 2]);
    expect(lengths(defaultCuts(7, 2))).toEqual([4, 3]);
    expect(lengths(defaultCuts(9, 3))).toEqual([3, 3, 3]);
    // More parts than elements: one element each, then empty chunks at the end.
    expect(lengths(defaultCuts(2, 4))).toEqual([1, 1, 0, 0]);
    expect(makeLayout([10, 5], [2, 3, 4]).cuts).toEqual([
      [0, 4, 7, 10],
      [0, 5],
    ]);
  });

  it('names the caller and shows the bad value', () => {
    expect(() => makeLayout([3, -1], [2], undefined, 'dzeros')).toThrow(
      /^dzeros: dims must be an array of non-negative integers such as \[100, 50\], got \[3, -1\]$/,
    );
    expect(() => makeLayout([3.5], [2], undefined, 'dones')).toThrow(/dones: dims .* got \[3\.5\]/);
    expect(() => makeLayout([4], [2], [0], 'drand')).toThrow(
      /drand: dist must be an array of positive integers/,
    );
    expect(() => makeLayout([4], [2], [1, 1], 'drand')).toThrow(/for each of the 1 dimensions, got \[1, 1\]/);
  });
});
