/**
 * Picks where the main job keeps its chunks: WebGPU when Dawn finds a hardware adapter, else the
 * CPU. A software adapter (lavapipe, llvmpipe, SwiftShader) runs far slower than the CPU kernels,
 * so it is used only when asked for with --backend webgpu.
 */
import { gpuBackend } from '../../gpu/select.js';

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|cpu/i;

/**
 * The chunk backend for `darray power` when none was asked for: 'webgpu' on a hardware adapter,
 * else 'cpu'; `log` says why the GPU was not used.
 */
export async function autoBackend(log: (line: string) => void = console.log): Promise<string> {
  try {
    const b = await gpuBackend('webgpu');
    if (!SOFTWARE.test(b.device)) return 'webgpu';
    log(`found only a software GPU adapter (${b.device}); using CPU chunks (--backend webgpu forces it)`);
  } catch (e) {
    // Its first sentence says why: no adapter, or the optional package missing (with its install).
    const why = (e instanceof Error ? e.message : String(e)).replace(/^WebGPU: /, '').split('. ')[0];
    log(`no WebGPU (${why}); using CPU chunks`);
  }
  return 'cpu';
}
