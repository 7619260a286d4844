import { describe, expect, it } from 'vitest';
import { Channel, ChannelClosedError } from '../../src/channel.js';

describe('Channel', () => {
  it('buffers up to its size and blocks puts beyond it', async () => {
    const ch = new Channel<number>(2);
    await ch.put(1);
    await ch.put(2);
    let third = false;
    const p = ch.put(3).then(() => {
      third = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    expect(await ch.take()).toBe(1);
    await p;
    expect(third).toBe(true);
    expect(await ch.take()).toBe(2);
    expect(await ch.take()).toBe(3);
  });

  it('unbuffered: a put waits for a taker', async () => {
    const ch = new Channel<string>(0);
    let done = false;
    const p = ch.put('x').then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    expect(ch.isReady()).toBe(true);
    expect(await ch.fetch()).toBe('x');
    expect(await ch.take()).toBe('x');
    await p;
    expect(done).toBe(true);
  });

  it('fetch does not remove; wait waits for a value', async () => {
    const ch = new Channel<number>(1);
    const waited = ch.wait();
    setTimeout(() => void ch.put(7), 5);
    await waited;
    expect(await ch.fetch()).toBe(7);
    expect(await ch.take()).toBe(7);
    expect(ch.isReady()).toBe(false);
  });

  it('close: put fails clearly; take drains, then fails', async () => {
    const ch = new Channel<number>(3);
    await ch.put(1);
    await ch.put(2);
    ch.close();
    await expect(ch.put(3)).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(ch.put(3)).rejects.toThrow(/put: the channel is closed/);
    expect(await ch.take()).toBe(1);
    expect(await ch.fetch()).toBe(2);
    expect(await ch.take()).toBe(2);
    await expect(ch.take()).rejects.toThrow(/take: the channel is closed/);
    await expect(ch.fetch()).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('closing wakes waiting takers', async () => {
    const ch = new Channel<number>(1);
    const t = ch.take();
    ch.close();
    await expect(t).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('for await ends when closed and empty', async () => {
    const ch = new Channel<number>(10);
    for (const x of [1, 2, 3]) await ch.put(x);
    ch.close();
    const seen: number[] = [];
    for await (const x of ch) seen.push(x);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('binds to a producer task like Channel(f), closing when it returns or with its error', async () => {
    const squares = new Channel<number>(async (c) => {
      for (let i = 0; i < 4; i++) await c.put(i * i);
    });
    const seen: number[] = [];
    for await (const x of squares) seen.push(x);
    expect(seen).toEqual([0, 1, 4, 9]);
    expect(squares.isOpen).toBe(false);
    const failing = new Channel<number>(async (c) => {
      await c.put(1);
      throw new Error('producer broke');
    }, 1);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const x of failing) got.push(x);
      })(),
    ).rejects.toThrow('producer broke');
    expect(got).toEqual([1]);
  });

  it('rejects bad sizes with a message that shows a correct call', () => {
    expect(() => new Channel(-1)).toThrow(/non-negative integer or Infinity.*new Channel\(10\)/);
    expect(() => new Channel(1.5)).toThrow(/non-negative integer/);
    expect(new Channel(Number.POSITIVE_INFINITY).size).toBe(Number.POSITIVE_INFINITY);
  });
});
