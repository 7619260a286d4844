/** Picks where the main job keeps its chunks: a GPU backend when the GPU module finds a real adapter. */
import { lookupName } from '../remote/user-scope.js';

export async function autoBackend(): Promise<string> {
  // The GPU module is optional at this layer; ask it through the public API if it is there.
  const probe = lookupName('webgpuAvailable');
  if (probe.found && typeof probe.value === 'function') {
    try {
      if (await (probe.value as () => Promise<boolean>)()) return 'webgpu';
    } catch {
      // No adapter: fall through to the CPU.
    }
  }
  return 'cpu';
}
