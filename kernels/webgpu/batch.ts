/**
 * The open batch of WebGPU commands. Kernels record into one command encoder, submitted when a
 * read-back needs it, when it holds `max` dispatches or a kernel over large arrays, or at the end of
 * the tick. A submit costs about as much as a small kernel launch, and a step of a user's loop (a
 * division, a product, a norm) went to the queue as three of them. A large kernel is submitted at
 * once, so the GPU starts on it while JavaScript goes on (its submit is cheap beside it).
 *
 * Consecutive kernels share one compute pass: WebGPU makes each dispatch its own usage scope, so
 * one dispatch's writes are visible to the next in the same pass (Dawn puts the barrier between
 * them), and a pass of its own cost each kernel another 5 µs of begin and end on the development VM.
 */
import { setImmediate } from 'node:timers';
import type { Binding } from './backend.js';
import type { BufferPool } from './pool.js';

/** Recorded, not yet submitted, commands and the buffers they use. */
export class CommandBatch {
  private enc: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private dispatches = 0;
  private large = false;
  private readonly bound = new Set<GPUBuffer>();
  private flushQueued = false;
  /** Batches submitted so far. */
  submits = 0;
  /** Compute passes begun so far. */
  passes = 0;
  /**
   * Commands (dispatches, copies, writes to existing buffers) recorded so far that were not the
   * lookahead's own: the lookahead's results are only valid while this has not moved.
   */
  foreign = 0;
  /** Whether the command being recorded is the lookahead's own (set by lookahead.ts). */
  own: () => boolean = () => false;

  constructor(
    private readonly device: GPUDevice,
    /** The pool whose buffers the commands bind: none freed while they wait is reused before the submit. */
    private readonly pool: BufferPool,
    /**
     * Most dispatches in one batch: small enough that a GPU running a long loop of products is
     * never far from its next command, large enough for a loop step and a reduction's dispatches.
     */
    private readonly max = 8,
    /** Bytes bound by one dispatch from which the batch is submitted right after it. */
    private readonly largeBytes = 4 * 2 ** 20,
  ) {}

  /**
   * The open compute pass, to record one dispatch with `bindings` into, opening a batch that is
   * submitted at the end of this tick unless something submits it first.
   */
  computePass(bindings: readonly Binding[]): GPUComputePassEncoder {
    const enc = this.open();
    let bytes = 0;
    for (const b of bindings) {
      this.bound.add(b.buffer);
      bytes += b.size ?? b.buffer.size;
    }
    this.dispatches++;
    this.note();
    if (bytes >= this.largeBytes) this.large = true;
    if (!this.pass) {
      this.pass = enc.beginComputePass();
      this.passes++;
    }
    return this.pass;
  }

  /** The encoder to record a copy into, after the dispatches so far (their pass is ended). */
  encoder(): GPUCommandEncoder {
    const enc = this.open();
    this.note();
    this.endPass();
    return enc;
  }

  /** Counts a command about to be recorded, or a queue write to an existing buffer. */
  note(): void {
    if (!this.own()) this.foreign++;
  }

  private open(): GPUCommandEncoder {
    if (this.enc) return this.enc;
    const enc = this.device.createCommandEncoder();
    this.enc = enc;
    // Buffers freed from now on may still be bound by this batch.
    this.pool.hold(() => this.flush());
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
    return enc;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  /** Whether recorded commands use `buffer` (a queue write to it must wait for their submit). */
  uses(buffer: GPUBuffer): boolean {
    return this.enc !== undefined && this.bound.has(buffer);
  }

  /** Whether the batch should be submitted now: it holds `max` dispatches, or a large one. */
  get full(): boolean {
    return this.dispatches >= this.max || this.large;
  }

  /** Submits what is recorded, if anything. */
  flush(): void {
    const enc = this.enc;
    if (!enc) return;
    this.endPass();
    this.enc = undefined;
    this.dispatches = 0;
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
