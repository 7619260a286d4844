/**
 * What the WebGPU one-thread-per-element kernels (band, diag, diagm, kron, random, the shape
 * gathers, eye, transpose) share: one thread per output element, u32 parameters, and inputs bound
 * after the output.
 */
import { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import type { WebGPUBackend, WebGPUStorage } from './backend.js';
import { bind, onDevice, releaseTemps } from './operands.js';

/** Workgroup size of the index-map kernels. */
export const WG = 256;

/** The flat element index of this thread (2-d dispatch grids for large outputs). */
export const THREAD_INDEX = /* wgsl */ `let i = gid.x + gid.y * nwg.x * ${WG}u;`;

/** The WGSL header: out at binding 0, the u32 parameters at 1, then `inputs` read-only arrays. */
export function header(inputs: readonly string[]): string {
  return [
    '@group(0) @binding(0) var<storage, read_write> out: array<f32>;',
    '@group(0) @binding(1) var<storage, read> P: array<u32>;',
    ...inputs.map((name, k) => `@group(0) @binding(${k + 2}) var<storage, read> ${name}: array<f32>;`),
  ].join('\n');
}

/** The elements [offset, offset + size) of the output, bound alone (offset·4 a multiple of 256). */
export interface OutputPart {
  readonly offset: number;
  readonly size: number;
}

/**
 * Runs `source` with one thread per element of the output (`into`, or a new array of `shape`),
 * parameters `params` and `inputs` (uploaded for this call when they are host arrays). With `part`,
 * only that range of the output is bound and written: `into` must then be given.
 */
export async function runIndexMap(
  b: WebGPUBackend,
  op: string,
  source: string,
  params: readonly number[],
  inputs: readonly AnyArray[],
  shape: readonly number[],
  into?: GPUArray,
  part?: OutputPart,
): Promise<GPUArray> {
  const whole = shape.reduce((s, n) => s * n, 1);
  const size = part?.size ?? whole;
  const out = into ?? new GPUArray(b, b.alloc(whole * 4), shape);
  const dev = inputs.map((a) => onDevice(b, a, op));
  const P = b.params(Uint32Array.from(params, (v) => v >>> 0));
  try {
    if (size > 0)
      await b.run(
        source,
        [
          { buffer: (out.storage as WebGPUStorage).buffer, offset: (part?.offset ?? 0) * 4, size: size * 4 },
          { buffer: P.buffer, size: Math.max(4, params.length * 4) },
          ...dev.map(bind),
        ],
        Math.ceil(size / WG),
      );
    return out;
  } catch (e) {
    if (!into) out.dispose();
    throw e;
  } finally {
    P.release();
    releaseTemps(dev);
  }
}
