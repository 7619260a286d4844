/**
 * Heartbeats that survive a busy event loop. A connection's own heartbeats come from the main
 * thread, which a synchronous call (a large kernel) can block for a long time; a peer would then
 * take a busy process for a frozen one. So, over TCP, each side also tells the other a UDP port and
 * a secret token, and a helper thread of this process sends that token to the peer's port while
 * (and only while) the main thread has stopped turning: the peer sees a live, busy process. A
 * frozen process (its helper stops too) or a cut network (the datagrams are lost too) still goes
 * silent. Transports without addresses (Unix sockets) keep the main thread's heartbeats only.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { Worker } from 'node:worker_threads';

/** The helper's code: CommonJS run with `eval`, so it works from the sources and the build alike. */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const shared = new BigInt64Array(workerData.shared);
const targets = new Map();
const sockets = {};
const socketFor = (family) => {
  if (!sockets[family]) {
    const s = dgram.createSocket(family);
    s.on('error', () => {});
    s.unref();
    sockets[family] = s;
  }
  return sockets[family];
};
parentPort.on('message', (m) => {
  if (m.add) targets.set(m.id, { host: m.host, port: m.port, token: Buffer.from(m.token, 'hex') });
  else targets.delete(m.id);
});
const tick = () => {
  const interval = Number(Atomics.load(shared, 1));
  // Only while the main thread is stuck: otherwise it sends its own heartbeats.
  if (interval > 0 && Date.now() - Number(Atomics.load(shared, 0)) > interval) {
    for (const t of targets.values()) socketFor(t.host.includes(':') ? 'udp6' : 'udp4').send(t.token, t.port, t.host);
  }
  setTimeout(tick, Math.max(10, interval / 2 || 500));
};
tick();
`;

let helper: { worker: Worker; shared: BigInt64Array } | undefined;

function startHelper(intervalMs: number): { worker: Worker; shared: BigInt64Array } {
  if (!helper) {
    const shared = new BigInt64Array(new SharedArrayBuffer(16));
    Atomics.store(shared, 0, BigInt(Date.now()));
    const worker = new Worker(THREAD, { eval: true, workerData: { shared: shared.buffer } });
    // It must never keep the process alive, nor take it down.
    worker.unref();
    worker.on('error', () => {});
    helper = { worker, shared };
  }
  Atomics.store(helper.shared, 1, BigInt(Math.round(intervalMs)));
  return helper;
}

/** Called on the main thread's heartbeat ticks: the loop is turning, the helper stays quiet. */
export function noteLoopTurning(intervalMs: number): void {
  if (!helper) return;
  Atomics.store(helper.shared, 0, BigInt(Date.now()));
  Atomics.store(helper.shared, 1, BigInt(Math.round(intervalMs)));
}

/** The UDP socket that receives beats on one local address, and who each token stands for. */
const receivers = new Map<string, Promise<UdpSocket | undefined>>();
const byToken = new Map<string, () => void>();

function receiverOn(address: string): Promise<UdpSocket | undefined> {
  let r = receivers.get(address);
  if (!r) {
    r = new Promise((resolve) => {
      const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
      s.on('message', (msg) => byToken.get(msg.toString('hex'))?.());
      // Without a UDP port the connection keeps its main-thread heartbeats only.
      s.once('error', () => resolve(undefined));
      s.bind(0, address, () => {
        s.unref();
        resolve(s);
      });
    });
    receivers.set(address, r);
  }
  return r;
}

/**
 * Offers the peer of a TCP connection a port on `localAddress` and a token for its helper's
 * beats, which call `alive`. Resolves with what to send the peer, or undefined when there is no
 * UDP port; the returned `drop` forgets the token.
 */
export async function offerSideChannel(
  localAddress: string,
  intervalMs: number,
  alive: () => void,
): Promise<{ port: number; token: string; drop: () => void } | undefined> {
  const s = await receiverOn(localAddress);
  if (!s) return undefined;
  startHelper(intervalMs);
  const token = randomBytes(16).toString('hex');
  byToken.set(token, alive);
  return { port: s.address().port, token, drop: () => byToken.delete(token) };
}

let nextTarget = 1;

/** Has the helper beat to a peer's offered port while this main thread is stuck; returns how to stop. */
export function beatTo(host: string, port: number, token: string, intervalMs: number): () => void {
  const { worker } = startHelper(intervalMs);
  const id = nextTarget++;
  worker.postMessage({ add: true, id, host, port, token });
  return () => worker.postMessage({ add: false, id });
}
