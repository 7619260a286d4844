/**
 * Distributed reductions (mapreduce, norm, dot): each owner reduces its chunk with the chunk
 * backend's op and answers its partial to the caller, which combines them (combine.ts).
 */
import { emptyResult, planReduce } from '../src/array/ir/reduce-plan.js';
import type { Lambda } from '../src/array/ir/types.js';
import { dot, mapreduce, norm } from '../src/array/ops.js';
import type { AnyArray, Reducer } from '../src/array/protocol.js';
import { state } from '../src/cluster/state.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, onChunkBackend } from './chunk-backend.js';
import { combineFor, type ReduceSpec } from './combine.js';
import type { DArray } from './darray.js';
import type { Box } from './layout.js';
import { asDArray, firstDArray } from './operands.js';
import { fetchBox } from './read.js';
import { chunkEntry, running } from './store.js';

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

/**
 * The owner half: this process's partial, answered straight to the caller. Combining on a worker
 * first (the partials sent to the first owner, which answers) would put one more hop, and one more
 * wake-up of a sleeping process, between the last product and a caller that waits for the number,
 * as the textbook power loop (`s = await norm(y)`) does every iteration; the caller combines P
 * numbers instead, with the same 2P messages.
 */
export const partialHere = registerBuiltin(
  'darrayReducePartial',
  (d: DArray, spec: ReduceSpec): Promise<number | undefined> =>
    running(onBackend(d.chunkBackend, () => partial(spec, d, d.indices[d.pids.indexOf(state.myid)] as Box))),
);

async function reduceOn(d: DArray, spec: ReduceSpec): Promise<number | undefined> {
  // Every owner's partial is awaited, so none is left running; the first failure in chunk order
  // is reported (a worker that died as its ProcessExitedException).
  const parts = await Promise.allSettled(d.pids.map((p) => remotecallFetch(partialHere, p, d, spec)));
  const failed = parts.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const combine = combineFor(spec);
  let acc: number | undefined;
  // In chunk order, as the owners' partials of an associative reducer must combine.
  for (const r of parts) acc = combine(acc, (r as PromiseFulfilledResult<number | undefined>).value);
  return acc;
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
