/**
 * One authenticated, framed connection to another process of the cluster. Either side may send
 * requests; replies come back on the connection the request went out on.
 */
import type { Socket } from 'node:net';
import { ProcessExitedException } from '../errors.js';
import { mac, macEqual, nonce, PROTOCOL_VERSION } from './auth.js';
import { heartbeatConfig } from './heartbeat.js';
import { beatTo, noteLoopTurning, offerSideChannel } from './heartbeat-thread.js';
import { isHeld } from './keepalive.js';
import {
  ACCEPT_DEADLINE_MS,
  beginHandshake,
  DIAL_DEADLINE_MS,
  notePreauthBytes,
  noteRefusal,
  PREAUTH_BUDGET_BYTES,
  PREAUTH_MAX_FRAME_BYTES,
} from './preauth.js';
import { type Envelope, encodeFrame, type Frame, FrameReader, parseFrame } from './wire/frame.js';
import { describeValue, type HandshakeMessage, parseHandshakeFrame } from './wire/handshake.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** Turns the reply frame into the request's value (or throws), in the turn the reply arrives. */
  unwrap: ((frame: Frame, from: number) => unknown) | undefined;
}

/** What a Connection needs from its owner: its role in the handshake, the cookie, and callbacks. */
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

type PiggybackTake = (peer: number) => unknown;
type PiggybackApply = (data: unknown, from: number) => void;
/** An array, not a Map: it is walked for every frame sent, and a loop over an array allocates nothing. */
const piggybacks: { key: string; take: PiggybackTake; apply: PiggybackApply }[] = [];

/**
 * Lets bookkeeping (distributed-GC releases, freed DArray chunks) ride on whatever message goes to
 * a peer next, under `key` in the envelope's `pb` field, instead of costing messages of its own.
 */
export function registerPiggyback(key: string, take: PiggybackTake, apply: PiggybackApply): void {
  const at = piggybacks.findIndex((p) => p.key === key);
  if (at >= 0) piggybacks.splice(at, 1);
  piggybacks.push({ key, take, apply });
}

/**
 * Frames and bytes this process has sent, for message counts in benchmarks and tests. Heartbeats
 * are counted apart: they carry no work, and an idle moment in a measured run must not change it.
 */
const stats = { framesSent: 0, bytesSent: 0, heartbeatsSent: 0 };

/**
 * How many messages (frames) and bytes this process has sent to other processes so far, and how
 * many heartbeats (sent only on idle connections, not counted in the other two).
 *
 * @example const before = wireStats().framesSent; await sum(dA); wireStats().framesSent - before
 */
export function wireStats(): { framesSent: number; bytesSent: number; heartbeatsSent: number } {
  return { ...stats };
}

/** Takes the bookkeeping waiting for `peer`, for a frame encoded outside a connection. */
function takePiggyback(peer: number): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < piggybacks.length; i++) {
    const p = piggybacks[i] as (typeof piggybacks)[number];
    const data = p.take(peer);
    if (data !== undefined) (out ??= {})[p.key] = data;
  }
  return out;
}

/** One completer per peer, made once: a call encodes a frame for its peer every time. */
const completers = new Map<number, (env: Envelope) => void>();

/** Adds the bookkeeping waiting for `peer` to an envelope (see encodeFrame's `completeEnv`). */
export function piggybackOnto(peer: number): (env: Envelope) => void {
  let c = completers.get(peer);
  if (!c) {
    c = (env) => {
      const pb = takePiggyback(peer);
      if (pb !== undefined) env.pb = pb;
    };
    completers.set(peer, c);
  }
  return c;
}

function applyPiggyback(pb: Record<string, unknown>, from: number): void {
  for (const [key, data] of Object.entries(pb)) piggybacks.find((p) => p.key === key)?.apply(data, from);
}

/** Request ids are unique per process, so calls encoded before their connection exists can carry one. */
let nextRequestId = 1;
/** Takes the next request id of this process. */
export const newRequestId = (): number => nextRequestId++;

/** The handshake message each side waits for next. */
type Expecting = 'hello' | 'challenge' | 'auth' | 'welcome';

const NONCE = /^[0-9a-f]{32}$/;
const MAC = /^[0-9a-f]{64}$/;

/**
 * One socket to another process, after a mutual cookie handshake: frames out (`send`,
 * `request`), frames in (replies settle their request; everything else goes to `onMessage`),
 * heartbeats while idle, and a clean failure of every waiting request when it closes. The socket
 * may be TCP or anything stream-like a ClusterManager's `connect` returns. Most code gets one
 * from the mesh (`connectionTo(pid)`) rather than building it.
 *
 * @example
 * const conn = wrapSocket(net.connect(port, host), 'connector'); // mesh.ts: a Connection bound to this process
 * await conn.ready; // the handshake succeeded; conn.peer is the other side's pid
 * const reply = await conn.request({ k: 'ref', op: 'ready', rr: [1, 7] });
 */
export class Connection {
  /** The peer's pid, known once the handshake is done. */
  peer = 0;
  /** Resolves once the handshake has succeeded; rejects with why it failed. */
  readonly ready: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | undefined;
  private authed = false;
  private settleReady!: { resolve: () => void; reject: (e: Error) => void };
  private readonly reader: FrameReader;
  private readonly deadline: NodeJS.Timeout;
  private readonly endHandshake = beginHandshake();
  /** The acceptor waits for hello then auth; the connector for challenge then welcome. */
  private expecting: Expecting;
  /** Bytes of whole frames received before authentication (see PREAUTH_BUDGET_BYTES). */
  private preauthBytes = 0;
  private myNonce = '';
  private theirNonce = '';
  /** When bytes last arrived from the peer and when a frame last went to it (Date.now()). */
  private lastReceived = Date.now();
  private lastSent = Date.now();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** True once the peer was given up for silence (see heartbeat.ts), not for a closed socket. */
  silent = false;
  /** Undoes the UDP side channel of the heartbeats (see heartbeat-thread.ts) when this closes. */
  private readonly sideChannel: (() => void)[] = [];

  constructor(
    readonly socket: Socket,
    private readonly opts: ConnectionOptions,
  ) {
    socket.setNoDelay(true);
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    // A handshake failure is reported through `ready`; keep it from also being an unhandled rejection.
    this.ready.catch(() => {});
    const limit = opts.role === 'acceptor' ? ACCEPT_DEADLINE_MS : DIAL_DEADLINE_MS;
    // Checked once the input that is already waiting has been read (setImmediate runs after I/O),
    // so a process that was busy past the deadline does not refuse an answer that did arrive.
    this.deadline = setTimeout(
      () =>
        setImmediate(() => {
          if (!this.authed) this.refuse(`the handshake did not complete within ${limit / 1000} s`);
        }),
      limit,
    );
    this.deadline.unref();
    this.reader = new FrameReader(
      (buf) => this.onFrame(buf),
      (why) => this.refuse(`${why} before authentication`),
    );
    this.reader.maxFrameBytes = PREAUTH_MAX_FRAME_BYTES;
    socket.on('data', (chunk: Buffer) => {
      this.lastReceived = Date.now();
      this.reader.push(chunk);
      if (!this.authed && this.closedReason === undefined) this.checkBudget(this.reader.buffered);
    });
    socket.on('error', (err) => this.close(err.message));
    socket.on('close', () => {
      clearTimeout(this.deadline);
      clearTimeout(this.heartbeatTimer);
      for (const undo of this.sideChannel.splice(0)) undo();
      this.endHandshake();
      this.reader.stop();
      this.settleReady.reject(
        new Error(`connection closed during handshake${this.closedReason ? `: ${this.closedReason}` : ''}`),
      );
      this.close('connection closed');
    });
    if (opts.role === 'connector') {
      this.expecting = 'challenge';
      this.myNonce = nonce();
      this.write({ k: 'hello', v: PROTOCOL_VERSION, n: this.myNonce, pid: opts.myid() });
    } else {
      this.expecting = 'hello';
    }
    this.updateRef();
  }

  private onFrame(buf: Buffer): void {
    if (this.authed) {
      let frame: Frame;
      try {
        frame = parseFrame(buf);
      } catch (err) {
        this.close(`undecodable frame envelope: ${(err as Error).message}`);
        return;
      }
      const env: unknown = frame.env;
      if (typeof env !== 'object' || env === null || typeof (env as Envelope).k !== 'string') {
        this.close('a frame whose envelope has no message kind');
        return;
      }
      // A heartbeat has done its work by arriving (lastReceived); it carries nothing else.
      if (frame.env.k === 'hbu') this.beatBack(frame.env);
      else if (frame.env.k !== 'hb') this.dispatch(frame);
      return;
    }
    this.preauthBytes += 4 + buf.length;
    if (!this.checkBudget(0)) return;
    let msg: HandshakeMessage;
    try {
      msg = parseHandshakeFrame(buf);
    } catch (err) {
      this.refuse(`malformed handshake message: ${(err as Error).message}`);
      return;
    }
    this.handshake(msg);
  }

  /** Refuses a peer that has sent more than its budget before authenticating; false if it did. */
  private checkBudget(partial: number): boolean {
    const sent = this.preauthBytes + partial;
    notePreauthBytes(sent);
    if (sent <= PREAUTH_BUDGET_BYTES) return true;
    this.refuse(`more than ${PREAUTH_BUDGET_BYTES} bytes sent before authentication`);
    return false;
  }

  private handshake(env: HandshakeMessage) {
    const { cookie, role } = this.opts;
    if (env.k === 'refused') {
      return this.fail(`peer refused the connection: ${describeValue(env.why)}`);
    }
    if (env.k !== this.expecting) {
      return this.refuse(
        `expected a '${this.expecting}' message during the handshake, got ${describeValue(env.k)}`,
      );
    }
    if ((env.k === 'hello' || env.k === 'challenge') && env.v !== PROTOCOL_VERSION) {
      return this.refuse(
        `protocol version mismatch: ours ${PROTOCOL_VERSION}, theirs ${describeValue(env.v)}`,
      );
    }
    if ((env.k === 'hello' || env.k === 'challenge') && !(typeof env.n === 'string' && NONCE.test(env.n))) {
      return this.refuse(`expected a nonce of 32 hex digits in '${env.k}', got ${describeValue(env.n)}`);
    }
    if ((env.k === 'challenge' || env.k === 'auth') && !(typeof env.mac === 'string' && MAC.test(env.mac))) {
      return this.refuse(`expected a MAC of 64 hex digits in '${env.k}', got ${describeValue(env.mac)}`);
    }
    const pid = typeof env.pid === 'number' && Number.isSafeInteger(env.pid) && env.pid > 0 ? env.pid : 0;
    if (role === 'acceptor' && env.k === 'hello') {
      this.theirNonce = env.n as string;
      this.peer = pid;
      this.myNonce = nonce();
      const proof = mac(cookie, 'acceptor', this.myNonce, this.theirNonce);
      this.expecting = 'auth';
      this.write({ k: 'challenge', v: PROTOCOL_VERSION, n: this.myNonce, mac: proof, pid: this.opts.myid() });
      return;
    }
    if (role === 'connector' && env.k === 'challenge') {
      this.theirNonce = env.n as string;
      if (!macEqual(env.mac, mac(cookie, 'acceptor', this.theirNonce, this.myNonce))) {
        // Tell the acceptor too, so the side that keeps serving can log the refusal.
        return this.refuse('authentication failed: the peer does not know the cluster cookie');
      }
      this.peer = pid;
      this.expecting = 'welcome';
      this.write({ k: 'auth', mac: mac(cookie, 'connector', this.theirNonce, this.myNonce) });
      return;
    }
    if (role === 'acceptor' && env.k === 'auth') {
      if (!macEqual(env.mac, mac(cookie, 'connector', this.myNonce, this.theirNonce))) {
        return this.refuse('authentication failed: wrong cluster cookie');
      }
      this.authenticated();
      this.write({ k: 'welcome' });
      this.settleReady.resolve();
      this.offerSideChannel();
      return;
    }
    if (role === 'connector' && env.k === 'welcome') {
      this.authenticated();
      this.settleReady.resolve();
      this.offerSideChannel();
      return;
    }
    this.refuse(`unexpected ${describeValue(env.k)} message during the handshake`);
  }

  /** Lifts the limits on what the peer may send, now that it has proved it knows the cookie. */
  private authenticated(): void {
    this.authed = true;
    clearTimeout(this.deadline);
    this.endHandshake();
    this.reader.maxFrameBytes = 0xffff_ffff;
    this.lastReceived = Date.now();
    this.scheduleHeartbeat();
  }

  private scheduleHeartbeat(): void {
    if (this.closedReason !== undefined) return;
    const cfg = heartbeatConfig();
    // The check runs after the input already waiting has been read (setImmediate runs after I/O),
    // so a process that was itself busy does not blame a peer whose heartbeats are in its buffer.
    // Checking twice per interval keeps the gap between heartbeats under 1.5 intervals.
    const every = (cfg?.intervalMs ?? 1000) / 2;
    this.heartbeatTimer = setTimeout(() => setImmediate(() => this.heartbeat()), every);
    this.heartbeatTimer.unref();
  }

  /**
   * Over TCP, offers the peer a UDP port and token for the beats that this process's helper thread
   * sends while the peer's main thread is stuck in synchronous code (see heartbeat-thread.ts).
   */
  private offerSideChannel(): void {
    const cfg = heartbeatConfig();
    const local = this.socket.localAddress;
    if (!cfg || !local || !this.socket.remoteAddress) return;
    void offerSideChannel(local, cfg.intervalMs, () => {
      this.lastReceived = Date.now();
    }).then((offer) => {
      if (!offer) return;
      if (!this.isOpen) return offer.drop();
      this.sideChannel.push(offer.drop);
      this.writeHeartbeat({ k: 'hbu', port: offer.port, t: offer.token });
    });
  }

  /** Takes up the peer's offer: our helper thread beats to it while our main thread is stuck. */
  private beatBack(env: Envelope): void {
    const cfg = heartbeatConfig();
    const host = this.socket.remoteAddress;
    const { port, t } = env;
    const valid = typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536;
    if (!cfg || !host || !valid || typeof t !== 'string' || !/^[0-9a-f]{32}$/.test(t)) return;
    this.sideChannel.push(beatTo(host, port, t, cfg.intervalMs));
  }

  /** Writes a heartbeat frame, counted apart from the messages. */
  private writeHeartbeat(env: Envelope): void {
    stats.heartbeatsSent++;
    this.lastSent = Date.now();
    this.flushHeld();
    this.socket.write(Buffer.concat(encodeFrame(env, undefined, this.peer)));
  }

  /**
   * Gives up on a silent peer, or tells an idle one that this process is still alive. `recheck`:
   * the peer already looked silent one turn of the event loop ago.
   */
  private heartbeat(recheck = false): void {
    const cfg = heartbeatConfig();
    if (cfg) noteLoopTurning(cfg.intervalMs);
    if (cfg && this.isOpen) {
      const now = Date.now();
      if (now - this.lastReceived > cfg.timeoutMs) {
        // This check may have waited behind this process's own synchronous code, queued after the
        // input was last read: what the peer sent meanwhile is read first, in the next turn (an
        // immediate queued from an immediate runs after that turn's I/O), and only then judged.
        if (!recheck) {
          setImmediate(() => this.heartbeat(true));
          return;
        }
        this.silent = true;
        this.close(
          `nothing arrived from it for ${cfg.timeoutMs / 1000} s (heartbeat timeout): ` +
            'its host is unreachable or the process is frozen',
        );
        return;
      }
      // Only an idle connection carries heartbeats: any frame sent recently does their job.
      if (now - this.lastSent >= cfg.intervalMs) this.writeHeartbeat({ k: 'hb' });
    }
    this.scheduleHeartbeat();
  }

  /** Fails the handshake and tells the peer why, so that the side that keeps serving can log it. */
  private refuse(why: string): void {
    if (this.closedReason !== undefined) return;
    this.write({ k: 'refused', why: why.slice(0, 200) });
    this.fail(why);
  }

  private fail(why: string): void {
    if (this.closedReason !== undefined) return;
    if (this.opts.role === 'acceptor')
      noteRefusal(this.socket.remoteAddress ?? 'an unknown address', why, this.opts.log);
    this.closedReason = why;
    this.reader.stop();
    this.endHandshake();
    clearTimeout(this.deadline);
    this.settleReady.reject(new Error(why));
    this.socket.end();
    this.socket.destroySoon?.();
    setTimeout(() => this.socket.destroy(), 200).unref();
  }

  /** Authenticated and not closed: frames can go out. */
  get isOpen(): boolean {
    return this.closedReason === undefined && this.authed;
  }

  private write(env: Envelope, body?: unknown): void {
    this.writeParts(encodeFrame(env, body, this.peer, this.authed ? this.completer() : undefined));
  }

  /** piggybackOnto(peer), looked up again only when the peer's pid changes (it is set on join). */
  private completer(): (env: Envelope) => void {
    if (this.completerPeer !== this.peer || this.complete === undefined) {
      this.complete = piggybackOnto(this.peer);
      this.completerPeer = this.peer;
    }
    return this.complete;
  }
  private complete: ((env: Envelope) => void) | undefined;
  private completerPeer = 0;

  /** Frames held back to go out in one write at the end of this tick (see {@link sendEncoded}). */
  private held: Buffer[] | undefined;

  private writeParts(parts: Buffer[], deferred = false): void {
    this.lastSent = Date.now();
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
    // A message without TypedArray payloads is one buffer (see encodeFrame): one write, no cork.
    if (parts.length === 1) {
      s.write(parts[0] as Buffer);
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

  /**
   * Sends a frame encoded earlier whose envelope carries `id`, and resolves with the reply, or
   * with what `unwrap` makes of it (called with the reply and this peer's pid; a throw rejects).
   * Unwrapping as the reply arrives saves a promise and a turn per request.
   */
  requestEncoded(id: number, parts: Buffer[]): Promise<Frame>;
  requestEncoded<T>(id: number, parts: Buffer[], unwrap: (frame: Frame, from: number) => T): Promise<T>;
  requestEncoded(
    id: number,
    parts: Buffer[],
    unwrap?: (frame: Frame, from: number) => unknown,
  ): Promise<unknown> {
    if (this.closedReason !== undefined) {
      return Promise.reject(new ProcessExitedException(this.peer, this.closedReason));
    }
    const reply = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, unwrap });
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
      if (p.unwrap === undefined) {
        p.resolve(frame);
        return;
      }
      let value: unknown;
      try {
        value = p.unwrap(frame, this.peer);
      } catch (err) {
        p.reject(err as Error);
        return;
      }
      p.resolve(value);
      return;
    }
    this.opts.onMessage(this, frame);
  }

  /** Whether the socket was last set to keep the process alive, once authenticated (see updateRef). */
  private refed: boolean | undefined;

  private updateRef(): void {
    const want = this.opts.refWhileIdle || this.pending.size > 0 || !this.authed || isHeld();
    // A master's socket goes from idle to busy and back with each call: skip the call into the
    // handle when nothing changes. Before the handshake the socket may still be connecting, and
    // ref() then only defers itself, so the state is tracked only from then on.
    if (this.authed && want === this.refed) return;
    this.refed = this.authed ? want : undefined;
    if (want) this.socket.ref();
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
    clearTimeout(this.heartbeatTimer);
    for (const undo of this.sideChannel.splice(0)) undo();
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
