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

let serial = 0;
/** A process-unique id for a new DArray. */
export const newDArrayId = (): string => `${state.myid}.${++serial}`;

const chunks = new Map<string, Entry>();
/**
 * Ids freed here, so that a request for one fails at once instead of waiting (see awaitChunkEntry).
 * Bounded: the oldest are forgotten first, long after any request for them could still arrive.
 */
const closed = new Set<string>();
const CLOSED_KEPT = 100_000;
/** Requests waiting for a chunk whose making command has not arrived yet. */
const waiting = new Map<string, (() => void)[]>();
/** How long a peer's request waits for a chunk to arrive before it is reported missing. */
const ARRIVAL_WAIT_MS = 60_000;
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
  wake(id);
}

function wake(id: string): void {
  const w = waiting.get(id);
  if (!w) return;
  waiting.delete(id);
  for (const f of w) f();
}

/** This process's chunk of DArray `id`; throws naming the array when this process holds none. */
export function chunkEntry(id: string): Entry {
  const e = chunks.get(id);
  if (!e) {
    throw new Error(
      `DArray ${id} has no chunk on process ${state.myid}: it was closed, or this process is not one of its owners`,
    );
  }
  return e;
}

/**
 * The entry of DArray `id` for a request from a peer. The command that makes a chunk comes from the
 * master, while a peer's request for it comes over another connection and may arrive first (the
 * peer acts on a later command that reads it): such a request waits for the chunk instead of failing.
 */
export async function awaitChunkEntry(id: string): Promise<Entry> {
  if (!chunks.has(id) && !closed.has(id)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ARRIVAL_WAIT_MS);
      const list = waiting.get(id) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      waiting.set(id, list);
    });
  }
  return chunkEntry(id);
}

/** Whether this process holds a chunk of DArray `id` (it may be the master, which usually holds none). */
export function hasChunk(id: string): boolean {
  return chunks.has(id);
}

/**
 * Frees chunks, disposing GPU memory where the chunk type has it. Commands are sent without
 * waiting, so one that arrived before the free may not have looked the chunk up yet: the entry
 * stays until the operations running now are done, and only then goes with its memory.
 */
export function freeChunks(ids: readonly string[]): void {
  const busy = [...inflight];
  for (const id of ids) {
    closed.add(id);
    if (closed.size > CLOSED_KEPT) closed.delete(closed.values().next().value as string);
    wake(id);
    const e = chunks.get(id);
    if (!e) continue;
    void Promise.allSettled([e.array, ...busy]).then(([a]) => {
      if (chunks.get(id) === e) chunks.delete(id);
      if (a?.status === 'fulfilled') (a.value as { dispose?: () => void }).dispose?.();
    });
  }
}

/** Number of live DArray chunks held by this process (for leak checks); freed ones do not count. */
export function localChunkCount(): number {
  let n = 0;
  for (const id of chunks.keys()) if (!closed.has(id)) n++;
  return n;
}
