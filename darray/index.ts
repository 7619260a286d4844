/** DArray: distributed arrays over worker processes, with CPU or GPU chunks. */
import './register.js';

export {
  allgather,
  allreduce,
  barrier,
  bcast,
  type CollectiveOptions,
  type Combine,
  reduceTo,
} from './collectives.js';
export { darrayInit, dfill, distribute, dones, drand, drandn, dzeros } from './construct.js';
export { DArray, localindices, localpart } from './darray.js';
export { type Box, defaultDist, type Layout } from './layout.js';
// Options of the constructors (distribute, dzeros, …) and of DArray.init.
export type { DistOptions, InitOptions } from './options.js';
export { localChunkCount } from './store.js';
/** A view of a DArray (DistributedArrays' SubDArray): a SubArray whose reads and writes go to the DArray's owners. */
export type SubDArray = import('../src/array/subarray.js').SubArray<import('./darray.js').DArray>;
