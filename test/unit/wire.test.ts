import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, parseFrame } from '../../src/cluster/wire/frame.js';
// Functions cross the wire through the shipping layer's wire type and function ids.
import '../../src/remote/ship.js';

function roundTrip(env: { k: string; [key: string]: unknown }, body: unknown, chunk = 0) {
  const whole = Buffer.concat(encodeFrame(env, body));
  const frames: Buffer[] = [];
  const reader = new FrameReader((f) => frames.push(f));
  if (chunk === 0) reader.push(whole);
  else for (let i = 0; i < whole.length; i += chunk) reader.push(whole.subarray(i, i + chunk));
  expect(frames).toHaveLength(1);
  return parseFrame(frames[0] as Buffer);
}

describe('frames', () => {
  it('carries an envelope and a body with typed arrays of every kind', () => {
    const body = {
      f: new Float64Array([1, 2.5]),
      i: new Int32Array([-1]),
      b: Buffer.from('xy'),
      s: 'str',
      n: null,
    };
    for (const chunk of [0, 1, 3, 7, 64]) {
      const frame = roundTrip({ k: 'call', id: 5 }, body, chunk);
      expect(frame.env).toEqual({ k: 'call', id: 5 });
      const out = frame.decodeBody() as typeof body;
      expect(out.f).toBeInstanceOf(Float64Array);
      expect(out.f).toEqual(body.f);
      expect(out.i).toEqual(body.i);
      expect(Buffer.isBuffer(out.b)).toBe(true);
      expect(out.s).toBe('str');
      expect(out.n).toBeNull();
    }
  });

  it('carries TypedArray views that start at any byte offset, small and large', () => {
    const bytesOf = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    // 3 elements are copied on receipt; 1500 (at least 4096 bytes for most types) may be views.
    for (const n of [3, 1500]) {
      const backing = new ArrayBuffer(8 * n + 16);
      const all = new Uint8Array(backing);
      for (let i = 0; i < all.length; i++) all[i] = (i * 37 + 11) & 255;
      const views: ArrayBufferView[] = [
        new Uint8Array(backing, 1, n),
        new Int8Array(backing, 5, n),
        new Int16Array(backing, 2, n),
        new Uint16Array(backing, 6, n),
        new Float32Array(backing, 4, n),
        new Uint32Array(backing, 12, n),
        new Float64Array(backing, 8, n),
        Buffer.from(backing, 3, n),
      ];
      for (const chunk of [0, 5, 4096]) {
        const out = roundTrip({ k: 'x' }, { views, after: 'end' }, chunk).decodeBody() as {
          views: ArrayBufferView[];
          after: string;
        };
        expect(out.after).toBe('end');
        for (const [i, v] of views.entries()) {
          const got = out.views[i] as ArrayBufferView;
          expect(got.constructor).toBe(v.constructor);
          expect(bytesOf(got).equals(bytesOf(v))).toBe(true);
        }
      }
    }
  });

  it('writes large typed arrays as raw bytes, not through the msgpack encoder', () => {
    const big = new Float64Array(1 << 16).fill(3);
    const parts = encodeFrame({ k: 'x' }, [big]);
    // The payload is one of the parts, sharing memory with the array: no copy was made.
    expect(parts.some((p) => p.buffer === big.buffer && p.byteLength === big.byteLength)).toBe(true);
    // The first part is the header, envelope and msgpack body: only a few bytes describe the array.
    expect(parts).toHaveLength(2);
    expect((parts[0] as Buffer).length).toBeLessThan(64);
  });

  it('hands back large arrays as views of the reassembled frame when aligned', () => {
    const big = new Float64Array(1 << 16).map((_, i) => i);
    let frameBuf: Buffer | undefined;
    const reader = new FrameReader((f) => {
      frameBuf = f;
    });
    const whole = Buffer.concat(encodeFrame({ k: 'x' }, big));
    for (let i = 0; i < whole.length; i += 1000) reader.push(whole.subarray(i, i + 1000));
    const out = parseFrame(frameBuf as Buffer).decodeBody() as Float64Array;
    expect(out.buffer).toBe((frameBuf as Buffer).buffer);
    expect(out[12345]).toBe(12345);
  });

  it('gives call and reply envelopes a compact form and keeps msgpack for any other', () => {
    const envs = [
      { k: 'res', id: 7, ok: true, pid: 3 },
      { k: 'res', id: 0xffff_ffff, ok: false, pid: 1 },
      { k: 'call', m: 'fetch', id: 12 },
      { k: 'call', m: 'do', id: 13 },
      { k: 'call', m: 'future', rr: [1, 99], id: 14 },
      { k: 'call', m: 'wait', rr: [2, 0xffff_ffff], id: 15 },
      // These fall back to msgpack: an extra field, a number past u32, an unknown mode, other kinds.
      { k: 'res', id: 8, ok: true, pid: 3, pb: { gc: { del: [[1, 2]] } } },
      { k: 'res', id: 2 ** 40, ok: true, pid: 3 },
      { k: 'call', m: 'fetch', id: -1 },
      { k: 'call', m: 'other', id: 1 },
      { k: 'call', m: 'future', rr: [1, 2.5], id: 1 },
      { k: 'ref', op: 'fetch', rr: [1, 2], id: 4 },
    ];
    for (const env of envs) {
      const frame = roundTrip(env, [1, 'x']);
      expect(frame.env).toEqual(env);
      expect(frame.decodeBody()).toEqual([1, 'x']);
    }
    // The compact ones are small: header (16) + envelope (8..16) + body (here 2 bytes, see below).
    expect(Buffer.concat(encodeFrame({ k: 'res', id: 7, ok: true, pid: 3 }, 1)).length).toBe(16 + 12 + 2);
    expect(Buffer.concat(encodeFrame({ k: 'call', m: 'fetch', id: 7 }, 1)).length).toBe(16 + 8 + 2);
  });

  it('decodes the envelope even when the body is corrupt', () => {
    const whole = Buffer.concat(encodeFrame({ k: 'call', id: 1 }, [1, 2, 3]));
    // Layout: u32 length | u32 envLen | u32 bodyLen | u32 nbufs (0) | env | body.
    const bodyAt = 16 + whole.readUInt32LE(4);
    whole.fill(0xc1, bodyAt, bodyAt + whole.readUInt32LE(8));
    const frame = parseFrame(whole.subarray(4));
    expect(frame.env.id).toBe(1);
    expect(() => frame.decodeBody()).toThrow();
  });

  it('keeps Maps, Sets, undefined and BigInt apart from plain objects', () => {
    const body = { m: new Map([['a', 1]]), s: new Set([1, 2]), u: undefined, big: 2n ** 70n, o: { a: 1 } };
    const out = roundTrip({ k: 'x' }, body).decodeBody() as typeof body;
    expect(out.m).toEqual(body.m);
    expect(out.s).toEqual(body.s);
    expect('u' in out && out.u === undefined).toBe(true);
    expect(out.big).toBe(body.big);
    expect(out.o).toEqual({ a: 1 });
  });
});

/** The first byte of a frame's body (0xc1 for the compact form), and the frame parsed. */
function bodyOf(body: unknown, target = 0) {
  const whole = Buffer.concat(encodeFrame({ k: 'res', id: 1, ok: true, pid: 2 }, body, target));
  const bodyAt = 16 + 8 * whole.readUInt32LE(12) + whole.readUInt32LE(4);
  return { first: whole[bodyAt], frame: parseFrame(whole.subarray(4)), bodyLen: whole.readUInt32LE(8) };
}

describe('compact bodies', () => {
  it('carry numbers, ASCII strings, booleans, null, undefined and plain arrays of them', () => {
    const values: unknown[] = [
      0,
      1,
      127,
      128,
      -1,
      -129,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      2 ** 53,
      1.5,
      -1e-300,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      '',
      'abc',
      'x'.repeat(256),
      true,
      false,
      null,
      [],
      [1, [2, ['x', [null, undefined]]], true],
      Array.from({ length: 64 }, (_, i) => i * 1.25),
    ];
    for (const v of values) {
      const { first, frame } = bodyOf(v);
      expect(first).toBe(0xc1);
      const out = frame.decodeBody();
      if (typeof v === 'number') expect(Object.is(out, v)).toBe(true);
      else expect(out).toEqual(v);
    }
    // -0 arrives as 0, as it does in msgpack's integer form.
    expect(Object.is(bodyOf(-0).frame.decodeBody(), 0)).toBe(true);
    // A small integer takes one byte after the marker.
    expect(bodyOf(5).bodyLen).toBe(2);
  });

  it('leave everything else to msgpack, which gives the same values back', () => {
    const values: unknown[] = [
      'é',
      'x'.repeat(257),
      { a: 1 },
      [1, { a: 1 }],
      new Map([[1, 2]]),
      new Float64Array([1, 2]),
      [new Int32Array([3])],
      10n,
      Array.from({ length: 65 }, (_, i) => i),
      [[[[[1]]]]],
      // Without a target process a function goes by its source, as always.
      [(x: number) => x + 1, [1]],
    ];
    for (const v of values) {
      const { first, frame } = bodyOf(v);
      expect(first).not.toBe(0xc1);
      const out = frame.decodeBody();
      if (Array.isArray(v) && typeof v[0] === 'function') {
        const [fn, args] = out as [(x: number) => number, number[]];
        expect(fn(...(args as [number]))).toBe(2);
      } else expect(out).toEqual(v);
    }
  });

  it('fail to decode when corrupt or truncated, and name an unknown shipped function', () => {
    const whole = Buffer.concat(encodeFrame({ k: 'res', id: 1, ok: true, pid: 2 }, [1, 'abc']));
    const bodyAt = 16 + whole.readUInt32LE(4);
    // Cut the body short by one byte (and the frame with it).
    const cut = Buffer.from(whole.subarray(0, whole.length - 1));
    cut.writeUInt32LE(whole.readUInt32LE(8) - 1, 8);
    expect(() => parseFrame(cut.subarray(4)).decodeBody()).toThrow(/truncated/);
    const bad = Buffer.from(whole);
    bad[bodyAt + 1] = 0x7e;
    expect(() => parseFrame(bad.subarray(4)).decodeBody()).toThrow(/unknown tag/);
    // A function reference (tag 8, owner 99, id 5) this process was never sent.
    const ref = Buffer.from([0xc1, 8, 99, 0, 0, 0, 5, 0, 0, 0]);
    const head = Buffer.alloc(16 + 12);
    const env = Buffer.concat(encodeFrame({ k: 'res', id: 1, ok: true, pid: 2 }));
    env.copy(head, 0, 0, 28);
    head.writeUInt32LE(ref.length, 8);
    head.writeUInt32LE(24 + ref.length, 0);
    const frame = parseFrame(Buffer.concat([head, ref]).subarray(4));
    expect(() => frame.decodeBody()).toThrow(/process 99 referred to its shipped function #5 before sending/);
  });
});
