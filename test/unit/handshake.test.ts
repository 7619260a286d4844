import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/cluster/wire/frame.js';
import { type HandshakeMessage, parseHandshakeFrame } from '../../src/cluster/wire/handshake.js';

/** The frame as the reader hands it over: without its length prefix. */
const frameOf = (env: HandshakeMessage) => Buffer.concat(encodeFrame(env)).subarray(4);

function withEnvelope(envBytes: Uint8Array): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(envBytes.length, 0);
  return Buffer.concat([head, envBytes]);
}

describe('the handshake decoder', () => {
  it('reads every handshake message the real encoder writes, as written', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
      fc.boolean(),
      fc.constant(null),
    );
    const key = fc.string({ minLength: 1, maxLength: 16 }).filter((k) => k !== 'k' && k !== '__proto__');
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.dictionary(key, value, { maxKeys: 7 }), (k, rest) => {
        const env = { ...rest, k } as HandshakeMessage;
        expect({ ...parseHandshakeFrame(frameOf(env)) }).toEqual(env);
      }),
    );
  });

  it('refuses anything but a small map of strings, integers, booleans and nil, with a reason', () => {
    const packr = new Packr({ useRecords: false });
    const cases: [Uint8Array, RegExp][] = [
      [Buffer.from([0xc0]), /not a map/],
      [packr.pack(['hello']), /not a map/],
      [packr.pack({ k: {} }), /type byte 0xde/],
      [packr.pack({ k: 'hello', n: 1.5 }), /type byte 0xcb/],
      [packr.pack({ k: 'hello', n: new Uint8Array(2) }), /type byte/],
      [packr.pack({ v: 1 }), /message kind 'k' that is missing/],
      [packr.pack({ k: 7 }), /message kind 'k' that is number 7/],
      [packr.pack({ k: 'x', s: 'y'.repeat(2000) }), /more than 1024/],
      [packr.pack(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${i}`, i]))), /9 fields/],
      [Buffer.from([0x82, 0xa1, 0x6b, 0xa1, 0x61, 0xa1, 0x6b, 0xa1, 0x62]), /the field 'k' twice/],
      [Buffer.from([0x81, 0x01, 0xa1, 0x61]), /field name that is number 1/],
      [Buffer.from([0x81, 0xa1, 0x6b, 0xd9, 0x10, 0x61]), /truncated/],
      [Buffer.concat([packr.pack({ k: 'x' }), Buffer.from([0])]), /1 bytes after the envelope/],
      // A shipped function (extension type 3): its source is never looked at.
      [Buffer.concat([Buffer.from([0x81, 0xa1, 0x6b, 0xd4, 3, 0]), packr.pack(['s', 'h', '0', []])]), /0xd4/],
    ];
    for (const [env, why] of cases) expect(() => parseHandshakeFrame(withEnvelope(env))).toThrow(why);
    expect(() => parseHandshakeFrame(Buffer.alloc(5))).toThrow(/shorter than its 12-byte header/);
    const withBody = Buffer.concat(encodeFrame({ k: 'hello' }, [1])).subarray(4);
    expect(() => parseHandshakeFrame(withBody)).toThrow(/body or buffers/);
  });

  it('gives no key a prototype to reach', () => {
    const env = Buffer.from([0x82, 0xa1, 0x6b, 0xa1, 0x61, 0xa9, ...Buffer.from('__proto__'), 0x01]);
    const msg = parseHandshakeFrame(withEnvelope(env));
    expect(Object.getPrototypeOf(msg)).toBe(Object.prototype);
    expect(Object.keys(msg).sort()).toEqual(['__proto__', 'k']);
    expect(({} as Record<string, unknown>).k).toBeUndefined();
  });
});
