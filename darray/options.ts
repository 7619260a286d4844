/**
 * The options every DArray constructor takes (owners, chunk grid, chunk backend, dtype), checked on
 * the caller so that bad input fails before any command goes out.
 */
import { chunkBackends } from '../src/array/backend.js';
import type { DType } from '../src/array/dtype.js';
import { DTYPES, isDType } from '../src/array/dtype.js';
import { procs, workers } from '../src/cluster/state.js';
import { ArgumentError, describe } from '../src/errors.js';
import { layoutFromCuts } from './cuts.js';
import { type Layout, makeLayout } from './layout.js';

/** Where the chunks of a new DArray go. */
export interface DistOptions {
  /** Owners of the chunks (default: all workers). */
  procs?: readonly number[];
  /** Chunks per dimension (default: defaultDist). */
  dist?: readonly number[];
  /** Where each owner keeps its chunk: 'cpu' (default) or a GPU backend. */
  backend?: string;
  /** Explicit cut points per dimension for uneven chunks, e.g. [[0, 2, 10], [0, 4]] (instead of dist). */
  cuts?: readonly (readonly number[])[];
}

/**
 * The chunk backend named in the options ('cpu' by default), checked against the registered
 * backends that can hold chunks (`chunkBackends()`).
 */
export function checkBackend(verb: string, backend: string | undefined): string {
  const b = backend ?? 'cpu';
  const names = chunkBackends();
  if (!names.includes(b)) {
    throw new ArgumentError(`${verb}: backend must be one of ${names.join(', ')}, got ${describe(backend)}`);
  }
  return b;
}

/** The dtype named in the options (float64 by default), checked. */
export function checkChunkDType(verb: string, dtype: unknown): DType {
  if (dtype === undefined) return 'float64';
  if (!isDType(dtype)) {
    throw new ArgumentError(
      `${verb}: dtype must be one of ${DTYPES.join(', ')}, got ${describe(dtype)}; e.g. { dtype: 'float32' }`,
    );
  }
  return dtype;
}

/**
 * The layout for new chunks, checked here so that bad input fails on the caller before any
 * command goes out (a worker would otherwise fail later, far from the call).
 */
export function planLayout(verb: string, dims: readonly number[], opts: DistOptions): Layout {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ArgumentError(
      `${verb}: options must be an object such as { procs, dist, backend }, got ${describe(opts)}`,
    );
  }
  const known = procs();
  const pids = opts.procs ?? workers();
  if (Array.isArray(pids)) {
    const unknown = pids.filter((p) => Number.isInteger(p) && p >= 1 && !known.includes(p));
    if (unknown.length > 0) {
      throw new ArgumentError(
        `${verb}: procs must be ids of live processes, but ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among procs() = [${known.join(', ')}]`,
      );
    }
    const dup = pids.find((p, i) => pids.indexOf(p) !== i);
    if (dup !== undefined) {
      throw new ArgumentError(
        `${verb}: procs must not repeat a process (each owner holds one chunk), got ${dup} twice in [${pids.join(', ')}]`,
      );
    }
  }
  if (opts.cuts !== undefined) {
    if (opts.dist !== undefined)
      throw new ArgumentError(`${verb}: give either dist or cuts, not both (cuts fix the chunk grid)`);
    makeLayout(dims, pids, undefined, verb);
    return layoutFromCuts(dims, pids, opts.cuts, verb);
  }
  return makeLayout(dims, pids, opts.dist, verb);
}

/** GPU chunks hold float32 (as gpu() converts float64), so the DArray says so. */
export const chunkDType = (dtype: DType, backend: string): DType =>
  backend !== 'cpu' && dtype === 'float64' ? 'float32' : dtype;

/** DistOptions plus the element type of the new chunks. */
export interface InitOptions extends DistOptions {
  dtype?: DType;
}
