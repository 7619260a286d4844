/** After a DArray suite: collect forgotten handles, then check that no worker holds a chunk. */
import { expect } from 'vitest';
import { localChunkCount, procs, remotecallFetch } from '../../src/index.js';

export async function chunkCounts(): Promise<number[]> {
  return Promise.all(procs().map((p) => remotecallFetch(() => localChunkCount(), p)));
}

/**
 * Chunk counts once handles dropped by earlier tests are collected and their frees have landed:
 * a count taken as a baseline while such frees are on their way goes down under the test's feet.
 * Forces collections (vitest runs with --expose-gc) until two counts 100 ms apart agree.
 */
export async function settledChunkCounts(): Promise<number[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const end = Date.now() + 5_000;
  let last = await chunkCounts();
  for (;;) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
    const now = await chunkCounts();
    if (JSON.stringify(now) === JSON.stringify(last) || Date.now() > end) return now;
    last = now;
  }
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
