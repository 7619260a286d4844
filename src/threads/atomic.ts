/**
 * Atomic: Julia's `Threads.Atomic`, one number in a SharedArrayBuffer that every thread updates
 * atomically. It crosses to threadsFor's threads by its buffer, so all of them see one value.
 */
import { ArgumentError, describe } from '../errors.js';
import { registerThreadTransfer } from './transfer.js';

/** The element types an Atomic can hold. */
export type AtomicDtype = 'int32' | 'uint32' | 'float64';

const ATOMIC_DTYPES: readonly AtomicDtype[] = ['int32', 'uint32', 'float64'];

const LIMITS = { int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1] } as const;

// Scratch views (this thread's own, not shared) that convert a float64 to its 64 bits and back.
const scratchF = new Float64Array(1);
const scratchB = new BigInt64Array(scratchF.buffer);
function bitsOf(x: number): bigint {
  scratchF[0] = x;
  return scratchB[0] as bigint;
}
/** The buffer fromBuffer hands to the constructor (set only for the duration of that call). */
let adopting: SharedArrayBuffer | undefined;

function floatOf(bits: bigint): number {
  scratchB[0] = bits;
  return scratchF[0] as number;
}

/**
 * A number shared by threads and updated atomically (Julia's `Threads.Atomic`). Every update
 * returns the value held before it, as Julia's atomic_add! and friends do. Integer dtypes wrap
 * around on overflow, as Julia's do.
 *
 * @example
 * const acc = new Atomic('int32', 0)
 * await threadsFor([0, 1000], (i, acc) => { acc.add(1) }, acc)
 * acc.load() // 1000
 */
export class Atomic {
  /** The shared memory that holds the value (8 bytes). */
  readonly buffer: SharedArrayBuffer;
  /** Int32Array or Uint32Array for the integer dtypes; a BigInt64Array over the float's bits for float64. */
  readonly #ints: Int32Array | Uint32Array | undefined;
  readonly #bits: BigInt64Array | undefined;

  /** A new Atomic of `dtype` holding `value` (default 0). */
  constructor(
    readonly dtype: AtomicDtype,
    value = 0,
  ) {
    const buffer = adopting;
    adopting = undefined;
    if (!(ATOMIC_DTYPES as readonly unknown[]).includes(dtype)) {
      throw new ArgumentError(
        `Atomic: expected a dtype of ${ATOMIC_DTYPES.join(', ')}, got ${describe(dtype)}; e.g. new Atomic('int32', 0)`,
      );
    }
    if (buffer !== undefined && !(buffer instanceof SharedArrayBuffer && buffer.byteLength >= 8)) {
      throw new ArgumentError(
        `Atomic: the buffer must be a SharedArrayBuffer of at least 8 bytes, got ${describe(buffer)}`,
      );
    }
    this.buffer = buffer ?? new SharedArrayBuffer(8);
    if (dtype === 'float64') {
      this.#bits = new BigInt64Array(this.buffer, 0, 1);
    } else {
      this.#ints = dtype === 'int32' ? new Int32Array(this.buffer, 0, 1) : new Uint32Array(this.buffer, 0, 1);
    }
    if (buffer === undefined) this.store(value);
  }

  /** The Atomic over an existing buffer (another Atomic's `buffer`): both see one value. */
  static fromBuffer(dtype: AtomicDtype, buffer: SharedArrayBuffer): Atomic {
    adopting = buffer;
    try {
      return new Atomic(dtype);
    } finally {
      adopting = undefined;
    }
  }

  /** Reads the value (Julia's `a[]`). */
  load(): number {
    return this.#ints ? Atomics.load(this.#ints, 0) : floatOf(Atomics.load(this.#bits as BigInt64Array, 0));
  }

  /** Writes `v` (Julia's `a[] = v`). */
  store(v: number): void {
    this.#check(v, 'store');
    if (this.#ints) Atomics.store(this.#ints, 0, v);
    else Atomics.store(this.#bits as BigInt64Array, 0, bitsOf(v));
  }

  /** Adds `v` and returns the old value (Julia's `atomic_add!`). */
  add(v: number): number {
    this.#check(v, 'add');
    if (this.#ints) return Atomics.add(this.#ints, 0, v);
    return this.#update((x) => x + v);
  }

  /** Subtracts `v` and returns the old value (Julia's `atomic_sub!`). */
  sub(v: number): number {
    this.#check(v, 'sub');
    if (this.#ints) return Atomics.sub(this.#ints, 0, v);
    return this.#update((x) => x - v);
  }

  /** Sets `v` and returns the old value (Julia's `atomic_xchg!`). */
  xchg(v: number): number {
    this.#check(v, 'xchg');
    if (this.#ints) return Atomics.exchange(this.#ints, 0, v);
    return floatOf(Atomics.exchange(this.#bits as BigInt64Array, 0, bitsOf(v)));
  }

  /**
   * Sets `v` if the value is `expected`, and returns the old value either way (Julia's
   * `atomic_cas!`): the swap happened when the result equals `expected`. A float64 is compared by
   * its bits, so NaN matches the same NaN and 0 does not match -0.
   */
  cas(expected: number, v: number): number {
    this.#check(expected, 'cas');
    this.#check(v, 'cas');
    if (this.#ints) return Atomics.compareExchange(this.#ints, 0, expected, v);
    return floatOf(Atomics.compareExchange(this.#bits as BigInt64Array, 0, bitsOf(expected), bitsOf(v)));
  }

  /** Julia-style text, e.g. `Atomic{int32}(5)`. */
  toString(): string {
    return `Atomic{${this.dtype}}(${this.load()})`;
  }

  /**
   * Read-modify-write of a float64. Atomics has no float arithmetic, so the new value is computed
   * from a snapshot of the bits and swapped in only if the bits are still the snapshot; a thread
   * that lost the race retries with the fresh value. This stays lock-free: unlike an Int32 lock,
   * a thread that stops (or is terminated) mid-update cannot leave the others waiting forever,
   * and the main thread never blocks in Atomics.wait.
   */
  #update(f: (x: number) => number): number {
    const bits = this.#bits as BigInt64Array;
    for (;;) {
      const old = Atomics.load(bits, 0);
      if (Atomics.compareExchange(bits, 0, old, bitsOf(f(floatOf(old)))) === old) return floatOf(old);
    }
  }

  #check(v: number, op: string): void {
    if (typeof v !== 'number') {
      throw new ArgumentError(`Atomic{${this.dtype}}.${op}: expected a number, got ${describe(v)}`);
    }
    if (this.dtype === 'float64') return;
    const [lo, hi] = LIMITS[this.dtype];
    // add/sub take any int32/uint32 step and wrap, as Julia's do; the value itself must fit.
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new ArgumentError(
        `Atomic{${this.dtype}}.${op}: expected an integer from ${lo} to ${hi}, got ${describe(v)}; use new Atomic('float64', …) for other numbers`,
      );
    }
  }
}

// Threads get an Atomic over the same buffer, not a copy.
registerThreadTransfer<Atomic, [AtomicDtype, SharedArrayBuffer]>({
  name: 'Atomic',
  test: (v) => v instanceof Atomic,
  encode: (a) => [a.dtype, a.buffer],
  decode: ([dtype, buffer]) => Atomic.fromBuffer(dtype, buffer),
});
