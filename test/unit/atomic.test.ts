/** Atomic on one thread: each operation's result (the old value), wrapping, float64 bits, bad input. */
import { describe, expect, it } from 'vitest';
import { ArgumentError, Atomic } from '../../src/index.js';

describe('Atomic', () => {
  it('int32: add, sub, xchg and cas return the old value, and overflow wraps as in Julia', () => {
    const a = new Atomic('int32', 5);
    expect(a.add(3)).toBe(5);
    expect(a.sub(10)).toBe(8);
    expect(a.load()).toBe(-2);
    expect(a.xchg(7)).toBe(-2);
    expect(a.cas(6, 100)).toBe(7); // no swap: the value was not 6
    expect(a.load()).toBe(7);
    expect(a.cas(7, 100)).toBe(7); // swapped
    expect(a.load()).toBe(100);
    a.store(2 ** 31 - 1);
    a.add(1);
    expect(a.load()).toBe(-(2 ** 31));
    expect(String(a)).toBe('Atomic{int32}(-2147483648)');
  });

  it('uint32 wraps below zero; the default value is 0', () => {
    const u = new Atomic('uint32');
    expect(u.load()).toBe(0);
    expect(u.sub(1)).toBe(0);
    expect(u.load()).toBe(2 ** 32 - 1);
  });

  it('float64: add and sub through the cas loop, cas compares bits (NaN matches, -0 is not 0)', () => {
    const f = new Atomic('float64', 1.5);
    expect(f.add(0.25)).toBe(1.5);
    expect(f.sub(1)).toBe(1.75);
    expect(f.load()).toBe(0.75);
    expect(f.xchg(Number.NaN)).toBe(0.75);
    expect(f.cas(Number.NaN, 2)).toBeNaN();
    expect(f.load()).toBe(2);
    f.store(-0);
    expect(Object.is(f.cas(0, 5), -0)).toBe(true);
    expect(Object.is(f.load(), -0)).toBe(true);
  });

  it('fromBuffer gives a second view of the same value', () => {
    const a = new Atomic('float64', 3);
    const b = Atomic.fromBuffer('float64', a.buffer);
    b.add(1);
    expect(a.load()).toBe(4);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('refuses an unknown dtype, values that do not fit, and a bad buffer', () => {
    expect(() => new Atomic('int64' as 'int32', 0)).toThrow(
      /Atomic: expected a dtype of int32, uint32, float64, got the string "int64"/,
    );
    expect(() => new Atomic('int32', 2 ** 31)).toThrow(
      /Atomic\{int32\}\.store: expected an integer from -2147483648 to 2147483647, got number 2147483648/,
    );
    expect(() => new Atomic('uint32', 0).add(-1)).toThrow(ArgumentError);
    expect(() => new Atomic('int32', 0).add(0.5)).toThrow(/use new Atomic\('float64'/);
    expect(() => new Atomic('float64', 0).store('1' as unknown as number)).toThrow(
      /Atomic\{float64\}\.store: expected a number, got the string "1"/,
    );
    expect(() => Atomic.fromBuffer('int32', new ArrayBuffer(8) as unknown as SharedArrayBuffer)).toThrow(
      /the buffer must be a SharedArrayBuffer of at least 8 bytes/,
    );
  });
});
