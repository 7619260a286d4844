/**
 * Broadcasts over arrays in the shared heap, compiled to WASM (broadcast-codegen.ts) and split over
 * the worker pool when large. A variant of the CPU broadcast kernel (see variants.ts); declines
 * (returns false) for small arrays or arrays outside the heap, which the JS loop handles.
 */

import type { DType } from '../../src/array/dtype.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { Operand } from '../../src/array/protocol.js';
import { wasm } from './api.js';
import { broadcastModule, mathImports } from './broadcast-codegen.js';
import { isResident, wasmMemory } from './heap.js';
import { ARGS, PoolOp, readyPool, runParallel, textFits, writeText } from './pool.js';

/** Outputs of at least this many bytes are split over threads. */
export const PARALLEL_BROADCAST_BYTES = 1 << 21;

type Run = (out: number, start: number, end: number, ...args: number[]) => void;
interface Compiled {
  id: number;
  bytes: Uint8Array;
  run: Run;
}
const modules = new Map<string, Compiled>();

function compiled(lambda: Lambda, layout: string, dtypes: (DType | null)[], out: DType): Compiled {
  const key = `${layout}\u0000${dtypes.join(',')}\u0000${out}\u0000${lambda.source}`;
  let c = modules.get(key);
  if (!c) {
    const { bytes } = broadcastModule(lambda, layout, dtypes, out);
    const instance = new wasm.Instance(new wasm.Module(bytes), {
      env: { memory: wasmMemory() },
      m: mathImports(),
    });
    c = { id: modules.size, bytes, run: instance.exports.run as Run };
    modules.set(key, c);
  }
  return c;
}

/**
 * A number as text that Number() reads back to the same value: String() turns -0 into "0", and a
 * scalar of -0 must reach the worker threads as -0 (1 / -0 is -Infinity, Math.pow(-0, -1) too).
 */
function exactText(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/** A runner of flat broadcasts (every array of the output's shape); false declines. */
export interface FlatRunner {
  run(lambda: Lambda, layout: string, out: NDArray, args: readonly Operand[]): boolean;
}

/** The runner for flat broadcasts whose output and arrays live in the shared heap. */
export const wasmBroadcast: FlatRunner = {
  run(lambda: Lambda, layout: string, out: NDArray, args: readonly Operand[]): boolean {
    if (!isResident(out.data) || (out.dtype !== 'float64' && out.dtype !== 'float32')) return false;
    if (!args.every((a) => typeof a === 'number' || isResident((a as NDArray).data))) return false;
    const dtypes = args.map((a) => (typeof a === 'number' ? null : a.dtype));
    const c = compiled(lambda, layout, dtypes, out.dtype);
    const ptrs = args.map((a) => (typeof a === 'number' ? a : (a as NDArray).data.byteOffset));
    const o = out.data.byteOffset;
    const n = out.size;
    const pool = out.data.byteLength >= PARALLEL_BROADCAST_BYTES ? readyPool() : null;
    const spec = pool ? JSON.stringify(ptrs.map(exactText)) : '';
    if (!pool || !textFits(c.bytes, spec)) {
      c.run(o, 0, n, ...ptrs);
      return true;
    }
    const [len, specLen] = writeText(pool, c.id, c.bytes, spec);
    const parts = pool.workers.length + 1;
    // Shares are whole cache lines so no two threads write the same line.
    const share = Math.ceil(n / parts / 16) * 16;
    const range = (p: number): [number, number] => [Math.min(n, p * share), Math.min(n, (p + 1) * share)];
    runParallel(
      pool,
      PoolOp.Broadcast,
      (f, base, part) => {
        const [s, e] = range(part);
        f.set([c.id, len, o, s, e, specLen], base + ARGS);
      },
      () => {
        const [s, e] = range(0);
        c.run(o, s, e, ...ptrs);
      },
    );
    return true;
  },
};
