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
export { type DEyeOptions, deye } from './eye.js';
export { darrayFromRefs } from './from-refs.js';
export { type Box, defaultDist, type Layout } from './layout.js';
export { type LocalIndex, makelocal } from './makelocal.js';
export { type MapslicesOptions, mapslices } from './mapslices.js';
// Options of the constructors (distribute, dzeros, …) and of DArray.init.
export type { DistOptions, InitOptions } from './options.js';
// pendingPartCount: parts made but not yet placed in a DArray (for leak checks, as localChunkCount).
export { pendingPartCount } from './parts.js';
export { ppeval } from './ppeval.js';
export { type SortOptions, sort } from './sort.js';
export { localChunkCount } from './store.js';
/** A view of a DArray (DistributedArrays' SubDArray): a SubArray whose reads and writes go to the DArray's owners. */
export type SubDArray = import('../src/array/subarray.js').SubArray<import('./darray.js').DArray>;
