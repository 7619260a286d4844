/**
 * Distributed reductions (mapreduce, norm, dot): each owner reduces its chunk with the chunk
 * backend's op, the partials are combined worker to worker on the first owner (combine.ts), which
 * alone answers the caller.
 */
import { emptyResult, planReduce } from '../src/array/ir/reduce-plan.js';
import type { Lambda } from '../src/array/ir/types.js';
import { dot, mapreduce, norm } from '../src/array/ops.js';
import type { AnyArray, Reducer } from '../src/array/protocol.js';
import { state } from '../src/cluster/state.js';
import { remotecallFetch, remoteDoQueued } from '../src/remote/calls.js';
import { ProcessExitedException, RemoteException } from '../src/remote/exceptions.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, onChunkBackend } from './chunk-backend.js';
import { reduceTo } from './collectives.js';
import { combineFor, type ReduceSpec } from './combine.js';
import type { DArray } from './darray.js';
import type { Box } from './layout.js';
import { asDArray, firstDArray, opTag } from './operands.js';
import { fetchBox } from './read.js';
import { chunkEntry, running } from './store.js';

/** The owner half: this process's partial, combined on the first owner, which returns the total. */
export const reduceHere = registerBuiltin(
  'darrayReduce',
  (tag: string, d: DArray, spec: ReduceSpec): Promise<number | undefined> =>
    // A GPU chunk's uploaded operands are temporaries of this command.
    running(onBackend(d.chunkBackend, () => reduceChunk(tag, d, spec))),
);

async function reduceChunk(tag: string, d: DArray, spec: ReduceSpec): Promise<number | undefined> {
  const c = d.pids.indexOf(state.myid);
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

async function partial(spec: ReduceSpec, d: DArray, box: Box): Promise<number | undefined> {
  const chunk = await chunkEntry(d.id).array;
  if (chunk.shape.some((n) => n === 0)) return undefined;
  switch (spec.kind) {
    case 'mapreduce':
      return mapreduce(spec.map, spec.reducer, chunk);
    case 'norm':
      return norm(chunk, spec.p);
    case 'dot': {
      return dot(chunk, await onChunkBackend(await fetchBox(spec.other, box), chunk.backend));
    }
  }
}

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

/** The 'darray' kernel of `mapreduce`, the caller half. */
export async function darrayMapreduce(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  init: number | undefined,
): Promise<number> {
  const d = firstDArray('mapreduce', [x]);
  const spec: ReduceSpec = { kind: 'mapreduce', map, reducer };
  const total = await reduceOn(d, spec);
  // No elements anywhere: the one empty rule of every backend (init, else sum 0 / prod 1, else an error).
  if (total === undefined) return emptyResult(planReduce(map, reducer, init), 'the DArray');
  return init === undefined ? total : (combineFor(spec)(init, total) as number);
}

/** The 'darray' kernel of `norm`. */
export async function darrayNorm(x: AnyArray, p: number): Promise<number> {
  const d = firstDArray('norm', [x]);
  return (await reduceOn(d, { kind: 'norm', p })) ?? 0;
}

/** The 'darray' kernel of `dot`. */
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
