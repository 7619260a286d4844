/** After a DArray suite: collect forgotten handles, then check that no worker holds a chunk. */
import { expect } from 'vitest';
import { localChunkCount, procs, remotecallFetch } from '../../src/index.js';

export async function chunkCounts(): Promise<number[]> {
  return Promise.all(procs().map((p) => remotecallFetch(() => localChunkCount(), p)));
}

/** Forces collections (vitest runs with --expose-gc) until every process is back to no chunks. */
export async function expectNoChunksLeft(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  expect(gc).toBeTypeOf('function');
  const end = Date.now() + 10_000;
  let counts = await chunkCounts();
  while (counts.some((c) => c > 0) && Date.now() < end) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
    counts = await chunkCounts();
  }
  expect(counts.every((c) => c === 0)).toBe(true);
}
