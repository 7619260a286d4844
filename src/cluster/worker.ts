/**
 * The worker side: read the cookie from stdin, listen, announce the address on stdout, then serve
 * the master and peers until the master goes away.
 */
import { createServer, type Server } from 'node:net';
import { Readable } from 'node:stream';
import { ArgumentError, describe } from '../errors.js';
import { handleKind } from '../remote/frame-handlers.js';
import { interruptRunning } from '../remote/interrupts.js';
import { logUnhandledRejections } from '../remote/task-errors.js';
import { type BindOptions, bindPlan, checkBindOptions } from './bind.js';
import { clusterCookie } from './cookie.js';
import { setHeartbeatConfig } from './heartbeat.js';
import { adopt, connectionTo, logLine, markGone, onProcessGone, wrapSocket } from './mesh.js';
import { MAX_PENDING_HANDSHAKES, noteRefusal, preauthStats } from './preauth.js';
import { state, type Topology } from './state.js';

/** The first line a worker prints: `darray-worker-listening <host>:<port>`. */
export const ANNOUNCE = 'darray-worker-listening';

/**
 * How `startWorker` runs this process as a worker: where the cookie comes from, what happens to
 * stdin and stderr, and where it listens (the bind options, or a Unix socket).
 *
 * @example await startWorker({ cookie: process.env.MY_COOKIE, bindTo: '10.0.0.5:9009', closeStdin: false })
 */
export interface StartWorkerOptions extends BindOptions {
  /** The cookie; by default it is read as the first line of stdin. */
  cookie?: string;
  /**
   * Close stdin for the code the worker runs (default true, as Julia's `close_stdin`): it then
   * reads as an ended stream. With false, what the manager writes after the cookie line stays
   * readable on `process.stdin`. Either way, when the cookie came on stdin and stdin is closed
   * here, the worker still exits when the master's end of the pipe closes; with false it notices
   * the master leaving through its connection instead.
   */
  closeStdin?: boolean;
  /**
   * Send what the worker writes through `process.stderr` and `console.error` to stdout (default
   * true, as Julia's `stderr_to_stdout`), for managers that relay only the worker's stdout.
   * LocalManager relays both streams and starts its workers with false.
   */
  stderrToStdout?: boolean;
  /**
   * Listen on the Unix domain socket at this absolute path instead of TCP (for a ClusterManager
   * whose `connect` opens such sockets); the worker announces `unix:<path>`, and other workers
   * reach it there (address: host = the path, port 0). The path must not exist yet.
   */
  socketPath?: string;
  /** Print the `darray-worker-listening` line (default true); SPMD ranks report their address otherwise. */
  announce?: boolean;
}

let server: Server | undefined;

/**
 * Runs this process as a worker (Julia's start_worker). Resolves once it is listening.
 *
 * @example node -e "import('darray').then((d) => d.startWorker())"  # cookie on stdin
 */
export async function startWorker(opts: StartWorkerOptions = {}): Promise<{ host: string; port: number }> {
  for (const k of ['closeStdin', 'stderrToStdout', 'restrict', 'announce'] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== 'boolean')
      throw new ArgumentError(`startWorker: ${k} must be true or false, got ${describe(opts[k])}`);
  }
  if (
    opts.socketPath !== undefined &&
    !(typeof opts.socketPath === 'string' && opts.socketPath.startsWith('/'))
  )
    throw new ArgumentError(
      `startWorker: socketPath must be an absolute path, got ${describe(opts.socketPath)}`,
    );
  checkBindOptions(opts, 'startWorker');
  state.isWorker = true;
  state.myid = 0;
  const fromStdin = opts.cookie === undefined;
  const cookie = fromStdin ? await readCookieLine(process.stdin) : (opts.cookie as string);
  if (opts.closeStdin ?? true) closeStdin(fromStdin);
  if (opts.stderrToStdout ?? true) stderrToStdout();
  initWorker(cookie);
  const plan = bindPlan(opts);
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
  const socketPath = opts.socketPath;
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    if (socketPath !== undefined) srv.listen(socketPath, () => resolve());
    else srv.listen(plan.listenPort, plan.listenHost, () => resolve());
  });
  if (socketPath !== undefined) {
    if (opts.announce ?? true) process.stdout.write(`${ANNOUNCE} unix:${socketPath}\n`);
    return { host: socketPath, port: 0 };
  }
  const addr = srv.address();
  if (!addr || typeof addr === 'string') throw new Error('worker could not determine its listening address');
  const host = plan.announceHost;
  if (opts.announce ?? true) process.stdout.write(`${ANNOUNCE} ${host}:${addr.port}\n`);
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

/**
 * Reads the first line of `input` (the cookie) and nothing more: later bytes are put back, for
 * the worker's own code when stdin stays open.
 */
function readCookieLine(input: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const done = () => {
      input.off('readable', onReadable);
      input.off('end', onEnd);
    };
    const onReadable = () => {
      for (let chunk = input.read() as Buffer | null; chunk !== null; chunk = input.read() as Buffer | null) {
        const nl = chunk.indexOf(10);
        if (nl < 0) {
          parts.push(chunk);
          continue;
        }
        parts.push(chunk.subarray(0, nl));
        done();
        if (nl + 1 < chunk.length) input.unshift(chunk.subarray(nl + 1));
        // An empty line is the empty cookie, which Julia accepts too (clusterCookie warns on the master).
        resolve(Buffer.concat(parts).toString('utf8').trim());
        return;
      }
    };
    const onEnd = () => {
      done();
      reject(new Error('darray worker: expected the cluster cookie on stdin, got end of input'));
    };
    input.on('readable', onReadable);
    input.once('end', onEnd);
  });
}

/**
 * Julia redirects a worker's stdin to devnull; here `process.stdin` becomes an ended stream. When
 * the master handed the cookie over the pipe, the pipe is still drained so that its closing (the
 * master gone) ends the worker, with no orphans even before the master connects.
 */
function closeStdin(watchPipe: boolean): void {
  if (watchPipe) {
    const pipe = process.stdin;
    pipe.on('data', () => {});
    pipe.once('end', () => process.exit(0));
    pipe.resume();
  }
  const ended = new Readable({ read() {} });
  ended.push(null);
  ended.resume();
  Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => ended });
}

/** Julia's redirect_stderr(stdout): stderr writes, even through an already-made handle, go to stdout. */
function stderrToStdout(): void {
  const out = process.stdout;
  const err = process.stderr;
  err.write = out.write.bind(out) as typeof err.write;
  Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => out });
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
  const hb = env.hb as [number, number] | 0 | undefined;
  // The master's heartbeat settings hold for every connection of the cluster, this one included.
  if (hb !== undefined) setHeartbeatConfig(hb === 0 ? undefined : { intervalMs: hb[0], timeoutMs: hb[1] });
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
