/**
 * Distributed reductions: each owner reduces its chunk, the partials are combined worker to
 * worker on the first owner, which alone answers the caller.
 */
import type { Lambda } from '../../src/array/ir/types.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { ArgumentError } from '../../src/errors.js';
import { remotecallFetch, remoteDoQueued } from '../../src/remote/calls.js';
import { ProcessExitedException, RemoteException } from '../../src/remote/exceptions.js';
import { combineFor, type ReduceSpec, reduceHere } from '../chunk-ops.js';
import type { DArray } from '../darray.js';
import { asDArray, firstDArray, opTag } from './shared.js';

async function reduceOn(d: DArray, spec: ReduceSpec): Promise<number | undefined> {
  const tag = opTag(spec.kind);
  const root = d.pids[0] as number;
  for (const p of d.pids.slice(1)) remoteDoQueued(reduceHere, p, tag, d, spec);
  try {
    return await remotecallFetch(reduceHere, root, tag, d, spec);
  } catch (err) {
    // A peer that died while the root waited for its partial is reported as itself, not wrapped.
    if (err instanceof RemoteException && err.captured.name === 'ProcessExitedException') {
      const pid = Number(/worker (\d+)/.exec(err.captured.message)?.[1] ?? err.pid);
      throw new ProcessExitedException(pid, `during ${spec.kind} on ${d}`);
    }
    throw err;
  }
}

export async function darrayMapreduce(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  init: number | undefined,
): Promise<number> {
  const d = firstDArray('mapreduce', [x]);
  const spec: ReduceSpec = { kind: 'mapreduce', map, reducer };
  const total = await reduceOn(d, spec);
  if (init !== undefined) return combineFor(spec)(init, total) as number;
  if (total === undefined) {
    throw new ArgumentError(
      'reduce: the DArray is empty and no init was given; pass { init } to reduce an empty array',
    );
  }
  return total;
}

export async function darrayNorm(x: AnyArray, p: number): Promise<number> {
  const d = firstDArray('norm', [x]);
  return (await reduceOn(d, { kind: 'norm', p })) ?? 0;
}

export async function darrayDot(x: AnyArray, y: AnyArray): Promise<number> {
  const lead = firstDArray('dot', [x, y]);
  const dx = await asDArray('dot', x, lead);
  const dy = await asDArray('dot', y, lead);
  try {
    // Each owner reads the other operand's values for its own box: in place when the layouts agree.
    return (await reduceOn(dx, { kind: 'dot', other: dy })) ?? 0;
  } finally {
    // Operands distributed here only for this product are freed.
    if (dx !== x) dx.close();
    if (dy !== y) dy.close();
  }
}
