/**
 * The tfjs backend instance (made on first use by the definition in index.ts): a GPUArray backed by
 * a tf.Tensor. It uses @tensorflow/tfjs-node-gpu (CUDA through libtensorflow) when that can be
 * imported, else @tensorflow/tfjs-core on its WebGPU backend (when the optional `webgpu` package
 * gives Dawn an adapter), else its CPU backend.
 * `device` says which one runs. Only tfjs-core and its backends are dependencies: the whole
 * @tensorflow/tfjs (layers, converter, data, WebGL) would add some 200 MiB to every install.
 */
import type * as tfns from '@tensorflow/tfjs-core';
import type { GPUBackend, GPUStorage } from '../../gpu/backend.js';
import { ArgumentError } from '../../src/errors.js';

/** The tfjs namespace, whichever package provided it. */
export type TF = typeof tfns;
/** A tfjs tensor. */
export type Tensor = tfns.Tensor;

/** One GPUArray's tensor. Tensors are immutable, so a write swaps in a new one. */
export class TfjsStorage implements GPUStorage {
  constructor(public tensor: Tensor) {}
  get bytes(): number {
    return this.tensor.size * 4;
  }
  release(): void {
    this.tensor.dispose();
  }
}

// Imported through a variable so that TypeScript does not require the optional packages.
const load = (name: string): Promise<unknown> => import(name);

/**
 * tfjs's CPU backend prints a banner on its first tensor in Node (advertising tfjs-node). That first
 * write is made here with tfjs's logging off (its PROD flag), so users see only darray's notice.
 */
function quietFirstWrite(tf: TF): void {
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    tf.tensor([0]).dispose();
  } finally {
    tf.env().set('PROD', prod);
  }
}

async function openTf(): Promise<{ tf: TF; device: string }> {
  try {
    const tf = (await load('@tensorflow/tfjs-node-gpu')) as TF;
    return { tf, device: 'tfjs-node-gpu (CUDA)' };
  } catch {
    // Not installed (it needs libtensorflow, downloaded at install time): try the next option.
  }
  const tf = (await load('@tensorflow/tfjs-core')) as TF;
  try {
    const { dawnDevice, dawnRoot } = await import('../webgpu/dawn.js');
    // Fails here, before tfjs is touched, when Dawn has no adapter.
    await dawnDevice();
    // tfjs-backend-webgpu registers itself only where navigator.gpu exists, as in a browser; in Node
    // that is Dawn's GPU object, which must be in place before the package is imported.
    const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
    if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: await dawnRoot(), configurable: true });
    await load('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu')) return { tf, device: 'tfjs-webgpu (Dawn)' };
  } catch {
    // No tfjs WebGPU package or no adapter: the CPU backend below.
  }
  await load('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
  quietFirstWrite(tf);
  return { tf, device: `tfjs-${tf.getBackend()}` };
}

/** The tfjs backend instance. */
export class TfjsBackend implements GPUBackend {
  readonly name = 'tfjs' as const;
  constructor(
    readonly tf: TF,
    readonly device: string,
  ) {}

  upload(data: Float32Array, shape: readonly number[]): TfjsStorage {
    this.checkBindable(data.byteLength);
    const copy = data.buffer instanceof SharedArrayBuffer ? new Float32Array(data) : data;
    return new TfjsStorage(this.tf.tensor(copy, [...shape], 'float32'));
  }

  /**
   * tfjs's WebGPU backend binds each tensor whole and does not split big ones: past the device's
   * binding limit its kernels return garbage, so such arrays are refused here instead.
   */
  private checkBindable(bytes: number): void {
    const limit = (this.tf.backend() as { device?: { limits?: { maxStorageBufferBindingSize?: number } } })
      .device?.limits?.maxStorageBufferBindingSize;
    if (limit !== undefined && bytes > limit) {
      throw new ArgumentError(
        `tfjs on WebGPU binds at most ${(limit / 2 ** 20).toFixed(0)} MiB per tensor on this adapter, and this array needs ` +
          `${(bytes / 2 ** 20).toFixed(0)} MiB; use gpu(A, { backend: 'webgpu' }), which splits large products, or a device with larger bindings`,
      );
    }
  }

  async download(s: GPUStorage, offset: number, count: number): Promise<Float32Array> {
    const all = (await (s as TfjsStorage).tensor.data()) as Float32Array;
    return offset === 0 && count === all.length ? all : all.slice(offset, offset + count);
  }

  async write(s: GPUStorage, offset: number, data: Float32Array): Promise<void> {
    const st = s as TfjsStorage;
    const all = Float32Array.from((await st.tensor.data()) as Float32Array);
    all.set(data, offset);
    const next = this.tf.tensor(all, st.tensor.shape, 'float32');
    st.tensor.dispose();
    st.tensor = next;
  }

  bytesInUse(): number {
    return this.tf.memory().numBytes;
  }
}

let instance: Promise<TfjsBackend> | undefined;

/** The process's tfjs backend, loaded on first use. */
export function tfjsBackend(): Promise<TfjsBackend> {
  instance ??= openTf().then(({ tf, device }) => new TfjsBackend(tf, device));
  instance.catch(() => {
    instance = undefined;
  });
  return instance;
}
