/** Adding, removing and interrupting worker processes: addprocs, rmprocs, interrupt. */
import { ArgumentError, describe } from '../errors.js';
import { checkBindOptions } from './bind.js';
import type { Connection } from './connection.js';
import { clusterCookie } from './cookie.js';
import { checkCustomConfigs, linkedPids } from './custom-topology.js';
import {
  type HeartbeatConfig,
  type HeartbeatOptions,
  heartbeatConfig,
  parseHeartbeat,
  setHeartbeatConfig,
} from './heartbeat.js';
import './builtin-managers.js';
import type { HostSpec } from './machine-spec.js';
import type { ClusterManager, WorkerConfig } from './manager.js';
import { type ManagerKind, managerKindFor, managerKinds } from './manager-registry.js';
import { adopt, dial, logLine, markGone, onProcessGone, wrapSocket } from './mesh.js';
import { watchOutput } from './relay.js';
import type { SSHOptions } from './ssh-manager.js';
import { state, type Topology, workers } from './state.js';
import { workerScript } from './worker-script.js';

/**
 * Options of `addprocs` that hold for every manager (SSH adds its own, see SSHOptions). Topology,
 * lazy and heartbeat are fixed for the cluster by the first addprocs.
 *
 * @example await addprocs(4, { exeflags: ['--max-old-space-size=4096'], env: { DARRAY_THREADS: '2' }, timeout: 120 })
 */
export interface AddprocsOptions {
  /**
   * 'all_to_all' (default: workers connect to each other on first use), 'master_worker' (workers
   * reach only the master), or 'custom' (a ClusterManager's WorkerConfig.ident and connectIdents say
   * which workers connect, all before addprocs returns; other pairs cannot call each other).
   */
  topology?: Topology;
  /** With all_to_all, connect workers to each other only when first needed (default true). */
  lazy?: boolean;
  /** Bind workers to 127.0.0.1 only (default true); false binds all interfaces. */
  restrict?: boolean;
  /** `address[:port]` each worker binds and announces to the others (Julia's bind_addr). */
  bindTo?: string;
  /** A network interface ('eth0', 'ib0') whose first IPv4 address each worker binds and announces. */
  interface?: string;
  /** Extra flags for the worker's `node`, e.g. ['--max-old-space-size=4096']. */
  exeflags?: string[];
  /** The node executable for workers (default: this process's). */
  exename?: string;
  /** Working directory of the workers (default: this process's). */
  dir?: string;
  /** Extra environment variables for the workers. */
  env?: Record<string, string>;
  /**
   * How long each worker has to start, in seconds, from launch until it has announced its
   * address, accepted the connection and joined (Julia's JULIA_WORKER_TIMEOUT); default: the
   * environment variable DARRAY_WORKER_TIMEOUT, else 60. A worker that is late fails addprocs
   * with an error naming it, and is killed.
   */
  timeout?: number;
  /**
   * Heartbeats on every connection of the cluster, in seconds (default: interval 1, timeout 10;
   * environment DARRAY_HEARTBEAT_INTERVAL and DARRAY_HEARTBEAT_TIMEOUT, where a timeout of 0 turns
   * them off), or false for none. A process from which nothing arrives for `timeout` (its host
   * vanished from the network, or it is frozen) is treated as dead: its pending calls fail with
   * ProcessExitedException and it leaves workers(); a worker that loses the master so exits. A
   * connection that carries traffic sends no heartbeats. Set by the first addprocs, for the cluster.
   * Over TCP a process busy in synchronous code keeps beating from a helper thread; over
   * transports without an address (Unix sockets) the timeout must outlast the longest such call.
   */
  heartbeat?: HeartbeatOptions | false;
}

const OPTION_NAMES = new Set([
  'topology',
  'lazy',
  'restrict',
  'bindTo',
  'interface',
  'exeflags',
  'exename',
  'dir',
  'env',
  'timeout',
  'heartbeat',
]);

const TOPOLOGIES: readonly unknown[] = ['all_to_all', 'master_worker', 'custom'];

function checkOptions(opts: AddprocsOptions, kind: ManagerKind | undefined): void {
  const own = kind?.options ?? [];
  for (const k of Object.keys(opts)) {
    if (OPTION_NAMES.has(k) || own.includes(k)) continue;
    const owner = managerKinds().find((m) => m.options.includes(k));
    throw new ArgumentError(
      owner
        ? `addprocs: option '${k}' belongs to the '${owner.name}' manager, which addprocs uses when given ${owner.takes}`
        : `addprocs: unknown option '${k}'; the options are ${[...OPTION_NAMES, ...own].join(', ')}`,
    );
  }
  checkBindOptions(opts, 'addprocs');
  if (opts.topology !== undefined && !TOPOLOGIES.includes(opts.topology)) {
    throw new ArgumentError(
      `addprocs: topology must be 'all_to_all', 'master_worker' or 'custom', got ${describe(opts.topology)}`,
    );
  }
  if (
    opts.exeflags !== undefined &&
    !(Array.isArray(opts.exeflags) && opts.exeflags.every((f) => typeof f === 'string'))
  ) {
    throw new ArgumentError(`addprocs: exeflags must be an array of strings, got ${describe(opts.exeflags)}`);
  }
  if (state.isWorker) throw new ArgumentError('addprocs: only the master (process 1) can add workers');
  if (opts.timeout !== undefined && !(typeof opts.timeout === 'number' && opts.timeout > 0)) {
    throw new ArgumentError(
      `addprocs: timeout must be a positive number of seconds, got ${describe(opts.timeout)}`,
    );
  }
  if (opts.lazy !== undefined && typeof opts.lazy !== 'boolean') {
    throw new ArgumentError(`addprocs: lazy must be true or false, got ${describe(opts.lazy)}`);
  }
  if (state.peers.size > 0 && opts.lazy !== undefined && opts.lazy !== state.lazy) {
    throw new ArgumentError(
      `addprocs: the cluster's workers were added with lazy: ${state.lazy}, got lazy: ${opts.lazy}; ` +
        `all workers must share one setting: omit lazy, or remove the workers first (rmprocs)`,
    );
  }
  if (state.peers.size > 0 && opts.topology !== undefined && opts.topology !== state.topology) {
    throw new ArgumentError(
      `addprocs: the cluster already uses topology '${state.topology}'; all workers must share one topology`,
    );
  }
}

/**
 * Starts workers and returns their ids. `what` is a number of local workers, a list of machines
 * reached over ssh (SSHManager; see machine-spec.ts for the forms), or a ClusterManager.
 *
 * @example const pids = await addprocs(4) // [2, 3, 4, 5]
 * @example await addprocs(['node1', '2*me@node2:2222'], { tunnel: true })
 */
export async function addprocs(
  hosts: readonly HostSpec[],
  opts?: AddprocsOptions & SSHOptions,
): Promise<number[]>;
/** `count` local workers (LocalManager), or the workers a ClusterManager launches. */
export async function addprocs(what: number | ClusterManager, opts?: AddprocsOptions): Promise<number[]>;
// Implementation: picks the manager for `what`, checks the options, launches, then connects and numbers the workers.
export async function addprocs(
  what: number | readonly HostSpec[] | ClusterManager,
  opts: AddprocsOptions & SSHOptions = {},
): Promise<number[]> {
  const kind = managerKindFor(what);
  checkOptions(opts, kind);
  let manager: ClusterManager;
  const topology = state.peers.size === 0 ? (opts.topology ?? 'all_to_all') : state.topology;
  if (typeof what === 'number' && topology === 'custom') {
    throw new ArgumentError(
      `addprocs: topology 'custom' needs a ClusterManager whose WorkerConfigs set ident and connectIdents; ` +
        `addprocs(${what}) starts local workers without them: pass such a manager, or use 'all_to_all'`,
    );
  }
  if (kind) {
    const own = Object.fromEntries(Object.entries(opts).filter(([k]) => kind.options.includes(k)));
    manager = kind.create(what, own);
  } else if (what && typeof what === 'object' && typeof (what as ClusterManager).launch === 'function')
    manager = what as ClusterManager;
  else {
    throw new ArgumentError(
      `addprocs: expected ${managerKinds()
        .map((k) => k.takes)
        .join(', ')} or a ClusterManager, got ${describe(what)}`,
    );
  }
  const heartbeat = parseHeartbeat(opts.heartbeat);
  const timeoutMs = workerTimeoutSeconds(opts.timeout) * 1000;
  if (state.peers.size === 0) {
    state.topology = topology;
    state.lazy = opts.lazy ?? true;
    setHeartbeatConfig(heartbeat);
  } else if (opts.heartbeat !== undefined && !sameHeartbeat(heartbeat, heartbeatConfig())) {
    throw new ArgumentError(
      'addprocs: the cluster already has its heartbeat settings (set by the first addprocs); ' +
        'omit heartbeat, or remove the workers first (rmprocs)',
    );
  }
  const params = {
    exename: opts.exename ?? process.execPath,
    exeflags: opts.exeflags ?? [],
    dir: opts.dir ?? process.cwd(),
    env: opts.env ?? {},
    restrict: opts.restrict ?? true,
    bindTo: opts.bindTo,
    interface: opts.interface,
    timeout: opts.timeout ?? 60,
    cookie: clusterCookie(),
    workerScript: workerScript(),
  };
  const configs = await manager.launch(params);
  if (state.topology === 'custom') {
    try {
      checkCustomConfigs(manager.name, configs);
    } catch (err) {
      for (const c of configs) stopUnjoined(manager, c);
      throw err;
    }
  }
  const results = await Promise.allSettled(
    configs.map((c, i) => joinInTime(manager, c, timeoutMs, `${i + 1} of ${configs.length}`)),
  );
  const pids: number[] = [];
  const errors: string[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') pids.push(r.value);
    else errors.push((r.reason as Error).message);
  }
  announceNewPeers(pids);
  // Like Julia, a custom topology's connections are all made at addprocs, whatever `lazy` says.
  if ((!state.lazy && state.topology === 'all_to_all') || state.topology === 'custom')
    errors.push(...(await connectEagerly(pids)));
  if (errors.length > 0) {
    throw new Error(
      `addprocs: ${errors.length} of ${configs.length} workers failed to start:\n${errors.join('\n')}`,
    );
  }
  return pids.sort((a, b) => a - b);
}

/** addprocs' timeout: the option, else DARRAY_WORKER_TIMEOUT, else 60 s as Julia's default. */
function workerTimeoutSeconds(opt: number | undefined): number {
  if (opt !== undefined) return opt;
  const raw = process.env.DARRAY_WORKER_TIMEOUT;
  if (raw === undefined || raw === '') return 60;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0)) {
    throw new ArgumentError(
      `addprocs: environment variable DARRAY_WORKER_TIMEOUT must be a positive number of seconds, got '${raw}'`,
    );
  }
  return n;
}

function sameHeartbeat(a: HeartbeatConfig | undefined, b: HeartbeatConfig | undefined): boolean {
  return a?.intervalMs === b?.intervalMs && a?.timeoutMs === b?.timeoutMs;
}

/**
 * Joins one launched worker within `timeoutMs` from now; a worker that is late, or fails, is
 * killed, and the error names it (its place in the launch, its manager, its OS pid or address).
 */
async function joinInTime(
  manager: ClusterManager,
  config: WorkerConfig,
  timeoutMs: number,
  which: string,
): Promise<number> {
  const attempt = { abandoned: false };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      attempt.abandoned = true;
      reject(
        new Error(
          `it did not announce its address, connect and join within ${timeoutMs / 1000} s ` +
            `(addprocs option timeout, or DARRAY_WORKER_TIMEOUT, in seconds)`,
        ),
      );
    }, timeoutMs);
  });
  const joining = joinWorker(manager, config, timeoutMs, attempt);
  joining.catch(() => {});
  try {
    return await Promise.race([joining, late]);
  } catch (err) {
    stopUnjoined(manager, config);
    const osPid = config.process?.pid === undefined ? '' : `, OS pid ${config.process.pid}`;
    const at =
      config.host !== undefined
        ? `, at ${config.host}:${config.port}`
        : config.where !== undefined
          ? `, on ${config.where}`
          : '';
    throw new Error(`worker ${which} of manager '${manager.name}'${osPid}${at}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

async function joinWorker(
  manager: ClusterManager,
  config: WorkerConfig,
  timeoutMs: number,
  attempt: { abandoned: boolean },
): Promise<number> {
  let setPid!: (pid: number) => void;
  const pidReady = new Promise<number>((r) => {
    setPid = r;
  });
  let conn: Connection | undefined;
  try {
    if (config.host === undefined || config.port === undefined) {
      if (!config.io)
        throw new Error(`manager '${manager.name}' gave neither an address nor an output stream`);
      const addr = await watchOutput(config.io, config.err, pidReady, timeoutMs);
      config.host ??= addr.host;
      config.port ??= addr.port;
    }
    if (manager.connect) {
      const socket = await manager.connect(0, config);
      // A transport that opened after the worker was given up on is closed at once.
      if (attempt.abandoned) socket.destroy();
      conn = wrapSocket(socket, 'connector');
      await conn.ready;
    } else {
      conn = await dial(config.host, config.port);
    }
    if (attempt.abandoned) throw new Error('given up on');
    const pid = state.nextPid++;
    conn.peer = pid;
    const peers = [...state.peers.values()].map((p) => [p.pid, p.host, p.port]);
    const hb = heartbeatConfig();
    const reply = await conn.request({
      k: 'join',
      pid,
      topology: state.topology,
      lazy: state.lazy,
      peers,
      hb: hb ? [hb.intervalMs, hb.timeoutMs] : 0,
    });
    if (!reply.env.ok) throw new Error('the worker refused to join');
    if (attempt.abandoned) throw new Error('given up on');
    state.peers.set(pid, { pid, host: config.host, port: config.port, manager, config });
    adopt(conn);
    setPid(pid);
    manager.manage(pid, config, 'register');
    config.process?.once('exit', (code, signal) => {
      markGone(pid, signal ? `killed by ${signal}` : `exit code ${code}`);
    });
    return pid;
  } catch (err) {
    conn?.close('failed to join');
    if (config.process && config.process.exitCode === null) config.process.kill('SIGKILL');
    throw err;
  }
}

/**
 * Kills a launched worker that will not join (late, failed, or refused by the cluster) or that
 * went silent: through its process handle, else its signal function, else its manager's kill.
 */
function stopUnjoined(manager: ClusterManager, config: WorkerConfig, pid = 0): void {
  const child = config.process;
  if (child) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  } else if (config.signal) config.signal('SIGKILL');
  else manager.kill?.(pid, config).catch(() => {});
}

function announceNewPeers(pids: number[]): void {
  if (pids.length === 0) return;
  const add = pids.map((pid) => {
    const p = state.peers.get(pid);
    return [pid, p?.host, p?.port];
  });
  // Workers started together did not know of each other at join; everyone gets the full list.
  // With topology 'custom', each also learns which workers it is linked to; this reaches a worker
  // before any later request of the master, so its calls to those workers are allowed by then.
  for (const [pid, conn] of state.conns) {
    if (!conn.isOpen) continue;
    if (state.topology === 'custom') conn.send({ k: 'peers', add, linked: linkedPids(pid) });
    else conn.send({ k: 'peers', add });
  }
}

/**
 * With lazy: false or topology 'custom', the mesh is complete before addprocs returns: each new
 * worker connects to every worker (with 'custom', every linked worker) with a lower pid, so no pair
 * is dialled twice, and answers once connected. Returns the failures.
 */
async function connectEagerly(pids: number[]): Promise<string[]> {
  const results = await Promise.allSettled(
    pids.map(async (pid) => {
      const linked = state.topology === 'custom' ? new Set(linkedPids(pid)) : undefined;
      const lower = workers().filter((p) => p !== 1 && p < pid && (linked?.has(p) ?? true));
      const conn = state.conns.get(pid);
      if (!conn || lower.length === 0) return;
      const reply = await conn.request({ k: 'connect', to: lower });
      if (!reply.env.ok) throw new Error(`worker ${pid} could not connect to workers ${lower.join(', ')}`);
    }),
  );
  return results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
}

// When a process leaves, tell the other workers (the remote layer forgets what it held, on the
// same event).
onProcessGone((pid, reason, { entry, silent }) => {
  if (state.isWorker) return;
  // A worker given up for silence may still run (frozen, or cut off): make sure it ends.
  if (silent && entry?.manager && entry.config) {
    if (entry.manager.kill) entry.manager.kill(pid, entry.config).catch(() => {});
    else stopUnjoined(entry.manager, entry.config, pid);
    entry.manager.manage(pid, entry.config, 'deregister');
  }
  for (const conn of state.conns.values()) {
    if (conn.isOpen) conn.send({ k: 'peers', gone: [[pid, reason]] });
  }
});

function checkPids(pids: number | number[], verb: string): number[] {
  const list = Array.isArray(pids) ? pids : [pids];
  for (const p of list) {
    if (p === 1)
      throw new ArgumentError(
        `${verb}: process 1 is the master and cannot be ${verb === 'rmprocs' ? 'removed' : 'interrupted'}`,
      );
    if (!state.peers.has(p)) {
      throw new ArgumentError(
        `${verb}: no worker with id ${describe(p)}; workers() is [${workers().join(', ')}]`,
      );
    }
  }
  return list;
}

/**
 * Removes workers: asks each to exit, waits up to `waitfor` seconds (default 30), then kills it
 * through its manager, with a warning on stderr naming the worker (as Julia logs it).
 *
 * @example await rmprocs(workers())
 */
export async function rmprocs(pids: number | number[], opts: { waitfor?: number } = {}): Promise<void> {
  if (state.isWorker) throw new ArgumentError('rmprocs: only the master (process 1) can remove workers');
  const waitfor = opts.waitfor ?? 30;
  if (typeof waitfor !== 'number' || !(waitfor >= 0)) {
    throw new ArgumentError(
      `rmprocs: waitfor must be a non-negative number of seconds, got ${describe(opts.waitfor)}`,
    );
  }
  const list = checkPids(pids, 'rmprocs');
  const waitMs = waitfor * 1000;
  await Promise.all(
    list.map(async (pid) => {
      const entry = state.peers.get(pid);
      const child = entry?.config?.process;
      const exited = child
        ? new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) resolve();
            else child.once('exit', () => resolve());
          })
        : Promise.resolve();
      const conn = state.conns.get(pid);
      try {
        conn?.send({ k: 'exit' });
      } catch {
        // Already disconnected: it is exiting anyway.
      }
      markGone(pid, 'removed by rmprocs');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((r) => {
        timer = setTimeout(() => r(true), waitMs);
      });
      const late = await Promise.race([exited.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) {
        // As Julia logs it: the worker ignored the request (busy in synchronous code, or hung).
        const canKill = Boolean(entry?.manager?.kill && entry.config);
        logLine(
          `darray: warning: rmprocs: worker ${pid} did not exit within ${waitfor} s of being asked; ${canKill ? 'killing it' : `its manager '${entry?.manager?.name ?? 'unknown'}' cannot kill it, so it may still be running`}`,
        );
        if (canKill && entry?.manager?.kill && entry.config) await entry.manager.kill(pid, entry.config);
      }
      if (entry?.manager && entry.config) entry.manager.manage(pid, entry.config, 'deregister');
    }),
  );
}

/** Interrupts the calls running on the given workers (default: all) with InterruptException. */
export function interrupt(pids: number | number[] = workers().filter((p) => p !== 1)): void {
  for (const pid of checkPids(pids, 'interrupt')) {
    const entry = state.peers.get(pid);
    if (entry?.manager && entry.config) entry.manager.manage(pid, entry.config, 'interrupt');
  }
}
