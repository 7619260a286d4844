/** What the DArray operations share on the caller: finding and making DArray operands, tagging an operation. */
import { isNDArray, type NDArray } from '../src/array/ndarray.js';
import type { AnyArray } from '../src/array/protocol.js';
import { state } from '../src/cluster/state.js';
import { ArgumentError, describe } from '../src/errors.js';
import { distribute } from './construct.js';
import { checkOpen, DArray } from './darray.js';

let opSerial = 0;
/** A tag unique to one operation, so its collective messages never mix with another's. */
export const opTag = (op: string): string => `darray-${op}:${state.myid}.${++opSerial}`;

/** The DArray among `args` whose layout an operation follows. */
export function firstDArray(op: string, args: readonly unknown[]): DArray {
  const d = args.find((a): a is DArray => a instanceof DArray);
  if (!d) throw new ArgumentError(`${op}: expected a DArray among the arguments`);
  for (const a of args) if (a instanceof DArray) checkOpen(a, op);
  return d;
}

/** A DArray for `x`: itself, or a host array distributed like `like`. */
export async function asDArray(op: string, x: AnyArray, like: DArray): Promise<DArray> {
  if (x instanceof DArray) return x;
  if (isNDArray(x)) return distribute(x as NDArray, { procs: like.pids, backend: like.chunkBackend });
  throw new ArgumentError(
    `${op}: cannot combine a DArray with ${describe(x)} on backend '${x.backend}'; collect() it to the host or distribute() it first`,
  );
}
