/**
 * The cluster-manager interface (Julia's ClusterManager): how workers are launched, connected to,
 * signalled and killed. LocalManager starts processes on this machine; others (SSH, Slurm) only
 * add classes that implement this.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** What a manager knows of one launched worker. */
export interface WorkerConfig {
  /** Where the worker listens; read from its first line of output when not set by the manager. */
  host?: string;
  port?: number;
  /** The worker's output stream, whose first line announces its address; later lines are relayed. */
  io?: Readable;
  /** Standard error of the worker, relayed line by line. */
  err?: Readable;
  /** The OS process, when the manager started it on this machine. */
  process?: ChildProcess;
  /** How to ask for termination or an interrupt when there is no local process handle. */
  signal?: (sig: NodeJS.Signals) => void;
  /** Free-form data for the manager. */
  userdata?: unknown;
  /**
   * Where the manager started the worker, for errors before it has announced an address (e.g.
   * `host node1 port 22`): a start-up that fails names it whichever timer fires first.
   */
  where?: string;
  /**
   * With topology 'custom', the worker as the manager identifies it (Julia's `ident`): a string,
   * number, bigint, boolean, or an array or plain object of those, unique in the cluster.
   */
  ident?: unknown;
  /**
   * With topology 'custom', the idents of the workers this one connects to (Julia's
   * `connect_idents`); the pair may then call each other both ways. Others stay unreachable.
   */
  connectIdents?: unknown[];
}

/** Options passed from `addprocs` to the manager's `launch`. */
export interface LaunchParams {
  /** Node executable and flags for the worker process. */
  exename: string;
  exeflags: string[];
  /** Working directory and extra environment of the workers. */
  dir: string;
  env: Record<string, string>;
  /** Bind the worker's listening socket to 127.0.0.1 only (true) or to all interfaces. */
  restrict: boolean;
  /** `address[:port]` the worker binds and announces (Julia's bind_addr); overrides restrict. */
  bindTo?: string;
  /** A network interface whose first IPv4 address the worker binds and announces. */
  interface?: string;
  /** Seconds each worker has to start (addprocs's timeout). */
  timeout?: number;
  /** The cookie, which the manager must hand to the worker on stdin. */
  cookie: string;
  /** Path of the worker entry script. */
  workerScript: string;
}

/**
 * The lifecycle events `manage` is told of: a worker joined ('register') or left ('deregister'),
 * or an interrupt was asked for. 'finalize' mirrors Julia's and is not sent at present.
 */
export type ManageOp = 'register' | 'deregister' | 'interrupt' | 'finalize';

/**
 * How workers are started and reached (Julia's ClusterManager). Implement `launch` (start
 * processes, return one WorkerConfig each, with the cookie written to each one's stdin) and
 * `manage`; optionally `kill` and `connect` (a transport other than TCP). Then
 * `addprocs(manager)` does the rest: it reads the address each worker announces, connects,
 * authenticates and numbers them.
 *
 * @example
 * class MyManager implements ClusterManager {
 *   readonly name = 'mine';
 *   async launch(p: LaunchParams) { const child = spawn(p.exename, [...p.exeflags, p.workerScript]);
 *     child.stdin.write(`${p.cookie}\n`); return [{ process: child, io: child.stdout, err: child.stderr }]; }
 *   manage() {}
 * }
 * await addprocs(new MyManager());
 */
export interface ClusterManager {
  /** Name for messages and the registry. */
  readonly name: string;
  /** Starts the workers and returns one config each. */
  launch(params: LaunchParams): Promise<WorkerConfig[]>;
  /** Called on lifecycle events of a worker this manager launched. */
  manage(pid: number, config: WorkerConfig, op: ManageOp): void;
  /** Forcibly stops a worker that did not exit when asked. */
  kill?(pid: number, config: WorkerConfig): Promise<void>;
  /**
   * The transport extension point (Julia's `connect(manager, pid, config)`): opens the stream to a
   * worker that the master's connection runs over, once the worker has announced its address
   * (config.host and port are then set). Without it the master connects over TCP to
   * config.host:port. Return a connected `net.Socket` of any kind: a Unix domain socket (start the
   * worker with `--socket PATH`, which it announces as host PATH, port 0), a socket to a local
   * end of an SSH tunnel, and so on; the cookie handshake, framing and heartbeats then run over
   * it as over TCP. `pid` is 0: the worker's id is assigned once it has joined. Workers reach each
   * other at the host and port each announced (a Unix socket path, or TCP).
   */
  connect?(pid: number, config: WorkerConfig): Promise<Socket>;
}
