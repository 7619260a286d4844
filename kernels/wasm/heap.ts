/**
 * The shared WebAssembly memory that large arrays live in, and a small allocator over it.
 *
 * Large NDArrays are allocated here directly so the WASM SIMD kernels and the worker-thread pool
 * read them in place: copying a 512 MB matrix into WASM memory on each call would cost more than
 * the matrix–vector product itself. The memory is shared, so growing it never detaches the views
 * that existing arrays hold (a growable non-shared buffer would be detached on each grow).
 *
 * The heap is asked onto transparent huge pages (madvise, through the package's native addon)
 * when it is created and after each grow, before any new byte is written: a 128 MiB matrix on
 * 4 KiB pages needs 32768 TLB entries per pass, and on a machine whose cache holds the matrix the
 * page walks, not the memory, bound the matvec. NumPy does the same for its large arrays.
 */
import { readFileSync } from 'node:fs';
import { loadNative, type ShmAddon } from '../../src/native/load.js';
import { type WasmMemory, wasm } from './api.js';

/** First bytes are left to the AssemblyScript module's own static data and stack. */
const RESERVED = 1 << 16;
const ALIGN = 64;
const PAGE = 1 << 16;

interface Block {
  offset: number;
  size: number;
}

let memory: WasmMemory | null | undefined;
const buffers = new WeakSet<ArrayBufferLike>();
// Free blocks, sorted by offset, never adjacent (adjacent ones are merged on free).
const free: Block[] = [];
let top = RESERVED;
const registry = new FinalizationRegistry<Block>((b) => release(b.offset, b.size));

function createMemory(): WasmMemory | null {
  // 4 GiB is the wasm32 ceiling; shared memories must declare a maximum, which only reserves
  // address space. Smaller maxima are tried for hosts that refuse the reservation.
  for (const maximum of [65536, 32768, 16384]) {
    try {
      return new wasm.Memory({ initial: 16, maximum, shared: true });
    } catch {}
  }
  return null;
}

/** Whether the heap is advised onto transparent huge pages, and why not when it is not. */
export interface HeapHugePages {
  /** True when madvise(MADV_HUGEPAGE) succeeded on the whole heap as it now is. */
  advised: boolean;
  /** The kernel's THP mode ("always", "madvise" or "never"), or undefined where it cannot be read. */
  thp: string | undefined;
  /** Why the heap is not advised (empty when it is). */
  reason: string;
}

let huge: HeapHugePages = { advised: false, thp: undefined, reason: 'the heap is not created yet' };

function thpMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Advises the heap's current extent onto huge pages. Pages already written stay as they are
 * (only khugepaged would merge them later), so this runs before the grown part is handed out.
 * DARRAY_HUGEPAGES=0 turns it off, to measure what it is worth.
 */
function adviseHugePages(m: WasmMemory): void {
  const thp = huge.thp ?? thpMode();
  let reason = '';
  if (process.env.DARRAY_HUGEPAGES === '0') reason = 'DARRAY_HUGEPAGES=0';
  else if (thp === undefined) reason = 'this system has no transparent huge pages';
  else {
    try {
      const addon = loadNative<ShmAddon>('shm', 'Huge pages for the WASM heap');
      if (!addon.madviseHugepage(m.buffer)) reason = 'the kernel refused madvise(MADV_HUGEPAGE)';
    } catch (e) {
      reason = (e as Error).message;
    }
  }
  huge = { advised: reason === '', thp, reason };
}

/**
 * Whether the shared heap is advised onto transparent huge pages. Where THP is "never" the advice
 * succeeds but changes nothing; where the native addon is missing the heap stays on small pages
 * and everything else works as before.
 */
export function heapHugePages(): HeapHugePages {
  return { ...huge };
}

/** The shared memory, created on first use; null where the host cannot create one. */
export function wasmMemory(): WasmMemory | null {
  if (memory === undefined) {
    memory = createMemory();
    if (memory) {
      buffers.add(memory.buffer);
      adviseHugePages(memory);
    }
  }
  return memory;
}

/** The current buffer of the shared memory (a new object after each grow). */
export function heapBuffer(): SharedArrayBuffer {
  const m = wasmMemory();
  if (!m) throw new Error('darray: shared WebAssembly memory is not available on this host');
  const b = m.buffer as unknown as SharedArrayBuffer;
  buffers.add(b);
  return b;
}

/** Whether a view lies in the shared WASM memory, so kernels may address it by byteOffset. */
export function isResident(view: ArrayBufferView): boolean {
  return buffers.has(view.buffer);
}

function grow(bytes: number): boolean {
  const m = wasmMemory();
  if (!m) return false;
  const need = top + bytes - m.buffer.byteLength;
  if (need <= 0) return true;
  try {
    m.grow(Math.ceil(need / PAGE));
  } catch {
    return false;
  }
  heapBuffer();
  adviseHugePages(m);
  return true;
}

/** Reserves `bytes` (aligned to 64) in the shared memory; returns the byte offset, or -1 when full. */
export function allocate(bytes: number): number {
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  for (let i = 0; i < free.length; i++) {
    const b = free[i]!;
    if (b.size < size) continue;
    const offset = b.offset;
    if (b.size === size) free.splice(i, 1);
    else {
      b.offset += size;
      b.size -= size;
    }
    return offset;
  }
  // Extend the top, reusing a free block that ends at it.
  const last = free[free.length - 1];
  const start = last && last.offset + last.size === top ? last.offset : top;
  if (!grow(start + size - top)) return -1;
  if (start !== top) free.pop();
  top = start + size;
  return start;
}

/** Returns a block to the allocator, merging it with free neighbours. */
export function release(offset: number, bytes: number): void {
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  let i = 0;
  while (i < free.length && free[i]!.offset < offset) i++;
  free.splice(i, 0, { offset, size });
  const next = free[i + 1];
  const cur = free[i]!;
  if (next && cur.offset + cur.size === next.offset) {
    cur.size += next.size;
    free.splice(i + 1, 1);
  }
  const prev = free[i - 1];
  if (prev && prev.offset + prev.size === cur.offset) {
    prev.size += cur.size;
    free.splice(i, 1);
  }
}

const owned = new WeakMap<object, Block>();

/**
 * Allocates `bytes` in the shared memory and ties the block's life to `owner`: it is released when
 * `owner` is garbage-collected, or earlier by {@link releaseFor}. Returns the byte offset, or -1
 * when the memory is unavailable or full.
 */
export function allocateFor(owner: object, bytes: number): number {
  const offset = allocate(bytes);
  if (offset >= 0) {
    const block = { offset, size: bytes };
    owned.set(owner, block);
    registry.register(owner, block, owner);
  }
  return offset;
}

/** Releases the block of `owner` now (it must no longer be used); false if it has none. */
export function releaseFor(owner: object): boolean {
  const b = owned.get(owner);
  if (!b) return false;
  owned.delete(owner);
  registry.unregister(owner);
  release(b.offset, b.size);
  return true;
}

/** Bytes in use and reserved, for tests and diagnostics. */
export function heapStats(): { top: number; freeBytes: number; freeBlocks: number } {
  return { top, freeBytes: free.reduce((s, b) => s + b.size, 0), freeBlocks: free.length };
}
