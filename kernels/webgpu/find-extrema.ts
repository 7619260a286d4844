/**
 * The WebGPU kernel of `findExtrema` (findmax, findmin, argmax, argmin, findfirst): when `dims` is
 * one run of adjacent axes, one invocation per result element scans its elements in order (NaN
 * wins, the first on ties, as Julia) and writes the value and its linear index (an f32: exact up
 * to 2^24 elements). Axes that are not adjacent go through the host (one download, the CPU scan,
 * one upload).
 */
import { GPUArray } from '../../gpu/array.js';
import { collectGPU } from '../../gpu/collect.js';
import { uploadTo } from '../../gpu/upload.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { axisRuns, reducedShape, runExtents } from '../../src/array/reduce-dims.js';
import { findExtremaCpu } from '../cpu/find-extrema.js';
import type { WebGPUStorage } from './backend.js';
import { WGSL_PRELUDE } from './expr.js';
import { backendOfArgs, onDevice, releaseTemps } from './operands.js';

const WG = 256;

/** WGSL of the scan: val[t], idx[t] over x[(o·len + k)·inner + i], t = o·inner + i. */
export function findExtremaWgsl(which: 'max' | 'min'): string {
  return `${WGSL_PRELUDE}
@group(0) @binding(0) var<storage, read_write> val: array<f32>;
@group(0) @binding(1) var<storage, read_write> idx: array<f32>;
@group(0) @binding(2) var<storage, read> P: array<u32>;
@group(0) @binding(3) var<storage, read> x0: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * ${WG}u;
  let outer = P[0]; let len = P[1]; let inner = P[2];
  if (t >= outer * inner) { return; }
  let base = (t / inner) * len * inner + t % inner;
  var bv = x0[base];
  var bk = 0u;
  if (!js_nan(bv)) {
    for (var k = 1u; k < len; k++) {
      let v = x0[base + k * inner];
      if (js_nan(v)) { bv = v; bk = k; break; }
      if (v ${which === 'max' ? '>' : '<'} bv) { bv = v; bk = k; }
    }
  }
  val[t] = bv;
  idx[t] = f32(base + bk * inner);
}
`;
}

/** The WebGPU kernel of `findExtrema`. */
export async function findExtremaWebGPU(
  x: AnyArray,
  dims: readonly number[],
  which: 'max' | 'min',
): Promise<[GPUArray, GPUArray]> {
  const b = backendOfArgs(`find${which}`, [x]);
  const runs = axisRuns(dims);
  if (runs.length !== 1) {
    const [v, i] = findExtremaCpu(await collectGPU(x), dims, which);
    return [uploadTo(b, v), uploadTo(b, i)];
  }
  const { outer, len, inner } = runExtents(x.shape, runs[0] as number[]);
  const n = outer * inner;
  const shape = reducedShape(x.shape, dims);
  const dx = onDevice(b, x, `find${which}`);
  const val = new GPUArray(b, b.alloc(Math.max(n, 1) * 4), shape);
  const idx = new GPUArray(b, b.alloc(Math.max(n, 1) * 4), shape);
  const params = b.params(Uint32Array.of(outer, len, inner));
  try {
    if (n > 0)
      await b.run(
        findExtremaWgsl(which),
        [
          { buffer: (val.storage as WebGPUStorage).buffer, size: n * 4 },
          { buffer: (idx.storage as WebGPUStorage).buffer, size: n * 4 },
          { buffer: params.buffer, size: 12 },
          { buffer: dx.storage.buffer, size: Math.max(dx.size, 1) * 4 },
        ],
        Math.ceil(n / WG),
      );
    return [val, idx];
  } catch (e) {
    val.dispose();
    idx.dispose();
    throw e;
  } finally {
    params.release();
    releaseTemps([dx]);
  }
}
