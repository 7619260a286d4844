/**
 * The WebGPU kernel of `getindex`: one thread per selected element, which finds its source offset
 * from per-dimension offset tables (indices.ts's selOffsets) uploaded with the call. setindex.ts
 * shares the tables and the offset code.
 */
import { GPUArray } from '../../gpu/array.js';
import { readElement, scalarOffset } from '../../gpu/element.js';
import { type Indices, selOffsets } from '../../src/array/indices.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { sizeOf } from '../../src/array/shape.js';
import type { WebGPUBackend, WebGPUStorage } from './backend.js';
import { WG } from './index-map.js';
import { backendOfArgs, bind, onDevice, releaseTemps } from './operands.js';

/**
 * WGSL shared by the gather and scatter kernels: the parameters P ([nd, total, base, scalar value
 * bits, value is scalar, out shape (nd), table starts (nd)]), the tables T, and offsetOf(e).
 */
export const header = /* wgsl */ `
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> T: array<u32>;
fn offsetOf(e: u32) -> u32 {
  let nd = P[0];
  var rem = e;
  var off = P[2];
  for (var k = i32(nd) - 1; k >= 0; k--) {
    let n = P[5u + u32(k)];
    off += T[P[5u + nd + u32(k)] + rem % n];
    rem = rem / n;
  }
  return off;
}
`;

/** WGSL of out[e] = a[offsetOf(e)]. */
export const GATHER_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
${header}
@group(0) @binding(3) var<storage, read> a: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * ${WG}u;
  if (e >= P[1]) { return; }
  out[e] = a[offsetOf(e)];
}
`;

/** The parameters and offset tables of a selection, uploaded for one dispatch. */
export function tablesOf(b: WebGPUBackend, shape: readonly number[], ix: Indices, scalar?: number) {
  const { base, tables, shape: out } = selOffsets(shape, ix);
  const nd = tables.length;
  const p = new Uint32Array(5 + 2 * nd);
  p.set([
    nd,
    sizeOf(out),
    base,
    new Uint32Array(Float32Array.of(scalar ?? 0).buffer)[0] as number,
    scalar === undefined ? 0 : 1,
  ]);
  let at = 0;
  tables.forEach((t, k) => {
    p[5 + k] = t.length;
    p[5 + nd + k] = at;
    at += t.length;
  });
  const all = new Uint32Array(Math.max(1, at));
  at = 0;
  for (const t of tables) {
    all.set(t, at);
    at += t.length;
  }
  return {
    P: b.params(p),
    T: b.params(all),
    out,
    total: sizeOf(out),
    pBytes: p.byteLength,
    tBytes: all.byteLength,
  };
}

/** getindex on the device: one number for all-scalar indices, else a new GPUArray. */
export async function getindexWebGPU(a: AnyArray, ix: Indices): Promise<GPUArray | number> {
  const b = backendOfArgs('getindex', [a]);
  const g = a as GPUArray;
  const off = scalarOffset(g, ix);
  if (off !== undefined) return readElement(g, off);
  const da = onDevice(b, a, 'getindex');
  const t = tablesOf(b, a.shape, ix);
  const out = new GPUArray(b, b.alloc(t.total * 4), t.out);
  try {
    if (t.total > 0)
      await b.run(
        GATHER_WGSL,
        [
          { buffer: (out.storage as WebGPUStorage).buffer, size: t.total * 4 },
          { buffer: t.P.buffer, size: t.pBytes },
          { buffer: t.T.buffer, size: t.tBytes },
          bind(da),
        ],
        Math.ceil(t.total / WG),
      );
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    t.P.release();
    t.T.release();
    releaseTemps([da]);
  }
}
