/**
 * Large flat broadcasts split over the worker pool: each thread runs the same generated JS loop
 * (kernels/cpu/broadcast.ts) on its range of the shared heap. Installed with setBroadcastRunner.
 */

import type { DType } from '../../src/array/dtype.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { Operand } from '../../src/array/protocol.js';
import { type FlatRunner, flatLoop, flatLoopSource } from '../cpu/broadcast.js';
import { isResident } from './heap.js';
import { ARGS, PoolOp, readyPool, runParallel, writeText } from './pool.js';

/** Outputs of at least this many bytes are split over threads. */
export const PARALLEL_BROADCAST_BYTES = 1 << 21;

const CODES: Record<DType, number> = { float64: 0, float32: 1, int32: 2, uint8: 3 };
const ids = new Map<string, number>();

/** The pool runner for flat broadcasts; declines (returns false) for small or non-heap arrays. */
export const threadedBroadcast: FlatRunner = {
  run(lambda: Lambda, layout: string, out: NDArray, args: readonly Operand[]): boolean {
    if (out.data.byteLength < PARALLEL_BROADCAST_BYTES || !isResident(out.data)) return false;
    if (!args.every((a) => typeof a === 'number' || isResident((a as NDArray).data))) return false;
    const pool = readyPool();
    if (!pool) return false;
    const key = `${layout}\u0000${lambda.source}`;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    const spec = JSON.stringify(
      args.map((a) => {
        if (typeof a === 'number') return String(a);
        const d = (a as NDArray).data;
        return [CODES[(a as NDArray).dtype], d.byteOffset, d.length];
      }),
    );
    const [srcLen, specLen] = writeText(pool, id, flatLoopSource(lambda, layout), spec);
    const n = out.size;
    const parts = pool.workers.length + 1;
    // Shares are whole cache lines so no two threads write the same line.
    const share = Math.ceil(n / parts / 16) * 16;
    const range = (p: number): [number, number] => [Math.min(n, p * share), Math.min(n, (p + 1) * share)];
    const data = args.map((a) => (typeof a === 'number' ? a : (a as NDArray).data));
    const loop = flatLoop(lambda, layout);
    runParallel(
      pool,
      PoolOp.Flat,
      (f, base, part) => {
        const [s, e] = range(part);
        f.set([id, srcLen, 0, CODES[out.dtype], out.data.byteOffset, n, s, e, specLen], base + ARGS);
      },
      () => {
        const [s, e] = range(0);
        loop(out.data, s, e, ...data);
      },
    );
    return true;
  },
};
