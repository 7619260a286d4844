import { describe, expect, it } from 'vitest';
import { ArgumentError, expandHostlist } from '../../src/index.js';

describe('expandHostlist (Slurm host lists)', () => {
  it('expands ranges, keeps zero padding and order, and splits only at top-level commas', () => {
    expect(expandHostlist('node[001-003]')).toEqual(['node001', 'node002', 'node003']);
    expect(expandHostlist('a[1-3,7],b5')).toEqual(['a1', 'a2', 'a3', 'a7', 'b5']);
    expect(expandHostlist('localhost')).toEqual(['localhost']);
    expect(expandHostlist('n[8-11]')).toEqual(['n8', 'n9', 'n10', 'n11']);
    expect(expandHostlist('gpu[09-10]-ib')).toEqual(['gpu09-ib', 'gpu10-ib']);
    expect(expandHostlist('')).toEqual([]);
  });

  it('gives the cartesian product of several brackets in one name', () => {
    expect(expandHostlist('rack[1-2]-n[01-02]')).toEqual([
      'rack1-n01',
      'rack1-n02',
      'rack2-n01',
      'rack2-n02',
    ]);
  });

  it('refuses malformed lists with what was expected', () => {
    for (const [bad, why] of [
      ['node[1-3', /never closed/],
      ['node1-3]', /without '\['/],
      ['node[a-b]', /expected a number or a range/],
      ['node[5-2]', /runs backwards/],
      ['n[[1]]', /nested/],
      ['n[1-100000000]', /too large/],
    ] as const) {
      expect(() => expandHostlist(bad)).toThrow(ArgumentError);
      expect(() => expandHostlist(bad)).toThrow(why);
    }
  });
});
