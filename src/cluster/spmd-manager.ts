/**
 * The ClusterManager rank 0 of an SPMD launch uses: the launcher (srun, mpirun, Kubernetes) has
 * already started the processes, so `launch` only returns the addresses the ranks reported. Ranks
 * join one at a time, in rank order, so that rank r becomes process r + 1.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import type { ClusterManager, ManageOp, WorkerConfig } from './manager.js';

/** What rank 0 learned of one rank at the rendezvous. */
export interface RankAddress {
  rank: number;
  host: string;
  port: number;
  /** The rank's host name, for messages. */
  node: string;
}

interface Turn {
  rank: number;
  release: () => void;
  joined: boolean;
}

/**
 * Joins processes that an external launcher already started, given the addresses they reported
 * at the rendezvous; `initialize()` builds it on rank 0 and passes it to addprocs. It launches
 * nothing and kills nothing: the launcher owns the processes.
 *
 * @example
 * const manager = new SpmdManager([{ rank: 1, host: '10.0.0.2', port: 9001, node: 'n2' }]);
 * await addprocs(manager); // rank 1 becomes process 2
 */
export class SpmdManager implements ClusterManager {
  readonly name = 'spmd';
  private turn: Promise<void> = Promise.resolve();
  private configs: WorkerConfig[] = [];

  constructor(private readonly ranks: readonly RankAddress[]) {}

  async launch(): Promise<WorkerConfig[]> {
    this.configs = [...this.ranks]
      .sort((a, b) => a.rank - b.rank)
      .map((r) => ({
        host: r.host,
        port: r.port,
        userdata: { rank: r.rank, release: () => {}, joined: false },
      }));
    return this.configs;
  }

  /**
   * Dials a rank once the previous one has joined or failed: addprocs numbers workers in the order
   * their handshakes finish, and this keeps that order the rank order.
   */
  async connect(_pid: number, config: WorkerConfig): Promise<Socket> {
    const turn = config.userdata as Turn;
    const previous = this.turn;
    this.turn = new Promise<void>((r) => {
      turn.release = r;
    });
    await previous;
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = tcpConnect({ host: config.host as string, port: config.port as number });
        s.once('connect', () => {
          s.off('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      });
      // A handshake that fails closes the socket: the next rank's turn comes then.
      socket.once('close', turn.release);
      return socket;
    } catch (err) {
      turn.release();
      throw new Error(`rank ${turn.rank} at ${config.host}:${config.port}: ${(err as Error).message}`);
    }
  }

  manage(_pid: number, config: WorkerConfig, op: ManageOp): void {
    const turn = config.userdata as Turn;
    if (op === 'register') {
      turn.joined = true;
      turn.release();
    }
  }

  /** Ranks that have not joined (after addprocs, the ones that failed). */
  missing(): number[] {
    return this.configs.map((c) => c.userdata as Turn).flatMap((t) => (t.joined ? [] : [t.rank]));
  }
}
