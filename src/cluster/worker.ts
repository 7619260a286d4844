/**
 * The worker side: read the cookie from stdin, listen, announce the address on stdout, then serve
 * the master and peers until the master goes away.
 */
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createInterface } from 'node:readline';
import { interruptRunning } from '../remote/interrupts.js';
import { handleKind } from '../remote/kinds.js';
import { logUnhandledRejections } from '../remote/task-errors.js';
import { clusterCookie } from './cookie.js';
import { adopt, connectionTo, logLine, markGone, onProcessGone, wrapSocket } from './mesh.js';
import { MAX_PENDING_HANDSHAKES, noteRefusal, preauthStats } from './preauth.js';
import { state, type Topology } from './state.js';

/** The first line a worker prints: `darray-worker-listening <host>:<port>`. */
export const ANNOUNCE = 'darray-worker-listening';

export interface StartWorkerOptions {
  /** Bind to 127.0.0.1 only (default) or to every interface. */
  restrict?: boolean;
  /** The cookie; by default it is read as the first line of stdin. */
  cookie?: string;
}

let server: Server | undefined;

/**
 * Runs this process as a worker (Julia's start_worker). Resolves once it is listening.
 *
 * @example node -e "import('darray').then((d) => d.startWorker())"  # cookie on stdin
 */
export async function startWorker(opts: StartWorkerOptions = {}): Promise<{ host: string; port: number }> {
  state.isWorker = true;
  state.myid = 0;
  const cookie = opts.cookie ?? (await readCookieLine());
  initWorker(cookie);
  const restrict = opts.restrict ?? true;
  const srv = createServer((socket) => {
    if (preauthStats().pending >= MAX_PENDING_HANDSHAKES) {
      // Each waiting connection costs a little memory and a file descriptor; past this many, the
      // newest are closed at once rather than let a flood of them exhaust either.
      noteRefusal(
        socket.remoteAddress ?? 'an unknown address',
        'too many connections awaiting authentication',
        logLine,
      );
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    const conn = wrapSocket(socket, 'acceptor');
    conn.ready.then(
      () => adopt(conn),
      () => {},
    );
  });
  server = srv;
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, restrict ? '127.0.0.1' : '0.0.0.0', () => resolve());
  });
  const addr = srv.address();
  if (!addr || typeof addr === 'string') throw new Error('worker could not determine its listening address');
  const host = restrict ? '127.0.0.1' : externalAddress();
  process.stdout.write(`${ANNOUNCE} ${host}:${addr.port}\n`);
  return { host, port: addr.port };
}

/** Prepares this process to be a worker with `cookie` (Julia's init_worker); startWorker calls it. */
export function initWorker(cookie: string): void {
  state.isWorker = true;
  clusterCookie(cookie);
  process.on('SIGINT', () => interruptRunning());
  logUnhandledRejections();
  // The master going away (connection or stdin closed) ends the worker: no orphans.
  onProcessGone((pid) => {
    if (pid === 1) process.exit(0);
  });
}

function readCookieLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin });
    let got = false;
    rl.once('line', (line) => {
      got = true;
      // An empty line is the empty cookie, which Julia accepts too (clusterCookie warns on the master).
      const cookie = line.trim();
      resolve(cookie);
    });
    rl.once('close', () => {
      if (!got) reject(new Error('darray worker: expected the cluster cookie on stdin, got end of input'));
      // stdin closing after the cookie means the master is gone.
      else process.exit(0);
    });
  });
}

function externalAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

type PeerTuple = [pid: number, host: string, port: number];

function addPeers(list: PeerTuple[]): void {
  for (const [pid, host, port] of list) {
    if (pid !== state.myid) state.peers.set(pid, { pid, host, port });
  }
}

handleKind('join', (conn, frame) => {
  const env = frame.env;
  state.myid = env.pid as number;
  state.topology = env.topology as Topology;
  state.lazy = env.lazy as boolean;
  state.peers.set(1, { pid: 1, host: '', port: 0 });
  addPeers(env.peers as PeerTuple[]);
  conn.peer = 1;
  state.conns.set(1, conn);
  conn.send({ k: 'res', id: env.id, ok: true, pid: state.myid });
});

// lazy: false: the master asks each new worker to connect to the listed workers before addprocs returns.
handleKind('connect', async (conn, frame) => {
  await Promise.all((frame.env.to as number[]).map((pid) => connectionTo(pid)));
  conn.send({ k: 'res', id: frame.env.id, ok: true, pid: state.myid });
});

handleKind('peers', (_conn, frame) => {
  addPeers((frame.env.add as PeerTuple[] | undefined) ?? []);
  for (const pid of (frame.env.linked as number[] | undefined) ?? []) state.linked.add(pid);
  for (const [pid, reason] of (frame.env.gone as [number, string][] | undefined) ?? []) markGone(pid, reason);
});

handleKind('exit', () => {
  server?.close();
  process.exit(0);
});
