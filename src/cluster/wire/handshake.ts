/**
 * Reading the messages of a peer that has not yet proved it knows the cookie. Such a peer may send
 * anything, and the full codec can do a great deal while decoding (its extensions rebuild shipped
 * functions, which compiles their source), so a handshake message is read by a decoder of its own
 * that knows a small msgpack subset: one map of short string keys to strings, integers, booleans
 * or nil. Everything else is refused with a reason; nothing here throws anything but an Error.
 */

/** A value a handshake message may carry. */
export type HandshakeValue = string | number | boolean | null;

/** A decoded handshake message: its kind `k` and its other fields. */
export interface HandshakeMessage {
  k: string;
  [key: string]: HandshakeValue;
}

/** Bounds on a handshake message's shape; a real one has at most five fields and no long strings. */
const MAX_FIELDS = 8;
const MAX_KEY_LENGTH = 16;
const MAX_STRING_BYTES = 1024;

/**
 * Parses one frame (after its length prefix) as a handshake message, or throws an Error that says
 * what was wrong with it. The frame must have no body and no buffers: the whole message is its
 * envelope.
 */
export function parseHandshakeFrame(frame: Buffer): HandshakeMessage {
  if (frame.length < 12) throw new Error(`a frame of ${frame.length} bytes, shorter than its 12-byte header`);
  const envLen = frame.readUInt32LE(0);
  const bodyLen = frame.readUInt32LE(4);
  const nbufs = frame.readUInt32LE(8);
  if (bodyLen !== 0 || nbufs !== 0) throw new Error('a handshake message with a body or buffers');
  if (envLen !== frame.length - 12) {
    throw new Error(`an envelope length of ${envLen} bytes in a frame that holds ${frame.length - 12}`);
  }
  const r = new Reader(frame, 12);
  const fields = r.map();
  if (r.pos !== frame.length) throw new Error(`${frame.length - r.pos} bytes after the envelope`);
  const k = fields.k;
  if (typeof k !== 'string') throw new Error(`a message kind 'k' that is ${describeValue(k)}`);
  return { ...fields, k };
}

/** Describes a value read from an unauthenticated peer for a log line, briefly and without running any of its code. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'nil';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return `a value of type ${typeof v}`;
}

class Reader {
  constructor(
    private readonly b: Buffer,
    public pos: number,
  ) {}

  private take(n: number): number {
    if (this.pos + n > this.b.length) throw new Error('a truncated envelope');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.b.readUInt8(this.take(1));
  }

  map(): Record<string, HandshakeValue> {
    const t = this.u8();
    let n: number;
    if (t >= 0x80 && t <= 0x8f) n = t & 0x0f;
    else if (t === 0xde) n = this.b.readUInt16BE(this.take(2));
    else throw new Error(`an envelope that is not a map (msgpack type byte 0x${t.toString(16)})`);
    if (n > MAX_FIELDS) throw new Error(`an envelope with ${n} fields, more than ${MAX_FIELDS}`);
    // No prototype, so that no key (__proto__ included) can reach one.
    const out: Record<string, HandshakeValue> = Object.create(null);
    for (let i = 0; i < n; i++) {
      const key = this.value();
      if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
        throw new Error(`a field name that is ${describeValue(key)}`);
      }
      if (key in out) throw new Error(`the field '${key}' twice`);
      out[key] = this.value();
    }
    return out;
  }

  private value(): HandshakeValue {
    const b = this.b;
    const t = this.u8();
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t >= 0xa0 && t <= 0xbf) return this.str(t & 0x1f);
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xcc:
        return b.readUInt8(this.take(1));
      case 0xcd:
        return b.readUInt16BE(this.take(2));
      case 0xce:
        return b.readUInt32BE(this.take(4));
      case 0xd0:
        return b.readInt8(this.take(1));
      case 0xd1:
        return b.readInt16BE(this.take(2));
      case 0xd2:
        return b.readInt32BE(this.take(4));
      case 0xd9:
        return this.str(b.readUInt8(this.take(1)));
      case 0xda:
        return this.str(b.readUInt16BE(this.take(2)));
      default:
        throw new Error(
          `a field value of msgpack type byte 0x${t.toString(16)}, not a string, integer or nil`,
        );
    }
  }

  private str(len: number): string {
    if (len > MAX_STRING_BYTES) throw new Error(`a string of ${len} bytes, more than ${MAX_STRING_BYTES}`);
    const at = this.take(len);
    return this.b.toString('utf8', at, at + len);
  }
}
