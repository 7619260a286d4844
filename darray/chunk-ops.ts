/**
 * What owners run for DArray operations. The master sends each owner one command per operation;
 * a command that makes a chunk stores it (as a promise) at once, so commands sent without waiting
 * run in order and errors reach whoever reads the chunk next.
 */

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { scope } from '../gpu/scope.js';
import { array, fill, ones, rand, randn, zeros } from '../src/array/create.js';
import { type DType, dtypeOfData } from '../src/array/dtype.js';
import { applyStep, planReduce } from '../src/array/ir/reduce-plan.js';
import type { Lambda } from '../src/array/ir/types.js';
import { NDArray } from '../src/array/ndarray.js';
import { broadcast, collect, dot, mapreduce, mul, norm, transpose } from '../src/array/ops.js';
import type { AnyArray, Operand, OpKernels, Reducer } from '../src/array/protocol.js';
import { getKernel } from '../src/array/registry.js';
import { allocData } from '../src/array/storage.js';
import { state } from '../src/cluster/state.js';
import { ArgumentError, describe } from '../src/errors.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { allgather, reduceTo } from './collectives.js';
import type { DArray } from './darray.js';
import { fetchBox, upload } from './fetch-box.js';
import { type Box, boxShape, boxSize, projectBox, sameList } from './layout.js';
import { canMulByBlocks, mulByBlocks, type Piece } from './mul-blocks.js';
import { cpuPartialRows, mulByColumns, type PartialRows } from './mul-cols.js';
import { chunkEntry, putChunk, running } from './store.js';

// The CPU backend's kernel, looked up in the registry: darray/ does not import kernels/.
const scaleInPlace: OpKernels['scaleInPlace'] = (y, alpha) => getKernel('scaleInPlace', 'cpu')(y, alpha);

type Init = (box: Box) => unknown;

/**
 * The chunk an init function returned, checked against what the DArray declared. An NDArray or a
 * TypedArray must already have the declared dtype and the chunk's shape: converting it quietly
 * would round or truncate values the caller chose. Plain number arrays carry no dtype and are
 * stored as the declared one (flat row-major data, or nested to the chunk's shape).
 */
export function checkInitChunk(x: unknown, dtype: DType, box: Box): NDArray {
  const shape = boxShape(box);
  const where = `DArray.init: the init function returned, on worker ${state.myid} for the chunk [${box.map(([lo, hi]) => `${lo}:${hi}`).join(', ')}],`;
  const expected = `expected ${dtype} data of shape [${shape.join(', ')}] (${boxSize(box)} elements)`;
  const fix = `return e.g. zeros([${shape.join(', ')}], '${dtype}') filled in, or declare the DArray's dtype to match`;
  if (x instanceof NDArray) {
    if (x.dtype !== dtype || !sameList(x.shape, shape)) {
      throw new ArgumentError(
        `${where} ${x.dtype} data of shape [${x.shape.join(', ')}]; ${expected}; ${fix}`,
      );
    }
    return x;
  }
  if (x && typeof x === 'object' && 'backend' in x)
    throw new ArgumentError(
      `${where} a ${(x as AnyArray).backend} array; ${expected} on the host (an NDArray or numbers)`,
    );
  if (ArrayBuffer.isView(x)) {
    const own = dtypeOfData(x);
    const length = (x as { length?: number }).length;
    if (own !== dtype || length !== boxSize(box)) {
      throw new ArgumentError(`${where} ${describe(x)} of ${length} elements; ${expected}; ${fix}`);
    }
    return array(x, { dtype, shape });
  }
  if (!Array.isArray(x)) throw new ArgumentError(`${where} ${describe(x)}; ${expected}; ${fix}`);
  const nested = x.some((v) => Array.isArray(v));
  let out: NDArray;
  try {
    // Nested arrays must match the chunk's shape; a flat list is the chunk's data in row-major order.
    out = array(x as number[], nested ? { dtype } : { dtype, shape });
  } catch (err) {
    throw new ArgumentError(
      `${where} an array that cannot be read as numbers: ${(err as Error).message}; ${expected}`,
    );
  }
  if (!sameList(out.shape, shape))
    throw new ArgumentError(`${where} nested arrays of shape [${out.shape.join(', ')}]; ${expected}; ${fix}`);
  return out;
}
/** Moves received data into kernel-friendly storage (the shared WASM heap when large), once. */
function adopt(data: NDArray): NDArray {
  const copy = allocData(data.dtype, data.size, false);
  copy.set(data.data as never);
  return new NDArray(copy, data.shape);
}

/**
 * Runs one command's work; on a GPU backend inside a scope() that frees its temporaries. CPU
 * chunks skip it: scope() rests on AsyncLocalStorage, whose promise hooks slow every later await
 * in the process.
 */
function onBackend<T>(backend: string, work: () => Promise<T>): Promise<T> {
  return backend === 'cpu' ? work() : scope(work);
}

export const storeHere = registerBuiltin(
  'darrayStore',
  (id: string, box: Box, data: NDArray, backend: string): void =>
    putChunk(id, box, upload(backend === 'cpu' ? adopt(data) : data, backend)),
);

export const initHere = registerBuiltin(
  'darrayInit',
  (id: string, box: Box, init: Init, dtype: DType, backend: string): void =>
    putChunk(
      id,
      box,
      (async () => {
        const chunk = checkInitChunk(await init(box), dtype, box);
        return upload(chunk, backend);
      })(),
    ),
);

export type FillKind = ['zeros'] | ['ones'] | ['fill', number] | ['rand', number] | ['randn', number];

export const fillHere = registerBuiltin(
  'darrayFill',
  (id: string, box: Box, kind: FillKind, dtype: DType, backend: string): void => {
    const shape = boxShape(box);
    const make = (): NDArray => {
      switch (kind[0]) {
        case 'zeros':
          return zeros(shape, dtype);
        case 'ones':
          return ones(shape, dtype);
        case 'fill':
          return fill(shape, kind[1], dtype);
        case 'rand':
          return rand(shape, { dtype, seed: kind[1] });
        case 'randn':
          return randn(shape, { dtype, seed: kind[1] });
      }
    };
    putChunk(id, box, (async () => upload(make(), backend))());
  },
);

/** An operand of a distributed broadcast as sent to one owner. */
export type ChunkOperand = { d: DArray } | { n: number } | { h: NDArray };

export const broadcastHere = registerBuiltin(
  'darrayBroadcast',
  (outId: string, outBox: Box, lambda: Lambda, operands: ChunkOperand[], backend: string): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        const args: Operand[] = await Promise.all(
          operands.map(async (o) => {
            if ('n' in o) return o.n;
            if ('h' in o) return backend === 'cpu' ? o.h : upload(o.h, backend);
            const part = await fetchBox(o.d, projectBox(outBox, o.d.shape));
            return part.backend === backend ? part : upload(part as NDArray, backend);
          }),
        );
        return broadcast(lambda, ...args);
      }),
    );
  },
);

/** The kinds of per-chunk reduction, with what combines the partials. */
export type ReduceSpec =
  | { kind: 'mapreduce'; map: Lambda | null; reducer: Reducer }
  | { kind: 'norm'; p: number }
  | { kind: 'dot'; other: DArray };

async function partial(spec: ReduceSpec, d: DArray, box: Box): Promise<number | undefined> {
  const chunk = await chunkEntry(d.id).array;
  if (chunk.shape.some((n) => n === 0)) return undefined;
  switch (spec.kind) {
    case 'mapreduce':
      return mapreduce(spec.map, spec.reducer, chunk);
    case 'norm':
      return norm(chunk, spec.p);
    case 'dot': {
      const other = await fetchBox(spec.other, box);
      return dot(
        chunk,
        other.backend === chunk.backend ? other : await upload(other as NDArray, chunk.backend),
      );
    }
  }
}

/** Combines two partials; undefined stands for an empty chunk. */
export function combineFor(
  spec: ReduceSpec,
): (a: number | undefined, b: number | undefined) => number | undefined {
  const f = ((): ((a: number, b: number) => number) => {
    if (spec.kind === 'dot') return (a, b) => a + b;
    if (spec.kind === 'norm') {
      const p = spec.p;
      if (p === Number.POSITIVE_INFINITY) return Math.max;
      if (p === 1) return (a, b) => a + b;
      if (p === 2) return Math.hypot;
      // Scaled so that partial norms combine without overflow: m·((a/m)^p + (b/m)^p)^(1/p).
      return (a, b) => {
        const m = Math.max(a, b);
        return m === 0 ? 0 : m * ((a / m) ** p + (b / m) ** p) ** (1 / p);
      };
    }
    // A mapreduce's partials combine with its planned step, the one every backend folds with.
    const plan = planReduce(spec.map, spec.reducer, undefined);
    return (a, b) => applyStep(plan, a, b);
  })();
  return (a, b) => (a === undefined ? b : b === undefined ? a : f(a, b));
}

export const reduceHere = registerBuiltin(
  'darrayReduce',
  (tag: string, d: DArray, spec: ReduceSpec): Promise<number | undefined> =>
    // A GPU chunk's uploaded operands are temporaries of this command.
    running(onBackend(d.chunkBackend, () => reduceChunk(tag, d, spec))),
);

async function reduceChunk(tag: string, d: DArray, spec: ReduceSpec): Promise<number | undefined> {
  const c = d.pids.indexOf(myidOf());
  const box = d.indices[c] as Box;
  const mine = await partial(spec, d, box).catch((err: Error) => ({
    error: `${err.name}: ${err.message}`,
  }));
  const root = d.pids[0] as number;
  const combine = combineFor(spec);
  type Part = number | undefined | { error: string };
  const merged = await reduceTo<Part>(
    mine,
    (a, b) => {
      if (typeof a === 'object') return a;
      if (typeof b === 'object') return b;
      return combine(a, b);
    },
    root,
    { group: d.pids, tag },
  );
  if (merged && typeof merged === 'object') throw new Error(merged.error);
  return merged;
}

export const mulHere = registerBuiltin(
  'darrayMul',
  (
    outId: string,
    outBox: Box,
    tag: string,
    group: number[],
    a: DArray,
    b: DArray | NDArray,
    backend: string,
    alpha = 1,
  ): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        const k = a.shape[1] as number;
        const rows = outBox[0] as [number, number];
        const left = await fetchBox(a, [rows, [0, k]]);
        let right: AnyArray;
        if (b instanceof NDArray) right = b;
        else if (b.ndim === 1 && sameList(b.pids, group)) {
          // The vector lives where the matrix rows do: each owner sends its piece to the others once.
          const mineBox = b.indices[b.pids.indexOf(myidOf())] as Box;
          // A failure here is still sent, so that the peers fail too instead of waiting for a piece.
          const own: Piece = await fetchBox(b, mineBox)
            .then((piece) => (piece instanceof NDArray ? piece : collect(piece)))
            .catch((err: Error) => ({ error: `${err.name}: ${err.message}` }));
          // Commands that arrived earlier, such as the norm of this vector in powerMethod, finish
          // their sends first, so that a peer does not get this piece before it can answer them.
          await yieldToEventLoop();
          if (canMulByBlocks(left, own, backend)) {
            const y = await mulByBlocks(left, own, b, tag);
            scaleInPlace(y, alpha);
            return y;
          }
          const parts = await allgather(own, { group: b.pids, tag });
          const failed = parts.find((p): p is { error: string } => !(p instanceof NDArray));
          if (failed) throw new Error(failed.error);
          right = concatRows(parts as NDArray[], b.dtype, b.shape);
        } else
          right = await fetchBox(
            b,
            b.shape.map((n) => [0, n] as [number, number]),
          );
        const l = left.backend === backend ? left : await upload(left as NDArray, backend);
        const r = right.backend === backend ? right : await upload(right as NDArray, backend);
        // The product may hold this thread for milliseconds: replies that are ready (a reduction
        // this process roots, whose caller is waiting) go out before it starts.
        await yieldToEventLoop();
        return mul(l, r, { alpha });
      }),
    );
  },
);

/**
 * An owner's part of a matvec whose matrix `a` is split by columns only and whose vector `b` is
 * split like those columns (a DArray, or this owner's slice of a host vector): see mul-cols.ts.
 * `cuts` are the rows each owner of the result keeps, in the order of `group`.
 */
export const mulColsHere = registerBuiltin(
  'darrayMulCols',
  (
    outId: string,
    outBox: Box,
    tag: string,
    group: number[],
    cuts: number[],
    a: DArray,
    b: DArray | NDArray,
    backend: string,
    alpha = 1,
  ): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        const me = a.pids.indexOf(myidOf());
        const partial = await (async (): Promise<PartialRows | Error> => {
          try {
            const left = await fetchBox(a, a.indices[me] as Box);
            const own = b instanceof NDArray ? b : await fetchBox(b, b.indices[me] as Box);
            if (canMulByBlocks(left, own as Piece, backend)) return cpuPartialRows(left, own as NDArray);
            const l = left.backend === backend ? left : await upload(left as NDArray, backend);
            const r = own.backend === backend ? own : await upload(own as NDArray, backend);
            const whole = await collect(await mul(l, r));
            return ([r0, r1]) => whole.rows(r0, r1);
          } catch (err) {
            return err as Error;
          }
        })();
        // Commands that arrived earlier, such as the norm of the vector in powerMethod, finish
        // their sends first, so that a peer does not get a part before it can answer them.
        await yieldToEventLoop();
        const mine = await mulByColumns(partial, group, cuts, tag);
        scaleInPlace(mine, alpha);
        return backend === 'cpu' ? mine : upload(mine, backend);
      }),
    );
  },
);

function concatRows(parts: NDArray[], dtype: DType, shape: readonly number[]): NDArray {
  const out = zeros([...shape], dtype);
  let at = 0;
  for (const p of parts) {
    (out.data as Float64Array).set(p.data as Float64Array, at);
    at += p.size;
  }
  return out;
}

export const transposeHere = registerBuiltin(
  'darrayTranspose',
  (outId: string, outBox: Box, a: DArray, backend: string): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        // A vector becomes a 1×n matrix: its box is the second range of the output box.
        const src = await fetchBox(a, a.ndim === 1 ? [outBox[1] as [number, number]] : [...outBox].reverse());
        const local = src.backend === backend ? src : await upload(src as NDArray, backend);
        return transpose(local);
      }),
    );
  },
);

function myidOf(): number {
  return state.myid;
}
