/**
 * Chunks that owners make before the layout is known (ppeval, mapslices, DArrays from parts): each
 * owner keeps its part aside and reports its shape; the caller works out the layout from the shapes
 * and then has every owner place its part as the chunk of the new DArray (or drop it on an error).
 */
import type { AnyArray } from '../src/array/protocol.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { layoutFromShapes } from './cuts.js';
import { type Box, chunkBox, type Layout } from './layout.js';
import { putChunk } from './store.js';

const pending = new Map<string, AnyArray>();

/** Keeps `part` aside under `id` (on its owner) until it is placed or dropped. */
export function keepPart(id: string, part: AnyArray): void {
  pending.set(id, part);
}

/** The owner half: places the part kept under `id` as the chunk covering `box`. */
export const placeHere = registerBuiltin('darrayPlacePart', (id: string, box: Box): void => {
  const part = pending.get(id);
  pending.delete(id);
  if (part) putChunk(id, box, part);
});

/** The owner half: drops the part kept under `id` (the parts did not fit together). */
export const dropHere = registerBuiltin('darrayDropPart', (id: string): void => {
  pending.get(id)?.dispose?.();
  pending.delete(id);
});

/** Number of parts kept aside here (for leak checks). */
export const pendingPartCount = (): number => pending.size;

/**
 * The caller half: the layout of the parts' shapes over the grid `dist` and owners `pids`; every
 * owner then places its part, or, when they do not tile an array, drops it and this throws.
 */
export async function placeParts(
  id: string,
  dist: readonly number[],
  pids: readonly number[],
  shapes: readonly (readonly number[])[],
  verb: string,
): Promise<Layout> {
  let layout: Layout;
  try {
    layout = layoutFromShapes(dist, pids, shapes, verb);
  } catch (e) {
    await dropParts(id, pids);
    throw e;
  }
  await Promise.all(pids.map((p, c) => remotecallFetch(placeHere, p, id, chunkBox(layout, c))));
  return layout;
}

/**
 * Runs `make(pid, c)` for every owner (each keeps its part and returns its shape); if any fails,
 * every owner drops what it kept and the first failure is thrown.
 */
export async function makeParts<T>(
  id: string,
  pids: readonly number[],
  make: (pid: number, c: number) => Promise<T>,
): Promise<T[]> {
  const got = await Promise.allSettled(pids.map((p, c) => make(p, c)));
  const failed = got.find((g): g is PromiseRejectedResult => g.status === 'rejected');
  if (failed) {
    await dropParts(id, pids);
    throw failed.reason;
  }
  return got.map((g) => (g as PromiseFulfilledResult<T>).value);
}

/** Has every owner drop the part it kept under `id`. */
export async function dropParts(id: string, pids: readonly number[]): Promise<void> {
  await Promise.all(pids.map((p) => remotecallFetch(dropHere, p, id)));
}
