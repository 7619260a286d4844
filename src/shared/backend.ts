/**
 * Backend 'shared', the one SharedArrays report: registered by the entry files like every other
 * backend, with the lowest priority so that it is never picked when no backend is named. It loads
 * nothing when registered; the native addon is loaded by the first SharedArray made.
 */
import { defineBackend } from '../array/backend.js';
import { sharedFallback } from './fallback.js';
import { sharedKernels } from './kernels.js';

/** The definition of backend 'shared' (SharedArray). */
export const shared = defineBackend({
  name: 'shared',
  priority: -100,
  create: () => ({ name: 'shared' }),
  kernels: sharedKernels,
  // Every other op: the 'cpu' kernel over the shared memory.
  fallback: sharedFallback,
  kind: 'host',
  // A DArray chunk is one process's own memory; a SharedArray is never one.
  chunks: false,
});
