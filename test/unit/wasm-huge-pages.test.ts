// The shared WASM heap is advised onto transparent huge pages (kernels/wasm/heap.ts), before the
// memory a grow adds is written, so large matrices land on 2 MiB pages as NumPy's do.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hugePageBytes, thpMode } from '../../bench/lib/huge-pages.js';
import { allocate, heapBuffer, heapHugePages, release } from '../../kernels/wasm/heap.js';
import { dawnDevice } from '../../kernels/webgpu/dawn.js';
import { madviseHugepage } from '../../src/native/load.js';

const MiB = 2 ** 20;
const mode = thpMode();
// The addon loads (linux-x64 prebuild) and the kernel honours the advice.
const addon = madviseHugepage(new ArrayBuffer(4 * MiB));
const skip =
  mode === undefined || !existsSync('/proc/self/smaps_rollup')
    ? 'no transparent huge pages on this system'
    : mode === 'never'
      ? 'THP is "never" here: the advice is accepted but changes nothing'
      : !addon
        ? 'the native addon does not load on this platform'
        : '';

/**
 * Writes `bytes` of fresh heap memory and returns how much the process's huge-page total grew.
 * Blocks written here are never released, so the next call's block is fresh memory too.
 */
function fillFresh(bytes: number): { offset: number; grewBy: number } {
  const before = hugePageBytes(process.pid) ?? 0;
  const offset = allocate(bytes);
  expect(offset).toBeGreaterThanOrEqual(0);
  new Float64Array(heapBuffer(), offset, bytes / 8).fill(1.5);
  return { offset, grewBy: (hugePageBytes(process.pid) ?? 0) - before };
}

describe('WASM heap on transparent huge pages', () => {
  it('DARRAY_HUGEPAGES=0 leaves the heap on small pages and says why', () => {
    process.env.DARRAY_HUGEPAGES = '0';
    try {
      // The first allocation in this file, so the heap grows; nothing is written, so the pages
      // are still untouched when the next test's allocation (advised by its grow) reuses them.
      const offset = allocate(4 * MiB);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(heapHugePages()).toMatchObject({ advised: false, reason: 'DARRAY_HUGEPAGES=0' });
      release(offset, 4 * MiB);
    } finally {
      delete process.env.DARRAY_HUGEPAGES;
    }
  });

  it.skipIf(skip !== '')(`a grown heap is advised and its new pages are huge ${skip}`, () => {
    const first = fillFresh(32 * MiB);
    expect(heapHugePages()).toEqual({ advised: true, thp: mode, reason: '' });
    // At least a quarter: the kernel may lack free 2 MiB frames on a busy machine, but without the
    // advice (THP "madvise") none of it would be huge.
    expect(first.grewBy).toBeGreaterThanOrEqual(8 * MiB);
    // A second grow (mprotect of more of the reservation) is advised too and leaves the first
    // region on its huge pages.
    const second = fillFresh(32 * MiB);
    expect(second.grewBy).toBeGreaterThanOrEqual(8 * MiB);
    expect(hugePageBytes(process.pid)).toBeGreaterThanOrEqual(first.grewBy + second.grewBy);
  });

  // Dawn's software adapter (Mesa lavapipe) maps and JIT-compiles in this process; the heap must
  // keep its huge pages and the next grow must still be advised.
  it.skipIf(skip !== '')('opening a WebGPU device (lavapipe) undoes neither', async () => {
    const before = fillFresh(16 * MiB);
    const opened = await dawnDevice().then(
      () => true,
      () => false,
    );
    if (!opened) return; // no WebGPU adapter here: nothing that could undo the advice
    const after = fillFresh(16 * MiB);
    expect(heapHugePages().advised).toBe(true);
    expect(after.grewBy).toBeGreaterThanOrEqual(4 * MiB);
    expect(hugePageBytes(process.pid)).toBeGreaterThanOrEqual(before.grewBy + after.grewBy);
  });
});
