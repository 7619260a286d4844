/** The WebGPU kernel of `setindex`: one thread per selected element writes it in place. */
import type { GPUArray } from '../../gpu/array.js';
import { firstElement, scalarOffset, writeElement } from '../../gpu/element.js';
import type { Indices } from '../../src/array/indices.js';
import type { AnyArray } from '../../src/array/protocol.js';
import type { WebGPUStorage } from './backend.js';
import { header, tablesOf } from './getindex.js';
import { WG } from './index-map.js';
import { backendOfArgs, bind, onDevice, releaseTemps } from './operands.js';

/** WGSL of a[offsetOf(e)] = v[e] (or the scalar in P). */
export const SCATTER_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
${header}
@group(0) @binding(3) var<storage, read> v: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * ${WG}u;
  if (e >= P[1]) { return; }
  var x = bitcast<f32>(P[3]);
  if (P[4] == 0u) { x = v[e]; }
  a[offsetOf(e)] = x;
}
`;

/**
 * setindex on the device, in place. With repeated positions in an integer-array index, which of
 * the values lands is not defined (threads race), as with CUDA.jl's scatter.
 */
export async function setindexWebGPU(a: AnyArray, v: AnyArray | number, ix: Indices): Promise<void> {
  const b = backendOfArgs('setindex', [a]);
  const g = a as GPUArray;
  const off = scalarOffset(g, ix);
  if (off !== undefined) {
    return writeElement(g, off, await firstElement(v));
  }
  const t = tablesOf(b, a.shape, ix, typeof v === 'number' ? v : undefined);
  const dv = typeof v === 'number' ? undefined : onDevice(b, v, 'setindex');
  const dummy = dv ? undefined : b.alloc(4);
  try {
    if (t.total > 0)
      await b.run(
        SCATTER_WGSL,
        [
          { buffer: (g.storage as WebGPUStorage).buffer, size: g.size * 4 },
          { buffer: t.P.buffer, size: t.pBytes },
          { buffer: t.T.buffer, size: t.tBytes },
          dv ? bind(dv) : { buffer: (dummy as WebGPUStorage).buffer, size: 4 },
        ],
        Math.ceil(t.total / WG),
      );
  } finally {
    t.P.release();
    t.T.release();
    dummy?.release();
    if (dv) releaseTemps([dv]);
  }
}
