/**
 * What this process knows of the cluster: its own id, the other processes and how to reach them,
 * and the open connections. The master (pid 1) owns the truth; workers get a copy on join and
 * updates as processes come and go.
 */

import type { Connection } from './connection.js';
import type { ClusterManager, WorkerConfig } from './manager.js';

/** How workers connect to each other; see AddprocsOptions.topology. */
export type Topology = 'all_to_all' | 'master_worker' | 'custom';

/** One other process of the cluster: its id and the address it listens on. */
export interface ProcessEntry {
  pid: number;
  host: string;
  port: number;
  /** Master only: the manager that launched it and its config, for kill/interrupt. */
  manager?: ClusterManager;
  config?: WorkerConfig;
}

/** The single mutable record of this process's cluster view; every cluster module reads and updates it. */
export const state = {
  myid: 1,
  isWorker: false,
  topology: 'all_to_all' as Topology,
  lazy: true,
  /** Every live process except this one, by pid. The master is listed on workers. */
  peers: new Map<number, ProcessEntry>(),
  /** Authenticated connections, by peer pid. */
  conns: new Map<number, Connection>(),
  /** Connections being opened, so concurrent first calls share one. */
  connecting: new Map<number, Promise<Connection>>(),
  /** Processes that exited or were removed, with why, so later calls fail at once. */
  gone: new Map<number, string>(),
  /** Worker only, topology 'custom': the workers this one is linked to (the master sends the list). */
  linked: new Set<number>(),
  nextPid: 2,
};

/** The id of this process: 1 on the master, 2, 3, … on workers. */
export function myid(): number {
  return state.myid;
}

/** Ids of every process: the master first, then the workers. Like Julia, a lone master is `[1]`. */
export function procs(): number[] {
  const ids = [state.myid, ...state.peers.keys()].sort((a, b) => a - b);
  return ids;
}

/** Ids of the workers; with none added, `[1]` as in Julia. */
export function workers(): number[] {
  const ws = procs().filter((p) => p !== 1);
  return ws.length > 0 ? ws : [1];
}

/** Number of processes, the master included. */
export function nprocs(): number {
  return procs().length;
}

/** Number of workers; 1 when the master is alone (it then does the work). */
export function nworkers(): number {
  const n = nprocs();
  return n === 1 ? 1 : n - 1;
}
