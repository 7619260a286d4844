/** Bad input to DArray constructors fails on the caller, before anything reaches a worker. */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  array,
  collect,
  DArray,
  type DType,
  dfill,
  distribute,
  dones,
  drand,
  dzeros,
  procs,
  sum,
  zeros,
} from '../../src/index.js';
import { chunkCounts } from './darray-leaks.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers({ chunks: true });

/** Runs `make`, expects an ArgumentError matching `re`, and checks that no worker got a chunk. */
async function refusedBeforeSending(make: () => Promise<unknown>, re: RegExp): Promise<void> {
  const before = await chunkCounts();
  const err = await make().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArgumentError);
  expect((err as Error).message).toMatch(re);
  expect(await chunkCounts()).toEqual(before);
}

describe('DArray constructors check their input on the caller', () => {
  it.each(['float16', 'int64', 'complex', 7])('refuses dtype %s, naming the accepted ones', async (dtype) => {
    const bad = { dtype: dtype as DType };
    const accepted = /dtype must be one of float64, float32, int32, uint8, got/;
    await refusedBeforeSending(() => dzeros([4], bad), new RegExp(`^dzeros: ${accepted.source}`));
    await refusedBeforeSending(() => dones([4], bad), /^dones: dtype must be one of float64, float32/);
    await refusedBeforeSending(() => drand([4], bad), /^drand: dtype must be one of/);
    await refusedBeforeSending(() => dfill([4], 1, bad), /^dfill: dtype must be one of/);
    await refusedBeforeSending(
      () => DArray.init(() => [0, 0], [4], bad),
      /^DArray\.init: dtype must be one of/,
    );
  });

  it('refuses bad dims, procs, dist and fill values', async () => {
    await refusedBeforeSending(() => dzeros([4, -2]), /^dzeros: dims must be .* got \[4, -2\]/);
    await refusedBeforeSending(() => dones([2.5]), /^dones: dims must be .* got \[2\.5\]/);
    await refusedBeforeSending(() => dzeros(4 as unknown as number[]), /^dzeros: dims must be an array/);
    await refusedBeforeSending(
      () => dzeros([4], { procs: [cluster.p2, 99] }),
      new RegExp(
        `^dzeros: procs must be ids of live processes, but 99 is not among procs\\(\\) = \\[${procs().join(', ')}\\]`,
      ),
    );
    await refusedBeforeSending(
      () => distribute(zeros([4]), { procs: [cluster.p2, cluster.p2] }),
      /^distribute: procs must not repeat a process/,
    );
    await refusedBeforeSending(() => drand([4], { procs: [] }), /^drand: procs must be a non-empty array/);
    await refusedBeforeSending(() => dones([4, 4], { dist: [2] }), /^dones: dist must give .* 2 dimensions/);
    await refusedBeforeSending(() => dones([4], { dist: [3] }), /makes 3 chunks but only 2 processes/);
    await refusedBeforeSending(
      () => dones([4], { dist: 'rows' as unknown as number[] }),
      /^dones: dist must be an array/,
    );
    await refusedBeforeSending(
      () => dfill([4], '1' as unknown as number),
      /^dfill: the fill value must be a number/,
    );
    await refusedBeforeSending(() => drand([4], { seed: 1.5 }), /^drand: seed must be an integer/);
    await refusedBeforeSending(() => dzeros([4], { backend: 'cuda' }), /^dzeros: backend must be one of/);
  });

  it('cuts 10 rows over 3 processes as 4, 3, 3', async () => {
    const three = procs().slice(0, 3);
    const d = await distribute(array(Array.from({ length: 10 }, (_, i) => i)), { procs: three });
    expect(d.indices).toEqual([[[0, 4]], [[4, 7]], [[7, 10]]]);
    expect(Array.from((await collect(d)).data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    d.close();
  });
});

describe('DArray.init checks each chunk against the declared dtype and shape', () => {
  it('refuses a chunk of another dtype, naming the worker, what was expected and what came', async () => {
    const d = await DArray.init((box) => zeros([box[0]![1] - box[0]![0]], 'float32'), [6]);
    await expect(sum(d)).rejects.toThrow(
      new RegExp(
        `DArray\\.init: the init function returned, on worker (${cluster.p2}|${cluster.p3}) for the chunk \\[\\d:\\d\\], float32 data of shape \\[3\\]; expected float64 data of shape \\[3\\]`,
      ),
    );
    await expect(collect(d)).rejects.toThrow(/float32 data of shape \[3\]; expected float64/);
    d.close();
  });

  it('refuses chunks of the wrong shape or kind', async () => {
    const wrongShape = await DArray.init(() => zeros([2]), [6], { dtype: 'float64' });
    await expect(sum(wrongShape)).rejects.toThrow(
      /float64 data of shape \[2\]; expected float64 data of shape \[3\]/,
    );
    const wrongNested = await DArray.init(
      () => [
        [1, 2],
        [3, 4],
      ],
      [4, 3],
    );
    await expect(sum(wrongNested)).rejects.toThrow(
      /nested arrays of shape \[2, 2\]; expected float64 data of shape \[2, 3\]/,
    );
    const typed = await DArray.init(() => new Float32Array(3), [6]);
    await expect(sum(typed)).rejects.toThrow(/a Float32Array of 3 elements; expected float64/);
    const notData = await DArray.init(() => 'abc', [6]);
    await expect(sum(notData)).rejects.toThrow(/the string "abc"; expected float64/);
    for (const x of [wrongShape, wrongNested, typed, notData]) x.close();
  });

  it('stores plain numbers as the declared dtype, flat or nested to the chunk shape', async () => {
    const d = await DArray.init((box) => Array.from({ length: 3 }, (_, i) => box[0]![0] + i + 0.5), [6], {
      dtype: 'int32',
    });
    expect(d.dtype).toBe('int32');
    const host = await collect(d);
    expect(host.dtype).toBe('int32');
    expect(Array.from(host.data)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await sum(d)).toBe(15);
    d.close();
  });
});
