/** SharedArray: arrays in memory shared by the processes of one host (Julia's SharedArrays). */
export { shared } from './backend.js';

// Registers how a SharedArray crosses to threadsFor's threads.
import './thread-transfer.js';

export { SEGMENT_PREFIX, sweepOrphans } from './segment.js';
export {
  indexpids,
  isSharedArray,
  localindices,
  SharedArray,
  type SharedArrayDescriptor,
  type SharedArrayOptions,
  sdata,
} from './shared-array.js';
