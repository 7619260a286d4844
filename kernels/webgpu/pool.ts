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

/** Options of a {@link BufferPool}. */
export interface PoolOptions {
  /** Idle bytes kept at most; beyond it freed buffers are destroyed (default 256 MiB). */
  maxIdle?: number;
  /** Usage of the buffers made (default storage, copy source and copy destination). */
  usage?: GPUBufferUsageFlags;
  /** Told of each buffer just before it is destroyed (the bind group cache drops its groups). */
  onDestroy?: (b: GPUBuffer) => void;
}

/**
 * Size classes from which a buffer held for an unsubmitted batch is waited for (by submitting the
 * batch) rather than a new one made: a loop that frees and remakes a large array each step would
 * otherwise hold several copies of it until the batch is submitted.
 */
const WAIT_FOR_HELD_BYTES = 2 ** 20;

/** Buffers by size class (storage ones unless told otherwise); tracks bytes handed out and held idle. */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private used = 0;
  private idle = 0;
  /**
   * Buffers released while commands that bind them wait unsubmitted in the backend's open batch:
   * reused before that batch is submitted, a buffer could be overwritten (a later writeBuffer runs
   * ahead of the batch on the queue) or destroyed under it.
   */
  private held: GPUBuffer[] | undefined;
  /** Submits the batch the held buffers wait for (given by hold). */
  private submitHeld: (() => void) | undefined;
  private readonly maxIdle: number;
  private readonly usage: GPUBufferUsageFlags;
  private readonly onDestroy: (b: GPUBuffer) => void;
  /** Buffers created so far (a reused one is not counted again). */
  made = 0;

  constructor(
    private readonly device: GPUDevice,
    { maxIdle = 256 * 2 ** 20, usage = USAGE, onDestroy = () => {} }: PoolOptions = {},
  ) {
    this.maxIdle = maxIdle;
    this.usage = usage;
    this.onDestroy = onDestroy;
  }

  /** A storage buffer of at least `bytes` bytes (contents undefined). */
  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    if (
      size >= WAIT_FOR_HELD_BYTES &&
      !this.free.get(size)?.length &&
      this.held?.some((b) => b.size === size)
    )
      this.submitHeld?.();
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
    if (this.held) {
      this.held.push(b);
      return;
    }
    this.keep(b);
  }

  /**
   * Keeps released buffers out of reuse until {@link unhold} (while a batch is being recorded).
   * `submit` submits that batch (and so unholds), for a large buffer that is better waited for
   * than made again.
   */
  hold(submit: () => void): void {
    this.held ??= [];
    this.submitHeld = submit;
  }

  /** Makes the buffers released since {@link hold} reusable (their batch has been submitted). */
  unhold(): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.submitHeld = undefined;
    for (const b of held) this.keep(b);
  }

  /** Pools a released buffer, or destroys it when the idle bytes would pass the cap. */
  private keep(b: GPUBuffer): void {
    if (this.idle + b.size > this.maxIdle) {
      this.destroy(b);
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
    this.destroy(b);
  }

  private destroy(b: GPUBuffer): void {
    this.onDestroy(b);
    b.destroy();
  }

  /** Destroys every idle buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) this.destroy(b);
    this.free.clear();
    this.idle = 0;
  }

  /** Bytes in buffers handed out and not yet released. */
  get bytesInUse(): number {
    return this.used;
  }

  /** Bytes in idle pooled buffers (with those held until their batch is submitted). */
  get bytesPooled(): number {
    let held = 0;
    for (const b of this.held ?? []) held += b.size;
    return this.idle + held;
  }
}
