/** DArray: distributed arrays over worker processes, with CPU or GPU chunks. */
import './ops/register.js';

export {
  allgather,
  allreduce,
  barrier,
  bcast,
  type CollectiveOptions,
  type Combine,
  reduceTo,
} from './collectives.js';
export {
  type DistOptions,
  darrayInit,
  dfill,
  distribute,
  dones,
  drand,
  drandn,
  dzeros,
  type InitOptions,
} from './construct.js';
export { DArray, localindices, localpart } from './darray.js';
export { type Box, defaultDist, type Layout } from './layout.js';
export { localChunkCount } from './store.js';
