/**
 * Connections between processes: opening them (lazily for all_to_all), accepting them, and
 * forgetting processes that went away so every later call to them fails at once.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import { ArgumentError, ProcessExitedException } from '../errors.js';
import { Connection } from './connection.js';
import { clusterCookie } from './cookie.js';
import { onHoldChange } from './keepalive.js';
import { type ProcessEntry, state } from './state.js';
import type { Frame } from './wire/frame.js';

type MessageHandler = (conn: Connection, frame: Frame) => void;
let handler: MessageHandler = () => {};

/** What is known of a process that left: its entry as it was, and whether it went silent. */
export interface GoneInfo {
  entry?: ProcessEntry;
  /** Given up for a heartbeat timeout: it may still be running, frozen or out of reach. */
  silent: boolean;
}
type GoneListener = (pid: number, reason: string, info: GoneInfo) => void;
const goneListeners: GoneListener[] = [];

/** Installs the dispatcher for incoming requests (the remote-call layer). */
export function setMessageHandler(h: MessageHandler): void {
  handler = h;
}

/** Registers a callback for when a process leaves the cluster (exit, removal, lost connection). */
export function onProcessGone(fn: GoneListener): void {
  goneListeners.push(fn);
}

/** Wraps a socket in an authenticating connection bound to this process's cluster state. */
export function wrapSocket(socket: Socket, role: 'connector' | 'acceptor'): Connection {
  return new Connection(socket, {
    role,
    cookie: clusterCookie(),
    myid: () => state.myid,
    refWhileIdle: state.isWorker,
    onMessage: (conn, frame) => handler(conn, frame),
    onClose: (conn, reason) => {
      if (conn.peer && state.conns.get(conn.peer) === conn) {
        state.conns.delete(conn.peer);
        // A worker losing the master has lost the cluster; a lost peer connection means a dead peer.
        if (conn.silent) markGone(conn.peer, reason, true);
        else markGone(conn.peer, 'its connection closed');
      }
    },
    log: logLine,
  });
}

/** Writes one line of this process's own diagnostics (refused connections) to stderr. */
export function logLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

// Waiting on other processes keeps the connections referenced; see keepalive.ts.
onHoldChange(() => {
  for (const conn of state.conns.values()) conn.settle();
});

/** Registers an authenticated connection as the way to reach its peer. */
export function adopt(conn: Connection): void {
  if (!state.conns.has(conn.peer)) state.conns.set(conn.peer, conn);
  conn.settle();
}

/**
 * Opens an authenticated connection to host:port, or to the Unix domain socket at `host` when it
 * is an absolute path and `port` is 0 (a worker started with a socket path; see startWorker).
 */
export async function dial(host: string, port: number): Promise<Connection> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = port === 0 && host.startsWith('/') ? tcpConnect({ path: host }) : tcpConnect({ host, port });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  const conn = wrapSocket(socket, 'connector');
  await conn.ready;
  return conn;
}

/** The connection to `pid`, opened on first use where the topology allows it. */
export function connectionTo(pid: number): Connection | Promise<Connection> {
  const open = state.conns.get(pid);
  if (open) return open;
  const gone = state.gone.get(pid);
  if (gone !== undefined) throw new ProcessExitedException(pid, gone);
  const entry = state.peers.get(pid);
  if (!entry) {
    throw new ArgumentError(
      `no process with id ${describePid(pid)}; procs() is [${[state.myid, ...state.peers.keys()].sort((a, b) => a - b).join(', ')}]`,
    );
  }
  if (state.isWorker && pid !== 1 && state.topology === 'master_worker') {
    throw new ArgumentError(
      `worker ${state.myid} cannot reach worker ${pid}: the cluster uses topology 'master_worker'; ` +
        `start it with addprocs(n, { topology: 'all_to_all' }) for worker-to-worker calls`,
    );
  }
  if (state.isWorker && pid !== 1 && state.topology === 'custom' && !state.linked.has(pid)) {
    throw new ArgumentError(
      `worker ${state.myid} cannot reach worker ${pid}: the cluster uses topology 'custom' and these two ` +
        `were not connected (neither one's WorkerConfig.connectIdents names the other's ident); ` +
        `list the ident in connectIdents when launching to connect them`,
    );
  }
  const inflight = state.connecting.get(pid);
  if (inflight) return inflight;
  const p = dial(entry.host, entry.port).then(
    (conn) => {
      state.connecting.delete(pid);
      adopt(conn);
      return state.conns.get(pid) ?? conn;
    },
    (err: Error) => {
      state.connecting.delete(pid);
      throw new ProcessExitedException(pid, `could not connect: ${err.message}`);
    },
  );
  state.connecting.set(pid, p);
  return p;
}

function describePid(pid: unknown): string {
  return typeof pid === 'number' ? String(pid) : `${JSON.stringify(pid)} (${typeof pid})`;
}

/** Forgets a process: later calls to it fail at once, and listeners fail what depended on it. */
export function markGone(pid: number, reason: string, silent = false): void {
  if (state.gone.has(pid) || pid === state.myid) return;
  state.gone.set(pid, reason);
  const entry = state.peers.get(pid);
  state.peers.delete(pid);
  const conn = state.conns.get(pid);
  state.conns.delete(pid);
  conn?.close(reason);
  for (const fn of goneListeners) fn(pid, reason, { entry, silent });
}
