/**
 * Length-prefixed frames. Layout (little-endian):
 *   u32 length of the rest | u32 envLen | u32 bodyLen | u32 nbufs | nbufs × (u32 code, u32 byteLen)
 *   | env | body | (pad to 8) buf0 | (pad to 8) buf1 …
 * The envelope (kind, call id) is decoded apart from the body, so a body that fails to decode
 * fails only its own call. Buffers are padded to 8 bytes so that, when the whole frame sits in one
 * allocation, each TypedArray can be a view of it rather than a copy.
 */

import { Packr, REUSE_BUFFER_MODE } from 'msgpackr';
import { codeFor, ctorFor, decodeBodyAt, encodeBody } from './codec.js';
import { COMPACT_BODY, compactScratch, decodeCompact, encodeCompact } from './compact-body.js';

const envPackr = new Packr({ useRecords: false });

/** The small header of a frame: its kind `k` (call, res, ref, …) and routing fields such as the call id. */
export interface Envelope {
  k: string;
  [key: string]: unknown;
}

const pad8 = (n: number): number => (8 - (n & 7)) & 7;
const ZEROS = Buffer.alloc(8);

/**
 * Serialises one message into buffers ready for `socket.write`, without copying TypedArray payloads.
 * The first buffer holds the header, envelope and msgpack body in one allocation (a small message is
 * one buffer, written with one call); each TypedArray payload follows as a view of its own memory.
 * `completeEnv` may add to the envelope once the body has encoded.
 */
export function encodeFrame(
  env: Envelope,
  body?: unknown,
  target = 0,
  completeEnv?: (env: Envelope) => void,
): Buffer[] {
  // The body first: if it cannot be encoded nothing else happens, and `completeEnv` (which may
  // take bookkeeping meant to ride on this frame) runs only for a frame that will be sent.
  // Small bodies of plain values take the compact form (see compact-body.ts), others msgpack.
  const compactLen = body === undefined ? 0 : encodeCompact(body, target);
  const encoded = body === undefined || compactLen > 0 ? undefined : encodeBody(body, target);
  completeEnv?.(env);
  const compact = compactLength(env);
  // Otherwise encoded into the packer's own scratch buffer (no view allocated), then copied.
  const envScratch = compact ? undefined : (envPackr.pack(env, REUSE_BUFFER_MODE) as ScratchBuffer);
  const envLen = envScratch ? envScratch.end - envScratch.start : compact;
  const bodyBytes = encoded?.bytes;
  const bodyLen = compactLen || (bodyBytes?.length ?? 0);
  const bufs = encoded?.bufs;
  const nbufs = bufs?.length ?? 0;
  const headLen = 16 + 8 * nbufs;
  let offset = headLen + envLen + bodyLen;
  const first = Buffer.allocUnsafe(offset);
  first.writeUInt32LE(envLen, 4);
  first.writeUInt32LE(bodyLen, 8);
  first.writeUInt32LE(nbufs, 12);
  if (envScratch) envScratch.copy(first, headLen, envScratch.start, envScratch.end);
  else writeCompact(env, first, headLen);
  if (compactLen > 0) {
    // A byte loop: Buffer#copy costs more than the few bytes it would move here.
    const at = headLen + envLen;
    for (let i = 0; i < compactLen; i++) first[at + i] = compactScratch[i] as number;
  } else if (bodyBytes) first.set(bodyBytes, headLen + envLen);
  const out: Buffer[] = [first];
  let total = offset - 4;
  for (let i = 0; i < nbufs; i++) {
    const view = (bufs as ArrayBufferView[])[i] as ArrayBufferView;
    first.writeUInt32LE(codeFor(view), 16 + 8 * i);
    first.writeUInt32LE(view.byteLength, 20 + 8 * i);
    const p = pad8(offset - 4);
    if (p) out.push(ZEROS.subarray(0, p));
    out.push(Buffer.from(view.buffer, view.byteOffset, view.byteLength));
    offset += p + view.byteLength;
    total += p + view.byteLength;
  }
  first.writeUInt32LE(total, 0);
  return out;
}

/**
 * The envelopes of calls and their replies, the bulk of all traffic, have a fixed binary form:
 * a byte msgpack never uses (so the reader can tell), the kind, and u32 fields. Any other envelope,
 * or one with other fields (piggybacked bookkeeping) or larger numbers, is msgpack.
 *   res:  C1 01 ok 00 | id | pid                  call: C1 02 mode hasRR | id [| rr0 | rr1]
 */
const COMPACT = 0xc1;
const CALL_MODES = ['future', 'fetch', 'wait', 'do'] as const;
const isU32 = (x: unknown): x is number => typeof x === 'number' && x >>> 0 === x;

/** The index of a call mode in CALL_MODES, or -1 (compared directly: this runs for every call). */
function modeIndex(m: unknown): number {
  return m === 'fetch' ? 1 : m === 'do' ? 3 : m === 'future' ? 0 : m === 'wait' ? 2 : -1;
}

/** The length of `env` in the compact form, or 0 if it has none. */
function compactLength(env: Envelope): number {
  let keys = 0;
  for (const _ in env) keys++;
  if (env.k === 'res') {
    return keys === 4 && typeof env.ok === 'boolean' && isU32(env.id) && isU32(env.pid) ? 12 : 0;
  }
  if (env.k !== 'call' || !isU32(env.id) || modeIndex(env.m) < 0) return 0;
  if (keys === 3) return 8;
  const rr = env.rr;
  return keys === 4 && Array.isArray(rr) && rr.length === 2 && isU32(rr[0]) && isU32(rr[1]) ? 16 : 0;
}

function writeCompact(env: Envelope, out: Buffer, at: number): void {
  out[at] = COMPACT;
  if (env.k === 'res') {
    out[at + 1] = 1;
    out[at + 2] = env.ok ? 1 : 0;
    out[at + 3] = 0;
    out.writeUInt32LE(env.id as number, at + 4);
    out.writeUInt32LE(env.pid as number, at + 8);
    return;
  }
  const rr = env.rr as [number, number] | undefined;
  out[at + 1] = 2;
  out[at + 2] = modeIndex(env.m);
  out[at + 3] = rr ? 1 : 0;
  out.writeUInt32LE(env.id as number, at + 4);
  if (rr) {
    out.writeUInt32LE(rr[0], at + 8);
    out.writeUInt32LE(rr[1], at + 12);
  }
}

function readCompact(frame: Buffer, at: number, len: number): Envelope {
  const form = frame[at + 1];
  if (form === 1 && len === 12) {
    return {
      k: 'res',
      id: frame.readUInt32LE(at + 4),
      ok: frame[at + 2] === 1,
      pid: frame.readUInt32LE(at + 8),
    };
  }
  const m = CALL_MODES[frame[at + 2] as number];
  const hasRR = frame[at + 3] === 1;
  if (form !== 2 || m === undefined || len !== (hasRR ? 16 : 8)) {
    throw new Error(`malformed compact envelope (form ${form}, ${len} bytes)`);
  }
  const id = frame.readUInt32LE(at + 4);
  if (!hasRR) return { k: 'call', m, id };
  return { k: 'call', m, rr: [frame.readUInt32LE(at + 8), frame.readUInt32LE(at + 12)], id };
}

/** msgpackr's scratch buffer, returned by pack in REUSE_BUFFER_MODE with the packed range marked. */
type ScratchBuffer = Buffer & { start: number; end: number };

/** A received frame: the envelope, decoded at once, and a body decoder that may throw on its own. */
export interface Frame {
  env: Envelope;
  decodeBody(): unknown;
  byteLength: number;
}

/** Parses one complete frame that starts at `frame[0]` (after the length prefix has been stripped). */
export function parseFrame(frame: Buffer): Frame {
  const envLen = frame.readUInt32LE(0);
  const bodyLen = frame.readUInt32LE(4);
  const nbufs = frame.readUInt32LE(8);
  let offset = 12 + 8 * nbufs;
  // Decoded in place (start/end) rather than from views of the frame: no view per part.
  const env =
    frame[offset] === COMPACT
      ? readCompact(frame, offset, envLen)
      : (envPackr.unpack(frame, { start: offset, end: offset + envLen }) as Envelope);
  offset += envLen;
  const bodyStart = offset;
  offset += bodyLen;
  let specs: BufSpec[] | undefined;
  for (let i = 0; i < nbufs; i++) {
    const code = frame.readUInt32LE(12 + 8 * i);
    const len = frame.readUInt32LE(16 + 8 * i);
    // Padding is relative to the frame after its length prefix, which is where a reassembled frame starts.
    offset += pad8(offset);
    (specs ??= []).push({ code, start: offset, len });
    offset += len;
  }
  return new ReceivedFrame(env, frame, bodyStart, bodyLen, specs);
}

interface BufSpec {
  code: number;
  start: number;
  len: number;
}

/** A Frame as parsed: one object per frame, its body decoded only when asked for. */
class ReceivedFrame implements Frame {
  readonly byteLength: number;
  constructor(
    readonly env: Envelope,
    private readonly frame: Buffer,
    private readonly bodyStart: number,
    private readonly bodyLen: number,
    private readonly specs: BufSpec[] | undefined,
  ) {
    this.byteLength = frame.length + 4;
  }

  decodeBody(): unknown {
    const { frame, bodyStart, bodyLen, specs } = this;
    if (bodyLen === 0) return undefined;
    if (frame[bodyStart] === COMPACT_BODY && specs === undefined) {
      return decodeCompact(frame, bodyStart, bodyStart + bodyLen);
    }
    const views = specs ? specs.map(({ code, start, len }) => viewOf(frame, code, start, len)) : [];
    return decodeBodyAt(frame, bodyStart, bodyStart + bodyLen, views);
  }
}

/** Small payloads are copied so that a tiny array does not pin a large socket chunk in memory. */
const MIN_SHARED = 4096;

function viewOf(frame: Buffer, code: number, start: number, len: number): ArrayBufferView {
  const Ctor = ctorFor(code);
  const bytes = frame.subarray(start, start + len);
  if (Ctor === 'buffer') return len < MIN_SHARED ? Buffer.from(bytes) : bytes;
  const abs = bytes.byteOffset;
  if (len >= MIN_SHARED && abs % Ctor.BYTES_PER_ELEMENT === 0) {
    return new Ctor(bytes.buffer as ArrayBuffer, abs, len / Ctor.BYTES_PER_ELEMENT);
  }
  const copy = new Uint8Array(len);
  copy.set(bytes);
  return new Ctor(copy.buffer, 0, len / Ctor.BYTES_PER_ELEMENT);
}

/**
 * Reassembles frames from socket chunks. A frame that spans chunks is copied once into a buffer of
 * its exact size, allocated when its length is known; a frame inside one chunk is not copied.
 * A frame longer than `maxFrameBytes` is not buffered at all: the reader stops and reports it.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private big: Buffer | undefined;
  private bigFilled = 0;
  private stopped = false;
  /** The longest frame accepted; a connection lowers it until its peer has authenticated. */
  maxFrameBytes = 0xffff_ffff;

  /** `onTooLong` is told of a frame over `maxFrameBytes`; the reader ignores all input after it. */
  constructor(
    private readonly onFrame: (frame: Buffer) => void,
    private readonly onTooLong: (why: string) => void = () => {},
  ) {}

  /** Bytes held for a frame that has not fully arrived. */
  get buffered(): number {
    return this.pendingLen + this.bigFilled;
  }

  /** Drops what is buffered and ignores all later input. */
  stop(): void {
    this.stopped = true;
    this.pending = [];
    this.pendingLen = 0;
    this.big = undefined;
    this.bigFilled = 0;
  }

  push(chunk: Buffer): void {
    while (chunk.length > 0 && !this.stopped) {
      if (this.big) {
        const n = Math.min(chunk.length, this.big.length - this.bigFilled);
        chunk.copy(this.big, this.bigFilled, 0, n);
        this.bigFilled += n;
        chunk = chunk.subarray(n);
        if (this.bigFilled === this.big.length) {
          const done = this.big;
          this.big = undefined;
          this.bigFilled = 0;
          this.onFrame(done);
        }
        continue;
      }
      if (this.pendingLen > 0) {
        chunk = Buffer.concat([...this.pending, chunk]);
        this.pending = [];
        this.pendingLen = 0;
      }
      if (chunk.length < 4) {
        this.pending.push(chunk);
        this.pendingLen = chunk.length;
        return;
      }
      const len = chunk.readUInt32LE(0);
      if (len > this.maxFrameBytes) {
        this.stop();
        this.onTooLong(`a frame of ${len} bytes, more than the ${this.maxFrameBytes} allowed`);
        return;
      }
      if (chunk.length >= 4 + len) {
        this.onFrame(chunk.subarray(4, 4 + len));
        // The usual case, one frame per chunk, ends here without making an empty view.
        if (chunk.length === 4 + len) return;
        chunk = chunk.subarray(4 + len);
        continue;
      }
      // Aligned to 8 so that the payload views can share it (allocUnsafeSlow is not pooled).
      this.big = Buffer.allocUnsafeSlow(len);
      this.bigFilled = 0;
      const rest = chunk.subarray(4);
      rest.copy(this.big, 0);
      this.bigFilled = rest.length;
      chunk = chunk.subarray(chunk.length);
    }
  }
}
