/**
 * The WebGPU buffer pool: freed buffers are kept by size class and reused, because creating a
 * buffer costs far more than a small kernel (power-method iterations allocate several per step).
 */
import { BufferUsage } from './flags.js';

const USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** Rounds up to a size class: 256-byte steps below 4 KiB, then 2^k and 1.5·2^k, so waste stays ≤ 33%. */
export function sizeClass(bytes: number): number {
  const b = Math.max(bytes, 4);
  if (b <= 4096) return Math.ceil(b / 256) * 256;
  const p = 2 ** Math.ceil(Math.log2(b));
  return b <= p * 0.75 ? p * 0.75 : p;
}

/** Buffers by size class (storage ones unless told otherwise); tracks bytes handed out and held idle. */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private used = 0;
  private idle = 0;
  /** Buffers created so far (a reused one is not counted again). */
  made = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Idle bytes kept at most; beyond it freed buffers are destroyed. */
    private readonly maxIdle = 256 * 2 ** 20,
    private readonly usage: GPUBufferUsageFlags = USAGE,
  ) {}

  /** A storage buffer of at least `bytes` bytes (contents undefined). */
  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    this.used += size;
    const list = this.free.get(size);
    const b = list?.pop();
    if (b) {
      this.idle -= size;
      return b;
    }
    this.made++;
    return this.device.createBuffer({ size, usage: this.usage });
  }

  /** Returns a buffer from acquire(); work already submitted that uses it still runs first. */
  release(b: GPUBuffer): void {
    this.used -= b.size;
    if (this.idle + b.size > this.maxIdle) {
      b.destroy();
      return;
    }
    this.idle += b.size;
    const list = this.free.get(b.size);
    if (list) list.push(b);
    else this.free.set(b.size, [b]);
  }

  /** Destroys a buffer from acquire() that must not be reused (one whose mapping failed). */
  discard(b: GPUBuffer): void {
    this.used -= b.size;
    b.destroy();
  }

  /** Destroys every idle buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.idle = 0;
  }

  /** Bytes in buffers handed out and not yet released. */
  get bytesInUse(): number {
    return this.used;
  }

  /** Bytes in idle pooled buffers. */
  get bytesPooled(): number {
    return this.idle;
  }
}
