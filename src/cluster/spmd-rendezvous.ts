/**
 * How the ranks of an SPMD launch find rank 0: rank 0 listens on the rendezvous port; every other
 * rank dials it, proves it knows the cookie (the cluster's usual handshake), and reports where its
 * own worker listens. The connection then tells each side if the other dies during start-up.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { hostname } from 'node:os';
import { Connection } from './connection.js';
import type { LaunchInfo } from './launch-env.js';
import { logLine } from './mesh.js';
import type { RankAddress } from './spmd-manager.js';
import { state } from './state.js';

/** Rank 0's side: the ranks that reported, and how to close the rendezvous. */
export interface Gathered {
  ranks: RankAddress[];
  close(): void;
}

/** Rank 0: listens on `port` and resolves once every other rank reported, or fails naming the ranks that did not. */
export function gatherRanks(
  info: LaunchInfo,
  cookie: string,
  port: number,
  timeoutMs: number,
): Promise<Gathered> {
  const host = info.singleNode ? '127.0.0.1' : '0.0.0.0';
  const reported = new Map<number, RankAddress>();
  const conns = new Set<Connection>();
  let settled = false;
  const server = createServer();
  const close = () => {
    server.close();
    for (const c of conns) c.close('the cluster is formed');
  };
  return new Promise<Gathered>((resolve, reject) => {
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      reject(new Error(`initialize: ${why}`));
    };
    const timer = setTimeout(() => {
      const missing: number[] = [];
      for (let r = 1; r < info.size; r++) if (!reported.has(r)) missing.push(r);
      fail(
        `${missing.length === 1 ? 'rank' : 'ranks'} ${missing.join(', ')} of ${info.size} did not connect to rank 0 ` +
          `(${host}:${port}) within ${timeoutMs / 1000} s: ${missing.length === 1 ? 'it' : 'they'} may have died during ` +
          `start-up (see ${missing.length === 1 ? 'its' : 'their'} output), or cannot reach this address ` +
          '(set DARRAY_MASTER and DARRAY_PORT)',
      );
    }, timeoutMs);
    server.on('connection', (socket: Socket) => {
      const conn: Connection = new Connection(socket, {
        role: 'acceptor',
        cookie,
        myid: () => 1,
        refWhileIdle: true,
        log: logLine,
        onMessage: (_c, frame) => {
          const env = frame.env;
          const rank = env.rank;
          if (env.k !== 'spmd-hello' || typeof rank !== 'number' || !Number.isInteger(rank)) return;
          if (rank < 1 || rank >= info.size || reported.has(rank)) {
            logLine(
              `darray: initialize: ignoring a second or out-of-range rank ${rank} (the launch has ${info.size})`,
            );
            conn.close('unexpected rank');
            return;
          }
          reported.set(rank, {
            rank,
            host: String(env.host),
            port: Number(env.port),
            node: String(env.node),
          });
          (conn as Connection & { rank?: number }).rank = rank;
          if (reported.size === info.size - 1 && !settled) {
            settled = true;
            clearTimeout(timer);
            resolve({ ranks: [...reported.values()], close });
          }
        },
        onClose: (c, reason) => {
          conns.delete(c);
          const rank = (c as Connection & { rank?: number }).rank;
          if (rank !== undefined) {
            fail(
              `rank ${rank} (on ${reported.get(rank)?.node}) exited during start-up: its connection to rank 0 closed (${reason})`,
            );
          }
        },
      });
      conns.add(conn);
    });
    server.once('error', (err: NodeJS.ErrnoException) => {
      fail(
        err.code === 'EADDRINUSE'
          ? `rank 0 cannot listen on port ${port}: it is in use (another job on this node?); set DARRAY_PORT to a free port on every rank`
          : `rank 0 cannot listen on ${host}:${port}: ${err.message}`,
      );
    });
    server.listen(port, host);
  });
}

/**
 * Every other rank: dials rank 0 until it answers or `deadline` passes (rank 0 may start later),
 * and reports the port its worker listens on. If rank 0 goes away before the cluster is formed,
 * this process exits with code 1.
 */
export async function reportToRankZero(
  info: LaunchInfo,
  cookie: string,
  master: string,
  port: number,
  workerPort: number,
  deadline: number,
): Promise<void> {
  let lastError = '';
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    if (Date.now() > deadline) {
      throw new Error(
        `initialize: rank ${info.rank} could not reach rank 0 at ${master}:${port} (${lastError}); ` +
          'rank 0 may have failed, or listens elsewhere: set DARRAY_MASTER and DARRAY_PORT alike on every rank',
      );
    }
    let socket: Socket;
    try {
      socket = await dialOnce(master, port);
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, delay));
      continue;
    }
    let reported = false;
    const conn = new Connection(socket, {
      role: 'connector',
      cookie,
      myid: () => 0,
      refWhileIdle: true,
      log: logLine,
      onMessage: () => {},
      onClose: (_c, reason) => {
        // Once joined, the master's own connection watches it; before, this one is all there is.
        if (!reported || state.conns.has(1)) return;
        logLine(
          `darray: rank ${info.rank}: rank 0 went away before the cluster was formed (${reason}); exiting`,
        );
        process.exit(1);
      },
    });
    try {
      await conn.ready;
    } catch (err) {
      throw new Error(
        `initialize: rank ${info.rank}: rank 0 at ${master}:${port} refused the connection (${(err as Error).message}); ` +
          'every rank must share one cookie: check DARRAY_COOKIE or DARRAY_COOKIE_FILE',
      );
    }
    reported = true;
    const local = socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    conn.send({
      k: 'spmd-hello',
      rank: info.rank,
      host: info.singleNode ? '127.0.0.1' : local,
      port: workerPort,
      node: hostname(),
    });
    return;
  }
}

function dialOnce(host: string, port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s = tcpConnect({ host, port });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', (err) => {
      s.destroy();
      reject(err);
    });
  });
}
