/**
 * darray: Julia's parallel-computing model for Node.js.
 *
 * @example
 * import { addprocs, remotecallFetch, myid } from 'darray';
 * const [p] = await addprocs(1);
 * console.log(await remotecallFetch(() => myid(), p)); // 2
 */

// First, so that every backend is registered before any module below runs its body.
import './backends.js';

export * from '../darray/index.js';
export { type FromZarrOptions, fromZarr, type ToZarrOptions, toZarr } from '../darray/zarr.js';
export * from '../gpu/index.js';
export { type BandwidthOptions, readBandwidth } from '../kernels/wasm/bandwidth.js';
export { type KernelStatus, kernelStatus, startKernelThreads } from '../kernels/wasm/status.js';
export * from './array/index.js';
export { Channel, ChannelClosedError, type Producer } from './channel.js';
export { wireStats } from './cluster/connection.js';
export { clusterCookie } from './cluster/cookie.js';
// Option types of addprocs.
export type { HeartbeatOptions } from './cluster/heartbeat.js';
export { expandHostlist } from './cluster/hostlist.js';
export { detectLaunch, type Launcher, type LaunchInfo, localRank } from './cluster/launch-env.js';
export { LocalManager } from './cluster/local-manager.js';
// How a host is named in addprocs(hosts) and SSHManager.
export type { HostSpec } from './cluster/machine-spec.js';
// The interface a custom cluster manager implements.
export type { ClusterManager, LaunchParams, ManageOp, WorkerConfig } from './cluster/manager.js';
export { type ManagerKind, managerKinds, registerManager } from './cluster/manager-registry.js';
export { type AddprocsOptions, addprocs, interrupt, rmprocs } from './cluster/processes.js';
export { SlurmManager, type SlurmManagerOptions } from './cluster/slurm-manager.js';
export { type InitializeOptions, initialize, type SpmdInfo } from './cluster/spmd.js';
export { SSHManager, type SSHOptions } from './cluster/ssh-manager.js';
export { myid, nprocs, nworkers, procs, workers } from './cluster/state.js';
export { initWorker, startWorker } from './cluster/worker.js';
export * from './errors.js';
export { decodeNpy, encodeNpy, load, save } from './io/npy.js';
export * from './linalg/index.js';
export { distributedFor } from './parallel/distributed-for.js';
export { autoBatchSize, type PmapOptions, pmap, type RetryState } from './parallel/pmap.js';
export { CachingPool, defaultWorkerPool, remote, WorkerPool } from './parallel/pool.js';
export { PoolRef } from './parallel/pool-ref.js';
// SPMD mode; its barrier and bcast are the ones exported from darray/, which take the SPMD form inside spmd.
export {
  context,
  contextLocalStorage,
  gather,
  recvfrom,
  recvfromAny,
  SPMDContext,
  type SpmdCollectiveOptions,
  type SpmdOptions,
  type SpmdTagOptions,
  scatter,
  sendto,
  spmd,
  spmdContextCount,
} from './parallel/spmd-mode/index.js';
export {
  fetchAny,
  fetchFrom,
  remotecall,
  remotecallFetch,
  remotecallWait,
  remoteDo,
  spawn,
  spawnAt,
} from './remote/calls.js';
export { clear, everywhere } from './remote/everywhere.js';
export {
  type CapturedError,
  CompositeException,
  InterruptException,
  RemoteException,
} from './remote/exceptions.js';
export { Future, fetch, isReady, put, wait } from './remote/future.js';
export { type ChannelLike, RemoteChannel, take } from './remote/remote-channel.js';
export { remoteRefCount } from './remote/store.js';
// SharedArray; its localindices is the one exported from darray/, which takes both array kinds.
export {
  indexpids,
  isSharedArray,
  SharedArray,
  type SharedArrayDescriptor,
  type SharedArrayOptions,
  sdata,
} from './shared/index.js';
export * from './threads/index.js';

import './cluster/gpu-adapter.js';
import './remote/handler.js';
import './remote/wire-types.js';

// Shipped functions see the whole public API by name on every process.
import * as self from './index.js';
import { setApiNamespace } from './remote/user-scope.js';

setApiNamespace(self);
