/** Placeholder until the gpujs backend lands: it reports that it is not implemented. */
import type { GPUBackend } from '../backend.js';

export async function gpujsBackend(): Promise<GPUBackend> {
  throw new Error('the gpujs backend is not implemented yet');
}
