// Index normalization, composition of views, offsets, and the DArray splitting of a selection by chunk.
import { describe, expect, it } from 'vitest';
import { alignedLayout } from '../../darray/getindex.js';
import { makeLayout } from '../../darray/layout.js';
import { splitSel } from '../../darray/select.js';
import {
  composeIndices,
  flatOffsets,
  normalize,
  type Selector,
  selAt,
  selLength,
} from '../../src/array/indices.js';
import { array, BoundsError, getindex, NDArray, SubArray, setindex, view } from '../../src/index.js';

const positions = (s: Selector) => Array.from({ length: selLength(s) }, (_, j) => selAt(s, j));

describe('index normalization', () => {
  it('ranges are half-open, steps may be negative, and empty ranges need no bounds', () => {
    const { sels } = normalize('t', [10], [[9, -1, -3]]);
    expect(positions(sels[0] as Selector)).toEqual([9, 6, 3, 0]);
    expect(positions(normalize('t', [10], [[2, 9, 3]]).sels[0] as Selector)).toEqual([2, 5, 8]);
    expect(selLength(normalize('t', [10], [[50, 40]]).sels[0] as Selector)).toBe(0);
    expect(() => normalize('t', [10], [[5, 11]])).toThrow(BoundsError);
    expect(() => normalize('t', [10], [[0, 5, 0]])).toThrow(/must not be 0/);
  });

  it('one number on an n-d array becomes its row-major position', () => {
    const ix = normalize('t', [3, 4], [7]);
    expect(ix.linear).toBe(false);
    expect(ix.sels).toEqual([
      { kind: 'scalar', i: 1 },
      { kind: 'scalar', i: 3 },
    ]);
    expect(normalize('t', [3, 4], [[0, 12, 5]]).linear).toBe(true);
  });

  it('a view of a view composes into one selection of the parent', () => {
    const outer = normalize('t', [10, 10], [[1, 9, 2], 3]).sels; // rows 1,3,5,7; column 3
    const inner = normalize('t', [4], [[3, -1, -2]]).sels; // view positions 3, 1
    const c = composeIndices(outer, inner);
    expect(positions(c[0] as Selector)).toEqual([7, 3]);
    expect(c[1]).toEqual({ kind: 'scalar', i: 3 });
  });

  it('flat offsets follow the result in row-major order', () => {
    expect([...flatOffsets([3, 4], normalize('t', [3, 4], [Int32Array.of(2, 0), [3, 0, -2]]))]).toEqual([
      11, 9, 3, 1,
    ]);
  });
});

describe('NDArray views', () => {
  it('a contiguous selection is an NDArray over the same memory; a strided one a SubArray', async () => {
    const A = array([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    const row = await view(A, 1, ':');
    expect(row).toBeInstanceOf(NDArray);
    expect((row as NDArray).data.buffer).toBe(A.data.buffer);
    await setindex(row, 0, 2);
    expect(A.get(1, 2)).toBe(0);
    const col = await view(A, ':', 0);
    expect(col).toBeInstanceOf(SubArray);
    await setindex(col, -1, [0, 3, 2]);
    expect([A.get(0, 0), A.get(1, 0), A.get(2, 0)]).toEqual([-1, 4, -1]);
  });

  it('setindex of an array into itself reads the old values', async () => {
    const v = array([1, 2, 3, 4]);
    // Written back to front, element by element: without a copy, v[1] would read the new v[2].
    await setindex(v, await view(v, [0, 3]), [3, 0, -1]);
    expect([...v.data]).toEqual([1, 3, 2, 1]);
    await setindex(v, v, [3, -1, -1]);
    expect([...v.data]).toEqual([1, 2, 3, 1]);
    expect(await getindex(v, 1)).toBe(2);
  });
});

describe('splitting a selection over DArray chunks', () => {
  it('a negative-step range splits into the positions each chunk holds', () => {
    const s: Selector = { kind: 'range', start: 9, step: -2, len: 5 }; // 9 7 5 3 1
    const hi = splitSel(s, 5, 10);
    const lo = splitSel(s, 0, 5);
    expect(positions(hi?.src as Selector)).toEqual([9, 7, 5]);
    expect(positions(hi?.pos as Selector)).toEqual([0, 1, 2]);
    expect(positions(lo?.src as Selector)).toEqual([3, 1]);
    expect(positions(lo?.pos as Selector)).toEqual([3, 4]);
    expect(splitSel(s, 10, 12)).toBeUndefined();
  });

  it('an ordered selection is cut where it crosses the source cuts, an unordered one is not', () => {
    const L = makeLayout([8, 6], [2, 3]); // rows 0..3 on 2, 4..7 on 3; rows 7 to 2 are 4 rows of 3's, then 2 of 2's
    const rows = normalize('t', [8, 6], [[7, 1, -1], ':']).sels;
    expect(alignedLayout(L, rows)).toEqual({
      dims: [6, 6],
      dist: [2, 1],
      cuts: [
        [0, 4, 6],
        [0, 6],
      ],
      pids: [3, 2],
    });
    const mixed = normalize('t', [8, 6], [Int32Array.of(0, 5, 1), ':']).sels;
    expect(alignedLayout(L, mixed)).toBeUndefined();
  });
});
