/**
 * The chunks this process holds for DArrays, by DArray id. A chunk is stored as a promise as soon
 * as the command that makes it arrives, so later commands (sent without waiting) find it and wait.
 */
import type { AnyArray } from '../src/array/protocol.js';
import { state } from '../src/cluster/state.js';
import type { Box } from './layout.js';

interface Entry {
  array: Promise<AnyArray>;
  box: Box;
}

const chunks = new Map<string, Entry>();
/** Operations still running here; a freed chunk's memory is released only after they finish. */
const inflight = new Set<Promise<unknown>>();

/** Counts an operation as running until it settles (see freeChunks). */
export function running<T>(p: Promise<T>): Promise<T> {
  inflight.add(p);
  const done = () => inflight.delete(p);
  p.then(done, done);
  return p;
}

/** Stores the chunk of DArray `id` that covers `box`. A failure is kept for whoever reads it next. */
export function putChunk(id: string, box: Box, array: Promise<AnyArray> | AnyArray): void {
  const p = running(Promise.resolve(array));
  // The error is reported to the next reader; it must not also crash the process as unhandled.
  p.catch(() => {});
  chunks.set(id, { array: p, box });
}

export function chunkEntry(id: string): Entry {
  const e = chunks.get(id);
  if (!e) {
    throw new Error(
      `DArray ${id} has no chunk on process ${state.myid}: it was closed, or this process is not one of its owners`,
    );
  }
  return e;
}

export function hasChunk(id: string): boolean {
  return chunks.has(id);
}

/**
 * Frees chunks, disposing GPU memory where the chunk type has it. Commands are sent without
 * waiting, so an earlier one may still be reading the chunk: the memory goes once they are done.
 */
export function freeChunks(ids: readonly string[]): void {
  const busy = [...inflight];
  for (const id of ids) {
    const e = chunks.get(id);
    if (!e) continue;
    chunks.delete(id);
    void Promise.allSettled([e.array, ...busy]).then(([a]) => {
      if (a?.status === 'fulfilled') (a.value as { dispose?: () => void }).dispose?.();
    });
  }
}

/** Number of DArray chunks held by this process (for leak checks). */
export function localChunkCount(): number {
  return chunks.size;
}
