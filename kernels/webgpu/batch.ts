/**
 * The open batch of WebGPU commands. Kernels record into one command encoder, submitted when a
 * read-back needs it, when it holds `max` compute passes or a kernel over large arrays, or at the
 * end of the tick. A submit costs about as much as a small kernel launch, and a step of a user's
 * loop (a division, a product, a norm) went to the queue as three of them. A large kernel is
 * submitted at once, so the GPU starts on it while JavaScript goes on (its submit is cheap beside it).
 */
import { setImmediate } from 'node:timers';
import type { Binding } from './backend.js';
import type { BufferPool } from './pool.js';

/** Recorded, not yet submitted, commands and the buffers they use. */
export class CommandBatch {
  private enc: GPUCommandEncoder | undefined;
  private passes = 0;
  private large = false;
  private readonly bound = new Set<GPUBuffer>();
  private flushQueued = false;
  /** Batches submitted so far. */
  submits = 0;

  constructor(
    private readonly device: GPUDevice,
    /** The pool whose buffers the commands bind: none freed while they wait is reused before the submit. */
    private readonly pool: BufferPool,
    /**
     * Most compute passes in one batch: small enough that a GPU running a long loop of products is
     * never far from its next command, large enough for a loop step and a reduction's passes.
     */
    private readonly max = 8,
    /** Bytes bound by one pass from which the batch is submitted right after it. */
    private readonly largeBytes = 4 * 2 ** 20,
  ) {}

  /**
   * The encoder to record a compute pass with `bindings` into (or, with none, a copy that is
   * submitted at once), opening a batch that is submitted at the end of this tick unless something
   * submits it first.
   */
  encoder(bindings: readonly Binding[] = []): GPUCommandEncoder {
    if (!this.enc) {
      this.enc = this.device.createCommandEncoder();
      // Buffers freed from now on may still be bound by this batch.
      this.pool.hold(() => this.flush());
      if (!this.flushQueued) {
        this.flushQueued = true;
        setImmediate(() => {
          this.flushQueued = false;
          this.flush();
        });
      }
    }
    if (bindings.length === 0) return this.enc;
    let bytes = 0;
    for (const b of bindings) {
      this.bound.add(b.buffer);
      bytes += b.size ?? b.buffer.size;
    }
    this.passes++;
    if (bytes >= this.largeBytes) this.large = true;
    return this.enc;
  }

  /** Whether recorded commands use `buffer` (a queue write to it must wait for their submit). */
  uses(buffer: GPUBuffer): boolean {
    return this.enc !== undefined && this.bound.has(buffer);
  }

  /** Whether the batch should be submitted now: it holds `max` passes, or a large one. */
  get full(): boolean {
    return this.passes >= this.max || this.large;
  }

  /** Submits what is recorded, if anything. */
  flush(): void {
    const enc = this.enc;
    if (!enc) return;
    this.enc = undefined;
    this.passes = 0;
    this.large = false;
    this.bound.clear();
    try {
      this.device.queue.submit([enc.finish()]);
      this.submits++;
    } finally {
      this.pool.unhold();
    }
  }
}
