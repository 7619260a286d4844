/** Placeholder until the tfjs backend lands: it reports that it is not implemented. */
import type { GPUBackend } from '../backend.js';

export async function tfjsBackend(): Promise<GPUBackend> {
  throw new Error('the tfjs backend is not implemented yet');
}
