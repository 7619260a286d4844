/**
 * One authenticated, framed connection to another process of the cluster. Either side may send
 * requests; replies come back on the connection the request went out on.
 */
import type { Socket } from 'node:net';
import { ProcessExitedException } from '../remote/exceptions.js';
import { mac, macEqual, nonce, PROTOCOL_VERSION } from './auth.js';
import { isHeld } from './keepalive.js';
import { type Envelope, encodeFrame, type Frame, FrameReader, parseFrame } from './wire/frame.js';

interface Pending {
  resolve: (frame: Frame) => void;
  reject: (err: Error) => void;
}

export interface ConnectionOptions {
  role: 'connector' | 'acceptor';
  cookie: string;
  /** This process's id, read when the handshake runs (a worker learns its id on join). */
  myid: () => number;
  /** Keep the event loop alive only while requests are in flight (the master), or always (workers). */
  refWhileIdle: boolean;
  onMessage: (conn: Connection, frame: Frame) => void;
  onClose: (conn: Connection, reason: string) => void;
  /** How a refused peer is reported; the acceptor logs and keeps serving. */
  log: (line: string) => void;
}

const HANDSHAKE_TIMEOUT_MS = 15_000;
type PiggybackTake = (peer: number) => unknown;
type PiggybackApply = (data: unknown, from: number) => void;
const piggybacks = new Map<string, { take: PiggybackTake; apply: PiggybackApply }>();

/**
 * Lets bookkeeping (distributed-GC releases, freed DArray chunks) ride on whatever message goes to
 * a peer next, under `key` in the envelope's `pb` field, instead of costing messages of its own.
 */
export function registerPiggyback(key: string, take: PiggybackTake, apply: PiggybackApply): void {
  piggybacks.set(key, { take, apply });
}

/** Frames and bytes this process has sent, for message counts in benchmarks and tests. */
const stats = { framesSent: 0, bytesSent: 0 };

/**
 * How many messages (frames) and bytes this process has sent to other processes so far.
 *
 * @example const before = wireStats().framesSent; await sum(dA); wireStats().framesSent - before
 */
export function wireStats(): { framesSent: number; bytesSent: number } {
  return { ...stats };
}

/** Takes the bookkeeping waiting for `peer`, for a frame encoded outside a connection. */
function takePiggyback(peer: number): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [key, p] of piggybacks) {
    const data = p.take(peer);
    if (data !== undefined) (out ??= {})[key] = data;
  }
  return out;
}

/** Adds the bookkeeping waiting for `peer` to an envelope (see encodeFrame's `completeEnv`). */
export function piggybackOnto(peer: number): (env: Envelope) => void {
  return (env) => {
    const pb = takePiggyback(peer);
    if (pb !== undefined) env.pb = pb;
  };
}

function applyPiggyback(pb: Record<string, unknown>, from: number): void {
  for (const [key, data] of Object.entries(pb)) piggybacks.get(key)?.apply(data, from);
}

/** Request ids are unique per process, so calls encoded before their connection exists can carry one. */
let nextRequestId = 1;
export const newRequestId = (): number => nextRequestId++;

export class Connection {
  /** The peer's pid, known once the handshake is done. */
  peer = 0;
  readonly ready: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | undefined;
  private authed = false;

  constructor(
    readonly socket: Socket,
    private readonly opts: ConnectionOptions,
  ) {
    socket.setNoDelay(true);
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    this.ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // A handshake failure is reported through `ready`; keep it from also being an unhandled rejection.
    this.ready.catch(() => {});
    const timer = setTimeout(() => this.fail(settle, 'handshake timed out'), HANDSHAKE_TIMEOUT_MS);
    timer.unref();
    const reader = new FrameReader((buf) => {
      let frame: Frame;
      try {
        frame = parseFrame(buf);
      } catch (err) {
        this.fail(settle, `undecodable frame envelope: ${(err as Error).message}`);
        return;
      }
      if (this.authed) this.dispatch(frame);
      else this.handshake(frame.env, settle, timer);
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', (err) => this.close(err.message));
    socket.on('close', () => {
      clearTimeout(timer);
      settle.reject(
        new Error(`connection closed during handshake${this.closedReason ? `: ${this.closedReason}` : ''}`),
      );
      this.close('connection closed');
    });
    if (opts.role === 'connector') {
      this.myNonce = nonce();
      this.write({ k: 'hello', v: PROTOCOL_VERSION, n: this.myNonce, pid: opts.myid() });
    }
    this.updateRef();
  }

  private myNonce = '';
  private theirNonce = '';

  private handshake(
    env: Envelope,
    settle: { resolve: () => void; reject: (e: Error) => void },
    timer: NodeJS.Timeout,
  ) {
    const { cookie, role } = this.opts;
    if (env.k === 'refused') return this.fail(settle, `peer refused the connection: ${String(env.why)}`);
    if (role === 'acceptor' && env.k === 'hello') {
      if (env.v !== PROTOCOL_VERSION) {
        return this.refuse(
          settle,
          `protocol version mismatch: ours ${PROTOCOL_VERSION}, theirs ${String(env.v)}`,
        );
      }
      this.theirNonce = String(env.n);
      this.peer = Number(env.pid) || 0;
      this.myNonce = nonce();
      const proof = mac(cookie, 'acceptor', this.myNonce, this.theirNonce);
      this.write({ k: 'challenge', v: PROTOCOL_VERSION, n: this.myNonce, mac: proof, pid: this.opts.myid() });
      return;
    }
    if (role === 'connector' && env.k === 'challenge') {
      if (env.v !== PROTOCOL_VERSION) {
        return this.fail(
          settle,
          `protocol version mismatch: ours ${PROTOCOL_VERSION}, theirs ${String(env.v)}`,
        );
      }
      this.theirNonce = String(env.n);
      if (!macEqual(env.mac, mac(cookie, 'acceptor', this.theirNonce, this.myNonce))) {
        // Tell the acceptor too, so the side that keeps serving can log the refusal.
        return this.refuse(settle, 'authentication failed: the peer does not know the cluster cookie');
      }
      this.peer = Number(env.pid) || 0;
      this.write({ k: 'auth', mac: mac(cookie, 'connector', this.theirNonce, this.myNonce) });
      return;
    }
    if (role === 'acceptor' && env.k === 'auth') {
      if (!macEqual(env.mac, mac(cookie, 'connector', this.myNonce, this.theirNonce))) {
        return this.refuse(settle, 'authentication failed: wrong cluster cookie');
      }
      this.authed = true;
      clearTimeout(timer);
      this.write({ k: 'welcome' });
      settle.resolve();
      return;
    }
    if (role === 'connector' && env.k === 'welcome') {
      this.authed = true;
      clearTimeout(timer);
      settle.resolve();
      return;
    }
    this.refuse(settle, `unexpected '${env.k}' message during handshake`);
  }

  private refuse(settle: { reject: (e: Error) => void }, why: string): void {
    this.write({ k: 'refused', why });
    this.fail(settle, why);
  }

  private fail(settle: { reject: (e: Error) => void }, why: string): void {
    if (this.opts.role === 'acceptor') {
      this.opts.log(
        `darray: refused connection from ${this.socket.remoteAddress}:${this.socket.remotePort}: ${why}`,
      );
    }
    settle.reject(new Error(why));
    this.closedReason = why;
    this.socket.end();
    this.socket.destroySoon?.();
    setTimeout(() => this.socket.destroy(), 200).unref();
  }

  get isOpen(): boolean {
    return this.closedReason === undefined && this.authed;
  }

  private write(env: Envelope, body?: unknown): void {
    this.writeParts(encodeFrame(env, body, this.peer, this.authed ? piggybackOnto(this.peer) : undefined));
  }

  /** Frames held back to go out in one write at the end of this tick (see {@link sendEncoded}). */
  private held: Buffer[] | undefined;

  private writeParts(parts: Buffer[], deferred = false): void {
    stats.framesSent++;
    for (const p of parts) stats.bytesSent += p.length;
    if (deferred || this.held) {
      if (!this.held) {
        this.held = [];
        process.nextTick(() => this.flushHeld());
      }
      this.held.push(...parts);
      // A frame that may not wait takes the held ones with it, so the order on the wire is kept.
      if (!deferred) this.flushHeld();
      return;
    }
    const s = this.socket;
    if (parts.length === 3) {
      s.write(Buffer.concat(parts));
      return;
    }
    s.cork();
    for (const p of parts) s.write(p);
    s.uncork();
  }

  private flushHeld(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    if (this.socket.writableEnded) return;
    this.socket.cork();
    for (const b of held) this.socket.write(b);
    this.socket.uncork();
  }

  /** Sends a one-way message. Throws at once if the body cannot be encoded. */
  send(env: Envelope, body?: unknown): void {
    if (this.closedReason !== undefined) throw new ProcessExitedException(this.peer, this.closedReason);
    this.write(env, body);
  }

  /**
   * Sends a frame encoded earlier (with encodeFrame) that expects no reply. A `deferred` frame may
   * wait until the end of the current tick, to share one write (one system call, one wake-up of the
   * peer) with the other frames sent to this peer meanwhile: for streams of commands, such as the
   * few a DArray operation sends each worker per step.
   */
  sendEncoded(parts: Buffer[], deferred = false): undefined {
    if (this.closedReason !== undefined) throw new ProcessExitedException(this.peer, this.closedReason);
    this.writeParts(parts, deferred);
    return undefined;
  }

  /** Sends a message with a fresh `id` and resolves with the reply frame for that id. */
  request(env: Envelope, body?: unknown): Promise<Frame> {
    const id = nextRequestId++;
    env.id = id;
    let parts: Buffer[];
    try {
      parts = encodeFrame(env, body, this.peer);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.requestEncoded(id, parts);
  }

  /** Sends a frame encoded earlier whose envelope carries `id`, and resolves with the reply. */
  requestEncoded(id: number, parts: Buffer[]): Promise<Frame> {
    if (this.closedReason !== undefined) {
      return Promise.reject(new ProcessExitedException(this.peer, this.closedReason));
    }
    const reply = new Promise<Frame>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
    });
    if (this.pending.size === 1) this.updateRef();
    this.writeParts(parts);
    return reply;
  }

  private dispatch(frame: Frame): void {
    const { env } = frame;
    if (env.pb !== undefined) applyPiggyback(env.pb as Record<string, unknown>, this.peer);
    if (env.k === 'res') {
      const p = this.pending.get(env.id as number);
      if (!p) return;
      this.pending.delete(env.id as number);
      if (this.pending.size === 0) this.updateRef();
      p.resolve(frame);
      return;
    }
    this.opts.onMessage(this, frame);
  }

  private updateRef(): void {
    if (this.opts.refWhileIdle || this.pending.size > 0 || !this.authed || isHeld()) this.socket.ref();
    else this.socket.unref();
  }

  /** Called once the handshake resolves, so an idle master does not stay alive for this socket. */
  settle(): void {
    this.updateRef();
  }

  /** Closes the connection and fails every request still waiting on it. */
  close(reason: string): void {
    if (this.closedReason !== undefined && this.pending.size === 0) {
      this.socket.destroy();
      return;
    }
    // Frames held for the end of this tick go first: a command sent just before closing still arrives.
    this.flushHeld();
    this.closedReason ??= reason;
    // end() lets a last message (such as 'exit') flush; destroy() follows in case the peer never answers.
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    const err = new ProcessExitedException(this.peer, reason);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(err);
    this.opts.onClose(this, reason);
  }
}
