/**
 * The gpu.js backend instance (made on first use by the definition in index.ts). gpu.js picks its mode when it starts: in Node that is 'headlessgl' only when
 * the native `gl` package is built (it needs an X server and libxi-dev), else its WebAssembly
 * ('webasm') or plain 'cpu' kernels; `device` reports the mode found. Arrays live in host memory
 * between kernels, which is where those modes compute.
 */
import type { GPUBackend, GPUStorage } from '../../gpu/backend.js';

/** The parts of gpu.js's kernel this backend uses. */
export interface GpujsKernel {
  (...args: unknown[]): unknown;
  destroy?(): void;
}

/** The parts of a gpu.js GPU instance this backend uses. */
interface GpujsGPU {
  readonly mode: string;
  createKernel(source: string, settings: Record<string, unknown>): GpujsKernel;
  destroy?(): void;
}

/** One GPUArray's elements. */
export class GpujsStorage implements GPUStorage {
  #live = true;
  constructor(
    readonly data: Float32Array,
    private readonly owner: GpujsBackend,
  ) {
    owner.live += data.byteLength;
  }
  get bytes(): number {
    return this.data.byteLength;
  }
  release(): void {
    if (!this.#live) return;
    this.#live = false;
    this.owner.live -= this.data.byteLength;
  }
}

/** The gpu.js backend instance: the GPU object and kernels compiled once per source. */
export class GpujsBackend implements GPUBackend {
  readonly name = 'gpujs' as const;
  readonly device: string;
  /** gpu.js's mode: 'headlessgl', 'webgpu', 'webasm' or 'cpu'. */
  readonly mode: string;
  live = 0;
  private readonly kernels = new Map<string, GpujsKernel>();

  constructor(private readonly gpu: GpujsGPU) {
    // gpu.js fixes its mode on the first kernel; a probe kernel makes it choose now.
    gpu.createKernel('function() { return 1; }', { output: [1] })();
    this.mode = gpu.mode;
    this.device = `gpujs-${this.mode}`;
  }

  /** The kernel of `source` writing `output`, compiled on first use. */
  kernel(source: string, output: readonly number[]): GpujsKernel {
    const key = `${output.join('x')}\u0000${source}`;
    let k = this.kernels.get(key);
    if (!k) {
      k = this.gpu.createKernel(source, {
        output: [...output],
        loopMaxIterations: 1 << 30,
        precision: 'single',
      });
      this.kernels.set(key, k);
    }
    return k;
  }

  /** Wraps float32 results (gpu.js returns Float32Array rows for 2-d outputs) as storage. */
  store(data: Float32Array): GpujsStorage {
    return new GpujsStorage(data, this);
  }

  upload(data: Float32Array): GpujsStorage {
    return this.store(Float32Array.from(data));
  }

  async download(s: GPUStorage, offset: number, count: number): Promise<Float32Array> {
    return (s as GpujsStorage).data.slice(offset, offset + count);
  }

  async write(s: GPUStorage, offset: number, data: Float32Array): Promise<void> {
    (s as GpujsStorage).data.set(data, offset);
  }

  bytesInUse(): number {
    return this.live;
  }

  dispose(): void {
    for (const k of this.kernels.values()) k.destroy?.();
    this.kernels.clear();
  }
}

let instance: Promise<GpujsBackend> | undefined;

/** The process's gpu.js backend, loaded on first use (gpu.js is an optional dependency). */
export function gpujsBackend(): Promise<GpujsBackend> {
  instance ??= (async () => {
    let mod: { GPU?: new () => GpujsGPU; default?: { GPU: new () => GpujsGPU } };
    try {
      const name = 'gpu.js';
      mod = await import(name);
    } catch (e) {
      const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
      throw new Error(
        missing
          ? "gpujs: the optional package 'gpu.js' is not installed; install it with npm install gpu.js"
          : `gpujs: the optional package gpu.js could not be loaded (${(e as Error).message}); npm install gpu.js`,
      );
    }
    const GPU = mod.GPU ?? mod.default?.GPU;
    if (!GPU) throw new Error('gpujs: the gpu.js package has no GPU export');
    return new GpujsBackend(new GPU());
  })();
  instance.catch(() => {
    instance = undefined;
  });
  return instance;
}
