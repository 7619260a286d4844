/**
 * The WebGPU backend instance, made on first use by the definition in index.ts: Dawn device, buffer
 * pool, pipeline cache, and dispatch helpers for the kernels beside it.
 */
import type { GPUBackend, GPUStorage } from '../../gpu/backend.js';
import { CommandBatch } from './batch.js';
import { BindGroupCache } from './bind-groups.js';
import { type DawnDevice, dawnDevice } from './dawn.js';
import { BufferUsage, MapMode } from './flags.js';
import { BufferPool } from './pool.js';

/** One GPUArray's (or a temporary's) buffer; `bytes` is the logical size, the buffer may be larger. */
export class WebGPUStorage implements GPUStorage {
  #released = false;
  constructor(
    readonly buffer: GPUBuffer,
    readonly bytes: number,
    private readonly pool: BufferPool,
  ) {}
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.pool.release(this.buffer);
  }
}

/** A binding of a kernel: a storage (whole) or a byte range of one. */
export interface Binding {
  readonly buffer: GPUBuffer;
  readonly offset?: number;
  readonly size?: number;
}

/** One kernel launch: a WGSL source (entry point `main`), its bindings and its workgroups. */
export interface Dispatch {
  readonly source: string;
  readonly bindings: readonly Binding[];
  readonly groups: number | readonly [number, number];
}

/** Bytes of idle read-back staging buffers kept for reuse; beyond it a finished one is destroyed. */
const MAX_STAGING_BYTES = 64 * 2 ** 20;

/** Most workgroups per dispatch dimension (the WebGPU default limit). */
const MAX_GROUPS = 65535;

/** The WebGPU backend instance (its definition is index.ts). The kernels beside it run through `run`. */
export class WebGPUBackend implements GPUBackend {
  readonly name = 'webgpu' as const;
  readonly device: string;
  readonly gpu: GPUDevice;
  readonly pool: BufferPool;
  readonly subgroups: boolean;
  readonly subgroupMaxSize: number;
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  /** Each pipeline's bind group layout, asked of Dawn once (every call makes a new wrapper). */
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  /** Bind groups kept by their bindings; the pool drops a buffer's groups before destroying it. */
  readonly bindGroups: BindGroupCache;
  /**
   * Read-back staging buffers. Mappable buffers are costly to make on a discrete GPU (a read-back of
   * a vector took about 1 ms on an H200 when each made its own, 40 µs with one kept).
   */
  private readonly staging: BufferPool;
  /** Commands recorded and not yet submitted (batch.ts says why). */
  readonly batch: CommandBatch;

  constructor(d: DawnDevice) {
    this.gpu = d.device;
    this.device = `webgpu (${d.adapterName})`;
    this.subgroups = d.subgroups;
    this.subgroupMaxSize = d.subgroupMaxSize;
    this.maxBinding = d.device.limits.maxStorageBufferBindingSize;
    this.bindGroups = new BindGroupCache(d.device);
    this.pool = new BufferPool(d.device, { onDestroy: (b) => this.bindGroups.forget(b) });
    this.batch = new CommandBatch(d.device, this.pool);
    this.staging = new BufferPool(d.device, {
      maxIdle: MAX_STAGING_BYTES,
      usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    });
  }

  /** Largest byte range one storage binding may cover (read once: each read of limits crosses into Dawn). */
  readonly maxBinding: number;

  /** A new storage of `bytes` bytes (at least 4: empty arrays still need a buffer to bind). */
  alloc(bytes: number): WebGPUStorage {
    return new WebGPUStorage(this.pool.acquire(bytes), bytes, this.pool);
  }

  upload(data: Float32Array): WebGPUStorage {
    const s = this.alloc(data.byteLength);
    // Dawn does not accept shared memory (the WASM heap of large host arrays), so that is copied.
    const src = data.buffer instanceof SharedArrayBuffer ? new Float32Array(data) : data;
    if (src.length) this.gpu.queue.writeBuffer(s.buffer, 0, src.buffer, src.byteOffset, src.byteLength);
    return s;
  }

  /** A temporary holding `words` (u32 or f32 bit patterns), for kernel parameters. */
  params(words: Uint32Array): WebGPUStorage {
    const s = this.alloc(words.byteLength);
    this.gpu.queue.writeBuffer(s.buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    return s;
  }

  /**
   * Reads `count` floats of `s` from `offset`. `before`: dispatches that make them, submitted with
   * the copy in one command buffer (a reduction's passes and its read-back cost one submit).
   * `submitted` runs once that command buffer is submitted and the read-back requested, before it
   * is waited for: what it records runs on the GPU while the result travels to the host.
   */
  async download(
    s: GPUStorage,
    offset: number,
    count: number,
    before: readonly Dispatch[] = [],
    submitted?: () => void,
  ): Promise<Float32Array> {
    const out = new Float32Array(count);
    const steps = before.length ? await this.prepare(before) : [];
    if (count === 0) {
      if (steps.length) this.enqueue(steps);
      return out;
    }
    const staging = this.staging.acquire(count * 4);
    try {
      this.record(steps);
      const enc = this.batch.encoder();
      enc.copyBufferToBuffer((s as WebGPUStorage).buffer, offset * 4, staging, 0, count * 4);
      this.batch.flush();
      const mapped = staging.mapAsync(MapMode.READ, 0, count * 4);
      try {
        submitted?.();
      } finally {
        // The mapping is waited for even if `submitted` threw, so the buffer is not left pending.
        await mapped;
      }
      out.set(new Float32Array(staging.getMappedRange(0, count * 4)));
      staging.unmap();
    } catch (e) {
      this.staging.discard(staging);
      throw e;
    }
    this.staging.release(staging);
    return out;
  }

  /** Read-back staging buffers made so far (a reused one is not counted again). */
  get stagingMade(): number {
    return this.staging.made;
  }

  async write(s: GPUStorage, offset: number, data: Float32Array): Promise<void> {
    // A write runs on the queue ahead of the open batch, so commands recorded before it that read or
    // write this buffer are submitted first.
    if (this.batch.uses((s as WebGPUStorage).buffer)) this.batch.flush();
    this.batch.note();
    this.gpu.queue.writeBuffer(
      (s as WebGPUStorage).buffer,
      offset * 4,
      data.buffer,
      data.byteOffset,
      data.byteLength,
    );
  }

  bytesInUse(): number {
    return this.pool.bytesInUse;
  }

  /** The compute pipeline of a WGSL source (entry point `main`), compiled once per source. */
  pipeline(source: string): Promise<GPUComputePipeline> {
    let p = this.pipelines.get(source);
    if (!p) {
      const module = this.gpu.createShaderModule({ code: source });
      p = this.gpu
        .createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } })
        .catch(async (e: Error) => {
          // The pipeline error only says the module is invalid; the compiler's messages say why.
          const info = await module.getCompilationInfo();
          const msgs = info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
          throw new Error(
            `WebGPU: a generated WGSL kernel failed to compile (${msgs || e.message}); this is a darray bug`,
          );
        });
      this.pipelines.set(source, p);
      p.catch(() => this.pipelines.delete(source));
    }
    return p;
  }

  /** Number of distinct pipelines compiled so far. */
  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /**
   * Workgroup counts for `groups` workgroups: x up to 65535, the rest in y. Shaders recover the
   * linear group as `wid.x + wid.y * nwg.x`.
   */
  grid(groups: number): [number, number] {
    if (groups <= MAX_GROUPS) return [Math.max(groups, 1), 1];
    const y = Math.ceil(groups / MAX_GROUPS);
    return [Math.ceil(groups / y), y];
  }

  /**
   * Runs `source` over `groups` workgroups (a count, laid out by `grid`, or explicit [x, y]) with
   * `bindings` at @group(0) @binding(0, 1, …).
   */
  async run(
    source: string,
    bindings: readonly Binding[],
    groups: number | readonly [number, number],
  ): Promise<void> {
    this.enqueue(await this.prepare([{ source, bindings, groups }]));
  }

  /** Records prepared dispatches into the open batch, submitting it once it is full. */
  private enqueue(steps: readonly [GPUComputePipeline, Dispatch][]): void {
    this.record(steps);
    if (this.batch.full) this.batch.flush();
  }

  /**
   * Submits the commands recorded so far. Code that submits its own command buffers (a benchmark
   * timing a raw kernel) calls this first, so that it runs after the kernels launched before it.
   */
  flush(): void {
    this.batch.flush();
  }

  /**
   * The pipelines of `steps`, compiled or from the cache. Callers record right after, with no
   * await in between, so that a kernel's passes (a reduction's two, its read-back's copy) stay
   * together in the batch.
   */
  private async prepare(steps: readonly Dispatch[]): Promise<[GPUComputePipeline, Dispatch][]> {
    const pipelines = await Promise.all(steps.map((d) => this.pipeline(d.source)));
    return steps.map((d, i) => [pipelines[i] as GPUComputePipeline, d]);
  }

  /** Records prepared dispatches into the open batch, in order. */
  private record(steps: readonly [GPUComputePipeline, Dispatch][]): void {
    for (const [pipeline, d] of steps) {
      let layout = this.layouts.get(pipeline);
      if (!layout) {
        layout = pipeline.getBindGroupLayout(0);
        this.layouts.set(pipeline, layout);
      }
      const bindGroup = this.bindGroups.get(layout, d.bindings);
      const [x, y] = typeof d.groups === 'number' ? this.grid(d.groups) : d.groups;
      // Whatever can throw comes before the dispatch is recorded: a half-recorded one would void the
      // whole batch.
      if (!Number.isInteger(x) || !Number.isInteger(y) || x > MAX_GROUPS || y > MAX_GROUPS)
        throw new Error(`WebGPU: a kernel asked for ${x}×${y} workgroups; this is a darray bug`);
      const pass = this.batch.computePass(d.bindings);
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(x, y);
    }
  }

  dispose(): void {
    this.batch.flush();
    this.pool.trim();
    this.staging.trim();
  }
}

let instance: Promise<WebGPUBackend> | undefined;

/** The process's WebGPU backend, created on first use. */
export function webgpuBackend(): Promise<WebGPUBackend> {
  instance ??= dawnDevice().then((d) => new WebGPUBackend(d));
  instance.catch(() => {
    instance = undefined;
  });
  return instance;
}
