/**
 * A peer that speaks to a worker's port byte by byte, as anyone on the network could: for tests of
 * what a worker does with messages from a peer that has not authenticated.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { Packr } from 'msgpackr';
import { state } from '../../src/cluster/state.js';
import { FrameReader } from '../../src/cluster/wire/frame.js';
import { type HandshakeMessage, parseHandshakeFrame } from '../../src/cluster/wire/handshake.js';
import { workerScript } from '../../src/cluster/worker-script.js';
import { remotecallFetch } from '../../src/index.js';

const packr = new Packr({ useRecords: false });

/** A frame whose envelope is the given bytes, with no body and no buffers. */
export function frameOf(envBytes: Uint8Array): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(12 + envBytes.length, 0);
  head.writeUInt32LE(envBytes.length, 4);
  return Buffer.concat([head, envBytes]);
}

/** A frame whose envelope is `value` in msgpack (any value, not only a well-formed envelope). */
export function frameOfValue(value: unknown): Buffer {
  return frameOf(packr.pack(value));
}

/** The port a worker listens on, as the master learned it from the worker's announcement. */
export function workerPort(pid: number): number {
  const entry = state.peers.get(pid);
  if (!entry) throw new Error(`no worker ${pid}`);
  return entry.port;
}

/** A worker's counters of unauthenticated connections (see src/cluster/preauth.ts), read on the worker. */
export function workerPreauthStats(
  pid: number,
): Promise<{ pending: number; refused: number; peakBytes: number }> {
  // The worker runs the build, so the module is imported there from dist/ (the instance it uses).
  const url = new URL('../../dist/src/cluster/preauth.js', import.meta.url).href;
  return remotecallFetch(
    (u: string) =>
      import(u).then((m: { preauthStats: () => { pending: number; refused: number; peakBytes: number } }) =>
        m.preauthStats(),
      ),
    pid,
    url,
  );
}

/** A raw TCP connection that collects the handshake messages it receives and notes when it closes. */
export class RawPeer {
  readonly messages: HandshakeMessage[] = [];
  /** Resolves with the milliseconds from connecting to the close. */
  readonly closed: Promise<number>;
  private waiters: (() => void)[] = [];
  private constructor(
    readonly socket: Socket,
    t0: number,
  ) {
    const reader = new FrameReader((buf) => {
      this.messages.push(parseHandshakeFrame(buf));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    // Writes after the worker hung up fail with EPIPE or ECONNRESET; that is expected here.
    socket.on('error', () => {});
    this.closed = new Promise((r) =>
      socket.once('close', () => {
        r(Date.now() - t0);
        for (const w of this.waiters.splice(0)) w();
      }),
    );
  }

  static open(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.off('error', reject);
        resolve(new RawPeer(s, t0));
      });
      s.once('error', reject);
    });
  }

  /** Writes bytes unless the connection is gone. */
  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(bytes);
  }

  /** The next message received (the `index`-th), or undefined if the connection closes first. */
  async message(index: number, ms = 5000): Promise<HandshakeMessage | undefined> {
    const end = Date.now() + ms;
    while (this.messages.length <= index && !this.socket.destroyed && Date.now() < end) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.messages[index];
  }

  /** Whether the worker closed the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    const timer = new Promise<false>((r) => setTimeout(() => r(false), ms).unref());
    return Promise.race([this.closed.then(() => true), timer]);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A worker started by hand (not through addprocs) with `cookie` on stdin, and its stderr. */
export async function bareWorker(cookie: string) {
  const child = spawn(process.execPath, [workerScript()], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.write(`${cookie}\n`);
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    new Promise<string>((r) => lines.once('line', r)),
    exited.then(() => undefined),
  ]);
  const m = first === undefined ? null : /:(\d+)$/.exec(first);
  return { child, port: m ? Number(m[1]) : 0, stderr, exited };
}
