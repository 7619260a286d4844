/**
 * Channel<T>: a waitable FIFO queue shared by async tasks, as Julia's Channel. Size 0 makes it
 * unbuffered: a put waits until a taker takes the value.
 */
import { held } from './cluster/keepalive.js';
import { ArgumentError, describe } from './errors.js';

/** Thrown by put on a closed channel, and by take/fetch/wait once a closed channel is empty. */
export class ChannelClosedError extends Error {
  override name = 'ChannelClosedError';
  constructor(
    what: string,
    readonly reason?: unknown,
  ) {
    super(
      `${what}: the channel is closed${reason instanceof Error ? ` (by an error: ${reason.message})` : ''}`,
    );
  }
}

interface Putter<T> {
  value: T;
  resolve: () => void;
  reject: (e: Error) => void;
}
interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

/** A task that fills a channel (Julia's `Channel(f)`); the channel closes when it returns, or with its error. */
export type Producer<T> = (ch: Channel<T>) => unknown;

/**
 * A channel with room for `size` values (0: unbuffered; Infinity: unbounded).
 *
 * @example
 * const ch = new Channel<number>(2);
 * await ch.put(1); await ch.take(); // 1
 * const squares = new Channel<number>(async (c) => { for (let i = 0; i < 3; i++) await c.put(i * i) });
 * for await (const x of squares) console.log(x); // 0 1 4
 */
export class Channel<T = unknown> implements AsyncIterable<T> {
  readonly size: number;
  private readonly buffer: T[] = [];
  private readonly putters: Putter<T>[] = [];
  private readonly takers: Waiter<T>[] = [];
  private readonly watchers: Waiter<void>[] = [];
  private closed = false;
  private closeReason: unknown;

  /** `new Channel(size)`, or `new Channel(producer, size)` whose channel closes when the producer ends. */
  constructor(sizeOrProducer: number | Producer<T> = 0, size = 0) {
    const producer = typeof sizeOrProducer === 'function' ? sizeOrProducer : undefined;
    const n = producer ? size : sizeOrProducer;
    if (typeof n !== 'number' || !(n >= 0) || (!Number.isInteger(n) && n !== Number.POSITIVE_INFINITY)) {
      throw new ArgumentError(
        `Channel: size must be a non-negative integer or Infinity, got ${describe(n)}; e.g. new Channel(10)`,
      );
    }
    this.size = n;
    if (producer) {
      // Like Julia's Channel(f): the channel closes when the task returns, with its error if it throws.
      void (async () => {
        try {
          await producer(this);
          this.close();
        } catch (err) {
          this.close(err);
        }
      })();
    }
  }

  /** True until close() is called. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Number of values ready to be taken. */
  get available(): number {
    return this.buffer.length + this.putters.length;
  }

  /** Appends a value, waiting while the channel is full (or, unbuffered, until a taker takes it). */
  put(value: T): Promise<void> {
    if (this.closed) return Promise.reject(new ChannelClosedError('put', this.closeReason));
    const taker = this.takers.shift();
    if (taker) {
      taker.resolve(value);
      return Promise.resolve();
    }
    if (this.buffer.length < this.size) {
      this.buffer.push(value);
      this.notifyWatchers();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.putters.push({ value, ...held(resolve, reject) });
      this.notifyWatchers();
    });
  }

  /** Removes and returns the oldest value, waiting for one if needed. */
  take(): Promise<T> {
    if (this.buffer.length > 0) {
      const v = this.buffer.shift() as T;
      const p = this.putters.shift();
      if (p) {
        this.buffer.push(p.value);
        p.resolve();
      }
      return Promise.resolve(v);
    }
    const p = this.putters.shift();
    if (p) {
      p.resolve();
      return Promise.resolve(p.value);
    }
    if (this.closed) return Promise.reject(new ChannelClosedError('take', this.closeReason));
    return new Promise<T>((resolve, reject) => this.takers.push(held(resolve, reject)));
  }

  /** Returns the oldest value without removing it, waiting for one if needed. */
  async fetch(): Promise<T> {
    await this.wait();
    return (this.buffer.length > 0 ? this.buffer[0] : this.putters[0]?.value) as T;
  }

  /** Whether a value is ready to be taken. */
  isReady(): boolean {
    return this.available > 0;
  }

  /** Waits until a value is ready; fails once the channel is closed and empty. */
  wait(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    if (this.closed) return Promise.reject(new ChannelClosedError('wait', this.closeReason));
    return new Promise<void>((resolve, reject) => this.watchers.push(held(resolve, reject)));
  }

  /** Closes the channel: puts fail from now on; takes drain what is left, then fail. */
  close(reason?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const t of this.takers.splice(0)) t.reject(new ChannelClosedError('take', reason));
    // As in Julia, values still waiting to be put are refused, while buffered ones stay takeable.
    for (const p of this.putters.splice(0)) p.reject(new ChannelClosedError('put', reason));
    for (const w of this.watchers.splice(0)) w.reject(new ChannelClosedError('wait', reason));
  }

  private notifyWatchers(): void {
    for (const w of this.watchers.splice(0)) w.resolve();
  }

  /** Iterates with take() until the channel is closed and empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      try {
        yield await this.take();
      } catch (err) {
        if (err instanceof ChannelClosedError) {
          if (this.closeReason instanceof Error) throw this.closeReason;
          return;
        }
        throw err;
      }
    }
  }
}
