/** Opens the Dawn WebGPU device once per process, lazily, and destroys it when the process exits. */
import { noteGpuAdapter } from '../../src/cluster/gpu-adapter.js';
import { ArgumentError } from '../../src/errors.js';

/** The opened device and what it can do. */
export interface DawnDevice {
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** Whether the device has the 'subgroups' feature (used by the reductions). */
  readonly subgroups: boolean;
  /** The adapter's largest subgroup (4 to 128; 32 on NVIDIA), so kernels know when a subgroup spans one row. */
  readonly subgroupMaxSize: number;
}

// Dawn crashes if the object create() returns is garbage-collected while devices live, so it is held
// here for the life of the process.
let gpuRoot: GPU | undefined;
let opening: Promise<DawnDevice> | undefined;

const NO_ADAPTER =
  'WebGPU: Dawn found no GPU adapter. On a machine without a GPU install a software Vulkan driver ' +
  '(Mesa lavapipe: `apt-get install mesa-vulkan-drivers`; Dawn needs Mesa 25 or later, on Debian 12 ' +
  "from bookworm-backports), or use another backend: gpu(A, { backend: 'tfjs' }) or { backend: 'gpujs' }";

/**
 * The process's Dawn GPU object (navigator.gpu in a browser), created once and held for good.
 * Dawn's WebGPU globals (GPUBufferUsage, …) are installed on first use, as libraries expect them.
 */
export async function dawnRoot(): Promise<GPU> {
  if (gpuRoot) return gpuRoot;
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    // An optional peer dependency (its Dawn builds for every platform weigh 130 MiB).
    const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    throw new ArgumentError(
      missing
        ? "WebGPU: the optional package 'webgpu' (Dawn for Node) is not installed; install it with npm install webgpu"
        : `WebGPU: the 'webgpu' package (Dawn for Node) could not be loaded (${(e as Error).message}); ` +
            'reinstall it with npm install webgpu',
    );
  }
  Object.assign(globalThis, mod.globals);
  gpuRoot ??= mod.create(dawnFlags());
  return gpuRoot;
}

/**
 * Dawn's process flags from DARRAY_DAWN_FLAGS, separated by spaces: e.g.
 * `disable-dawn-features=lazy_clear_resource_on_first_use` (Dawn's own `key=value` syntax; a value
 * may list several toggles with commas). For measuring and for working around a driver's bugs.
 */
export function dawnFlags(env = process.env.DARRAY_DAWN_FLAGS): string[] {
  return (env ?? '').split(/\s+/).filter(Boolean);
}

// Which @webgpu/types the compiler sees first depends on import order; tfjs-core's older copy does
// not list 'subgroups' as a feature name, Dawn's does.
const SUBGROUPS = 'subgroups' as string as GPUFeatureName;

async function open(): Promise<DawnDevice> {
  const root = await dawnRoot();
  const adapter = await root.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new ArgumentError(NO_ADAPTER);
  const subgroups = adapter.features.has('subgroups');
  const device = await adapter.requestDevice({
    requiredFeatures: subgroups ? [SUBGROUPS] : [],
    // The defaults (128 MiB bindings, 256 MiB buffers) are below a float32 8192×8192 matrix.
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
    },
  });
  const info = adapter.info;
  const adapterName = [info.description || info.device, info.architecture, info.vendor]
    .filter(Boolean)
    .join(', ');
  process.once('exit', () => device.destroy());
  noteGpuAdapter(adapterName || 'unknown adapter');
  // Older Dawn builds do not report it: 128 is the most WebGPU allows.
  const subgroupMaxSize = (info as { subgroupMaxSize?: number }).subgroupMaxSize || 128;
  return { device, adapterName: adapterName || 'unknown adapter', subgroups, subgroupMaxSize };
}

/** The process's Dawn device, opened on first call; rejects with how to get an adapter when there is none. */
export function dawnDevice(): Promise<DawnDevice> {
  opening ??= open();
  // A failure is not cached: an adapter may appear (a driver installed) and a retry then succeeds.
  opening.catch(() => {
    opening = undefined;
  });
  return opening;
}
