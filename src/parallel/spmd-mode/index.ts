/** SPMD mode (DistributedArrays.SPMD): spmd runs, their contexts and their messages. */
export {
  gather,
  recvfrom,
  recvfromAny,
  type SpmdCollectiveOptions,
  type SpmdTagOptions,
  scatter,
  sendto,
  spmdBarrier,
  spmdBcast,
} from './collectives.js';
export { inSpmdRun, spmdContextCount } from './contexts.js';
export { context, contextLocalStorage, SPMDContext, type SpmdOptions, spmd } from './run.js';
